"""Loaders: the bundled data, users' files in several formats, and every bad-input case explained.

Each bad-input test asserts that the message names the column (or row numbers) and says how to fix it.
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.data import load as datasets
from bankcrm_research.data.load import (
    TABLE_KINDS,
    detect_encoding,
    load_bank_panel,
    load_customers,
    load_survey,
    load_table,
    load_transactions,
    transactions_path,
)
from bankcrm_research.data.truth import load_truth
from bankcrm_research.data.validate import DataValidationError, DataWarning


def _csv(tmp_path: Path, text: str, name: str = "t.csv", encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def _problems(exc: pytest.ExceptionInfo) -> list:
    return [p for p in exc.value.problems if p.severity != "info"]  # infos are the record, not problems


# ---- bundled data --------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", TABLE_KINDS)
def test_bundled_tables_load_clean_with_canonical_dtypes(kind: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)  # bundled data load without warnings
        df = load_table(kind)
    gen = load_truth()["generator"]  # the sizes the bundled world was drawn with
    expected_rows = {"customers": gen["n_customers"], "survey": gen["n_respondents"],
                     "internet_finance_indicators": 31 * 16, "macro_monthly": 16 * 12}
    if kind in expected_rows:
        assert len(df) == expected_rows[kind]
    elif kind == "bank_panel":
        assert df["bank_id"].nunique() == gen["n_banks"] and len(df) <= gen["n_banks"] * 16
    else:  # transactions: only of bundled customers, tens of thousands of rows
        assert len(df) > 10_000 and df["customer_id"].isin(load_customers()["customer_id"]).all()
    assert df.attrs["simulated"] is True
    for c in df.columns:
        assert str(df[c].dtype) in {"object", "int64", "float64", "bool", "boolean", "datetime64[ns]"}, (c, df[c].dtype)


def test_bundled_customer_dtypes() -> None:
    c = load_customers()
    assert c["churned"].dtype == bool
    assert str(c["followup_contact"].dtype) == "boolean"
    assert pd.api.types.is_datetime64_any_dtype(c["churn_date"])
    assert c["tenure_months"].dtype == np.int64


def test_transactions_path_points_at_the_parquet() -> None:
    p = transactions_path()
    assert p.suffix == ".parquet" and p.exists()
    import duckdb

    n = duckdb.sql(f"select count(*) from read_parquet('{p.as_posix()}')").fetchall()[0][0]
    assert n == len(load_transactions())
    with pytest.raises(FileNotFoundError, match="transactions file not found"):
        transactions_path("/nonexistent/tx.parquet")


# ---- formats, encodings, mapping -----------------------------------------------------------------
PANEL_CN = "银行代码,银行类型,年份,活期存款占比\nB1,city_commercial,2020,0.41\nB1,city_commercial,2021,0.39\n"
MAP_CN = {"bank_id": "银行代码", "bank_type": "银行类型", "year": "年份", "demand_deposit_share": "活期存款占比"}


def test_gbk_csv_with_chinese_headers_is_detected_and_mapped(tmp_path: Path) -> None:
    p = _csv(tmp_path, PANEL_CN, encoding="gbk")
    assert detect_encoding(p) == "gb18030"
    df = load_bank_panel(p, columns=MAP_CN)
    assert list(df.columns[:4]) == ["bank_id", "bank_type", "year", "demand_deposit_share"]
    assert df["year"].tolist() == [2020, 2021]


def test_utf8_bom_and_semicolon_csv(tmp_path: Path) -> None:
    p = _csv(tmp_path, "\ufeff" + PANEL_CN.replace(",", ";"))
    assert detect_encoding(p) == "utf-8-sig"
    df = load_bank_panel(p, columns=MAP_CN)
    assert df["demand_deposit_share"].tolist() == [0.41, 0.39]


def test_wrong_explicit_encoding_says_how_to_fix(tmp_path: Path) -> None:
    p = _csv(tmp_path, PANEL_CN, encoding="gbk")
    with pytest.raises(DataValidationError, match="encoding='gb18030'"):
        load_bank_panel(p, columns=MAP_CN, encoding="utf-8")


def test_gbk_csv_with_unmapped_chinese_headers_names_the_missing_columns(tmp_path: Path) -> None:
    p = _csv(tmp_path, PANEL_CN, encoding="gbk")
    with pytest.raises(DataValidationError) as exc:
        load_bank_panel(p)
    text = str(exc.value)
    for col in ("bank_id", "year"):
        assert f"required column '{col}'" in text
    assert "required column 'bank_type'" not in text  # optional: only the by-type section needs it
    assert "银行代码" in text and "columns={'bank_id': '<your column>'}" in text


def test_excel_file_with_sheet_and_problems(tmp_path: Path) -> None:
    p = tmp_path / "survey.xlsx"
    good = pd.DataFrame({"respondent_id": ["a", "b", "c"], "CUSA1": [5, 6, 7], "CUSA2": [4, 9, 6]})
    with pd.ExcelWriter(p) as xw:
        pd.DataFrame({"x": [1]}).to_excel(xw, sheet_name="notes", index=False)
        good.to_excel(xw, sheet_name="answers", index=False)
    with pytest.raises(DataValidationError) as exc:
        load_survey(p, sheet="answers")
    (prob,) = [q for q in _problems(exc) if q.column == "CUSA2"]
    assert prob.rows == (2,) and "1–7 scale" in prob.message and "likert_range=(1, 9)" in prob.fix
    df = load_survey(p, sheet="answers", likert_range=(1, 10))
    assert len(df) == 3
    with pytest.raises(DataValidationError, match=r"sheet 'nope' not found.*\['notes', 'answers'\]"):
        load_survey(p, sheet="nope")


def test_parquet_user_file(tmp_path: Path) -> None:
    p = tmp_path / "tx.parquet"
    pd.DataFrame({"transaction_id": [1, 2], "customer_id": ["c1", "c2"], "txn_date": pd.to_datetime(["2021-01-02",
                  "2021-02-03"]), "amount": [10.0, -2.5]}).to_parquet(p)
    df = load_transactions(p)
    assert df["amount"].tolist() == [10.0, -2.5]


# ---- bad inputs: each names the column/row and gives the fix ----------------------------------------
def test_misnamed_required_column_suggests_the_closest_name(tmp_path: Path) -> None:
    p = _csv(tmp_path, "Customer_ID,age\nC1,30\n")
    with pytest.raises(DataValidationError) as exc:
        load_customers(p)
    (prob,) = _problems(exc)
    assert prob.column == "customer_id" and "columns={'customer_id': 'Customer_ID'}" in prob.fix


def test_optional_misnamed_column_is_a_warning(tmp_path: Path) -> None:
    p = _csv(tmp_path, "customer_id,Age\nC1,30\n")
    with pytest.warns(DataWarning, match=r"'age' is absent but 'Age'.*columns=\{'age': 'Age'\}"):
        load_customers(p)


def test_mapping_to_a_column_not_in_the_file(tmp_path: Path) -> None:
    p = _csv(tmp_path, "cust_no,age\nC1,30\n")
    with pytest.raises(DataValidationError, match=r"maps 'customer_id' to 'cust_id'.*closest in the file: 'cust_no'"):
        load_customers(p, columns={"customer_id": "cust_id"})


def test_mapping_with_an_unknown_canonical_name(tmp_path: Path) -> None:
    p = _csv(tmp_path, "customer_id,yrs\nC1,30\n")
    with pytest.raises(DataValidationError, match=r"'ages', which is not a column of customers.*closest canonical name: 'age'"):
        load_customers(p, columns={"ages": "yrs"})


def test_text_in_a_numeric_column(tmp_path: Path) -> None:
    p = _csv(tmp_path, "customer_id,age,income\nC1,30,5000\nC2,forty,6000\nC3,41,7 000 CNY\n")
    with pytest.raises(DataValidationError) as exc:
        load_customers(p)
    probs = {q.column: q for q in _problems(exc)}
    assert probs["age"].rows == (2,) and "'forty'" in probs["age"].message and "pd.to_numeric" in probs["age"].fix
    assert probs["income"].rows == (3,) and "remove units" in probs["income"].fix


def test_unparseable_dates(tmp_path: Path) -> None:
    p = _csv(tmp_path, "customer_id,open_date\nC1,2019-01-05\nC2,2019/13/45\nC3,2018-07-01\nC4,yesterday\n")
    with pytest.raises(DataValidationError) as exc:
        load_customers(p)
    (prob,) = _problems(exc)
    assert prob.column == "open_date" and prob.rows == (2, 4) and "YYYY-MM-DD" in prob.fix


def test_duplicate_keys_list_the_rows(tmp_path: Path) -> None:
    p = _csv(tmp_path, "customer_id,age\nC1,30\nC2,40\nC1,31\n")
    with pytest.raises(DataValidationError) as exc:
        load_customers(p)
    (prob,) = _problems(exc)
    assert prob.rows == (1, 3) and "drop_duplicates" in prob.fix


def test_likert_codes_outside_the_scale(tmp_path: Path) -> None:
    p = _csv(tmp_path, "respondent_id,CUSA1,PERQ6_R\nr1,5,3\nr2,99,4\nr3,0,8\n")
    with pytest.raises(DataValidationError) as exc:
        load_survey(p)
    probs = {q.column: q for q in _problems(exc)}
    assert probs["CUSA1"].rows == (2, 3) and "99 = 'don't know'" in probs["CUSA1"].fix
    assert probs["PERQ6_R"].rows == (3,)


def test_shares_given_in_percent(tmp_path: Path) -> None:
    p = _csv(tmp_path, "customer_id,digital_share\nC1,50\nC2,75\n")
    with pytest.raises(DataValidationError) as exc:
        load_customers(p)
    (prob,) = _problems(exc)
    assert prob.column == "digital_share" and prob.rows == (1, 2) and "divide the column by 100" in prob.fix


def test_negative_balances(tmp_path: Path) -> None:
    p = _csv(tmp_path, "bank_id,bank_type,year,deposits\nB1,joint_stock,2020,100\nB1,joint_stock,2021,-5\n")
    with pytest.raises(DataValidationError) as exc:
        load_bank_panel(p)
    (prob,) = _problems(exc)
    assert prob.column == "deposits" and prob.rows == (2,) and "negative balances" in prob.message
    assert "check signs" in prob.fix


def test_empty_file(tmp_path: Path) -> None:
    p = _csv(tmp_path, "")
    with pytest.raises(DataValidationError, match=r"the file is empty.*Fix: check the path"):
        load_customers(p)


def test_header_without_rows(tmp_path: Path) -> None:
    p = _csv(tmp_path, "customer_id,age\n")
    with pytest.raises(DataValidationError, match="no data rows"):
        load_customers(p)


def test_entirely_empty_columns(tmp_path: Path) -> None:
    p = _csv(tmp_path, "respondent_id,CUSA1,CUSA2\nr1,,5\nr2,,6\n")
    with pytest.warns(DataWarning, match=r"survey\.CUSA1: the column is entirely empty.*Fix: fill it"):
        load_survey(p)
    p2 = _csv(tmp_path, "customer_id,age\n,30\n,40\n", name="ids.csv")
    with pytest.raises(DataValidationError, match=r"customers\.customer_id: the column is entirely empty"):
        load_customers(p2)


def test_unknown_categories_get_a_recode_suggestion(tmp_path: Path) -> None:
    p = _csv(tmp_path, "bank_id,bank_type,year\nB1,city-commercial bank (urban),2020\nB2,state_owned,2020\n")
    with pytest.raises(DataValidationError) as exc:
        load_bank_panel(p)
    (prob,) = _problems(exc)
    assert prob.rows == (1,) and "'city-commercial bank (urban)': 'city_commercial'" in prob.fix


def test_unbalanced_panel_is_a_warning_not_an_error(tmp_path: Path) -> None:
    p = _csv(tmp_path, "bank_id,bank_type,year\nB1,joint_stock,2020\nB1,joint_stock,2021\nB2,joint_stock,2021\n")
    with pytest.warns(DataWarning, match=r"unbalanced panel: 1 of 2 bank_id.*B2 \(1 of 2\)"):
        df = load_bank_panel(p)
    assert len(df) == 3


def test_non_integer_counts_and_bad_booleans(tmp_path: Path) -> None:
    p = _csv(tmp_path, "customer_id,n_products,churned\nC1,2,yes\nC2,2.5,no\nC3,3,maybe\n")
    with pytest.raises(DataValidationError) as exc:
        load_customers(p)
    probs = {q.column: q for q in _problems(exc)}
    assert probs["n_products"].rows == (2,) and "whole numbers" in probs["n_products"].message
    assert probs["churned"].rows == (3,) and "true/false" in probs["churned"].fix


def test_missing_keys_are_reported_not_dropped(tmp_path: Path) -> None:
    p = _csv(tmp_path, "bank_id,bank_type,year\nB1,joint_stock,2020\n,joint_stock,2021\n")
    with pytest.raises(DataValidationError) as exc:
        load_bank_panel(p)
    (prob,) = [q for q in _problems(exc) if q.column == "bank_id"]
    assert prob.rows == (2,) and "not dropped automatically" in prob.fix


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    p = _csv(tmp_path, "customer_id,age,digital_share,open_date\nC1,abc,1.5,2020-01-01\nC1,30,0.5,notadate\n")
    with pytest.raises(DataValidationError) as exc:
        load_customers(p)
    cols = {q.column for q in _problems(exc)}
    assert {"age", "digital_share", "open_date", "customer_id"} <= cols
    assert str(exc.value).startswith("4 errors found in customers (t.csv); nothing was analysed")


def test_unknown_file_type(tmp_path: Path) -> None:
    p = _csv(tmp_path, "a,b\n1,2\n", name="data.sav")
    with pytest.raises(DataValidationError, match=r"unknown file type '\.sav'.*Convert the file"):
        load_customers(p)


def test_survey_without_ids_gets_row_ids_with_a_warning(tmp_path: Path) -> None:
    p = _csv(tmp_path, "CUSA1,CUSA2\n5,6\n7,7\n")
    with pytest.warns(DataWarning, match="ids S00001"):
        df = load_survey(p)
    assert df["respondent_id"].tolist() == ["S00001", "S00002"]


def test_churn_flag_and_date_disagree_is_a_warning(tmp_path: Path) -> None:
    p = _csv(tmp_path, "customer_id,churned,churn_date\nC1,true,\nC2,false,2021-03-01\nC3,true,2021-05-01\n")
    with pytest.warns(DataWarning, match=r"churned and churn_date disagree .*\(2 rows, e\.g\. rows 1, 2\)"):
        load_customers(p)


def test_rows_are_kept_and_input_files_never_modified(tmp_path: Path) -> None:
    p = _csv(tmp_path, "customer_id,age,churned\nC1,30,true\nC2,,false\nC3,45,\n")
    before = (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
    df = load_customers(p)
    assert len(df) == 3 and df["age"].isna().sum() == 1
    with pytest.raises(DataValidationError):
        load_customers(p, columns={"customer_id": "nope"})
    assert (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest()) == before


def test_bundled_files_are_not_modified_by_loading(repo_root: Path) -> None:
    p = repo_root / "data" / "survey.csv"
    before = (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
    load_survey()
    assert (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest()) == before


def test_unknown_kind_and_bad_columns_type() -> None:
    with pytest.raises(ValueError, match="Did you mean 'customers'"):
        load_table("customer")
    with pytest.raises(TypeError, match="must be a dict"):
        datasets.load_customers(columns=["customer_id"])  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", TABLE_KINDS)
def test_loader_signature_follows_the_contract(kind: str) -> None:
    import inspect

    sig = inspect.signature(getattr(datasets, f"load_{kind}"))
    params = list(sig.parameters.values())
    assert params[0].name == "path" and params[0].default is None
    for name in ("columns", "encoding", "sheet"):
        assert sig.parameters[name].kind is inspect.Parameter.KEYWORD_ONLY and sig.parameters[name].default is None
    assert "Key:" in (getattr(datasets, f"load_{kind}").__doc__ or "")
