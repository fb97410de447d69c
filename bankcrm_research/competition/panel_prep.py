"""Panel data preparation before a regression: winsorising and calendar-time lags."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from bankcrm_research.data.validate import require_columns, require_dataframe, require_numeric, require_positive_int

__all__ = ["winsorize", "add_lags"]


def winsorize(
    data: pd.DataFrame,
    *,
    columns: Sequence[str],
    limits: tuple[float, float] = (0.01, 0.99),
    by: str | None = None,
) -> pd.DataFrame:
    """Clip columns at pooled (or per-``by`` group) quantiles; returns a copy.

    Parameters
    ----------
    data : DataFrame
    columns : sequence of str
        Numeric columns to winsorise.
    limits : (float, float)
        Lower and upper quantiles, e.g. ``(0.01, 0.99)`` (1 % in each tail, the usual choice
        for bank ratios).
    by : str, optional
        Winsorise within groups (e.g. ``"year"``); pooled over all rows when None.
    """
    require_dataframe(data)
    require_columns(data, [*columns, by], table="data", param="columns")
    require_numeric(data, columns)
    lo, hi = limits
    if not (0 <= lo < hi <= 1):
        raise ValueError(f"The 'limits' parameter must be two quantiles 0 <= low < high <= 1. Got {limits!r} instead.")
    out = data.copy()
    for col in columns:
        if by is None:
            q_lo, q_hi = out[col].quantile([lo, hi])
            out[col] = out[col].clip(q_lo, q_hi)
        else:
            g = out.groupby(by)[col]
            out[col] = out[col].clip(g.transform("quantile", lo), g.transform("quantile", hi))
    return out


def add_lags(
    data: pd.DataFrame,
    *,
    columns: Sequence[str],
    entity: str = "bank_id",
    time: str = "year",
    lags: Sequence[int] = (1,),
) -> pd.DataFrame:
    """Add ``<column>_lag<k>`` columns, lagging by calendar time within each entity.

    A lag is missing when the entity has no row exactly ``k`` periods earlier (gaps in an
    unbalanced panel are respected rather than shifting over them).
    """
    require_columns(data, [*columns, entity, time], param="columns")
    if data.duplicated([entity, time]).any():
        n = int(data.duplicated([entity, time]).sum())
        raise ValueError(
            f"data has {n} duplicated ({entity}, {time}) rows; a panel needs one row per {entity} and {time}. "
            f"Aggregate or drop the duplicates first."
        )
    out = data.copy()
    for k in lags:
        k = require_positive_int(k, param="lags")
        shifted = out[[entity, time, *columns]].copy()
        shifted[time] = shifted[time] + k
        shifted = shifted.rename(columns={c: f"{c}_lag{k}" for c in columns})
        out = out.merge(shifted, on=[entity, time], how="left")
    return out
