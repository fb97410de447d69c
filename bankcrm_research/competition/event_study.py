"""Exposure difference-in-differences and event studies around Yu'ebao's June-2013 launch.

Design (Buchak, Hu & Wei 2021, "FinTech as a financial liberator", NBER WP 29448): banks differ in
their pre-shock exposure to Yu'ebao-style money-market funds (e.g. the 2012 share of retail
demand deposits); outcomes of more exposed banks should move more after 2013.

* :func:`did_estimate` — ``y_it = δ · exposure_i · 1{t ≥ shock} + a_i + g_t + e_it``.
* :func:`event_study` — ``y_it = Σ_{t ≠ ref} δ_t · exposure_i · 1{year = t} + a_i + g_t + e_it``
  with bank-clustered CRV1 errors, a joint F test of the leads (pre-trends) and a plot.
  The year interactions use pyfixest's ``i(year, exposure, ref=ref_year)``; pyfixest 0.60's
  ``event_study(att=False)`` is not used because it returns only the pooled effect.
* :func:`placebo_did` — the same DiD on pre-shock years only, with a fake shock year.
* :func:`staggered_did` — heterogeneity-robust two-stage DiD (Gardner 2021, "Two-stage
  differences in differences", arXiv:2207.05943; pyfixest ``did2s``) for staggered adoption,
  next to the static two-way FE estimate it corrects (Goodman-Bacon 2021, J. Econometrics 225(2)).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from bankcrm_research.common.results import ResultMixin
from bankcrm_research.competition import _fixest as fx
from bankcrm_research.competition._fixest import PANEL_COLUMNS
from bankcrm_research.data.validate import DataWarning, require_choice, require_columns, warn_dropped

__all__ = ["EventStudyResult", "event_study", "did_estimate", "placebo_did", "staggered_did", "adoption_cohorts"]

EVENT_COLUMNS = [
    "outcome", "year", "rel_year", "estimate", "std_error", "ci_low", "ci_high", "p_value", "n_obs", "is_reference",
]


def _check_years(df: pd.DataFrame, time: str, ref_year: int, shock_year: int) -> None:
    years = set(df[time].astype(int))
    if ref_year not in years:
        raise ValueError(
            f"The 'ref_year' parameter ({ref_year}) is not among the panel years {min(years)}–{max(years)}; "
            f"choose a pre-shock year present in the data (usually shock_year - 1)."
        )
    if not any(y < shock_year for y in years) or not any(y >= shock_year for y in years):
        raise ValueError(
            f"The 'shock_year' parameter ({shock_year}) must split the panel years {min(years)}–{max(years)} into "
            f"pre- and post-shock periods. Got no {'pre' if not any(y < shock_year for y in years) else 'post'}-shock years."
        )


def _warn_time_varying(df: pd.DataFrame, entity: str, exposure: str) -> None:
    n_var = int((df.groupby(entity)[exposure].nunique() > 1).sum())
    if n_var:
        warnings.warn(
            f"'{exposure}' varies within {n_var} {entity} values; the exposure design expects a time-invariant, "
            f"pre-shock exposure (e.g. the 2012 value). Fix it at its pre-shock level.",
            DataWarning,
            stacklevel=3,
        )


@dataclass(frozen=True)
class EventStudyResult(ResultMixin):
    """Dynamic exposure effects relative to ``ref_year``.

    Attributes
    ----------
    table : DataFrame
        One row per year (:data:`EVENT_COLUMNS`); the reference year has estimate 0 and
        ``is_reference = True``.
    pretrend : DataFrame
        Joint F test that all lead coefficients (years before ``ref_year``... i.e. pre-shock
        years other than the reference) are zero: ``test, statistic, df_num, df_denom, p_value``.
    ref_year, shock_year : int
    fit : pyfixest Feols
    """

    table: pd.DataFrame
    pretrend: pd.DataFrame
    ref_year: int
    shock_year: int
    fit: Any = None

    def tidy(self) -> pd.DataFrame:
        """Year-by-year coefficients (a copy)."""
        return self.table.copy()

    def summary(self) -> pd.DataFrame:
        """Year-by-year coefficients (the pre-trend test is in :attr:`pretrend` and :attr:`notes`)."""
        return self.table.copy()

    @property
    def notes(self) -> tuple[str, ...]:
        """The pre-trend test in words."""
        pre = self.pretrend.iloc[0]
        return (
            f"Pre-trend test (all leads zero): joint F({pre['df_num']:.0f}, {pre['df_denom']:.0f}) = "
            f"{pre['statistic']:.3f}, p = {pre['p_value']:.3g}.",
        )

    def plot(self, ax: Any = None, *, label: str | None = None, lang: str = "en") -> Any:
        """Coefficients with CIs by year; dashed line at the shock, the reference year marked
        (axis and title in Chinese with ``lang="zh"``)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        t = self.table
        ax.errorbar(
            t["year"], t["estimate"], yerr=[t["estimate"] - t["ci_low"], t["ci_high"] - t["estimate"]],
            fmt="o-", capsize=3, label=label,
        )
        ax.axhline(0, color="grey", lw=0.8)
        ax.axvline(self.shock_year - 0.5, color="firebrick", ls="--", lw=1)
        pre = self.pretrend.iloc[0]
        zh = lang == "zh"
        ax.set_xlabel("年份" if zh else "year")
        ax.set_ylabel(f"敞口 × 年份效应（基期{self.ref_year}）" if zh else f"exposure × year effect (ref. {self.ref_year})")
        ax.set_title((f"事前趋势检验：F = {pre['statistic']:.2f}，p = {pre['p_value']:.3f}" if zh else
                      f"pre-trend test: F = {pre['statistic']:.2f}, p = {pre['p_value']:.3f}"), fontsize="small")
        return ax


