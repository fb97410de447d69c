"""Notebook 05's input resolution: tables (never mixed), created ids, auto as_of_date, roles and sections."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pandas as pd
import pytest

from bankcrm_research.data.validate import DataValidationError
from bankcrm_research.value.inputs import (
    BUNDLED_SPEC,
    attribute_features,
    load_value_tables,
    per_table,
    plan_sections,
    resolve_as_of_date,
    resolve_value_roles,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from own_data import shapes  # noqa: E402

BANK_FULL = Path(__file__).resolve().parents[2] / "data" / "public" / "bank-full.parquet"


@pytest.fixture()
def bare_log(tmp_path):
    path, params, _ = shapes.bare_transaction_log(tmp_path)
    return path, params["columns"]


def test_bare_log_is_read_through_the_data_layer_with_created_ids(bare_log):
    path, columns = bare_log
    tables = load_value_tables(path, columns=columns)
    assert not tables.simulated and tables.customers is None and tables.survey is None  # nothing bundled mixed in
    txn = tables.transactions
    assert isinstance(txn, pd.DataFrame) and tables.transactions_columns is None
    assert txn["transaction_id"].tolist() == list(range(1, len(txn) + 1))
    assert pd.api.types.is_datetime64_any_dtype(txn["txn_date"]) and txn["amount"].dtype.kind == "f"
    raw = pd.read_csv(path, sep=";", decimal=",")
    assert len(txn) == len(raw)
    assert txn["amount"].sum() == pytest.approx(raw["betrag"].sum(), rel=1e-12)  # decimal commas read
    assert any("were created from the row order" in n for n in tables.notes)


def test_as_of_date_auto_given_and_bundled(bare_log):
    path, columns = bare_log
    tables = load_value_tables(path, columns=columns)
    raw = pd.read_csv(path, sep=";")
    last = pd.to_datetime(raw["datum"], format="%d/%m/%Y").max().date()
    d, how, sentence = resolve_as_of_date(None, tables)
    assert (d, how) == (last, "auto") and last.isoformat() in sentence
    d, how, _ = resolve_as_of_date("1997-09-30", tables)  # the runner passes YAML dates as ISO text
    assert (d, how) == (dt.date(1997, 9, 30), "given")
    assert resolve_as_of_date(dt.date(2023, 1, 31), tables)[0] == dt.date(2023, 1, 31)
    with pytest.raises(ValueError, match="as_of_date"):
        resolve_as_of_date("not a date", tables)


def test_glob_of_files_goes_to_duckdb_with_the_mapping(bare_log):
    path, columns = bare_log
    tables = load_value_tables(str(path.parent / "*.csv"), columns=columns)
    assert tables.transactions_columns == columns["transactions"]
    assert not isinstance(tables.transactions, pd.DataFrame)


def test_transactions_only_plan_and_roles(bare_log):
    path, columns = bare_log
    tables = load_value_tables(path, columns=columns)
    roles = resolve_value_roles(tables)
    assert roles.value_column is None and roles.segment_features == () and roles.choices == ()
    plan = plan_sections(tables, roles)
    runs = {k for k, s in plan.items() if s.runs}
    assert runs == {"rfm", "clv", "segments", "value_concentration"}
    assert "customers" in plan["value_tiers"].reason and "customers_path" in plan["value_tiers"].fix
    assert "survey" in plan["satisfaction_link"].reason.lower()
    zh = plan_sections(tables, roles, lang="zh")
    assert "客户表" in zh["value_tiers"].reason
    with pytest.raises(ValueError, match="no customers table"):
        resolve_value_roles(tables, tier_column="value_tier")


def test_customers_without_id_get_row_ids_and_attribute_features():
    tables = load_value_tables(customers_path=BANK_FULL)
    cust = tables.customers
    assert len(cust) == 45_211 and cust["customer_id"].iloc[0] == "C000001" and cust["customer_id"].is_unique
    assert cust.attrs["ids_created"] and tables.customer_ids is None and tables.linkable_customers is None
    assert any("ids C000001" in n for n in tables.notes)
    roles = resolve_value_roles(tables)
    assert roles.value_column == "balance" and roles.tier_column is None and roles.rm_column is None
    assert {"age", "balance", "campaign"} <= set(roles.segment_features)
    assert "job" not in roles.segment_features  # text columns are left out (and said so)
    auto = {param: sentence for param, _, sentence in roles.choices}
    assert "left out text columns" in auto["segment_features"] and "balance" in auto["value_column"]
    plan = plan_sections(tables, roles)
    assert {k for k, s in plan.items() if s.runs} == {"segments", "value_concentration", "value_tiers"}
    assert "relationship-manager" in plan["rm_coverage"].reason
    feats = attribute_features(cust, roles.segment_features)
    assert list(feats.columns) == list(roles.segment_features) and len(feats) == len(cust)


def test_customers_with_a_mapped_id_are_linkable(tmp_path):
    df = pd.read_parquet(BANK_FULL).head(200).assign(kundennr=[f"K{i}" for i in range(200)])
    path = tmp_path / "cust.csv"
    df.to_csv(path, index=False)
    tables = load_value_tables(customers_path=path, columns={"customers": {"customer_id": "kundennr"}})
    assert tables.customers["customer_id"].iloc[0] == "K0" and tables.linkable_customers is not None


def test_given_but_missing_columns_fail_with_closest_names():
    tables = load_value_tables(customers_path=BANK_FULL)
    with pytest.raises(ValueError, match=r"value_column='balanse'.*closest: \['balance'"):
        resolve_value_roles(tables, value_column="balanse")
    with pytest.raises(ValueError, match=r"segment_features='agee'.*closest: \['age'"):
        resolve_value_roles(tables, segment_features=["agee", "balance"])
    with pytest.raises(TypeError, match="list of column names"):
        resolve_value_roles(tables, segment_features="age")


def test_bad_transactions_fail_before_analysis(tmp_path):
    path = tmp_path / "log.csv"
    pd.DataFrame({"kunde": ["A", "B"], "datum": ["2023-01-05", "2023-02-01"], "betrag": ["12.5", "abc"]}).to_csv(
        path, index=False)
    before = path.read_bytes()
    with pytest.raises(DataValidationError, match="amount"):
        load_value_tables(path, columns={"transactions": {"customer_id": "kunde", "txn_date": "datum",
                                                          "amount": "betrag"}})
    assert path.read_bytes() == before


def test_bundled_world_uses_the_bundled_spec():
    tables = load_value_tables()
    assert tables.simulated and str(tables.transactions).endswith(".parquet")
    roles = resolve_value_roles(tables)
    assert roles.choices == ()  # nothing "auto" to report: the bundled spec is the documented default
    assert roles.segment_features == BUNDLED_SPEC["segment_features"]
    assert (roles.value_column, roles.tier_column, roles.rm_column) == ("aum", "value_tier", "rm_id")
    assert roles.satisfaction_items == ("CUSA1", "CUSA2", "CUSA3")
    assert all(s.runs for s in plan_sections(tables, roles).values())
    assert resolve_as_of_date(None, tables)[:2] == (dt.date(2023, 12, 31), "auto")


def test_per_table_option():
    assert per_table("%d/%m/%Y", "customers") == "%d/%m/%Y"
    assert per_table({"transactions": "%d/%m/%Y"}, "customers") is None
    assert per_table({"transactions": 1}, "transactions") == 1


def test_survey_scale_is_read_from_the_answers():
    mobi = Path(__file__).resolve().parents[2] / "data" / "public" / "mobi.csv"
    tables = load_value_tables(survey_path=mobi)
    assert tables.survey.attrs["likert_range"] == (1, 10) and "1–10" in tables.notes[-1]
    assert load_value_tables(survey_path=mobi, likert_range=[0, 10]).survey.attrs["likert_range"] == (0, 10)
    roles = resolve_value_roles(tables)
    assert roles.satisfaction_items == ("CUSA1", "CUSA2", "CUSA3")
    plan = plan_sections(tables, roles)
    assert not any(s.runs for s in plan.values())  # a survey alone: nothing to link it to
    assert "No customers table" in plan["satisfaction_link"].reason
