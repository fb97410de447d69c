"""Where the transaction SQL runs: DuckDB on this machine (default) or Apache Spark on a cluster.

Notebook 05's transaction analytics (per-customer aggregates, data-quality counts, RFM scores, CLV
summary) are the statements of ``value/sql/rfm.sql``, written once; :mod:`.portable_sql` hands them
to each engine in its dialect. An :class:`Engine` does the plumbing around the SQL: connect, expose
the transaction source and the customer base as ``transactions(customer_id, txn_date, amount)``
and ``customers(customer_id)``, run the statements, and bring back only their results (one row
per customer, or the quality table) as Arrow: transaction rows never leave the engine.

Amounts are exact ``DECIMAL(18, 4)`` before any sum on both engines (sums do not depend on the
order in which threads or executors add them) and :func:`fetch_pandas` turns every result into
pandas the same way for both, so the same data give bit-identical numbers on DuckDB and Spark
(``tests/value/test_engines_spark.py``). :func:`rfm_tables` and :func:`clv_summary_table` return
what ``rfm`` (its ``customers`` and ``quality``) and ``clv_summary`` return, on either engine.
"""

from __future__ import annotations

import datetime as _dt
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from bankcrm_research.data.validate import require_choice, require_columns, require_positive_int
from bankcrm_research.value.portable_sql import (
    created_table, customers_view_sql, portable_sql, to_spark, transactions_view_sql, used_parameters,
)

__all__ = [
    "ENGINES",
    "QUALITY_ITEMS",
    "Engine",
    "DuckDBEngine",
    "SparkEngine",
    "connect",
    "portable_sql",
    "fetch_pandas",
    "rfm_tables",
    "clv_summary_table",
]

#: Engines that run ``sql/rfm.sql``.
ENGINES = ("duckdb", "spark")
EngineName = Literal["duckdb", "spark"]

#: Display order of the data-quality items (the UNION ALL order is not guaranteed by either engine).
QUALITY_ITEMS = (
    "rows_read", "missing_customer_id", "missing_date_or_amount", "future_dated_excluded",
    "unknown_customer_excluded", "used", "refunds", "zero_amount", "customers_in_base",
    "customers_with_transactions", "customers_without_transactions", "one_purchase_customers",
    "refund_only_customers", "unknown_customers",
)

_CANONICAL = ("customer_id", "txn_date", "amount")
#: Relations the SQL reads or creates; the Spark engine drops exactly these temporary views.
_RELATIONS = ("transactions", "customers", "customer_aggregates", "_txn_source", "_cust_source")

# --- Sources ---


def _literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _paths(source: str | Path | Sequence[str | Path], *, param: str) -> tuple[list[str], str]:
    """Checked paths and their format (``"parquet"`` or ``"csv"``)."""
    paths = [source] if isinstance(source, (str, Path)) else list(source)
    if not paths:
        raise ValueError(f"The '{param}' parameter is an empty list; give at least one CSV or Parquet path.")
    strs = [str(p) for p in paths]
    for s in strs:
        # remote paths (hdfs://, s3a://, ...) and globs are checked by the engine when it reads them
        if "://" not in s and not any(ch in s for ch in "*?[") and not Path(s).exists():
            raise FileNotFoundError(
                f"The '{param}' file was not found: {s}. Give the path of a CSV or Parquet file "
                f"(globs like 'txn/*.parquet' are accepted) or None for the bundled data."
            )
    suffixes = {Path(s).suffix.lower() for s in strs}
    if suffixes <= {".parquet", ".pq"}:
        return strs, "parquet"
    if suffixes <= {".csv", ".txt", ".gz", ".tsv"}:
        return strs, "csv"
    raise ValueError(
        f"The '{param}' parameter must point to .csv or .parquet files. Got suffixes {sorted(suffixes)}; "
        f"convert the file or pass a DataFrame."
    )


def _duckdb_reader(source, *, param: str) -> str:
    strs, fmt = _paths(source, param=param)
    lst = "[" + ", ".join(_literal(s) for s in strs) + "]"
    return f"read_parquet({lst})" if fmt == "parquet" else f"read_csv({lst}, auto_detect = true, header = true)"


def _require_source(transactions: Any, transactions_table: str | None) -> None:
    if (transactions is None) == (transactions_table is None):
        raise ValueError(
            "Give the transactions either as 'transactions' (file path, glob, list of paths or DataFrame) or as "
            f"'transactions_table' (a Spark catalog table), not {'both' if transactions is not None else 'neither'}."
        )


