"""Simulated transaction logs shared by the RFM and segmentation tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

AS_OF = pd.Timestamp("2023-12-31")


def simulate_transactions(seed: int = 1, n_customers: int = 300) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = [f"C{i:06d}" for i in range(1, n_customers + 1)]
    rows = []
    for cid in ids:
        n = rng.poisson(rng.gamma(1.5, 6)) + 1
        dates = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 3 * 365, n), unit="D")
        amounts = np.round(rng.lognormal(5, 1, n), 2)
        rows.append(pd.DataFrame({"customer_id": cid, "txn_date": dates, "amount": amounts}))
    txn = pd.concat(rows, ignore_index=True)
    return txn, pd.DataFrame({"customer_id": ids})
