"""MICOM verdicts in a Chinese report (``findings.display_frame`` on ``MICOMResult.summary()``)."""

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
