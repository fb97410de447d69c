"""RFM and CLV inputs from transaction logs at scale: SQL that DuckDB runs over the files.

RFM (recency, frequency, monetary value) is computed by SQL that DuckDB runs directly over the
CSV or Parquet transaction files, so tens of millions of rows never enter pandas; only the
per-customer result does. The SQL lives in one readable file, ``value/sql/rfm.sql``
(:func:`rfm_sql`), written to run unchanged on a warehouse engine given two views
``transactions(customer_id, txn_date, amount)`` and ``customers(customer_id)``. The same views feed
:func:`clv_summary` (frequency, recency, T, monetary value for BG/NBD and Gamma-Gamma in
:mod:`~bankcrm_research.value.clv`).

Nothing is dropped silently: future-dated transactions (after ``as_of_date``), transactions of
customers missing from the customer base, rows without a customer id, date or amount, refunds
(negative amounts), one-purchase customers and customers without transactions are all counted
in :attr:`RFMResult.quality`, and exclusions raise a :class:`~bankcrm_research.data.validate.DataWarning`
(the same sentences are in :attr:`RFMResult.notes`).

References
----------
Hughes, A. M. (1994). *Strategic Database Marketing*. Probus (RFM quintile scoring).
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005b). RFM and CLV: Using iso-value curves for
customer base analysis. *Journal of Marketing Research* 42(4), 415-430.
"""

from __future__ import annotations

import datetime as _dt
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from bankcrm_research.data.validate import DataWarning, require_choice
# one copy of the source/mapping helpers, shared with the engines that run the SQL
from bankcrm_research.value.engines import _as_date, _columns_map

__all__ = ["RFM_SEGMENTS", "rfm_sql", "rfm", "RFMResult", "clv_summary"]

#: Segment labels in display order (best to worst), with the (R, FM) cells they cover.
RFM_SEGMENTS: dict[str, str] = {
    "champions": "R = 5, FM >= 4",
    "loyal": "R 3-4, FM >= 4",
    "potential_loyalists": "R 4-5, FM 2-3",
    "new_customers": "R = 5, FM = 1",
    "promising": "R = 4, FM = 1",
    "need_attention": "R = 3, FM = 3",
    "about_to_sleep": "R = 3, FM 1-2",
    "cannot_lose_them": "R 1-2, FM = 5",
    "at_risk": "R 1-2, FM 3-4",
    "hibernating": "R = 2, FM 1-2; R = 1, FM = 2",
    "lost": "R = 1, FM = 1",
    "no_transactions": "in the customer base, no transaction up to as_of_date",
}

# --------------------------------------------------------------------------------------------
# SQL
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _sql_statements() -> dict[str, str]:
    text = resources.files("bankcrm_research.value").joinpath("sql/rfm.sql").read_text(encoding="utf-8")
    parts = re.split(r"^-- name: (\w+)\s*$", text, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts), 2)}


def rfm_sql(name: str | None = None) -> str:
    """The RFM SQL (all statements, or the one called ``name``), as shipped in ``sql/rfm.sql``."""
    stmts = _sql_statements()
    if name is None:
        return resources.files("bankcrm_research.value").joinpath("sql/rfm.sql").read_text(encoding="utf-8")
    require_choice(name, list(stmts), param="name")
    return stmts[name]


