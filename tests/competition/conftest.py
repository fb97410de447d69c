"""Fixtures for the competition tests: small simulated bank panels with known effects."""

from __future__ import annotations

import warnings

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