def _columns_map(columns: Mapping[str, str] | None) -> dict[str, str]:
    cols = {c: c for c in _CANONICAL}
    if columns:
        unknown = [k for k in columns if k not in _CANONICAL and k not in ("channel",)]
        if unknown:
            raise ValueError(
                f"The 'columns' parameter maps canonical names to your names; unknown canonical "
                f"name(s) {unknown}. Expected keys among {list(_CANONICAL)}."
            )
        cols.update({k: v for k, v in columns.items() if k in _CANONICAL})
    return cols


def _customer_frame(customers: Any, cid: str) -> pd.DataFrame | None:
    """The customer base as a one-column DataFrame, or None when it is a path."""
    if isinstance(customers, pd.DataFrame):
        require_columns(customers, [cid], table="customers", param="columns")
        return customers[[cid]]
    if isinstance(customers, (pd.Series, list, tuple, np.ndarray, pd.Index)):
        return pd.DataFrame({cid: np.asarray(customers)})
    return None


def _check_columns(found: Sequence[str], cols: Mapping[str, str]) -> None:
    # before the big query, so that the message names the columns that are there
    require_columns(pd.DataFrame(columns=list(found)), [cols[k] for k in _CANONICAL], table="transactions",
                    param="columns")


# --- Engines ---


class Engine(ABC):
    """Runs the named statements of ``sql/rfm.sql`` over a registered transaction source.

    Use as a context manager: ``with connect("spark") as eng: eng.register(...); ...``.
    """

    name: str = ""

    @abstractmethod
    def register(self, transactions: Any, customers: Any = None, *, columns: Mapping[str, str] | None = None,
                 transactions_table: str | None = None) -> None:
        """Expose ``transactions`` and ``customers`` (the relations the SQL reads)."""

    @abstractmethod
    def execute(self, name: str, params: Mapping[str, object]) -> None:
        """Run a statement that creates a table (``customer_aggregates``)."""

    @abstractmethod
    def fetch_arrow(self, name: str, params: Mapping[str, object]):
        """Run a query and return its (aggregated) result as a ``pyarrow.Table``."""

    def close(self) -> None:
        """Release what :meth:`register` and :meth:`execute` created."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DuckDBEngine(Engine):
    """In-process DuckDB (the default): scans CSV/Parquet files in place.

    Parameters
    ----------
    threads : int, optional
    memory_limit : str, optional
        E.g. ``"500MB"``; DuckDB then spills the aggregation to ``<tempdir>/bankcrm_duckdb_spill``.
    """

    name = "duckdb"

    def __init__(self, *, threads: int | None = None, memory_limit: str | None = None) -> None:
        import duckdb

        con = duckdb.connect(database=":memory:")
        if threads is not None:
            con.execute(f"SET threads = {require_positive_int(threads, param='threads')}")
        if memory_limit is not None:
            con.execute(f"SET memory_limit = {_literal(memory_limit)}")
            # an in-memory database spills only when given a temp directory
            spill = Path(tempfile.gettempdir()) / "bankcrm_duckdb_spill"
            con.execute(f"SET temp_directory = {_literal(str(spill))}")
        # the order of the aggregation input does not matter; letting DuckDB drop it saves memory
        con.execute("SET preserve_insertion_order = false")
        try:  # no progress bar in logs; inside Jupyter DuckDB refuses the change without ipywidgets
            con.execute("SET enable_progress_bar = false")
        except duckdb.Error:
            pass
        self.con = con

    def register(self, transactions, customers=None, *, columns=None, transactions_table=None) -> None:
        cols = _columns_map(columns)
        _require_source(transactions, transactions_table)
        if transactions_table is not None:
            raise ValueError(
                f"The 'transactions_table' parameter ({transactions_table!r}) names a Spark catalog table; "
                f"it needs engine='spark'. With engine='duckdb' give the transactions as a file path."
            )
        if isinstance(transactions, pd.DataFrame):
            require_columns(transactions, [cols[k] for k in _CANONICAL], table="transactions", param="columns")
            self.con.register("_txn_source", transactions)
        else:
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW _txn_source AS SELECT * FROM "
                             f"{_duckdb_reader(transactions, param='transactions_path')}")
        found = [r[0] for r in self.con.execute("DESCRIBE SELECT * FROM _txn_source LIMIT 0").fetchall()]
        _check_columns(found, cols)
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW transactions AS {transactions_view_sql(cols)}")
        if customers is not None:
            frame = _customer_frame(customers, cols["customer_id"])
            if frame is not None:
                self.con.register("_cust_source", frame)
            else:
                self.con.execute(f"CREATE OR REPLACE TEMP VIEW _cust_source AS SELECT * FROM "
                                 f"{_duckdb_reader(customers, param='customers_path')}")
        view = customers_view_sql(None if customers is None else cols)
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW customers AS {view}")

    def execute(self, name, params) -> None:
        sql = portable_sql(name, "duckdb")
        used = used_parameters(sql, params, "$")
        self.con.execute(sql, used) if used else self.con.execute(sql)

    def fetch_arrow(self, name, params):
        sql = portable_sql(name, "duckdb")
        return self.con.sql(sql, params=used_parameters(sql, params, "$") or None).to_arrow_table()

    def close(self) -> None:
        self.con.close()


class SparkEngine(Engine):
    """Apache Spark through PySpark: local mode, standalone (``spark://``), YARN or Kubernetes.

    Parameters
    ----------
    master : str
        ``"local[*]"``, ``"local[2]"``, ``"spark://host:7077"``, ``"yarn"``, ``"k8s://..."``. Ignored
        when a Spark session already runs in this process (e.g. a Databricks or spark-submit job):
        that session is used.
    conf : dict, optional
        Extra Spark settings, e.g. ``{"spark.executor.memory": "8g"}``.
    spark : SparkSession, optional
        A session to use instead of building one.

    Notes
    -----
    The session is left running on :meth:`close` (starting one costs seconds to tens of seconds and
    the notebook uses it twice); only the temporary views and the cached aggregates are dropped.
    The temporary views are named ``transactions``, ``customers``, ``customer_aggregates``,
    ``_txn_source`` and ``_cust_source`` in the session: they hide catalog tables of those names
    within this session for the duration of the run.
    """

    name = "spark"
    #: Defaults below the user's ``conf``: Arrow for pandas <-> Spark, no progress bar in notebook logs.
    DEFAULT_CONF = {"spark.sql.execution.arrow.pyspark.enabled": "true", "spark.ui.showConsoleProgress": "false"}

    def __init__(self, *, master: str = "local[*]", conf: Mapping[str, object] | None = None, spark=None) -> None:
        try:
            from pyspark.sql import SparkSession
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ImportError("engine='spark' needs PySpark (4.0 or newer) and a Java 17+ runtime: `pip install "
                              "pyspark`, `apt-get install openjdk-17-jre-headless`; or use engine='duckdb'.") from exc
        if not isinstance(master, str) or not master:
            raise ValueError(f"The 'spark_master' parameter must be a Spark master URL like 'local[*]', 'yarn' "
                             f"or 'spark://host:7077'. Got {master!r} instead.")
        if conf is not None and not isinstance(conf, Mapping):
            raise TypeError(f"The 'spark_conf' parameter must be a dict of Spark settings. Got {type(conf).__name__}.")
        if spark is None:
            builder = SparkSession.builder.master(master).appName("bankcrm-research")
            for key, value in {**self.DEFAULT_CONF, **dict(conf or {})}.items():
                builder = builder.config(key, str(value))
            spark = builder.getOrCreate()
        self.spark = spark
        # timestamps become dates in the session time zone: UTC for this run (restored on close),
        # also on a session that was already running
        self._time_zone = spark.conf.get("spark.sql.session.timeZone")
        spark.conf.set("spark.sql.session.timeZone", str((conf or {}).get("spark.sql.session.timeZone", "UTC")))
        self._cached: list = []

    def _read(self, source, *, param: str):
        strs, fmt = _paths(source, param=param)
        if fmt == "parquet":
            return self.spark.read.parquet(*strs)
        return self.spark.read.csv(strs, header=True, inferSchema=True)

    def register(self, transactions, customers=None, *, columns=None, transactions_table=None) -> None:
        cols = _columns_map(columns)
        _require_source(transactions, transactions_table)
        if transactions_table is not None:
            if not isinstance(transactions_table, str) or not transactions_table:
                raise ValueError(f"The 'transactions_table' parameter must be a table name like 'bank.transactions'. "
                                 f"Got {transactions_table!r} instead.")
            src = self.spark.table(transactions_table)
        elif isinstance(transactions, pd.DataFrame):
            require_columns(transactions, [cols[k] for k in _CANONICAL], table="transactions", param="columns")
            src = self.spark.createDataFrame(transactions[[cols[k] for k in _CANONICAL]])
        else:
            src = self._read(transactions, param="transactions_path")
        _check_columns(src.columns, cols)
        src.createOrReplaceTempView("_txn_source")
        self.spark.sql(to_spark(transactions_view_sql(cols))).createOrReplaceTempView("transactions")
        if customers is not None:
            frame = _customer_frame(customers, cols["customer_id"])
            if frame is not None:
                # ids as strings on the pandas side: the cast in the view then sees one type
                frame = pd.DataFrame({cols["customer_id"]: frame[cols["customer_id"]].astype("string")})
                cust = self.spark.createDataFrame(frame)
            else:
                cust = self._read(customers, param="customers_path")
            cust.createOrReplaceTempView("_cust_source")
        view = customers_view_sql(None if customers is None else cols)
        self.spark.sql(to_spark(view)).createOrReplaceTempView("customers")

    def _query(self, name, params):
        sql = portable_sql(name, "spark")
        used = used_parameters(sql, params, ":")
        return self.spark.sql(sql, args=used or None)

    def execute(self, name, params) -> None:
        target = created_table(name)
        if target is None:
            raise ValueError(f"statement {name!r} does not create a table; fetch it with fetch_arrow().")
        # materialised once (like DuckDB's temporary table), then read by the later statements
        df = self._query(name, params).cache()
        self._cached.append(df)
        df.createOrReplaceTempView(target)

    def fetch_arrow(self, name, params):
        df = self._query(name, params)
        if not hasattr(df, "toArrow"):
            import pyspark

            raise ImportError(f"engine='spark' needs PySpark 4.0 or newer (DataFrame.toArrow); found "
                              f"{pyspark.__version__}. Install the PySpark version of your cluster, 4.0 or newer.")
        return df.toArrow()

    def close(self) -> None:
        for df in self._cached:
            df.unpersist()
        self._cached.clear()
        for view in _RELATIONS:
            self.spark.catalog.dropTempView(view)
        self.spark.conf.set("spark.sql.session.timeZone", self._time_zone)


def connect(
    engine: EngineName = "duckdb",
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
    spark_master: str = "local[*]",
    spark_conf: Mapping[str, object] | None = None,
    spark=None,
) -> Engine:
    """An :class:`Engine` by name: ``threads``/``memory_limit`` are DuckDB's, ``spark_*`` Spark's."""
    require_choice(engine, list(ENGINES), param="engine")
    if engine == "duckdb":
        return DuckDBEngine(threads=threads, memory_limit=memory_limit)
    return SparkEngine(master=spark_master, conf=spark_conf, spark=spark)


# --- Results as pandas (identical for both engines) ---


def fetch_pandas(engine: Engine, name: str, params: Mapping[str, object], *, arrow_strings: bool = False,
                 decimals: Literal["arrow", "nearest"] = "arrow") -> pd.DataFrame:
    """Run a query on ``engine`` and return it as pandas, the same way for every engine.

    Exact DECIMAL results become float64 the same way for both engines: ``decimals="nearest"``
    gives the nearest double (through the decimal text, as DuckDB's own conversion does);
    ``"arrow"`` is Arrow's faster cast, which can be one unit in the last place off (kept where
    the published numbers were made with it). Integers become int64, dates ``datetime64``;
    strings are Arrow-backed (``string[pyarrow]``) when ``arrow_strings`` (for a million
    customers this halves the peak memory of the conversion), else Python objects.
    """
    import pyarrow as pa

    require_choice(decimals, ["arrow", "nearest"], param="decimals")
    table = engine.fetch_arrow(name, params)
    for i, fld in enumerate(table.schema):
        t = fld.type
        if pa.types.is_decimal(t):
            col = table.column(i)
            if decimals == "nearest":
                col = col.cast(pa.string())  # exact text; string -> double is correctly rounded
            table = table.set_column(i, fld.name, col.cast(pa.float64()))
        elif pa.types.is_integer(t):
            table = table.set_column(i, fld.name, table.column(i).cast(pa.int64()))
        elif pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
            table = table.set_column(i, fld.name, table.column(i).cast(pa.string()))
    mapper = {pa.string(): pd.StringDtype("pyarrow")}.get if arrow_strings else None
    # self_destruct frees each Arrow column as it is converted (no second full copy in memory)
    return table.to_pandas(types_mapper=mapper, date_as_object=False, split_blocks=True, self_destruct=True)


def _as_date(value: object, *, param: str = "as_of_date") -> _dt.date:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        ts = pd.NaT
    if pd.isna(ts):
        raise ValueError(f"The '{param}' parameter must be a date like '2023-12-31'. Got {value!r} instead.")
    return ts.date()


def rfm_tables(
    transactions: str | Path | Sequence[str | Path] | pd.DataFrame | None,
    *,
    as_of_date: str | _dt.date | pd.Timestamp,
    customers: str | Path | pd.DataFrame | Sequence[str] | None = None,
    columns: Mapping[str, str] | None = None,
    engine: EngineName = "duckdb",
    transactions_table: str | None = None,
    threads: int | None = None,
    memory_limit: str | None = None,
    spark_master: str = "local[*]",
    spark_conf: Mapping[str, object] | None = None,
    spark=None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-customer RFM and the data-quality counts, ``(customers, quality)``, on either engine.

    The tables ``rfm`` puts into its ``RFMResult``: ``customers`` one row per customer with a
    usable transaction (``customer_id, first_txn_date, last_txn_date, recency_days, frequency,
    n_transactions, n_refunds, gross_amount, refund_amount, monetary, r_score, f_score, m_score,
    fm_score, rfm_cell, segment``, sorted by id); ``quality`` ``item, unit, n, amount`` in
    :data:`QUALITY_ITEMS` order. Definitions: ``sql/rfm.sql``.

    Parameters
    ----------
    transactions : path, glob, list of paths, DataFrame, or None
        The transaction log; ``None`` with ``transactions_table``.
    engine : {"duckdb", "spark"}
    transactions_table : str, optional
        Spark catalog table (Hive, Delta, ...) with the transactions, read instead of a file.
    threads, memory_limit
        DuckDB settings.
    spark_master, spark_conf, spark
        Spark settings (see :class:`SparkEngine`).
    """
    as_of = _as_date(as_of_date)
    params = {"as_of_date": as_of}
    with connect(engine, threads=threads, memory_limit=memory_limit, spark_master=spark_master,
                 spark_conf=spark_conf, spark=spark) as eng:
        eng.register(transactions, customers, columns=columns, transactions_table=transactions_table)
        eng.execute("customer_aggregates", params)
        quality = fetch_pandas(eng, "data_quality", params, decimals="nearest")
        table = fetch_pandas(eng, "rfm_scores", params, arrow_strings=True)
    quality = quality.set_index("item").loc[list(QUALITY_ITEMS)].reset_index()
    quality["n"] = quality["n"].fillna(0).astype("int64")
    quality["amount"] = quality["amount"].astype(float)
    for c in ("first_txn_date", "last_txn_date"):
        table[c] = pd.to_datetime(table[c])
    return table, quality


def clv_summary_table(
    transactions: str | Path | Sequence[str | Path] | pd.DataFrame | None,
    *,
    as_of_date: str | _dt.date | pd.Timestamp,
    customers: str | Path | pd.DataFrame | Sequence[str] | None = None,
    columns: Mapping[str, str] | None = None,
    time_unit_days: float = 7.0,
    engine: EngineName = "duckdb",
    transactions_table: str | None = None,
    threads: int | None = None,
    memory_limit: str | None = None,
    spark_master: str = "local[*]",
    spark_conf: Mapping[str, object] | None = None,
    spark=None,
) -> pd.DataFrame:
    """``customer_id, frequency, recency, T, monetary_value`` (BG/NBD, Gamma-Gamma inputs), either engine.

    What ``clv_summary`` returns: purchase days up to ``as_of_date`` per customer in the base;
    ``recency`` and ``T`` in units of ``time_unit_days`` days, ``T`` measured to the end of the
    ``as_of_date`` day. Parameters as :func:`rfm_tables`.
    """
    as_of = _as_date(as_of_date)
    if isinstance(time_unit_days, bool) or not (isinstance(time_unit_days, (int, float)) and time_unit_days > 0):
        raise ValueError(f"The 'time_unit_days' parameter must be a positive number. Got {time_unit_days!r} instead.")
    with connect(engine, threads=threads, memory_limit=memory_limit, spark_master=spark_master,
                 spark_conf=spark_conf, spark=spark) as eng:
        eng.register(transactions, customers, columns=columns, transactions_table=transactions_table)
        out = fetch_pandas(eng, "clv_summary", {"as_of_date": as_of})
    out["recency"] = out.pop("recency_days").astype(float) / time_unit_days
    # T measured to the end of the as_of_date day so that same-day first purchases have T > 0
    out["T"] = (out.pop("T_days").astype(float) + 1.0) / time_unit_days
    return out[["customer_id", "frequency", "recency", "T", "monetary_value"]]
