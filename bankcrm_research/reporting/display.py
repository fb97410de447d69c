"""Tables as a reader sees them in the notebook and its HTML: labelled headers, consistent numbers.

Built on pandas' ``Styler`` (no hand-written HTML): no 0..n index column, headers from the label
files (en/zh; snake_case keys without a label are humanised), counts as whole numbers with thousands
separators (years and cohorts without), decimals chosen per column (a value below 1 in a column of
large values keeps ``digits`` decimals instead of showing as 0.0), p-values as ``< 0.001``, booleans
as yes/no, missing cells as an em dash, every row shown up to ``max_rows`` (with a note when cut; the CSV has them all) and wide tables
scrolling horizontally. The numbers themselves are untouched: this is display only (``save_table``
writes full precision).
"""

from __future__ import annotations

import hashlib
import math
import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bankcrm_research.reporting.labels import current_lang, label

if TYPE_CHECKING:  # pragma: no cover
    from pandas.io.formats.style import Styler

__all__ = ["header_label", "column_formatter", "styled_table", "table_html"]

_P_NAMES = re.compile(r"(^|_)(p|pvalue|p_value|pval|p_val)$|^p_|_p_value", re.IGNORECASE)
_YEAR_NAMES = re.compile(r"(^|_)(year|cohort)s?$|^event_time$", re.IGNORECASE)
_YES = {"en": ("yes", "no"), "zh": ("是", "否")}
_NOTE = {"en": "First {k:,} of {n:,} rows shown; the saved CSV has all of them.",
         "zh": "仅显示前 {k:,} 行（共 {n:,} 行）；保存的 CSV 包含全部数据。"}


def header_label(name: Any, lang: str | None = None) -> str:
    """The label of a column, or the key humanised (``top_decile_lift`` -> ``Top decile lift``)."""
    key = str(name)
    text = label(key, lang)
    if text != key:
        return text
    if re.fullmatch(r"[a-z0-9_]+", key) and "_" in key:
        words = key.replace("_", " ")
        return words[:1].upper() + words[1:]
    return key


def _is_p_column(name: str) -> bool:
    return bool(_P_NAMES.search(name))


def column_formatter(s: pd.Series, name: str, *, digits: int = 3, lang: str = "en") -> Any:
    """A ``value -> str`` function for one column (see the module docstring for the rules)."""
    dash = "—"
    if pd.api.types.is_bool_dtype(s):
        yes, no = _YES.get(lang, _YES["en"])
        return lambda v: dash if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else (
            yes if bool(v) else no)
    if not pd.api.types.is_numeric_dtype(s):
        return lambda v: dash if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else str(v)
    vals = pd.to_numeric(s, errors="coerce").astype(float)
    finite = vals[np.isfinite(vals)]
    if _is_p_column(name):
        return lambda v: dash if pd.isna(v) else ("< 0.001" if float(v) < 0.001 else f"{float(v):.3f}")
    whole = len(finite) and bool((finite == np.round(finite)).all()) and finite.abs().max() < 1e15
    if whole and _YEAR_NAMES.search(name):  # years and cohorts: 2013, not 2,013
        return lambda v: dash if pd.isna(v) else f"{int(round(float(v)))}"
    if whole:
        return lambda v: dash if pd.isna(v) else f"{int(round(float(v))):,}"
    top = float(finite.abs().max()) if len(finite) else 0.0
    if top >= 1e12:
        return lambda v: dash if pd.isna(v) else f"{float(v):.3g}"
    decimals = 0 if top >= 1000 else 1 if top >= 100 else 2 if top >= 10 else digits
    small = len(finite) and top > 0 and top < 10 ** (-digits)

    def fmt(v: Any) -> str:
        if pd.isna(v):
            return dash
        x = float(v)
        if not math.isfinite(x):
            return "∞" if x > 0 else "-∞"
        if small:
            return f"{x:.2e}"
        if decimals < digits and 0 < abs(x) < 1:  # a small value in a column of large ones keeps its digits
            return f"{x:.{digits}f}" if round(x, digits) != 0 else f"{x:.2e}"
        return f"{x:,.{decimals}f}"

    return fmt


def styled_table(df: pd.DataFrame, *, digits: int = 3, lang: str | None = None, max_rows: int = 500) -> Styler:
    """A ``Styler`` of ``df`` for reading: labelled headers, formatted numbers, no index."""
    lang = lang or current_lang()
    shown = df.head(max_rows).reset_index(drop=not _meaningful_index(df))
    formats = {c: column_formatter(shown[c], str(c), digits=digits, lang=lang) for c in shown.columns}
    styler = shown.style.format(formats).hide(axis="index")
    styler = styler.format_index(lambda c: header_label(c, lang), axis="columns")
    styler = styler.set_table_attributes('class="bankcrm-table"')
    # a content-derived id instead of pandas' random one: the same table renders to the same HTML in every run
    digest = hashlib.sha1(shown.to_csv().encode("utf-8"), usedforsecurity=False).hexdigest()[:12]
    styler = styler.set_uuid(f"bk{digest}")
    styler = styler.set_table_styles([
        {"selector": "th", "props": "text-align: left; white-space: nowrap; padding: 2px 8px;"},
        {"selector": "td", "props": "text-align: right; padding: 2px 8px; white-space: nowrap;"},
    ])
    # long prose (a data dictionary's meaning, a validation message) reads left-aligned and wraps
    prose = [c for c in shown.columns if _is_prose(shown[c])]
    if prose:
        styler = styler.set_table_styles(
            {c: [{"selector": "td", "props": "text-align: left; white-space: normal; min-width: 22em;"}]
             for c in prose}, overwrite=False)
    return styler


def _is_prose(col: pd.Series) -> bool:
    """A text column whose values run long enough to be sentences (longest above 60 characters)."""
    if not (col.dtype == object or pd.api.types.is_string_dtype(col)):
        return False
    lengths = col.dropna().map(lambda v: len(v) if isinstance(v, str) else 0)
    return bool(len(lengths)) and int(lengths.max()) > 60


def _meaningful_index(df: pd.DataFrame) -> bool:
    idx = df.index
    return not (isinstance(idx, pd.RangeIndex) and idx.start == 0 and idx.step == 1) and idx.name is not None


def table_html(df: pd.DataFrame, *, digits: int = 3, lang: str | None = None, max_rows: int = 500) -> str:
    """The table as an HTML fragment in a horizontally scrolling box, with a note when rows are cut."""
    lang = lang or current_lang()
    body = styled_table(df, digits=digits, lang=lang, max_rows=max_rows).to_html()
    note = ""
    if len(df) > max_rows:
        note = f'<p style="font-size: 90%; color: #555">{_NOTE.get(lang, _NOTE["en"]).format(k=max_rows, n=len(df))}</p>'
    return f'<div style="overflow-x: auto; max-width: 100%">{body}</div>{note}'
