"""Notebook 05's inputs: which tables, which columns, which sections run and why.

The own-data contract (DESIGN.md, issue 11) for segmentation and customer value:

* **Tables.** No path at all = the bundled simulated world. Otherwise only the tables the user gave
  are read, through :mod:`bankcrm_research.data` (validated; encodings, delimiters, decimal commas
  and ``dd/mm`` dates handled there): a bundled customers or survey table is never mixed with a
  user's transactions. A transaction log without an id gets ids 1..n (the data layer does it and
  says so); a customers table without ``customer_id`` gets row ids ``C000001``... (said so), because
  segments on customer attributes need no key (linking to transactions or a survey does).
* **Scale.** The bundled Parquet log (and a user's glob or list of files) is scanned in place by
  DuckDB (:func:`bankcrm_research.value.rfm.rfm`); a single user file is read by the data layer and
  the validated DataFrame is handed to the same SQL.
* **Auto.** Every dataset-specific parameter is ``None`` = auto: the bundled spec on bundled data,
  the canonical column found in the user's customers/survey table otherwise, else absent (the
  section that needs it is skipped with a sentence). What auto chose is returned as sentences.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from bankcrm_research.data.load import (
    check_table,
    load_customers,
    load_survey,
    load_transactions,
    tables_from_checks,
    transactions_path,
)
from bankcrm_research.data.roles import ColumnChoice, resolve_column
from bankcrm_research.data.schemas import SURVEY_ITEM_PATTERN
from bankcrm_research.value.plan import Section, plan_sections

__all__ = ["BUNDLED_SPEC", "ValueTables", "ValueRoles", "Section", "load_value_tables", "resolve_as_of_date",
           "resolve_value_roles", "plan_sections", "per_table", "attribute_features"]

#: The bundled simulated world's specification (what ``None`` means on bundled data).
BUNDLED_SPEC: dict[str, Any] = {
    "as_of_date": "2023-12-31",
    "segment_features": ("n_products", "digital_share", "tenure_months", "branch_visits_12m"),
    "value_column": "aum",
    "tier_column": "value_tier",
    "rm_column": "rm_id",
    "service_columns": ("followup_contact", "branch_visits_12m"),
    "satisfaction_items": ("CUSA1", "CUSA2", "CUSA3"),
    "satisfaction_controls": ("tenure_months", "n_products", "digital_share", "complaints_12m", "age"),
    "satisfaction_categorical": ("value_tier",),
    "event_column": "churned",
    "duration_column": "duration_months",
}
#: Further names tried by auto when the canonical column is absent (UCI Bank Marketing: ``balance``).
_ALTERNATIVES: dict[str, tuple[str, ...]] = {"value_column": ("balance",)}
_MAX_MISSING_FEATURE = 0.2


def per_table(option: Any, kind: str) -> Any:
    """``option[kind]`` when ``option`` is a per-table dict, else ``option`` itself (one for all)."""
    if isinstance(option, Mapping):
        return option.get(kind)
    return option


def _is_many(source: Any) -> bool:
    if isinstance(source, (list, tuple)):
        return True
    return any(ch in str(source) for ch in "*?[")


@dataclass(frozen=True)
class ValueTables:
    """The tables notebook 05 works on.

    Attributes
    ----------
    simulated : bool
        True when no path was given (bundled world: truth beside estimate is possible).
    transactions : path, list of paths, DataFrame or None
        What :func:`~bankcrm_research.value.rfm.rfm` reads: the bundled Parquet path, a user's
        glob/list (scanned by DuckDB), or the user's validated table (canonical names).
    transactions_columns : dict or None
        Column mapping still to apply in SQL (only for a glob/list read by DuckDB directly).
    customers, survey : DataFrame or None
    notes : tuple of str
        What was read, and ids that were created.
    transactions_table : str or None
        A Spark catalog table holding the transaction log (read by the Spark engine in place).
    """

    simulated: bool
    transactions: Any
    transactions_columns: dict[str, str] | None
    customers: pd.DataFrame | None = field(repr=False)
    survey: pd.DataFrame | None = field(repr=False)
    notes: tuple[str, ...] = ()
    transactions_table: str | None = None

    @property
    def has_transactions(self) -> bool:
        return self.transactions is not None or self.transactions_table is not None

    @property
    def linkable_customers(self) -> pd.DataFrame | None:
        """The customers table when its ids are real (can be joined to transactions or a survey)."""
        return None if self.customers is None or self.customers.attrs.get("ids_created") else self.customers

    @property
    def customer_ids(self) -> pd.Series | None:
        """The customer base for RFM/CLV (None: every customer in the log), only when ids are real."""
        if self.customers is None or self.customers.attrs.get("ids_created"):
            return None
        return self.customers["customer_id"]


def _load_customers(path: str | Path, columns: Mapping[str, str] | None, sheet: Any, date_format: Any,
                    zh: bool = False) -> tuple[pd.DataFrame, str | None]:
    """Load a user's customers table; one without any customer id gets row ids from the data layer
    (``C000001``…, a warning), and this returns the sentence saying what that means for notebook 05."""
    table, problems = check_table("customers", path, columns=columns, sheet=sheet, date_format=date_format)
    out = tables_from_checks({"customers": (table, problems)}, {"customers": path})["customers"]
    created = any(p.column == "customer_id" and "created from the row order" in p.message for p in problems)
    if not created:
        return out, None
    first = str(out["customer_id"].iloc[0]) if len(out) else ""
    note = (f"客户表（{Path(path).name}）没有 customer_id 列，已按行序生成编号 {first}…；按客户属性分群不需要编号，但无法与"
            f"交易或调查关联（用 columns={{'customers': {{'customer_id': '<列名>'}}}} 映射编号）。") if zh else (
            f"customers ({Path(path).name}): no customer_id column, so ids {first}… were created from the row "
            f"order; segments on customer attributes need no key, but transactions and survey answers cannot be "
            f"linked to these customers (map your id with columns={{'customers': {{'customer_id': '<column>'}}}}).")
    out.attrs["ids_created"] = True
    return out, note


def load_value_tables(
    transactions_path_: str | Path | Sequence[str | Path] | None = None,
    customers_path: str | Path | None = None,
    survey_path: str | Path | None = None,
    *,
    columns: Mapping[str, Mapping[str, str]] | None = None,
    sheet: Any = None,
    date_format: Any = None,
    likert_range: Sequence[int] | None = None,
    lang: str = "en",
    transactions_table: str | None = None,
) -> ValueTables:
    """Read the tables of notebook 05, bundled (no path at all) or the user's (only those given).

    Parameters
    ----------
    transactions_path_, customers_path, survey_path : path or None
        The user's files; all None = the bundled simulated world.
    columns : dict
        Per table ``{canonical: your_column}`` (``{"transactions": {...}, "customers": {...}}``).
    sheet, date_format : str, int, dict or None
        Excel sheet and ``strptime`` date layout, one for every table or per table
        (``{"transactions": "%d/%m/%Y"}``).
    likert_range : (int, int) or None
        Answer scale of the survey items; None = 1–7 on bundled data, else read from the answers
        (:func:`bankcrm_research.data.overview.infer_likert_range`).
    lang : {"en", "zh"}
        Language of :attr:`ValueTables.notes`.
    transactions_table : str, optional
        A Spark catalog table with the transaction log (``engine="spark"``); it is never read here,
        only aggregated by the engine, and it counts as the user's transactions (nothing bundled).

    Raises
    ------
    DataValidationError
        From the data layer, before any analysis, when a table has errors.
    """
    columns = {k: dict(v) for k, v in (columns or {}).items() if v}
    if transactions_table is not None and transactions_path_ is not None:
        raise ValueError("give either transactions_path or transactions_table (a Spark catalog table), not both.")
    simulated = (transactions_path_ is None and customers_path is None and survey_path is None
                 and transactions_table is None)
    notes: list[str] = []
    zh = lang == "zh"
    if simulated:
        customers = load_customers(None)
        survey = load_survey(None)
        txn_source = transactions_path(None)
        notes.append(f"内置模拟数据：客户 {len(customers):,} 行，调查 {len(survey):,} 名受访者，交易文件 {txn_source.name}"
                     f"（由 DuckDB 直接扫描）。" if zh else
                     f"Bundled simulated data: customers {len(customers):,} rows, survey {len(survey):,} "
                     f"respondents, transactions file {txn_source.name} (scanned by DuckDB).")
        return ValueTables(True, txn_source, None, customers, survey, tuple(notes))

    txn, txn_cols = None, None
    if transactions_path_ is not None:
        if _is_many(transactions_path_):
            txn, txn_cols = transactions_path_, columns.get("transactions") or None
            notes.append("交易：多个文件，由 DuckDB 直接扫描（未逐行校验）。" if zh else
                         "transactions: several files, scanned in place by DuckDB (not validated row by row).")
        else:
            txn = load_transactions(transactions_path_, columns=columns.get("transactions"),
                                    sheet=per_table(sheet, "transactions"),
                                    date_format=per_table(date_format, "transactions"))
            created = any("transaction_id" in p and "created from the row order" in p for p in txn.attrs.get("problems", []))
            name = Path(transactions_path_).name
            notes.append((f"交易（{name}）：读取并校验 {len(txn):,} 行" + ("；没有 transaction_id 列，已按行序生成编号 1..n"
                                                                    "（ids 1..n were created）。" if created else "。"))
                         if zh else f"transactions ({name}): {len(txn):,} rows read and validated"
                         + ("; no transaction_id column, so ids 1..n were created from the row order." if created
                            else "."))
    customers = None
    if customers_path is not None:
        customers, note = _load_customers(customers_path, columns.get("customers"), per_table(sheet, "customers"),
                                          per_table(date_format, "customers"), zh)
        notes.append(f"客户表（{Path(customers_path).name}）：读取并校验 {len(customers):,} 行。" if zh else
                     f"customers ({Path(customers_path).name}): {len(customers):,} rows read and validated.")
        if note:
            notes.append(note)
    survey = None
    if survey_path is not None:
        scale = tuple(likert_range) if likert_range else _survey_scale(survey_path, columns.get("survey"),
                                                                         per_table(sheet, "survey"))
        survey = load_survey(survey_path, columns=columns.get("survey"), sheet=per_table(sheet, "survey"),
                             date_format=per_table(date_format, "survey"), likert_range=scale)
        survey.attrs["likert_range"] = scale
        notes.append(f"调查（{Path(survey_path).name}）：读取并校验 {len(survey):,} 名受访者。" if zh else
                     f"survey ({Path(survey_path).name}): {len(survey):,} respondents read and validated.")
        if not likert_range:
            notes.append(f"调查答案量表 = {scale[0]}–{scale[1]}（根据答案自动判断）。" if zh else
                         f"survey answer scale = {scale[0]}–{scale[1]} (auto: read from the answers).")
    if transactions_table is not None:
        txn_cols = columns.get("transactions") or None
        notes.append(f"交易：Spark 目录表 {transactions_table}，在集群上聚合。" if zh else
                     f"transactions: Spark catalog table {transactions_table}, aggregated on the cluster.")
    return ValueTables(False, txn, txn_cols, customers, survey, tuple(notes), transactions_table)


def _survey_scale(path: str | Path, columns: Mapping[str, str] | None, sheet: Any) -> tuple[int, int]:
    """The survey's answer scale read from its item columns (names after the user's mapping)."""
    from bankcrm_research.data.load import read_raw
    from bankcrm_research.data.overview import infer_likert_range

    raw = read_raw(path, sheet=sheet).rename(columns={v: k for k, v in (columns or {}).items()})
    items = [c for c in raw.columns if re.fullmatch(SURVEY_ITEM_PATTERN, str(c))]
    return infer_likert_range(raw, items) if items else (1, 7)


def resolve_as_of_date(given: Any, tables: ValueTables) -> tuple[_dt.date | None, str, str]:
    """The RFM/CLV reference date: given, or auto (bundled: study end; user: last transaction date).

    Returns
    -------
    (date or None, how, sentence)
        ``how`` is ``"given"``, ``"auto"`` or ``"absent"`` (no transactions).
    """
    from bankcrm_research.value.rfm import _as_date

    if given is not None:
        d = _as_date(given)
        return d, "given", f"as_of_date = {d.isoformat()} (given)."
    if not tables.has_transactions:
        return None, "absent", "as_of_date: no transactions, so no reference date is needed."
    if tables.simulated:
        d = _as_date(BUNDLED_SPEC["as_of_date"])
        return d, "auto", f"as_of_date = {d.isoformat()} (auto: the end of the bundled study window)."
    if tables.transactions_table is not None:
        raise ValueError(f"as_of_date: set as_of_date='YYYY-MM-DD' when the transactions are the Spark table "
                         f"{tables.transactions_table} (the last date is not looked up on the cluster).")
    if isinstance(tables.transactions, pd.DataFrame):
        last = pd.to_datetime(tables.transactions["txn_date"]).max()
    else:
        last = _last_date_duckdb(tables.transactions, tables.transactions_columns)
    if pd.isna(last):
        raise ValueError("transactions: no transaction has a date, so as_of_date cannot be chosen; set "
                         "as_of_date='YYYY-MM-DD'.")
    d = pd.Timestamp(last).date()
    return d, "auto", f"as_of_date = {d.isoformat()} (auto: the last transaction date in the file)."


def _last_date_duckdb(source: Any, cols: Mapping[str, str] | None) -> Any:
    from bankcrm_research.value.engines import DuckDBEngine, _duckdb_reader

    date_col = '"' + (cols or {}).get("txn_date", "txn_date").replace('"', '""') + '"'
    with DuckDBEngine() as engine:
        return engine.con.execute(f"SELECT MAX(CAST({date_col} AS DATE)) FROM "
                                  f"{_duckdb_reader(source, param='transactions_path')}").fetchone()[0]


@dataclass(frozen=True)
class ValueRoles:
    """Columns that play a part in notebook 05 (None / empty = absent) and what auto chose."""

    value_column: str | None
    tier_column: str | None
    rm_column: str | None
    service_columns: tuple[str, ...]
    segment_features: tuple[str, ...]
    satisfaction_items: tuple[str, ...]
    satisfaction_controls: tuple[str, ...]
    satisfaction_categorical: tuple[str, ...]
    event_column: str | None
    duration_column: str | None
    choices: tuple[tuple[str, Any, str], ...] = ()


def _given_list(table: pd.DataFrame, param: str, given: Sequence[str], table_name: str) -> tuple[str, ...]:
    if isinstance(given, str):
        raise TypeError(f"The '{param}' parameter must be a list of column names or None for auto. "
                        f"Got the string {given!r}; write [{given!r}].")
    for name in given:
        resolve_column(table, param, str(name), table_name=table_name)
    return tuple(str(n) for n in given)


def _numeric(s: pd.Series) -> bool:
    return (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)) and not pd.api.types.is_datetime64_any_dtype(s)


def _auto_features(customers: pd.DataFrame, exclude: Sequence[str | None]) -> tuple[tuple[str, ...], str]:
    """Canonical behavioural features found in the table, else every numeric attribute."""
    from bankcrm_research.data.roles import infer_features

    canonical = [c for c in BUNDLED_SPEC["segment_features"] if c in customers and _numeric(customers[c])
                 and customers[c].notna().mean() >= 1 - _MAX_MISSING_FEATURE]
    if canonical:
        return tuple(canonical), f"segment_features = {canonical} (auto: the canonical behavioural columns found)."
    feats, categorical, _ = infer_features(customers, exclude=["customer_id", *exclude])
    numeric = [c for c in feats if c not in categorical and _numeric(customers[c])]
    gappy = [c for c in numeric if customers[c].isna().mean() > _MAX_MISSING_FEATURE]
    chosen = [c for c in numeric if c not in gappy]
    left = [f"text columns {categorical}" if categorical else "", f"columns over 20 % missing {gappy}" if gappy else ""]
    left_txt = "; ".join(x for x in left if x)
    return tuple(chosen), (f"segment_features = {chosen} (auto: every numeric customer attribute"
                           + (f"; left out {left_txt}" if left_txt else "") + ").")


def resolve_value_roles(
    tables: ValueTables,
    *,
    segment_features: Sequence[str] | None = None,
    value_column: str | None = None,
    tier_column: str | None = None,
    rm_column: str | None = None,
    service_columns: Sequence[str] | None = None,
    satisfaction_items: Sequence[str] | None = None,
    satisfaction_controls: Sequence[str] | None = None,
    satisfaction_categorical: Sequence[str] | None = None,
    event_column: str | None = None,
    duration_column: str | None = None,
) -> ValueRoles:
    """Resolve every column parameter of notebook 05 (given, auto or absent).

    A name the user gave that the table lacks is a ValueError with the closest names; a column
    parameter given while its table is absent is a ValueError too (nothing to take it from).

    Raises
    ------
    ValueError, TypeError
    """
    cust, survey = tables.customers, tables.survey
    cname = "customers" + (f" ({Path(cust.attrs['source']).name})" if cust is not None and
                           cust.attrs.get("source") not in (None, "bundled") else "")
    choices: list[tuple[str, Any, str]] = []
    given_all = {"value_column": value_column, "tier_column": tier_column, "rm_column": rm_column,
                 "event_column": event_column, "duration_column": duration_column,
                 "segment_features": segment_features, "service_columns": service_columns,
                 "satisfaction_controls": satisfaction_controls, "satisfaction_categorical": satisfaction_categorical}
    if cust is None:
        given = [k for k, v in given_all.items() if v is not None]
        if given:
            raise ValueError(f"{given} name customers columns, but no customers table was given; set customers_path "
                             f"or set {given[0]}=None.")
    if survey is None and satisfaction_items is not None:
        raise ValueError("satisfaction_items names survey columns, but no survey was given; set survey_path or "
                         "satisfaction_items=None.")

    def single(param: str, given: str | None, purpose: str) -> str | None:
        if cust is None:
            return None
        choice: ColumnChoice = resolve_column(cust, param, given, default=BUNDLED_SPEC[param],
                                              alternatives=_ALTERNATIVES.get(param, ()), table_name=cname,
                                              purpose=purpose)
        if choice.how == "auto" and not tables.simulated:
            choices.append((param, choice.column, choice.sentence))
        return choice.column

    value = single("value_column", value_column, "customer value")
    tier = single("tier_column", tier_column, "value tiers")
    rm = single("rm_column", rm_column, "relationship-manager coverage")
    event = single("event_column", event_column, "churn")
    duration = single("duration_column", duration_column, "time to churn")

    def many(param: str, given: Sequence[str] | None, table: pd.DataFrame | None, auto: Sequence[str],
             sentence: str) -> tuple[str, ...]:
        if table is None:
            return ()
        if given is not None:
            return _given_list(table, param, given, cname if table is cust else "survey")
        if not tables.simulated and auto:  # nothing found: the section that needs it says so
            choices.append((param, list(auto), sentence.format(list(auto))))
        return tuple(auto)

    if cust is None:
        features: tuple[str, ...] = ()
    elif segment_features is not None:
        features = _given_list(cust, "segment_features", segment_features, cname)
    elif tables.simulated:
        features = tuple(BUNDLED_SPEC["segment_features"])
    else:
        features, sentence = _auto_features(cust, [event, duration, rm, tier])
        choices.append(("segment_features", list(features), sentence))
    svc_auto = [c for c in BUNDLED_SPEC["service_columns"] if cust is not None and c in cust and cust[c].notna().any()]
    services = many("service_columns", service_columns, cust, svc_auto,
                    "service_columns = {} (auto: the canonical service columns found).")
    item_auto = sorted((str(c) for c in (survey.columns if survey is not None else []) if re.fullmatch(r"CUSA\d+", str(c))),
                       key=lambda s: int(s[4:]))
    items = many("satisfaction_items", satisfaction_items, survey, item_auto,
                 "satisfaction_items = {} (auto: the CUSA satisfaction items of the survey).")
    ctrl_auto = [c for c in BUNDLED_SPEC["satisfaction_controls"] if cust is not None and c in cust
                 and _numeric(cust[c]) and cust[c].notna().any()]
    controls = many("satisfaction_controls", satisfaction_controls, cust, ctrl_auto,
                    "satisfaction_controls = {} (auto: the canonical controls found).")
    categorical = many("satisfaction_categorical", satisfaction_categorical, cust, [tier] if tier else [],
                       "satisfaction_categorical = {} (auto: the value tier when there is one).")
    return ValueRoles(value, tier, rm, services, features, items, controls, categorical, event, duration,
                      tuple(choices))


def attribute_features(customers: pd.DataFrame, features: Sequence[str]) -> pd.DataFrame:
    """Customer attributes for segmentation without transactions, indexed by customer id.

    Booleans become 0/1; rows with a missing feature are dropped with a DataWarning count (as in
    :func:`~bankcrm_research.value.segments.behavioural_features`).
    """
    import warnings

    from bankcrm_research.data.validate import DataWarning

    feats = customers.set_index(customers["customer_id"].astype(str))[list(features)]
    feats = feats.astype("float64")
    bad = feats.isna().any(axis=1).to_numpy()
    if bad.any():
        warnings.warn(f"attribute_features: dropped {int(bad.sum())} of {len(feats)} customers ({bad.mean():.1%}) "
                      f"with missing features.", DataWarning, stacklevel=2)
    out = feats.loc[~bad]
    out.index.name = "customer_id"
    return out

