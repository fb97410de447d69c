"""Staggered-adoption event studies that stay unbiased when effects differ across adoption cohorts.

One cohesive module (two estimators that share the panel preparation, the tidy layout and the
comparison figure, so they are kept together; ~620 lines).

* :func:`callaway_santanna` — group-time average treatment effects ``ATT(g, t)`` (Callaway &
  Sant'Anna 2021, J. Econometrics 225(2), 200-230) with never-treated or not-yet-treated
  controls, unconditional or given covariates (outcome-regression or doubly robust 2×2 cells,
  :mod:`._drdid`), aggregated to simple, dynamic (event-time, optionally balanced) and group effects. Standard errors
  come from the influence function (unit- or higher-level clustered), optionally with a multiplier
  bootstrap for simultaneous bands. Hand-written because no maintained Python implementation was
  in the lock; it follows the did R package's ``att_gt``/``aggte`` (incl. the estimated-weights term
  ``wif`` in the aggregated influence functions) and is tested against its documented output on
  ``mpdta``.
* :func:`sun_abraham` — interaction-weighted event-study coefficients (Sun & Abraham 2021,
  J. Econometrics 225(2), 175-199): a two-way FE regression saturated in cohort × event-time
  dummies (never-treated, or else the last cohort, as control; event time -1 omitted), whose
  cohort-specific coefficients are averaged with the cohorts' sample shares at each event time.
  The regression runs on ``pyfixest.feols`` and the weighting is written out here (as fixest's
  ``sunab``): pyfixest 0.60's ``event_study(estimator="saturated")`` is marked beta; it agrees with
  this function to 1e-8 on mpdta and on the simulated panels (tested), so it is the cross-check.
* :func:`compare_staggered_estimators` / :func:`plot_event_studies` — CS, SA, two-stage DiD and the
  conventional TWFE event study in one table (``estimator`` column) and one figure.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from bankcrm_research.common.results import ResultMixin
from bankcrm_research.competition._drdid import did_2x2
from bankcrm_research.data.validate import (
    DataWarning,
    require_choice,
    require_columns,
    require_dataframe,
    require_probability,
    warn_dropped,
)

__all__ = [
    "STAGGERED_COLUMNS",
    "StaggeredResult",
    "callaway_santanna",
    "sun_abraham",
    "compare_staggered_estimators",
    "plot_event_studies",
]

STAGGERED_COLUMNS = [
    "outcome", "estimator", "aggregation", "term", "cohort", "year", "event_time",
    "estimate", "std_error", "ci_low", "ci_high", "p_value", "band_low", "band_high",
]
_Z75 = stats.norm.ppf(0.75) - stats.norm.ppf(0.25)


@dataclass(frozen=True)
class StaggeredResult(ResultMixin):
    """Group-time / event-time effects of one staggered estimator (see :data:`STAGGERED_COLUMNS`).

    ``aggregation`` is ``group_time`` (ATT(g,t)), ``dynamic`` (by event time ``e = t - g``; term
    ``overall`` averages e ≥ 0), ``group`` (by cohort; ``overall`` weights cohorts by size) or
    ``simple`` (all post-adoption cells weighted by cohort size). Sun–Abraham has ``cohort_event``
    (cohort-specific coefficients), ``dynamic`` and ``simple``.
    """

    table: pd.DataFrame
    outcome: str
    estimator: str
    control_group: str
    n_units: int
    n_periods: int
    notes: tuple[str, ...] = field(default=())

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> pd.DataFrame:
        """The headline rows: each aggregation's overall effect, then the dynamic effects."""
        t = self.table
        head = t[(t["term"] == "overall") | (t["aggregation"] == "simple")]
        dyn = t[(t["aggregation"] == "dynamic") & (t["term"] != "overall")]
        return pd.concat([head, dyn], ignore_index=True)[
            ["estimator", "aggregation", "term", "estimate", "std_error", "ci_low", "ci_high", "p_value"]]

    def effect(self, aggregation: str = "simple", term: str = "overall") -> float:
        """One estimate by ``aggregation`` and ``term`` (``simple`` has term ``overall``)."""
        row = self.table[(self.table["aggregation"] == aggregation) & (self.table["term"] == term)]
        if row.empty:
            raise ValueError(f"no row with aggregation={aggregation!r} and term={term!r}; "
                             f"found aggregations {sorted(self.table['aggregation'].unique())}.")
        return float(row["estimate"].iloc[0])

    def plot(self, ax: Any = None) -> Any:
        """Dynamic (event-time) effects with pointwise CIs; pre-adoption in grey."""
        dyn = self.table[(self.table["aggregation"] == "dynamic") & (self.table["term"] != "overall")]
        return plot_event_studies(dyn, ax=ax)


