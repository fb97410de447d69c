"""Retention targeting by uplift: T- and X-learners, Qini and uplift curves, AUUC, uplift@k, profit.

Churn risk answers "who will leave"; a retention call should go to whom the call *changes*
(Lemmens & Gupta 2020, Marketing Science 39(5), 956–973; Ascarza 2018, JMR 55(1), 80–98). The
learners are built on scikit-learn; the evaluation curves are hand-written here because
scikit-uplift is unmaintained (its ``sklift.viz`` no longer imports on scikit-learn 1.9, though
``sklift.metrics`` still does) and causalml pulls ~1.5 GB:

* uplift curve and AUUC — Rzepakowski & Jaroszewicz (2012), KAIS 32, 303–327; Gutierrez & Gérardy
  (2017), PMLR 67, 1–13: response rates computed in each arm among the top k of the *jointly*
  ranked sample, as in scikit-uplift's ``uplift_curve``;
* Qini curve and Qini coefficient — Radcliffe (2007), *Using control groups to target on predicted
  lift*, DMA Analytic Council;
* uplift@k — the response-rate difference between treated and controls among the top k
  (scikit-uplift's ``uplift_at_k`` with ``strategy="overall"``, or ``"by_group"``: each arm ranked
  on its own).

Convention: ``outcome`` is the *favourable* response (1 = stayed) — pass ``favourable="decrease"``
to the learners when the outcome column is churn; curves take the favourable response directly.
Observational treatment can be re-weighted with inverse propensity weights (``weights``).

Ties in the score (tree learners give many: 8–52 % of the held-out rows in
``tests/retention/test_uplift.py`` share a score) are one step, so every result is independent of
the row order. With the tie blocks in descending score ending at ``k_0 = 0 < k_1 < … < k_B = N``
rows, a curve ``C`` (``U`` or ``Q``) is computed from the (weighted) cumulative counts at the block
ends only and is the straight line between them inside a block::

    C(k) = C(k_{j−1}) + (k − k_{j−1}) / (k_j − k_{j−1}) · [C(k_j) − C(k_{j−1})],  k_{j−1} ≤ k ≤ k_j

as scikit-uplift (and ``sklearn.metrics.roc_curve``) does; the curve is still reported at every
``k = 0..N`` and the trapezoid areas over every ``k`` equal those over the block ends. uplift@k takes
the tie block that the cut splits *pro rata* (see :func:`uplift_at_k`). Without ties every row is a
block end and the values are bit-for-bit those of a row-by-row evaluation. Rows that share score, arm, outcome and weight are also ordered
identically, so a permutation of the rows gives bit-identical results.
The curves, the areas (on scikit-uplift's normalised scale) and uplift@k are checked against
scikit-uplift 0.5.1 in ``tests/retention/test_uplift_reference.py``, which states the conventions
that differ (an empty arm at the top, normalisation by the perfect curve, uplift@k at a tie).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from bankcrm_research.retention.models import _threads
from bankcrm_research.data.validate import (
    require_choice,
    require_columns,
    require_dataframe,
    require_min_rows,
    require_probability,
    warn_dropped,
)

__all__ = [
    "uplift_curve",
    "qini_curve",
    "auuc",
    "qini_coefficient",
    "uplift_at_k",
    "UpliftModel",
    "UpliftResult",
    "targeting_profit",
]


def _arrays(y: Any, treatment: Any, score: Any, weights: Any = None) -> tuple[np.ndarray, ...]:
    """``y, t, w, s`` sorted by descending score; inside a tie by arm, outcome and weight, so that the
    sorted arrays (and every sum over them) do not depend on the input row order."""
    yy = np.asarray(y, float)
    tt = np.asarray(treatment, float)
    ss = np.asarray(score, float)
    if not (len(yy) == len(tt) == len(ss)):
        raise ValueError(f"y, treatment and score must have the same length; got {len(yy)}, {len(tt)}, {len(ss)}.")
    if np.isnan(yy).any() or np.isnan(tt).any() or np.isnan(ss).any():
        raise ValueError("y, treatment and score must not contain missing values.")
    if not set(np.unique(tt)) <= {0.0, 1.0} or tt.min() == tt.max():
        raise ValueError("treatment must be 0/1 with both arms present.")
    ww = np.ones_like(yy) if weights is None else np.asarray(weights, float)
    if len(ww) != len(yy):
        raise ValueError(f"weights must have one value per row; got {len(ww)} for {len(yy)} rows.")
    order = np.lexsort((ww, yy, tt, -ss))
    return yy[order], tt[order], ww[order], ss[order]


def _block_ends(s_sorted: np.ndarray) -> np.ndarray:
    """True at the last row of each block of equal scores (``s_sorted`` in descending order)."""
    last = np.ones(len(s_sorted), dtype=bool)
    last[:-1] = s_sorted[1:] != s_sorted[:-1]
    return last


def _tie_linear(values: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Curve over ``k = 0..N``: 0 at k = 0, ``values`` (evaluated at k = 1..N) at the tie-block ends and
    the straight line between consecutive block ends inside a block (no ties: ``values`` unchanged)."""
    full = np.r_[0.0, values]
    if not last.all():
        knots = np.r_[0, np.flatnonzero(last) + 1]
        inside = np.setdiff1d(np.arange(len(full)), knots)
        full[inside] = np.interp(inside, knots, full[knots])
    return full


