"""Load the bundled SIMULATED tables or a user's own files, validated against the schemas.

Every loader has the same shape::

    load_customers(path=None, *, columns=None, encoding=None, sheet=None)

* ``path=None`` loads the bundled simulated table from ``data/`` (see ``data/README.md``);
  otherwise a CSV (any delimiter among ``, ; \\t |``), Parquet or Excel file.
* ``columns`` maps canonical names to the user's names, ``{"customer_id": "客户编号"}``.
* ``encoding`` is detected when not given: UTF-8 with or without BOM, then GBK/GB18030 (common
  for Chinese Excel CSV exports) via ``charset-normalizer``.
* ``sheet`` picks the Excel sheet (name or 0-based position; default the first).

The table is checked against :mod:`bankcrm_research.data.schemas` and **every** problem is reported at
once in one :class:`~bankcrm_research.data.validate.DataValidationError` (row numbers count data rows,
header excluded); warnings (unbalanced panel, suspicious column names) are issued as
:class:`~bankcrm_research.data.validate.DataWarning`. Rows are never dropped and input files are only
read, never modified.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from bankcrm_research.data.paths import data_dir
from bankcrm_research.data.schemas import SCHEMAS, get_schema
from bankcrm_research.data.validate import (
    DataValidationError,
    Problem,
    closest_names,
    raise_for_problems,
)
from bankcrm_research.data.table_checks import validate_table

__all__ = [
    "load_table",
    "load_bank_panel",
    "load_internet_finance_indicators",
    "load_macro_monthly",
    "load_customers",
    "load_transactions",
    "load_survey",
    "transactions_path",
    "bundled_path",
    "check_table",
    "read_raw",
    "excel_sheets",
    "detect_encoding",
    "TABLE_KINDS",
    "tables_from_checks",
]

TABLE_KINDS: tuple[str, ...] = tuple(SCHEMAS)
PathLike = str | Path
ColumnMap = Mapping[str, str] | None

_CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
_PARQUET_SUFFIXES = {".parquet", ".pq"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}


def bundled_path(kind: str) -> Path:
    """Path of the bundled simulated file of a table kind."""
    schema = get_schema(kind)
    p = data_dir() / schema.file
    if not p.exists():
        raise FileNotFoundError(
            f"bundled {kind} data not found at {p}. Regenerate them with "
            f"`bankcrm-research simulate --out {data_dir()}` or pass path=... to your own file."
        )
    return p


def detect_encoding(path: PathLike, *, sample_bytes: int = 1 << 20) -> str:
    """Guess a text file's encoding: ``utf-8-sig`` (BOM), ``utf-8``, else GB18030 or the best guess.

    GBK and GB2312 guesses are widened to GB18030, their superset, so rare characters still decode.
    """
    raw = Path(path).read_bytes()[:sample_bytes]
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sample is still UTF-8
        if exc.start >= len(raw) - 3:
            return "utf-8"
    try:
        raw.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    enc = best.encoding if best is not None else "latin-1"
    return "gb18030" if enc.lower().replace("_", "") in {"gbk", "gb2312", "cp936", "hz"} else enc


def _sniff_delimiter(text: str) -> str:
    head = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
    except csv.Error:
        first = text.splitlines()[0] if text else ""
        return max(",;\t|", key=first.count)


def read_raw(path: PathLike, *, encoding: str | None = None, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a CSV/Parquet/Excel file as-is (CSV cells as text, so nothing is silently converted).

    Raises
    ------
    FileNotFoundError, ValueError
        When the file is missing, of an unknown type, or cannot be decoded (the message says how
        to pass ``encoding=``).
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"file not found: {p}. Check the path (relative paths start at {Path.cwd()}).")
    suffix = p.suffix.lower()
    if suffix in _PARQUET_SUFFIXES:
        return pd.read_parquet(p)
    if suffix in _EXCEL_SUFFIXES:
        return _read_excel(p, sheet)
    if suffix not in _CSV_SUFFIXES:
        raise ValueError(
            f"cannot read {p.name}: unknown file type {suffix!r}; expected CSV (.csv/.txt/.tsv), Parquet "
            f"(.parquet) or Excel (.xlsx/.xls). Convert the file or rename it."
        )
    enc = encoding or detect_encoding(p)
    try:
        text = p.read_bytes().decode(enc)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ValueError(
            f"cannot decode {p.name} as {enc!r} ({exc}). Pass the right encoding, e.g. encoding='gb18030' for "
            f"Chinese Excel exports or encoding='utf-8-sig'."
        ) from exc
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        return pd.DataFrame()
    sep = _sniff_delimiter(text)
    raw = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=True, skipinitialspace=True)
    raw.attrs["delimiter"] = sep
    if sep != ",":
        raw = _decimal_comma(raw)
    return raw


# "1.234,56" / "0,35": numbers written with a decimal comma (common in European and some Chinese
# exports). Only read that way when the file is not comma-delimited and every filled cell of the
# column fits the pattern, so "1,234" in a comma-free English file is never reinterpreted.
_DECIMAL_COMMA = r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$"


def _decimal_comma(raw: pd.DataFrame) -> pd.DataFrame:
    converted = []
    out = raw
    for c in raw.columns:
        s = raw[c].dropna().astype(str).str.strip()
        s = s[s != ""]
        if s.empty or not s.str.contains(",", regex=False).any() or not s.str.match(_DECIMAL_COMMA).all():
            continue
        if out is raw:
            out = raw.copy()
        out[c] = raw[c].str.strip().str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        converted.append(str(c))
    out.attrs["decimal_comma_columns"] = converted
    return out


def excel_sheets(path: PathLike) -> list[str]:
    """Names of the sheets in an Excel workbook, in order."""
    with pd.ExcelFile(path) as book:
        return [str(n) for n in book.sheet_names]


def _read_excel(p: Path, sheet: str | int | None) -> pd.DataFrame:
    """One sheet of a workbook; with several sheets holding data, ``sheet`` must say which."""
    with pd.ExcelFile(p) as book:
        names = [str(n) for n in book.sheet_names]
        if sheet is None:
            filled = [n for n in names if not book.parse(n, nrows=2, header=None).dropna(how="all").empty]
            if len(filled) > 1:
                raise ValueError(
                    f"{p.name} has {len(filled)} sheets with data: {filled}; pass sheet='<name>' (the 'sheet' "
                    f"parameter of the notebook, or --sheet for validate-data) to say which one holds the table."
                )
            sheet = filled[0] if filled else names[0]
        elif isinstance(sheet, str) and sheet not in names and not sheet.isdigit():
            close = closest_names(sheet, names)
            hint = f" (closest: '{close[0]}')" if close else ""
            raise ValueError(f"sheet {sheet!r} not found in {p.name}{hint}; sheets: {names}; pass sheet='<name>'.")
        elif isinstance(sheet, str) and sheet.isdigit():
            sheet = int(sheet)
        if isinstance(sheet, int) and not 0 <= sheet < len(names):
            raise ValueError(f"sheet position {sheet} is out of range for {p.name}; sheets (0-based): {names}.")
        out = book.parse(sheet)
    out.attrs["sheet"] = sheet if isinstance(sheet, str) else names[sheet]
    return out


def _apply_mapping(raw: pd.DataFrame, kind: str, columns: ColumnMap) -> tuple[pd.DataFrame, list[Problem]]:
    """Rename the user's columns to canonical names; problems for mapping entries that do not fit."""
    probs: list[Problem] = []
    if not columns:
        return raw, probs
    if not isinstance(columns, Mapping):
        raise TypeError(
            f"The 'columns' parameter must be a dict {{canonical: your_column}}. Got {type(columns).__name__} instead."
        )
    schema = get_schema(kind)
    rename: dict[str, str] = {}
    for canonical, user in columns.items():
        if schema.column(str(canonical)) is None:
            close = closest_names(str(canonical), schema.names)
            hint = f" (closest canonical name: '{close[0]}')" if close else ""
            probs.append(Problem("error", kind, str(canonical), f"columns maps '{canonical}', which is not a column of "
                                 f"{kind}{hint}", f"use canonical names as keys: columns={{'<canonical>': '{user}'}}; "
                                 f"canonical names: {schema.names[:6]}..."))
            continue
        if user not in raw.columns:
            close = closest_names(str(user), [str(c) for c in raw.columns])
            hint = f"; closest in the file: '{close[0]}'" if close else ""
            probs.append(Problem("error", kind, str(canonical), f"columns maps '{canonical}' to '{user}', which is not "
                                 f"in the file{hint}", f"use columns={{'{canonical}': '{close[0] if close else '...'}'}}"))
            continue
        rename[str(user)] = str(canonical)
    clash = [c for c in raw.columns if c in set(rename.values()) and c not in rename]
    out = raw.drop(columns=clash).rename(columns=rename)
    for c in clash:
        probs.append(Problem("warning", kind, str(c), f"the file already had a column '{c}'; it was replaced by the "
                             f"column you mapped to it", "rename one of them if both are needed"))
    return out, probs


