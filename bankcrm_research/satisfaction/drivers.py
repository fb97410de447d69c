"""Key-driver analysis: relative weights of correlated service attributes on satisfaction.

The manager's question, "which service attribute do we fix first?", has two halves: how much an
attribute matters for satisfaction (importance) and how well the bank does on it now
(performance). Relative weights split the explained variance of satisfaction among correlated
attributes (this module); the importance-performance map plots total effects against 0-100
performance (:mod:`.ipma`); :mod:`.multigroup` compares paths between customer groups.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from bankcrm_research.satisfaction import _pls_engine as engine
from bankcrm_research.data.validate import require_columns, require_positive_int
from bankcrm_research.satisfaction.spec import PreparedSurvey

__all__ = ["relative_weights", "key_drivers"]


def _rw_from_corr(r: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
    """Johnson's relative weights (and standardised OLS betas) from the joint correlation matrix
    (outcome last)."""
    rxx = r[:-1, :-1]
    rxy = r[:-1, -1]
    evals, evecs = np.linalg.eigh(rxx)
    lam = evecs @ np.diag(np.sqrt(evals)) @ evecs.T  # R^{1/2}: corr(X, Z) of the orthogonal Z
    beta = np.linalg.solve(lam, rxy)  # regression of y on Z
    raw = (lam**2) @ (beta**2)
    return raw, float(raw.sum()), np.linalg.solve(rxx, rxy)


def relative_weights(
    data: pd.DataFrame,
    *,
    predictors: Sequence[str],
    outcome: str,
    bootstrap_reps: int = 500,
    seed: int = 20130613,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Relative weights (Johnson 2000) of correlated predictors of one outcome, with bootstrap CIs.

    Parameters
    ----------
    data : DataFrame
        Complete numeric columns.
    predictors : sequence of str
        Two or more driver columns.
    outcome : str
        The outcome column (e.g. a satisfaction score).

    Returns
    -------
    DataFrame
        driver, raw_weight (share of variance, sums to R²), share (raw / R², sums to 1), ci_low,
        ci_high (percentile CIs of ``share``), raw_ci_low, raw_ci_high, rank (1 = most important),
        r2 (the model R²), std_beta (standardised OLS weight) with beta_ci_low, beta_ci_high.

    Notes
    -----
    With :math:`R_{xx} = Q \\Lambda Q'`, :math:`\\Lambda^* = Q \\Lambda^{1/2} Q'` (the
    correlations of the predictors with their closest orthogonal counterparts),
    :math:`\\beta^* = \\Lambda^{*-1} r_{xy}` and :math:`\\varepsilon_j = \\sum_k
    \\lambda^{*2}_{jk} \\beta^{*2}_k`; :math:`\\sum_j \\varepsilon_j = R^2`. Johnson, J. W. (2000).
    A heuristic method for estimating the relative weight of predictor variables in multiple
    regression. *Multivariate Behavioral Research* 35(1), 1-19. Hand-written (no maintained
    Python implementation). For orthogonal predictors the weights equal the squared correlations.
    Checked against R ``rwa::rwa`` 0.1.0 (raw weights, R², rescaled shares) and ``lm`` on standardised
    data (``std_beta``) to 1e-10 in ``tests/satisfaction/test_relative_weights_reference.py``.
    """
    predictors = list(predictors)
    if len(predictors) < 2:
        raise ValueError(f"relative_weights needs 2+ predictors; found {predictors}")
    require_columns(data, [*predictors, outcome])
    x = data[[*predictors, outcome]].to_numpy(float)
    if np.isnan(x).any():
        raise ValueError("relative_weights: missing values in predictors/outcome; prepare the data first")
    raw, r2, beta = _rw_from_corr(np.corrcoef(x.T))
    reps = require_positive_int(bootstrap_reps, param="bootstrap_reps") if bootstrap_reps else 0
    rng = np.random.default_rng(seed)
    n = len(x)
    draws = np.full((reps, len(predictors)), np.nan)
    beta_draws = np.full((reps, len(predictors)), np.nan)
    for b in range(reps):
        r = engine.corr_of(x[rng.integers(0, n, size=n)])
        if np.isfinite(r).all():
            draws[b], _, beta_draws[b] = _rw_from_corr(r)
    shares = draws / draws.sum(axis=1, keepdims=True)
    q = [alpha / 2, 1 - alpha / 2]
    ci = np.nanquantile(shares, q, axis=0) if reps else np.full((2, len(predictors)), np.nan)
    raw_ci = np.nanquantile(draws, q, axis=0) if reps else np.full((2, len(predictors)), np.nan)
    beta_ci = np.nanquantile(beta_draws, q, axis=0) if reps else np.full((2, len(predictors)), np.nan)
    out = pd.DataFrame(
        {
            "driver": predictors,
            "raw_weight": raw,
            "share": raw / r2,
            "ci_low": ci[0],
            "ci_high": ci[1],
            "raw_ci_low": raw_ci[0],
            "raw_ci_high": raw_ci[1],
        }
    )
    out["rank"] = out["share"].rank(ascending=False, method="min").astype(int)
    out["r2"] = r2
    out["std_beta"] = beta
    out["beta_ci_low"] = beta_ci[0]
    out["beta_ci_high"] = beta_ci[1]
    return out


def key_drivers(
    data: PreparedSurvey | pd.DataFrame,
    *,
    drivers: Mapping[str, Sequence[str]],
    outcome_items: Sequence[str],
    bootstrap_reps: int = 500,
    seed: int = 20130613,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Relative weights of service attributes (each the mean of its items) on satisfaction.

    Parameters
    ----------
    drivers : mapping
        ``{attribute: [items]}``, e.g. ``{"speed": ["PERQ1", "PERQ2"], "rm": ["PERQ7", "PERQ8"]}``.
    outcome_items : sequence of str
        Items of the outcome (their mean is the outcome score), e.g. the satisfaction items.

    Returns
    -------
    DataFrame
        As :func:`relative_weights`, plus ``items`` (the attribute's items, ``+``-joined).
    """
    frame = data.data if isinstance(data, PreparedSurvey) else data
    require_columns(frame, [i for its in drivers.values() for i in its] + list(outcome_items))
    scores = pd.DataFrame({name: frame[list(its)].mean(axis=1) for name, its in drivers.items()})
    scores["__outcome__"] = frame[list(outcome_items)].mean(axis=1)
    out = relative_weights(
        scores, predictors=list(drivers), outcome="__outcome__", bootstrap_reps=bootstrap_reps, seed=seed, alpha=alpha
    )
    out.insert(1, "items", ["+".join(drivers[d]) for d in out["driver"]])
    return out
