"""CRM metrics: scikit-learn agreement where it has them, hand-worked cases where it does not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from bankcrm_research.retention import metrics as M

TOL = 1e-12  # exact arithmetic up to floating point

# The 10-row example worked by hand in the docstrings of top_decile_lift and alift.
Y10 = np.array([1, 0, 1, 0, 0, 1, 0, 0, 0, 0])
S10 = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05])


@pytest.fixture(scope="module")
def scored() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    x = rng.normal(size=3000)
    y = rng.binomial(1, 1 / (1 + np.exp(-(-2 + 1.2 * x))))
    p = 1 / (1 + np.exp(-(-2 + 1.0 * x + rng.normal(scale=0.5, size=3000))))
    return y, p


def test_auc_pr_auc_brier_match_sklearn(scored):
    y, p = scored
    assert M.roc_auc(y, p) == pytest.approx(roc_auc_score(y, p), abs=TOL)
    assert M.pr_auc(y, p) == pytest.approx(average_precision_score(y, p), abs=TOL)
    assert M.brier_score(y, p) == pytest.approx(brier_score_loss(y, p), abs=TOL)


def test_calibration_table_matches_sklearn_curve(scored):
    y, p = scored
    cal = M.calibration_table(y, p, n_bins=10, strategy="uniform")
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10, strategy="uniform")
    np.testing.assert_allclose(cal["observed_rate"], prob_true, atol=1e-12)
    np.testing.assert_allclose(cal["mean_predicted"], prob_pred, atol=1e-12)
    assert cal["n"].sum() == len(y)


def test_top_decile_lift_hand_example():
    # top 10 % = 1 customer, a churner: rate 1/1 over base rate 3/10
    assert M.top_decile_lift(Y10, S10) == pytest.approx(1 / 0.3, abs=TOL)
    # top 30 %: 2 churners of 3 customers -> (2/3) / 0.3
    assert M.lift_at(Y10, S10, 0.3) == pytest.approx((2 / 3) / 0.3, abs=TOL)


def test_alift_hand_example_and_auc_identity():
    # trapezoids: 0.1 * (1/3 + 1/3 + 2/3 + 2/3 + 2/3 + 1 + 1 + 1 + 1 + 1/2) = 0.716667
    assert M.alift(Y10, S10) == pytest.approx(0.1 * (1 / 3 + 1 / 3 + 3 * 2 / 3 + 4 + 0.5), abs=TOL)
    assert M.roc_auc(Y10, S10) == pytest.approx(17 / 21, abs=TOL)
    assert M.alift(Y10, S10) == pytest.approx(0.15 + 0.7 * 17 / 21, abs=TOL)


def test_alift_identity_with_sklearn_auc_including_ties(scored):
    """ALIFT = π/2 + (1 − π)·AUC holds exactly when ties are averaged (as roc_auc_score does)."""
    y, p = scored
    p_tied = np.round(p, 1)  # many ties
    for s in (p, p_tied):
        pi = y.mean()
        assert M.alift(y, s) == pytest.approx(pi / 2 + (1 - pi) * roc_auc_score(y, s), abs=1e-12)


def test_gain_metrics_do_not_depend_on_row_order_with_ties(scored):
    y, p = scored
    s = np.round(p, 1)
    perm = np.random.default_rng(1).permutation(len(y))
    assert M.top_decile_lift(y, s) == pytest.approx(M.top_decile_lift(y[perm], s[perm]), abs=1e-12)
    c1 = M.profit_curve(y, s, customer_value=500, contact_cost=5, offer_cost=20, acceptance_rate=0.3)
    c2 = M.profit_curve(y[perm], s[perm], customer_value=500, contact_cost=5, offer_cost=20, acceptance_rate=0.3)
    np.testing.assert_allclose(c1["expected_profit"], c2["expected_profit"], atol=1e-8)


def test_random_and_perfect_alift():
    rng = np.random.default_rng(3)
    y = rng.binomial(1, 0.2, 20000)
    assert M.alift(y, rng.random(len(y))) == pytest.approx(0.5, abs=0.01)
    assert M.alift(y, y + 0.0) == pytest.approx(1 - y.mean() / 2, abs=1e-12)


def test_decile_lift_from_gains_curve():
    """Decile lift read off the tie-aware gains curve (the report's decile table, computed here).

    Group ``k`` of 10: gain increment ``G(k/10) − G((k−1)/10)``, lift = increment / 0.1, response
    rate = increment · n_churners / (n / 10); with one customer per decile the response rate is ``y``.
    """
    g = M.gains_curve(Y10, S10)
    f = np.arange(1, 11) / 10
    gain = np.interp(f, g["fraction_targeted"], g["fraction_of_responders"])
    group_gain = np.diff(np.r_[0.0, gain])
    lift = group_gain / 0.1
    response_rate = group_gain * np.sum(Y10) / (len(Y10) / 10)
    assert lift[0] == pytest.approx(1 / 0.3)
    assert lift[0] == pytest.approx(M.top_decile_lift(Y10, S10))
    assert gain[-1] == pytest.approx(1.0)
    np.testing.assert_allclose(response_rate, Y10)


def test_profit_curve_hand_example():
    """Neslin et al. (2006) profit: churner γ(v − δ) − c, non-churner −δ − c.

    v = 100, c = 1, δ = 5, γ = 0.5: churner 0.5·95 − 1 = 46.5; non-churner −6.
    Targeting 1, 2, 3 customers: 46.5, 40.5, 87.0; all ten: 3·46.5 − 7·6 = 97.5.
    """
    c = M.profit_curve(Y10, S10, customer_value=100, contact_cost=1, offer_cost=5, acceptance_rate=0.5, n_points=11)
    np.testing.assert_allclose(c["expected_profit"].iloc[:4], [0, 46.5, 40.5, 87.0])
    assert c["expected_profit"].iloc[-1] == pytest.approx(97.5)
    best = M.best_targeting_depth(c)
    assert best["best_n_targeted"] == 6 and best["max_expected_profit"] == pytest.approx(121.5)


def test_metric_errors_are_explicit():
    with pytest.raises(ValueError, match="both classes"):
        M.roc_auc(np.zeros(5), np.arange(5))
    with pytest.raises(TypeError, match="positive_class"):
        M.binary_target_array(np.array(["yes", "no"]))
    with pytest.raises(ValueError, match="must have 3 values"):
        M.alift([0, 1, 0], [0.1, 0.2])
    with pytest.raises(ValueError, match="acceptance_rate"):
        M.profit_curve(Y10, S10, customer_value=1, contact_cost=1, offer_cost=1, acceptance_rate=1.5)


def test_permutation_importance_and_partial_dependence_find_the_driver():
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"driver": rng.normal(size=2000), "noise": rng.normal(size=2000)})
    y = rng.binomial(1, 1 / (1 + np.exp(-2 * X["driver"])))
    est = HistGradientBoostingClassifier(max_iter=50, random_state=0).fit(X[:1000], y[:1000])
    imp = M.permutation_importance_table(est, X[1000:], y[1000:], n_repeats=3, seed=0)  # held-out rows
    assert imp["feature"].iloc[0] == "driver"
    assert imp.set_index("feature").loc["noise", "importance_mean"] < 0.02
    pdp = M.partial_dependence_table(est, X, ["driver"], grid_resolution=10)
    assert pdp["partial_dependence"].iloc[-1] > pdp["partial_dependence"].iloc[0] + 0.5
