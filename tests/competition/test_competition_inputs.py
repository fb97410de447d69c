"""Input resolution of notebooks 01 and 02 (competition.inputs, competition.deposit_inputs): the bundled
spec on bundled data, auto choices and skipped sections on other files, never a bundled table mixed in."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.competition.deposit_inputs import resolve_deposit_inputs
from bankcrm_research.competition.inputs import SUB_INDICATORS, resolve_competition_inputs


def test_bundled_plan_reproduces_the_bundled_spec():
    plan = resolve_competition_inputs()
    assert plan.simulated and plan.index_source == "indicators"
    assert plan.regressor == "if_index_100" and plan.index_scale == 100
    assert plan.index_indicators == SUB_INDICATORS
    assert (plan.bank_type_column, plan.exposure_column) == ("bank_type", "yuebao_exposure")
    assert (plan.placebo_year, plan.adoption_threshold, plan.ref_year) == (2010, 200.0, 2012)
    assert all(s.runs for s in plan.sections.values())
    # the regressor is the attached province index / 100, one value per bank-year
    b = plan.banks
    assert np.allclose(b["if_index_100"], b["if_index"] / 100)
    assert plan.unit() == "per 100 index points" and plan.unit("zh") == "每100个指数点"
    # auto choices on bundled data: only the index, its scale and sub-indicators are announced
    assert {c[0] for c in plan.choices} == {"index_column", "index_scale", "index_indicators"}


def _panel(tmp_path, **extra):
    rng = np.random.default_rng(1)
    rows = [{"bank_id": f"b{i}", "year": y, "nim": rng.normal(2, 0.1), "if_index": 50 + 10 * (y - 2014) + i, **extra}
            for i in range(6) for y in range(2014, 2020)]
    path = tmp_path / "p.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_user_panel_uses_its_own_index_and_skips_what_it_lacks(tmp_path):
    plan = resolve_competition_inputs(panel_path=_panel(tmp_path), outcomes=["nim"])
    assert plan.indicators is None and plan.index_source == "panel" and plan.regressor == "if_index"
    assert len(plan.banks) == 36
    assert plan.outcomes == ("nim",) and plan.controls == ()
    skipped = {k for k, s in plan.sections.items() if not s.runs}
    assert skipped == {"index_construction", "heterogeneity", "quadratic", "event_study", "placebo", "staggered", "truth"}
    # the 2013 shock is outside 2014–2019: the reason names the years
    assert "2014–2019" not in plan.sections["event_study"].reason  # no exposure is the first reason
    assert "exposure" in plan.sections["event_study"].reason


def test_event_study_skipped_when_the_shock_is_outside_the_data(tmp_path):
    plan = resolve_competition_inputs(panel_path=_panel(tmp_path, yuebao_exposure=0.3, demand_deposit_share=0.4),
                                      outcomes=["nim"], index_scale=10)
    assert plan.regressor == "if_index_10" and np.allclose(plan.banks["if_index_10"] * 10, plan.banks["if_index"])
    assert not plan.runs("event_study") and "2014–2019" in plan.sections["event_study"].reason
    with pytest.raises(ValueError, match="index_scale"):
        resolve_competition_inputs(panel_path=_panel(tmp_path), outcomes=["nim"], index_scale=0)


def test_explicit_placebo_outside_the_pre_period_is_an_error(tmp_path):
    path = _panel(tmp_path, yuebao_exposure=0.3, demand_deposit_share=0.4)
    ok = resolve_competition_inputs(panel_path=path, outcomes=["nim"], shock_year=2017)
    assert ok.placebo_year == 2015 and ok.runs("placebo")  # pre-shock 2014–2016 -> middle 2015
    with pytest.raises(ValueError, match="placebo_year.*2015"):
        resolve_competition_inputs(panel_path=path, outcomes=["nim"], shock_year=2017, placebo_year=2018)


def test_user_outcome_missing_is_an_error_with_closest_names(tmp_path):
    with pytest.raises(ValueError, match=r"outcomes=.*\['nmi'\].*closest"):
        resolve_competition_inputs(panel_path=_panel(tmp_path), outcomes=["nmi"])


def test_bundled_macro_plan_and_a_user_file_without_yield(tmp_path):
    plan = resolve_deposit_inputs()
    assert plan.level_columns == ("mmf_aum", "demand_deposits", "time_deposits")
    assert plan.var_columns == ("dlog_mmf_aum", "dlog_demand_deposits")
    assert (plan.rate_column, plan.yield_column) == ("shibor_3m", "mmf_yield_7d")
    assert plan.choices == () and plan.runs("truth") and not plan.runs("real_data")
    months = pd.date_range("2015-01-01", periods=40, freq="MS")
    path = tmp_path / "m.csv"
    pd.DataFrame({"month": months.strftime("%Y-%m-%d"), "demand_deposits": np.linspace(1, 2, 40),
                  "policy_rate": np.linspace(2, 3, 40)}).to_csv(path, index=False)
    user = resolve_deposit_inputs(macro_path=path)
    assert user.level_columns == ("demand_deposits",) and user.var_columns == ()
    assert user.rate_column == "policy_rate" and user.yield_column is None
    assert not user.runs("var") and not user.runs("pass_through") and not user.runs("truth")
    assert dict((c[0], c[1]) for c in user.choices)["rate_column"] == "policy_rate"


def test_panel_workbook_on_its_second_sheet(tmp_path):
    """``sheet`` reaches the data layer: a workbook with a notes sheet first needs it, and then loads."""
    csv = _panel(tmp_path)
    xlsx = tmp_path / "panel.xlsx"
    with pd.ExcelWriter(xlsx) as w:
        pd.DataFrame({"note": ["bank panel on the next sheet"]}).to_excel(w, sheet_name="readme", index=False)
        pd.read_csv(csv).to_excel(w, sheet_name="data", index=False)
    with pytest.raises(Exception, match="data"):  # several filled sheets: the error lists them
        resolve_competition_inputs(panel_path=xlsx, outcomes=["nim"])
    plan = resolve_competition_inputs(panel_path=xlsx, sheet="data", outcomes=["nim"])
    assert len(plan.banks) == 36
    plan2 = resolve_competition_inputs(panel_path=xlsx, sheet={"bank_panel": "data"}, outcomes=["nim"])
    assert len(plan2.banks) == 36
