"""Churn models in one import (facade), and the reader of a user's customer table.

A thin, documented facade: user code (and notebook 04's loading cell, ``churn.read_table`` and
``churn.encode_target``) can keep writing ``churn.<name>``. The code lives in

* :mod:`~bankcrm_research.retention.features` — :func:`encode_target`, :class:`FeaturePrep`,
  :func:`prepare_features` (guard rails learned on the training rows);
* :mod:`~bankcrm_research.retention.models` — :class:`ChurnLogit`, :class:`ChurnBoosting` and their
  results;
* :mod:`~bankcrm_research.retention.validation` — :func:`leakage_audit`, :func:`validate_models`,
  :class:`ValidationResult`.

:func:`read_table` (CSV with any common delimiter, Parquet or Excel) is defined here.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from bankcrm_research.data.validate import require_columns
from bankcrm_research.retention.features import FeaturePrep, encode_target, prepare_features
from bankcrm_research.retention.models import ChurnBoosting, ChurnBoostingResult, ChurnLogit, ChurnLogitResult
from bankcrm_research.retention.validation import ValidationResult, leakage_audit, validate_models

__all__ = [
    "read_table",
    "encode_target",
    "FeaturePrep",
    "prepare_features",
    "ChurnLogit",
    "ChurnLogitResult",
    "ChurnBoosting",
    "ChurnBoostingResult",
    "leakage_audit",
    "validate_models",
    "ValidationResult",
]


def read_table(path: str | Path, *, columns: Mapping[str, str] | None = None, sep: str | None = None) -> pd.DataFrame:
    """Read a user's customer table (CSV with any common delimiter, Parquet or Excel).

    Parameters
    ----------
    path : str or Path
        File to read. ``.parquet``, ``.xlsx``/``.xls`` or delimited text (the delimiter is sniffed
        from the header line unless ``sep`` is given, so the semicolon-separated UCI Bank Marketing
        file reads as is).
    columns : mapping, optional
        ``{canonical_name: user_column}``; user columns are renamed to canonical names.
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"customers file not found: {p}. Check the 'customers_path' parameter.")
    suffix = p.suffix.lower()
    if suffix == ".parquet":
        df = pd.read_parquet(p)
    elif suffix in (".xlsx", ".xls"):
        df = pd.read_excel(p)
    else:
        if sep is None:
            with open(p, encoding="utf-8-sig", errors="replace") as fh:
                head = fh.readline()
            try:
                sep = csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
            except csv.Error:
                sep = ","
        df = pd.read_csv(p, sep=sep, encoding="utf-8-sig")
    if columns:
        require_columns(df, list(columns.values()), table=p.name, param="columns")
        df = df.rename(columns={user: canon for canon, user in columns.items()})
    return df
