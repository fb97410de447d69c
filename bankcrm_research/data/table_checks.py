"""Table-level validation against a declarative schema: every problem of a whole table at once.

Each problem carries a few offending row numbers and the fix (see :class:`~bankcrm_research.data.validate.Problem`).
Columns are converted to their schema dtypes; nothing is dropped; unparseable cells are problems, never
silent missing values. Dates are read by :func:`bankcrm_research.data.dates.parse_dates`, which refuses
to guess a day/month order.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from bankcrm_research.data.dates import parse_dates
from bankcrm_research.data.names import closest_names
from bankcrm_research.data.schemas import Column, TableSchema
from bankcrm_research.data.validate import Problem, _preview, require_dataframe

__all__ = ["validate_table"]

_TRUE = {"true", "t", "yes", "y", "1", "1.0", "是", "真"}
_FALSE = {"false", "f", "no", "n", "0", "0.0", "否", "假"}


def _rows(mask: np.ndarray | pd.Series, limit: int = 5) -> tuple[tuple[int, ...], int]:
    """1-based data-row numbers (header excluded) of the True entries, and their count."""
    idx = np.flatnonzero(np.asarray(mask, dtype=bool))
    return tuple(int(i) + 1 for i in idx[:limit]), int(idx.size)


def _examples(values: pd.Series, mask: np.ndarray | pd.Series, limit: int = 3) -> str:
    vals = values[np.asarray(mask, dtype=bool)].astype(str).unique()[:limit]
    return ", ".join(repr(v) for v in vals)


def _map_unique(s: pd.Series, func: Any, dtype: object = object) -> pd.Series:
    """Apply ``func`` (Series -> Series) to the distinct values only: fast on repetitive columns."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    if len(uniques) == 0:
        return pd.Series(pd.array([None] * len(s), dtype=dtype), index=s.index)
    mapped = func(pd.Series(uniques, dtype=object))
    if dtype is object:
        vals = mapped.to_numpy(dtype=object)[codes]
        vals[codes < 0] = np.nan
        return pd.Series(vals, index=s.index, dtype=object)
    return pd.Series(pd.array(mapped, dtype=dtype).take(codes, allow_fill=True), index=s.index)


def _clean_text(s: pd.Series) -> pd.Series:
    """Text cells stripped of surrounding blanks; blank cells become missing (object dtype)."""
    if s.dtype != object and not pd.api.types.is_string_dtype(s):
        return s

    def strip(u: pd.Series) -> pd.Series:
        u = u.map(lambda v: v.strip() if isinstance(v, str) else v)
        return u.where(u != "", np.nan)

    return _map_unique(s, strip)


