"""Bank-panel regressions of bank outcomes on internet-finance development.

Estimation runs on :mod:`pyfixest` (fixest's algorithms: alternating-projection demeaning, CRV1
cluster-robust errors); :mod:`linearmodels` supplies what pyfixest lacks (random effects and the
Hausman test). Every estimate comes back in one tidy table whose first columns are
``outcome, model, term, estimate, std_error, ci_low, ci_high, p_value, n_obs``.

Small-sample convention for bank-clustered errors (stated once, used everywhere)
--------------------------------------------------------------------------------
CRV1 as in fixest/reghdfe: ``V = (X'X)^-1 (Σ_g X_g'u_g u_g'X_g) (X'X)^-1 · G/(G-1) · (N-1)/(N-K)``,
where ``K`` counts the slope coefficients plus one for fixed effects nested in the cluster
(pyfixest's default ``ssc``), and t-statistics are referred to a t distribution with ``G - 1``
degrees of freedom. With fewer than 50 clusters the analytic p-value is complemented by a
restricted wild cluster bootstrap (WCR) p-value, see :func:`wild_cluster_bootstrap`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from bankcrm_research.data.validate import (
    DataWarning,
    require_choice,
    require_columns,
    require_dataframe,
    require_min_rows,
    require_not_constant,
    require_numeric,
    require_positive_int,
    warn_dropped,
)

__all__ = [
    "PANEL_COLUMNS",
    "ModelName",
    "PanelResult",
    "fit_panel_models",
    "effects_by_group",
    "quadratic_effect",
    "hausman_test",
    "wild_cluster_bootstrap",
    "bootstrap_design",
    "winsorize",
    "add_lags",
]

PANEL_COLUMNS = ["outcome", "model", "term", "estimate", "std_error", "ci_low", "ci_high", "p_value", "n_obs"]
ModelName = Literal["pooled_ols", "bank_fe", "twoway_fe"]
PanelModelName = Literal["pooled_ols", "bank_fe", "twoway_fe", "random_effects"]
_MODELS: tuple[str, ...] = ("pooled_ols", "bank_fe", "twoway_fe")
_ALL_MODELS: tuple[str, ...] = (*_MODELS, "random_effects")
MIN_CLUSTERS_ANALYTIC = 50
MIN_CLUSTERS = 4


# --------------------------------------------------------------------------- data preparation
def winsorize(
    data: pd.DataFrame,
    *,
    columns: Sequence[str],
    limits: tuple[float, float] = (0.01, 0.99),
    by: str | None = None,
) -> pd.DataFrame:
    """Clip columns at pooled (or per-``by`` group) quantiles; returns a copy.

    Parameters
    ----------
    data : DataFrame
    columns : sequence of str
        Numeric columns to winsorise.
    limits : (float, float)
        Lower and upper quantiles, e.g. ``(0.01, 0.99)`` (1 % in each tail, the usual choice
        for bank ratios).
    by : str, optional
        Winsorise within groups (e.g. ``"year"``); pooled over all rows when None.
    """
    require_dataframe(data)
    require_columns(data, [*columns, by], table="data", param="columns")
    require_numeric(data, columns)
    lo, hi = limits
    if not (0 <= lo < hi <= 1):
        raise ValueError(f"The 'limits' parameter must be two quantiles 0 <= low < high <= 1. Got {limits!r} instead.")
    out = data.copy()
    for col in columns:
        if by is None:
            q_lo, q_hi = out[col].quantile([lo, hi])
            out[col] = out[col].clip(q_lo, q_hi)
        else:
            g = out.groupby(by)[col]
            out[col] = out[col].clip(g.transform("quantile", lo), g.transform("quantile", hi))
    return out


def add_lags(
    data: pd.DataFrame,
    *,
    columns: Sequence[str],
    entity: str = "bank_id",
    time: str = "year",
    lags: Sequence[int] = (1,),
) -> pd.DataFrame:
    """Add ``<column>_lag<k>`` columns, lagging by calendar time within each entity.

    A lag is missing when the entity has no row exactly ``k`` periods earlier (gaps in an
    unbalanced panel are respected rather than shifting over them).
    """
    require_columns(data, [*columns, entity, time], param="columns")
    if data.duplicated([entity, time]).any():
        n = int(data.duplicated([entity, time]).sum())
        raise ValueError(
            f"data has {n} duplicated ({entity}, {time}) rows; a panel needs one row per {entity} and {time}. "
            f"Aggregate or drop the duplicates first."
        )
    out = data.copy()
    for k in lags:
        k = require_positive_int(k, param="lags")
        shifted = out[[entity, time, *columns]].copy()
        shifted[time] = shifted[time] + k
        shifted = shifted.rename(columns={c: f"{c}_lag{k}" for c in columns})
        out = out.merge(shifted, on=[entity, time], how="left")
    return out


# --------------------------------------------------------------------------- wild bootstrap
def _webb_weights(rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    vals = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])
    return rng.choice(vals, size=size)


def wild_cluster_bootstrap(
    X: np.ndarray,
    y: np.ndarray,
    clusters: np.ndarray,
    *,
    param: int,
    reps: int = 999,
    weights: Literal["auto", "rademacher", "webb"] = "auto",
    seed: int = 0,
    null_value: float = 0.0,
) -> dict[str, float]:
    """Restricted wild cluster bootstrap (WCR) p-value for one coefficient.

    Hand-written because pyfixest's ``wildboottest`` delegates to the optional ``wildboottest``
    package, which the project does not depend on. Follows Cameron, Gelbach & Miller (2008) and
    MacKinnon, Nielsen & Webb (2023), "Cluster-robust inference: a guide to empirical practice",
    J. Econometrics 232(2): the null is imposed, residuals are flipped cluster by cluster and the
    bootstrap statistic is the CRV1 t-statistic (fwildclusterboot's ``WCR11`` default). Checked
    against a brute-force refit over all 2^10 sign vectors and against pyfixest + wildboottest
    0.3.2 on Grunfeld (``tests/reference/competition/ref_wild_bootstrap.py``).

    Parameters
    ----------
    X, y : ndarray
        Full design (fixed effects as dummy columns, see :func:`bootstrap_design`) and outcome.
        Fixed effects nested in the clusters (bank FE with bank clusters) may instead be
        partialled out beforehand — that is exact, because the restricted residuals then have
        cluster means of zero. Crossed effects (year FE) must stay in ``X`` as dummies: the
        bootstrap has to re-estimate them in every replication, and partialling them out once
        gives different (wrong) p-values.
    clusters : ndarray
        Cluster label per row.
    param : int
        Column of ``X`` tested.
    reps : int
        Bootstrap replications (999 or 9999 are usual).
    weights : {"auto", "rademacher", "webb"}
        Auxiliary weights; ``"auto"`` uses Webb's six-point weights when there are fewer than 12
        clusters (Rademacher has only ``2^G`` distinct draws) and Rademacher otherwise.
    seed : int
    null_value : float

    Returns
    -------
    dict
        ``t_stat`` (analytic CRV1 t with the small-sample factor ``G/(G-1)·(N-1)/(N-k)``; the
        factor cancels in the bootstrap p-value), ``p_value`` (symmetric bootstrap p), ``reps``
        (``2^G`` when all Rademacher sign vectors were enumerated because ``2^G ≤ reps``),
        ``n_clusters``, ``weights``.

    Notes
    -----
    Under H0 ``β_j = r``: restricted fit ``ỹ = X_{-j} β̃ + r x_j``, residuals ``ũ``; draw
    ``y* = ỹ + v_g ũ`` with ``v_g`` iid per cluster, refit, ``t* = (β*_j - r) / se*_j`` and
    ``p = mean(|t*| > |t|)`` (strict, as MacKinnon, Nielsen & Webb 2023; the all-ones and
    all-minus-ones draws reproduce ``|t|`` exactly and are not counted). The computation uses
    cluster-level cross-products, so each replication costs ``O(G k)`` after an ``O(G k²)`` set-up,
    regardless of N.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float).ravel()
    reps = require_positive_int(reps, param="bootstrap_reps", minimum=99)
    require_choice(weights, ["auto", "rademacher", "webb"], param="weights")
    codes, _ = pd.factorize(np.asarray(clusters))
    G = int(codes.max()) + 1
    n, k = X.shape
    A = np.linalg.pinv(X.T @ X)
    ssc = G / (G - 1) * (n - 1) / (n - k)

    def cluster_sums(mat: np.ndarray) -> np.ndarray:
        out = np.zeros((G,) + mat.shape[1:])
        np.add.at(out, codes, mat)
        return out

    # analytic t with CRV1
    beta = A @ X.T @ y
    u = y - X @ beta
    S = cluster_sums(X * u[:, None])
    a_j = A[param]
    se = np.sqrt(ssc * np.sum((S @ a_j) ** 2))
    t_obs = (beta[param] - null_value) / se

    # restricted model
    keep = [c for c in range(k) if c != param]
    y_r = y - null_value * X[:, param]
    Xr = X[:, keep]
    beta_r = np.linalg.lstsq(Xr, y_r, rcond=None)[0] if keep else np.zeros(0)
    y_tilde = Xr @ beta_r + null_value * X[:, param]
    u_tilde = y - y_tilde
    S_u = cluster_sums(X * u_tilde[:, None])  # G × k, X_g' ũ_g
    C = cluster_sums(X * y_tilde[:, None])  # G × k, X_g' ỹ_g
    H = np.stack([X[codes == g].T @ X[codes == g] for g in range(G)])  # G × k × k, X_g'X_g
    beta_tilde_full = A @ C.sum(axis=0)

    rng = np.random.default_rng(seed)
    use_webb = weights == "webb" or (weights == "auto" and G < 12)
    enumerate_all = not use_webb and 2**G <= reps
    if enumerate_all:
        # all 2^G Rademacher sign vectors: the exact bootstrap distribution (as wildboottest and
        # fwildclusterboot do), deterministic and cheaper than drawing `reps` with repetitions
        V = 1.0 - 2.0 * ((np.arange(2**G)[:, None] >> np.arange(G)[None, :]) & 1)
        reps = 2**G
    elif use_webb:
        V = _webb_weights(rng, (reps, G))
    else:
        V = rng.choice([-1.0, 1.0], size=(reps, G))
    beta_star = beta_tilde_full[None, :] + (V @ S_u) @ A.T  # reps × k
    # scores_g* = C_g + v_g S_g - H_g β*  → project on a_j
    c_j = C @ a_j  # G
    s_j = S_u @ a_j  # G
    h_j = np.einsum("gkl,k->gl", H, a_j)  # G × k
    score_j = c_j[None, :] + V * s_j[None, :] - beta_star @ h_j.T  # reps × G
    se_star = np.sqrt(ssc * np.sum(score_j**2, axis=1))
    t_star = (beta_star[:, param] - null_value) / se_star
    # strict inequality with a relative tolerance so that float noise in the exact ties does not count
    p = float(np.mean(np.abs(t_star) > abs(t_obs) * (1 + 1e-9)))
    return {"t_stat": float(t_obs), "p_value": p, "reps": reps, "n_clusters": G, "weights": "webb" if use_webb else "rademacher"}


