"""Regression tables from plain tidy DataFrames (no analysis package needed): layout, stars,
HTML and LaTeX rendering with notes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bankcrm_research import reporting
from bankcrm_research.reporting.tables import (
    STARS,
    regression_table,
    render_regression_table,
)


@pytest.fixture
def tidy_pair() -> tuple[pd.DataFrame, pd.DataFrame]:
    coefficients = pd.DataFrame({
        "outcome": "nim", "model": ["pooled_ols", "pooled_ols", "twoway_fe"],
        "term": ["Intercept", "if_index_100", "if_index_100"],
        "estimate": [2.5, -0.12345, -0.2], "std_error": [0.1, 0.05, 0.2], "p_value": [0.0, 0.004, 0.2],
    })
    stats = pd.DataFrame({
        "outcome": "nim", "model": ["pooled_ols", "twoway_fe"], "n_obs": [2400, 2400], "r2": [0.1, 0.8],
        "r2_within": [np.nan, 0.05], "entity_fe": [False, True], "time_fe": [False, True],
        "vcov": ["CRV1 by bank_id", "CRV1 by bank_id"],
    })
    return coefficients, stats


def test_regression_table_layout_and_stars(tidy_pair):
    tab = regression_table(*tidy_pair, labels={"twoway_fe": "Two-way FE"})
    assert list(tab.columns) == ["pooled_ols", "Two-way FE"]
    assert list(tab.index) == ["if_index_100", "if_index_100 (se)", "N", "R²", "Within R²", "Bank FE", "Year FE", "SE"]
    assert tab.loc["if_index_100"].tolist() == ["-0.1235***", "-0.2000"]
    assert tab.loc["if_index_100 (se)"].tolist() == ["(0.0500)", "(0.2000)"]
    assert tab.loc["N"].tolist() == ["2,400", "2,400"]
    assert tab.loc["Within R²"].tolist() == ["", "0.050"]
    assert tab.loc["Bank FE"].tolist() == ["No", "Yes"]
    assert tab.index.name == "nim"
    assert [m for _, m in STARS] == ["***", "**", "*"]


def test_render_regression_table_html_and_latex(tidy_pair):
    tab = regression_table(*tidy_pair)
    notes = ("Standard errors clustered by bank_id.", "Wild bootstrap in p_value_wild.")
    html = render_regression_table(tab, "html", notes=notes)
    assert '<div class="regression-table">' in html and 'class="gt_table"' in html  # great-tables
    assert "https://" not in html and "<script" not in html  # offline: no fonts or scripts fetched
    assert html == render_regression_table(tab, "html", notes=notes)  # stable id: same table, same HTML
    assert ">—</td>" in html  # pooled OLS has no within R²: em dash, not a blank
    assert "Standard errors clustered by bank_id. Wild bootstrap in p_value_wild." in html
    assert "*** p &lt; 0.01" in html and "(se)" not in html
    tex = render_regression_table(tab, "latex", notes=" ".join(notes))
    assert r"\begin{tabular}" in tex and "$^{***}$" in tex and "$R^2$" in tex and "²" not in tex
    assert r"p\_value\_wild" in tex
    assert render_regression_table(tab, "latex", notes=notes) == tex
    with pytest.raises(ValueError, match="'fmt' parameter must be one of"):
        render_regression_table(tab, "markdown")


def test_combined_table_has_outcome_spanners():
    """A two-level header (outcome, model) becomes great-tables spanners over the model columns."""
    cols = pd.MultiIndex.from_product([["NIM", "ROA"], ["FE", "TWFE"]])
    tab = pd.DataFrame([["0.1***", "0.2", "0.3*", ""], ["(0.01)", "(0.1)", "(0.2)", ""]],
                       index=["index", "index (se)"], columns=cols)
    html = render_regression_table(tab, "html", notes="n")
    assert html.count("gt_column_spanner_outer") >= 2
    assert ">NIM<" in html.replace('"', "") or "NIM</span>" in html
    assert html.count(">TWFE<") == 2 and ">—</td>" in html


def test_regression_table_is_exported_from_reporting():
    assert reporting.regression_table is regression_table
    assert reporting.render_regression_table is render_regression_table