def _coerce_column(s: pd.Series, col: Column, table: str, *, date_format: str | None = None
                   ) -> tuple[pd.Series, list[Problem]]:
    """Convert one column to its schema dtype; unparseable values become problems, never silent NaN."""
    probs: list[Problem] = []
    name = col.name
    text = s.dtype == object or pd.api.types.is_string_dtype(s)
    if text:
        s = _clean_text(s)
    present = s.notna()
    if col.dtype in ("int", "float"):
        if pd.api.types.is_bool_dtype(s):
            num = s.astype(float)
        elif text:
            num = _map_unique(s, lambda u: pd.to_numeric(u, errors="coerce").astype(float), dtype="float64")
            num = num.astype(float)
        else:
            num = pd.to_numeric(s, errors="coerce")
        bad = present & num.isna()
        if bad.any():
            rows, n = _rows(bad)
            probs.append(Problem("error", table, name, f"expected numbers ({col.unit or col.dtype}); found "
                                 f"text such as {_examples(s, bad)}", "clean these cells (remove units, thousands "
                                 "separators or notes) or convert the column with pd.to_numeric", rows, n))
        if col.dtype == "int":
            frac = num.notna() & (num != np.round(num))
            if frac.any():
                rows, n = _rows(frac)
                probs.append(Problem("error", table, name, f"expected whole numbers; found {_examples(num, frac)}",
                                     "round or recode the values to integers", rows, n))
                out = num.astype(float)
            else:
                # integers with gaps stay float64 (NaN): the analysis libraries expect plain numpy dtypes
                out = num.astype(float) if num.isna().any() else num.astype("int64")
        else:
            out = num.astype(float)
        return out, probs
    if col.dtype == "bool":
        if pd.api.types.is_bool_dtype(s) and not text:
            out = s.astype("boolean")
        else:
            def to_bool(u: pd.Series) -> pd.Series:
                key = u.astype(str).str.strip().str.lower()
                return pd.Series(np.where(key.isin(_TRUE), True, np.where(key.isin(_FALSE), False, None)),
                                 dtype=object)

            out = _map_unique(s, to_bool).astype("boolean")
            bad = present & out.isna()
            if bad.any():
                rows, n = _rows(bad)
                probs.append(Problem("error", table, name, f"expected true/false; found {_examples(s, bad)}",
                                     "code the column as true/false (also accepted: 1/0, yes/no, 是/否)", rows, n))
        # plain numpy bool when nothing is missing (friendlier to lifelines, scikit-learn, statsmodels)
        return (out.astype(bool) if not out.isna().any() else out), probs
    if col.dtype == "date":
        if pd.api.types.is_datetime64_any_dtype(s):
            out = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) is not None else s
            return out.astype("datetime64[ns]"), probs
        if not text:  # e.g. Parquet date32 read as python dates, or Excel serials
            s = s.astype(object).where(s.notna())

        # parse the distinct values only (date columns repeat a lot), then spread back
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        parsed = parse_dates(pd.Series(uniques, dtype=object), date_format=date_format)
        out = pd.Series(parsed.values.to_numpy()[codes] if len(uniques) else pd.NaT, index=s.index,
                        dtype="datetime64[ns]")
        out[codes < 0] = pd.NaT
        if parsed.problem == "ambiguous":
            examples = ", ".join(repr(e) for e in parsed.examples)
            probs.append(Problem(
                "error", table, name,
                f"ambiguous dates such as {examples}: no value shows whether the first number is the day or the "
                f"month (every day and month is 12 or less), so the order cannot be read from the data",
                f"state the layout with date_format={{'{name}': '%d/%m/%Y'}} (day first) or "
                f"date_format={{'{name}': '%m/%d/%Y'}} (month first)", (), int(present.sum())))
            return out.astype("datetime64[ns]"), probs
        if parsed.problem == "mixed":
            examples = ", ".join(repr(e) for e in parsed.examples)
            probs.append(Problem(
                "error", table, name,
                f"dates in both day-first and month-first order (e.g. {examples})",
                "re-export the column in one layout, preferably YYYY-MM-DD", (), int(present.sum())))
            return out.astype("datetime64[ns]"), probs
        bad = present & out.isna()
        if bad.any():
            rows, n = _rows(bad)
            fmt_hint = f" (with date_format={date_format!r})" if date_format else ""
            probs.append(Problem("error", table, name, f"unparseable dates{fmt_hint} such as {_examples(s, bad)}",
                                 "write dates as YYYY-MM-DD (ISO 8601) or pass date_format={"
                                 f"'{name}': '<strptime format>'}}", rows, n))
        elif parsed.order is not None:
            probs.append(Problem("info", table, name, f"dates read {parsed.order} (the values show it)",
                                 f"pass date_format={{'{name}': ...}} to state it explicitly"))
        return out.astype("datetime64[ns]"), probs
    # str / category: keep text, make whole-number floats (Excel ids) look like integers
    if pd.api.types.is_float_dtype(s) and s.dropna().eq(np.round(s.dropna())).all():
        out = s.astype("Int64").astype(object).where(s.notna()).map(lambda v: v if pd.isna(v) else str(v))
    elif text:
        out = s
    else:
        out = _map_unique(s, lambda u: u.map(str))
    if col.allowed:
        out, recoded = _recode_categories(out, col)
        if recoded:
            shown = ", ".join(f"'{a}' -> '{b}'" for a, b in list(recoded.items())[:6])
            probs.append(Problem("info", table, name, f"categories recoded to the canonical names: {shown}"
                                 f"{', ...' if len(recoded) > 6 else ''}", "recode them yourself to silence this"))
        bad = out.notna() & ~out.isin(col.allowed)
        if bad.any():
            rows, n = _rows(bad)
            found = out[bad].unique()[:4]
            sugg = {str(v): (closest_names(str(v), col.allowed) or [col.allowed[0]])[0] for v in found}
            probs.append(Problem("error", table, name, f"unknown categories {[str(v) for v in found]}; allowed: "
                                 f"{list(col.allowed)}", f"recode them, e.g. df['{name}'].replace({sugg!r})", rows, n))
    return out, probs


