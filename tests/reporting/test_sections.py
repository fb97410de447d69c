"""Skipped sections and auto choices are shown and recorded in metrics.json."""

from __future__ import annotations

import json

import pytest

from bankcrm_research import reporting
from bankcrm_research.reporting import sections
from bankcrm_research.reporting import auto_choices, record_choice, skip_section, skipped_sections


@pytest.fixture
def shown(monkeypatch):
    texts: list[str] = []
    monkeypatch.setattr(sections, "_display_markdown", texts.append)
    return texts


def test_skip_and_auto_are_recorded(tmp_path, monkeypatch, shown):
    monkeypatch.setenv("BANKCRM_REPORT_DIR", str(tmp_path))
    reporting.setup_notebook(lang="en")
    skip_section("out_of_time", "Out-of-time validation", "The file has no date column.",
                 "set date_column='<column>'")
    record_choice("features", ["age", "job"], "features = 2 columns (auto).")
    metrics = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["skipped.out_of_time"] == ("Out-of-time validation: The file has no date column. "
                                              "To run it: set date_column='<column>'")
    assert json.loads(metrics["auto.features"]) == ["age", "job"]
    assert skipped_sections(metrics) == {"out_of_time": metrics["skipped.out_of_time"]}
    assert auto_choices(metrics) == {"features": metrics["auto.features"]}
    assert shown[0].startswith("**Skipped: Out-of-time validation.** The file has no date column.")
    assert "date_column='&lt;column&gt;'" in shown[0]  # visible in Markdown, not swallowed as a tag
    assert shown[1].startswith("*Auto:* features = 2 columns")


def test_skip_in_chinese(tmp_path, monkeypatch, shown):
    monkeypatch.setenv("BANKCRM_REPORT_DIR", str(tmp_path))
    reporting.setup_notebook(lang="zh")
    try:
        skip_section("treatment", "跟进效果", "文件中没有处理变量。", "设置 treatment_column='<列名>'")
        assert shown[0].startswith("**已跳过：跟进效果。**")
        metrics = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
        assert metrics["skipped.treatment"] == "跟进效果：文件中没有处理变量。 如需运行：设置 treatment_column='<列名>'"
    finally:
        reporting.setup_notebook(lang="en")


def test_findings_are_recorded_in_order_and_replaced(tmp_path, monkeypatch, shown):
    from bankcrm_research.reporting import findings, record_findings

    monkeypatch.setenv("BANKCRM_REPORT_DIR", str(tmp_path))
    record_findings(["First.", "", "Second."])
    assert findings() == ["First.", "Second."]
    record_findings(["Only one now."])
    assert findings() == ["Only one now."]
    assert shown[-1] == "- Only one now."
    with pytest.raises(ValueError, match="at least one"):
        record_findings([])
