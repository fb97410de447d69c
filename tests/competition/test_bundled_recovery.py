"""Recovery of the planted competition effects on the bundled simulated data (``data/``).

Skips when the bundled files are absent. The truth comes from ``data/truth.json`` (keys in
``data/CONTRACT.md``); each two-way FE / event-study estimate must cover its planted value with its
95 % CI, and pooled OLS must miss (the confounding the simulation plants on purpose).
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from bankcrm_research.competition import deposits as dp
from bankcrm_research.competition import event_study as es
from bankcrm_research.competition import panel as pn
from bankcrm_research.competition.index import attach_index
from bankcrm_research.competition.truth import competition_truth_rows, macro_truth_rows
from bankcrm_research.data.paths import data_dir

OUTCOMES = ["demand_deposit_share", "deposit_cost", "nim", "roa"]


@pytest.fixture(scope="module")
def bundled():
    needed = ["bank_panel.csv", "internet_finance_indicators.csv", "macro_monthly.csv", "truth.json"]
    missing = [f for f in needed if not (data_dir() / f).exists()]
    if missing:
        pytest.skip(f"bundled simulated data not present in {data_dir()}: {missing}")
    from bankcrm_research.data.load import load_bank_panel, load_internet_finance_indicators, load_macro_monthly
    from bankcrm_research.data.truth import load_truth

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        panel = attach_index(load_bank_panel(), load_internet_finance_indicators())
        return panel, load_macro_monthly(), load_truth()


def test_bank_panel_effects_recovered_and_pooled_ols_misses(bundled):
    panel, _, truth = bundled
    by_type = pd.concat(
        [pn.effects_by_group(panel, outcome=o, regressor="if_index_100", controls=["log_assets"], fixed_effects=fe)
         for o in OUTCOMES for fe in ["twoway_fe", "pooled_ols"]],
        ignore_index=True,
    )
    quad = pn.quadratic_effect(panel, outcome="npl_ratio", regressor="if_index_100", controls=["log_assets"])
    controls = ["log_assets", "if_index_100"]
    event = es.event_study(panel, outcome="demand_deposit_share", controls=controls)
    did = es.did_estimate(panel, outcome="demand_deposit_share", controls=controls)
    tve = competition_truth_rows(truth, by_type=by_type, quadratic=quad, event=event.tidy(), did=did)
    fe = tve[tve["model"] != "pooled_ols_by_bank_type"]
    pooled = tve[tve["model"] == "pooled_ols_by_bank_type"]
    assert len(fe) >= 35 and len(pooled) == 20
    # on the committed data every one of the 39 intervals covers its truth (measured); with 95 %
    # intervals a regenerated world may miss one or two by chance, so the test allows one miss
    # among the 8 headline quantities and asks for >= 90 % overall
    headline = fe[fe["quantity"].str.endswith((".average", "did.demand_deposit_share")) | fe["quantity"].str.contains("npl_quadratic")]
    assert len(headline) == 8
    assert (~headline["covered"]).sum() <= 1, headline[~headline["covered"]]
    assert fe["covered"].mean() >= 0.9
    assert pooled["covered"].mean() <= 0.2
    assert event.pretrend.iloc[0]["p_value"] > 0.05


def test_macro_effects_recovered(bundled):
    _, macro, truth = bundled
    growth = dp.log_differences(macro, columns=["mmf_aum", "demand_deposits"])
    var = dp.fit_var(growth, columns=["dlog_mmf_aum", "dlog_demand_deposits"], irf_reps=0)
    pt = dp.rate_pass_through(macro)
    tve = macro_truth_rows(truth, var_coefficients=var.tidy(), pass_through=pt)
    assert len(tve) == 2 and tve["covered"].all(), tve
    g = var.granger.set_index(["cause", "effect"])
    assert g.loc[("dlog_mmf_aum", "dlog_demand_deposits"), "p_value"] < 0.01