def event_study(
    data: pd.DataFrame,
    *,
    outcome: str,
    exposure: str = "yuebao_exposure",
    entity: str = "bank_id",
    time: str = "year",
    ref_year: int = 2012,
    shock_year: int = 2013,
    controls: Sequence[str] = (),
    cluster: str | None = None,
    alpha: float = 0.05,
) -> EventStudyResult:
    """Event study of a continuous, time-invariant exposure with bank and year fixed effects.

    Parameters
    ----------
    data : DataFrame
        Bank × year panel.
    outcome : str
    exposure : str
        Pre-shock exposure of each bank (time-invariant).
    entity, time : str
    ref_year : int
        Omitted (normalised) year, usually the last pre-shock year (2012).
    shock_year : int
        First post-shock year (2013); leads are the years before ``ref_year``.
    controls : sequence of str
    cluster : str, optional
        Defaults to ``entity``.
    alpha : float

    Returns
    -------
    EventStudyResult

    Notes
    -----
    ``y_it = Σ_{t ≠ ref} δ_t exposure_i 1{year_t} + w_it'γ + a_i + g_t + e_it``. Pre-trend test:
    ``F = (Rδ)'(R V R')^{-1}(Rδ)/q`` over the ``q`` leads, referred to ``F(q, G - 1)`` with the
    CRV1 ``V`` (the fixest convention for clustered Wald tests).
    """
    cluster = cluster or entity
    df = fx.prepare_panel(
        data, needed=[outcome, exposure, *controls], entity=entity, time=time, cluster=cluster,
        numeric=[outcome, exposure, *controls],
    )
    _check_years(df, time, ref_year, shock_year)
    _warn_time_varying(df, entity, exposure)
    df[time] = df[time].astype(int)
    rhs = " + ".join([f"i({time}, {exposure}, ref={ref_year})", *controls])
    fit = fx.feols(f"{outcome} ~ {rhs} | {entity} + {time}", df, cluster)
    fx.check_collinear(fit, [exposure, *controls], "event_study")
    tab = fx.tidy_fit(fit, outcome=outcome, model="event_study", alpha=alpha)
    pat = re.compile(rf"^{re.escape(time)}::(-?\d+)(?:\.0)?:{re.escape(exposure)}$")
    yrs = tab["term"].map(lambda s: int(m.group(1)) if (m := pat.match(s)) else None)
    tab = tab[yrs.notna()].assign(year=yrs[yrs.notna()].astype(int))
    ref = {
        "outcome": outcome, "year": ref_year, "estimate": 0.0, "std_error": 0.0, "ci_low": 0.0, "ci_high": 0.0,
        "p_value": np.nan, "n_obs": fx.n_obs(fit),
    }
    table = pd.concat([tab, pd.DataFrame([ref])], ignore_index=True).sort_values("year").reset_index(drop=True)
    table["rel_year"] = table["year"] - shock_year
    table["is_reference"] = table["year"] == ref_year
    table = table[EVENT_COLUMNS]

    names = fx.coef_names(fit)
    lead_terms = [t for t, y in zip(tab["term"], tab["year"], strict=True) if y < ref_year]
    if lead_terms:
        R = np.zeros((len(lead_terms), len(names)))
        for r, term in enumerate(lead_terms):
            R[r, names.index(term)] = 1.0
        F = fx.wald_f(fit, R)
        df_denom = fx.df_t(fit)
        p = float(stats.f.sf(F, len(lead_terms), df_denom))
    else:
        F, df_denom, p = np.nan, fx.df_t(fit), np.nan
    pretrend = pd.DataFrame(
        [{"outcome": outcome, "test": "joint_leads_zero", "statistic": F, "df_num": len(lead_terms), "df_denom": df_denom, "p_value": p}]
    )
    return EventStudyResult(table=table, pretrend=pretrend, ref_year=ref_year, shock_year=shock_year, fit=fit)


