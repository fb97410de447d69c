"""Shared constants and small helpers of the simulator (dates, streams, rounding)."""

from __future__ import annotations

import numpy as np
import pandas as pd

# the category levels are the data contract's (schemas); the generator draws in this order
from bankcrm_research.data.schemas import BANK_TYPES, PROVINCES, VALUE_TIERS  # noqa: F401  (re-exported)

DEFAULT_SEED = 20130613  # Yu'ebao launch day, 2013-06-13

#: Fixed order of the per-table RNG streams spawned from the root seed. Appending a new stream at
#: the end keeps the bytes of the existing tables unchanged.
STREAMS: tuple[str, ...] = (
    "internet_finance_indicators",
    "bank_panel",
    "macro_monthly",
    "customers",
    "survey",
    "transactions",
    "population",  # large auxiliary draw used only to compute population values for truth.json
)

YEARS = np.arange(2008, 2024)
STUDY_START = pd.Timestamp("2020-01-01")
STUDY_END = pd.Timestamp("2023-12-31")
MARKET_FALL = pd.Timestamp("2022-03-01")
#: length of the customer observation window in days (study_end inclusive)
WINDOW_DAYS = (STUDY_END - STUDY_START).days + 1
FALL_DAY = (MARKET_FALL - STUDY_START).days
DAYS_PER_MONTH = 365.25 / 12

def spawn_streams(seed: int) -> dict[str, np.random.SeedSequence]:
    """One independent ``SeedSequence`` per table, spawned in the fixed order :data:`STREAMS`."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return dict(zip(STREAMS, children, strict=True))


def sub_rngs(ss: np.random.SeedSequence, names: tuple[str, ...]) -> dict[str, np.random.Generator]:
    """Named generators spawned from one table's stream (so one part's change stays local)."""
    return {name: np.random.default_rng(child) for name, child in zip(names, ss.spawn(len(names)), strict=True)}


def ar1(rng: np.random.Generator, n_units: int, n_periods: int, rho: float, sd: float) -> np.ndarray:
    """Stationary AR(1) errors, shape (n_units, n_periods); innovation sd ``sd``."""
    e = np.empty((n_units, n_periods))
    e[:, 0] = rng.normal(0.0, sd / np.sqrt(1 - rho**2), n_units)
    shocks = rng.normal(0.0, sd, (n_units, n_periods))
    for t in range(1, n_periods):
        e[:, t] = rho * e[:, t - 1] + shocks[:, t]
    return e


def days_to_dates(days: np.ndarray, origin: pd.Timestamp = STUDY_START) -> pd.Series:
    """Integer day offsets (NaN allowed) to ``datetime64[ns]`` dates."""
    days = np.asarray(days, dtype=float)
    out = pd.Series(pd.NaT, index=range(len(days)), dtype="datetime64[ns]")
    ok = np.isfinite(days)
    out[ok] = origin + pd.to_timedelta(np.floor(days[ok]).astype(np.int64), unit="D")
    return out
