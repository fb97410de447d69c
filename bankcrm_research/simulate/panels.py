"""Small, fast bank-year test panels with known effects (tests, coverage checks, benchmarks).

The bundled default data come from :func:`bankcrm_research.simulate.simulate_world` (the whole
bank-CRM world; its bank panel is :func:`.banks.simulate_world_bank_panel`). This module is
deliberately smaller: :func:`simulate_bank_panel` draws a bank × year panel with exactly the
structures the competition estimators must handle, so that tests do not depend on the bundled
files and the coverage study can draw hundreds of panels in seconds:

* bank fixed effects correlated with the internet-finance index of the bank's province
  (pooled OLS is biased, within estimators are not);
* common year shocks (year fixed effects);
* AR(1) within-bank errors (why standard errors are clustered by bank);
* heterogeneous index effects by bank type, a quadratic index effect on the NPL ratio;
* a time-invariant Yu'ebao exposure whose effect starts in ``shock_year`` (optionally a planted
  pre-trend, to check that the lead test rejects).

:func:`simulate_staggered_panel` draws a staggered-adoption panel with effects that grow with time
since adoption (the case static two-way FE gets wrong). Nothing here is used to build ``data/``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from bankcrm_research.data.schemas import BANK_TYPES
from bankcrm_research.data.validate import require_positive_int

__all__ = ["simulate_bank_panel", "simulate_staggered_panel"]

_TYPE_SHARES = np.array([0.04, 0.08, 0.46, 0.42])
# effect of +100 index points on the demand-deposit share, by bank type (smaller banks lose more)
_DDS_EFFECT = {"state_owned": -0.010, "joint_stock": -0.025, "city_commercial": -0.040, "rural_commercial": -0.050}


def simulate_bank_panel(
    *,
    seed: int = 0,
    n_banks: int = 150,
    first_year: int = 2008,
    last_year: int = 2023,
    n_provinces: int = 31,
    rho: float = 0.4,
    shock_year: int = 2013,
    ref_year: int = 2012,
    did_effect: float = -0.08,
    pretrend: float = 0.0,
    noise_sd: float = 0.02,
    index_effects: dict[str, float] | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Draw a bank × year panel with planted competition effects.

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``.
    n_banks : int
        Number of banks (clusters).
    first_year, last_year : int
        Panel years (inclusive), balanced.
    n_provinces : int
        Provinces; each bank sits in one.
    rho : float
        AR(1) coefficient of the within-bank errors.
    shock_year, ref_year : int
        First treated year of the exposure effect and the event-study reference year.
    did_effect : float
        Effect of ``yuebao_exposure`` (0 → 1) on the demand-deposit share in every year from
        ``shock_year`` on.
    pretrend : float
        Planted linear pre-trend per year before ``ref_year`` (``exposure × pretrend × (year -
        ref_year)``); 0 means parallel trends hold.
    noise_sd : float
        Innovation standard deviation of the demand-deposit-share errors.
    index_effects : dict, optional
        Effect of +100 index points on the demand-deposit share per bank type; defaults to
        state-owned -0.010, joint-stock -0.025, city commercial -0.040, rural commercial -0.050.

    Returns
    -------
    panel : DataFrame
        Columns ``bank_id, bank_type, province, year, if_index, if_index_100,
        demand_deposit_share, deposit_cost, nim, npl_ratio, log_assets, yuebao_exposure,
        exposure_post``.
    truth : dict
        Keys laid out like ``data/truth.json``'s ``competition`` block.

    Notes
    -----
    ``demand_deposit_share_it = a_i + g_t + b_type · if_it/100 + d · exposure_i · 1{t ≥ shock}
    + 0.01 · log_assets_it + e_it`` with ``e_it = rho · e_i,t-1 + u_it``; ``a_i`` rises with the
    province's mean index, so pooled OLS (no ``a_i``) is biased towards a positive effect.
    """
    n_banks = require_positive_int(n_banks, param="n_banks", minimum=2)
    rng = np.random.default_rng(seed)
    years = np.arange(first_year, last_year + 1)
    n_years = len(years)
    # province index paths on the PKU scale: 0 before 2011, fast growth after, level differences
    prov_level = rng.uniform(0.7, 1.3, n_provinces)
    growth = np.clip((years - 2010) / 13.0, 0, None)
    prov_index = 20 + 380 * prov_level[:, None] * growth[None, :] ** 0.8 + rng.normal(0, 5, (n_provinces, n_years))
    prov_index = np.clip(prov_index, 0, None)

    types = rng.choice(len(BANK_TYPES), size=n_banks, p=_TYPE_SHARES)
    province = rng.integers(0, n_provinces, n_banks)
    exposure = np.clip(rng.beta(2, 3, n_banks) + 0.1 * (types >= 2), 0, 1)
    # bank effects correlated with the province's index level (the pooled-OLS confounder)
    alpha = 0.30 + 0.15 * (prov_level[province] - 1) + rng.normal(0, 0.03, n_banks)
    year_fx = 0.01 * np.sin(years / 2.0) + rng.normal(0, 0.005, n_years)

    effects = dict(_DDS_EFFECT if index_effects is None else index_effects)
    b = np.array([effects[BANK_TYPES[t]] for t in types])
    idx = prov_index[province]  # banks × years
    log_assets = 6 + 2.5 * (3 - types)[:, None] + 0.06 * (years - first_year)[None, :] + rng.normal(0, 0.1, (n_banks, n_years))
    e = np.zeros((n_banks, n_years))
    innov = rng.normal(0, noise_sd, (n_banks, n_years))
    e[:, 0] = innov[:, 0] / np.sqrt(1 - rho**2)
    for t in range(1, n_years):
        e[:, t] = rho * e[:, t - 1] + innov[:, t]
    post = (years >= shock_year).astype(float)
    lead = np.where(years < ref_year, years - ref_year, 0.0)
    dds = (
        alpha[:, None] + year_fx[None, :] + b[:, None] * idx / 100 + did_effect * exposure[:, None] * post[None, :]
        + pretrend * exposure[:, None] * lead[None, :] + 0.01 * log_assets + e
    )
    # NPL ratio: quadratic in index/100 (U shape), bank effects, independent noise
    lin, quad = -0.8, 0.25
    npl = 1.8 + 0.5 * (alpha[:, None] - 0.3) / 0.15 + lin * idx / 100 + quad * (idx / 100) ** 2 + rng.normal(0, 0.25, (n_banks, n_years))
    deposit_cost = 2.0 + 0.3 * (idx / 100) + rng.normal(0, 0.1, n_banks)[:, None] + rng.normal(0, 0.1, (n_banks, n_years))
    nim = 2.6 - 0.12 * (idx / 100) + rng.normal(0, 0.2, n_banks)[:, None] + rng.normal(0, 0.1, (n_banks, n_years))

    panel = pd.DataFrame(
        {
            "bank_id": np.repeat([f"B{i + 1:03d}" for i in range(n_banks)], n_years),
            "bank_type": np.repeat(np.array(BANK_TYPES)[types], n_years),
            "province": np.repeat([f"P{p + 1:02d}" for p in province], n_years),
            "year": np.tile(years, n_banks),
            "if_index": idx.ravel(),
            "demand_deposit_share": dds.ravel(),
            "deposit_cost": deposit_cost.ravel(),
            "nim": nim.ravel(),
            "npl_ratio": npl.ravel(),
            "log_assets": log_assets.ravel(),
            "yuebao_exposure": np.repeat(exposure, n_years),
        }
    )
    panel["if_index_100"] = panel["if_index"] / 100
    # the DiD regressor, needed as a control when estimating index effects on the same outcome
    panel["exposure_post"] = panel["yuebao_exposure"] * (panel["year"] >= shock_year)
    counts = pd.Series(np.array(BANK_TYPES)[types]).value_counts()
    avg = float(sum(effects[k] * counts.get(k, 0) for k in BANK_TYPES) / n_banks)
    truth = {
        "index_effect": {"demand_deposit_share": {**{k: v for k, v in effects.items() if k in counts}, "average": avg}},
        "npl_quadratic": {"linear": lin, "quadratic": quad, "turning_point": -lin / (2 * quad)},
        "event_study": {
            "demand_deposit_share": {
                str(y): (did_effect if y >= shock_year else pretrend * (y - ref_year) if y < ref_year else 0.0)
                for y in years
                if y != ref_year
            }
        },
        "did": {"demand_deposit_share": did_effect},
        "serial_correlation": rho,
    }
    return panel, truth


