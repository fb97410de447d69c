"""Data: the one door through which every table enters the suite.

Modules
-------
schemas    declarative table schemas (columns, types, units, ranges, keys) of the bundled world
validate   checks a table against its schema and reports every problem at once (never drops rows)
load       loaders of the bundled tables and of a user's own files (CSV/Excel/Parquet, column mapping)
dates      day/month-safe date parsing
roles      which column plays which role: given, auto or absent; auto feature lists
overview   notebook 00's summaries and findings of whatever tables were given
table_checks  validation of a whole table against its schema (every problem at once)
readers    readers of public datasets in their published layouts (PKU index, UCI Bank Marketing, ...)
truth      the planted truth of the bundled simulated world (``truth.json``)
paths      where the bundled data, the notebooks and the reports live
cli        ``bankcrm-research validate-data``

The loaders are re-exported here lazily (``from bankcrm_research.data import load_customers``) so that
importing :mod:`bankcrm_research.data.paths` alone does not load pandas.
"""

from __future__ import annotations

import importlib
from typing import Any

# Names of bankcrm_research.data.load re-exported here (kept in step with load.__all__ by a test).
LOAD_NAMES: frozenset[str] = frozenset({
    "load_table", "load_bank_panel", "load_internet_finance_indicators", "load_macro_monthly",
    "load_customers", "load_transactions", "load_survey", "transactions_path", "bundled_path",
    "check_table", "read_raw", "excel_sheets", "detect_encoding", "TABLE_KINDS", "tables_from_checks",
})


def __getattr__(name: str) -> Any:
    if name in LOAD_NAMES:
        return getattr(importlib.import_module("bankcrm_research.data.load"), name)
    if name in {"resolve_column", "infer_features", "ColumnChoice"}:
        return getattr(importlib.import_module("bankcrm_research.data.roles"), name)
    raise AttributeError(f"module 'bankcrm_research.data' has no attribute {name!r}")
