"""Our small interface to pyfixest: fitting, CRV1 conventions and coefficient extraction.

pyfixest is young and some of what we need sits in private attributes of its ``Feols`` objects
(``_coefnames``, ``_beta_hat``, ``_vcov``, ``_df_t``, ``_N``, ``_G``, ``_collin_vars``). Every use
of them goes through this module, so a pyfixest upgrade touches one file (STYLE.md, practice 6).
Used by :mod:`.panel` and :mod:`.event_study`.

Small-sample convention for bank-clustered errors (stated once, used everywhere)
--------------------------------------------------------------------------------
CRV1 as in fixest/reghdfe: ``V = (X'X)^-1 (Σ_g X_g'u_g u_g'X_g) (X'X)^-1 · G/(G-1) · (N-1)/(N-K)``,
where ``K`` counts the slope coefficients plus one for fixed effects nested in the cluster
(pyfixest's default ``ssc``), and t-statistics are referred to a t distribution with ``G - 1``
degrees of freedom. With fewer than 50 clusters the analytic p-value is complemented by a
restricted wild cluster bootstrap (WCR) p-value, see
:func:`bankcrm_research.competition.wild_bootstrap.wild_cluster_bootstrap`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from bankcrm_research.data.validate import (
    require_columns,
    require_dataframe,
    require_min_rows,
    require_not_constant,
    require_numeric,
    warn_dropped,
)

#: which fixed effects a model absorbs (pooled OLS: none, bank FE, bank and year FE)
ModelName = Literal["pooled_ols", "bank_fe", "twoway_fe"]
MODELS: tuple[str, ...] = ("pooled_ols", "bank_fe", "twoway_fe")
PANEL_COLUMNS = ["outcome", "model", "term", "estimate", "std_error", "ci_low", "ci_high", "p_value", "n_obs"]
MIN_CLUSTERS_ANALYTIC = 50
MIN_CLUSTERS = 4


def prepare_panel(
    data: pd.DataFrame, *, needed: Sequence[str], entity: str, time: str, cluster: str, numeric: Sequence[str]
) -> pd.DataFrame:
    """Validated private copy of the columns a panel regression needs (rows with gaps dropped, with a warning)."""
    require_dataframe(data)
    require_columns(data, [*needed, entity, time, cluster], table="data", param="columns")
    require_numeric(data, numeric)
    n_dup = int(data.duplicated([entity, time]).sum())
    if n_dup:
        raise ValueError(
            f"data has {n_dup} duplicated ({entity}, {time}) rows; a panel needs one row per {entity} and {time}. "
            f"Aggregate or drop the duplicates first."
        )
    cols = list(dict.fromkeys([*needed, entity, time, cluster]))
    missing = data[cols].isna().any(axis=1)
    n0 = len(data)
    # one private copy (the caller's frame is never modified; later steps add columns to it)
    df = data.loc[~missing, cols].copy() if missing.any() else data[cols].copy()
    warn_dropped(n0 - len(df), n0, f"with missing values in {list(dict.fromkeys(needed))}")
    require_min_rows(df, 10, what="a panel regression")
    # min == max screens for constant columns in O(n) without hashing a million floats; only the
    # suspects go through the shared check (and its message)
    require_not_constant(df, [c for c in numeric if df[c].min() == df[c].max()])
    n_clusters = df[cluster].nunique()
    if n_clusters < MIN_CLUSTERS:
        raise ValueError(
            f"The 'cluster' column '{cluster}' has {n_clusters} clusters; cluster-robust inference needs at "
            f"least {MIN_CLUSTERS} (and is reliable only with about 50 or more). Cluster at a finer level "
            f"or use more {cluster} values."
        )
    return df


def feols(fml: str, df: pd.DataFrame, cluster: str) -> Any:
    """``pyfixest.feols`` with CRV1 errors by ``cluster`` (fixest small-sample convention)."""
    import pyfixest as pf

    with warnings.catch_warnings():
        # pyfixest warns when it drops collinear variables; we turn that into a clear error
        warnings.simplefilter("ignore", UserWarning)
        # df is already our private copy (see prepare_panel): no second copy, no stored data frame
        return pf.feols(fml, data=df, vcov={"CRV1": cluster}, fixef_rm="none", copy_data=False, store_data=False)


def feols_default(fml: str, df: pd.DataFrame, cluster: str) -> Any:
    """``pyfixest.feols`` with CRV1 errors by ``cluster`` and pyfixest's default data handling
    (the static two-way FE row beside :func:`did2s`)."""
    import pyfixest as pf

    return pf.feols(fml, data=df, vcov={"CRV1": cluster})


def did2s(
    df: pd.DataFrame, *, outcome: str, fixed_effects: str, second_stage: str, treatment: str, cluster: str
) -> Any:
    """Gardner's two-stage DiD (``pyfixest.did2s``): first stage ``~ 0 | fixed_effects`` on untreated rows."""
    import pyfixest as pf

    return pf.did2s(df, yname=outcome, first_stage=f"~ 0 | {fixed_effects}", second_stage=second_stage,
                    treatment=treatment, cluster=cluster)


