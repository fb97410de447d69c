"""Province internet-finance indicators, the bank × year panel and the monthly macro series.

The data-generating process (all numbers are recorded in ``truth.json``):

* **Index.** Each province follows a logistic diffusion curve on the PKU scale,
  ``if = L_p / (1 + exp(-k_p (t - t0_p)))`` with richer (eastern) provinces saturating higher and
  earlier, plus AR(1) noise; three sub-indices and seven usage indicators are built around it and
  ``if_index = 0.540·coverage_breadth + 0.297·usage_depth + 0.163·digitization_level`` holds exactly
  (Guo et al. 2020 weights).
* **Banks.** ``y_it = base_type + α_i + γ_t + β_type,y · if_index_pt/100 + u_it`` for
  demand-deposit share, deposit cost, NIM and ROA, where ``α_i`` loads on the province's development
  level (correlated with the index), ``γ_t`` trends (correlated with the index's growth), and
  ``u_it`` is AR(1) within bank. Demand-deposit share also gets the Yu'ebao shock
  ``yuebao_exposure_i × δ_t`` for t ≥ 2013 (δ_t = 0 before: no pre-trends). NPL ratio is quadratic
  (U-shaped) in ``if_index/100``.
* **Channel.** NIM also responds to the (stored) deposit cost relative to the year's average over all
  simulated banks, ``nim += b · (deposit_cost_it - mean_i deposit_cost_it)`` with
  ``b = DEPOSIT_COST_TO_NIM`` (both in percent), added after all draws. The index therefore moves
  NIM directly (``β_type,nim``) and through deposit cost (``β_type,deposit_cost · b``); the recorded
  ``index_effect`` of NIM is the total. :mod:`bankcrm_research.simulate.mechanisms` computes the
  mediation and staggered-adoption truths.
* **Macro.** ``Δlog demand_deposits_t = c + φ Δlog demand_deposits_{t-1} + θ Δlog mmf_aum_{t-L} + e_t``
  and ``mmf_yield_7d_t = a + κ shibor_3m_t + e_t``.

References: Guo, F. et al. (2020) "Measuring China's digital financial inclusion: index compilation
and spatial characteristics", *China Economic Quarterly* 19(4); Qiu, H., Huang, Y. & Ji, Y. (2018)
"How does FinTech development affect traditional banking in China?", *Finance Research Letters*.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from bankcrm_research.simulate._common import BANK_TYPES, PROVINCES, YEARS, ar1, sub_rngs

# ----------------------------------------------------------------------------------------------
# planted parameters (exported to truth.json by world.py)
# ----------------------------------------------------------------------------------------------
INDEX_WEIGHTS = {"coverage_breadth": 0.540, "usage_depth": 0.297, "digitization_level": 0.163}

#: effect of +100 if_index points on each outcome, by bank type
INDEX_EFFECT: dict[str, dict[str, float]] = {
    "demand_deposit_share": {"state_owned": -0.012, "joint_stock": -0.025, "city_commercial": -0.045, "rural_commercial": -0.050},
    "deposit_cost": {"state_owned": 0.06, "joint_stock": 0.12, "city_commercial": 0.20, "rural_commercial": 0.22},
    "nim": {"state_owned": -0.05, "joint_stock": -0.10, "city_commercial": -0.18, "rural_commercial": -0.22},
    "roa": {"state_owned": -0.02, "joint_stock": -0.05, "city_commercial": -0.09, "rural_commercial": -0.11},
}
#: per outcome: type baselines, loading of the bank effect on province development (κ), sd of the
#: rest of the bank effect (τ), year trend per decade (correlated with the index's growth), sd of the
#: idiosyncratic year effect, innovation sd of the AR(1) error, decimals stored
OUTCOME_PARAMS: dict[str, dict[str, Any]] = {
    "demand_deposit_share": dict(
        base={"state_owned": 0.44, "joint_stock": 0.36, "city_commercial": 0.42, "rural_commercial": 0.46},
        kappa=0.06, tau=0.035, trend=0.10, year_sd=0.006, sd=0.016, decimals=6,
    ),
    "deposit_cost": dict(
        base={"state_owned": 1.70, "joint_stock": 2.00, "city_commercial": 2.10, "rural_commercial": 2.20},
        kappa=-0.15, tau=0.10, trend=-0.35, year_sd=0.05, sd=0.06, decimals=4,
    ),
    "nim": dict(
        base={"state_owned": 2.45, "joint_stock": 2.25, "city_commercial": 2.55, "rural_commercial": 2.95},
        kappa=0.10, tau=0.15, trend=-0.25, year_sd=0.04, sd=0.08, decimals=4,
    ),
    "roa": dict(
        base={"state_owned": 1.10, "joint_stock": 0.95, "city_commercial": 0.95, "rural_commercial": 0.95},
        kappa=0.10, tau=0.10, trend=-0.15, year_sd=0.03, sd=0.05, decimals=4,
    ),
    "npl_ratio": dict(
        base={"state_owned": 1.70, "joint_stock": 1.80, "city_commercial": 1.95, "rural_commercial": 2.30},
        kappa=-0.20, tau=0.20, trend=0.0, year_sd=0.05, sd=0.12, decimals=4,
    ),
}
NPL_QUADRATIC = {"linear": -0.60, "quadratic": 0.12}  # npl = ... + b1·x + b2·x², x = if_index/100
#: planted channel: +1 percentage point of a bank's deposit cost above the year's average lowers its
#: NIM by 0.5 points (the bank passes part of its extra funding cost on to loan rates)
DEPOSIT_COST_TO_NIM = -0.5
AR_RHO = 0.5
#: idiosyncratic noise is smaller for big banks (their ratios are smoother)
NOISE_SCALE = {"state_owned": 0.6, "joint_stock": 0.8, "city_commercial": 1.0, "rural_commercial": 1.0}
YUEBAO_EVENT = {2013: -0.02, 2014: -0.05, 2015: -0.07, **{y: -0.08 for y in range(2016, 2024)}}
EXPOSURE_BETA = (2.0, 3.0)

#: bank counts by type for the default 150 banks; HQ provinces of the national banks
STATE_OWNED_HQ = ("Beijing", "Beijing", "Beijing", "Beijing", "Shanghai", "Beijing")
JOINT_STOCK_HQ = (
    "Beijing", "Beijing", "Beijing", "Beijing", "Guangdong", "Shanghai",
    "Fujian", "Guangdong", "Guangdong", "Shandong", "Zhejiang", "Tianjin",
)
LATE_ENTRY_SHARE = 0.25  # share of city/rural banks entering the panel in 2009-2015

MACRO = {
    "granger_lag": 1,
    "mmf_to_demand_coef": -0.10,
    "demand_ar1": 0.20,
    "demand_const": 0.0105,
    "demand_sd": 0.010,
    "shibor_to_mmf_yield": 0.80,
    "mmf_yield_const": 0.50,
    "mmf_yield_sd": 0.15,
    "mmf_yield_to_mmf_growth": 0.015,
    "mmf_growth_sd": 0.035,
}


def _bank_counts(n_banks: int) -> dict[str, int]:
    if n_banks == 150:
        return {"state_owned": 6, "joint_stock": 12, "city_commercial": 70, "rural_commercial": 62}
    s = max(1, round(0.04 * n_banks))
    j = max(1, round(0.08 * n_banks))
    c = round((n_banks - s - j) * 70 / 132)
    return {"state_owned": s, "joint_stock": j, "city_commercial": c, "rural_commercial": n_banks - s - j - c}


def simulate_indicators(ss: np.random.SeedSequence) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Province × year internet-finance indicators shaped like the PKU index (2008–2023)."""
    rng = sub_rngs(ss, ("curve", "noise", "dims", "usage"))
    names = [p[0] for p in PROVINCES]
    regions = np.array([p[2] for p in PROVINCES])
    n_p, n_t = len(names), len(YEARS)
    dev = np.where(regions == "east", 1.0, np.where(regions == "central", 0.45, 0.0))
    dev = dev + rng["curve"].normal(0, 0.15, n_p)
    ceiling = 365 + 80 * dev + rng["curve"].normal(0, 15, n_p)
    midpoint = 2014.6 - 1.3 * dev + rng["curve"].normal(0, 0.5, n_p)
    speed = 0.58 + rng["curve"].normal(0, 0.04, n_p)
    t = YEARS[None, :].astype(float)
    curve = ceiling[:, None] / (1 + np.exp(-speed[:, None] * (t - midpoint[:, None])))
    idx = np.maximum(curve + ar1(rng["noise"], n_p, n_t, 0.6, 6.0), 3.0)

    # sub-indices around the index; then the index is rebuilt from them with the PKU weights
    g = rng["dims"]
    cov_b = idx * (1.10 + 0.08 * dev[:, None]) * np.exp(g.normal(0, 0.04, idx.shape))
    use_d = idx * (0.90 + 0.05 * (t - 2015) / 8) * np.exp(g.normal(0, 0.06, idx.shape))
    rest = (idx - INDEX_WEIGHTS["coverage_breadth"] * cov_b - INDEX_WEIGHTS["usage_depth"] * use_d)
    digi = np.maximum(rest / INDEX_WEIGHTS["digitization_level"], 1.0)
    cov_b, use_d, digi = (np.round(a, 2) for a in (cov_b, use_d, digi))
    if_index = np.round(
        INDEX_WEIGHTS["coverage_breadth"] * cov_b + INDEX_WEIGHTS["usage_depth"] * use_d
        + INDEX_WEIGHTS["digitization_level"] * digi, 4,
    )

    u = rng["usage"]
    s = if_index / 100.0
    tt = np.broadcast_to(t, idx.shape)

    def noisy(x: np.ndarray, sd: float = 0.08) -> np.ndarray:
        return x * np.exp(u.normal(0, sd, x.shape))

    p2p_path = np.where(tt <= 2017, np.exp(0.75 * (tt - 2017)), np.exp(-1.1 * (tt - 2017)))
    frame = pd.DataFrame({
        "province": np.repeat(names, n_t),
        "region": np.repeat(regions, n_t),
        "year": np.tile(YEARS, n_p).astype(np.int64),
        "if_index": if_index.ravel(),
        "coverage_breadth": cov_b.ravel(),
        "usage_depth": use_d.ravel(),
        "digitization_level": digi.ravel(),
        "account_coverage": np.round(noisy(1800 * s**0.9), 1).ravel(),
        "payment": np.round(noisy(40 * s**1.6), 2).ravel(),
        "monetary_fund": np.round(noisy(np.where(tt >= 2013, 900 * s**1.3, 25 * s)), 1).ravel(),
        "p2p_lending": np.round(noisy(1200 * s * p2p_path, 0.15), 2).ravel(),
        "digital_credit": np.round(noisy(600 * s**1.4), 1).ravel(),
        "insurance": np.round(noisy(500 * s**1.2), 1).ravel(),
        "investment": np.round(noisy(np.where(tt >= 2013, 300 * s**1.5, 10 * s)), 1).ravel(),
    })
    info = {
        "development": dict(zip(names, np.round(dev, 6).tolist(), strict=True)),
        "curve": {"ceiling": dict(zip(names, np.round(ceiling, 4).tolist(), strict=True)),
                  "midpoint_year": dict(zip(names, np.round(midpoint, 4).tolist(), strict=True)),
                  "speed": dict(zip(names, np.round(speed, 4).tolist(), strict=True))},
        "noise": {"ar1_rho": 0.6, "innovation_sd": 6.0},
        "index_weights": INDEX_WEIGHTS,
    }
    return frame, info


