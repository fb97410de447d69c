"""One SQL source for every engine: ``value/sql/rfm.sql`` as shipped (DuckDB) or transpiled (Spark).

The statements are written once, in DuckDB's dialect. :func:`portable_sql` returns them unchanged for
DuckDB and transpiled by sqlglot for Spark SQL, so there is no second hand-written copy that could
drift: ``DATE_DIFF('day', a, b)`` -> ``DATEDIFF(b, a)``, ``VARCHAR`` -> ``STRING``, ``$x``
parameters -> ``:x``, and a ``CREATE TEMP TABLE t AS <query>`` becomes its query (Spark has no
temporary tables; the Spark engine caches the query as the temporary view ``t``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import Literal

from bankcrm_research.data.validate import require_choice

__all__ = ["DIALECTS", "portable_sql", "created_table", "used_parameters", "to_spark", "transactions_view_sql",
           "customers_view_sql"]

#: Dialects :func:`portable_sql` writes (one per engine).
DIALECTS = ("duckdb", "spark")
_SQL_FILE = "sql/rfm.sql"
_CANONICAL = ("customer_id", "txn_date", "amount")


@lru_cache(maxsize=1)
def _statements() -> dict[str, str]:
    text = resources.files("bankcrm_research.value").joinpath(_SQL_FILE).read_text(encoding="utf-8")
    parts = re.split(r"^-- name: (\w+)\s*$", text, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts), 2)}


def _transpile(sql: str, dialect: str) -> tuple[str, str | None]:
    """``(query, created_table)``: ``sql`` (DuckDB) in ``dialect``; a ``CREATE ... AS`` is split."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read="duckdb")
    if isinstance(tree, exp.Create):
        # Spark has no temporary tables: the engine materialises the query itself (cached view)
        return tree.expression.sql(dialect=dialect, pretty=True, comments=False), tree.this.name
    return tree.sql(dialect=dialect, pretty=True, comments=False), None


@lru_cache(maxsize=None)
def portable_sql(name: str, dialect: Literal["duckdb", "spark"] = "duckdb") -> str:
    """Statement ``name`` of ``sql/rfm.sql`` in ``dialect``.

    ``"duckdb"`` returns the shipped text unchanged. ``"spark"`` returns it transpiled by sqlglot
    (DuckDB -> Spark SQL: ``DATE_DIFF('day', a, b)`` -> ``DATEDIFF(b, a)``, ``VARCHAR`` ->
    ``STRING``, parameters ``$x`` -> ``:x``); a ``CREATE TEMP TABLE t AS <query>`` becomes its
    query, which ``SparkEngine`` caches as the temporary view ``t``.
    """
    stmts = _statements()
    require_choice(name, list(stmts), param="name")
    require_choice(dialect, list(DIALECTS), param="dialect")
    if dialect == "duckdb":
        return stmts[name]
    return _transpile(stmts[name], dialect)[0]


def created_table(name: str) -> str | None:
    """The temporary table statement ``name`` creates, or None for a query."""
    return _transpile(_statements()[name], "duckdb")[1]


def used_parameters(sql: str, params: Mapping[str, object], marker: str) -> dict[str, object]:
    """The parameters the statement uses (DuckDB and Spark both reject unused named parameters)."""
    return {k: v for k, v in params.items() if re.search(rf"{re.escape(marker)}{k}\b", sql)}


def to_spark(duckdb_sql: str) -> str:
    """One DuckDB statement in Spark SQL."""
    import sqlglot

    return sqlglot.transpile(duckdb_sql, read="duckdb", write="spark")[0]


# The two views the statements read, over the sources an engine registers (_txn_source, _cust_source)


def _quote(identifier: str) -> str:
    return '"' + str(identifier).replace('"', '""') + '"'


def transactions_view_sql(cols: Mapping[str, str]) -> str:
    """``transactions``: the canonical columns of ``_txn_source`` (``cols`` maps canonical -> source)."""
    # Amounts as exact fixed-point (1/10,000 CNY): DOUBLE sums depend on the order of addition
    # (threads, executors); DECIMAL sums are exact, so every engine and run gives the same numbers.
    cid, date, amount = (_quote(cols[k]) for k in _CANONICAL)
    return (f"SELECT CAST({cid} AS VARCHAR) AS customer_id, CAST({date} AS DATE) AS txn_date, "
            f"CAST({amount} AS DECIMAL(18, 4)) AS amount FROM _txn_source")


def customers_view_sql(cols: Mapping[str, str] | None) -> str:
    """``customers``: distinct ids of ``_cust_source``, or of the log when ``cols`` is None."""
    if cols is None:  # no base given: every id in the log is a customer
        return "SELECT DISTINCT customer_id FROM transactions WHERE customer_id IS NOT NULL"
    cid = _quote(cols["customer_id"])
    return f"SELECT DISTINCT CAST({cid} AS VARCHAR) AS customer_id FROM _cust_source WHERE {cid} IS NOT NULL"
