"""One strategy table under one profit model (retention.targeting), one colour per strategy, and partial
dependence on the probability scale (the flat, negative panels of issue 12)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _churn_sim import TRUE_LOGIT

from bankcrm_research.retention.models import ChurnBoosting
from bankcrm_research.retention.targeting import STRATEGY_COLOURS, strategy_table
from bankcrm_research.retention.uplift import uplift_curve

ROOT = Path(__file__).resolve().parents[2]


def _eta(d: pd.DataFrame) -> np.ndarray:
    return (TRUE_LOGIT["const"] + TRUE_LOGIT["complaints"] * d["complaints"] + TRUE_LOGIT["n_products"]
            * d["n_products"] + TRUE_LOGIT["tier[affluent]"] * (d["tier"] == "affluent")).to_numpy(float)


def test_assumed_model_hand_example():
    """y = 1,0,1,0,0 by score; γ = 0.5, value 100, contact 1, offer 2 → 2 per contact.

    churn risk: retained = 0.5·(0, 1, 1, 2, 2) at k = 0, 1, 2, 3, 5 → profit 0, 48, 46, 94, 90;
    random: retained = k/5 · 0.5·2 → profit 0, 18, 36, 54, 90. Best: churn risk, top 60 %, 94.
    """
    res = strategy_table([1, 0, 1, 0, 0], {"churn_risk": [0.9, 0.8, 0.7, 0.2, 0.1]}, customer_value=100,
                         contact_cost=1, offer_cost=2, acceptance_rate=0.5, fractions=[0, 0.2, 0.4, 0.6, 1.0])
    t = res.tidy().set_index(["strategy", "fraction_targeted"])["expected_profit"]
    np.testing.assert_allclose(t["churn_risk"].to_numpy(), [0, 48, 46, 94, 90])
    np.testing.assert_allclose(t["random"].to_numpy(), [0, 18, 36, 54, 90])
    assert res.profit_model == "assumed" and set(res.tidy()["profit_model"]) == {"assumed"}
    assert res.recommended == {"strategy": "churn_risk", "fraction": 0.6, "n_targeted": 3, "expected_profit": 94.0}
    s = res.summary().set_index("strategy")
    assert s.loc["churn_risk", "recommended"] and not s.loc["random", "recommended"]
    assert "churn_risk targeting of the top 60%" in res.notes[0]


def test_no_profitable_depth_recommends_no_campaign():
    res = strategy_table([1, 0, 0, 0], {"churn_risk": [0.4, 0.3, 0.2, 0.1]}, customer_value=10, contact_cost=50,
                         offer_cost=0, acceptance_rate=0.3)
    assert res.recommended["strategy"] is None and res.recommended["fraction"] == 0.0
    assert "no strategy and depth makes a profit" in res.notes[0]


def test_measured_model_reads_the_weighted_uplift_curve_for_every_strategy():
    rng = np.random.default_rng(3)
    n = 400
    t = rng.integers(0, 2, n)
    x = rng.normal(size=n)
    y = rng.random(n) < 0.3 - 0.2 * t * (x > 0)  # the call helps only when x > 0
    w = rng.uniform(1, 3, n)
    res = strategy_table(y.astype(int), {"uplift": x, "churn_risk": -x}, treatment=t, weights=w, customer_value=100,
                         contact_cost=5, offer_cost=10, acceptance_rate=0.5, fractions=[0, 0.5, 1])
    tab = res.tidy().set_index(["strategy", "fraction_targeted"])
    u = uplift_curve(1 - y.astype(int), t, x, weights=w)["uplift"].to_numpy()
    assert tab.loc[("uplift", 0.5), "retained"] == pytest.approx(u[200])
    assert tab.loc[("uplift", 0.5), "expected_profit"] == pytest.approx(100 * u[200] - 200 * (5 + 0.5 * 10))
    assert tab.loc[("random", 0.5), "retained"] == pytest.approx(u[-1] / 2)  # straight line to the full campaign
    assert tab.loc[("uplift", 1.0), "retained"] == pytest.approx(tab.loc[("churn_risk", 1.0), "retained"])
    assert res.recommended["strategy"] == "uplift" and res.profit_model == "measured"
    # one table, the same costs for every strategy
    assert tab.xs(0.5, level="fraction_targeted")["cost"].nunique() == 1


def test_uplift_without_treatment_and_bad_costs_are_refused():
    with pytest.raises(ValueError, match="needs treatment"):
        strategy_table([1, 0], {"uplift": [1, 0]}, customer_value=1, contact_cost=1, offer_cost=1, acceptance_rate=0.5)
    with pytest.raises(ValueError, match="'contact_cost' parameter must be a non-negative"):
        strategy_table([1, 0], {"churn_risk": [1, 0]}, customer_value=1, contact_cost=-1, offer_cost=1,
                       acceptance_rate=0.5)


def test_one_colour_per_strategy_in_every_panel():
    """The uplift panels used matplotlib's cycle, so 'uplift' and 'churn_risk' swapped colours between
    the Qini and the profit panel; now each strategy has one fixed colour."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    t = np.r_[np.zeros(50), np.ones(50)].astype(int)
    res = strategy_table(rng.integers(0, 2, 100), {"churn_risk": rng.random(100), "uplift": rng.random(100)},
                         treatment=t, customer_value=100, contact_cost=1, offer_cost=1, acceptance_rate=0.5)
    fig, ax = plt.subplots()
    res.plot(ax=ax)
    colours = {line.get_label(): matplotlib.colors.to_hex(line.get_color()) for line in ax.get_lines()
               if not line.get_label().startswith("_")}
    plt.close(fig)
    assert colours == {k: v.lower() for k, v in STRATEGY_COLOURS.items()}
    # the notebook draws every strategy line (Qini and profit) in STRATEGY_COLOURS
    nb = json.loads((ROOT / "notebooks" / "04_loyalty_churn.ipynb").read_text(encoding="utf-8"))
    src = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    qini_lines = [ln for ln in src.splitlines() if ".plot(q[" in ln or "q[\"qini\"].iloc[-1]]" in ln]
    assert qini_lines and all("STRATEGY_COLOURS[" in ln or "STRATEGY_COLOURS[" in nxt
                              for ln, nxt in zip(src.splitlines(), src.splitlines()[1:]) if ln in qini_lines)


