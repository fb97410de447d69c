"""``bankcrm-research validate-data``: report and exit codes (0 ok/warnings, 1 errors, 2 usage)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bankcrm_research.cli import main


def test_bundled_file_passes_with_the_unbalanced_panel_warning(repo_root: Path, capsys: pytest.CaptureFixture) -> None:
    rc = main(["validate-data", "bank_panel", str(repo_root / "data" / "bank_panel.csv")])
    out = capsys.readouterr().out
    assert rc == 0
    assert "OK: 0 errors, 1 warning." in out and "unbalanced panel" in out


def test_errors_exit_1_and_list_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    p = tmp_path / "c.csv"
    p.write_text("Customer_ID,age,digital_share\nC1,abc,1.5\n", encoding="utf-8")
    rc = main(["validate-data", "customers", str(p)])
    out = capsys.readouterr().out
    assert rc == 1
    assert "FAILED: 3 errors" in out
    assert "columns={'customer_id': 'Customer_ID'}" in out and "row 1" in out and "fraction between 0 and 1" in out


def test_column_map_yaml_fixes_the_names(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    p = tmp_path / "c.csv"
    p.write_bytes("客户编号,年龄\nC1,30\nC2,41\n".encode("gbk"))
    m = tmp_path / "map.yml"
    m.write_text("customer_id: 客户编号\nage: 年龄\n", encoding="utf-8")
    assert main(["validate-data", "customers", str(p)]) == 1
    assert main(["validate-data", "customers", str(p), "--columns", str(m)]) == 0
    assert "OK: 0 errors, 0 warnings." in capsys.readouterr().out


def test_warnings_only_exit_0(tmp_path: Path) -> None:
    p = tmp_path / "s.csv"
    p.write_text("CUSA1,CUSA2\n5,6\n", encoding="utf-8")
    assert main(["validate-data", "survey", str(p)]) == 0


def test_likert_range_option(tmp_path: Path) -> None:
    p = tmp_path / "s.csv"
    p.write_text("respondent_id,CUSA1\nr1,9\n", encoding="utf-8")
    assert main(["validate-data", "survey", str(p)]) == 1
    assert main(["validate-data", "survey", str(p), "--likert-range", "1,10"]) == 0
    assert main(["validate-data", "survey", str(p), "--likert-range", "x"]) == 2


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    bad_map = tmp_path / "map.yml"
    bad_map.write_text("- just\n- a list\n", encoding="utf-8")
    assert main(["validate-data", "customers", str(tmp_path / "x.csv"), "--columns", str(bad_map)]) == 2
    assert "expected a YAML mapping" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["validate-data", "clients", "x.csv"])
    assert exc.value.code == 2


def test_missing_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["validate-data", "customers", str(tmp_path / "nope.csv")]) == 1
    assert "file not found" in capsys.readouterr().out
