"""Notebook 00 on researchers' own files, by parameters alone: only the given tables are read."""

from __future__ import annotations

import hashlib

import pytest

from own_data import shapes
from own_data.runner import run_notebook


def _sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_overview_of_a_gbk_panel_and_a_bare_log(tmp_path, monkeypatch):
    panel, p_params, _ = shapes.panel_with_own_index(tmp_path)
    log, t_params, _ = shapes.bare_transaction_log(tmp_path)
    before = {panel: _sha(panel), log: _sha(log)}
    run = run_notebook("00_data_overview", {
        "paths": {"bank_panel": str(panel), "transactions": str(log)},
        "columns": {**p_params["columns"], **t_params["columns"]},
    }, tmp_path, monkeypatch)
    overview = run.table("tables_overview")
    assert sorted(overview["table"]) == ["bank_panel", "transactions"]  # nothing bundled mixed in
    assert not run.has_table("truth_vs_estimate") and "truth" in run.skipped
    assert {"table_customers", "table_survey", "table_macro_monthly"} <= set(run.skipped)
    assert run.metrics["rows.bank_panel"] == 60 * 12
    problems = run.table("validation_problems")
    info = problems[problems["severity"] == "info"]
    assert any("row order" in m for m in info["message"])  # transaction ids created
    assert any("城市商业银行" in m for m in info["message"])  # Chinese bank types recoded
    by_type = run.table("bank_panel_by_type")
    assert set(by_type["bank_type"]) == {"state_owned", "joint_stock", "city_commercial", "rural_commercial"}
    assert "2011–2022" in run.text and "Simulated" not in run.text
    findings = [v for k, v in sorted(run.metrics.items()) if k.startswith("findings.")]
    assert 2 <= len(findings) <= 5 and findings[0].startswith("Validation: 0 errors")
    assert any("By bank type" in f or "demand-deposit" in f for f in run.metrics.values() if isinstance(f, str))
    assert all(_sha(p) == h for p, h in before.items())


@pytest.mark.shared_data
def test_overview_of_the_mobi_survey_reads_its_1_to_10_scale(shared_data_dir, tmp_path, monkeypatch):
    path = shared_data_dir / "ecsi_mobi" / "mobi.csv"
    run = run_notebook("00_data_overview", {"paths": {"survey": str(path)}}, tmp_path, monkeypatch)
    assert run.metrics["auto.likert_range"] == "[1, 10]"
    assert run.metrics["headline.survey_respondents"] == 250
    assert "1–10 scale" in run.text


def test_bad_file_fails_before_analysis_with_every_problem_on_the_console(tmp_path):
    """`run` prints each data problem (table.column, rows, fix), exits 1, and leaves the file as it was."""
    import subprocess
    import sys

    bad = tmp_path / "客户.csv"
    bad.write_bytes("customer_id,age,aum\nC1,7,100\nC1,30,-5\n".encode("gbk"))
    before = _sha(bad)
    proc = subprocess.run([sys.executable, "-m", "bankcrm_research.cli", "run", "00", "-p", "paths={customers: 客户.csv}",
                           "--output-dir", str(tmp_path / "reports"), "--no-progress"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 1
    err = proc.stderr
    assert "3 errors found in customers" in err
    for text in ("customers.age: values outside the allowed range", "customers.customer_id: duplicate keys",
                 "customers.aum: negative balances", "Fix:"):
        assert text in err, err
    assert _sha(bad) == before
    assert not (tmp_path / "reports" / "latest").exists()  # a failed run never moves latest


def test_overview_of_the_shipped_bank_marketing_file(tmp_path, monkeypatch, repo_root):
    """Parquet with categorical text columns, no id (row ids said), a text 'month' that is not a date."""
    path = repo_root / "data" / "public" / "bank-additional-full.parquet"
    run = run_notebook("00_data_overview", {"paths": {"customers": str(path)}}, tmp_path, monkeypatch)
    assert run.metrics["headline.customers"] == 41188
    problems = run.table("validation_problems")
    assert any("created from the row order" in m for m in problems["message"])
    assert run.table("tables_overview")["period"].isna().all()  # no date column to report a period from