def test_partial_dependence_is_a_probability_and_moves_for_the_top_feature(churn_df):
    """Planted logit: +0.5 per complaint, -0.3 per product (``_churn_sim``). PD values must be averages of
    predicted probabilities (checked by hand at the grid ends), the top-ranked feature's curve must move (>= 5 points over its grid), both go the planted way and
    match the planted model's own partial dependence to 0.03;
    scikit-learn's ``recursion`` method gave raw log-odds (negative, flat)."""
    df = churn_df
    fit = ChurnBoosting(seed=0, n_threads=1).fit(df, target="churn", id_column="customer_id",
                                                 exclude=["days_to_close", "campaign_date", "noise"])
    held = df.iloc[:2000]
    top = fit.permutation_importance(held, n_repeats=2, seed=0)["feature"].iloc[0]
    assert top in {"complaints", "n_products"}  # the two planted drivers
    pdp = fit.partial_dependence(held, ["complaints", "n_products"])
    # brute force by hand: set the feature to the grid value in every held-out row, average P(churn)
    for feat, g in pdp.groupby("feature"):
        for v, pd_v in zip(g["value"].iloc[[0, -1]], g["partial_dependence"].iloc[[0, -1]]):
            assert pd_v == pytest.approx(fit.predict_proba(held.assign(**{feat: v})).mean(), rel=1e-9), (feat, v)
    curve = {f: g["partial_dependence"].to_numpy() for f, g in pdp.groupby("feature")}
    assert curve[top].max() - curve[top].min() >= 0.05
    assert curve["complaints"][-1] > curve["complaints"][0] and curve["n_products"][-1] < curve["n_products"][0]
    # parameter recovery: the planted model's own partial dependence, to 0.03, where the data are
    # (grid values seen in >= 200 rows; trees cannot extrapolate into the sparse tail of complaints)
    for feat, g in pdp.groupby("feature"):
        g = g[g["value"].map(held[feat].value_counts()).fillna(0) >= 200]
        assert len(g) >= 3
        true = [np.mean(1 / (1 + np.exp(-_eta(held.assign(**{feat: v}))))) for v in g["value"]]
        np.testing.assert_allclose(g["partial_dependence"], true, atol=0.03)
    # on the probability scale the curves bracket the mean predicted probability
    mean_p = fit.predict_proba(held).mean()
    assert all(c.min() <= mean_p <= c.max() for c in curve.values())


def test_partial_dependence_subsamples_rows_reproducibly(churn_df):
    fit = ChurnBoosting(seed=0, n_threads=1, max_iter=30).fit(churn_df, target="churn", id_column="customer_id",
                                                             exclude=["days_to_close", "campaign_date"])
    a = fit.partial_dependence(churn_df, ["complaints"], seed=1)
    b = fit.partial_dependence(churn_df, ["complaints"], seed=1)
    pd.testing.assert_frame_equal(a, b)
