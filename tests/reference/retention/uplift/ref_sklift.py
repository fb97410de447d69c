"""Reference values for tests/retention/test_uplift_reference.py, computed with scikit-uplift 0.5.1.

Run ONCE in a throwaway environment (scikit-uplift is NOT a project dependency; its ``sklift.viz``
no longer imports on scikit-learn 1.9, its ``sklift.metrics`` does):

    python3.11 -m venv /tmp/sklift-venv && /tmp/sklift-venv/bin/pip install scikit-uplift==0.5.1
    /tmp/sklift-venv/bin/python tests/reference/retention/uplift/ref_sklift.py

Versions used for the pinned CSVs: Python 3.11.7, scikit-uplift 0.5.1, numpy 2.4.6,
scikit-learn 1.9.1, pandas 3.1.1 (the script prints them and refuses other sklift versions).

Inputs written here (read by the test, so both sides see exactly the same numbers):
``case_<name>.csv`` with columns ``y, treatment, score`` (0/1 outcome, 0/1 arm, uplift score).

* ``hand`` — 12 rows, unsorted, with tied scores (tie blocks that mix arms, one that straddles
  the top-25 % cut) and 5 treated / 7 controls; small enough to check by hand.
* ``continuous`` — 4000 rows from ``numpy.random.default_rng(20261129)``: 30 % treated, outcome
  rate 0.2 + effect x treated with effect from −0.05 to +0.25 (logistic in a covariate), score =
  true effect + N(0, 0.03) noise
  (distinct scores, so every row is a curve point).
* ``ties`` — 3000 rows from ``default_rng(7)``: 65 % treated, effect 0.04 + 0.1 tanh(x), score =
  noisy x rounded to 0.01 and clipped to ±0.3 (61 distinct values, like a tree model), so the
  curves have few points; the top tie block already holds both arms.

Outputs (full precision, ``%.17g``):

* ``sklift_curves.csv`` — ``case, curve, n_targeted, value`` for ``sklift.metrics.uplift_curve``,
  ``qini_curve``, ``perfect_uplift_curve``, ``perfect_qini_curve`` (``negative_effect=True``).
* ``sklift_scores.csv`` — ``case, metric, strategy, k, value`` for ``uplift_auc_score``,
  ``qini_auc_score`` (``negative_effect`` True/False, in ``strategy``) and ``uplift_at_k`` with
  ``strategy`` "overall" and "by_group" at k = 0.1, 0.25, 0.3, 0.5 (float k = fraction); NaN
  where sklift's top k holds only one arm (the hand case at k = 0.1).
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
import sklift
from sklift.metrics import (
    perfect_qini_curve,
    perfect_uplift_curve,
    qini_auc_score,
    qini_curve,
    uplift_at_k,
    uplift_auc_score,
    uplift_curve,
)

HERE = Path(__file__).resolve().parent
warnings.simplefilter("ignore", FutureWarning)  # sklearn 1.9: stable_cumsum deprecated (still correct)
if sklift.__version__ != "0.5.1":
    raise SystemExit(f"expected scikit-uplift 0.5.1, found {sklift.__version__}")
print("scikit-uplift", sklift.__version__, "numpy", np.__version__, "scikit-learn", sklearn.__version__,
      "pandas", pd.__version__)


def case_hand() -> pd.DataFrame:
    # sorted by score (desc) the rows are: 0.9 {t1 y1}, 0.8 {t0 y0, t1 y1, t0 y1}, 0.6 {t1 y0},
    # 0.5 {t0 y0, t0 y1}, 0.3 {t1 y1, t0 y0}, 0.2 {t0 y0}, 0.1 {t1 y0, t0 y1}; then shuffled rows
    y = [1, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1]
    t = [1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0]
    s = [0.9, 0.8, 0.8, 0.8, 0.6, 0.5, 0.5, 0.3, 0.3, 0.2, 0.1, 0.1]
    perm = [7, 2, 11, 0, 5, 9, 3, 10, 1, 6, 4, 8]
    return pd.DataFrame({"y": np.take(y, perm), "treatment": np.take(t, perm), "score": np.take(s, perm)})


def case_continuous() -> pd.DataFrame:
    rng = np.random.default_rng(20261129)
    n = 4000
    x = rng.normal(size=n)
    t = (rng.random(n) < 0.3).astype(int)
    effect = 0.3 / (1 + np.exp(-2 * x)) - 0.05  # from −0.05 to +0.25
    y = (rng.random(n) < 0.2 + effect * t).astype(int)
    score = effect + rng.normal(scale=0.03, size=n)
    return pd.DataFrame({"y": y, "treatment": t, "score": score})


def case_ties() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 3000
    x = rng.normal(size=n)
    t = (rng.random(n) < 0.65).astype(int)
    effect = 0.04 + 0.1 * np.tanh(x)
    y = (rng.random(n) < 0.35 + effect * t).astype(int)
    score = np.round(x + rng.normal(scale=0.5, size=n), 1) / 10
    score = np.clip(score, -0.3, 0.3)
    return pd.DataFrame({"y": y, "treatment": t, "score": score})


cases = {"hand": case_hand(), "continuous": case_continuous(), "ties": case_ties()}
curves, scores = [], []
for name, d in cases.items():
    d.to_csv(HERE / f"case_{name}.csv", index=False, float_format="%.17g")
    y, t, s = d["y"].to_numpy(), d["treatment"].to_numpy(), d["score"].to_numpy()
    print(name, "rows", len(d), "treated", t.sum(), "distinct scores", len(np.unique(s)))
    for cname, (x, v) in {"uplift": uplift_curve(y, s, t), "qini": qini_curve(y, s, t),
                          "perfect_uplift": perfect_uplift_curve(y, t),
                          "perfect_qini": perfect_qini_curve(y, t, negative_effect=True)}.items():
        curves += [(name, cname, int(a), float(b)) for a, b in zip(x, v)]
    scores.append((name, "uplift_auc_score", "", "", float(uplift_auc_score(y, s, t))))
    for neg in (True, False):
        scores.append((name, "qini_auc_score", f"negative_effect={neg}", "",
                       float(qini_auc_score(y, s, t, negative_effect=neg))))
    for strategy in ("overall", "by_group"):
        for k in (0.1, 0.25, 0.3, 0.5):
            scores.append((name, "uplift_at_k", strategy, k, float(uplift_at_k(y, s, t, strategy=strategy, k=k))))

pd.DataFrame(curves, columns=["case", "curve", "n_targeted", "value"]).to_csv(
    HERE / "sklift_curves.csv", index=False, float_format="%.17g")
pd.DataFrame(scores, columns=["case", "metric", "strategy", "k", "value"]).to_csv(
    HERE / "sklift_scores.csv", index=False, float_format="%.17g")
print(pd.DataFrame(scores, columns=["case", "metric", "strategy", "k", "value"]).to_string())
