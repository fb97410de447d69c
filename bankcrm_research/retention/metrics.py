"""CRM metrics for churn and response models: discrimination, calibration, lift, gains, profit.

AUC, PR-AUC (average precision), the Brier score, the calibration curve, permutation importance
and partial dependence come from scikit-learn. The CRM-specific measures that no maintained
library provides are written here, each citing its source:

* top-decile lift — Neslin, Gupta, Kamakura, Lu & Mason (2006), *Defection detection*, Journal of
  Marketing Research 43(2), 204–211;
* cumulative gains curve and its area ALIFT — Moro, Cortez & Rita (2014), *A data-driven approach to
  predict the success of bank telemarketing*, Decision Support Systems 62, 22–31 (the rminer
  ``"ALIFT"`` metric: area under the cumulative LIFT curve, random = 0.5, perfect → 1 − π/2);
* expected retention-campaign profit by targeting depth — the profit equation of Neslin et al. (2006),
  also Verbeke, Dejaeger, Martens, Hur & Baesens (2012), EJOR 218, 211–229.

Ties in the score are handled as the expected value over a random order within tied blocks (the
gains curve is linear inside a block of equal scores, as in the ROC convention), so metrics do not
depend on row order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from bankcrm_research.data.validate import require_positive_int, require_probability

__all__ = [
    "binary_target_array",
    "roc_auc",
    "pr_auc",
    "brier_score",
    "calibration_table",
    "calibration_slope_intercept",
    "gains_curve",
    "lift_at",
    "top_decile_lift",
    "alift",
    "classification_metrics",
    "profit_curve",
    "best_targeting_depth",
    "permutation_importance_table",
    "partial_dependence_table",
    "METRIC_COLUMNS",
]

#: Column order of :func:`classification_metrics` rows (the ``tables/model_metrics.csv`` contract).
METRIC_COLUMNS = ["auc", "pr_auc", "brier", "top_decile_lift", "alift", "base_rate"]


def binary_target_array(y: Any, *, param: str = "y") -> np.ndarray:
    """Return ``y`` as a float array of 0/1, refusing anything else with a clear message."""
    arr = np.asarray(y)
    if arr.dtype == bool:
        return arr.astype(float)
    try:
        out = arr.astype(float)
    except (TypeError, ValueError):
        raise TypeError(
            f"The '{param}' parameter must hold 0/1 or True/False. Got values of type {arr.dtype}; "
            f"map your target first (e.g. churn.encode_target(..., positive_class='yes'))."
        ) from None
    if np.isnan(out).any():
        raise ValueError(f"The '{param}' parameter contains {int(np.isnan(out).sum())} missing values; drop them first.")
    bad = ~np.isin(out, (0.0, 1.0))
    if bad.any():
        raise ValueError(
            f"The '{param}' parameter must hold only 0 and 1. Found other values, e.g. {np.unique(out[bad])[:5].tolist()}."
        )
    return out


def _scores(score: Any, n: int, *, param: str = "score") -> np.ndarray:
    s = np.asarray(score, dtype=float)
    if s.shape != (n,):
        raise ValueError(f"The '{param}' parameter must have {n} values (one per row of y). Got shape {s.shape}.")
    if np.isnan(s).any():
        raise ValueError(f"The '{param}' parameter contains {int(np.isnan(s).sum())} missing values.")
    return s


def _two_classes(y: np.ndarray, what: str) -> None:
    if y.min() == y.max():
        raise ValueError(
            f"{what} needs both classes in y; found only {int(y[0])} in {len(y)} rows. "
            f"Use a larger or stratified sample."
        )


def roc_auc(y: Any, score: Any) -> float:
    """Area under the ROC curve (``sklearn.metrics.roc_auc_score``)."""
    from sklearn.metrics import roc_auc_score

    yy = binary_target_array(y)
    _two_classes(yy, "AUC")
    return float(roc_auc_score(yy, _scores(score, len(yy))))


def pr_auc(y: Any, score: Any) -> float:
    """Area under the precision-recall curve as average precision (``sklearn.metrics.average_precision_score``).

    Compare it with the base rate (the PR-AUC of a random score), not with 0.5.
    """
    from sklearn.metrics import average_precision_score

    yy = binary_target_array(y)
    _two_classes(yy, "PR-AUC")
    return float(average_precision_score(yy, _scores(score, len(yy))))


def brier_score(y: Any, prob: Any) -> float:
    """Brier score, mean squared error of predicted probabilities (``sklearn.metrics.brier_score_loss``)."""
    from sklearn.metrics import brier_score_loss

    yy = binary_target_array(y)
    p = _scores(prob, len(yy), param="prob")
    if (p < 0).any() or (p > 1).any():
        raise ValueError("The 'prob' parameter must hold probabilities in [0, 1].")
    return float(brier_score_loss(yy, p))


def calibration_table(y: Any, prob: Any, *, n_bins: int = 10, strategy: str = "quantile") -> pd.DataFrame:
    """Reliability table: mean predicted vs observed event rate per bin.

    Uses ``sklearn.calibration.calibration_curve`` for the curve and adds the bin counts.

    Returns
    -------
    DataFrame
        ``bin, n, mean_predicted, observed_rate``.
    """
    yy = binary_target_array(y)
    p = _scores(prob, len(yy), param="prob")
    require_positive_int(n_bins, param="n_bins", minimum=2)
    if strategy == "quantile":
        edges = np.unique(np.quantile(p, np.linspace(0, 1, n_bins + 1)))
    elif strategy == "uniform":
        edges = np.linspace(0, 1, n_bins + 1)
    else:
        raise ValueError(f"The 'strategy' parameter must be one of ['quantile', 'uniform']. Got {strategy!r} instead.")
    idx = np.clip(np.searchsorted(edges[1:-1], p, side="right"), 0, len(edges) - 2)
    frame = pd.DataFrame({"bin": idx, "y": yy, "p": p})
    out = frame.groupby("bin").agg(n=("y", "size"), mean_predicted=("p", "mean"), observed_rate=("y", "mean"))
    return out.reset_index()


def calibration_slope_intercept(y: Any, prob: Any) -> dict[str, float]:
    """Calibration intercept (calibration-in-the-large) and slope by logistic recalibration.

    Notes
    -----
    Fits ``logit P(y=1) = a + b · logit(p)`` (Cox 1958; Van Calster et al. 2019, BMC Medicine
    17:230). Perfect calibration: ``a = 0`` (with ``b`` fixed at 1) and ``b = 1``; ``b < 1`` means the
    predictions are too extreme (over-fitting), ``b > 1`` too modest.
    """
    import statsmodels.api as sm

    yy = binary_target_array(y)
    p = np.clip(_scores(prob, len(yy), param="prob"), 1e-6, 1 - 1e-6)
    lp = np.log(p / (1 - p))
    slope_fit = sm.GLM(yy, sm.add_constant(lp), family=sm.families.Binomial()).fit()
    large = sm.GLM(yy, np.ones((len(yy), 1)), family=sm.families.Binomial(), offset=lp).fit()
    return {"calibration_intercept": float(large.params[0]), "calibration_slope": float(slope_fit.params[1])}


def gains_curve(y: Any, score: Any) -> pd.DataFrame:
    """Cumulative gains curve (Moro et al. 2014's cumulative LIFT curve).

    Customers are sorted by decreasing score; the curve gives, for each targeted fraction, the
    fraction of all responders captured. Blocks of tied scores form one straight segment (the
    expected curve under a random order within ties).

    Returns
    -------
    DataFrame
        ``fraction_targeted, fraction_of_responders`` starting at ``(0, 0)`` and ending at ``(1, 1)``.
    """
    yy = binary_target_array(y)
    s = _scores(score, len(yy))
    _two_classes(yy, "The gains curve")
    order = np.argsort(-s, kind="mergesort")
    s_sorted, y_sorted = s[order], yy[order]
    # last index of each block of equal scores
    block_end = np.r_[np.nonzero(np.diff(s_sorted))[0], len(s_sorted) - 1]
    cum_y = np.cumsum(y_sorted)[block_end]
    n = len(yy)
    x = np.r_[0.0, (block_end + 1) / n]
    g = np.r_[0.0, cum_y / yy.sum()]
    return pd.DataFrame({"fraction_targeted": x, "fraction_of_responders": g})


def lift_at(y: Any, score: Any, fraction: float) -> float:
    """Lift in the top ``fraction`` of customers: response rate there divided by the overall rate.

    Notes
    -----
    ``lift(f) = G(f) / f`` where ``G`` is the :func:`gains_curve` (linear inside tied blocks).
    """
    f = require_probability(fraction, param="fraction", open_interval=False)
    if f == 0:
        raise ValueError("The 'fraction' parameter must be > 0.")
    g = gains_curve(y, score)
    return float(np.interp(f, g["fraction_targeted"], g["fraction_of_responders"]) / f)


def top_decile_lift(y: Any, score: Any) -> float:
    """Top-decile lift (Neslin et al. 2006): churn rate among the 10 % highest scores / overall rate.

    Hand-written (no library). Worked example, 10 customers, 3 churners::

        score  0.9 0.8 0.7 0.6 0.5 0.4 0.3 0.2 0.1 0.05
        churn    1   0   1   0   0   1   0   0   0   0

    The top decile is the first customer (churn rate 1/1); the base rate is 3/10, so the
    top-decile lift is 1 / 0.3 = 3.333.
    """
    return lift_at(y, score, 0.1)


def alift(y: Any, score: Any) -> float:
    """ALIFT: area under the cumulative gains (cumulative LIFT) curve, Moro et al. (2014).

    Hand-written (rminer's ``mmetric(..., "ALIFT")`` has no Python equivalent). Random ordering
    gives 0.5; a perfect ranking gives ``1 − π/2`` with π the base rate.

    Notes
    -----
    Trapezoidal area under :func:`gains_curve`. It equals ``π/2 + (1 − π)·AUC`` exactly, which the
    tests use as a cross-check against scikit-learn. Worked example (data of
    :func:`top_decile_lift`): captured churners after targeting 1..10 customers are
    1,1,2,2,2,3,3,3,3,3 of 3, so the gains points are 1/3, 1/3, 2/3, 2/3, 2/3, 1, 1, 1, 1, 1;
    trapezoids of width 0.1 give ``0.1 · (0/2 + 1/3 + 1/3 + 2/3 + 2/3 + 2/3 + 1 + 1 + 1 + 1 + 1/2)
    = 0.1 · 7.1667 = 0.71667`` (= 0.15 + 0.7 · 0.809524 with AUC 17/21).
    """
    g = gains_curve(y, score)
    return float(np.trapezoid(g["fraction_of_responders"], g["fraction_targeted"]))


def classification_metrics(y: Any, prob: Any) -> dict[str, float]:
    """All headline metrics in one row: ``auc, pr_auc, brier, top_decile_lift, alift, base_rate``."""
    yy = binary_target_array(y)
    p = _scores(prob, len(yy), param="prob")
    return {
        "auc": roc_auc(yy, p),
        "pr_auc": pr_auc(yy, p),
        "brier": brier_score(yy, np.clip(p, 0, 1)),
        "top_decile_lift": top_decile_lift(yy, p),
        "alift": alift(yy, p),
        "base_rate": float(yy.mean()),
    }


def profit_curve(
    y: Any,
    score: Any,
    *,
    customer_value: float | Sequence[float] | np.ndarray,
    contact_cost: float,
    offer_cost: float,
    acceptance_rate: float,
    fixed_cost: float = 0.0,
    n_points: int = 101,
) -> pd.DataFrame:
    """Expected profit of a retention campaign that targets the top fraction by score.

    Hand-written from the profit equation of Neslin et al. (2006, eq. 1); no library has it.

    Parameters
    ----------
    y : array of 0/1
        Observed churn (1 = churned) on a holdout set.
    score : array
        Churn risk (higher = target first).
    customer_value : float or array
        Value of retaining a would-be churner (e.g. CLV, CNY); an array gives one value per customer.
    contact_cost : float
        Cost of contacting one customer (``c``).
    offer_cost : float
        Cost of the incentive (``δ``), paid by every contacted customer who accepts; non-churners are
        assumed to accept it (the "free-rider" cost of Neslin et al.).
    acceptance_rate : float
        Share of contacted would-be churners who accept the offer and stay (``γ``).
    fixed_cost : float
        Campaign fixed cost ``A``.
    n_points : int
        Number of targeting depths from 0 to 1.

    Returns
    -------
    DataFrame
        ``fraction_targeted, n_targeted, churners_targeted, expected_profit, profit_per_customer``.

    Notes
    -----
    For ``k`` targeted customers of whom ``k_c`` would churn (values ``v_i``)::

        profit(k) = γ · Σ_{churners in top k} (v_i − δ) − (k − k_c)·δ − k·c − A
                  − (1 − γ) · 0            (churners who decline just leave)

    i.e. Neslin's ``N·α·[βγ(LTV − c − δ) + β(1 − γ)(−c) + (1 − β)(−c − δ)] − A``.
    Tied scores are averaged as in :func:`gains_curve`.
    """
    yy = binary_target_array(y)
    s = _scores(score, len(yy))
    gamma = require_probability(acceptance_rate, param="acceptance_rate", open_interval=False)
    for name, val in (("contact_cost", contact_cost), ("offer_cost", offer_cost)):
        if not np.isfinite(val) or val < 0:
            raise ValueError(f"The '{name}' parameter must be a non-negative number. Got {val!r} instead.")
    n = len(yy)
    v = np.broadcast_to(np.asarray(customer_value, dtype=float), (n,))
    order = np.argsort(-s, kind="mergesort")
    s_sorted = s[order]
    gain_i = (yy * gamma * (v - offer_cost) - (1 - yy) * offer_cost - contact_cost)[order]
    # average the per-customer gain inside tie blocks so profit does not depend on row order
    block_id = np.r_[0, np.cumsum(np.diff(s_sorted) != 0)]
    gain_i = pd.Series(gain_i).groupby(block_id).transform("mean").to_numpy()
    churn_sorted = pd.Series(yy[order]).groupby(block_id).transform("mean").to_numpy()
    cum_gain = np.r_[0.0, np.cumsum(gain_i)]
    cum_churn = np.r_[0.0, np.cumsum(churn_sorted)]
    require_positive_int(n_points, param="n_points", minimum=2)
    k = np.unique(np.round(np.linspace(0, 1, n_points) * n).astype(int))
    profit = cum_gain[k] - np.where(k > 0, fixed_cost, 0.0)
    return pd.DataFrame(
        {
            "fraction_targeted": k / n,
            "n_targeted": k,
            "churners_targeted": cum_churn[k],
            "expected_profit": profit,
            "profit_per_customer": profit / n,
        }
    )


def best_targeting_depth(curve: pd.DataFrame) -> dict[str, float]:
    """Profit-maximising row of a :func:`profit_curve` (first maximum)."""
    i = int(np.argmax(curve["expected_profit"].to_numpy()))
    row = curve.iloc[i]
    return {
        "best_fraction": float(row["fraction_targeted"]),
        "best_n_targeted": int(row["n_targeted"]),
        "max_expected_profit": float(row["expected_profit"]),
    }


def permutation_importance_table(
    estimator: Any,
    X: pd.DataFrame,
    y: Any,
    *,
    scoring: str = "roc_auc",
    n_repeats: int = 5,
    seed: int = 0,
    max_rows: int | None = 20_000,
) -> pd.DataFrame:
    """Permutation importance (``sklearn.inspection.permutation_importance``) as a tidy table.

    Evaluate it on held-out rows. ``max_rows`` subsamples (seeded) for speed; ``None`` uses all.

    Returns
    -------
    DataFrame
        ``feature, importance_mean, importance_sd`` sorted by decreasing importance (drop in AUC).
    """
    from sklearn.inspection import permutation_importance

    yy = binary_target_array(y)
    Xs, ys = X, yy
    if max_rows is not None and len(X) > max_rows:
        idx = np.random.default_rng(seed).choice(len(X), size=max_rows, replace=False)
        Xs, ys = X.iloc[idx], yy[idx]
    res = permutation_importance(estimator, Xs, ys, scoring=scoring, n_repeats=n_repeats, random_state=seed)
    out = pd.DataFrame(
        {"feature": list(X.columns), "importance_mean": res.importances_mean, "importance_sd": res.importances_std}
    )
    return out.sort_values("importance_mean", ascending=False, ignore_index=True)


def partial_dependence_table(
    estimator: Any, X: pd.DataFrame, features: Sequence[str], *, grid_resolution: int = 20,
    max_rows: int | None = 2_000, seed: int = 0,
) -> pd.DataFrame:
    """Partial dependence of the predicted churn **probability** on each feature, as a tidy table.

    ``sklearn.inspection.partial_dependence`` with ``method="brute"`` and ``response_method="predict_proba"``:
    for each grid value ``v`` the feature is set to ``v`` in every row and the predicted probabilities
    are averaged, ``PD(v) = (1/n) Σ_i P(y = 1 | x_i with x_ij = v)`` (Friedman 2001). scikit-learn's
    default ``recursion`` method for gradient boosting averages the raw decision function (log-odds,
    without the intercept), which is not a probability: it gave flat, negative curves. ``max_rows``
    subsamples the rows (seeded) for speed.

    Returns
    -------
    DataFrame
        ``feature, value, partial_dependence`` with ``partial_dependence`` in [0, 1].
    """
    from sklearn.inspection import partial_dependence

    Xs = X
    if max_rows is not None and len(X) > max_rows:
        Xs = X.iloc[np.sort(np.random.default_rng(seed).choice(len(X), size=max_rows, replace=False))]
    rows = []
    for feat in features:
        if feat not in X.columns:
            raise ValueError(f"feature '{feat}' is not a model feature; found: {list(X.columns)[:8]}")
        pd_res = partial_dependence(estimator, Xs, [feat], grid_resolution=grid_resolution, kind="average",
                                    method="brute", response_method="predict_proba")
        grid = pd_res["grid_values"][0]
        vals = pd_res["average"][0]
        rows.append(pd.DataFrame({"feature": feat, "value": grid, "partial_dependence": vals}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["feature", "value", "partial_dependence"])
