"""`findings.display_frame`: MICOM verdicts in a Chinese report; row names kept as a column."""

from __future__ import annotations

import pandas as pd

from bankcrm_research.satisfaction.findings import display_frame


def test_micom_verdicts_read_in_chinese_with_construct_labels() -> None:
    summary = pd.DataFrame({"group_a": ["digital"] * 3, "group_b": ["branch"] * 3, "verdict": [
        "full: paths may be compared and the data pooled",
        "partial: paths may be compared (multi-group analysis), not pooled",
        "none for PERQ, CUSL: compare only paths between the other constructs"]})
    zh = display_frame(summary, "zh").iloc[:, 2].tolist()
    assert zh[0].startswith("完全测量不变") and zh[1].startswith("部分测量不变")
    assert "PERQ" not in zh[2] and "CUSL" not in zh[2]  # construct codes shown by their Chinese labels
    assert zh[2].endswith("不具备组成不变性：只比较其他潜变量之间的路径") and "、" in zh[2]
    assert display_frame(summary, "en").iloc[:, 2].tolist() == summary["verdict"].tolist()


def test_row_names_become_the_first_column_and_a_filtered_numeric_index_is_dropped() -> None:
    """EFA loadings are indexed by item: show_table drops an unnamed index, so the names must be a column."""
    loadings = pd.DataFrame({"F1": [0.7, 0.1]}, index=pd.Index(["PERQ1", "CUSA1"]))
    shown = display_frame(loadings, "en")
    assert list(shown.columns)[0] == "Item" and shown.iloc[:, 0].tolist() == ["PERQ1", "CUSA1"]
    assert display_frame(loadings, "zh").columns[0] == "题项"
    filtered = pd.DataFrame({"term": ["a", "b", "c"], "estimate": [1.0, 2.0, 3.0]}).iloc[[0, 2]]
    assert display_frame(filtered, "en").shape[1] == 2  # integer row numbers are not names