def _norm_label(v: str) -> str:
    return re.sub(r"[^0-9a-z\u4e00-\u9fff]+", "_", v.strip().lower()).strip("_")


def _recode_categories(out: pd.Series, col: Column) -> tuple[pd.Series, dict[str, str]]:
    """Map labels that differ from the canonical ones only in case/separators, or that are known
    synonyms (e.g. Chinese bank-type names, :data:`bankcrm_research.data.schemas.CATEGORY_SYNONYMS`)."""
    from bankcrm_research.data.schemas import CATEGORY_SYNONYMS

    allowed = set(col.allowed or ())
    lookup = {_norm_label(a): a for a in allowed}
    lookup.update({_norm_label(k): v for k, v in CATEGORY_SYNONYMS.get(col.name, {}).items()})
    recoded: dict[str, str] = {}
    for v in out.dropna().unique():
        sv = str(v)
        if sv in allowed:
            continue
        hit = lookup.get(_norm_label(sv))
        if hit is not None:
            recoded[sv] = hit
    if recoded:
        out = out.map(lambda v: recoded.get(v, v) if isinstance(v, str) else v)
    return out, recoded


def _range_problems(s: pd.Series, col: Column, table: str, raw: pd.Series | None = None) -> list[Problem]:
    if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s) or (col.min is None and col.max is None):
        return []
    v = s.astype(float)
    shown = raw if raw is not None else v
    low = v.notna() & (v < col.min) if col.min is not None else pd.Series(False, index=s.index)
    high = v.notna() & (v > col.max) if col.max is not None else pd.Series(False, index=s.index)
    bad = low | high
    if not bad.any():
        return []
    rows, n = _rows(bad)
    ex = _examples(shown, bad)
    if col.check == "likert":
        lo, hi = int(col.min), int(col.max)
        msg = f"Likert answers outside the declared {lo}–{hi} scale: {ex}"
        fix = (f"recode out-of-range codes (e.g. 99 = 'don't know' -> empty) or declare the scale with "
               f"likert_range=({lo}, {int(v.max())})" if v.max() > hi else "recode out-of-range codes to missing")
    elif col.check == "share":
        msg = f"shares outside [0, 1]: {ex}"
        looks_pct = v.min() >= 0 and v.max() <= 100 and (v.dropna() > 1).mean() > 0.5 and v.median() > 2
        fix = ("these look like percentages: divide the column by 100" if looks_pct
               else "a share is a fraction between 0 and 1; check the computation or the unit")
    elif col.check == "balance" and low.any():
        msg = f"negative balances: {_examples(shown, low)} ({col.unit})"
        fix = "balances cannot be negative; check signs (e.g. liabilities exported as negative numbers)"
        rows, n = _rows(low)
    else:
        msg = f"values outside the allowed range {col.range_text} ({col.unit}): {ex}"
        fix = "check the unit (e.g. percent vs fraction) and data-entry errors"
    return [Problem("error", table, col.name, msg, fix, rows, n)]


