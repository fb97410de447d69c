"""Event study, DiD, placebo and the staggered (did2s) estimator on simulated panels."""

from __future__ import annotations

import numpy as np
import pytest

from bankcrm_research.competition.event_study import (
    EVENT_COLUMNS,
    did_estimate,
    event_study,
    placebo_did,
    staggered_did,
)
from bankcrm_research.simulate.panels import simulate_bank_panel, simulate_staggered_panel

CONTROLS = ["log_assets", "if_index_100"]


def test_event_study_recovers_dynamic_effects(sim_panel):
    panel, truth = sim_panel
    es = event_study(panel, outcome="demand_deposit_share", controls=CONTROLS)
    tab = es.tidy()
    assert list(tab.columns) == EVENT_COLUMNS
    ref = tab[tab["is_reference"]].iloc[0]
    assert ref["year"] == 2012 and ref["estimate"] == 0
    planted = truth["event_study"]["demand_deposit_share"]
    est = tab[~tab["is_reference"]].set_index("year")
    covered = [est.loc[int(y), "ci_low"] <= v <= est.loc[int(y), "ci_high"] for y, v in planted.items()]
    assert np.mean(covered) >= 0.8  # 15 coefficients at 95 %: a couple may miss by chance
    assert es.pretrend.iloc[0]["df_num"] == 4 and es.pretrend.iloc[0]["p_value"] > 0.05
    assert len(es.notes) == 1 and es.notes[0].startswith("Pre-trend test (all leads zero): joint F(4, 149)")
    assert es.summary().equals(tab)


def test_pretrend_test_rejects_when_a_pretrend_is_planted():
    panel, _ = simulate_bank_panel(seed=11, pretrend=0.02)
    es = event_study(panel, outcome="demand_deposit_share", controls=CONTROLS)
    assert es.pretrend.iloc[0]["p_value"] < 0.01
    clean, _ = simulate_bank_panel(seed=11, pretrend=0.0)
    assert event_study(clean, outcome="demand_deposit_share", controls=CONTROLS).pretrend.iloc[0]["p_value"] > 0.05


def test_did_recovers_planted_effect_and_placebo_is_null(sim_panel):
    panel, truth = sim_panel
    did = did_estimate(panel, outcome="demand_deposit_share", controls=CONTROLS).iloc[0]
    assert did["ci_low"] <= truth["did"]["demand_deposit_share"] <= did["ci_high"]
    assert did["term"] == "exposure_x_post"
    pl = placebo_did(panel, outcome="demand_deposit_share", placebo_year=2010, controls=CONTROLS).iloc[0]
    assert pl["model"] == "placebo_2010" and pl["p_value"] > 0.05
    assert pl["n_obs"] == 150 * 5


def test_event_study_plot(sim_panel):
    import matplotlib

    matplotlib.use("Agg")
    panel, _ = sim_panel
    es = event_study(panel, outcome="demand_deposit_share")
    ax = es.plot()
    t = es.table
    marks = ax.lines[0]  # estimates by year, joined; bars span the CIs; dashed line between 2012 and 2013
    assert list(marks.get_xdata()) == list(t["year"])
    assert list(marks.get_ydata()) == pytest.approx(list(t["estimate"]), abs=1e-12)
    bars = np.array(ax.collections[0].get_segments())
    assert bars[:, 0, 1] == pytest.approx(t["ci_low"].to_numpy(), abs=1e-12)
    assert bars[:, 1, 1] == pytest.approx(t["ci_high"].to_numpy(), abs=1e-12)
    assert [ln.get_xdata()[0] for ln in ax.lines if ln.get_linestyle() == "--"] == [2012.5]
    pre = es.pretrend.iloc[0]
    assert ax.get_title() == f"pre-trend test: F = {pre['statistic']:.2f}, p = {pre['p_value']:.3f}"


def test_staggered_did2s_recovers_att_where_static_twfe_is_biased():
    df, truth = simulate_staggered_panel(seed=0)
    tab = staggered_did(df, outcome="y", cohort="cohort", entity="unit")
    att = tab[(tab["model"] == "did2s") & (tab["term"] == "att")].iloc[0]
    assert att["ci_low"] <= truth["att"] <= att["ci_high"]
    tw = tab[tab["model"] == "static_twfe"].iloc[0]
    assert not (tw["ci_low"] <= truth["att"] <= tw["ci_high"])  # forbidden comparisons bias it
    dyn = tab[tab["term"] == "rel_3"].iloc[0]
    assert dyn["ci_low"] <= truth["dynamic"][3] <= dyn["ci_high"]


def test_event_study_edge_cases(sim_panel):
    panel, _ = sim_panel
    with pytest.raises(ValueError, match="'ref_year' parameter \\(2030\\)"):
        event_study(panel, outcome="demand_deposit_share", ref_year=2030)
    with pytest.raises(ValueError, match="no pre-shock years"):
        did_estimate(panel[panel["year"] >= 2013], outcome="demand_deposit_share")
    with pytest.raises(ValueError, match="placebo_year"):
        placebo_did(panel, outcome="demand_deposit_share", placebo_year=2015)
    with pytest.raises(ValueError, match="perfectly collinear"):
        event_study(panel, outcome="demand_deposit_share", controls=["yuebao_exposure"])


def test_adoption_cohorts_and_staggered_without_never_treated():
    import pandas as pd

    from bankcrm_research.competition.event_study import adoption_cohorts

    df, _ = simulate_staggered_panel(seed=1, cohorts=(2012, 2015, 2018))
    df = df[df["cohort"] > 0].copy()  # everyone adopts eventually
    coh = adoption_cohorts(
        pd.DataFrame({"province": ["A", "A", "A", "B", "B"], "year": [2011, 2012, 2013, 2011, 2012],
                      "if_index": [150, 210, 250, 90, 120]}),
        threshold=200,
    )
    assert coh.tolist() == [2012, 2012, 2012, 0, 0]
    with pytest.warns(UserWarning, match="no never-treated units"):
        tab = staggered_did(df, outcome="y", cohort="cohort", entity="unit", dynamic=False)
    assert tab["n_obs"].iloc[0] == int((df["year"] < 2018).sum())
    assert set(tab["model"]) == {"did2s", "static_twfe"}