def simulate_staggered_panel(
    *,
    seed: int = 0,
    n_units: int = 300,
    first_year: int = 2008,
    last_year: int = 2023,
    cohorts: tuple[int, ...] = (2013, 2016, 2019),
    effect_growth: float = 0.5,
    noise_sd: float = 1.0,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Draw a staggered-adoption panel whose effects grow with time since adoption.

    With dynamic effects ``tau(e) = effect_growth · (e + 1)`` for ``e ≥ 0`` years since adoption,
    a static two-way FE regression on a single treatment dummy is biased (already-treated units act
    as controls; Goodman-Bacon 2021), while did2s / Sun–Abraham recover the average effect.

    Returns
    -------
    panel : DataFrame
        ``unit, year, cohort (0 = never treated), treated, rel_year, y``.
    truth : dict
        ``{"att": average effect over treated observations, "dynamic": {e: tau(e)}}``.
    """
    rng = np.random.default_rng(seed)
    years = np.arange(first_year, last_year + 1)
    cohort_choices = np.array([0, *cohorts])
    cohort = rng.choice(cohort_choices, size=n_units)
    unit_fx = rng.normal(0, 1, n_units) + 0.3 * (cohort > 0)
    year_fx = 0.1 * (years - first_year)
    df = pd.DataFrame({"unit": np.repeat(np.arange(n_units), len(years)), "year": np.tile(years, n_units)})
    df["cohort"] = np.repeat(cohort, len(years))
    rel = np.where(df["cohort"] > 0, df["year"] - df["cohort"], -1000)
    df["treated"] = ((df["cohort"] > 0) & (rel >= 0)).astype(int)
    df["rel_year"] = np.where(df["cohort"] > 0, rel, np.nan)
    tau = np.where(df["treated"] == 1, effect_growth * (rel + 1), 0.0)
    df["y"] = unit_fx[df["unit"]] + year_fx[df["year"] - first_year] + tau + rng.normal(0, noise_sd, len(df))
    att = float(tau[df["treated"].to_numpy() == 1].mean())
    max_e = int(rel[df["treated"].to_numpy() == 1].max())
    return df, {"att": att, "dynamic": {e: effect_growth * (e + 1) for e in range(max_e + 1)}}
