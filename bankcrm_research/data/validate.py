"""Validation at the boundary: one place that checks inputs and explains what to fix.

Every message says which parameter or table, what was expected, what was found and how to fix
it, e.g. ``column 'age' is missing from customers; found: ['Age', 'tenure', ...]; map it with
columns={'age': 'Age'}``. Checks raise ``ValueError``/``TypeError`` (never ``assert``) and never
drop rows silently: callers that drop rows call :func:`warn_dropped` with the count.

Table-level validation of whole datasets (all problems at once, :mod:`bankcrm_research.data.table_checks`)
builds on :class:`Problem` and :class:`DataValidationError`; the small ``require_*`` helpers are for
analysis functions.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from bankcrm_research.data.names import closest_names  # re-exported: part of validate's API

__all__ = [
    "Problem",
    "DataValidationError",
    "DataWarning",
    "closest_names",
    "require_dataframe",
    "require_columns",
    "require_numeric",
    "require_min_rows",
    "require_not_constant",
    "require_choice",
    "require_positive_int",
    "require_probability",
    "warn_dropped",
    "format_rows",
    "raise_for_problems",
]


class DataWarning(UserWarning):
    """A data problem that does not stop the analysis (rows dropped, unbalanced panel, ...)."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input table.

    Parameters
    ----------
    severity : {"error", "warning", "info"}
        ``info`` is for the record (what was assumed or ignored), never a reason to stop or warn.
    table : str
        Canonical table name (``customers``, ``survey``, ...) or the parameter name.
    column : str or None
        Column concerned, if any.
    message : str
        What was expected and what was found.
    fix : str
        How to fix it.
    rows : tuple of int
        A few offending row numbers (1-based data rows as in the file, header excluded).
    n_rows : int
        Total number of offending rows.
    """

    severity: Literal["error", "warning", "info"]
    table: str
    column: str | None
    message: str
    fix: str = ""
    rows: tuple[int, ...] = field(default_factory=tuple)
    n_rows: int = 0

    def __str__(self) -> str:
        where = f"{self.table}" + (f".{self.column}" if self.column else "")
        text = f"[{self.severity}] {where}: {self.message}"
        if self.n_rows:
            text += f" ({self.n_rows} row{'s' if self.n_rows != 1 else ''}"
            if self.rows:
                text += f", e.g. row{'s' if len(self.rows) > 1 else ''} {format_rows(self.rows)}"
            text += ")"
        if self.fix:
            text += f". Fix: {self.fix}"
        return text


class DataValidationError(ValueError):
    """Raised when an input table has one or more errors; carries every problem found at once."""

    def __init__(self, problems: Sequence[Problem], table: str = "") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        shown = [p for p in self.problems if p.severity != "info"]
        head = (f"{len(errors)} error{'s' if len(errors) != 1 else ''} found in {table or 'the input'}; "
                f"nothing was analysed and the input file was not changed:")
        super().__init__("\n".join([head, *(f"  - {p}" for p in shown)]))


def format_rows(rows: Iterable[int], limit: int = 5) -> str:
    """Format a few row numbers as ``'3, 17, 42, ...'``."""
    rows = list(rows)
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (", ..." if len(rows) > limit else "")


def _preview(columns: Sequence[str], limit: int = 8) -> str:
    cols = [str(c) for c in columns]
    shown = ", ".join(repr(c) for c in cols[:limit])
    return "[" + shown + (", ..." if len(cols) > limit else "") + "]"


def require_dataframe(data: object, *, param: str = "data") -> pd.DataFrame:
    """Check that ``data`` is a pandas DataFrame."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            f"The '{param}' parameter must be a pandas DataFrame. Got {type(data).__name__} instead; "
            f"convert it with pd.DataFrame(...) or load it with bankcrm_research.data.load."
        )
    return data


