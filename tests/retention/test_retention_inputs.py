"""Notebook 04's input resolution (retention.inputs): auto roles, given-but-missing names, section switches."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.retention.inputs import BUNDLED, detect_target, numeric_text_columns, resolve_inputs


def _user_table(n: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({
        "customer_id": [f"K{i:04d}" for i in range(n)],
        "Age": rng.integers(18, 80, n),
        "Region": rng.choice(["north", "south"], n),
        "Email": [f"u{i}@x.cn" for i in range(n)],  # identifier-like text: never a feature
        "opened": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D"),
        "Exited": rng.choice([0, 1], n),
    })


def test_user_file_auto_roles_detect_target_and_skip_sections_with_reasons():
    t = _user_table()
    inp = resolve_inputs(t, simulated=False)
    assert inp.target == "Exited" and inp.id_column == "customer_id" and inp.date_column is None
    assert inp.features == ["Age", "Region"] and inp.categorical == ["Region"] and inp.leaky_columns == []
    assert inp.headline_scheme == "cv5" and "stratified 5-fold CV" in inp.validation
    assert set(inp.skips) == {"out_of_time", "survival", "rm_turnover", "followup_effect"}
    assert all(reason and fix for reason, fix in inp.skips.values())
    chosen = {p: v for p, v, _ in inp.choices}
    assert chosen["target"] == "Exited" and chosen["leaky_columns"] == [] and "features" in chosen
    assert any("obvious target name" in s for _, _, s in inp.choices)


def test_given_but_missing_columns_fail_with_closest_names():
    t = _user_table()
    with pytest.raises(ValueError, match=r"target='Exitted'.*closest: \['Exited'\]"):
        resolve_inputs(t, simulated=False, target="Exitted")
    with pytest.raises(ValueError, match=r"features='Agee'.*closest: \['Age'\]"):
        resolve_inputs(t, simulated=False, target="Exited", features=["Agee"])
    with pytest.raises(TypeError, match="list of column names"):
        resolve_inputs(t, simulated=False, target="Exited", leaky_columns="Age")


def test_no_target_given_and_none_obvious_is_an_error_naming_the_fix():
    t = _user_table().rename(columns={"Exited": "flag_q"})
    assert detect_target(t) is None
    with pytest.raises(ValueError, match="target='<your churn column>'"):
        resolve_inputs(t, simulated=False)


def test_three_valued_obvious_name_is_not_taken_as_target():
    t = _user_table().assign(status=lambda d: np.resize(["a", "b", "c"], len(d)), y=lambda d: d["Exited"])
    assert detect_target(t.drop(columns="Exited")) == "y"


def test_date_column_switches_to_out_of_time_and_leaky_columns_never_become_features():
    t = _user_table().rename(columns={"opened": "campaign_date"}).assign(call_secs=1.0)
    inp = resolve_inputs(t, simulated=False, target="Exited", leaky_columns=["call_secs"])
    assert inp.date_column == "campaign_date" and inp.headline_scheme == "out_of_time"
    assert "out_of_time" not in inp.skips and "call_secs" not in inp.features
    given = resolve_inputs(t, simulated=False, target="Exited", features=["Age", "call_secs"],
                           leaky_columns=["call_secs"])
    assert given.features == ["Age"]


def test_treatment_present_turns_on_causal_with_the_target_as_outcome():
    t = _user_table().assign(followup_contact=lambda d: d["Age"] > 50)
    inp = resolve_inputs(t, simulated=False, target="Exited")
    assert inp.treatment_column == "followup_contact" and inp.causal_outcome == "Exited"
    assert "followup_effect" not in inp.skips and "followup_contact" not in inp.features
    assert "followup_contact" not in inp.causal_covariates


def test_zh_skip_sentences_are_chinese():
    inp = resolve_inputs(_user_table(), simulated=False, lang="zh")
    reason, _ = inp.skips["survival"]
    assert sum("\u4e00" <= ch <= "\u9fff" for ch in reason) > 20 and "交叉验证" in inp.validation


def test_bundled_data_get_the_bundled_specification(bundled_customers):
    inp = resolve_inputs(bundled_customers, simulated=True)
    assert inp.target == BUNDLED["target"] and inp.features == BUNDLED["features"]
    assert inp.leaky_columns == BUNDLED["leaky_columns"] and inp.date_column == "campaign_date"
    assert (inp.treatment_column, inp.causal_outcome, inp.causal_population) == (
        "followup_contact", "churn_12m_after_fall", "holds_fund")
    assert inp.has_survival and inp.has_rm_turnover and inp.has_treatment and not inp.skips
    # the post-fall window of the time-varying Cox: auto = the bundled world's market fall
    assert inp.has_market_fall and inp.market_fall_date == "2022-03-01" and inp.fund_loss_column == "fund_loss_pct"
    assert dict((p, v) for p, v, _ in inp.choices)["market_fall_date"] == "2022-03-01"
    zh = {p: s for p, _, s in resolve_inputs(bundled_customers, simulated=True, lang="zh").choices}
    assert zh["market_fall_date"].startswith("market_fall_date = 2022-03-01（自动：内置模拟数据的市场下跌日")


def test_market_fall_window_only_when_a_date_is_given_on_a_users_file():
    t = _user_table().assign(duration_months=np.linspace(1, 40, 40), churned=np.arange(40) % 2,
                             rm_change_date=pd.Timestamp("2021-05-01"), fund_loss_pct=np.nan)
    inp = resolve_inputs(t, simulated=False, target="Exited", study_start="2020-01-01")
    assert inp.has_rm_turnover and not inp.has_market_fall and inp.market_fall_date is None
    reason, fix = inp.skips["market_fall"]
    assert "market_fall_date is not set" in reason and "market_fall_date='YYYY-MM-DD'" in fix
    given = resolve_inputs(t, simulated=False, target="Exited", study_start="2020-01-01",
                           market_fall_date="2022-03-01")
    assert given.has_market_fall and given.market_fall_date == "2022-03-01" and "market_fall" not in given.skips
    no_cols = resolve_inputs(t.drop(columns="fund_loss_pct"), simulated=False, target="Exited",
                             study_start="2020-01-01", market_fall_date="2022-03-01")
    assert "neither fund_loss_pct nor a treatment" in no_cols.skips["market_fall"][0]
    with pytest.raises(ValueError, match="market_fall_date"):
        resolve_inputs(t, simulated=False, target="Exited", market_fall_date="not a date")


@pytest.fixture(scope="module")
def bundled_customers():
    from bankcrm_research.data import load_customers

    try:
        return load_customers()
    except FileNotFoundError:
        pytest.skip("bundled data not present")


def test_numeric_text_columns_become_numbers_and_text_stays_text():
    t = pd.DataFrame({"calls": ["261", " 3", None], "rate": ["1.1", "-0.5", "2e3"], "job": ["admin.", "3", "x"],
                      "code": ["", "", ""], "n": [1, 2, 3]})
    out, converted = numeric_text_columns(t)
    assert converted == ["calls", "rate"]
    assert out["calls"].tolist()[:2] == [261.0, 3.0] and np.isnan(out["calls"].iloc[2])
    assert out["rate"].tolist() == [1.1, -0.5, 2000.0] and out["job"].dtype == object
    assert t["calls"].dtype == object  # input unchanged
    assert numeric_text_columns(pd.DataFrame({"k": ["1", "2"]}))[0]["k"].dtype == "int64"


def test_binary_01_reads_every_two_valued_coding_and_keeps_missing():
    from bankcrm_research.retention.inputs import binary_01

    assert binary_01(pd.Series([True, False, None], dtype="boolean")).tolist()[:2] == [1.0, 0.0]
    assert binary_01(pd.Series(["yes", "no", "yes"])).tolist() == [1.0, 0.0, 1.0]
    assert binary_01(pd.Series(["是", "否", None])).iloc[:2].tolist() == [1.0, 0.0]
    assert np.isnan(binary_01(pd.Series(["是", "否", None])).iloc[2])
    assert binary_01(pd.Series(["closed", "open"]), "closed").tolist() == [1.0, 0.0]
    assert binary_01(pd.Series([0, 1, 1])).tolist() == [0.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="positive_class"):
        binary_01(pd.Series(["closed", "open"]))