def did_estimate(
    data: pd.DataFrame,
    *,
    outcome: str,
    exposure: str = "yuebao_exposure",
    shock_year: int = 2013,
    entity: str = "bank_id",
    time: str = "year",
    controls: Sequence[str] = (),
    cluster: str | None = None,
    alpha: float = 0.05,
    model: str = "did_twoway_fe",
) -> pd.DataFrame:
    """Exposure × post difference-in-differences with bank and year fixed effects.

    Returns a one-row tidy table (:data:`~bankcrm_research.competition.panel.PANEL_COLUMNS`,
    ``term = "exposure_x_post"``).

    Notes
    -----
    ``y_it = δ exposure_i 1{t ≥ shock} + w_it'γ + a_i + g_t + e_it``; ``δ`` is the average
    post-shock effect of moving exposure from 0 to 1. CRV1 errors by ``cluster``.
    """
    cluster = cluster or entity
    df = fx.prepare_panel(
        data, needed=[outcome, exposure, *controls], entity=entity, time=time, cluster=cluster,
        numeric=[outcome, exposure, *controls],
    )
    _check_years(df, time, int(df[time].min()), shock_year)
    _warn_time_varying(df, entity, exposure)
    df["exposure_x_post"] = df[exposure] * (df[time] >= shock_year)
    fit = fx.feols(f"{outcome} ~ {' + '.join(['exposure_x_post', *controls])} | {entity} + {time}", df, cluster)
    fx.check_collinear(fit, ["exposure_x_post", *controls], model)
    tab = fx.tidy_fit(fit, outcome=outcome, model=model, alpha=alpha)
    return tab[tab["term"] == "exposure_x_post"][PANEL_COLUMNS].reset_index(drop=True)