def validate_table(
    data: pd.DataFrame,
    schema: TableSchema,
    *,
    likert_range: tuple[int, int] | None = None,
    date_format: str | Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check a table against its schema and convert the columns to their declared dtypes.

    Every problem is collected (nothing is raised): missing or misnamed required columns with the
    closest existing name, unparseable numbers/dates/booleans, unknown categories, values out of
    range (shares outside [0, 1], Likert codes outside the scale, negative balances), missing
    values in non-nullable columns, entirely empty columns, duplicate keys, unbalanced panels
    (warning). Rows are never dropped.

    Parameters
    ----------
    data : DataFrame
        Table with canonical column names (user names already mapped).
    schema : bankcrm_research.data.schemas.TableSchema
    likert_range : (int, int), optional
        Declared scale of survey items (default: the schema's 1–7).
    date_format : str or mapping, optional
        ``strptime`` layout of the date columns (one for all, or ``{column: format}``); when absent
        the layout is read from the values, and a day/month order the values do not reveal is an
        error asking for it.

    Returns
    -------
    (DataFrame, list of Problem)
        The converted table (canonical columns first in schema order, extra columns kept at the
        end) and the problems found.
    """
    require_dataframe(data, param=schema.name)
    table = schema.name
    probs: list[Problem] = []
    if data.columns.duplicated().any():
        dups = sorted({str(c) for c in data.columns[data.columns.duplicated()]})
        probs.append(Problem("error", table, None, f"duplicate column names {dups}",
                             "rename or drop the repeated columns so each name appears once"))
        data = data.loc[:, ~data.columns.duplicated()]
    if data.shape[1] == 0 or len(data) == 0:
        probs.append(Problem("error", table, None, "the table has no data rows" if data.shape[1] else
                             "the file is empty (no header, no rows)",
                             "check the path, the sheet name (sheet=...) and that the export finished"))
        return data, probs

    known = set(schema.names)
    unknown_cols = [str(c) for c in data.columns if c not in known and schema.column(str(c)) is None]
    claimed: set[str] = set()
    for c in schema.columns:
        if c.name in data.columns:
            continue
        if c.required:
            close = closest_names(c.name, unknown_cols)
        else:  # optional columns: only confident suggestions (same name up to case/separators, or very close)
            pool = [u for u in unknown_cols if u not in claimed]
            norm = {re.sub(r"[^0-9a-z]+", "_", u.lower()).strip("_"): u for u in pool}
            hit = norm.get(c.name) or next(iter(difflib.get_close_matches(c.name, list(norm), n=1, cutoff=0.8)), None)
            close = [norm.get(hit, hit)] if hit else []
        claimed.update(close)
        if c.required:
            fix = (f"map it with columns={{'{c.name}': '{close[0]}'}}" if close
                   else f"add the column or map your own name with columns={{'{c.name}': '<your column>'}}")
            probs.append(Problem("error", table, c.name, f"required column '{c.name}' ({c.description}) is missing; "
                                 f"found: {_preview(list(map(str, data.columns)))}", fix))
        elif close:
            probs.append(Problem("warning", table, c.name, f"column '{c.name}' is absent but '{close[0]}' looks "
                                 f"like it", f"map it with columns={{'{c.name}': '{close[0]}'}} if it is the same"))

    out = data.copy()
    for name in list(out.columns):
        col = schema.column(str(name))
        if col is None:
            continue
        if likert_range is not None and col.check == "likert":
            col = dataclasses.replace(col, min=float(likert_range[0]), max=float(likert_range[1]))
        s = _clean_text(out[name])
        if s.isna().all():
            # optional columns may legitimately be empty (e.g. PKU sub-indices discontinued in 2019); the
            # notebooks treat an empty optional column as absent and say so
            sev = "error" if (col.required or not col.nullable) else "warning"
            probs.append(Problem(sev, table, col.name, "the column is entirely empty",
                                 "fill it, map the right column with columns={...}, or drop the column before loading", (), len(s)))
            continue
        fmt = date_format.get(col.name) if isinstance(date_format, Mapping) else date_format
        conv, p = _coerce_column(s, col, table, date_format=fmt if col.dtype == "date" else None)
        probs += p
        out[name] = conv
        if not col.nullable:
            miss = s.isna()  # cells empty in the file (unparseable ones are reported above)
            if miss.any():
                rows, n = _rows(miss)
                probs.append(Problem("error", table, col.name, "missing values in a column that may not be empty",
                                     "fill them or remove those rows yourself (they are not dropped automatically)",
                                     rows, n))
        probs += _range_problems(conv, col, table, raw=s)

    key = [k for k in schema.key if k in out.columns]
    if key and len(key) == len(schema.key):
        dup = out.duplicated(subset=key, keep=False) & out[key].notna().all(axis=1)
        if dup.any():
            rows, n = _rows(dup)
            probs.append(Problem("error", table, ", ".join(key), f"duplicate keys: the key ({', '.join(key)}) must "
                                 f"identify one row; {n} rows share a key",
                                 f"remove the duplicates (df.drop_duplicates(subset={key})) or fix the ids", rows, n))
    if schema.panel and all(c in out.columns for c in schema.panel):
        unit, time = schema.panel
        valid = out[[unit, time]].dropna()
        counts = valid.groupby(unit)[time].nunique()
        n_t = valid[time].nunique()
        short = counts[counts < n_t]
        if len(short):
            ex = ", ".join(f"{u} ({k} of {n_t})" for u, k in short.head(3).items())
            probs.append(Problem("warning", table, time, f"unbalanced panel: {len(short)} of {len(counts)} "
                                 f"{unit} values are observed in fewer than all {n_t} {time}s, e.g. {ex}",
                                 "nothing to fix if entry/exit is real; fixed-effects estimators handle it"))
    probs += _consistency(out, schema.name)
    probs += _column_inventory(out, schema)
    order = [c for c in schema.names if c in out.columns] + [c for c in out.columns if c not in known]
    return out[order], probs


def _column_inventory(df: pd.DataFrame, schema: TableSchema) -> list[Problem]:
    """``info`` records: columns the schema does not know (kept), and absent optional columns with the
    sections they switch off (:data:`bankcrm_research.data.schemas.OPTIONAL_USES`)."""
    from bankcrm_research.data.schemas import OPTIONAL_USES

    probs: list[Problem] = []
    extra = [str(c) for c in df.columns if schema.column(str(c)) is None]
    if extra:
        probs.append(Problem("info", schema.name, None, f"{len(extra)} column{'s' if len(extra) != 1 else ''} not "
                             f"in the {schema.name} schema, kept as they are: {_preview(extra, 12)}",
                             "use them as features or controls by name; map one to a canonical name with "
                             "columns={'<canonical>': '<yours>'} if it is one"))
    uses = OPTIONAL_USES.get(schema.name, {})
    for name, use in uses.items():
        if name not in df.columns:
            probs.append(Problem("info", schema.name, name, f"optional column '{name}' is absent: switches off {use}",
                                 f"supply it (or map yours with columns={{'{name}': '<yours>'}}) to run that section"))
    return probs


def _consistency(df: pd.DataFrame, table: str) -> list[Problem]:
    """Cross-column checks that are warnings (the analyses still run)."""
    probs: list[Problem] = []
    num = pd.api.types.is_numeric_dtype
    if table == "bank_panel" and all(c in df and num(df[c]) for c in ("deposits", "demand_deposits", "time_deposits")):
        gap = (df["deposits"] - df["demand_deposits"] - df["time_deposits"]).abs() > 0.01 * df["deposits"].abs() + 0.05
        if gap.any():
            rows, n = _rows(gap)
            probs.append(Problem("warning", table, "deposits", "deposits differ from demand_deposits + time_deposits "
                                 "by more than 1 %", "check the definitions (e.g. other deposits) or recompute",
                                 rows, n))
    if (table == "customers" and "churned" in df and "churn_date" in df and pd.api.types.is_bool_dtype(df["churned"])
            and pd.api.types.is_datetime64_any_dtype(df["churn_date"])):
        bad = (df["churned"].fillna(False).astype(bool) & df["churn_date"].isna()) | (
            ~df["churned"].fillna(True).astype(bool) & df["churn_date"].notna())
        if bad.any():
            rows, n = _rows(bad)
            probs.append(Problem("warning", table, "churn_date", "churned and churn_date disagree (churned without "
                                 "a date, or a date without churned)", "make churned == churn_date.notna()",
                                 rows, n))
    return probs