# ------------------------------------------------------------------------------------------------
# panel preparation shared by both estimators
# ------------------------------------------------------------------------------------------------
def _prepare_staggered(
    data: pd.DataFrame, *, outcome: str, cohort: str, entity: str, time: str, covariates: Sequence[str] = ()
) -> tuple[pd.DataFrame, list[str]]:
    require_dataframe(data)
    require_columns(data, [outcome, cohort, entity, time, *covariates], param="columns")
    df = data[[entity, time, outcome, cohort, *covariates]].copy()
    df[cohort] = pd.to_numeric(df[cohort], errors="coerce").fillna(0)
    if not pd.api.types.is_numeric_dtype(df[time]):
        raise TypeError(f"The '{time}' column must hold numeric periods (years). Found {df[time].dtype}; "
                        f"convert it with pd.to_numeric.")
    if not pd.api.types.is_numeric_dtype(df[outcome]):
        raise TypeError(f"The '{outcome}' column must be numeric. Found {df[outcome].dtype}.")
    notes: list[str] = []
    varying = df.groupby(entity)[cohort].nunique() > 1
    if varying.any():
        raise ValueError(f"The '{cohort}' column must be constant within each {entity} (the first treated "
                         f"period); {int(varying.sum())} units have more than one value, e.g. "
                         f"{list(varying[varying].index[:3])}. Compute the first adoption year per unit.")
    if df.duplicated([entity, time]).any():
        raise ValueError(f"Rows are not unique by ({entity}, {time}); aggregate duplicates first.")
    bad = [c for c in covariates if not pd.api.types.is_numeric_dtype(df[c])]
    if bad:
        raise TypeError(f"covariates must be numeric; {bad} are not. Encode categories as dummies first.")
    n0 = len(df)
    df = df.dropna(subset=[outcome, *covariates])
    warn_dropped(n0 - len(df), n0, f"with missing '{outcome}'" + (f" or covariates {list(covariates)}" if covariates else ""))
    periods = np.sort(df[time].unique())
    # units observed in every period only (did's default: balanced panel)
    counts = df.groupby(entity)[time].transform("size")
    n0 = len(df)
    df = df[counts == len(periods)]
    warn_dropped(n0 - len(df), n0, "of units not observed in every period (the panel is balanced first)")
    late = (df[cohort] > periods.max())
    if late.any():
        notes.append(f"{df.loc[late, entity].nunique()} units adopt after the last period and count as never treated.")
        df.loc[late, cohort] = 0
    early = (df[cohort] > 0) & (df[cohort] <= periods.min())
    if early.any():
        n0 = len(df)
        notes.append(f"{df.loc[early, entity].nunique()} units treated from the first period have no "
                     f"pre-period and were dropped.")
        df = df[~early]
        warn_dropped(n0 - len(df), n0, "of units already treated in the first period")
    if df[entity].nunique() < 2 or (df[cohort] > 0).sum() == 0:
        raise ValueError(f"No treated cohort left in '{cohort}' (values > 0 within the observed periods); "
                         f"staggered DiD needs at least one adopting cohort.")
    return df, notes


def _wide(df: pd.DataFrame, outcome: str, cohort: str, entity: str, time: str):
    wide = df.pivot(index=entity, columns=time, values=outcome).sort_index()
    g = df.groupby(entity)[cohort].first().reindex(wide.index).to_numpy(float)
    return wide.to_numpy(float), g, wide.columns.to_numpy(), wide.index.to_numpy()