def uplift_curve(y: Any, treatment: Any, score: Any, *, weights: Any = None) -> pd.DataFrame:
    """Cumulative uplift curve: estimated extra responders when treating the top k by score.

    Notes
    -----
    With ``Y_T(k), N_T(k)`` the (weighted) responders and customers among treated in the top ``k``
    and ``Y_C(k), N_C(k)`` among controls::

        U(k) = (Y_T(k)/N_T(k) − Y_C(k)/N_C(k)) · k

    (0 while one arm is empty; scikit-uplift instead counts the empty arm's rate as 0). Hand example,
    10 rows sorted by score::

        k      1  2  3  4  5  6  7  8  9  10
        t      1  0  1  0  1  0  1  0  1  0
        y      1  0  1  0  0  1  0  0  1  1

    k = 1: no control yet → U = 0; k = 2: 1/1 − 0/1 = 1 → U = 2; k = 4: 2/2 − 0/2 → U = 4;
    k = 5: 2/3 − 0/2 → U = 3.333; k = 6: 2/3 − 1/3 → U = 2; k = 7: 2/4 − 1/3 → U = 1.1667;
    k = 10: 3/5 − 2/5 = 0.2 → U = 2. All: U(0..10) = 0, 0, 2, 3, 4, 3.333, 2, 1.1667, 2, 3.15, 2.

    Ties: ``U`` is computed at the end ``k_j`` of each block of equal scores (where the counts do not
    depend on the order inside the block) and is linear in ``k`` inside a block,
    ``U(k) = U(k_{j−1}) + (k − k_{j−1})/(k_j − k_{j−1}) · (U(k_j) − U(k_{j−1}))`` — scikit-uplift's
    curve joined by straight lines, reported at every ``k``. Independent of the row order. With the
    scores 3, 2, 2, 2, 1 (t = 1, 0, 1, 0, 1; y = 1, 0, 0, 1, 1): U(1) = 0 (no control),
    U(4) = (1/2 − 1/2)·4 = 0, U(5) = (2/3 − 1/2)·5 = 5/6, and inside the tie U(2) = U(3) = 0.
    """
    y, t, w, s = _arrays(y, treatment, score, weights)
    yt = np.cumsum(y * t * w)
    nt = np.cumsum(t * w)
    yc = np.cumsum(y * (1 - t) * w)
    nc = np.cumsum((1 - t) * w)
    k = np.arange(1, len(y) + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where((nt > 0) & (nc > 0), (yt / nt - yc / nc) * k, 0.0)
    return pd.DataFrame({"n_targeted": np.r_[0, k], "fraction_targeted": np.r_[0, k] / len(y),
                         "uplift": _tie_linear(u, _block_ends(s))})


def qini_curve(y: Any, treatment: Any, score: Any, *, weights: Any = None) -> pd.DataFrame:
    """Qini curve (Radcliffe 2007): incremental responders in the top k, controls scaled to the treated.

    Notes
    -----
    ``Q(k) = Y_T(k) − Y_C(k) · N_T(k) / N_C(k)`` (``Q(k) = Y_T(k)`` while no control is in the top k).
    Hand example (data of :func:`uplift_curve`): k = 1: 1; k = 2: 1 − 0 = 1; k = 3: 2; k = 6:
    2 − 1·3/3 = 1; k = 7: 2 − 1·4/3 = 0.6667; k = 9: 3 − 1·5/4 = 1.75; k = 10: 3 − 2·5/5 = 1. All:
    Q(0..10) = 0, 1, 1, 2, 2, 2, 1, 0.6667, 1, 1.75, 1. The random line goes from (0, 0) to (N, Q(N)).

    Ties: as in :func:`uplift_curve`, ``Q`` is computed at the end of each block of equal scores and is
    linear inside the block (scikit-uplift's ``qini_curve`` joined by straight lines); independent of
    the row order. Scores 3, 2, 2, 2, 1 (t = 1, 0, 1, 0, 1; y = 1, 0, 0, 1, 1): Q(1) = 1,
    Q(4) = 1 − 1·2/2 = 0, Q(5) = 2 − 1·3/2 = 0.5; inside the tie Q(2) = 2/3, Q(3) = 1/3.
    """
    y, t, w, s = _arrays(y, treatment, score, weights)
    yt = np.cumsum(y * t * w)
    nt = np.cumsum(t * w)
    yc = np.cumsum(y * (1 - t) * w)
    nc = np.cumsum((1 - t) * w)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(nc > 0, yt - yc * nt / nc, yt)
    k = np.arange(1, len(y) + 1)
    return pd.DataFrame({"n_targeted": np.r_[0, k], "fraction_targeted": np.r_[0, k] / len(y),
                         "qini": _tie_linear(q, _block_ends(s))})


def auuc(y: Any, treatment: Any, score: Any, *, weights: Any = None, normalize: bool = True) -> float:
    """Area under the uplift curve minus the area under random targeting.

    Notes
    -----
    ``AUUC = Σ_k [U(k) − k·U(N)/N] / N`` (trapezoid over k = 0..N, x in fraction of customers);
    positive = better than random. With ``normalize`` the result is divided by ``N`` once more
    (uplift per customer), making it comparable across sample sizes. Hand example (data of
    :func:`uplift_curve`): ``U(k) − 0.2k`` for k = 0..10 is 0, −0.2, 1.6, 2.4, 3.2, 2.333, 0.8,
    −0.2333, 0.4, 1.35, 0; trapezoids of width 0.1 give 0.1 · 11.65 = 1.165, normalised 0.1165.

    With ties the curve is linear inside each tie block (:func:`uplift_curve`), so the trapezoid over
    every k equals the one over the block ends: the area does not depend on the row order. Tie example
    of :func:`uplift_curve`: ``U(k) − k/6`` = 0, −1/6, −2/6, −3/6, −4/6, 0 → 0.2 · (−10/6) = −1/3,
    normalised −1/15.
    """
    curve = uplift_curve(y, treatment, score, weights=weights)
    n = len(curve) - 1
    u = curve["uplift"].to_numpy()
    rand = np.arange(n + 1) * u[-1] / n
    area = np.trapezoid(u - rand, dx=1.0 / n)
    return float(area / n if normalize else area)


def qini_coefficient(y: Any, treatment: Any, score: Any, *, weights: Any = None) -> float:
    """Qini coefficient: area between the Qini curve and the random line, per customer.

    Notes
    -----
    ``Qini = ∫₀¹ [Q(f) − f·Q(1)] df / N`` with the trapezoid rule over every k (Radcliffe 2007
    defines the area; dividing by N makes it a per-customer number). Hand example (data of
    :func:`uplift_curve`): ``Q(k) − 0.1k`` = 0, 0.9, 0.8, 1.7, 1.6, 1.5, 0.4, −0.0333, 0.2, 0.85, 0;
    area 0.1 · 7.9167 = 0.79167, per customer 0.079167.

    With ties the curve is linear inside each tie block (:func:`qini_curve`), so the area equals the
    trapezoid over the block ends (scikit-uplift's points) and does not depend on the row order. Tie
    example of :func:`qini_curve`: ``Q(k) − 0.1k`` = 0, 0.9, 0.4667, 0.0333, −0.4, 0 → 0.2 · 1.0 = 0.2,
    per customer 0.04.
    """
    curve = qini_curve(y, treatment, score, weights=weights)
    n = len(curve) - 1
    q = curve["qini"].to_numpy()
    rand = np.arange(n + 1) * q[-1] / n
    return float(np.trapezoid(q - rand, dx=1.0 / n) / n)


def _top_share(s_sorted: np.ndarray, m: int) -> np.ndarray:
    """Share of each row (sorted by descending score) in the top ``m``: 1 above the cut, 0 below, and
    ``(m − a)/(b − a)`` for every row of a tie block (rows ``a+1..b``) that the cut splits."""
    share = np.zeros(len(s_sorted))
    share[:m] = 1.0
    if m < len(s_sorted) and s_sorted[m - 1] == s_sorted[m]:
        block = np.flatnonzero(s_sorted == s_sorted[m - 1])  # contiguous: the scores are sorted
        a, b = block[0], block[-1] + 1
        share[a:b] = (m - a) / (b - a)
    return share


def uplift_at_k(y: Any, treatment: Any, score: Any, *, k: float = 0.3, weights: Any = None,
                strategy: Literal["overall", "by_group"] = "overall") -> float:
    """Response rate among treated minus among controls in the top ``k`` fraction (by score).

    ``strategy="overall"`` ranks everyone together and takes the top ``m = ⌊k·N⌋`` rows (scikit-uplift's
    ``uplift_at_k(strategy="overall")``); ``"by_group"`` takes the top ``⌊k·N_T⌋`` treated and the
    top ``⌊k·N_C⌋`` controls, each arm ranked on its own (``strategy="by_group"``), which keeps the
    arm sizes in the top k proportional when treatment is imbalanced. At least one row is taken.

    Ties: when the cut splits a block of equal scores (rows ``a+1..b`` in the ranking, ``a < m < b``),
    the block enters *pro rata*: each of its rows counts with the share ``φ = (m − a)/(b − a)``, in
    each arm's (weighted) count and responses::

        rate_T = (Y_T(a) + φ·y_T^block) / (N_T(a) + φ·n_T^block),   likewise rate_C,

    i.e. the expected arm counts and responses in the top ``m`` over all orderings of the block
    (the cumulative counts interpolated linearly across the block, as the curves). The result does
    not depend on the row order. scikit-uplift instead cuts the block in its own fixed order (the
    later input row first), so the two agree whenever the cut falls on a block end and, at a split
    block, only by chance. An arm that appears in the top ``m`` only through the split block counts
    as present.

    Hand example (data of :func:`uplift_curve`), k = 0.3: top 3 rows are t = 1, 0, 1 with y = 1, 0, 1,
    so 2/2 − 0/1 = 1.0; k = 0.6: 2/3 − 1/3 = 0.333. By group, k = 0.4: top 2 of 5 treated
    (y = 1, 1) and top 2 of 5 controls (y = 0, 0): 1 − 0 = 1.0. Tie example of :func:`uplift_curve`
    (scores 3, 2, 2, 2, 1), k = 0.4: m = 2 cuts the block of rows 2–4 (C y0, T y0, C y1) with φ = 1/3:
    rate_T = (1 + 0)/(1 + 1/3) = 0.75, rate_C = (1/3)/(2/3) = 0.5, uplift@k = 0.25.
    """
    f = require_probability(k, param="k", open_interval=False)
    require_choice(strategy, ["overall", "by_group"], param="strategy")
    y, t, w, s = _arrays(y, treatment, score, weights)
    if strategy == "by_group":
        rate = {}
        for arm in (1.0, 0.0):
            ya, wa, sa = y[t == arm], w[t == arm], s[t == arm]
            m = max(int(np.floor(f * len(ya))), 1)
            share = _top_share(sa, m)
            top = share > 0
            rate[arm] = float(np.average(ya[top], weights=(wa * share)[top]))
        return rate[1.0] - rate[0.0]
    m = max(int(np.floor(f * len(y))), 1)
    share = _top_share(s, m)
    top = share > 0
    yt, tt, wt = y[top], t[top], (w * share)[top]
    if tt.min() == tt.max():
        raise ValueError(f"the top {f:.0%} ({m} rows) contains only one treatment arm; use a larger k.")
    return float(np.average(yt[tt == 1], weights=wt[tt == 1]) - np.average(yt[tt == 0], weights=wt[tt == 0]))


# --------------------------------------------------------------------------------------- learners
@dataclass(frozen=True)
class UpliftResult:
    """Fitted uplift model; ``predict_uplift`` gives the expected *reduction* in the bad outcome
    (``favourable="decrease"``) or increase in the good one, from treating each customer."""

    method: str
    favourable: str
    features: tuple[str, ...]
    categorical: tuple[str, ...]
    levels: dict
    n_treated: int
    n_control: int
    models: dict = field(repr=False, compare=False)
    n_threads: int | None = None

    def _X(self, df: pd.DataFrame) -> pd.DataFrame:
        X = pd.DataFrame(index=df.index)
        for c in self.features:
            if c in self.categorical:
                X[c] = pd.Categorical(df[c].astype("string"), categories=self.levels[c])
            else:
                X[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
        return X

    def predict_effect(self, df: pd.DataFrame) -> np.ndarray:
        """Estimated CATE on the outcome scale: ``P(y=1 | treated, x) − P(y=1 | control, x)``."""
        X = self._X(df)
        m = self.models
        with _threads(self.n_threads):
            if self.method == "t_learner":
                return m["treated"].predict_proba(X)[:, 1] - m["control"].predict_proba(X)[:, 1]
            # X-learner: combine the two imputed-effect regressions with the propensity g(x)
            g = m["propensity"].predict_proba(X)[:, 1]
            return g * m["tau_control"].predict(X) + (1 - g) * m["tau_treated"].predict(X)

    def predict_uplift(self, df: pd.DataFrame) -> np.ndarray:
        """Benefit of treating: ``−effect`` when the outcome is bad (churn), ``effect`` otherwise."""
        eff = self.predict_effect(df)
        return -eff if self.favourable == "decrease" else eff

    def predict_risk(self, df: pd.DataFrame) -> np.ndarray:
        """Outcome probability without treatment (the control-arm model): churn risk if not contacted."""
        X = self._X(df)
        with _threads(self.n_threads):
            return self.models["control"].predict_proba(X)[:, 1]

    def tidy(self) -> pd.DataFrame:
        """Model facts, one row per item: ``item, value``."""
        return pd.DataFrame({"item": ["method", "favourable", "n_treated", "n_control", "n_features"],
                             "value": [self.method, self.favourable, self.n_treated, self.n_control,
                                       len(self.features)]})

    def summary(self) -> pd.DataFrame:
        """The model facts of :meth:`tidy` (the same in one sentence: :attr:`notes`)."""
        return self.tidy()

    @property
    def notes(self) -> tuple[str, ...]:
        """One sentence describing the fit."""
        return (f"{self.method} uplift model on {len(self.features)} features; n_treated = {self.n_treated}, "
                f"n_control = {self.n_control}; uplift = {'reduction' if self.favourable == 'decrease' else 'increase'}"
                f" of the outcome rate when treated",)

    def plot(self, ax: Any = None, *, df: pd.DataFrame | None = None, outcome: str | None = None,
             treatment: str | None = None) -> Any:
        """Qini curve on held-out rows ``df`` (model vs random)."""
        import matplotlib.pyplot as plt

        if df is None or outcome is None or treatment is None:
            raise ValueError("pass held-out rows and column names: result.plot(df=test, outcome=..., treatment=...)")
        resp = df[outcome].astype(float).to_numpy()
        if self.favourable == "decrease":
            resp = 1 - resp
        q = qini_curve(resp, df[treatment].astype(float), self.predict_uplift(df))
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        ax.plot(q["fraction_targeted"], q["qini"], label=self.method)
        ax.plot([0, 1], [0, q["qini"].iloc[-1]], color="grey", ls="--", label="random")
        ax.set_xlabel("fraction targeted")
        ax.set_ylabel("incremental favourable responses (Qini)")
        ax.legend()
        return ax


@dataclass
class UpliftModel:
    """T-learner or X-learner (Künzel, Sekhon, Bickel & Yu 2019, PNAS 116:4156) on scikit-learn.

    Parameters
    ----------
    method : {"t_learner", "x_learner"}
        T-learner: separate outcome classifiers per arm, ``τ(x) = μ₁(x) − μ₀(x)``. X-learner: imputed
        effects ``D₁ = y − μ₀(x)`` (treated) and ``D₀ = μ₁(x) − y`` (controls) regressed on x, combined
        as ``τ(x) = g(x)τ₀(x) + (1 − g(x))τ₁(x)`` with the propensity ``g``.
    favourable : {"decrease", "increase"}
        Whether a lower outcome is good (churn: "decrease").
    max_iter, learning_rate, min_samples_leaf : boosting settings of the base learners
        (``HistGradientBoostingClassifier``/``Regressor``), kept shallow to limit variance.
    seed : int
    n_threads : int, optional
        Cap on OpenMP threads (see :class:`~bankcrm_research.retention.models.ChurnBoosting`).
    """

    method: Literal["t_learner", "x_learner"] = "t_learner"
    favourable: Literal["decrease", "increase"] = "decrease"
    max_iter: int = 100
    learning_rate: float = 0.05
    max_leaf_nodes: int = 15
    min_samples_leaf: int = 50
    seed: int = 0
    n_threads: int | None = None

    def fit(self, data: pd.DataFrame, *, treatment: str, outcome: str, features: Sequence[str],
            categorical_columns: Sequence[str] = (), table: str = "customers") -> UpliftResult:
        from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

        require_choice(self.method, ["t_learner", "x_learner"], param="method")
        require_choice(self.favourable, ["decrease", "increase"], param="favourable")
        require_dataframe(data, param=table)
        require_columns(data, [treatment, outcome, *features], table=table)
        sub = data[list(dict.fromkeys([treatment, outcome, *features]))]
        n0 = len(sub)
        sub = sub.dropna(subset=[treatment, outcome])
        warn_dropped(n0 - len(sub), n0, f"with a missing '{treatment}' or '{outcome}'", table=table)
        require_min_rows(sub, 100, table=table, what="an uplift model")
        t = sub[treatment].astype(float).to_numpy()
        y = sub[outcome].astype(float).to_numpy()
        if not set(np.unique(t)) <= {0.0, 1.0} or t.min() == t.max():
            raise ValueError(f"treatment '{treatment}' must be 0/1 with both arms present.")
        cats = tuple(c for c in features if c in set(categorical_columns) or not (
            pd.api.types.is_numeric_dtype(sub[c]) or pd.api.types.is_bool_dtype(sub[c])))
        levels = {c: sorted(sub[c].astype("string").dropna().unique().tolist()) for c in cats}
        res = UpliftResult(method=self.method, favourable=self.favourable, features=tuple(features),
                           categorical=cats, levels=levels, n_treated=int(t.sum()), n_control=int((1 - t).sum()),
                           models={}, n_threads=self.n_threads)
        X = res._X(sub)
        kw = dict(max_iter=self.max_iter, learning_rate=self.learning_rate, max_leaf_nodes=self.max_leaf_nodes,
                  min_samples_leaf=self.min_samples_leaf, categorical_features="from_dtype", random_state=self.seed)
        with _threads(self.n_threads):
            m1 = HistGradientBoostingClassifier(**kw).fit(X[t == 1], y[t == 1])
            m0 = HistGradientBoostingClassifier(**kw).fit(X[t == 0], y[t == 0])
            models = {"treated": m1, "control": m0}
            if self.method == "x_learner":
                d1 = y[t == 1] - m0.predict_proba(X[t == 1])[:, 1]
                d0 = m1.predict_proba(X[t == 0])[:, 1] - y[t == 0]
                models["tau_treated"] = HistGradientBoostingRegressor(**kw).fit(X[t == 1], d1)
                models["tau_control"] = HistGradientBoostingRegressor(**kw).fit(X[t == 0], d0)
                models["propensity"] = HistGradientBoostingClassifier(**kw).fit(X, t)
        res.models.update(models)
        return res


def targeting_profit(
    y: Any,
    treatment: Any,
    scores: dict[str, Any],
    *,
    customer_value: float,
    contact_cost: float,
    offer_cost: float,
    weights: Any = None,
    favourable: Literal["decrease", "increase"] = "decrease",
    fractions: Sequence[float] = tuple(np.round(np.linspace(0, 1, 21), 2)),
    seed: int = 0,
) -> pd.DataFrame:
    """Expected campaign profit when targeting the top fraction by each score, and at random.

    Parameters
    ----------
    y : array
        Observed outcome on held-out rows (churn = 1 when ``favourable="decrease"``).
    treatment : array
        Whether each held-out customer was contacted (0/1).
    scores : dict name -> array
        Targeting scores, e.g. ``{"churn_risk": p_churn, "uplift": tau_hat}``; "random" is added.
    customer_value : float
        Value of one retained customer (CNY).
    contact_cost, offer_cost : float
        Cost per contacted customer of the call and of the offer (every contacted customer gets the
        offer in this campaign design).
    weights : array, optional
        Inverse propensity weights when the historical contact was not random.

    Returns
    -------
    DataFrame
        ``strategy, fraction_targeted, n_targeted, incremental_retained, expected_profit`` where
        ``incremental_retained`` is read off the (weighted) uplift curve of the favourable response.

    Notes
    -----
    ``profit(f) = value · U(f·N) − f·N · (contact_cost + offer_cost)`` with ``U`` the
    :func:`uplift_curve` (extra retained customers among the targeted). Random targeting uses the
    straight line ``f · U(N)``. Hand-written (no library evaluates uplift targeting in money).
    """
    require_choice(favourable, ["decrease", "increase"], param="favourable")
    resp = np.asarray(y, float)
    if favourable == "decrease":
        resp = 1 - resp
    n = len(resp)
    rows = []
    all_scores = dict(scores)
    for name, s in all_scores.items():
        curve = uplift_curve(resp, treatment, s, weights=weights)
        for f in fractions:
            k = int(round(f * n))
            u = float(curve["uplift"].iloc[k])
            rows.append({"strategy": name, "fraction_targeted": f, "n_targeted": k, "incremental_retained": u,
                         "expected_profit": customer_value * u - k * (contact_cost + offer_cost)})
    total = float(uplift_curve(resp, treatment, np.zeros(n), weights=weights)["uplift"].iloc[-1])
    for f in fractions:
        k = int(round(f * n))
        u = total * k / n
        rows.append({"strategy": "random", "fraction_targeted": f, "n_targeted": k, "incremental_retained": u,
                     "expected_profit": customer_value * u - k * (contact_cost + offer_cost)})
    return pd.DataFrame(rows)
