"""Consistency of the simulated tables, parameter validation and the truth record."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.cli import main
from bankcrm_research.data.schemas import SCHEMAS
from bankcrm_research.simulate import TABLES, simulate_world
from bankcrm_research.simulate._common import FALL_DAY, STUDY_START, WINDOW_DAYS
from bankcrm_research.data.truth import get_truth


def test_world_is_dict_like_with_six_tables_and_truth(small_world) -> None:
    assert list(small_world) == list(TABLES)
    assert small_world["truth"] is small_world.truth
    assert small_world.truth["simulated"] is True


def test_tables_have_exactly_the_schema_columns(small_world) -> None:
    for name in TABLES:
        assert list(small_world[name].columns) == SCHEMAS[name].names, name


def test_keys_are_unique(small_world) -> None:
    for name in TABLES:
        key = list(SCHEMAS[name].key)
        assert not small_world[name].duplicated(subset=key).any(), name


def test_banks_sit_in_provinces_whose_index_they_carry(small_world) -> None:
    bp, ind = small_world["bank_panel"], small_world["internet_finance_indicators"]
    merged = bp.merge(ind[["province", "year", "if_index"]], on=["province", "year"], suffixes=("", "_prov"),
                      how="left", validate="many_to_one")
    assert merged["if_index_prov"].notna().all()
    np.testing.assert_allclose(merged["if_index"], merged["if_index_prov"], atol=1e-3)


def test_bank_accounting_identities(small_world) -> None:
    bp = small_world["bank_panel"]
    np.testing.assert_allclose(bp["deposits"], bp["demand_deposits"] + bp["time_deposits"], atol=0.02)
    np.testing.assert_allclose(bp["demand_deposit_share"], bp["demand_deposits"] / bp["deposits"], atol=2e-3)
    np.testing.assert_allclose(bp["deposit_cost"], bp["interest_expense"] / bp["deposits"] * 100, atol=0.02)
    assert bp["demand_deposit_share"].between(0, 1).all()
    assert (bp["npl_ratio"] > 0).all()
    assert bp.groupby("bank_id")["yuebao_exposure"].nunique().eq(1).all()


def test_index_is_the_pku_weighted_sum(small_world) -> None:
    ind = small_world["internet_finance_indicators"]
    rebuilt = 0.540 * ind["coverage_breadth"] + 0.297 * ind["usage_depth"] + 0.163 * ind["digitization_level"]
    np.testing.assert_allclose(ind["if_index"], rebuilt, atol=1e-3)
    assert len(ind) == 31 * 16


def test_survey_respondents_are_surveyed_customers(small_world) -> None:
    c, s = small_world["customers"], small_world["survey"]
    assert set(s["customer_id"]) == set(c.loc[c["surveyed"], "customer_id"])
    assert s["customer_id"].is_unique
    tiers = s.merge(c[["customer_id", "value_tier"]], on="customer_id", suffixes=("", "_c"))
    assert (tiers["value_tier"] == tiers["value_tier_c"]).all()
    items = s.filter(regex=r"^(IMAG|CUEX|PERQ|PERV|CUSA|CUSCO|CUSL)\d").stack()
    assert items.between(1, 7).all()


def test_no_transactions_after_churn(small_world) -> None:
    c, t = small_world["customers"], small_world["transactions"]
    assert set(t["customer_id"]) <= set(c["customer_id"])
    last = t.groupby("customer_id")["txn_date"].max()
    churn = c.set_index("customer_id")["churn_date"].reindex(last.index)
    assert ((last <= churn) | churn.isna()).all()
    assert t["txn_date"].between(STUDY_START, pd.Timestamp("2023-12-31")).all()


def test_customer_outcome_columns_are_coherent(small_world) -> None:
    c = small_world["customers"]
    assert (c["churned"] == c["churn_date"].notna()).all()
    fall = STUDY_START + pd.Timedelta(days=FALL_DAY)
    before_fall = c["churned"] & (c["churn_date"] < fall)
    assert c.loc[before_fall, "churn_12m_after_fall"].isna().all()
    assert c.loc[~before_fall, "churn_12m_after_fall"].notna().all()
    assert c.loc[~c["holds_fund"], "followup_contact"].isna().all()
    assert c.loc[c["holds_fund"], "followup_contact"].notna().all()
    assert c.loc[c["holds_fund"], "fund_loss_pct"].notna().all()
    assert (c["duration_months"] <= WINDOW_DAYS / (365.25 / 12) + 1e-9).all()
    assert c.loc[c["value_tier"] == "mass", "rm_id"].isna().all()
    # RM turnover: an RM leaves at most once, on one day between 30 days after the start and 30 days
    # before the end, and all of their customers share that day; customers without an RM have none
    assert c.loc[c["rm_id"].isna(), "rm_change_date"].isna().all()
    per_rm = c.dropna(subset=["rm_id"]).groupby("rm_id")["rm_change_date"]
    assert per_rm.nunique(dropna=False).eq(1).all()
    leave_day = (per_rm.first().dropna() - STUDY_START).dt.days
    assert len(leave_day) >= 1 and leave_day.between(30, WINDOW_DAYS - 30).all()


def test_truth_has_every_contract_key(small_world) -> None:
    t = small_world.truth
    for outcome in ("demand_deposit_share", "deposit_cost", "nim", "roa"):
        for bt in ("state_owned", "joint_stock", "city_commercial", "rural_commercial", "average"):
            assert isinstance(get_truth(f"competition.index_effect.{outcome}.{bt}", t), float)
    for key in ("competition.npl_quadratic.turning_point", "competition.event_study.demand_deposit_share.2015",
                "competition.did.demand_deposit_share", "competition.serial_correlation", "macro.granger_lag",
                "macro.mmf_to_demand_coef", "macro.shibor_to_mmf_yield", "satisfaction.loadings.CUEX3_R",
                "satisfaction.driver_weights.speed", "satisfaction.driver_rank", "loyalty.rm_turnover.log_hr",
                "loyalty.rm_turnover.window_months", "loyalty.followup_effect.ate_churn_12m",
                "loyalty.followup_effect.by_segment.private", "loyalty.satisfaction_log_hr",
                "loyalty.churn_hazard_log_hr.n_products", "segments.value_tier_share.mass"):
        get_truth(key, t)
    assert t["satisfaction"]["paths"]["CUSA->CUSCO"] < 0
    assert all(0.6 <= v <= 0.9 for v in t["satisfaction"]["loadings"].values())


@pytest.mark.parametrize("kwargs, param", [
    ({"n_customers": 0}, "n_customers"),
    ({"n_banks": 2}, "n_banks"),
    ({"n_transactions": -5}, "n_transactions"),
    ({"seed": 1.5}, "seed"),
])
def test_invalid_sizes_are_rejected_with_the_parameter_name(kwargs: dict, param: str) -> None:
    with pytest.raises(ValueError, match=f"'{param}' parameter"):
        simulate_world(**kwargs)


def test_cli_simulate_small_world(tmp_path, capsys) -> None:
    rc = main(["simulate", "--seed", "3", "--out", str(tmp_path), "--customers", "500", "--transactions", "5000",
               "--banks", "20", "--respondents", "100", "--population-draw", "10000"])
    assert rc == 0
    assert "SIMULATED" in capsys.readouterr().out
    assert len(pd.read_csv(tmp_path / "customers.csv")) == 500
    assert main(["simulate", "--out", str(tmp_path / "x"), "--customers", "0", "--quiet"]) == 2