def bootstrap_design(
    data: pd.DataFrame,
    *,
    outcome: str,
    columns: Sequence[str],
    entity: str = "bank_id",
    time: str = "year",
    model: ModelName = "twoway_fe",
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Design matrix with fixed effects as dummy columns, for :func:`wild_cluster_bootstrap`.

    ``pooled_ols``: intercept + columns; ``bank_fe``: columns + one dummy per entity;
    ``twoway_fe``: columns + entity dummies + time dummies (first year dropped). Returns
    ``(X, y, names)``; the regressors come first, in the order of ``columns``.
    """
    require_choice(model, list(_MODELS), param="model")
    parts = [data[list(columns)].to_numpy(float)]
    names = list(columns)
    if model == "pooled_ols":
        parts.insert(0, np.ones((len(data), 1)))
        names.insert(0, "Intercept")
    else:
        ent = pd.get_dummies(data[entity], prefix="fe_entity", dtype=float)
        parts.append(ent.to_numpy())
        names += list(ent.columns)
        if model == "twoway_fe":
            yr = pd.get_dummies(data[time], prefix="fe_time", dtype=float).iloc[:, 1:]
            parts.append(yr.to_numpy())
            names += list(yr.columns)
    return np.column_stack(parts), data[outcome].to_numpy(float), names


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class PanelResult:
    """Fitted panel models: tidy coefficients, model statistics and the underlying fits.

    Attributes
    ----------
    table : DataFrame
        Tidy coefficients (see :data:`PANEL_COLUMNS`) plus ``t_stat``, ``n_clusters``,
        ``p_value_wild`` (NaN when the bootstrap was not run).
    stats : DataFrame
        One row per (outcome, model): ``n_obs, r2, r2_within, n_clusters, entity_fe, time_fe,
        vcov``.
    fits : tuple
        ``((outcome, model), pyfixest Feols)`` pairs, for further tests.
    notes : str
        The standard-error convention and any bootstrap details.
    """

    table: pd.DataFrame
    stats: pd.DataFrame
    fits: tuple[tuple[tuple[str, str], Any], ...] = field(repr=False)
    notes: str = ""

    def tidy(self) -> pd.DataFrame:
        """Tidy coefficient table (a copy; the single source of numbers)."""
        return self.table.copy()

    def summary(self, *, outcome: str | None = None) -> pd.DataFrame:
        """Publication-style table: one column per model, stars, N, R², FE rows."""
        from bankcrm_research.competition.tables import regression_table

        return regression_table(self, outcome=outcome)

    def to_html(self, *, outcome: str | None = None, labels: Mapping[str, str] | None = None) -> str:
        """Publication table as an HTML string."""
        from bankcrm_research.competition.tables import regression_table, to_html

        return to_html(regression_table(self, outcome=outcome, labels=labels), notes=self.notes)

    def to_latex(self, *, outcome: str | None = None, labels: Mapping[str, str] | None = None) -> str:
        """Publication table as a LaTeX tabular."""
        from bankcrm_research.competition.tables import regression_table, to_latex

        return to_latex(regression_table(self, outcome=outcome, labels=labels), notes=self.notes)

    def plot(
        self,
        ax: Any = None,
        *,
        terms: Sequence[str] | None = None,
        outcome: str | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> Any:
        """Coefficient plot: estimate and CI of each term by model.

        With one term, models are the rows (the usual "same coefficient, different estimators"
        figure); with several, terms are the rows and models are offset markers with a legend.
        ``labels`` maps term and model names to display names.
        """
        import matplotlib.pyplot as plt

        labels = dict(labels or {})
        tab = self.table
        outcome = outcome if outcome is not None else str(tab["outcome"].iloc[0])
        tab = tab[(tab["outcome"] == outcome) & (tab["term"] != "Intercept")]
        if terms is not None:
            tab = tab[tab["term"].isin(terms)]
        term_order = list(dict.fromkeys(tab["term"]))
        models = list(dict.fromkeys(tab["model"]))
        if ax is None:
            n_rows = len(models) if len(term_order) == 1 else len(term_order) * max(len(models), 1) / 2
            _, ax = plt.subplots(figsize=(6, 0.8 + 0.45 * n_rows))
        if len(term_order) == 1:
            sub = tab.set_index("model").reindex(models)
            est = sub["estimate"].to_numpy(float)
            pos = np.arange(len(models))
            ax.errorbar(est, pos, xerr=[est - sub["ci_low"].to_numpy(float), sub["ci_high"].to_numpy(float) - est],
                        fmt="o", capsize=3)
            ax.set_yticks(pos)
            ax.set_yticklabels([labels.get(m, m) for m in models])
            ax.set_xlabel(f"{labels.get(term_order[0], term_order[0])} (95% CI)")
        else:
            step = 0.8 / max(len(models), 1)
            for m_i, model in enumerate(models):
                sub = tab[tab["model"] == model].set_index("term").reindex(term_order)
                pos = np.arange(len(term_order)) + (m_i - (len(models) - 1) / 2) * step
                est = sub["estimate"].to_numpy(float)
                ax.errorbar(
                    est, pos,
                    xerr=[est - sub["ci_low"].to_numpy(float), sub["ci_high"].to_numpy(float) - est],
                    fmt="o", capsize=3, label=labels.get(model, model),
                )
            ax.set_yticks(np.arange(len(term_order)))
            ax.set_yticklabels([labels.get(t, t) for t in term_order])
            ax.set_xlabel("estimate (95% CI)")
            ax.legend(frameon=False, fontsize="small")
        ax.axvline(0, color="grey", lw=0.8, ls="--")
        ax.invert_yaxis()
        return ax


def _prepare(
    data: pd.DataFrame, *, needed: Sequence[str], entity: str, time: str, cluster: str, numeric: Sequence[str]
) -> pd.DataFrame:
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


def _check_collinear(fit: Any, requested: Sequence[str], model: str) -> None:
    dropped = [str(v) for v in getattr(fit, "_collin_vars", []) or []]
    if dropped:
        raise ValueError(
            f"In model '{model}', {dropped} {'is' if len(dropped) == 1 else 'are'} perfectly collinear with the other "
            f"regressors or absorbed by the fixed effects (e.g. a time-invariant bank characteristic under bank "
            f"fixed effects), so no effect can be estimated. Remove {'it' if len(dropped) == 1 else 'them'} "
            f"from 'controls'/'regressors'; requested terms were {list(requested)}."
        )


def _feols(fml: str, df: pd.DataFrame, cluster: str) -> Any:
    import pyfixest as pf

    with warnings.catch_warnings():
        # pyfixest warns when it drops collinear variables; we turn that into a clear error
        warnings.simplefilter("ignore", UserWarning)
        # df is already our private copy (see _prepare): no second copy, no stored data frame
        return pf.feols(fml, data=df, vcov={"CRV1": cluster}, fixef_rm="none", copy_data=False, store_data=False)


def _tidy_fit(fit: Any, *, outcome: str, model: str, alpha: float) -> pd.DataFrame:
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


def fit_panel_models(
    data: pd.DataFrame,
    *,
    outcomes: str | Sequence[str],
    regressors: str | Sequence[str],
    controls: Sequence[str] = (),
    entity: str = "bank_id",
    time: str = "year",
    cluster: str | None = None,
    models: Sequence[PanelModelName] = _MODELS,
    winsorize_limits: tuple[float, float] | None = None,
    lags: Sequence[int] = (),
    alpha: float = 0.05,
    bootstrap_reps: int = 999,
    wild_bootstrap: Literal["auto", "always", "never"] = "auto",
    seed: int = 0,
) -> PanelResult:
    """Pooled OLS, bank fixed effects and two-way fixed effects side by side.

    Parameters
    ----------
    data : DataFrame
        Bank × year panel, one row per ``(entity, time)``.
    outcomes : str or sequence of str
        Bank outcomes, e.g. ``["demand_deposit_share", "nim"]``.
    regressors : str or sequence of str
        Variables of interest (e.g. ``"if_index_100"``: the index in units of 100 points).
    controls : sequence of str
        Bank-level controls (e.g. ``["log_assets"]``).
    entity, time : str
        Panel keys; ``entity`` fixed effects and ``time`` fixed effects.
    cluster : str, optional
        Cluster variable for CRV1 errors; defaults to ``entity`` (bank-clustered errors).
    models : sequence of {"pooled_ols", "bank_fe", "twoway_fe", "random_effects"}
        ``random_effects`` is fitted with linearmodels ``RandomEffects`` (Swamy–Arora variance
        components, as ``plm``'s default) with errors clustered by ``cluster`` using
        linearmodels' ``debiased=True, group_debias=True`` factors, and t(G-1) intervals; no wild
        bootstrap for it.
    winsorize_limits : (float, float), optional
        Winsorise outcomes, regressors and controls at these pooled quantiles before fitting.
    lags : sequence of int
        Also include these lags of the regressors (``<regressor>_lag<k>``).
    alpha : float
        1 - confidence level of the intervals.
    bootstrap_reps : int
        Replications of the wild cluster bootstrap.
    wild_bootstrap : {"auto", "always", "never"}
        ``"auto"`` runs it for the regressors of interest when clusters are fewer than 50.
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    PanelResult

    Notes
    -----
    ``y_it = x_it'β + w_it'γ + a_i + g_t + e_it``; pooled OLS sets ``a_i = g_t = 0`` (plus an
    intercept), the bank FE model drops ``g_t``. Standard errors: CRV1 by ``cluster`` with the
    fixest small-sample convention (module docstring). Reference: Cameron & Miller (2015), "A
    practitioner's guide to cluster-robust inference", J. Human Resources 50(2).
    """
    outcomes = [outcomes] if isinstance(outcomes, str) else list(outcomes)
    regressors = [regressors] if isinstance(regressors, str) else list(regressors)
    controls = list(controls)
    cluster = cluster or entity
    for m in models:
        require_choice(m, list(_ALL_MODELS), param="models")
    require_choice(wild_bootstrap, ["auto", "always", "never"], param="wild_bootstrap")
    if not outcomes or not regressors:
        raise ValueError("The 'outcomes' and 'regressors' parameters need at least one column each. Got none.")
    numeric = list(dict.fromkeys([*outcomes, *regressors, *controls]))
    df = _prepare(data, needed=numeric, entity=entity, time=time, cluster=cluster, numeric=numeric)
    if winsorize_limits is not None:
        df = winsorize(df, columns=numeric, limits=winsorize_limits)
    terms = list(regressors)
    if lags:
        df = add_lags(df, columns=regressors, entity=entity, time=time, lags=lags)
        lag_terms = [f"{r}_lag{k}" for k in lags for r in regressors]
        n0 = len(df)
        df = df.dropna(subset=lag_terms)
        warn_dropped(n0 - len(df), n0, f"without the previous-period rows needed for lags {list(lags)}")
        terms += lag_terms
    rhs = " + ".join([*terms, *controls])
    fe = {"pooled_ols": "", "bank_fe": f" | {entity}", "twoway_fe": f" | {entity} + {time}"}
    n_clusters = df[cluster].nunique()
    run_boot = wild_bootstrap == "always" or (wild_bootstrap == "auto" and n_clusters < MIN_CLUSTERS_ANALYTIC)
    if wild_bootstrap == "auto" and n_clusters < MIN_CLUSTERS_ANALYTIC:
        warnings.warn(
            f"only {n_clusters} clusters in '{cluster}' (< {MIN_CLUSTERS_ANALYTIC}): analytic cluster-robust p-values "
            f"can over-reject; wild cluster bootstrap p-values ({bootstrap_reps} reps) are added in 'p_value_wild'.",
            DataWarning,
            stacklevel=2,
        )
    tables, stat_rows, fits = [], [], []
    for outcome in outcomes:
        for model in models:
            if model == "random_effects":
                tab, stat, fit = _random_effects(
                    df, outcome=outcome, columns=[*terms, *controls], entity=entity, time=time, cluster=cluster, alpha=alpha
                )
                tables.append(tab.assign(p_value_wild=np.nan))
                stat_rows.append(stat)
                fits.append(((outcome, model), fit))
                continue
            fit = _feols(f"{outcome} ~ {rhs}{fe[model]}", df, cluster)
            _check_collinear(fit, [*terms, *controls], model)
            tab = _tidy_fit(fit, outcome=outcome, model=model, alpha=alpha)
            tab["p_value_wild"] = np.nan
            if run_boot:
                X, y, names = bootstrap_design(
                    df, outcome=outcome, columns=[*terms, *controls], entity=entity, time=time, model=model
                )
                cl = df[cluster].to_numpy()
                for term in terms:
                    res = wild_cluster_bootstrap(X, y, cl, param=names.index(term), reps=bootstrap_reps, seed=seed)
                    tab.loc[tab["term"] == term, "p_value_wild"] = res["p_value"]
            tables.append(tab)
            stat_rows.append(
                {
                    "outcome": outcome,
                    "model": model,
                    "n_obs": int(fit._N),
                    "r2": float(fit._r2),
                    "r2_within": float(fit._r2_within) if model != "pooled_ols" else np.nan,
                    "n_clusters": int(n_clusters),
                    "entity_fe": model != "pooled_ols",
                    "time_fe": model == "twoway_fe",
                    "vcov": f"CRV1 by {cluster}",
                }
            )
            fits.append(((outcome, model), fit))
    notes = (
        f"Standard errors clustered by {cluster} (CRV1, small-sample factor G/(G-1)·(N-1)/(N-K), t with G-1 df; "
        f"G = {n_clusters})."
        + (f" Wild cluster bootstrap (WCR, {bootstrap_reps} reps) p-values in p_value_wild." if run_boot else "")
    )
    return PanelResult(
        table=pd.concat(tables, ignore_index=True), stats=pd.DataFrame(stat_rows), fits=tuple(fits), notes=notes
    )


def _random_effects(
    df: pd.DataFrame, *, outcome: str, columns: Sequence[str], entity: str, time: str, cluster: str, alpha: float
) -> tuple[pd.DataFrame, dict[str, Any], Any]:
    from linearmodels.panel import RandomEffects

    panel = df.set_index([entity, time])
    exog = panel[list(columns)].assign(Intercept=1.0)[["Intercept", *columns]]
    clusters = pd.DataFrame({"cluster": pd.factorize(df[cluster].to_numpy())[0]}, index=panel.index)
    res = RandomEffects(panel[outcome], exog).fit(
        cov_type="clustered", clusters=clusters, debiased=True, group_debias=True
    )
    G = int(clusters["cluster"].nunique())
    q = stats.t.ppf(1 - alpha / 2, G - 1)
    est, se = res.params.to_numpy(float), res.std_errors.to_numpy(float)
    t = est / se
    tab = pd.DataFrame({
        "outcome": outcome, "model": "random_effects", "term": list(res.params.index), "estimate": est,
        "std_error": se, "ci_low": est - q * se, "ci_high": est + q * se,
        "p_value": 2 * stats.t.sf(np.abs(t), G - 1), "n_obs": int(res.nobs), "t_stat": t, "n_clusters": G,
    })
    stat = {
        "outcome": outcome, "model": "random_effects", "n_obs": int(res.nobs), "r2": float(res.rsquared_overall),
        "r2_within": float(res.rsquared_within), "n_clusters": G, "entity_fe": False, "time_fe": False,
        "vcov": f"clustered by {cluster} (linearmodels)",
    }
    return tab, stat, res


def _lincom(fit: Any, weights: Mapping[str, float], alpha: float) -> dict[str, float]:
    names = [str(c) for c in fit._coefnames]
    w = np.zeros(len(names))
    for k, v in weights.items():
        w[names.index(k)] = v
    est = float(w @ fit._beta_hat)
    se = float(np.sqrt(w @ fit._vcov @ w))
    df_t = float(fit._df_t)
    q = stats.t.ppf(1 - alpha / 2, df_t)
    return {
        "estimate": est,
        "std_error": se,
        "ci_low": est - q * se,
        "ci_high": est + q * se,
        "p_value": float(2 * stats.t.sf(abs(est / se), df_t)),
    }


def effects_by_group(
    data: pd.DataFrame,
    *,
    outcome: str,
    regressor: str,
    group: str = "bank_type",
    controls: Sequence[str] = (),
    entity: str = "bank_id",
    time: str = "year",
    cluster: str | None = None,
    fixed_effects: ModelName = "twoway_fe",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Effect of ``regressor`` separately for each group (e.g. bank type) in one model.

    Returns a tidy table (:data:`PANEL_COLUMNS` with ``model = "<fixed_effects>_by_<group>"`` and
    ``term = <group value>``) plus a row ``average``: the entity-count weighted average of the
    group slopes with its linear-combination standard error, and a row ``equality`` with the
    p-value of the Wald F test that all group slopes are equal.

    Parameters
    ----------
    fixed_effects : {"twoway_fe", "bank_fe", "pooled_ols"}
        Which fixed effects absorb unobserved bank and year heterogeneity; ``pooled_ols`` (group
        intercepts only) is there to show what ignoring them does.

    Notes
    -----
    ``y_it = Σ_k β_k · x_it · 1{type_i = k} + w_it'γ + a_i + g_t + e_it``. The average is
    ``Σ_k (n_k / n) β_k`` with ``se = sqrt(w'Vw)`` (CRV1 ``V``).
    """
    require_choice(fixed_effects, list(_MODELS), param="fixed_effects")
    cluster = cluster or entity
    require_columns(data, [group], table="data", param="bank_type_column")
    df = _prepare(
        data, needed=[outcome, regressor, *controls, group], entity=entity, time=time, cluster=cluster,
        numeric=[outcome, regressor, *controls],
    )
    levels = sorted(df[group].astype(str).unique())
    if len(levels) < 2:
        raise ValueError(
            f"The '{group}' column has a single value {levels!r}; heterogeneity by {group} needs at least two "
            f"groups. Use fit_panel_models for one group, or set bank_type_column=None in the notebook."
        )
    names = {}
    for lv in levels:
        col = f"{regressor}__{lv}"
        df[col] = df[regressor] * (df[group].astype(str) == lv)
        names[lv] = col
    rhs = " + ".join([*names.values(), *controls])
    fe = {"pooled_ols": f" + C({group})", "bank_fe": f" | {entity}", "twoway_fe": f" | {entity} + {time}"}[fixed_effects]
    fit = _feols(f"{outcome} ~ {rhs}{fe}", df, cluster)
    model_name = f"{fixed_effects}_by_{group}"
    _check_collinear(fit, list(names.values()), model_name)
    tab = _tidy_fit(fit, outcome=outcome, model=model_name, alpha=alpha)
    tab = tab[tab["term"].isin(names.values())].copy()
    tab["term"] = tab["term"].map({v: k for k, v in names.items()})
    counts = df.groupby(group)[entity].nunique()
    counts.index = counts.index.astype(str)
    w = {names[lv]: counts[lv] / counts.sum() for lv in levels}
    avg = {"outcome": outcome, "model": tab["model"].iloc[0], "term": "average", "n_obs": int(fit._N), **_lincom(fit, w, alpha)}
    # Wald F for equal slopes: R β = 0 with rows β_k - β_1
    coef_names = [str(c) for c in fit._coefnames]
    idx = [coef_names.index(names[lv]) for lv in levels]
    R = np.zeros((len(levels) - 1, len(coef_names)))
    for r, j in enumerate(idx[1:]):
        R[r, idx[0]], R[r, j] = -1, 1
    Rb = R @ fit._beta_hat
    F = float(Rb @ np.linalg.solve(R @ fit._vcov @ R.T, Rb) / R.shape[0])
    eq = {
        "outcome": outcome, "model": tab["model"].iloc[0], "term": "equality", "estimate": F,
        "std_error": np.nan, "ci_low": np.nan, "ci_high": np.nan,
        "p_value": float(stats.f.sf(F, R.shape[0], float(fit._df_t))), "n_obs": int(fit._N),
    }
    tab["n_banks"] = tab["term"].map(counts)
    out = pd.concat([tab, pd.DataFrame([avg, eq])], ignore_index=True)
    return out[[*PANEL_COLUMNS, "n_banks"]]


def quadratic_effect(
    data: pd.DataFrame,
    *,
    outcome: str,
    regressor: str,
    controls: Sequence[str] = (),
    entity: str = "bank_id",
    time: str = "year",
    cluster: str | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Two-way FE model with a quadratic term; the turning point with a delta-method CI.

    Returns tidy rows ``linear``, ``quadratic`` and ``turning_point`` (:data:`PANEL_COLUMNS`).
    A :class:`~bankcrm_research.data.validate.DataWarning` is raised when the turning point lies
    outside the observed range of ``regressor`` (a U shape is then not supported by the data;
    Lind & Mehlum 2010).

    Notes
    -----
    ``y = β1 x + β2 x² + ...``; turning point ``x* = -β1 / (2 β2)``; delta method with gradient
    ``∇ = (-1/(2β2), β1/(2β2²))``: ``se(x*) = sqrt(∇' V ∇)`` from the CRV1 covariance of
    ``(β1, β2)`` (Guo & Shen 2016 and Qiu, Huang & Ji 2018 fit this U shape for bank risk).
    """
    cluster = cluster or entity
    df = _prepare(
        data, needed=[outcome, regressor, *controls], entity=entity, time=time, cluster=cluster,
        numeric=[outcome, regressor, *controls],
    )
    sq = f"{regressor}_sq"
    df[sq] = df[regressor] ** 2
    fit = _feols(f"{outcome} ~ {' + '.join([regressor, sq, *controls])} | {entity} + {time}", df, cluster)
    _check_collinear(fit, [regressor, sq, *controls], "twoway_fe_quadratic")
    tab = _tidy_fit(fit, outcome=outcome, model="twoway_fe_quadratic", alpha=alpha)
    tab = tab[tab["term"].isin([regressor, sq])].copy()
    tab["term"] = tab["term"].map({regressor: "linear", sq: "quadratic"})
    names = [str(c) for c in fit._coefnames]
    i1, i2 = names.index(regressor), names.index(sq)
    b1, b2 = fit._beta_hat[i1], fit._beta_hat[i2]
    V = fit._vcov[np.ix_([i1, i2], [i1, i2])]
    tp = -b1 / (2 * b2)
    grad = np.array([-1 / (2 * b2), b1 / (2 * b2**2)])
    se = float(np.sqrt(grad @ V @ grad))
    q = stats.t.ppf(1 - alpha / 2, float(fit._df_t))
    lo_x, hi_x = df[regressor].min(), df[regressor].max()
    if not (lo_x <= tp <= hi_x):
        warnings.warn(
            f"turning point of {outcome} in {regressor} is {tp:.3g}, outside the observed range "
            f"[{lo_x:.3g}, {hi_x:.3g}]: the data do not support a U/inverted-U shape.",
            DataWarning,
            stacklevel=2,
        )
    tp_row = {
        "outcome": outcome, "model": "twoway_fe_quadratic", "term": "turning_point", "estimate": float(tp),
        "std_error": se, "ci_low": float(tp - q * se), "ci_high": float(tp + q * se),
        "p_value": float(2 * stats.t.sf(abs(tp / se), float(fit._df_t))), "n_obs": int(fit._N),
    }
    return pd.concat([tab[PANEL_COLUMNS], pd.DataFrame([tp_row])], ignore_index=True)


def hausman_test(
    data: pd.DataFrame,
    *,
    outcome: str,
    regressors: Sequence[str],
    entity: str = "bank_id",
    time: str = "year",
    method: Literal["classic", "mundlak"] = "classic",
) -> pd.DataFrame:
    """Hausman-type test of bank fixed effects against random effects.

    Parameters
    ----------
    data : DataFrame
    outcome : str
    regressors : sequence of str
        Time-varying regressors compared between the estimators.
    entity, time : str
    method : {"classic", "mundlak"}
        ``classic``: Hausman (1978) with conventional covariances, as R ``plm::phtest(fe, re)``
        (linearmodels ``PanelOLS`` and ``RandomEffects``). ``mundlak``: the cluster-robust
        regression form (Mundlak 1978; Wooldridge 2010, §10.7.3): pooled OLS of the outcome on the
        regressors and their bank means with CRV1 errors by ``entity``, Wald F test that the
        mean coefficients are zero — valid under heteroskedasticity and serial correlation, and
        never negative.

    Returns
    -------
    DataFrame
        One row ``test, statistic, df, p_value, n_obs, preferred`` (``preferred`` is
        ``bank_fe`` when H0 is rejected at 5 %).

    Notes
    -----
    Classic: ``H = (b_FE - b_RE)' [V_FE - V_RE]^{-1} (b_FE - b_RE) ~ χ²(k)``; a generalised
    inverse is used when ``V_FE - V_RE`` is singular. With bank-level heteroskedasticity or serial
    correlation ``V_FE - V_RE`` need not be positive semi-definite and ``H`` can be negative; the
    function then warns and recommends ``method="mundlak"``. Mundlak:
    ``y_it = x_it'β + x̄_i'π + e_it``, H0 ``π = 0``, ``F = (π̂' V_π^{-1} π̂)/k`` against ``F(k, G-1)``.
    """
    from linearmodels.panel import PanelOLS, RandomEffects

    require_choice(method, ["classic", "mundlak"], param="method")
    regressors = list(regressors)
    df = _prepare(
        data, needed=[outcome, *regressors], entity=entity, time=time, cluster=entity, numeric=[outcome, *regressors]
    )
    k = len(regressors)
    if method == "mundlak":
        means = [f"{r}_bank_mean" for r in regressors]
        for r, m in zip(regressors, means, strict=True):
            df[m] = df.groupby(entity)[r].transform("mean")
        fit = _feols(f"{outcome} ~ {' + '.join([*regressors, *means])}", df, entity)
        _check_collinear(fit, [*regressors, *means], "mundlak")
        names = [str(c) for c in fit._coefnames]
        idx = [names.index(m) for m in means]
        b = fit._beta_hat[idx]
        V = fit._vcov[np.ix_(idx, idx)]
        F = float(b @ np.linalg.solve(V, b) / k)
        p = float(stats.f.sf(F, k, float(fit._df_t)))
        row = {"test": "mundlak_cluster_robust", "statistic": F, "df": k, "p_value": p, "n_obs": int(fit._N)}
    else:
        panel = df.set_index([entity, time])
        exog = panel[regressors].assign(const=1.0)
        fe = PanelOLS(panel[outcome], exog, entity_effects=True, drop_absorbed=False).fit(cov_type="unadjusted")
        re = RandomEffects(panel[outcome], exog).fit(cov_type="unadjusted")
        diff = (fe.params[regressors] - re.params[regressors]).to_numpy()
        vdiff = (fe.cov.loc[regressors, regressors] - re.cov.loc[regressors, regressors]).to_numpy()
        H = float(diff @ np.linalg.pinv(vdiff) @ diff)
        if H < 0:
            warnings.warn(
                f"classic Hausman statistic for {outcome} is negative ({H:.3g}): V_FE - V_RE is not positive "
                f"semi-definite (typical with heteroskedastic or serially correlated errors). Use "
                f"method='mundlak' for a cluster-robust test.",
                DataWarning,
                stacklevel=2,
            )
        p = float(stats.chi2.sf(H, k)) if H >= 0 else float("nan")
        row = {"test": "hausman_fe_vs_re", "statistic": H, "df": k, "p_value": p, "n_obs": int(fe.nobs)}
    row["preferred"] = "bank_fe" if (np.isfinite(row["p_value"]) and row["p_value"] < 0.05) else (
        "random_effects" if np.isfinite(row["p_value"]) else "undetermined")
    return pd.DataFrame([row])