def _clustered_se(inf: np.ndarray, cluster_codes: np.ndarray) -> np.ndarray:
    """SE from unit influence functions: sqrt(Σ_c (Σ_{i∈c} ψ_i)² ) / n (clusters = units -> did's)."""
    n = inf.shape[0]
    summed = pd.DataFrame(inf).groupby(cluster_codes).sum().to_numpy()
    return np.sqrt((summed**2).sum(axis=0)) / n


def _wif(keepers: np.ndarray, pg: np.ndarray, cell_group: np.ndarray, G: np.ndarray) -> np.ndarray:
    """Influence of estimated cohort-share weights (did's ``wif``), n × len(keepers)."""
    pk = pg[keepers]
    ind = (G[:, None] == cell_group[keepers][None, :]).astype(float) - pk[None, :]
    return ind / pk.sum() - ind.sum(axis=1, keepdims=True) * (pk / pk.sum() ** 2)[None, :]


def _rows_from(est, inf, labels, cluster_codes, q, crit, **cols) -> pd.DataFrame:
    se = _clustered_se(inf, cluster_codes)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = 2 * stats.norm.sf(np.abs(est / se))
    out = pd.DataFrame({"term": labels, "estimate": est, "std_error": se, "ci_low": est - q * se,
                        "ci_high": est + q * se, "p_value": p})
    out["band_low"] = est - crit * se if crit is not None else np.nan
    out["band_high"] = est + crit * se if crit is not None else np.nan
    for k, v in cols.items():
        out[k] = v
    return out


def _sup_t_crit(inf: np.ndarray, cluster_codes: np.ndarray, alpha: float, n_boot: int, seed: int) -> float:
    """Multiplier (Mammen) bootstrap sup-t critical value for a simultaneous band (did's ``mboot``)."""
    n = inf.shape[0]
    summed = pd.DataFrame(inf).groupby(cluster_codes).sum().to_numpy()
    rng = np.random.default_rng(seed)
    k = (np.sqrt(5) + 1) / 2
    p_k = k / np.sqrt(5)
    v = np.where(rng.random((n_boot, summed.shape[0])) < p_k, 1 - k, k)  # Mammen two-point weights
    boot = v @ summed / n
    se = (np.quantile(boot, 0.75, axis=0) - np.quantile(boot, 0.25, axis=0)) / _Z75
    ok = se > 1e-12
    tmax = np.max(np.abs(boot[:, ok] / se[ok]), axis=1)
    return float(np.quantile(tmax, 1 - alpha))


