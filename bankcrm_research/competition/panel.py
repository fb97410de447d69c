"""Bank-panel regressions of bank outcomes on internet-finance development.

Estimation runs on :mod:`pyfixest` (fixest's algorithms: alternating-projection demeaning, CRV1
cluster-robust errors) through our wrapper :mod:`._fixest`, which states the small-sample
convention once; :mod:`linearmodels` supplies what pyfixest lacks (random effects and the
Hausman test). Every estimate comes back in one tidy table whose first columns are
``outcome, model, term, estimate, std_error, ci_low, ci_high, p_value, n_obs``
(:class:`~bankcrm_research.competition.panel_results.PanelResult` for the side-by-side models).
With fewer than 50 clusters the analytic p-value is complemented by a restricted wild cluster
bootstrap (:mod:`.wild_bootstrap`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from bankcrm_research.competition import _fixest as fx
from bankcrm_research.competition._fixest import MIN_CLUSTERS_ANALYTIC, MODELS, PANEL_COLUMNS, ModelName
from bankcrm_research.competition.panel_prep import add_lags, winsorize
from bankcrm_research.competition.panel_results import PanelResult
from bankcrm_research.competition.wild_bootstrap import bootstrap_design, wild_cluster_bootstrap
from bankcrm_research.data.validate import DataWarning, require_choice, require_columns, warn_dropped

__all__ = [
    "PANEL_COLUMNS",
    "ModelName",
    "PanelResult",
    "fit_panel_models",
    "effects_by_group",
    "quadratic_effect",
    "hausman_test",
]

PanelModelName = Literal["pooled_ols", "bank_fe", "twoway_fe", "random_effects"]
_ALL_MODELS: tuple[str, ...] = (*MODELS, "random_effects")


def fit_panel_models(
    data: pd.DataFrame,
    *,
    outcomes: str | Sequence[str],
    regressors: str | Sequence[str],
    controls: Sequence[str] = (),
    entity: str = "bank_id",
    time: str = "year",
    cluster: str | None = None,
    models: Sequence[PanelModelName] = MODELS,
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
    df = fx.prepare_panel(data, needed=numeric, entity=entity, time=time, cluster=cluster, numeric=numeric)
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
            fit = fx.feols(f"{outcome} ~ {rhs}{fe[model]}", df, cluster)
            fx.check_collinear(fit, [*terms, *controls], model)
            tab = fx.tidy_fit(fit, outcome=outcome, model=model, alpha=alpha)
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
                    "n_obs": fx.n_obs(fit),
                    "r2": fx.r2(fit),
                    "r2_within": fx.r2_within(fit) if model != "pooled_ols" else np.nan,
                    "n_clusters": int(n_clusters),
                    "entity_fe": model != "pooled_ols",
                    "time_fe": model == "twoway_fe",
                    "vcov": f"CRV1 by {cluster}",
                }
            )
            fits.append(((outcome, model), fit))
    notes = (
        f"Standard errors clustered by {cluster} (CRV1, small-sample factor G/(G-1)·(N-1)/(N-K), t with G-1 df; "
        f"G = {n_clusters}).",
        *([f"Wild cluster bootstrap (WCR, {bootstrap_reps} reps) p-values in p_value_wild."] if run_boot else []),
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
    require_choice(fixed_effects, list(MODELS), param="fixed_effects")
    cluster = cluster or entity
    require_columns(data, [group], table="data", param="bank_type_column")
    df = fx.prepare_panel(
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
    fit = fx.feols(f"{outcome} ~ {rhs}{fe}", df, cluster)
    model_name = f"{fixed_effects}_by_{group}"
    fx.check_collinear(fit, list(names.values()), model_name)
    tab = fx.tidy_fit(fit, outcome=outcome, model=model_name, alpha=alpha)
    tab = tab[tab["term"].isin(names.values())].copy()
    tab["term"] = tab["term"].map({v: k for k, v in names.items()})
    counts = df.groupby(group)[entity].nunique()
    counts.index = counts.index.astype(str)
    w = {names[lv]: counts[lv] / counts.sum() for lv in levels}
    avg = {"outcome": outcome, "model": tab["model"].iloc[0], "term": "average", "n_obs": fx.n_obs(fit), **fx.lincom(fit, w, alpha)}
    # Wald F for equal slopes: R β = 0 with rows β_k - β_1
    coef_names = fx.coef_names(fit)
    idx = [coef_names.index(names[lv]) for lv in levels]
    R = np.zeros((len(levels) - 1, len(coef_names)))
    for r, j in enumerate(idx[1:]):
        R[r, idx[0]], R[r, j] = -1, 1
    F = fx.wald_f(fit, R)
    eq = {
        "outcome": outcome, "model": tab["model"].iloc[0], "term": "equality", "estimate": F,
        "std_error": np.nan, "ci_low": np.nan, "ci_high": np.nan,
        "p_value": float(stats.f.sf(F, R.shape[0], fx.df_t(fit))), "n_obs": fx.n_obs(fit),
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
    df = fx.prepare_panel(
        data, needed=[outcome, regressor, *controls], entity=entity, time=time, cluster=cluster,
        numeric=[outcome, regressor, *controls],
    )
    sq = f"{regressor}_sq"
    df[sq] = df[regressor] ** 2
    fit = fx.feols(f"{outcome} ~ {' + '.join([regressor, sq, *controls])} | {entity} + {time}", df, cluster)
    fx.check_collinear(fit, [regressor, sq, *controls], "twoway_fe_quadratic")
    tab = fx.tidy_fit(fit, outcome=outcome, model="twoway_fe_quadratic", alpha=alpha)
    tab = tab[tab["term"].isin([regressor, sq])].copy()
    tab["term"] = tab["term"].map({regressor: "linear", sq: "quadratic"})
    (b1, b2), V = fx.coef_subset(fit, [regressor, sq])
    tp = -b1 / (2 * b2)
    grad = np.array([-1 / (2 * b2), b1 / (2 * b2**2)])
    se = float(np.sqrt(grad @ V @ grad))
    q = stats.t.ppf(1 - alpha / 2, fx.df_t(fit))
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
        "p_value": float(2 * stats.t.sf(abs(tp / se), fx.df_t(fit))), "n_obs": fx.n_obs(fit),
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
    df = fx.prepare_panel(
        data, needed=[outcome, *regressors], entity=entity, time=time, cluster=entity, numeric=[outcome, *regressors]
    )
    k = len(regressors)
    if method == "mundlak":
        means = [f"{r}_bank_mean" for r in regressors]
        for r, m in zip(regressors, means, strict=True):
            df[m] = df.groupby(entity)[r].transform("mean")
        fit = fx.feols(f"{outcome} ~ {' + '.join([*regressors, *means])}", df, entity)
        fx.check_collinear(fit, [*regressors, *means], "mundlak")
        b, V = fx.coef_subset(fit, means)
        F = float(b @ np.linalg.solve(V, b) / k)
        p = float(stats.f.sf(F, k, fx.df_t(fit)))
        row = {"test": "mundlak_cluster_robust", "statistic": F, "df": k, "p_value": p, "n_obs": fx.n_obs(fit)}
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