def placebo_did(
    data: pd.DataFrame,
    *,
    outcome: str,
    placebo_year: int,
    exposure: str = "yuebao_exposure",
    shock_year: int = 2013,
    entity: str = "bank_id",
    time: str = "year",
    controls: Sequence[str] = (),
    cluster: str | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """DiD with a fake shock year on pre-shock data only (should find nothing).

    Keeps years ``< shock_year`` and estimates :func:`did_estimate` with ``placebo_year`` as the
    shock; ``model = "placebo_<placebo_year>"``.
    """
    require_columns(data, [time], param="columns")
    if not placebo_year < shock_year:
        raise ValueError(
            f"The 'placebo_year' parameter must be before the real shock ({shock_year}). Got {placebo_year} instead."
        )
    pre = data[data[time] < shock_year]
    return did_estimate(
        pre, outcome=outcome, exposure=exposure, shock_year=placebo_year, entity=entity, time=time,
        controls=controls, cluster=cluster, alpha=alpha, model=f"placebo_{placebo_year}",
    )


def staggered_did(
    data: pd.DataFrame,
    *,
    outcome: str,
    cohort: str,
    entity: str = "bank_id",
    time: str = "year",
    cluster: str | None = None,
    method: Literal["did2s"] = "did2s",
    dynamic: bool = True,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Heterogeneity-robust DiD for staggered adoption (two-stage DiD), beside static TWFE.

    Parameters
    ----------
    data : DataFrame
    outcome : str
    cohort : str
        First treated year of each unit; 0 or NaN for never-treated units.
    entity, time, cluster : str
    method : {"did2s"}
        Gardner's two-stage estimator via pyfixest ``did2s`` (Butts & Gardner 2022 standard
        errors). pyfixest 0.60's saturated Sun–Abraham class is beta and its ``aggregate`` fails,
        so it is not offered.
    dynamic : bool
        Also return effects by years since adoption (``rel_year``; reference -1).
    alpha : float

    Returns
    -------
    DataFrame
        :data:`PANEL_COLUMNS` plus ``rel_year``: rows ``model = "did2s"`` (term ``att`` and, when
        ``dynamic``, ``rel_<e>``) and ``model = "static_twfe"`` (term ``att``), the estimate that is
        biased when effects vary over time since adoption.

    Notes
    -----
    Stage 1: ``y_it = a_i + g_t + e_it`` on untreated observations; stage 2: regress
    ``y_it - â_i - ĝ_t`` on the treatment indicator (or relative-time dummies).
    """
    require_choice(method, ["did2s"], param="method")
    cluster = cluster or entity
    df = fx.prepare_panel(data, needed=[outcome, cohort], entity=entity, time=time, cluster=cluster, numeric=[outcome])
    df[cohort] = pd.to_numeric(df[cohort], errors="coerce").fillna(0)
    if (df[cohort] == 0).sum() == 0 and df[cohort].nunique() < 2:
        raise ValueError(
            f"The '{cohort}' column has a single adoption year and no never-treated units; staggered DiD needs "
            f"variation in adoption timing or never-treated controls."
        )
    if (df[cohort] == 0).sum() == 0:
        # no never-treated units: year effects after the last cohort adopts are not identified from
        # untreated observations, so those years carry no information about the effect (Borusyak,
        # Jaravel & Spiess 2024); drop them, and say so
        last = df[cohort].max()
        n0 = len(df)
        df = df[df[time] < last].copy()
        warn_dropped(n0 - len(df), n0, f"from {last} on (no never-treated units; every unit has adopted by {last})")
    df["treated"] = ((df[cohort] > 0) & (df[time] >= df[cohort])).astype(int)
    # units with fewer than two untreated rows have no (non-singleton) first-stage unit effect, so
    # their treated outcomes cannot be imputed; pyfixest 0.60's did2s then fails with a shape error
    n_untreated = df.groupby(entity)["treated"].transform(lambda t: int((t == 0).sum()))
    few = n_untreated < 2
    if few.any():
        n0 = len(df)
        df = df[~few].copy()
        warn_dropped(n0 - len(df), n0, f"of {entity} values with fewer than two pre-adoption rows (cannot impute)")
    # pyfixest aligns its two stages by position: a gapped index after the drops above breaks it
    df = df.reset_index(drop=True)
    df["rel"] = np.where(df[cohort] > 0, df[time] - df[cohort], -1000.0).astype(float)
    q = stats.norm.ppf(1 - alpha / 2)
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        m = fx.did2s(df, outcome=outcome, fixed_effects=f"{entity} + {time}", second_stage="~ treated",
                     treatment="treated", cluster=cluster)
        t = fx.coefficients(m).loc["treated"]
        rows.append({"model": "did2s", "term": "att", **t, "n_obs": fx.n_obs(m), "rel_year": np.nan})
        if dynamic:
            md = fx.did2s(df, outcome=outcome, fixed_effects=f"{entity} + {time}",
                          second_stage="~ i(rel, ref=-1.0)", treatment="treated", cluster=cluster)
            for name, r in fx.coefficients(md).iterrows():
                e = float(str(name).split("::")[1])
                if e == -1000.0:  # never-treated bucket, not an event time
                    continue
                rows.append({"model": "did2s", "term": f"rel_{int(e)}", **r, "n_obs": fx.n_obs(md), "rel_year": e})
        tw = fx.feols_default(f"{outcome} ~ treated | {entity} + {time}", df, cluster)
        t = fx.coefficients(tw).loc["treated"]
        rows.append({"model": "static_twfe", "term": "att", **t, "n_obs": fx.n_obs(tw), "rel_year": np.nan})
    out = pd.DataFrame(rows)
    out["outcome"] = outcome
    # did2s reports normal-based inference; use the same for the static row for comparability
    out["ci_low"] = out["estimate"] - q * out["std_error"]
    out["ci_high"] = out["estimate"] + q * out["std_error"]
    return out[[*PANEL_COLUMNS, "rel_year"]]


def adoption_cohorts(
    data: pd.DataFrame,
    *,
    index_column: str = "if_index",
    threshold: float = 200.0,
    region: str = "province",
    time: str = "year",
) -> pd.Series:
    """First year each region's index reaches ``threshold`` (0 = never), aligned with ``data``'s rows.

    Turns a continuous, regionally staggered diffusion (e.g. the PKU index crossing 200 points) into
    adoption cohorts for :func:`staggered_did`. The threshold is a modelling choice; report results
    for more than one.
    """
    require_columns(data, [index_column, region, time], param="columns")
    reached = data.loc[data[index_column] >= threshold, [region, time]]
    first = reached.groupby(region)[time].min()
    return data[region].map(first).fillna(0).astype(int).rename("adoption_cohort")