def callaway_santanna(
    data: pd.DataFrame,
    *,
    outcome: str,
    cohort: str,
    entity: str = "bank_id",
    time: str = "year",
    control_group: Literal["never_treated", "not_yet_treated"] = "never_treated",
    base_period: Literal["varying", "universal"] = "varying",
    cluster: str | None = None,
    alpha: float = 0.05,
    n_boot: int = 0,
    seed: int = 0,
    balance_e: int | None = None,
    covariates: Sequence[str] = (),
    est_method: Literal["reg", "dr"] = "dr",
) -> StaggeredResult:
    """Callaway–Sant'Anna group-time ATTs and their simple / dynamic / group aggregations.

    Parameters
    ----------
    data : DataFrame
        Long panel, one row per ``entity`` × ``time``.
    outcome, cohort : str
        Outcome column and first treated period of each unit (0 or NaN = never treated).
    entity, time : str
    control_group : {"never_treated", "not_yet_treated"}
        did's ``control_group = "nevertreated"`` / ``"notyettreated"``.
    base_period : {"varying", "universal"}
        Pre-adoption cells compare ``t`` with ``t-1`` (varying, did's default) or with ``g-1``.
    cluster : str, optional
        Column constant within units for clustered SEs (default: the unit).
    alpha : float
        1 - confidence level of the pointwise intervals (normal critical values).
    n_boot : int
        Multiplier-bootstrap draws for simultaneous (sup-t) bands; 0 = no bands.
    seed : int
    balance_e : int, optional
        Dynamic aggregation on a balanced set of cohorts (did's ``aggte(balance_e = )``): only
        cohorts observed at least ``balance_e`` periods after adoption, and event times up to
        ``balance_e``, so the composition does not change along the event-time axis.
    covariates : sequence of str
        Conditioning covariates for parallel trends (values from each cell's base period, as did
        does with balanced panels); an intercept is always included.
    est_method : {"reg", "dr"}
        Outcome regression or doubly robust (Sant'Anna & Zhao 2020) 2×2 estimator per cell (did's
        ``est_method``); identical without covariates. See :mod:`._drdid`.

    Returns
    -------
    StaggeredResult

    Notes
    -----
    For cohort ``g`` and period ``t`` with base ``b`` (``g-1`` after adoption)::

        ATT(g,t) = E[Y_t - Y_b | G = g] - E[Y_t - Y_b | C],   ψ_i = D_i(ΔY_i - μ_g)/p_g - C_i(ΔY_i - μ_C)/p_C

    with ``C`` the never-treated (or units with ``G > max(t, b)``, ``G ≠ g``). Aggregations weight
    cells by cohort shares ``P(G = g)`` and add the influence of the estimated shares; the SE is
    ``sqrt(Σ_c (Σ_{i∈c} ψ_i)²)/n``. Reference: Callaway & Sant'Anna (2021); did R package 2.x.
    """
    require_choice(control_group, ["never_treated", "not_yet_treated"], param="control_group")
    require_choice(base_period, ["varying", "universal"], param="base_period")
    require_choice(est_method, ["reg", "dr"], param="est_method")
    covariates = list(covariates)
    alpha = require_probability(alpha, param="alpha")
    cols = [c for c in [cluster] if c is not None and c != entity]
    df, notes = _prepare_staggered(data, outcome=outcome, cohort=cohort, entity=entity, time=time,
                                   covariates=covariates)
    Y, G, periods, units = _wide(df, outcome, cohort, entity, time)
    Xcov = (np.stack([df.pivot(index=entity, columns=time, values=c).sort_index().to_numpy(float)
                      for c in covariates], axis=2) if covariates else None)
    if cols:
        require_columns(data, cols, param="cluster")
        cl = data.groupby(entity)[cluster].first().reindex(units).to_numpy()
        cluster_codes = pd.factorize(cl)[0]
    else:
        cluster_codes = np.arange(len(units))
    n = len(units)
    if control_group == "never_treated" and not (G == 0).any():
        raise ValueError("No never-treated units (cohort 0/NaN) in the panel; use "
                         "control_group='not_yet_treated'.")
    glist = np.sort(np.unique(G[G > 0]))
    pos = {p: i for i, p in enumerate(periods)}
    cells, atts, infs = [], [], []
    no_controls: list[str] = []
    for g in glist:
        pre_g = periods[periods < g]
        if len(pre_g) == 0:
            continue
        g_base = pre_g.max()
        for j, t in enumerate(periods[1:], start=1):
            if t >= g:
                b = g_base
            elif base_period == "varying":
                b = periods[j - 1]
            else:
                b = g_base
                if t == b:
                    continue  # the universal reference cell is 0 by construction
            treat = G == g
            if control_group == "never_treated":
                ctrl = G == 0
            else:
                ctrl = (G == 0) | ((G > max(t, b)) & (G != g))
            if ctrl.sum() == 0:
                no_controls.append(f"({g:g},{t:g})")
                continue
            dy = Y[:, pos[t]] - Y[:, pos[b]]
            if Xcov is None:
                mu_t, mu_c = dy[treat].mean(), dy[ctrl].mean()
                p_t, p_c = treat.mean(), ctrl.mean()
                psi = np.where(treat, (dy - mu_t) / p_t, 0.0) - np.where(ctrl, (dy - mu_c) / p_c, 0.0)
                att_gt = mu_t - mu_c
            else:  # 2×2 estimator on the cell's units, influence function rescaled to all n units
                sub = treat | ctrl
                Xs = np.column_stack([np.ones(int(sub.sum())), Xcov[sub, pos[b], :]])
                att_gt, inf_s = did_2x2(dy[sub], treat[sub].astype(float), Xs, est_method)
                psi = np.zeros(n)
                psi[sub] = inf_s * n / sub.sum()
            cells.append((g, t))
            atts.append(att_gt)
            infs.append(psi)
    if no_controls:
        notes.append(f"{len(no_controls)} group-time cells have no control units (every unit is treated by then) "
                     f"and are not estimated, e.g. {', '.join(no_controls[:3])}.")
    if not cells:
        raise ValueError("No group-time cell has both treated and control units; add never-treated units or use "
                         "control_group='not_yet_treated' with later adopters.")
    att = np.array(atts)
    inf = np.column_stack(infs)
    cg = np.array([c[0] for c in cells], float)
    ct = np.array([c[1] for c in cells], float)
    q = stats.norm.ppf(1 - alpha / 2)
    boot = dict(alpha=alpha, n_boot=n_boot, seed=seed)

    def crit(block_inf: np.ndarray) -> float | None:
        return _sup_t_crit(block_inf, cluster_codes, **boot) if n_boot > 0 else None

    frames = [_rows_from(att, inf, [f"ATT({g:g},{t:g})" for g, t in cells], cluster_codes, q, crit(inf),
                         aggregation="group_time", cohort=cg, year=ct, event_time=ct - cg)]
    pg_all = np.array([(G == g).mean() for g in glist])
    pg_cell = np.array([(G == g).mean() for g in cg])
    post = ct >= cg
    # simple: post cells weighted by cohort share
    keep = np.flatnonzero(post)
    w = pg_cell[keep] / pg_cell[keep].sum()
    s_inf = inf[:, keep] @ w + _wif(keep, pg_cell, cg, G) @ att[keep]
    frames.append(_rows_from(np.array([att[keep] @ w]), s_inf[:, None], ["overall"], cluster_codes, q, None,
                             aggregation="simple"))
    # dynamic: by event time (optionally on cohorts balanced in event time, as did's balance_e)
    e_all = ct - cg
    in_dyn = np.ones(len(cells), bool)
    evs = np.sort(np.unique(e_all))
    if balance_e is not None:
        in_dyn = (periods.max() - cg) >= balance_e
        evs = np.sort(np.unique(e_all[in_dyn]))
        evs = evs[(evs <= balance_e) & (evs >= balance_e - (periods.max() - periods.min()))]
        if len(evs) == 0:
            raise ValueError(f"No cohort is observed {balance_e} periods after adoption; lower 'balance_e'.")
        notes.append(f"Dynamic effects balanced at e ≤ {balance_e}: cohorts "
                     f"{sorted({float(g) for g in cg[in_dyn]})} only.")
    d_est, d_inf = [], []
    for e in evs:
        k = np.flatnonzero((e_all == e) & in_dyn)
        w = pg_cell[k] / pg_cell[k].sum()
        d_est.append(att[k] @ w)
        d_inf.append(inf[:, k] @ w + _wif(k, pg_cell, cg, G) @ att[k])
    d_est_a, d_inf_a = np.array(d_est), np.column_stack(d_inf)
    frames.append(_rows_from(d_est_a, d_inf_a, [f"e={e:g}" for e in evs], cluster_codes, q, crit(d_inf_a),
                             aggregation="dynamic", event_time=evs))
    pe = evs >= 0
    frames.append(_rows_from(np.array([d_est_a[pe].mean()]), d_inf_a[:, pe].mean(axis=1)[:, None], ["overall"],
                             cluster_codes, q, None, aggregation="dynamic"))
    # group: average over each cohort's post periods, then cohort-share weighted
    g_est, g_inf, g_used = [], [], []
    for g in glist:
        k = np.flatnonzero((cg == g) & post)
        if len(k) == 0:
            continue
        g_est.append(att[k].mean())
        g_inf.append(inf[:, k].mean(axis=1))
        g_used.append(g)
    g_est_a, g_inf_a, g_used_a = np.array(g_est), np.column_stack(g_inf), np.array(g_used)
    frames.append(_rows_from(g_est_a, g_inf_a, [f"g={g:g}" for g in g_used_a], cluster_codes, q, crit(g_inf_a),
                             aggregation="group", cohort=g_used_a))
    pgg = np.array([pg_all[list(glist).index(g)] for g in g_used_a])
    kk = np.arange(len(g_used_a))
    o_inf = g_inf_a @ (pgg / pgg.sum()) + _wif(kk, pgg, g_used_a, G) @ g_est_a
    frames.append(_rows_from(np.array([g_est_a @ (pgg / pgg.sum())]), o_inf[:, None], ["overall"], cluster_codes,
                             q, None, aggregation="group"))
    table = pd.concat(frames, ignore_index=True)
    table["outcome"] = outcome
    table["estimator"] = "callaway_santanna"
    table = table.reindex(columns=STAGGERED_COLUMNS)
    if covariates:
        notes.append(f"Conditional parallel trends given {covariates} ({'doubly robust' if est_method == 'dr' else 'outcome regression'}).")
    notes.append(f"Callaway–Sant'Anna with {control_group.replace('_', '-')} controls, {base_period} base period, "
                 f"{n} units × {len(periods)} periods; SEs from the influence function clustered by "
                 f"{cluster or entity}.")
    return StaggeredResult(table=table, outcome=outcome, estimator="callaway_santanna", control_group=control_group,
                           n_units=n, n_periods=len(periods), notes=tuple(notes))


