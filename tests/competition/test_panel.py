"""Panel models: parameter recovery on simulated panels, lags and winsorising in the fit, edge cases."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.competition.panel import PANEL_COLUMNS, effects_by_group, fit_panel_models, quadratic_effect
from bankcrm_research.data.validate import DataWarning
from bankcrm_research.simulate.panels import simulate_bank_panel

CONTROLS = ["log_assets", "exposure_post"]


def test_tidy_columns_and_models(sim_panel):
    panel, _ = sim_panel
    res = fit_panel_models(panel, outcomes=["demand_deposit_share", "nim"], regressors="if_index_100", controls=CONTROLS)
    tab = res.tidy()
    assert list(tab.columns[: len(PANEL_COLUMNS)]) == PANEL_COLUMNS
    assert set(tab["model"]) == {"pooled_ols", "bank_fe", "twoway_fe"}
    assert set(tab["outcome"]) == {"demand_deposit_share", "nim"}
    assert tab["p_value_wild"].isna().all()  # 150 clusters: no bootstrap needed
    assert (tab["ci_low"] < tab["estimate"]).all() and (tab["estimate"] < tab["ci_high"]).all()
    stats = res.stats.set_index(["outcome", "model"])
    assert not stats.loc[("nim", "pooled_ols"), "entity_fe"] and stats.loc[("nim", "twoway_fe"), "time_fe"]


def test_by_type_effects_recover_truth(sim_panel):
    panel, truth = sim_panel
    tab = effects_by_group(panel, outcome="demand_deposit_share", regressor="if_index_100", controls=CONTROLS)
    tab = tab.set_index("term")
    planted = truth["index_effect"]["demand_deposit_share"]
    for key, value in planted.items():
        assert tab.loc[key, "ci_low"] <= value <= tab.loc[key, "ci_high"], key
    assert tab.loc["equality", "p_value"] < 0.01  # the planted slopes differ by type
    assert tab.loc["average", "n_banks"] != tab.loc["average", "n_banks"]  # NaN for the summary rows


def test_quadratic_turning_point_recovers_truth(sim_panel):
    panel, truth = sim_panel
    tab = quadratic_effect(panel, outcome="npl_ratio", regressor="if_index_100").set_index("term")
    for key in ["linear", "quadratic", "turning_point"]:
        t = truth["npl_quadratic"][key]
        assert tab.loc[key, "ci_low"] <= t <= tab.loc[key, "ci_high"], key
    # delta-method se is positive and finite
    assert 0 < tab.loc["turning_point", "std_error"] < 1


def test_pooled_ols_misses_where_twoway_fe_recovers():
    # equal index effects across types: the bank effect confounds pooled OLS only
    panel, truth = simulate_bank_panel(seed=5, index_effects=dict.fromkeys(
        ["state_owned", "joint_stock", "city_commercial", "rural_commercial"], -0.04))
    res = fit_panel_models(panel, outcomes="demand_deposit_share", regressors="if_index_100", controls=CONTROLS)
    tab = res.tidy().query("term == 'if_index_100'").set_index("model")
    assert tab.loc["twoway_fe", "ci_low"] <= -0.04 <= tab.loc["twoway_fe", "ci_high"]
    assert not (tab.loc["pooled_ols", "ci_low"] <= -0.04 <= tab.loc["pooled_ols", "ci_high"])


def test_lags_and_winsorize(sim_panel):
    panel, _ = sim_panel
    with pytest.warns(DataWarning, match="dropped 150 of 2400 rows"):
        res = fit_panel_models(
            panel, outcomes="nim", regressors="if_index_100", lags=[1], winsorize_limits=(0.01, 0.99), models=["twoway_fe"]
        )
    assert "if_index_100_lag1" in set(res.tidy()["term"])
    assert res.tidy()["n_obs"].iloc[0] == 2250


# ------------------------------------------------------------------ edge cases
def test_single_bank_type_gives_clear_message(sim_panel):
    panel, _ = sim_panel
    one = panel[panel["bank_type"] == "city_commercial"]
    with pytest.raises(ValueError, match="single value .*city_commercial.*at least two groups"):
        effects_by_group(one, outcome="nim", regressor="if_index_100")


def test_too_few_clusters_gives_clear_message(sim_panel):
    panel, _ = sim_panel
    three = panel[panel["bank_id"].isin(["B001", "B002", "B003"])]
    with pytest.raises(ValueError, match="has 3 clusters; cluster-robust inference needs at least 4"):
        fit_panel_models(three, outcomes="nim", regressors="if_index_100")


def test_few_clusters_warns_and_bootstraps(sim_panel):
    panel, _ = sim_panel
    few = panel[panel["bank_id"].isin([f"B{i:03d}" for i in range(1, 21)])]
    with pytest.warns(DataWarning, match="only 20 clusters"):
        res = fit_panel_models(few, outcomes="nim", regressors="if_index_100", models=["twoway_fe"], bootstrap_reps=199)
    row = res.tidy().query("term == 'if_index_100'").iloc[0]
    # the planted index effect (analytic p ~ 5e-5) stays significant under the bootstrap, whose
    # p-value is a share of the 199 draws
    assert row["n_clusters"] == 20 and row["p_value_wild"] < 0.05
    assert row["p_value_wild"] * 199 == pytest.approx(round(row["p_value_wild"] * 199), abs=1e-9)
    assert any("Wild cluster bootstrap" in n for n in res.notes)


def test_collinear_controls_give_clear_message(sim_panel):
    panel, _ = sim_panel
    df = panel.assign(log_assets_copy=2 * panel["log_assets"])
    with pytest.raises(ValueError, match=r"\['log_assets_copy'\] is perfectly collinear"):
        fit_panel_models(df, outcomes="nim", regressors="if_index_100", controls=["log_assets", "log_assets_copy"])
    # a time-invariant bank characteristic is absorbed by bank fixed effects
    with pytest.raises(ValueError, match="absorbed by the fixed effects"):
        fit_panel_models(panel, outcomes="nim", regressors="if_index_100", controls=["yuebao_exposure"], models=["bank_fe"])


def test_missing_column_and_duplicates_messages(sim_panel):
    panel, _ = sim_panel
    with pytest.raises(ValueError, match=r"'NIM' \(closest: 'nim'\) is missing"):
        fit_panel_models(panel, outcomes="NIM", regressors="if_index_100")
    with pytest.raises(ValueError, match="duplicated"):
        fit_panel_models(pd.concat([panel, panel.head(3)]), outcomes="nim", regressors="if_index_100")
    with pytest.raises(ValueError, match="'models' parameter must be one of"):
        fit_panel_models(panel, outcomes="nim", regressors="if_index_100", models=["random"])


def test_missing_values_are_dropped_with_a_count(sim_panel):
    panel, _ = sim_panel
    df = panel.copy()
    df.loc[df.index[:7], "nim"] = np.nan
    with pytest.warns(DataWarning, match="dropped 7 of 2400 rows"):
        res = fit_panel_models(df, outcomes="nim", regressors="if_index_100", models=["twoway_fe"])
    assert res.tidy()["n_obs"].iloc[0] == 2393


def test_province_clusters_trigger_wild_bootstrap(sim_panel):
    """With 31 clusters the wild cluster bootstrap p-value tracks the analytic CRV1 t(30) p-value:
    0 for the planted index effect (analytic p ~ 1e-13), and within 0.10 for a pure-noise regressor
    (analytic p = 0.37; 3 Monte Carlo s.e. of a p-value near 0.37 from 199 draws = 0.10)."""
    panel, _ = sim_panel
    panel = panel.assign(noise=np.random.default_rng(0).normal(size=len(panel)))
    with pytest.warns(DataWarning, match="only 31 clusters in 'province'"):
        res = fit_panel_models(panel, outcomes="nim", regressors=["if_index_100", "noise"], cluster="province",
                               models=["twoway_fe"], bootstrap_reps=199, seed=3)
    tab = res.tidy().set_index("term")
    assert (tab["n_clusters"] == 31).all()
    assert tab.loc["if_index_100", "p_value"] < 1e-10 and tab.loc["if_index_100", "p_value_wild"] == 0
    noise = tab.loc["noise"]
    assert 0.2 < noise["p_value"] < 0.8  # the placebo is not significant
    assert noise["p_value_wild"] == pytest.approx(noise["p_value"], abs=0.10)
    assert noise["p_value_wild"] * 199 == pytest.approx(round(noise["p_value_wild"] * 199), abs=1e-9)
    assert "CRV1 by province" in res.stats["vcov"].iloc[0]