def check_table(
    kind: str,
    path: PathLike | None = None,
    *,
    columns: ColumnMap = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    likert_range: tuple[int, int] | None = None,
    date_format: str | Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read and validate a table without raising: returns (table or None, every problem)."""
    schema = get_schema(kind)
    p = bundled_path(kind) if path is None else Path(path)
    try:
        raw = read_raw(p, encoding=encoding, sheet=sheet)
    except pd.errors.EmptyDataError:
        raw = pd.DataFrame()
    except (ValueError, FileNotFoundError) as exc:
        return None, [Problem("error", kind, None, str(exc), "see the message")]
    raw, probs = _apply_mapping(raw, kind, columns)
    raw = _ensure_row_ids(raw, kind, probs)
    table, more = validate_table(raw, schema, likert_range=likert_range, date_format=date_format)
    return table, probs + more


# Tables whose rows may come without an id: ids are made from the row order (and said so) unless a column
# looks like a misnamed id, which stays an error with the closest name.
_ROW_IDS: dict[str, tuple[str, Any]] = {
    "survey": ("respondent_id", lambda n: [f"S{i + 1:05d}" for i in range(n)]),
    "customers": ("customer_id", lambda n: [f"C{i + 1:0{max(6, len(str(n)))}d}" for i in range(n)]),
    "transactions": ("transaction_id", lambda n: np.arange(1, n + 1, dtype="int64")),
}


def _ensure_row_ids(raw: pd.DataFrame, kind: str, probs: list[Problem]) -> pd.DataFrame:
    if kind not in _ROW_IDS or not len(raw):
        return raw
    id_col, make = _ROW_IDS[kind]
    if id_col in raw.columns or any(p.column == id_col for p in probs):
        return raw
    import difflib
    import re

    norm = [re.sub(r"[^0-9a-z]+", "_", str(c).lower()).strip("_") for c in raw.columns]
    if difflib.get_close_matches(id_col, norm, n=1, cutoff=0.8):
        return raw  # e.g. 'Customer_ID', 'customerid': validation names it and the mapping that fixes it
    if kind != "transactions":
        from bankcrm_research.data.roles import looks_like_identifier

        id_like = [str(c) for c in raw.columns if looks_like_identifier(raw[c], str(c))]
        if id_like:
            # an unmapped id column (e.g. '客户编号'): row numbers would hide the mistake
            probs.append(Problem("error", kind, id_col, f"required column '{id_col}' is missing and {id_like[:3]} "
                                 "look like ids", f"map it with columns={{'{id_col}': '{id_like[0]}'}}"))
            return raw
    raw = raw.copy()
    ids = make(len(raw))
    raw.insert(0, id_col, ids)
    first, last = ids[0], ids[-1]
    severity = "info" if kind == "transactions" else "warning"
    probs.append(Problem(severity, kind, id_col, f"no {id_col} column; ids {first}…{last} were created from the row "
                         "order (so exact duplicate rows count as two)",
                         f"map your id with columns={{'{id_col}': '<your column>'}} to check duplicates"))
    return raw


def load_table(
    kind: str,
    path: PathLike | None = None,
    *,
    columns: ColumnMap = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    likert_range: tuple[int, int] | None = None,
    date_format: str | Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Load and validate any canonical table; see the module docstring.

    Raises
    ------
    DataValidationError
        Listing every error found (with row numbers and fixes); warnings are issued as DataWarning.
    """
    table, problems = check_table(kind, path, columns=columns, encoding=encoding, sheet=sheet,
                                  likert_range=likert_range, date_format=date_format)
    return _finish(kind, path, table, problems)


def _finish(kind: str, path: PathLike | None, table: pd.DataFrame | None, problems: list[Problem]) -> pd.DataFrame:
    where = f"{kind} ({'bundled simulated data' if path is None else Path(path).name})"
    if path is None:
        # the bundled data's known properties (e.g. banks entering late) are documented in
        # data/README.md; keep them on the table instead of warning on every load
        raise_for_problems([p for p in problems if p.severity == "error"], where)
    else:
        raise_for_problems(problems, where)
    if table is None:  # pragma: no cover - an unreadable file always yields an error above
        raise DataValidationError(problems, table=where)
    table.attrs["kind"] = kind
    table.attrs["source"] = "bundled" if path is None else str(path)
    table.attrs["simulated"] = path is None
    table.attrs["problems"] = [str(p) for p in problems]
    return table


def tables_from_checks(
    checked: Mapping[str, tuple[pd.DataFrame | None, list[Problem]]],
    paths: Mapping[str, PathLike | None] | None = None,
) -> dict[str, pd.DataFrame]:
    """Turn :func:`check_table` results into loaded tables, raising once for all errors of all tables.

    Lets a notebook show the full validation report first and then stop (or continue) without
    reading every file twice.

    Raises
    ------
    DataValidationError
        With every error of every table.
    """
    paths = paths or {}
    errors = [p for _, (_, probs) in checked.items() for p in probs if p.severity == "error"]
    if errors:
        raise DataValidationError(errors, table=", ".join(k for k, (_, ps) in checked.items()
                                                          if any(p.severity == "error" for p in ps)))
    return {kind: _finish(kind, paths.get(kind), table, probs) for kind, (table, probs) in checked.items()}


def _doc(kind: str, extra: str = "") -> str:
    s = SCHEMAS[kind]
    return (
        f"Load the ``{kind}`` table: {s.description}\n\n"
        f"Key: ({', '.join(s.key)}). ``path=None`` loads the bundled SIMULATED ``data/{s.file}``; see\n"
        f"``data/README.md`` for every column and :func:`load_table` for the parameters.{extra}\n\n"
        "Parameters\n----------\n"
        "path : str or Path, optional\n    CSV, Parquet or Excel file; None = bundled simulated data.\n"
        "columns : dict, optional\n    ``{canonical_name: your_column_name}``.\n"
        "encoding : str, optional\n    Text encoding of a CSV (detected when None).\n"
        "sheet : str or int, optional\n    Excel sheet name or 0-based position; required when the workbook has\n"
        "    several sheets with data.\n"
        "date_format : str or dict, optional\n    ``strptime`` layout of date columns (``'%d/%m/%Y'`` or\n"
        "    ``{column: layout}``); inferred when None, and an ambiguous day/month order is an error.\n\n"
        "Returns\n-------\nDataFrame\n    Canonical columns first, dates as datetime64, booleans as 'boolean'.\n\n"
        "Raises\n------\nDataValidationError\n    Every problem at once, with row numbers and the fix.\n"
    )


def load_bank_panel(path: PathLike | None = None, *, columns: ColumnMap = None, encoding: str | None = None,
                    sheet: str | int | None = None, date_format: str | Mapping[str, str] | None = None) -> pd.DataFrame:
    return load_table("bank_panel", path, columns=columns, encoding=encoding, sheet=sheet, date_format=date_format)


def load_internet_finance_indicators(path: PathLike | None = None, *, columns: ColumnMap = None,
                                     encoding: str | None = None, sheet: str | int | None = None, date_format: str | Mapping[str, str] | None = None) -> pd.DataFrame:
    return load_table("internet_finance_indicators", path, columns=columns, encoding=encoding, sheet=sheet, date_format=date_format)


def load_macro_monthly(path: PathLike | None = None, *, columns: ColumnMap = None, encoding: str | None = None,
                       sheet: str | int | None = None, date_format: str | Mapping[str, str] | None = None) -> pd.DataFrame:
    return load_table("macro_monthly", path, columns=columns, encoding=encoding, sheet=sheet, date_format=date_format)


def load_customers(path: PathLike | None = None, *, columns: ColumnMap = None, encoding: str | None = None,
                   sheet: str | int | None = None, date_format: str | Mapping[str, str] | None = None) -> pd.DataFrame:
    return load_table("customers", path, columns=columns, encoding=encoding, sheet=sheet, date_format=date_format)


def load_transactions(path: PathLike | None = None, *, columns: ColumnMap = None, encoding: str | None = None,
                      sheet: str | int | None = None, date_format: str | Mapping[str, str] | None = None) -> pd.DataFrame:
    return load_table("transactions", path, columns=columns, encoding=encoding, sheet=sheet, date_format=date_format)


def load_survey(path: PathLike | None = None, *, columns: ColumnMap = None, encoding: str | None = None,
                sheet: str | int | None = None, likert_range: tuple[int, int] = (1, 7),
                date_format: str | Mapping[str, str] | None = None) -> pd.DataFrame:
    return load_table("survey", path, columns=columns, encoding=encoding, sheet=sheet, likert_range=likert_range,
                      date_format=date_format)


load_bank_panel.__doc__ = _doc("bank_panel")
load_internet_finance_indicators.__doc__ = _doc("internet_finance_indicators")
load_macro_monthly.__doc__ = _doc("macro_monthly")
load_customers.__doc__ = _doc("customers")
load_transactions.__doc__ = _doc("transactions", "\n\nFor large files query them with DuckDB via "
                                 ":func:`transactions_path` instead of loading them.")
load_survey.__doc__ = _doc("survey", "\n\n``likert_range=(lo, hi)`` declares the answer scale (default 1–7; "
                           "the ECSI ``mobi`` data use 1–10).")


def transactions_path(path: PathLike | None = None) -> Path:
    """Path of the transactions file for DuckDB (``read_parquet``/``read_csv_auto``); bundled when None."""
    if path is None:
        return bundled_path("transactions")
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"transactions file not found: {p}. Pass the path of your Parquet or CSV file.")
    return p


_ = DataValidationError  # re-exported for `from bankcrm_research.data.load import DataValidationError`

