"""Fixtures for the competition tests: small simulated bank panels with known effects, a toy
indicator table."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.simulate.panels import simulate_bank_panel


@pytest.fixture(scope="module")
def sim_panel():
    """A 150-bank × 16-year panel (seed 3) and its truth dict."""
    return simulate_bank_panel(seed=3)


@pytest.fixture(autouse=True)
def _quiet_pyfixest_deprecations():
    # pyfixest 0.60 emits DeprecationWarnings from its own internals; not ours to fix
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


@pytest.fixture
def toy() -> pd.DataFrame:
    """Ten provinces × four years of three correlated indicators (one negative)."""
    rng = np.random.default_rng(0)
    n = 40
    base = rng.normal(size=n)
    return pd.DataFrame(
        {
            "province": np.repeat([f"P{i}" for i in range(10)], 4),
            "year": np.tile([2011, 2012, 2013, 2014], 10),
            "payment": 10 + 3 * base + rng.normal(0, 0.5, n),
            "monetary_fund": 5 + 2 * base + rng.normal(0, 0.5, n),
            "cash_use": 8 - 2 * base + rng.normal(0, 0.5, n),  # a negative indicator
        }
    )