def check_collinear(fit: Any, requested: Sequence[str], model: str) -> None:
    """Raise a clear error when pyfixest dropped a regressor as collinear or absorbed."""
    dropped = [str(v) for v in getattr(fit, "_collin_vars", []) or []]
    if dropped:
        raise ValueError(
            f"In model '{model}', {dropped} {'is' if len(dropped) == 1 else 'are'} perfectly collinear with the other "
            f"regressors or absorbed by the fixed effects (e.g. a time-invariant bank characteristic under bank "
            f"fixed effects), so no effect can be estimated. Remove {'it' if len(dropped) == 1 else 'them'} "
            f"from 'controls'/'regressors'; requested terms were {list(requested)}."
        )


def tidy_fit(fit: Any, *, outcome: str, model: str, alpha: float) -> pd.DataFrame:
    """pyfixest's ``tidy()`` in our column names (:data:`PANEL_COLUMNS` + ``t_stat, n_clusters``)."""
    t = fit.tidy(alpha=alpha).reset_index()
    lo, hi = t.columns[-2], t.columns[-1]
    return pd.DataFrame(
        {
            "outcome": outcome,
            "model": model,
            "term": t["Coefficient"].astype(str),
            "estimate": t["Estimate"].to_numpy(float),
            "std_error": t["Std. Error"].to_numpy(float),
            "ci_low": t[lo].to_numpy(float),
            "ci_high": t[hi].to_numpy(float),
            "p_value": t["Pr(>|t|)"].to_numpy(float),
            "n_obs": int(fit._N),
            "t_stat": t["t value"].to_numpy(float),
            "n_clusters": int(np.min(fit._G)),
        }
    )


# --------------------------------------------------------------------------- coefficient extraction
def coefficients(fit: Any) -> pd.DataFrame:
    """``estimate, std_error, p_value`` per coefficient (index: pyfixest's coefficient names)."""
    t = fit.tidy()
    return pd.DataFrame(
        {"estimate": t["Estimate"], "std_error": t["Std. Error"], "p_value": t["Pr(>|t|)"]}, index=t.index
    )


def n_obs(fit: Any) -> int:
    """Observations used by the fit."""
    return int(fit._N)


def r2(fit: Any) -> float:
    """R² of the fit (with the fixed effects)."""
    return float(fit._r2)


def r2_within(fit: Any) -> float:
    """Within R² (after partialling out the fixed effects)."""
    return float(fit._r2_within)


def df_t(fit: Any) -> float:
    """Degrees of freedom of the fit's t (and Wald F denominator): ``G - 1`` under CRV1."""
    return float(fit._df_t)


def coef_names(fit: Any) -> list[str]:
    """Coefficient names in the order of :func:`coef_vector`."""
    return [str(c) for c in fit._coefnames]


def coef_vector(fit: Any) -> np.ndarray:
    """All coefficients (order of :func:`coef_names`)."""
    return fit._beta_hat


def coef_vcov(fit: Any) -> np.ndarray:
    """The CRV1 covariance matrix of all coefficients."""
    return fit._vcov


def coef_subset(fit: Any, names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients ``names`` and their CRV1 covariance block."""
    all_names = coef_names(fit)
    idx = [all_names.index(n) for n in names]
    return fit._beta_hat[idx], fit._vcov[np.ix_(idx, idx)]


def wald_f(fit: Any, R: np.ndarray) -> float:
    """Wald F statistic of ``R β = 0``: ``(Rβ)'(R V R')^{-1}(Rβ) / q`` with the CRV1 ``V``."""
    Rb = R @ fit._beta_hat
    return float(Rb @ np.linalg.solve(R @ fit._vcov @ R.T, Rb) / R.shape[0])


def lincom(fit: Any, weights: Mapping[str, float], alpha: float) -> dict[str, float]:
    """Linear combination ``w'β`` with ``se = sqrt(w'Vw)`` and a t(df) interval."""
    names = coef_names(fit)
    w = np.zeros(len(names))
    for k, v in weights.items():
        w[names.index(k)] = v
    est = float(w @ fit._beta_hat)
    se = float(np.sqrt(w @ fit._vcov @ w))
    dft = df_t(fit)
    q = stats.t.ppf(1 - alpha / 2, dft)
    return {
        "estimate": est,
        "std_error": se,
        "ci_low": est - q * se,
        "ci_high": est + q * se,
        "p_value": float(2 * stats.t.sf(abs(est / se), dft)),
    }