def require_columns(
    data: pd.DataFrame,
    columns: Iterable[str | None],
    *,
    table: str = "data",
    param: str = "columns",
) -> None:
    """Check that every column in ``columns`` exists in ``data`` (``None`` entries are skipped).

    Raises
    ------
    ValueError
        Listing every missing column, the closest existing name and a ``columns={...}`` mapping.
    """
    require_dataframe(data, param=table)
    missing = [c for c in columns if c is not None and c not in data.columns]
    if not missing:
        return
    parts, mapping = [], {}
    for col in missing:
        close = closest_names(col, data.columns)
        if close:
            parts.append(f"'{col}' (closest: '{close[0]}')")
            mapping[col] = close[0]
        else:
            parts.append(f"'{col}'")
    fix = (
        f"map it with {param}={mapping!r}" if mapping else f"add the column or map your own name via {param}={{...}}"
    )
    raise ValueError(
        f"column{'s' if len(missing) > 1 else ''} {', '.join(parts)} "
        f"{'are' if len(missing) > 1 else 'is'} missing from {table}; found: {_preview(data.columns)}; {fix}."
    )


def require_numeric(data: pd.DataFrame, columns: Iterable[str], *, table: str = "data") -> None:
    """Check that the columns hold numbers (bool counts as numeric)."""
    bad = [c for c in columns if not (pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c]))]
    if bad:
        found = ", ".join(f"'{c}' is {data[c].dtype}" for c in bad)
        raise TypeError(
            f"{table}: expected numeric columns; {found}. Convert them (e.g. pd.to_numeric) or encode "
            f"categories as dummies before passing them as numeric variables."
        )


def require_min_rows(data: pd.DataFrame, n_min: int, *, table: str = "data", what: str = "this analysis") -> None:
    """Check that ``data`` has at least ``n_min`` rows."""
    if len(data) < n_min:
        raise ValueError(
            f"{table} has {len(data)} row{'s' if len(data) != 1 else ''}; {what} needs at least {n_min}. "
            f"Use more data or a simpler model."
        )


def require_not_constant(data: pd.DataFrame, columns: Iterable[str], *, table: str = "data") -> None:
    """Check that no column is constant (or entirely missing)."""
    const = [c for c in columns if data[c].nunique(dropna=True) <= 1]
    if const:
        raise ValueError(
            f"{table}: column{'s' if len(const) > 1 else ''} {_preview(const)} "
            f"{'are' if len(const) > 1 else 'is'} constant or entirely missing, so no effect can be estimated; "
            f"remove {'them' if len(const) > 1 else 'it'} from the model."
        )


def require_choice(value: object, choices: Sequence[object], *, param: str) -> None:
    """Check that ``value`` is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"The '{param}' parameter must be one of {list(choices)!r}. Got {value!r} instead.")


def require_positive_int(value: object, *, param: str, minimum: int = 1) -> int:
    """Check that ``value`` is an int >= ``minimum`` and return it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(
            f"The '{param}' parameter must be an int in the range [{minimum}, inf). Got {value!r} instead."
        )
    return int(value)


def require_probability(value: object, *, param: str, open_interval: bool = True) -> float:
    """Check that ``value`` is a float in (0, 1) (or [0, 1]) and return it."""
    ok = isinstance(value, (int, float, np.floating)) and not isinstance(value, bool)
    if ok:
        v = float(value)
        ok = (0 < v < 1) if open_interval else (0 <= v <= 1)
    if not ok:
        rng = "(0, 1)" if open_interval else "[0, 1]"
        raise ValueError(f"The '{param}' parameter must be a number in {rng}. Got {value!r} instead.")
    return float(value)


def warn_dropped(n_dropped: int, n_total: int, reason: str, *, table: str = "data") -> None:
    """Warn that ``n_dropped`` of ``n_total`` rows were dropped, and why (never drop silently)."""
    if n_dropped:
        warnings.warn(
            f"{table}: dropped {n_dropped} of {n_total} rows ({n_dropped / max(n_total, 1):.1%}) {reason}.",
            DataWarning,
            stacklevel=3,
        )


def raise_for_problems(problems: Sequence[Problem], table: str) -> None:
    """Raise :class:`DataValidationError` if any problem is an error; warn once per warning."""
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DataValidationError(problems, table=table)
    for p in problems:
        if p.severity == "warning":
            warnings.warn(str(p), DataWarning, stacklevel=3)
