"""Spark (local mode) returns exactly DuckDB's per-customer RFM, CLV summary and data-quality counts.

One SparkSession for the module (``local[2]``, two shuffle partitions, no UI): starting it costs
~10-30 s; the module runs in ~1-3 min on two busy cores; every comparison is exact (``check_exact=True``), amounts included, because both engines
sum DECIMAL(18, 4) amounts and convert the results to float64 the same way.
"""

from __future__ import annotations

import shutil
import subprocess
import warnings

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from bankcrm_research.value.engines import clv_summary_table, connect, portable_sql, rfm_tables


def _java_problem() -> str | None:
    """Why Spark cannot start here, or None."""
    java = shutil.which("java")
    if java is None:
        return "no Java runtime on PATH (Spark needs Java 17+; e.g. apt-get install openjdk-17-jre-headless)"
    try:
        subprocess.run([java, "-version"], capture_output=True, check=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"`java -version` failed ({exc}); Spark needs a working Java 17+ runtime"
    return None


_reason = _java_problem()
if _reason:
    pytest.skip(_reason, allow_module_level=True)
pytest.importorskip("pyspark", reason="PySpark is not installed (pip install pyspark; see the spark extra)")

AS_OF = "2023-12-31"
pytestmark = pytest.mark.xdist_group("spark")


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]").appName("bankcrm-research-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", "1g")
        # tiny data: planning and code generation cost more than they save (~30 % faster here)
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.codegen.wholeStage", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _both(func, *args, spark, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        duck = func(*args, engine="duckdb", **kwargs)
        spk = func(*args, engine="spark", spark=spark, **kwargs)
    return duck, spk


def test_rfm_and_quality_agree_on_generated_data(spark, edge_transactions_parquet):
    path, customers = edge_transactions_parquet
    (d_table, d_quality), (s_table, s_quality) = _both(rfm_tables, path, as_of_date=AS_OF, customers=customers,
                                                       spark=spark)
    assert_frame_equal(s_table, d_table, check_exact=True)
    assert_frame_equal(s_quality, d_quality, check_exact=True)
    q = d_quality.set_index("item")["n"]
    # the generated log exercises every quality case, so agreement covers every branch
    assert (q.drop(["customers_in_base"]) > 0).sum() >= 12
    assert d_table["gross_amount"].max() >= 1e9  # large amounts summed exactly


def test_clv_summary_agrees_on_generated_data(spark, edge_transactions_parquet):
    path, customers = edge_transactions_parquet
    duck, spk = _both(clv_summary_table, path, as_of_date=AS_OF, customers=customers, time_unit_days=7,
                      spark=spark)
    assert_frame_equal(spk, duck, check_exact=True)
    assert (duck["frequency"] > 0).sum() > 100


def test_dataframe_input_with_column_mapping(spark, edge_transactions):
    txn, customers = edge_transactions
    txn = txn.rename(columns={"customer_id": "cust", "txn_date": "booked_on", "amount": "cny"})
    cols = {"customer_id": "cust", "txn_date": "booked_on", "amount": "cny"}
    (d_table, d_quality), (s_table, s_quality) = _both(
        rfm_tables, txn, as_of_date=AS_OF, customers=customers.rename(columns={"customer_id": "cust"}),
        columns=cols, spark=spark)
    assert_frame_equal(s_table, d_table, check_exact=True)
    assert_frame_equal(s_quality, d_quality, check_exact=True)


def test_catalog_table_and_no_customer_base(spark, edge_transactions_parquet):
    path, _ = edge_transactions_parquet
    spark.read.parquet(path).createOrReplaceTempView("bank_transactions")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            duck = clv_summary_table(path, as_of_date=AS_OF)
            spk = clv_summary_table(None, as_of_date=AS_OF, engine="spark", spark=spark,
                                    transactions_table="bank_transactions")
    finally:
        spark.catalog.dropTempView("bank_transactions")
    assert_frame_equal(spk, duck, check_exact=True)
    # the engine leaves no temporary view behind (it would hide a catalog table called so)
    assert not {"transactions", "customers", "customer_aggregates"} & {t.name for t in spark.catalog.listTables()}


def test_csv_input(spark, edge_transactions, tmp_path):
    txn, customers = edge_transactions
    path = tmp_path / "transactions.csv"
    txn.assign(txn_date=txn["txn_date"].dt.strftime("%Y-%m-%d")).to_csv(path, index=False)
    (d_table, d_quality), (s_table, s_quality) = _both(rfm_tables, str(path), as_of_date=AS_OF,
                                                       customers=customers["customer_id"], spark=spark)
    assert_frame_equal(s_table, d_table, check_exact=True)
    assert_frame_equal(s_quality, d_quality, check_exact=True)


def test_bundled_transactions_agree(spark):
    from bankcrm_research.data.load import load_customers, transactions_path

    path, ids = str(transactions_path(None)), load_customers(None)["customer_id"]
    (d_table, d_quality), (s_table, s_quality) = _both(rfm_tables, path, as_of_date=AS_OF, customers=ids,
                                                       spark=spark)
    assert_frame_equal(s_table, d_table, check_exact=True)
    assert_frame_equal(s_quality, d_quality, check_exact=True)
    assert len(d_table) > 10_000
    duck, spk = _both(clv_summary_table, path, as_of_date=AS_OF, customers=ids, spark=spark)
    assert_frame_equal(spk, duck, check_exact=True)


def test_engine_boundaries_and_session_left_as_found(spark):
    spark.conf.set("spark.sql.session.timeZone", "Asia/Shanghai")
    try:
        # without spark=, the running session is picked up (the master of a running session cannot change)
        with connect("spark", spark_master="local[2]") as eng:
            assert eng.spark is spark
            assert spark.conf.get("spark.sql.session.timeZone") == "UTC"  # dates as DuckDB makes them
            with pytest.raises(ValueError, match="does not create a table"):
                eng.execute("rfm_scores", {})
        assert spark.conf.get("spark.sql.session.timeZone") == "Asia/Shanghai"
    finally:
        spark.conf.set("spark.sql.session.timeZone", "UTC")
    with pytest.raises(ValueError, match="spark_master"):
        connect("spark", spark_master="")
    with pytest.raises(TypeError, match="spark_conf"):
        connect("spark", spark_conf=["spark.executor.memory=2g"])  # type: ignore[arg-type]
    assert not portable_sql("customer_aggregates", "spark").lstrip().upper().startswith("CREATE")