# --------------------------------------------------------------------------------------------
# RFM
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RFMResult:
    """RFM scores and segments (frozen).

    Attributes
    ----------
    customers : DataFrame
        One row per customer with at least one usable transaction: ``customer_id,
        first_txn_date, last_txn_date, recency_days, frequency, n_transactions, n_refunds,
        gross_amount, refund_amount, monetary, r_score, f_score, m_score, fm_score, rfm_cell,
        segment`` (row-level: do not share).
    quality : DataFrame
        ``item, unit, n, amount``: how every transaction row and customer was handled.
    as_of_date : datetime.date
    """

    customers: pd.DataFrame = field(repr=False)
    quality: pd.DataFrame
    as_of_date: _dt.date

    def quality_count(self, item: str) -> int:
        """Count for one quality item (e.g. ``"future_dated_excluded"``)."""
        q = self.quality.set_index("item")
        if item not in q.index:
            raise KeyError(f"unknown quality item {item!r}; available: {list(q.index)}")
        return int(q.loc[item, "n"])

    def tidy(self) -> pd.DataFrame:
        """Segment summary (aggregated, safe to share).

        Columns ``segment, n_customers, customer_share, monetary, value_share, mean_recency_days,
        mean_frequency, mean_monetary`` in :data:`RFM_SEGMENTS` order; customers in the base
        without any transaction form the ``no_transactions`` row.
        """
        c = self.customers
        g = c.groupby("segment", observed=True)
        out = pd.DataFrame(
            {
                "n_customers": g.size(),
                "monetary": g["monetary"].sum(),
                "mean_recency_days": g["recency_days"].mean(),
                "mean_frequency": g["frequency"].mean(),
                "mean_monetary": g["monetary"].mean(),
            }
        )
        n_none = self.quality_count("customers_without_transactions")
        if n_none:
            out.loc["no_transactions"] = [n_none, 0.0, np.nan, 0.0, 0.0]
        order = [s for s in RFM_SEGMENTS if s in out.index]
        out = out.loc[order].reset_index(names="segment")
        out["n_customers"] = out["n_customers"].astype(int)
        out.insert(2, "customer_share", out["n_customers"] / out["n_customers"].sum())
        out.insert(4, "value_share", out["monetary"] / out["monetary"].sum())
        return out

    def summary(self) -> pd.DataFrame:
        """The data-quality report (every row and customer accounted for)."""
        return self.quality.copy()

    @property
    def notes(self) -> tuple[str, ...]:
        """One sentence per kind of excluded transaction row (empty when none was excluded)."""
        total = self.quality_count("rows_read")
        out = []
        for item, why in [
            ("missing_customer_id", "without a customer id"),
            ("missing_date_or_amount", "without a date or amount"),
            ("future_dated_excluded", f"dated after as_of_date={self.as_of_date} (future-dated)"),
            ("unknown_customer_excluded", "of customers missing from the customer base"),
        ]:
            n = self.quality_count(item)
            if n:
                out.append(f"transactions: excluded {n} of {total} rows ({n / max(total, 1):.2%}) {why}; "
                           f"see RFMResult.quality.")
        return tuple(out)

    def plot(self, ax=None):
        """Share of customers vs share of value by RFM segment (horizontal bars)."""
        import matplotlib.pyplot as plt

        from bankcrm_research.reporting import label

        t = self.tidy().iloc[::-1]
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.4 * len(t) + 1.5))
        y = np.arange(len(t))
        ax.barh(y + 0.2, t["customer_share"], height=0.4, label=label("customer_share"))
        ax.barh(y - 0.2, t["value_share"], height=0.4, label=label("value_share"))
        ax.set_yticks(y, [label(s) for s in t["segment"]])
        ax.set_xlabel(label("share"))
        ax.legend(loc="lower right")
        return ax


