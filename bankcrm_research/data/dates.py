"""Reading dates written by people: ISO, Chinese, compact, and day/month orders — never guessing.

``01/02/2024`` is 1 February in most of the world and 2 January in the US. pandas' ``format="mixed"``
silently reads it month-first, which swaps day and month for every date whose day is 12 or less. Here
the order is decided once per column from the values themselves:

* a first number above 12 somewhere in the column means day-first (``dd/mm/yyyy``);
* a second number above 12 means month-first (``mm/dd/yyyy``);
* both means the column mixes orders (an error: fix the data);
* neither means the column is ambiguous (an error asking for ``date_format``), unless the caller
  gave ``date_format``.

Other recognised layouts: ISO 8601 (``2024-03-05``, with or without time), ``2024/03/05``,
``2024.03.05``, compact ``20240305``, Chinese ``2024年3月5日``, and any layout with a month name
(``5 Mar 2024``, ``March 5, 2024``), which cannot be ambiguous. Everything else is unparseable and
reported by the caller with its rows; nothing is silently turned into a missing value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["DateParse", "parse_dates"]

_DMY = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:[ T](.*))?\s*$")
_YMD_SLASH = re.compile(r"^\s*(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:[ T](.*))?\s*$")
_CHINESE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?\s*$")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:\.0+)?\s*$")
_MONTH_NAME = re.compile(r"[A-Za-z]{3,}")


@dataclass(frozen=True)
class DateParse:
    """Result of :func:`parse_dates`.

    Attributes
    ----------
    values : Series of datetime64[ns]
        Parsed dates aligned with the input; NaT where the input was missing or unparseable.
    order : str or None
        ``"day-first"``/``"month-first"`` when slashed dates were found, else ``None``.
    problem : str or None
        ``"ambiguous"`` (day/month order cannot be told) or ``"mixed"`` (both orders occur).
    examples : tuple of str
        A few input values that show the problem.
    """

    values: pd.Series
    order: str | None = None
    problem: str | None = None
    examples: tuple[str, ...] = ()


def _to_str(u: pd.Series) -> pd.Series:
    def one(v: object) -> object:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return np.nan
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    return u.map(one)


def parse_dates(values: pd.Series, *, date_format: str | None = None) -> DateParse:
    """Parse a column of dates without ever swapping day and month silently.

    Parameters
    ----------
    values : Series
        Text (or Python date/datetime objects, or YYYYMMDD integers); missing values stay missing.
    date_format : str, optional
        An explicit ``strptime`` format such as ``"%d/%m/%Y"``; when given it is used for every
        value and nothing is inferred.

    Returns
    -------
    DateParse
        See the class; a column with ``problem`` set has ``values`` all NaT for the ambiguous cells
        (the caller reports the problem and stops before analysis).
    """
    s = values.astype(object)
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    present = s.notna()
    if not present.any():
        return DateParse(out)
    if date_format:
        out[present] = pd.to_datetime(_to_str(s[present]), format=date_format, errors="coerce")
        return DateParse(out)
    already = present & s.map(lambda v: isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "year"))
    if already.any():
        out[already] = pd.to_datetime(s[already], errors="coerce")
    text = _to_str(s[present & ~already])
    if text.empty:
        return DateParse(out)
    iso = pd.to_datetime(text, errors="coerce", format="ISO8601")
    # ISO8601 in pandas also accepts a bare "20240305"; fine, that is the compact form.
    out[iso.index] = iso
    rest = text[iso.isna()]
    order: str | None = None
    if not rest.empty:
        ymd = rest.str.extract(_YMD_SLASH)
        cn = rest.str.extract(_CHINESE)
        compact = rest.str.extract(_COMPACT)
        for parts in (ymd, cn, compact):
            ok = parts[0].notna()
            if ok.any():
                built = parts.loc[ok, 0] + "-" + parts.loc[ok, 1].str.zfill(2) + "-" + parts.loc[ok, 2].str.zfill(2)
                if parts.shape[1] > 3:
                    built = built + parts.loc[ok, 3].fillna("").map(lambda t: f" {t}" if t else "")
                out[built.index] = pd.to_datetime(built, errors="coerce", format="mixed")
        rest = rest[out[rest.index].isna()]
    if not rest.empty:
        dmy = rest.str.extract(_DMY)
        slashed = dmy[0].notna()
        if slashed.any():
            first = dmy.loc[slashed, 0].astype(int)
            second = dmy.loc[slashed, 1].astype(int)
            day_first = bool((first > 12).any())
            month_first = bool((second > 12).any())
            if day_first and month_first:
                ex = (rest[slashed][first > 12].head(1).tolist() + rest[slashed][second > 12].head(1).tolist())
                return DateParse(out, problem="mixed", examples=tuple(ex))
            if not day_first and not month_first and bool((first != second).any()):
                ex = rest[slashed][first != second].head(3).tolist()
                return DateParse(out, problem="ambiguous", examples=tuple(ex))
            order = "month-first" if month_first else "day-first"
            d = dmy.loc[slashed, 0].str.zfill(2)
            m = dmy.loc[slashed, 1].str.zfill(2)
            if order == "month-first":
                d, m = m, d
            year = dmy.loc[slashed, 2]
            year = year.where(year.str.len() == 4, "20" + year)
            built = year + "-" + m + "-" + d + dmy.loc[slashed, 3].fillna("").map(lambda t: f" {t}" if t else "")
            out[built.index] = pd.to_datetime(built, errors="coerce", format="mixed")
        rest = rest[out[rest.index].isna()]
    if not rest.empty:
        named = rest[rest.str.contains(_MONTH_NAME)]
        if not named.empty:
            out[named.index] = pd.to_datetime(named, errors="coerce", format="mixed")
    return DateParse(out, order=order)
