"""value/engines: the one SQL source, its Spark transpilation, and the DuckDB engine's contract.

The Spark engine itself is tested in ``test_engines_spark.py`` (needs Java and PySpark).
"""

from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from bankcrm_research.value import engines
from bankcrm_research.value.engines import (
    QUALITY_ITEMS,
    clv_summary_table,
    connect,
    portable_sql,
    rfm_tables,
)

try:  # the DuckDB functions notebook 05 uses today (value/rfm.py after the split of segments.py)
    from bankcrm_research.value.rfm import clv_summary, rfm  # type: ignore[import-not-found]
except ImportError:
    from bankcrm_research.value.segments import clv_summary, rfm

AS_OF = "2023-12-31"
STATEMENTS = ["customer_aggregates", "data_quality", "rfm_scores", "clv_summary"]


def _legacy_rfm(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return rfm(*args, **kwargs)


# --------------------------------------------------------------------------------------------
# one SQL source
# --------------------------------------------------------------------------------------------


def test_duckdb_dialect_is_the_shipped_text():
    from importlib import resources

    text = (resources.files("bankcrm_research.value") / "sql/rfm.sql").read_text(encoding="utf-8")
    for name in STATEMENTS:
        assert portable_sql(name, "duckdb") in text


@pytest.mark.parametrize("name", STATEMENTS)
def test_spark_sql_is_transpiled_and_parses_as_spark(name):
    import sqlglot

    sql = portable_sql(name, "spark")
    # DuckDB-only syntax is gone: $parameters, DATE_DIFF('day', ...), VARCHAR, CREATE TEMP TABLE
    assert "$" not in sql
    assert "DATE_DIFF" not in sql.upper() and "VARCHAR" not in sql.upper()
    assert not sql.lstrip().upper().startswith("CREATE")
    assert sqlglot.parse_one(sql, read="spark") is not None
    if "as_of_date" in portable_sql(name, "duckdb"):
        assert ":as_of_date" in sql


def test_unknown_statement_and_dialect():
    with pytest.raises(ValueError, match="name"):
        portable_sql("rfm_v2", "spark")
    with pytest.raises(ValueError, match="dialect"):
        portable_sql("rfm_scores", "postgres")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# the DuckDB engine gives exactly what rfm()/clv_summary() give (the notebook's numbers)
# --------------------------------------------------------------------------------------------


def test_duckdb_engine_matches_rfm_on_generated_data(edge_transactions_parquet):
    path, customers = edge_transactions_parquet
    res = _legacy_rfm(path, as_of_date=AS_OF, customers=customers)
    table, quality = rfm_tables(path, as_of_date=AS_OF, customers=customers, engine="duckdb")
    assert_frame_equal(table, res.customers, check_exact=True)
    assert_frame_equal(quality, res.quality, check_exact=True)
    assert list(quality["item"]) == list(QUALITY_ITEMS)
    # every data-quality case of the generated log is present (so the comparison means something)
    q = quality.set_index("item")["n"]
    for item in ["missing_customer_id", "missing_date_or_amount", "future_dated_excluded",
                 "unknown_customer_excluded", "refunds", "zero_amount", "customers_without_transactions",
                 "one_purchase_customers", "refund_only_customers", "unknown_customers"]:
        assert q[item] > 0, item


def test_duckdb_engine_matches_clv_summary_on_generated_data(edge_transactions_parquet):
    path, customers = edge_transactions_parquet
    expected = clv_summary(path, as_of_date=AS_OF, customers=customers, time_unit_days=7)
    got = clv_summary_table(path, as_of_date=AS_OF, customers=customers, time_unit_days=7, engine="duckdb")
    assert_frame_equal(got, expected, check_exact=True)


def test_duckdb_engine_matches_on_bundled_data():
    from bankcrm_research.data.load import load_customers, transactions_path

    path = transactions_path(None)
    ids = load_customers(None)["customer_id"]
    res = _legacy_rfm(path, as_of_date=AS_OF, customers=ids)
    table, quality = rfm_tables(path, as_of_date=AS_OF, customers=ids)
    assert_frame_equal(table, res.customers, check_exact=True)
    assert_frame_equal(quality, res.quality, check_exact=True)
    assert_frame_equal(clv_summary_table(path, as_of_date=AS_OF, customers=ids),
                       clv_summary(path, as_of_date=AS_OF, customers=ids), check_exact=True)


def test_monetary_value_is_the_correctly_rounded_mean_of_repeat_days(edge_transactions):
    """Independent check of the clv_summary mean: exact rational mean, then the nearest double.

    Reference: Python's ``float(Fraction)`` (correctly rounded), over purchase days after the first,
    with day amounts rounded to 4 decimals as the SQL's DECIMAL(18, 4) does.
    """
    txn, customers = edge_transactions
    got = clv_summary_table(txn, as_of_date=AS_OF, customers=customers).set_index("customer_id")
    t = txn.dropna()
    t = t[(t["txn_date"] <= AS_OF) & (t["amount"] > 0) & t["customer_id"].isin(customers["customer_id"])]
    cents = t.assign(units=[round(Fraction(str(a)) * 10_000) for a in t["amount"]])
    daily = cents.groupby(["customer_id", "txn_date"])["units"].sum().reset_index()
    checked = 0
    for cid, g in daily.groupby("customer_id"):
        g = g.sort_values("txn_date")
        repeat = list(g["units"].iloc[1:])
        expected = float(Fraction(sum(repeat), 10_000 * len(repeat))) if repeat else 0.0
        assert got.loc[cid, "monetary_value"] == expected, cid
        assert got.loc[cid, "frequency"] == len(repeat)
        checked += 1
    assert checked == len(got) > 200


# --------------------------------------------------------------------------------------------
# boundaries
# --------------------------------------------------------------------------------------------


def test_engine_name_is_checked():
    with pytest.raises(ValueError, match="engine"):
        connect("oracle")  # type: ignore[arg-type]


def test_catalog_table_needs_spark(edge_transactions_parquet):
    path, customers = edge_transactions_parquet
    with pytest.raises(ValueError, match="transactions_table.*engine='spark'"):
        rfm_tables(None, as_of_date=AS_OF, customers=customers, transactions_table="bank.transactions")
    with pytest.raises(ValueError, match="not both"):
        rfm_tables(path, as_of_date=AS_OF, transactions_table="bank.transactions", engine="duckdb")
    with pytest.raises(ValueError, match="not neither"):
        clv_summary_table(None, as_of_date=AS_OF)


def test_missing_file_and_bad_suffix(tmp_path):
    with pytest.raises(FileNotFoundError, match="transactions_path"):
        rfm_tables(tmp_path / "nope.parquet", as_of_date=AS_OF)
    bad = tmp_path / "t.xlsx"
    bad.write_text("x")
    with pytest.raises(ValueError, match=r"\.csv or \.parquet"):
        rfm_tables(bad, as_of_date=AS_OF)


def test_column_mapping_is_checked_before_the_query(edge_transactions):
    txn, customers = edge_transactions
    with pytest.raises(ValueError, match="when"):
        rfm_tables(txn, as_of_date=AS_OF, customers=customers, columns={"txn_date": "when"})
    with pytest.raises(ValueError, match="unknown canonical"):
        rfm_tables(txn, as_of_date=AS_OF, columns={"date": "txn_date"})


def test_as_of_date_and_time_unit_are_checked(edge_transactions):
    txn, _ = edge_transactions
    with pytest.raises(ValueError, match="as_of_date"):
        rfm_tables(txn, as_of_date="not a date")
    with pytest.raises(ValueError, match="time_unit_days"):
        clv_summary_table(txn, as_of_date=AS_OF, time_unit_days=0)


def test_fetch_pandas_decimals_option(edge_transactions):
    txn, customers = edge_transactions
    with connect("duckdb") as eng:
        eng.register(txn, customers)
        eng.execute("customer_aggregates", {"as_of_date": pd.Timestamp(AS_OF).date()})
        with pytest.raises(ValueError, match="decimals"):
            engines.fetch_pandas(eng, "data_quality", {}, decimals="round")  # type: ignore[arg-type]
        q = engines.fetch_pandas(eng, "data_quality", {}, decimals="nearest")
    assert q["amount"].dtype == np.float64 and q["n"].dtype == np.float64  # SUM of BIGINT is HUGEINT