def rfm(
    transactions: str | Path | Sequence[str | Path] | pd.DataFrame,
    *,
    as_of_date: str | _dt.date | pd.Timestamp,
    customers: str | Path | pd.DataFrame | Sequence[str] | None = None,
    columns: Mapping[str, str] | None = None,
    threads: int | None = None,
    memory_limit: str | None = None,
    engine: str = "duckdb",
    transactions_table: str | None = None,
    spark_master: str = "local[*]",
    spark_conf: Mapping[str, object] | None = None,
) -> RFMResult:
    """RFM scores and segments computed by DuckDB (default) or Spark directly over the transaction log.

    Parameters
    ----------
    transactions : path, glob, list of paths, or DataFrame
        CSV or Parquet transaction log with (canonical) columns ``customer_id, txn_date, amount``.
        Files are scanned by DuckDB and never loaded into pandas.
    as_of_date : date-like
        Reference date: recency is measured to it; later transactions are future-dated and are
        excluded (counted in :attr:`RFMResult.quality`).
    customers : path, DataFrame, sequence of ids, or None
        The customer base. Transactions of customers not in it are excluded and reported; base
        customers without transactions are reported (segment ``no_transactions``). ``None``: every
        customer id in the log is a customer.
    columns : dict, optional
        ``{canonical: your_column}`` for ``customer_id``, ``txn_date``, ``amount`` (also used for the
        customer id in ``customers``).
    threads, memory_limit : optional
        DuckDB settings (e.g. ``threads=2, memory_limit="500MB"``). With a memory limit DuckDB
        spills the aggregation to ``<tempdir>/bankcrm_duckdb_spill`` instead of failing.
    engine : {"duckdb", "spark"}
        Where the SQL runs; the same ``sql/rfm.sql`` (transpiled by sqlglot for Spark) gives the same
        numbers on both (:mod:`bankcrm_research.value.engines`). Only per-customer rows come back.
    transactions_table : str, optional
        Spark catalog table read instead of ``transactions`` (e.g. ``"bank.transactions"``).
    spark_master, spark_conf : optional
        Spark master URL (``local[*]``, ``yarn``, ``spark://…``) and extra Spark settings.

    Returns
    -------
    RFMResult

    Notes
    -----
    Quintile score of a customer with rank ``k`` (ties get the lowest rank) among ``n``:
    ``1 + floor(5 (k - 1) / n)``; recency is ranked from oldest to newest. Segments come from
    ``r_score`` and ``fm_score = round((f_score + m_score) / 2)`` on the grid in
    :data:`RFM_SEGMENTS`. See ``sql/rfm.sql`` for every definition.

    Examples
    --------
    >>> res = rfm("data/transactions.parquet", as_of_date="2023-12-31",
    ...           customers="data/customers.csv")  # doctest: +SKIP
    >>> res.tidy()  # segments with counts and value shares  # doctest: +SKIP
    """
    from bankcrm_research.value.engines import rfm_tables

    as_of = _as_date(as_of_date)
    cols = _columns_map(columns)
    table, quality = rfm_tables(transactions, as_of_date=as_of, customers=customers, columns=columns, engine=engine,
                                transactions_table=transactions_table, threads=threads, memory_limit=memory_limit,
                                spark_master=spark_master, spark_conf=spark_conf)
    result = RFMResult(customers=table, quality=quality, as_of_date=as_of)
    if result.quality_count("customers_with_transactions") == 0:
        raise ValueError(
            f"transactions: no usable transaction on or before as_of_date={as_of} for customers in the base; "
            f"check as_of_date, the customer ids and the column mapping (columns={cols})."
        )
    _warn_quality(result)
    return result


def _warn_quality(result: RFMResult) -> None:
    for note in result.notes:
        warnings.warn(note, DataWarning, stacklevel=3)


def clv_summary(
    transactions: str | Path | Sequence[str | Path] | pd.DataFrame,
    *,
    as_of_date: str | _dt.date | pd.Timestamp,
    customers: str | Path | pd.DataFrame | Sequence[str] | None = None,
    columns: Mapping[str, str] | None = None,
    time_unit_days: float = 7.0,
    threads: int | None = None,
    memory_limit: str | None = None,
    engine: str = "duckdb",
    transactions_table: str | None = None,
    spark_master: str = "local[*]",
    spark_conf: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """Per-customer frequency/recency/T/monetary_value for BG/NBD and Gamma-Gamma (DuckDB or Spark SQL).

    Purchases (amount > 0) are aggregated to purchase days, as in Fader, Hardie & Lee (2005):
    ``frequency`` = repeat purchase days, ``recency`` = time from the first to the last purchase
    day, ``T`` = time from the first purchase day to ``as_of_date`` (both in units of
    ``time_unit_days`` days), ``monetary_value`` = mean spend of the repeat purchase days.
    Customers without any purchase before ``as_of_date`` are not in the result (they are in
    :func:`rfm`'s quality report).
    """
    from bankcrm_research.value.engines import clv_summary_table

    return clv_summary_table(transactions, as_of_date=as_of_date, customers=customers, columns=columns,
                             time_unit_days=time_unit_days, engine=engine, transactions_table=transactions_table,
                             threads=threads, memory_limit=memory_limit, spark_master=spark_master,
                             spark_conf=spark_conf)
