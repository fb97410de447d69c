"""Small churn table with known logit coefficients, shared by the churn tests (imported by conftest)."""

from __future__ import annotations

import numpy as np
import pandas as pd

TRUE_LOGIT = {"const": -2.0, "complaints": 0.5, "n_products": -0.3, "tier[affluent]": -0.6}


def simulate_churn(n: int = 6000, seed: int = 1) -> pd.DataFrame:
    """Small churn table with known logit coefficients, a date, an id, a leaky column and noise."""
    rng = np.random.default_rng(seed)
    complaints = rng.poisson(1.0, n)
    n_products = rng.integers(1, 6, n)
    tier = rng.choice(["mass", "affluent"], n, p=[0.7, 0.3])
    eta = (TRUE_LOGIT["const"] + TRUE_LOGIT["complaints"] * complaints + TRUE_LOGIT["n_products"] * n_products
           + TRUE_LOGIT["tier[affluent]"] * (tier == "affluent"))
    y = rng.binomial(1, 1 / (1 + np.exp(-eta)))
    return pd.DataFrame({
        "customer_id": [f"C{i:06d}" for i in range(n)],
        "campaign_date": pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 730, n), unit="D"),
        "complaints": complaints,
        "n_products": n_products,
        "tier": tier,
        "noise": rng.normal(size=n),
        "days_to_close": np.where(y == 1, rng.uniform(1, 180, n), rng.uniform(150, 400, n)),  # leaks the outcome
        "churn": y.astype(bool),
    })
