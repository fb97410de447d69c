"""Orchestrator: one seeded, mutually consistent bank-CRM world and its recorded truth.

``simulate_world`` returns all six tables in memory (the default world is small);
``write_world`` writes them to a folder byte-for-byte reproducibly, streaming the transactions to
Parquet in chunks of customers so that large benchmark worlds (1M customers, 50M transactions)
never sit in memory at once.

Determinism: every table draws from its own ``SeedSequence`` child spawned from the root seed in
the fixed order :data:`~bankcrm_research.simulate._common.STREAMS`; CSV floats are rounded in the
generator and written with a fixed format; Parquet is written with fixed settings and no
timestamps or pandas metadata.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bankcrm_research.simulate import banks, customers, mechanisms, survey
from bankcrm_research.simulate.readme import render_readme
from bankcrm_research.simulate._common import (
    DEFAULT_SEED,
    FALL_DAY,
    MARKET_FALL,
    STREAMS,
    STUDY_END,
    STUDY_START,
    VALUE_TIERS,
    spawn_streams,
    sub_rngs,
)

__all__ = ["World", "simulate_world", "write_world", "TABLES", "FILES", "GENERATOR_VERSION"]

GENERATOR_VERSION = "1.0"
TABLES: tuple[str, ...] = (
    "bank_panel", "internet_finance_indicators", "macro_monthly", "customers", "transactions", "survey",
)
FILES: dict[str, str] = {
    "bank_panel": "bank_panel.csv",
    "internet_finance_indicators": "internet_finance_indicators.csv",
    "macro_monthly": "macro_monthly.csv",
    "customers": "customers.csv",
    "transactions": "transactions.parquet",
    "survey": "survey.csv",
}
DEFAULTS = {"n_customers": 20_000, "n_banks": 150, "n_transactions": 600_000, "n_respondents": 1_500}
CUSTOMER_COLUMNS = (
    "customer_id", "open_date", "tenure_months", "age", "gender", "city_tier", "income", "value_tier", "aum",
    "n_products", "mobile_user", "digital_share", "branch_visits_12m", "rm_id", "rm_change_date", "holds_fund",
    "fund_loss_pct", "followup_contact", "complaints_12m", "credit_applications", "approval_days", "churned",
    "churn_date", "duration_months", "churn_12m_after_fall", "campaign_date", "logins_90d", "logins_prev_90d",
    "churn_next_6m", "surveyed",
)


@dataclass
class World(Mapping[str, pd.DataFrame]):
    """The simulated tables (dict-like: ``world["customers"]``) and the planted ``truth``."""

    tables: dict[str, pd.DataFrame]
    truth: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> pd.DataFrame:
        if key == "truth":  # convenience: world["truth"] as in a plain dict of tables + truth
            return self.truth  # type: ignore[return-value]
        return self.tables[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def __len__(self) -> int:
        return len(self.tables)


@dataclass
class _Core:
    tables: dict[str, pd.DataFrame]
    truth: dict[str, Any]
    transactions_ss: np.random.SeedSequence


def _core(seed: int, n_customers: int, n_banks: int, n_respondents: int, population_draw: int) -> _Core:
    streams = spawn_streams(seed)
    indicators, ind_info = banks.simulate_indicators(streams["internet_finance_indicators"])
    panel, panel_info = banks.simulate_world_bank_panel(
        streams["bank_panel"], indicators, ind_info["development"], n_banks=n_banks
    )
    macro, macro_info = banks.simulate_macro(streams["macro_monthly"])

    # survey model drawn for every customer (potential answers): the CUSA score feeds churn
    srng = sub_rngs(streams["survey"], ("latents", "cusa_items", "select", "items"))
    latents = survey.simulate_latents(srng["latents"], n_customers)
    cusa_items = survey.simulate_items(srng["cusa_items"], latents, survey.CUSA_ITEMS)
    cusa_score = cusa_items.to_numpy(dtype=float).mean(axis=1)

    attrs, aux = customers.simulate_attributes(streams["customers"], n_customers)
    # actual approval times are a little slower for customers who perceive quality as low
    perq = latents["PERQ"].to_numpy()
    aux["approval_z"] = -0.3 * perq + np.sqrt(1 - 0.3**2) * aux["approval_z"]
    outcomes, loyalty_info = customers.simulate_outcomes(attrs, aux, cusa_score)
    cust = pd.concat([attrs, outcomes], axis=1)

    n_resp = min(n_respondents, n_customers)
    w = np.array([survey.TIER_SAMPLING_WEIGHT[t] for t in cust["value_tier"]])
    resp_idx = np.sort(srng["select"].choice(n_customers, n_resp, replace=False, p=w / w.sum()))
    cust["surveyed"] = np.zeros(n_customers, dtype=bool)
    cust.loc[resp_idx, "surveyed"] = True
    cust = cust[list(CUSTOMER_COLUMNS)]
    surv = survey.assemble_survey(srng["items"], cust, latents, cusa_items, resp_idx)

    pop = survey.population_values(np.random.default_rng(streams["population"]), population_draw)
    truth = _truth(
        seed=seed, sizes={"n_customers": n_customers, "n_banks": n_banks, "n_respondents": n_resp},
        indicators=indicators, ind_info=ind_info, panel=panel, panel_info=panel_info, macro_info=macro_info,
        loyalty_info=loyalty_info, pop=pop, customers_df=cust, cusa_score=cusa_score,
    )
    tables = {
        "bank_panel": panel,
        "internet_finance_indicators": indicators,
        "macro_monthly": macro,
        "customers": cust,
        "survey": surv,
    }
    return _Core(tables, truth, streams["transactions"])


def simulate_world(
    seed: int = DEFAULT_SEED,
    n_customers: int = DEFAULTS["n_customers"],
    n_banks: int = DEFAULTS["n_banks"],
    n_transactions: int = DEFAULTS["n_transactions"],
    n_respondents: int = DEFAULTS["n_respondents"],
    *,
    population_draw: int = 400_000,
    chunk_customers: int = 50_000,
) -> World:
    """Simulate the bank-CRM world in memory.

    Parameters
    ----------
    seed : int
        Root seed; each table gets its own stream spawned from it.
    n_customers, n_banks, n_transactions, n_respondents : int
        Sizes. ``n_transactions`` is the expected number of transaction rows (Poisson).
    population_draw : int
        Size of the auxiliary draw for the population values of the survey items in the truth.
    chunk_customers : int
        Customers per transaction chunk (part of the RNG layout: keep it fixed for identical bytes).

    Returns
    -------
    World
        ``world["customers"]`` etc. and ``world.truth`` (the content of ``truth.json``).
    """
    _check_sizes(seed, n_customers, n_banks, n_transactions, n_respondents, population_draw, chunk_customers)
    core = _core(seed, n_customers, n_banks, n_respondents, population_draw)
    txn = pd.concat(
        [chunk.to_frame() for chunk in customers.iter_transactions(
            core.transactions_ss, core.tables["customers"], n_transactions, chunk_customers=chunk_customers)],
        ignore_index=True,
    )
    core.tables["transactions"] = txn
    _add_transaction_truth(core.truth, core.tables["customers"], n_transactions, len(txn))
    tables = {name: core.tables[name] for name in TABLES}
    return World(tables=tables, truth=core.truth)


def _check_sizes(seed: int, n_customers: int, n_banks: int, n_transactions: int, n_respondents: int,
                 population_draw: int, chunk_customers: int) -> None:
    from bankcrm_research.data.validate import require_positive_int

    require_positive_int(seed, param="seed", minimum=0)
    for name, v, lo in (("n_customers", n_customers, 1), ("n_banks", n_banks, 4), ("n_transactions", n_transactions, 1),
                        ("n_respondents", n_respondents, 1), ("population_draw", population_draw, 1000),
                        ("chunk_customers", chunk_customers, 1)):
        require_positive_int(v, param=name, minimum=lo)


def _add_transaction_truth(truth: dict[str, Any], cust: pd.DataFrame, n_target: int, n_rows: int) -> None:
    scale = customers.transaction_rate_scale(cust, n_target)
    seg = truth.setdefault("segments", {})
    seg["transaction_rate_per_month"] = {t: round(customers.TXN_RATE_PER_MONTH[t] * scale, 6) for t in VALUE_TIERS}
    seg["amount_median"] = customers.TXN_AMOUNT_MEDIAN
    seg["amount_log_sd"] = customers.TXN_AMOUNT_SIGMA
    seg["txn_type_prob"] = dict(zip(customers.TXN_TYPES, customers.TXN_TYPE_PROB, strict=True))
    seg["txn_type_amount_multiplier"] = dict(zip(customers.TXN_TYPES, customers.TXN_TYPE_AMOUNT, strict=True))
    seg["fund_holder_fund_purchase_multiplier"] = 3.0
    seg["refund_prob_of_payments"] = customers.REFUND_PROB
    seg["prechurn_slowdown"] = _prechurn_truth()
    seg["n_transactions_target"] = n_target
    seg["n_transactions"] = n_rows


def _prechurn_truth() -> dict[str, Any]:
    return {"days_before_churn": [d for d, _ in customers.PRECHURN_SLOWDOWN],
            "rate_multiplier": [m for _, m in customers.PRECHURN_SLOWDOWN],
            "applies_to": ["transactions", "logins_90d", "logins_prev_90d"],
            "meaning": "activity rate x multiplier from that many days before the churn date on (furthest step "
                       "first); none after churn"}


# ------------------------------------------------------------------------------------------------
# writing
# ------------------------------------------------------------------------------------------------
def _write_csv(df: pd.DataFrame, path: Path) -> None:
    out = df.copy()
    for c in out.columns:
        s = out[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[c] = s.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(s) or str(s.dtype) == "boolean":
            out[c] = s.map({True: "true", False: "false"})
    # floats are rounded in the generator; %.12g prints them in their shortest fixed form
    out.to_csv(path, index=False, float_format="%.12g", lineterminator="\n", encoding="utf-8", na_rep="")


def _txn_schema():  # type: ignore[no-untyped-def]
    import pyarrow as pa

    return pa.schema([
        ("transaction_id", pa.int64()),
        ("customer_id", pa.string()),
        ("txn_date", pa.date32()),
        ("amount", pa.float64()),
        ("channel", pa.string()),
        ("txn_type", pa.string()),
    ])


def _parquet_writer(path: Path):  # type: ignore[no-untyped-def]
    import pyarrow.parquet as pq

    return pq.ParquetWriter(
        str(path), _txn_schema(), compression="zstd", compression_level=9, use_dictionary=True,
        write_statistics=True, version="2.6", data_page_version="1.0", store_schema=False,
    )


def write_world(
    out: str | Path,
    *,
    seed: int = DEFAULT_SEED,
    n_customers: int = DEFAULTS["n_customers"],
    n_banks: int = DEFAULTS["n_banks"],
    n_transactions: int = DEFAULTS["n_transactions"],
    n_respondents: int = DEFAULTS["n_respondents"],
    population_draw: int = 400_000,
    chunk_customers: int = 50_000,
) -> dict[str, Path]:
    """Simulate and write the world to ``out`` (CSV + Parquet + truth.json); returns the paths.

    Transactions are streamed chunk by chunk into one Parquet file (one row group per chunk), so
    memory stays bounded by ``chunk_customers`` × transactions per customer.
    """
    _check_sizes(seed, n_customers, n_banks, n_transactions, n_respondents, population_draw, chunk_customers)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    core = _core(seed, n_customers, n_banks, n_respondents, population_draw)
    paths: dict[str, Path] = {}
    for name in TABLES:
        if name == "transactions":
            continue
        p = out / FILES[name]
        _write_csv(core.tables[name], p)
        paths[name] = p
    p = out / FILES["transactions"]
    n_rows = 0
    first, last = None, None
    writer = _parquet_writer(p)
    try:
        for chunk in customers.iter_transactions(core.transactions_ss, core.tables["customers"], n_transactions,
                                                 chunk_customers=chunk_customers):
            n_rows += len(chunk)
            if len(chunk):
                lo, hi = int(chunk.day.min()), int(chunk.day.max())
                first = lo if first is None else min(first, lo)
                last = hi if last is None else max(last, hi)
            writer.write_table(chunk.to_arrow(_txn_schema()), row_group_size=max(len(chunk), 1))
    finally:
        writer.close()
    paths["transactions"] = p
    _add_transaction_truth(core.truth, core.tables["customers"], n_transactions, n_rows)
    tp = out / "truth.json"
    tp.write_text(json.dumps(core.truth, indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")
    paths["truth"] = tp
    summary = _summary(core.tables)
    summary["transactions"] = {"rows": n_rows, "period": "" if first is None else _period(
        STUDY_START + pd.Timedelta(days=first), STUDY_START + pd.Timedelta(days=last))}
    rp = out / "README.md"
    rp.write_text(render_readme(core.truth, summary), encoding="utf-8")
    paths["readme"] = rp
    return paths


def _period(lo: Any, hi: Any, fmt: str = "%Y-%m-%d") -> str:
    if lo is None or pd.isna(lo):
        return ""
    if isinstance(lo, (int, np.integer)):
        return f"{lo}–{hi}"
    return f"{pd.Timestamp(lo).strftime(fmt)} … {pd.Timestamp(hi).strftime(fmt)}"


def _summary(tables: Mapping[str, pd.DataFrame]) -> dict[str, dict[str, Any]]:
    """Rows and period of each table (for the README overview)."""
    out: dict[str, dict[str, Any]] = {}
    for name, df in tables.items():
        if name == "bank_panel" or name == "internet_finance_indicators":
            period = _period(int(df["year"].min()), int(df["year"].max()))
        elif name == "macro_monthly":
            period = _period(df["month"].min(), df["month"].max(), "%Y-%m")
        elif name == "customers":
            period = f"{STUDY_START:%Y-%m-%d} … {STUDY_END:%Y-%m-%d}"
        elif name == "survey":
            period = _period(df["survey_date"].min(), df["survey_date"].max())
        else:
            period = _period(df["txn_date"].min(), df["txn_date"].max()) if len(df) else ""
        out[name] = {"rows": len(df), "period": period}
    return out


# ------------------------------------------------------------------------------------------------
# truth
# ------------------------------------------------------------------------------------------------
def _r(x: float, k: int = 6) -> float:
    return round(float(x), k)


def _truth(**kw: Any) -> dict[str, Any]:
    panel: pd.DataFrame = kw["panel"]
    counts = kw["panel_info"]["bank_counts"]
    total = sum(counts.values())
    effects: dict[str, dict[str, float]] = {}
    for outcome, by_type in mechanisms.total_index_effect().items():  # nim: direct + deposit-cost channel
        effects[outcome] = dict(by_type)
        effects[outcome]["average"] = _r(sum(by_type[t] * counts[t] for t in by_type) / total)
    b1, b2 = banks.NPL_QUADRATIC["linear"], banks.NPL_QUADRATIC["quadratic"]
    event = {str(y): float(banks.YUEBAO_EVENT.get(y, 0.0)) for y in range(2008, 2024)}
    post = [banks.YUEBAO_EVENT[y] for y in range(2013, 2024)]
    ind: pd.DataFrame = kw["indicators"]

    sat_pop = kw["pop"]
    cust: pd.DataFrame = kw["customers_df"]
    loyalty_info = kw["loyalty_info"]
    hr = dict(customers.CHURN_LOG_HR)
    truth: dict[str, Any] = {
        "simulated": True,
        "generator": {
            "package": "bankcrm_research.simulate",
            "version": GENERATOR_VERSION,
            "seed": kw["seed"],
            **kw["sizes"],
            "study_start": STUDY_START.strftime("%Y-%m-%d"),
            "study_end": STUDY_END.strftime("%Y-%m-%d"),
            "market_fall": MARKET_FALL.strftime("%Y-%m-%d"),
            "streams": list(STREAMS),
        },
        "competition": {
            "index_effect": effects,
            "index_effect_unit": "change in the outcome per +100 if_index points (outcome units)",
            "index_effect_note": "total effects: nim's includes the deposit-cost channel (competition.mediation)",
            "mediation": {"deposit_cost->nim": mechanisms.mediation_truth(panel)},
            "staggered": mechanisms.staggered_truth(panel),
            "npl_quadratic": {"linear": b1, "quadratic": b2, "turning_point": _r(-b1 / (2 * b2) * 100, 4)},
            "event_study": {"demand_deposit_share": event, "reference_year": 2012},
            "did": {"demand_deposit_share": _r(np.mean(post))},
            "serial_correlation": banks.AR_RHO,
            "noise_scale_by_type": banks.NOISE_SCALE,
            "outcome_params": {k: {kk: vv for kk, vv in v.items() if kk != "decimals"}
                               for k, v in banks.OUTCOME_PARAMS.items()},
            "bank_counts": counts,
            "late_entry_share_local_banks": banks.LATE_ENTRY_SHARE,
            "yuebao_exposure_distribution": {"beta_a": banks.EXPOSURE_BETA[0], "beta_b": banks.EXPOSURE_BETA[1],
                                             "independent_of": ["bank_type", "province", "if_index"]},
            "if_index_range": [_r(ind["if_index"].min(), 4), _r(ind["if_index"].max(), 4)],
            "index": kw["ind_info"],
            "bank_effects": kw["panel_info"]["bank_effects"],
            "year_effects": kw["panel_info"]["year_effects"],
            "entry_year": kw["panel_info"]["entry_year"],
            "n_bank_years": len(panel),
        },
        "macro": {
            **banks.MACRO,
            **kw["macro_info"],
        },
        "satisfaction": {
            "paths": dict(survey.PATHS),
            "loadings": sat_pop["loadings"],
            "latent_loadings": {k: v[1] for k, v in survey.ITEMS.items()},
            "item_construct": {k: v[0] for k, v in survey.ITEMS.items()},
            "perq_attribute": survey.PERQ_ATTRIBUTE,
            "attribute_loadings": {k: list(v) for k, v in survey.ATTRIBUTE_LOADINGS.items()},
            "driver_weights": sat_pop["driver_weights"],
            "driver_weights_definition": "population standardised regression weights of the CUSA score (mean of "
                                         "CUSA1-3) on the four attribute scores (mean of each PERQ pair, PERQ6_R "
                                         "reversed back), complete data",
            "driver_rank": sorted(sat_pop["driver_weights"], key=lambda a: -sat_pop["driver_weights"][a]),
            "driver_importance_observed": sat_pop["driver_importance_observed"],
            "r2": survey.latent_r2(),
            "r2_definition": "linear part: CUSL also has the planted CUSA x CHAN interaction (variance "
                             "moderation.latent_interaction^2) that a linear SEM does not explain",
            "moderation": {"latent": "CUSL = 0.20 IMAG + 0.50 CUSA + gamma CUSA*CHAN + e; CHAN = channel-specific "
                                     "factor of PERQ5/PERQ6_R (loading channel_specific), independent of the constructs",
                           "gamma": survey.MODERATION_GAMMA, "channel_specific": survey.CHANNEL_SPECIFIC},
            "process": sat_pop["process"],
            "reverse_coded": list(survey.REVERSED),
            "likert_thresholds": list(survey.THRESHOLDS),
            "missing": {k: (list(v) if isinstance(v, tuple) else v) for k, v in survey.MISSING.items()},
            "tier_sampling_weight": survey.TIER_SAMPLING_WEIGHT,
            "population": {k: sat_pop[k] for k in ("cusa_score_mean", "cusa_score_sd", "item_means", "n_draw")},
            "group_differences": "none planted (paths equal across channel_group and value_tier)",
        },
        "loyalty": {
            "churn_hazard_log_hr": hr,
            "churn_hazard_units": {
                "tenure_months": "per month", "n_products": "per product", "digital_share": "per unit share (0->1)",
                "complaints_12m": "per complaint", "value_tier_affluent": "vs mass", "value_tier_private": "vs mass",
                "age": "per year of age at study_start", "cusa_score": "per point of the mean of CUSA1-CUSA3 (1-7)",
            },
            "no_direct_effect": list(customers.NO_DIRECT_EFFECT),
            "baseline_hazard_per_year": customers.BASELINE_HAZARD_PER_YEAR,
            "baseline_reference": "value_tier mass, " + ", ".join(
                f"{k} {v:g}" for k, v in customers.HAZARD_CENTRE.items()) + ", every other covariate 0",
            "satisfaction_log_hr": hr["cusa_score"],
            "rm_turnover": {**customers.RM_TURNOVER, "share_of_rms_leaving": customers.RM_TURNOVER_SHARE},
            "fund_loss_log_hr_per_pct": customers.FUND_LOSS_LOG_HR,
            "holds_fund_prob": customers.HOLDS_FUND_PROB,
            "followup_effect": loyalty_info["followup_effect"],
            "observed_rates": loyalty_info["observed_rates"],
            "campaign_dates": list(customers.CAMPAIGN_DATES),
            "prechurn_slowdown": _prechurn_truth(),
            "logins": {"rate_per_month": customers.LOGIN_RATE_PER_MONTH, "digital_floor": customers.LOGIN_DIGITAL_FLOOR,
                       "customer_level_gamma_shape": customers.LOGIN_LEVEL_SHAPE,
                       "window_log_noise_sd": customers.LOGIN_WINDOW_NOISE_SD,
                       "window_days": customers.LOGIN_WINDOW_DAYS,
                       "formula": "Poisson(rate_per_month[mobile_user or online_only] x (digital_floor + "
                                  "digital_share) x level x exp(noise) x activity-weighted months of the window)",
                       "causal_role": "none: a marker of the coming churn (pre-churn slowdown), not a cause; "
                                      "predictive only"},
            "fall_day_index": FALL_DAY,
        },
        "segments": {
            "value_tier_share": customers.VALUE_TIER_SHARE,
            "value_tier_observed_share": {t: _r((cust["value_tier"] == t).mean()) for t in VALUE_TIERS},
            "aum_bounds": {t: list(v) for t, v in customers.AUM_BOUNDS.items()},
        },
    }
    return truth
