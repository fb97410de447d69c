"""PanelResult: the publication table (HTML/LaTeX), coefficient plot and the result shape."""

from __future__ import annotations

import numpy as np
import pytest

from bankcrm_research.competition.panel import fit_panel_models

CONTROLS = ["log_assets", "exposure_post"]


def test_publication_table_html_and_latex(sim_panel):
    panel, _ = sim_panel
    res = fit_panel_models(panel, outcomes="demand_deposit_share", regressors="if_index_100", controls=CONTROLS)
    tab = res.summary()
    assert list(tab.columns) == ["pooled_ols", "bank_fe", "twoway_fe"]
    assert {"N", "R²", "Bank FE", "Year FE"} <= set(tab.index)
    assert tab.loc["Year FE"].tolist() == ["No", "No", "Yes"]
    assert "***" in tab.loc["if_index_100", "twoway_fe"]
    html = res.to_html()
    assert "<table" in html and "CRV1" in html
    tex = res.to_latex()
    assert r"\begin{tabular}" in tex and "Bank FE" in tex
    assert "$^{***}$" in tex and "$R^2$" in tex and "²" not in tex


def test_coefficient_plot(sim_panel):
    import matplotlib

    matplotlib.use("Agg")
    panel, _ = sim_panel
    res = fit_panel_models(panel, outcomes="demand_deposit_share", regressors="if_index_100", controls=CONTROLS)
    ax = res.plot(terms=["if_index_100"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["pooled_ols", "bank_fe", "twoway_fe"]
    tab = res.tidy().query("term == 'if_index_100'").set_index("model").loc[["pooled_ols", "bank_fe", "twoway_fe"]]
    assert list(ax.lines[0].get_xdata()) == pytest.approx(list(tab["estimate"]), abs=1e-12)  # one row per model
    bars = np.array(ax.collections[0].get_segments())
    assert bars[:, 0, 0] == pytest.approx(tab["ci_low"].to_numpy(), abs=1e-12)
    assert bars[:, 1, 0] == pytest.approx(tab["ci_high"].to_numpy(), abs=1e-12)
    ax2 = res.plot(labels={"log_assets": "Log assets"})
    assert "Log assets" in [t.get_text() for t in ax2.get_yticklabels()]


def test_notes_are_sentences_and_reach_the_table(sim_panel):
    panel, _ = sim_panel
    res = fit_panel_models(panel, outcomes="nim", regressors="if_index_100", models=["twoway_fe"])
    assert isinstance(res.notes, tuple) and len(res.notes) == 1
    assert res.notes[0].startswith("Standard errors clustered by bank_id (CRV1")
    assert res.notes[0] in res.to_html() and "G = 150" in res.to_latex()
