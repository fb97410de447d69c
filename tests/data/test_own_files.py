"""A researcher's own files through the one door (``bankcrm_research.data``): layouts the bundled data
never has — day/month dates, workbooks with several sheets, decimal commas, logs without ids — and the
record of what was assumed (``info``). Every bad-input test also checks the file is unchanged."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from bankcrm_research.data import load_customers, load_transactions
from bankcrm_research.data.dates import parse_dates
from bankcrm_research.data.load import check_table, read_raw
from bankcrm_research.data.validate import DataValidationError


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _write(tmp_path: Path, text: str, name: str = "f.csv", encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


# ---- dates -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("values", "expected", "order"),
    [
        (["05/03/2024", "31/12/2024"], ["2024-03-05", "2024-12-31"], "day-first"),
        (["03/05/2024", "12/31/2024"], ["2024-03-05", "2024-12-31"], "month-first"),
        (["05.03.2024", "31.12.2024"], ["2024-03-05", "2024-12-31"], "day-first"),
        (["2024年3月5日", "2024/12/01", "20240305"], ["2024-03-05", "2024-12-01", "2024-03-05"], None),
        (["5 Mar 2024", "March 6, 2024"], ["2024-03-05", "2024-03-06"], None),
        (["2024-03-05", "2024-03-05 10:22:01"], ["2024-03-05", "2024-03-05"], None),
    ],
)
def test_date_layouts_are_read_from_the_values(values, expected, order):
    r = parse_dates(pd.Series(values, dtype=object))
    assert r.problem is None and r.order == order
    assert r.values.dt.strftime("%Y-%m-%d").tolist() == expected


def test_ambiguous_day_month_is_an_error_naming_the_column_and_date_format(tmp_path: Path) -> None:
    p = _write(tmp_path, "customer_id,open_date\nC1,01/02/2020\nC2,03/04/2021\nC3,05/06/2019\n")
    before = _sha(p)
    with pytest.raises(DataValidationError) as exc:
        load_customers(p)
    (prob,) = [q for q in exc.value.problems if q.severity == "error"]
    assert prob.column == "open_date" and "ambiguous" in prob.message and "'01/02/2020'" in prob.message
    assert "date_format={'open_date': '%d/%m/%Y'}" in prob.fix
    assert _sha(p) == before
    df = load_customers(p, date_format={"open_date": "%d/%m/%Y"})
    assert df["open_date"].dt.strftime("%Y-%m-%d").tolist() == ["2020-02-01", "2021-04-03", "2019-06-05"]
    df = load_customers(p, date_format="%m/%d/%Y")
    assert df["open_date"].dt.strftime("%Y-%m-%d").tolist() == ["2020-01-02", "2021-03-04", "2019-05-06"]


def test_day_first_dates_are_never_swapped(tmp_path: Path) -> None:
    """The reported bug: dd/mm/yyyy silently read as mm/dd for every day <= 12."""
    days = pd.date_range("2021-01-01", periods=60, freq="5D")
    text = "customer_id,open_date\n" + "".join(f"C{i},{d:%d/%m/%Y}\n" for i, d in enumerate(days))
    df = load_customers(_write(tmp_path, text))
    assert (df["open_date"].to_numpy() == days.to_numpy()).all()
    _, probs = check_table("customers", tmp_path / "f.csv")
    assert any(q.severity == "info" and q.column == "open_date" and "day-first" in q.message for q in probs)


def test_mixed_orders_are_an_error(tmp_path: Path) -> None:
    p = _write(tmp_path, "customer_id,open_date\nC1,13/01/2020\nC2,01/13/2020\n")
    with pytest.raises(DataValidationError, match="both day-first and month-first"):
        load_customers(p)


# ---- Excel sheets --------------------------------------------------------------------------------------
def _workbook(tmp_path: Path) -> Path:
    p = tmp_path / "crm.xlsx"
    with pd.ExcelWriter(p) as xw:
        pd.DataFrame({"说明": ["导出自CRM系统"]}).to_excel(xw, sheet_name="readme", index=False)
        pd.DataFrame({"customer_id": ["C1", "C2"], "age": [31, 45]}).to_excel(xw, sheet_name="客户", index=False)
    return p


def test_workbook_with_several_sheets_needs_sheet(tmp_path: Path) -> None:
    p = _workbook(tmp_path)
    before = _sha(p)
    with pytest.raises(DataValidationError, match=r"2 sheets with data: \['readme', '客户'\]; pass sheet="):
        load_customers(p)
    assert load_customers(p, sheet="客户")["age"].tolist() == [31, 45]
    assert load_customers(p, sheet=1)["age"].tolist() == [31, 45]
    with pytest.raises(DataValidationError, match=r"sheet '客' not found.*closest: '客户'"):
        load_customers(p, sheet="客")
    assert _sha(p) == before


def test_a_workbook_with_one_filled_sheet_needs_no_sheet(tmp_path: Path) -> None:
    p = tmp_path / "one.xlsx"
    with pd.ExcelWriter(p) as xw:
        pd.DataFrame({"customer_id": ["C1"], "age": [50]}).to_excel(xw, sheet_name="data", index=False)
        pd.DataFrame().to_excel(xw, sheet_name="Sheet2", index=False)
    assert load_customers(p)["age"].tolist() == [50]


def test_validate_data_cli_refuses_a_workbook_without_sheet(tmp_path: Path) -> None:
    p = _workbook(tmp_path)
    cmd = [sys.executable, "-m", "bankcrm_research.cli", "validate-data", "customers", str(p)]
    bad = subprocess.run(cmd, capture_output=True, text=True)
    assert bad.returncode == 1 and "sheets with data" in bad.stdout
    ok = subprocess.run([*cmd, "--sheet", "客户"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout
    assert "info (what was assumed, kept or is absent)" in ok.stdout and "campaign_date" in ok.stdout


# ---- CSV layouts ----------------------------------------------------------------------------------------
def test_decimal_comma_in_semicolon_files(tmp_path: Path) -> None:
    p = _write(tmp_path, "customer_id;age;digital_share;aum\nC1;30;0,35;1.234,5\nC2;41;0,8;12,0\n", encoding="gbk")
    raw = read_raw(p)
    assert raw.attrs["decimal_comma_columns"] == ["digital_share", "aum"]
    df = load_customers(p)
    assert df["digital_share"].tolist() == [0.35, 0.8]


def test_comma_files_keep_thousands_commas_as_text_errors(tmp_path: Path) -> None:
    """In a comma-delimited file a quoted "1,234" is not silently read as 1.234."""
    p = _write(tmp_path, 'customer_id,age\nC1,"1,234"\n')
    with pytest.raises(DataValidationError, match="expected numbers"):
        load_customers(p)


def test_transaction_log_without_ids_gets_row_numbers(tmp_path: Path) -> None:
    p = _write(tmp_path, "客户,日期,金额\nC1,2024-01-03,10.5\nC1,2024-01-05,-2\nC2,2024-02-01,7\n")
    cols = {"customer_id": "客户", "txn_date": "日期", "amount": "金额"}
    df = load_transactions(p, columns=cols)
    assert df["transaction_id"].tolist() == [1, 2, 3]
    _, probs = check_table("transactions", p, columns=cols)
    assert any(q.column == "transaction_id" and "row order" in q.message for q in probs)


def test_unknown_and_absent_optional_columns_are_recorded(tmp_path: Path) -> None:
    p = _write(tmp_path, "customer_id,age,wealth_score\nC1,30,0.1\n")
    _, probs = check_table("customers", p)
    infos = [q for q in probs if q.severity == "info"]
    assert any("wealth_score" in q.message and "kept" in q.message for q in infos)
    absent = {q.column: q.message for q in infos if q.column}
    assert "out-of-time" in absent["campaign_date"] and "follow-up" in absent["followup_contact"]
    df = load_customers(p)  # infos never warn or stop
    assert "wealth_score" in df.columns


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("customer_id,age\nC1,30\nC1,31\n", "customer_id", "duplicate keys"),
        ("customer_id,age\nC1,7\n", "age", "outside the allowed range"),
        ("customer_id,digital_share\nC1,1.7\n", "digital_share", "shares outside [0, 1]"),
        ("customer_id,age\nC1,thirty\n", "age", "expected numbers"),
        ("customer_id,age\n,30\n,31\n", "customer_id", "entirely empty"),
    ],
)
def test_bad_input_names_table_column_rows_and_leaves_the_file(tmp_path: Path, text, column, words) -> None:
    p = _write(tmp_path, text)
    before = _sha(p)
    with pytest.raises(DataValidationError) as exc:
        load_customers(p)
    msg = str(exc.value)
    assert f"customers.{column}" in msg and words in msg and "Fix:" in msg and "row" in msg
    assert _sha(p) == before


def test_empty_file(tmp_path: Path) -> None:
    p = _write(tmp_path, "")
    with pytest.raises(DataValidationError, match="empty"):
        load_customers(p)


def test_chinese_and_spelled_out_category_labels_are_recoded(tmp_path: Path) -> None:
    from bankcrm_research.data import load_bank_panel

    text = ("银行,类型,年份\nA,城商行,2019\nB,国有大型商业银行,2019\nC,Joint-Stock,2019\nD,农村商业银行,2019\n")
    p = _write(tmp_path, text, encoding="gbk")
    cols = {"bank_id": "银行", "bank_type": "类型", "year": "年份"}
    df = load_bank_panel(p, columns=cols)
    assert df["bank_type"].tolist() == ["city_commercial", "state_owned", "joint_stock", "rural_commercial"]
    _, probs = check_table("bank_panel", p, columns=cols)
    assert any(q.severity == "info" and "'城商行' -> 'city_commercial'" in q.message for q in probs)
    bad = _write(tmp_path, "bank_id,bank_type,year\nA,外资银行,2019\n", name="bad.csv")
    with pytest.raises(DataValidationError, match=r"unknown categories \['外资银行'\]"):
        load_bank_panel(bad)


def test_customers_without_id_get_row_ids_unless_an_id_column_is_unmapped(tmp_path: Path, repo_root) -> None:
    bank = load_customers(repo_root / "data" / "public" / "bank-full.parquet")
    assert bank["customer_id"].iloc[[0, -1]].tolist() == ["C000001", "C045211"]
    p = _write(tmp_path, "客户编号,年龄\nK1,30\nK2,41\nK3,52\n", encoding="gbk")
    with pytest.raises(DataValidationError, match=r"look like ids.*columns=\{'customer_id': '客户编号'\}"):
        load_customers(p)
    assert load_customers(p, columns={"customer_id": "客户编号", "age": "年龄"})["age"].tolist() == [30, 41, 52]
