"""The planted truths are visible in the bundled data: signs and rough sizes with simple estimators.

These are smoke checks of the generator (the analysis modules test full recovery with CIs):
two-way fixed effects by bank type, an exposure × year event study, OLS for the macro links, the
survey's correlation structure, a Cox model for churn, the follow-up contact's naive vs true effect
and the RFM pattern of transactions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import statsmodels.formula.api as smf

from bankcrm_research.data.load import (
    load_bank_panel,
    load_customers,
    load_macro_monthly,
    load_survey,
    transactions_path,
)
from bankcrm_research.data.truth import load_truth


@pytest.fixture(scope="module")
def truth() -> dict:
    return load_truth()


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    bp = load_bank_panel()
    bp["x"] = bp["if_index"] / 100
    return bp


@pytest.mark.parametrize("outcome", ["demand_deposit_share", "deposit_cost", "nim", "roa"])
def test_index_effects_by_bank_type_recovered_by_twfe(panel: pd.DataFrame, truth: dict, outcome: str) -> None:
    fit = pf.feols(f"{outcome} ~ x:C(bank_type) | bank_id + year", data=panel, vcov={"CRV1": "bank_id"})
    tidy = fit.tidy()
    est = {k: tidy.loc[f"x:C(bank_type)[{k}]"] for k in ("state_owned", "city_commercial", "rural_commercial")}
    t = truth["competition"]["index_effect"][outcome]
    for k, row in est.items():
        assert np.sign(row["Estimate"]) == np.sign(t[k])
        assert abs(row["Estimate"] - t[k]) < 0.5 * abs(t[k]) + 0.01
        assert row["2.5%"] > 0 or row["97.5%"] < 0, f"{outcome} {k}: CI includes zero"
    # state-owned banks are hit less than local banks, with separated CIs
    s, c = est["state_owned"], est["city_commercial"]
    if t["city_commercial"] < 0:
        assert s["2.5%"] > c["97.5%"]
    else:
        assert s["97.5%"] < c["2.5%"]


def test_pooled_ols_is_biased_but_twfe_is_not(panel: pd.DataFrame, truth: dict) -> None:
    avg = truth["competition"]["index_effect"]["deposit_cost"]["average"]
    pooled = pf.feols("deposit_cost ~ x", data=panel).coef()["x"]
    assert abs(pooled - avg) > 0.3 * abs(avg)


def test_npl_is_u_shaped_with_turning_point_inside_the_range(panel: pd.DataFrame, truth: dict) -> None:
    panel = panel.assign(x2=panel["x"] ** 2)
    b = pf.feols("npl_ratio ~ x + x2 | bank_id + year", data=panel, vcov={"CRV1": "bank_id"}).coef()
    assert b["x"] < 0 < b["x2"]
    tp = -b["x"] / (2 * b["x2"]) * 100
    assert abs(tp - truth["competition"]["npl_quadratic"]["turning_point"]) < 40
    assert panel["if_index"].min() < tp < panel["if_index"].max()


def test_yuebao_event_study_zero_pretrends_negative_after(panel: pd.DataFrame, truth: dict) -> None:
    years = [y for y in range(2008, 2024) if y != 2012]
    for y in years:
        panel[f"e{y}"] = panel["yuebao_exposure"] * (panel["year"] == y)
    fml = "demand_deposit_share ~ " + " + ".join(f"e{y}" for y in years) + " + x:C(bank_type) | bank_id + year"
    tidy = pf.feols(fml, data=panel, vcov={"CRV1": "bank_id"}).tidy()
    pre = tidy.loc[[f"e{y}" for y in range(2008, 2012)]]
    assert ((pre["2.5%"] < 0) & (pre["97.5%"] > 0)).all(), "pre-trends should be zero"
    post = tidy.loc[[f"e{y}" for y in range(2016, 2024)], "Estimate"]
    assert post.mean() == pytest.approx(truth["competition"]["event_study"]["demand_deposit_share"]["2016"], abs=0.03)


def test_residual_serial_correlation_is_positive(panel: pd.DataFrame, truth: dict) -> None:
    fit = pf.feols("nim ~ x:C(bank_type) | bank_id + year", data=panel)
    r = panel.assign(e=fit.resid()).sort_values(["bank_id", "year"])
    r["lag"] = r.groupby("bank_id")["e"].shift()
    rho = r[["e", "lag"]].dropna().corr().iloc[0, 1]
    assert 0.15 < rho < truth["competition"]["serial_correlation"] + 0.1  # within-demeaning biases rho down


def test_mmf_growth_granger_causes_demand_deposits(truth: dict) -> None:
    m = load_macro_monthly()
    m["dd"] = np.log(m["demand_deposits"]).diff()
    m["dm"] = np.log(m["mmf_aum"]).diff()
    lag = truth["macro"]["granger_lag"]
    m["dd1"], m["dmL"] = m["dd"].shift(1), m["dm"].shift(lag)
    fit = smf.ols("dd ~ dd1 + dmL", data=m).fit()
    lo, hi = fit.conf_int().loc["dmL"]
    assert lo < truth["macro"]["mmf_to_demand_coef"] < hi and hi < 0
    ymf = smf.ols("mmf_yield_7d ~ shibor_3m", data=m).fit()
    assert ymf.params["shibor_3m"] == pytest.approx(truth["macro"]["shibor_to_mmf_yield"], abs=0.05)


def test_survey_structure_and_missingness(truth: dict) -> None:
    s = load_survey()
    items = s.filter(regex=r"^(IMAG|CUEX|PERQ|PERV|CUSA|CUSCO|CUSL)\d")
    scored = items.copy()
    partner = {"CUEX3_R": "CUEX1", "PERQ6_R": "PERQ5", "CUSL2_R": "CUSL1"}
    assert sorted(truth["satisfaction"]["reverse_coded"]) == sorted(partner)
    for it, other in partner.items():
        assert items[it].corr(items[other]) < 0  # stored reversed
        scored[it] = 8 - scored[it]
    cusa = scored[["CUSA1", "CUSA2", "CUSA3"]].mean(axis=1)
    assert cusa.corr(scored[["CUSCO1", "CUSCO2"]].mean(axis=1)) < -0.2
    assert cusa.corr(scored[["CUSL1", "CUSL2_R", "CUSL3"]].mean(axis=1)) > 0.3
    miss = items.isna().mean()
    assert 0.01 < miss.drop(["PERQ5", "PERQ6_R"]).mean() < 0.04
    assert miss[["PERQ5", "PERQ6_R"]].mean() > miss.drop(["PERQ5", "PERQ6_R"]).mean()  # MAR for older respondents
    # speed items drive satisfaction more than channel items
    attr = {a: scored[[f"PERQ{i}" if f"PERQ{i}" in scored else f"PERQ{i}_R" for i in pair]].mean(axis=1)
            for a, pair in {"speed": (1, 2), "channel": (5, 6)}.items()}
    assert cusa.corr(attr["speed"]) > cusa.corr(attr["channel"])


def test_churn_hazard_signs_and_sizes(truth: dict) -> None:
    """A correctly specified Cox model recovers every planted log-HR inside its 99 % CI.

    The hazard is static proportional hazards in calendar time except for the RM-turnover window
    and the market fall, and it depends on ``cusa_score`` (observed only for the surveyed). Censoring
    each customer at the earlier of the fall and their RM change (both independent of the churn draw
    given the covariates) and fitting on the surveyed with ``cusa_score`` leaves exactly the
    simulated model, so each 99 % Wald CI covers its truth (the draw gives |z| ≤ 2.3 for all eight;
    n_products is the largest)."""
    from lifelines import CoxPHFitter

    c = load_customers()
    per_month = 365.25 / 12
    fall = 790 / per_month
    rm_change = ((c["rm_change_date"] - pd.Timestamp("2020-01-01")).dt.days / per_month).fillna(np.inf)
    cut = np.minimum(fall, rm_change)
    d = pd.DataFrame({
        "customer_id": c["customer_id"],
        "T": c["duration_months"].clip(upper=cut),
        "E": (c["churned"] & (c["duration_months"] < cut)).astype(int),
        "tenure_months": c["tenure_months"], "n_products": c["n_products"], "digital_share": c["digital_share"],
        "complaints_12m": c["complaints_12m"], "age": c["age"],
        "value_tier_affluent": (c["value_tier"] == "affluent").astype(int),
        "value_tier_private": (c["value_tier"] == "private").astype(int),
    })
    cusa = load_survey().set_index("customer_id")[["CUSA1", "CUSA2", "CUSA3"]].mean(axis=1).rename("cusa_score")
    d = d[d["T"] > 0].merge(cusa.reset_index(), on="customer_id").drop(columns="customer_id").dropna()
    assert len(d) > 1000 and d["E"].sum() > 250
    fit = CoxPHFitter().fit(d, "T", "E").summary
    hr = truth["loyalty"]["churn_hazard_log_hr"]
    assert set(hr) == set(fit.index)
    for k, v in hr.items():
        z = (fit.loc[k, "coef"] - v) / fit.loc[k, "se(coef)"]
        assert abs(z) < 2.576, (k, v, fit.loc[k, "coef"], z)
    first_year = (c["churned"] & (c["duration_months"] <= 12)).mean()
    assert 0.08 < first_year < 0.22


def test_satisfaction_lowers_churn_of_surveyed(truth: dict) -> None:
    c, s = load_customers(), load_survey()
    cusa = s.set_index("customer_id")[["CUSA1", "CUSA2", "CUSA3"]].mean(axis=1)
    churn = c.set_index("customer_id").loc[cusa.index, "churned"]
    high = churn[cusa >= 5].mean()
    low = churn[cusa <= 4].mean()
    assert high < low - 0.05
    assert truth["loyalty"]["satisfaction_log_hr"] < 0


def test_followup_naive_difference_is_biased_away_from_truth(truth: dict) -> None:
    c = load_customers()
    h = c[c["holds_fund"]]
    y = h["churn_12m_after_fall"].astype(float)
    naive = y[h["followup_contact"].astype(bool)].mean() - y[~h["followup_contact"].astype(bool)].mean()
    fu = truth["loyalty"]["followup_effect"]
    assert naive == pytest.approx(fu["naive_difference"], abs=1e-6)
    assert fu["ate_churn_12m"] < 0 and naive < fu["ate_churn_12m"]
    # contacted customers are more valuable and lost more
    contacted = h["followup_contact"].astype(bool)
    assert h.loc[contacted, "fund_loss_pct"].mean() > h.loc[~contacted, "fund_loss_pct"].mean()
    assert (h.loc[contacted, "value_tier"] != "mass").mean() > (h.loc[~contacted, "value_tier"] != "mass").mean()
    seg = fu["by_segment"]
    assert seg["mass"] > seg["affluent"]  # heterogeneous uplift: larger for valuable customers
    assert 0.10 < truth["loyalty"]["observed_rates"]["churn_rate_12m_after_fall"] < 0.25


def test_transactions_follow_value_tier_and_include_refunds(truth: dict) -> None:
    import duckdb

    c = load_customers()
    tx = transactions_path().as_posix()
    agg = duckdb.sql(
        f"select customer_id, count(*) as n, median(amount) as m from read_parquet('{tx}') group by 1"
    ).df().set_index("customer_id")
    agg = agg.join(c.set_index("customer_id")[["value_tier", "duration_months"]])
    rate = (agg["n"] / agg["duration_months"].clip(lower=1)).groupby(agg["value_tier"]).mean()
    assert rate["mass"] < rate["affluent"] < rate["private"]
    money = agg.groupby("value_tier")["m"].median()
    assert money["mass"] < money["affluent"] < money["private"]
    n, refunds = duckdb.sql(f"select count(*), sum((amount < 0)::int) from read_parquet('{tx}')").fetchall()[0]
    assert 0 < refunds / n < 0.01
    assert truth["segments"]["n_transactions"] == n
