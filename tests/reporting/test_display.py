"""Tables for reading: labels, formats, no index, nothing truncated silently."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bankcrm_research.reporting.display import column_formatter, header_label, table_html


def test_headers_use_labels_or_are_humanised():
    assert header_label("demand_deposit_share", "zh") == "活期存款占比"
    assert header_label("top_decile_lift", "en") == "Top-decile lift"  # from the label file
    assert header_label("n_rows_dropped", "en") == "N rows dropped"  # no label: humanised
    assert header_label("AUC", "en") == "AUC"


def test_number_formats():
    f = column_formatter(pd.Series([70.0, 1200.0]), "n_customers")
    assert [f(70.0), f(1200.0)] == ["70", "1,200"]
    p = column_formatter(pd.Series([0.0, 0.0342]), "p_value")
    assert [p(0.0), p(0.0342), p(np.nan)] == ["< 0.001", "0.034", "—"]
    big = column_formatter(pd.Series([1.327697e9, 2.5e9]), "aum_total")
    assert big(1.327697e9) == "1,327,697,000"
    money = column_formatter(pd.Series([1234.5678, 99.1]), "amount")
    assert money(1234.5678) == "1,235"
    share = column_formatter(pd.Series([0.12345, 0.5]), "share")
    assert share(0.12345) == "0.123"
    b = column_formatter(pd.Series([True, False]), "covered", lang="zh")
    assert [b(True), b(False)] == ["是", "否"]


def test_html_has_no_index_all_rows_and_a_scroll_box():
    df = pd.DataFrame({"column": [f"c{i}" for i in range(109)], "n_widgets": np.arange(109.0)})
    html = table_html(df, lang="en")
    assert html.count("<tr") == 110 and "overflow-x: auto" in html and ">N widgets<" in html
    assert "c108" in html and "108.0" not in html
    cut = table_html(df, lang="en", max_rows=50)
    assert "First 50 of 109 rows shown" in cut


def test_years_have_no_separator_and_small_values_keep_their_digits():
    """Years/cohorts print as 2013 (not 2,013); a 0.043 beside a 86.7 is not shown as -0.0."""
    cohort = column_formatter(pd.Series([0.0, 2012.0, 2017.0]), "adoption_cohort")
    assert [cohort(0.0), cohort(2012.0)] == ["0", "2012"]
    assert column_formatter(pd.Series([2008, 2023]), "year")(2013) == "2013"
    assert column_formatter(pd.Series([1200.0, 70.0]), "n_customers")(1200.0) == "1,200"  # counts keep separators
    mixed = column_formatter(pd.Series([-0.0434, 86.69, 0.1186, -0.00004]), "estimate")
    assert [mixed(-0.0434), mixed(86.69), mixed(0.1186), mixed(-0.00004)] == ["-0.043", "86.69", "0.119", "-4.00e-05"]
    assert mixed(0.0) == "0.00" and mixed(245.3) == "245.30"


def test_table_html_is_the_same_in_every_run_and_prose_columns_wrap_left_aligned() -> None:
    """pandas' Styler draws a random id per table; ours is derived from the content, so a re-run gives the
    same HTML. Columns of sentences (longest value over 60 characters) are left-aligned and may wrap."""
    df = pd.DataFrame({"column": ["a", "b"], "n": [1, 2], "meaning": ["short", "a sentence " * 8]})
    first, again = table_html(df, lang="en"), table_html(df.copy(), lang="en")
    assert first == again
    assert table_html(df.assign(n=[1, 3]), lang="en") != first  # another table, another id
    css = first.split("</style>")[0]
    assert "td.col2 {\n  text-align: left;\n  white-space: normal;" in css
    assert "td.col0 {" not in css and "td.col1 {" not in css  # short text and numbers keep the default