def simulate_world_bank_panel(
    ss: np.random.SeedSequence, indicators: pd.DataFrame, development: dict[str, float], n_banks: int = 150
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The world's bank × year panel driven by the province index (see module docstring).

    Builds the bundled ``bank_panel`` table; the small test panels of the competition tests are
    :func:`bankcrm_research.simulate.panels.simulate_bank_panel`.
    """
    rng = sub_rngs(ss, ("banks", "balance", "other"))
    counts = _bank_counts(n_banks)
    province_names = [p[0] for p in PROVINCES]
    regions = {p[0]: p[2] for p in PROVINCES}
    east = [p for p in province_names if regions[p] == "east"]

    # --- bank roster -------------------------------------------------------------------------
    rb = rng["banks"]
    types, provs = [], []
    for bt in BANK_TYPES:
        k = counts[bt]
        types += [bt] * k
        if bt == "state_owned":
            hq = list(STATE_OWNED_HQ) if k == len(STATE_OWNED_HQ) else list(rb.choice(east, k))
        elif bt == "joint_stock":
            hq = list(JOINT_STOCK_HQ) if k == len(JOINT_STOCK_HQ) else list(rb.choice(east, k))
        else:
            # local banks: every province gets some, the east more
            w = np.array([1.6 if regions[p] == "east" else 1.0 for p in province_names])
            hq = list(rb.choice(province_names, k, p=w / w.sum()))
        provs += hq
    types_a = np.array(types)
    provs_a = np.array(provs)
    nb = len(types_a)
    bank_ids = np.array([f"B{i + 1:03d}" for i in range(nb)])
    local = np.isin(types_a, ["city_commercial", "rural_commercial"])
    late = local & (rb.random(nb) < LATE_ENTRY_SHARE)
    entry = np.where(late, rb.integers(2009, 2016, nb), YEARS[0])
    exposure = np.round(rb.beta(*EXPOSURE_BETA, nb), 4)

    # --- index for each bank-year --------------------------------------------------------------
    idx_wide = indicators.pivot(index="province", columns="year", values="if_index")
    x = idx_wide.loc[provs_a, YEARS].to_numpy() / 100.0  # (nb, nt)
    dev = np.array([development[p] for p in provs_a])
    dev_c = dev - np.mean(list(development.values()))
    nt = len(YEARS)
    decade = (YEARS - 2015.5) / 10.0

    # one generator per outcome (spawned in the fixed order of OUTCOME_PARAMS) so that changing one
    # outcome's parameters leaves the other outcomes' draws unchanged
    outcome_rngs = sub_rngs(ss.spawn(1)[0], tuple(OUTCOME_PARAMS))
    outcomes: dict[str, np.ndarray] = {}
    bank_effects: dict[str, list[float]] = {}
    year_effects: dict[str, list[float]] = {}
    for name, par in OUTCOME_PARAMS.items():
        re = rerr = outcome_rngs[name]
        base = np.array([par["base"][t] for t in types_a])
        alpha = par["kappa"] * dev_c + re.normal(0, par["tau"], nb)
        gamma = par["trend"] * decade + re.normal(0, par["year_sd"], nt)
        scale = np.array([NOISE_SCALE[t] for t in types_a])[:, None]
        u = ar1(rerr, nb, nt, AR_RHO, par["sd"]) * scale
        y = base[:, None] + alpha[:, None] + gamma[None, :] + u
        if name in INDEX_EFFECT:
            beta = np.array([INDEX_EFFECT[name][t] for t in types_a])
            y = y + beta[:, None] * x
        if name == "demand_deposit_share":
            delta = np.array([YUEBAO_EVENT.get(int(yr), 0.0) for yr in YEARS])
            y = y + exposure[:, None] * delta[None, :]
        if name == "npl_ratio":
            y = y + NPL_QUADRATIC["linear"] * x + NPL_QUADRATIC["quadratic"] * x**2
        outcomes[name] = y
        bank_effects[name] = np.round(alpha, 6).tolist()
        year_effects[name] = np.round(gamma, 6).tolist()
    # deposit-cost -> NIM channel, after the loop so every draw above is unchanged; the stored
    # (rounded) deposit cost is the mediator, so the channel acts on exactly what a user observes.
    # NIM responds to a bank's deposit cost relative to the year's average over all simulated banks:
    # market-wide rate moves reprice loans as well and leave margins alone.
    dc_stored = np.round(outcomes["deposit_cost"], OUTCOME_PARAMS["deposit_cost"]["decimals"])
    outcomes["nim"] = outcomes["nim"] + DEPOSIT_COST_TO_NIM * (dc_stored - dc_stored.mean(axis=0, keepdims=True))

    # --- balance sheet -----------------------------------------------------------------------
    rbal = rng["balance"]
    size0 = {"state_owned": (np.log(80000), 0.35), "joint_stock": (np.log(15000), 0.5),
             "city_commercial": (np.log(900), 0.9), "rural_commercial": (np.log(350), 0.9)}
    growth = {"state_owned": 0.085, "joint_stock": 0.12, "city_commercial": 0.15, "rural_commercial": 0.14}
    log_a0 = np.array([rbal.normal(*size0[t]) for t in types_a])
    g = np.array([growth[t] for t in types_a]) + rbal.normal(0, 0.02, nb)
    t_idx = np.arange(nt)[None, :]
    log_assets = log_a0[:, None] + g[:, None] * t_idx + ar1(rbal, nb, nt, 0.7, 0.03)
    total_assets = np.exp(log_assets)
    dep_ratio = np.clip(0.72 + rbal.normal(0, 0.05, nb)[:, None] + ar1(rbal, nb, nt, 0.6, 0.015), 0.45, 0.9)
    lta_base = {"state_owned": 0.52, "joint_stock": 0.50, "city_commercial": 0.46, "rural_commercial": 0.50}
    loan_to_assets = np.clip(np.array([lta_base[t] for t in types_a])[:, None]
                             + rbal.normal(0, 0.04, nb)[:, None] + 0.006 * t_idx
                             + ar1(rbal, nb, nt, 0.6, 0.012), 0.2, 0.85)
    ro = rng["other"]
    cap_base = {"state_owned": 15.5, "joint_stock": 13.0, "city_commercial": 12.8, "rural_commercial": 13.3}
    capital_ratio = (np.array([cap_base[t] for t in types_a])[:, None] + ro.normal(0, 0.8, nb)[:, None]
                     + 0.08 * t_idx + ar1(ro, nb, nt, 0.6, 0.4))
    eta_base = {"state_owned": 7.6, "joint_stock": 7.0, "city_commercial": 7.2, "rural_commercial": 7.8}
    equity_to_assets = np.clip(np.array([eta_base[t] for t in types_a])[:, None] + ro.normal(0, 0.7, nb)[:, None]
                               + 0.03 * t_idx + ar1(ro, nb, nt, 0.7, 0.25), 3.0, 15.0)

    dds = outcomes["demand_deposit_share"]
    deposits = total_assets * dep_ratio
    demand = np.round(deposits * dds, 2)
    time_dep = np.round(deposits * (1 - dds), 2)
    deposits_r = np.round(demand + time_dep, 2)
    interest_expense = np.round(deposits_r * outcomes["deposit_cost"] / 100, 2)
    ta_r = np.round(total_assets, 2)

    rows = pd.DataFrame({
        "bank_id": np.repeat(bank_ids, nt),
        "bank_type": np.repeat(types_a, nt),
        "province": np.repeat(provs_a, nt),
        "year": np.tile(YEARS, nb).astype(np.int64),
        "total_assets": ta_r.ravel(),
        "deposits": deposits_r.ravel(),
        "demand_deposits": demand.ravel(),
        "time_deposits": time_dep.ravel(),
        "loans": np.round(total_assets * loan_to_assets, 2).ravel(),
        "equity": np.round(total_assets * equity_to_assets / 100, 2).ravel(),
        "interest_expense": interest_expense.ravel(),
        "demand_deposit_share": np.round(dds, 6).ravel(),
        "deposit_cost": np.round(outcomes["deposit_cost"], 4).ravel(),
        "loan_to_assets": np.round(loan_to_assets, 6).ravel(),
        "nim": np.round(outcomes["nim"], 4).ravel(),
        "roa": np.round(outcomes["roa"], 4).ravel(),
        "npl_ratio": np.round(outcomes["npl_ratio"], 4).ravel(),
        "capital_ratio": np.round(capital_ratio, 4).ravel(),
        "equity_to_assets": np.round(equity_to_assets, 4).ravel(),
        "yuebao_exposure": np.repeat(exposure, nt),
        "log_assets": np.round(np.log(ta_r), 6).ravel(),
        "if_index": np.round(x * 100, 4).ravel(),
    })
    keep = rows["year"].to_numpy() >= np.repeat(entry, nt)
    panel = rows.loc[keep].reset_index(drop=True)

    info = {
        "bank_counts": counts,
        "entry_year": dict(zip(bank_ids.tolist(), entry.astype(int).tolist(), strict=True)),
        "bank_effects": {k: dict(zip(bank_ids.tolist(), v, strict=True)) for k, v in bank_effects.items()},
        "year_effects": {k: dict(zip([int(y) for y in YEARS], v, strict=True)) for k, v in year_effects.items()},
    }
    return panel, info


def simulate_macro(ss: np.random.SeedSequence) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Monthly macro series 2008-01 … 2023-12 with a known MMF → demand-deposit Granger link."""
    rng = sub_rngs(ss, ("rates", "mmf", "deposits"))
    months = pd.date_range("2008-01-01", "2023-12-01", freq="MS")
    n = len(months)
    # policy rate: 1-year benchmark lending-style path as steps (% p.a.)
    steps = [("2008-01", 3.87), ("2008-12", 2.25), ("2010-11", 2.50), ("2011-02", 3.00), ("2011-07", 3.50),
             ("2012-06", 3.25), ("2012-07", 3.00), ("2014-11", 2.75), ("2015-03", 2.50), ("2015-05", 2.25),
             ("2015-06", 2.00), ("2015-08", 1.75), ("2015-10", 1.50), ("2020-02", 1.40), ("2022-01", 1.30),
             ("2023-06", 1.20)]
    policy = np.zeros(n)
    for start, val in steps:
        policy[months >= pd.Timestamp(start + "-01")] = val
    r = rng["rates"]
    spread = 1.3 + 0.9 * ((months >= "2013-05-01") & (months <= "2014-06-01")) + ar1(r, 1, n, 0.85, 0.22)[0]
    shibor_3m = np.round(np.maximum(policy + spread, 0.8), 4)
    shibor_on = np.round(np.maximum(shibor_3m - 0.9 + ar1(r, 1, n, 0.5, 0.35)[0], 0.3), 4)
    mmf_yield = np.round(MACRO["mmf_yield_const"] + MACRO["shibor_to_mmf_yield"] * shibor_3m
                         + r.normal(0, MACRO["mmf_yield_sd"], n), 4)

    m = rng["mmf"]
    regime = np.select(
        [months < "2013-06-01", months < "2015-01-01", months < "2018-01-01"], [0.008, 0.075, 0.035], 0.004
    )
    dlog_mmf = regime + MACRO["mmf_yield_to_mmf_growth"] * (mmf_yield - 3.0) + m.normal(0, MACRO["mmf_growth_sd"], n)
    dlog_mmf[0] = 0.0
    mmf_aum = np.round(4000 * np.exp(np.cumsum(dlog_mmf)), 2)

    d = rng["deposits"]
    lag = MACRO["granger_lag"]
    dlog_dd = np.zeros(n)
    e = d.normal(0, MACRO["demand_sd"], n)
    # the MMF term enters as deviation of growth from its regime mean so deposits keep growing overall
    for t in range(1, n):
        mmf_term = MACRO["mmf_to_demand_coef"] * dlog_mmf[t - lag] if t - lag >= 1 else 0.0
        dlog_dd[t] = MACRO["demand_const"] + MACRO["demand_ar1"] * dlog_dd[t - 1] + mmf_term + e[t]
    demand = np.round(72000 * np.exp(np.cumsum(dlog_dd)), 2)
    dlog_td = 0.010 + d.normal(0, 0.008, n)
    dlog_td[0] = 0.0
    time_dep = np.round(110000 * np.exp(np.cumsum(dlog_td)), 2)

    frame = pd.DataFrame({
        "month": months,
        "mmf_aum": mmf_aum,
        "demand_deposits": demand,
        "time_deposits": time_dep,
        "shibor_3m": shibor_3m,
        "shibor_on": shibor_on,
        "policy_rate": policy,
        "mmf_yield_7d": mmf_yield,
    })
    return frame, {"policy_rate_steps": [[s, v] for s, v in steps]}