def _dummy_name(g: float, e: float) -> str:
    return f"sa_g{int(g)}_e{'m' if e < 0 else ''}{abs(int(e))}"


def sun_abraham(
    data: pd.DataFrame,
    *,
    outcome: str,
    cohort: str,
    entity: str = "bank_id",
    time: str = "year",
    cluster: str | None = None,
    alpha: float = 0.05,
) -> StaggeredResult:
    """Sun–Abraham interaction-weighted event study.

    Fits ``y_it = a_i + l_t + Σ_g Σ_{e ≠ -1} δ_{g,e} 1{G_i = g} 1{t - g = e} + u_it`` by OLS with
    CRV1 errors clustered by ``cluster`` (default: the unit), then

        IW(e) = Σ_g w_{g,e} δ_{g,e},  w_{g,e} = n_{g,e} / Σ_h n_{h,e}

    with ``n_{g,e}`` the sample observations of cohort ``g`` at event time ``e``;
    ``Var IW(e) = w' V_δ w`` (weights treated as known, as fixest's ``sunab`` aggregation).
    ``simple`` is the post-adoption average of ``δ_{g,e}`` weighted by ``n_{g,e}`` (fixest's
    ``agg = "ATT"``). Without never-treated units the last cohort is the control and periods from its
    adoption on are dropped. Reference: Sun & Abraham (2021), J. Econometrics 225(2), 175-199.
    """
    alpha = require_probability(alpha, param="alpha")
    cluster = cluster or entity
    df, notes = _prepare_staggered(data, outcome=outcome, cohort=cohort, entity=entity, time=time)
    if cluster != entity:
        require_columns(data, [cluster], param="cluster")
        df = df.merge(data[[entity, time, cluster]], on=[entity, time], how="left")
    g = df[cohort].to_numpy(float)
    if not (g == 0).any():
        last = g.max()
        n0 = len(df)
        df = df[df[time] < last].copy()
        df.loc[df[cohort] == last, cohort] = 0
        warn_dropped(n0 - len(df), n0, f"from {last:g} on (no never-treated units; cohort {last:g} is the control)")
        notes.append(f"No never-treated units: cohort {last:g} serves as the control; periods ≥ {last:g} dropped.")
        g = df[cohort].to_numpy(float)
    e = np.where(g > 0, df[time].to_numpy(float) - g, np.nan)
    names, meta = [], []
    for (gg, ee), n_ge in pd.Series(1, index=pd.MultiIndex.from_arrays([g, e])).groupby(level=[0, 1]).size().items():
        if gg == 0 or np.isnan(ee) or ee == -1:
            continue
        nm = _dummy_name(gg, ee)
        df[nm] = ((g == gg) & (e == ee)).astype(float)
        names.append(nm)
        meta.append((gg, ee, n_ge))
    import pyfixest as pf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.feols(f"{outcome} ~ {' + '.join(names)} | {entity} + {time}", data=df, vcov={"CRV1": cluster})
    coef = fit.coef()
    vcov = pd.DataFrame(fit._vcov, index=coef.index, columns=coef.index)
    kept = [nm for nm in names if nm in coef.index and np.isfinite(coef[nm])]
    if len(kept) < len(names):
        notes.append(f"{len(names) - len(kept)} cohort × event-time cells were collinear and dropped.")
    m = pd.DataFrame(meta, columns=["cohort", "event_time", "n_obs"], index=names).loc[kept]
    b = coef[kept].to_numpy()
    V = vcov.loc[kept, kept].to_numpy()
    dof = int(df[cluster].nunique()) - 1  # t(G-1) inference as pyfixest's CRV1
    tq = stats.t.ppf(1 - alpha / 2, dof)

    def rows(W: np.ndarray, labels, **cols) -> pd.DataFrame:
        est = W @ b
        se = np.sqrt(np.einsum("ij,jk,ik->i", W, V, W))
        out = pd.DataFrame({"term": labels, "estimate": est, "std_error": se, "ci_low": est - tq * se,
                            "ci_high": est + tq * se, "p_value": 2 * stats.t.sf(np.abs(est / se), dof)})
        for k, v in cols.items():
            out[k] = v
        return out

    frames = [rows(np.eye(len(kept)), [f"delta({g_:g},{e_:g})" for g_, e_ in zip(m["cohort"], m["event_time"])],
                   aggregation="cohort_event", cohort=m["cohort"].to_numpy(), event_time=m["event_time"].to_numpy(),
                   year=(m["cohort"] + m["event_time"]).to_numpy())]
    evs = np.sort(m["event_time"].unique())
    W = np.zeros((len(evs), len(kept)))
    for i, ev in enumerate(evs):
        sel = (m["event_time"] == ev).to_numpy()
        W[i, sel] = m["n_obs"].to_numpy()[sel] / m["n_obs"].to_numpy()[sel].sum()
    frames.append(rows(W, [f"e={ev:g}" for ev in evs], aggregation="dynamic", event_time=evs))
    post = (m["event_time"] >= 0).to_numpy()
    w_s = np.where(post, m["n_obs"].to_numpy(), 0.0)
    frames.append(rows((w_s / w_s.sum())[None, :], ["overall"], aggregation="simple"))
    table = pd.concat(frames, ignore_index=True)
    table["outcome"] = outcome
    table["estimator"] = "sun_abraham"
    table = table.reindex(columns=STAGGERED_COLUMNS)
    notes.append(f"Sun–Abraham: {len(kept)} cohort × event-time coefficients (reference e = -1), CRV1 errors "
                 f"clustered by {cluster}, t({dof}) intervals.")
    return StaggeredResult(table=table, outcome=outcome, estimator="sun_abraham",
                           control_group="never_treated" if (data[cohort].fillna(0) == 0).any() else "last_cohort",
                           n_units=int(df[entity].nunique()), n_periods=int(df[time].nunique()), notes=tuple(notes))


