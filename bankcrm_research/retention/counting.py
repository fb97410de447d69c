"""Counting-process (start, stop] rows for time-varying Cox models: RM turnover and a calendar window.

:func:`rm_turnover_long` splits each customer's follow-up at every change point — the date the
relationship manager left, the end of the turnover window, and (optionally) the start and end of one
calendar window such as the year after a market fall — and sets per interval

* ``rm_turnover`` = 1 while the customer is inside the post-turnover window, and
* each *window covariate* = its value while the interval lies inside the calendar window, 0 outside.

:func:`market_fall_terms` builds the window covariates of notebook 04's post-fall year: the fund loss
of fund holders and the follow-up contact per value tier, so that the model

    h_i(t) = h₀(t)·exp(x_iᵀβ + β_rm·rm_i(t) + w_i(t)·(β_loss·loss_i + Σ_k γ_k·c_i·1[tier_i = k]))

(``w_i(t)`` = 1 inside the window) is the simulator's data-generating process
(:mod:`bankcrm_research.simulate.customers`) and each coefficient maps to one truth key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from bankcrm_research.data.validate import (
    require_columns,
    require_dataframe,
    require_numeric,
    warn_dropped,
)

__all__ = ["DAYS_PER_MONTH", "rm_turnover_long", "market_fall_terms"]

#: Average Gregorian month length used to turn dates into months.
DAYS_PER_MONTH = 365.25 / 12


def _survival_frame(df: pd.DataFrame, duration: str, event: str, extra: Sequence[str], table: str) -> pd.DataFrame:
    require_dataframe(df, param=table)
    require_columns(df, [duration, event, *extra], table=table)
    sub = df[[duration, event, *extra]].copy()
    n0 = len(sub)
    sub = sub.dropna(subset=[duration, event])
    warn_dropped(n0 - len(sub), n0, f"with missing '{duration}' or '{event}'", table=table)
    require_numeric(sub, [duration], table=table)
    if (sub[duration] < 0).any():
        raise ValueError(f"{table}.{duration}: durations must be >= 0; found {int((sub[duration] < 0).sum())} negative.")
    ev = sub[event]
    if not (pd.api.types.is_bool_dtype(ev) or set(pd.unique(ev)) <= {0, 1, True, False}):
        raise ValueError(f"{table}.{event}: the event indicator must be 0/1 or True/False; found {list(pd.unique(ev))[:5]}.")
    sub[event] = ev.astype(bool).astype(int)
    if sub[event].sum() == 0:
        raise ValueError(f"{table}.{event}: no events (all observations censored); survival models need events.")
    return sub


def _months(dates: pd.Series | pd.Timestamp, origin: pd.Timestamp) -> Any:
    delta = dates - origin
    days = delta.dt.days if isinstance(delta, pd.Series) else delta.days
    return days / DAYS_PER_MONTH


def rm_turnover_long(
    data: pd.DataFrame,
    *,
    id_column: str,
    duration: str,
    event: str,
    change_date: str,
    origin: str | pd.Timestamp,
    window_months: float | None,
    covariates: Sequence[str] = (),
    calendar_window: tuple[Any, Any] | None = None,
    window_covariates: Sequence[str] = (),
    table: str = "customers",
) -> pd.DataFrame:
    """Counting-process (start, stop] rows with ``rm_turnover`` and optional calendar-window covariates.

    Parameters
    ----------
    data : DataFrame
        One row per customer.
    id_column, duration, event : str
        Customer key, months from ``origin`` to churn or censoring, and the churn indicator.
    change_date : str
        Date the customer's relationship manager left (NA = no turnover).
    origin : date
        Start of follow-up (time 0 of ``duration``), e.g. the study start.
    window_months : float or None
        Months after the change during which the turnover covariate is 1 (then it returns to 0);
        ``None`` keeps it at 1 until the end of follow-up.
    covariates : sequence of str
        Baseline covariates copied to every row (numeric; encode categoricals first).
    calendar_window : (date, date), optional
        ``[start, end)`` of a calendar period, e.g. the year after a market fall. Follow-up is also
        split at its start and end.
    window_covariates : sequence of str
        Numeric (or boolean) columns of ``data`` that act only inside ``calendar_window``: an
        interval inside the window carries the customer's value, every other interval 0. A missing
        value means *no exposure* (0), e.g. the fund loss of a customer who holds no fund — the
        customer is kept. Requires ``calendar_window``.
    table : str
        Name of ``data`` in messages.

    Returns
    -------
    DataFrame
        ``id, start, stop, rm_turnover, event, covariates..., window_covariates...``; the event sits
        on the last row only.

    Notes
    -----
    The hazard modelled with these rows is

    ``h_i(t) = h₀(t)·exp(x_iᵀβ + β_rm·1[c_i ≤ t < c_i + window] + 1[a ≤ t < b]·z_iᵀγ)``

    with ``c_i`` the RM change, ``[a, b)`` the calendar window and ``z_i`` the window covariates
    (Therneau & Grambsch 2000, ch. 3, time-dependent covariates in counting-process form). Every
    customer's follow-up ``(0, T_i]`` is cut at all change points inside it and each piece's flags are
    those at its midpoint. Changes before ``origin`` start the window at the date itself (time may be
    negative; the interval is clipped at 0). Month length is 365.25/12 days.
    """
    require_dataframe(data, param=table)
    window_covariates = list(window_covariates)
    require_columns(data, [id_column, duration, event, change_date, *covariates, *window_covariates], table=table)
    if window_months is not None and not (np.isfinite(window_months) and window_months > 0):
        raise ValueError(f"The 'window_months' parameter must be a positive number or None. Got {window_months!r}.")
    if window_covariates and calendar_window is None:
        raise ValueError(f"window_covariates={window_covariates} need calendar_window=(start, end). Fix: give the "
                         f"window's dates, or drop window_covariates.")
    origin_ts = pd.Timestamp(origin)
    if calendar_window is not None:
        try:
            w0, w1 = (pd.Timestamp(d) for d in calendar_window)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"The 'calendar_window' parameter must be two dates (start, end). Got "
                             f"{calendar_window!r}.") from exc
        if not w1 > w0:
            raise ValueError(f"calendar_window: the end ({w1.date()}) must be after the start ({w0.date()}).")
        a, b = float(_months(w0, origin_ts)), float(_months(w1, origin_ts))
    else:
        a = b = np.inf
    sub = _survival_frame(data, duration, event, [id_column, change_date, *covariates, *window_covariates], table)
    change = pd.to_datetime(sub[change_date], errors="coerce")
    bad = change.isna() & sub[change_date].notna()
    if bad.any():
        raise ValueError(f"{table}.{change_date}: {int(bad.sum())} values are not dates, e.g. "
                         f"{sub.loc[bad, change_date].head(3).tolist()}.")
    for c in window_covariates:
        s = sub[c]
        if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
            raise TypeError(f"{table}.{c}: window covariates must be numeric or boolean; found {s.dtype}. "
                            f"Fix: encode it as numbers first (see market_fall_terms).")
    t_change = _months(change, origin_ts).to_numpy(float)
    T = sub[duration].to_numpy(float)
    E = sub[event].to_numpy(int)
    on = np.where(np.isnan(t_change), np.inf, t_change)
    off = np.full_like(T, np.inf) if window_months is None else on + window_months
    cuts = np.column_stack([np.zeros_like(T), on, off, np.full_like(T, a), np.full_like(T, b), T])
    cuts = np.sort(np.clip(cuts, 0.0, T[:, None]), axis=1)
    lo, hi = cuts[:, :-1], cuts[:, 1:]
    row, k = np.nonzero(hi > lo)
    start, stop = lo[row, k], hi[row, k]
    mid = (start + stop) / 2
    long = pd.DataFrame({"_row": row, "start": start, "stop": stop,
                         "rm_turnover": ((mid >= on[row]) & (mid < off[row])).astype(int)})
    long = long.sort_values(["_row", "start"], kind="mergesort").reset_index(drop=True)
    last = long.groupby("_row")["stop"].transform("max") == long["stop"]
    long[event] = np.where(last, E[long["_row"].to_numpy()], 0)
    zero = np.setdiff1d(np.arange(len(T)), long["_row"].unique())
    if len(zero):
        warn_dropped(len(zero), len(T), f"with {duration} = 0 (no time at risk)", table=table)
    base = sub.reset_index(drop=True)
    r = long["_row"].to_numpy()
    long.insert(0, id_column, base[id_column].to_numpy()[r])
    for c in covariates:
        long[c] = base[c].to_numpy()[r]
    inside = ((long["start"] + long["stop"]) / 2).between(a, b, inclusive="left").to_numpy() if window_covariates \
        else None
    for c in window_covariates:
        value = pd.to_numeric(base[c].astype("Float64"), errors="coerce").fillna(0.0).to_numpy(float)[r]
        long[c] = np.where(inside, value, 0.0)
    return long.drop(columns="_row")


def market_fall_terms(
    data: pd.DataFrame,
    *,
    fund_loss: str | None,
    contact: str | None,
    tier: str | None = None,
    positive_class: Any = None,
    prefix: str = "fall_",
    table: str = "customers",
) -> pd.DataFrame:
    """Post-fall window covariates: fund loss and follow-up contact (by tier), missing = no exposure.

    Parameters
    ----------
    data : DataFrame
        One row per customer.
    fund_loss : str or None
        Fund loss in percentage points (missing for customers without a fund → 0).
    contact : str or None
        Follow-up contact (0/1, boolean or a two-valued text column; missing → 0, not contacted).
    tier : str or None
        Segment whose levels get their own contact effect (``value_tier``); ``None`` gives one
        ``<prefix>contact`` column.
    positive_class : optional
        The contact value meaning "contacted" for a text column.
    prefix : str
        Prefix of the returned column names.

    Returns
    -------
    DataFrame
        Same index as ``data``; ``<prefix>fund_loss`` and ``<prefix>contact_<level>`` per tier level
        (in the order of the categories, or sorted) — the window covariates of
        :func:`rm_turnover_long` for ``h = h₀·exp(… + 1[fall window]·(β_loss·loss + γ_tier·contact))``.
        A customer with a missing tier has no contact term.
    """
    from bankcrm_research.retention.inputs import binary_01

    require_dataframe(data, param=table)
    require_columns(data, [c for c in (fund_loss, contact, tier) if c], table=table)
    out = pd.DataFrame(index=data.index)
    if fund_loss:
        loss = pd.to_numeric(data[fund_loss].astype("Float64") if pd.api.types.is_numeric_dtype(data[fund_loss])
                             else data[fund_loss], errors="coerce")
        out[f"{prefix}fund_loss"] = loss.astype(float).fillna(0.0).to_numpy()
    if contact:
        c = data[contact]
        c = (c.astype("Float64").astype(float) if pd.api.types.is_bool_dtype(c) or pd.api.types.is_numeric_dtype(c)
             else binary_01(c, positive_class))
        if c.dropna().nunique() > 2 or not set(c.dropna().unique()) <= {0.0, 1.0}:
            raise ValueError(f"{table}.{contact}: the contact must be 0/1 (or two values); found "
                             f"{sorted(c.dropna().unique())[:5]}.")
        c = c.fillna(0.0).to_numpy(float)
        if tier is None:
            out[f"{prefix}contact"] = c
        else:
            t = data[tier]
            levels = (list(t.cat.categories) if isinstance(t.dtype, pd.CategoricalDtype)
                      else sorted(t.dropna().astype(str).unique()))
            for lvl in levels:
                out[f"{prefix}contact_{lvl}"] = c * (t.astype(str) == str(lvl)).to_numpy(float)
    return out
