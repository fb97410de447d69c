"""Shared churn fixture: a small table with known logit coefficients (see ``_churn_sim.py``)."""

from __future__ import annotations

import pandas as pd
import pytest
from _churn_sim import simulate_churn


@pytest.fixture(scope="module")
def churn_df() -> pd.DataFrame:
    return simulate_churn()