def _twfe_event_study(df: pd.DataFrame, *, outcome: str, cohort: str, entity: str, time: str,
                      alpha: float) -> pd.DataFrame:
    """Conventional dynamic TWFE: one coefficient per event time pooled over cohorts (ref e = -1)."""
    import pyfixest as pf

    d = df[[entity, time, outcome, cohort]].copy()
    d[cohort] = pd.to_numeric(d[cohort], errors="coerce").fillna(0)
    d["rel"] = np.where(d[cohort] > 0, d[time] - d[cohort], -1000.0).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.feols(f"{outcome} ~ i(rel, ref=-1.0) | {entity} + {time}", data=d, vcov={"CRV1": entity})
    tb = fit.tidy()
    rows = []
    for name, r in tb.iterrows():
        e = float(str(name).split("::")[1])
        if e == -1000.0:
            continue
        rows.append({"term": f"e={e:g}", "event_time": e, "estimate": r["Estimate"], "std_error": r["Std. Error"],
                     "ci_low": r["2.5%"] if alpha == 0.05 else np.nan, "ci_high": r["97.5%"] if alpha == 0.05 else np.nan,
                     "p_value": r["Pr(>|t|)"]})
    out = pd.DataFrame(rows)
    if alpha != 0.05:
        tq = stats.t.ppf(1 - alpha / 2, d[entity].nunique() - 1)
        out["ci_low"], out["ci_high"] = out["estimate"] - tq * out["std_error"], out["estimate"] + tq * out["std_error"]
    out["aggregation"] = "dynamic"
    return out


