"""save_table / save_figure / record_metric / show_table: locations, formats, share-safe refusal."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from bankcrm_research import reporting
from bankcrm_research.reporting import _env


@pytest.fixture
def report_dir(tmp_path, monkeypatch):
    out = tmp_path / "run" / "nb"
    monkeypatch.setenv(_env.REPORT_DIR, str(out))
    monkeypatch.delenv(_env.SHARE_SAFE, raising=False)
    reporting.set_share_safe(False)
    yield out
    reporting.set_share_safe(False)


def test_interactive_outputs_go_to_scratch_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(_env.REPORT_DIR, raising=False)
    monkeypatch.setenv(_env.NOTEBOOK, "03_satisfaction_drivers")
    monkeypatch.chdir(tmp_path)
    path = reporting.save_table(pd.DataFrame({"a": [1]}), "t")
    assert path == tmp_path / ".bankcrm_outputs" / "03_satisfaction_drivers" / "tables" / "t.csv"
    assert path.read_text() == "a\n1\n"


def test_save_table_writes_full_precision_csv(report_dir):
    df = pd.DataFrame({"term": ["x", "y"], "estimate": [0.123456789012, np.nan]})
    path = reporting.save_table(df, "coefs")
    assert path == report_dir / "tables" / "coefs.csv"
    assert path.read_text(encoding="utf-8") == "term,estimate\nx,0.123456789012\ny,\n"


@pytest.mark.parametrize("bad", ["../x", "a/b", "", "with space"])
def test_save_table_rejects_path_like_names(report_dir, bad):
    with pytest.raises(ValueError, match="plain file stem"):
        reporting.save_table(pd.DataFrame({"a": [1]}), bad)


def test_record_metric_merges_converts_and_sorts(report_dir):
    reporting.record_metric("b.estimate", np.float64(0.25))
    reporting.record_metric("a.n", np.int64(12))
    reporting.record_metric("c.missing", float("nan"))
    reporting.record_metric("d.flag", np.bool_(True))
    text = (report_dir / "metrics.json").read_text(encoding="utf-8")
    assert json.loads(text) == {"a.n": 12, "b.estimate": 0.25, "c.missing": None, "d.flag": True}
    assert text.index('"a.n"') < text.index('"b.estimate"')  # sorted keys: stable bytes


def test_record_metric_rejects_non_scalars(report_dir):
    with pytest.raises(TypeError, match=r"record_metric\('coefs', \.\.\.\) expects a number"):
        reporting.record_metric("coefs", [1, 2])


def _customers(n):
    return pd.DataFrame({"customer_id": [f"C{i:06d}" for i in range(n)], "aum": np.arange(n)})


def test_share_safe_refuses_row_level_tables(report_dir, monkeypatch):
    monkeypatch.setenv(_env.SHARE_SAFE, "1")
    with pytest.warns(reporting.ShareSafeWarning, match="row-level customer data and was not written"):
        assert reporting.save_table(_customers(21), "scores") is None
    with pytest.warns(reporting.ShareSafeWarning):
        assert reporting.save_table(pd.DataFrame({"x": [1]}), "flagged", row_level=True) is None
    assert not (report_dir / "tables" / "scores.csv").exists()
    assert not (report_dir / "tables" / "flagged.csv").exists()
    # Aggregates and tiny tables are still written.
    assert reporting.save_table(_customers(20), "top20").exists()
    assert reporting.save_table(pd.DataFrame({"tier": ["mass"], "n": [5]}), "agg").exists()


def test_share_safe_from_setup_notebook(report_dir):
    reporting.set_share_safe(True)
    assert reporting.share_safe_enabled()
    with pytest.warns(reporting.ShareSafeWarning):
        reporting.show_table(_customers(50))


def test_without_share_safe_row_level_is_written(report_dir):
    assert reporting.save_table(_customers(50), "scores", row_level=True).exists()


def test_to_publication_table_formats():
    df = pd.DataFrame({"term": ["a"], "estimate": [1.23456]})
    assert "<table" in reporting.to_publication_table(df, "html") and "1.235" in reporting.to_publication_table(df, "html")
    latex = reporting.to_publication_table(df, "latex", lang="zh")
    assert "\\toprule" in latex and "估计值" in latex
    assert reporting.to_publication_table(df, "markdown", lang="en").splitlines()[0] == "| Term | Estimate |"
    with pytest.raises(ValueError, match="'fmt' parameter must be one of"):
        reporting.to_publication_table(df, "docx")