def compare_staggered_estimators(
    data: pd.DataFrame,
    *,
    outcome: str,
    cohort: str,
    entity: str = "bank_id",
    time: str = "year",
    control_group: Literal["never_treated", "not_yet_treated"] = "never_treated",
    include_did2s: bool = True,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Dynamic effects of TWFE, two-stage DiD, Sun–Abraham and Callaway–Sant'Anna in one table.

    Returns
    -------
    DataFrame
        :data:`STAGGERED_COLUMNS` rows with ``aggregation = "dynamic"`` (event-time terms and, for
        CS/SA, the post-adoption ``overall``/``simple`` rows), one ``estimator`` per method:
        ``twfe`` (pooled relative-time dummies, biased under heterogeneous effects), ``did2s``
        (:func:`bankcrm_research.competition.event_study.staggered_did`), ``sun_abraham``,
        ``callaway_santanna``.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        cs = callaway_santanna(data, outcome=outcome, cohort=cohort, entity=entity, time=time,
                               control_group=control_group, alpha=alpha).tidy()
        sa = sun_abraham(data, outcome=outcome, cohort=cohort, entity=entity, time=time, alpha=alpha).tidy()
    frames = [cs[cs["aggregation"].isin(["dynamic", "simple"])], sa[sa["aggregation"].isin(["dynamic", "simple"])]]
    tw = _twfe_event_study(data, outcome=outcome, cohort=cohort, entity=entity, time=time, alpha=alpha)
    tw["estimator"] = "twfe"
    frames.append(tw)
    if include_did2s:
        from bankcrm_research.competition.event_study import staggered_did

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DataWarning)
                dd = staggered_did(data, outcome=outcome, cohort=cohort, entity=entity, time=time, alpha=alpha)
        except ValueError as exc:
            # pyfixest's did2s variance fails on some unbalanced designs (stage lengths differ after its
            # own row drops); the other three estimators stand on their own, so say so and go on
            warnings.warn(f"did2s could not be computed on these data ({exc}); the comparison shows "
                          f"Callaway-Sant'Anna, Sun-Abraham and TWFE only.", DataWarning, stacklevel=2)
        else:
            dd = dd[dd["model"] == "did2s"].rename(columns={"rel_year": "event_time"})
            dd["aggregation"] = np.where(dd["term"] == "att", "simple", "dynamic")
            dd["term"] = np.where(dd["term"] == "att", "overall", "e=" + dd["event_time"].map(lambda v: f"{v:g}"))
            dd["estimator"] = "did2s"
            frames.append(dd)
    out = pd.concat(frames, ignore_index=True)
    out["outcome"] = outcome
    return out.reindex(columns=STAGGERED_COLUMNS).reset_index(drop=True)


def plot_event_studies(table: pd.DataFrame, ax: Any = None) -> Any:
    """Event-time estimates with CIs, one marker series per ``estimator`` (dodged), zero line at e = -0.5."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    t = table[(table["term"] != "overall") & table["event_time"].notna()]
    ests = list(dict.fromkeys(t["estimator"]))
    width = 0.6 / max(len(ests), 1)
    for k, name in enumerate(ests):
        s = t[t["estimator"] == name].sort_values("event_time")
        x = s["event_time"].to_numpy(float) + (k - (len(ests) - 1) / 2) * width
        ax.errorbar(x, s["estimate"], yerr=[s["estimate"] - s["ci_low"], s["ci_high"] - s["estimate"]],
                    fmt="o", ms=4, capsize=2, label=name.replace("_", " "))
    ax.axhline(0, color="grey", lw=0.8)
    ax.axvline(-0.5, color="grey", lw=0.8, ls="--")
    ax.set_xlabel("years since adoption")
    ax.set_ylabel(str(t["outcome"].iloc[0]) if len(t) else "effect")
    ax.legend(frameon=False, fontsize=8)
    return ax
