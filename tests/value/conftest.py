"""Fixtures of the value strand: a generated transaction log with every data-quality case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def edge_case_transactions(seed: int = 3, n_customers: int = 300) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(transactions, customers)`` exercising every branch of ``sql/rfm.sql``.

    Skewed activity with ties in recency and frequency, several purchases on one day, refunds,
    zero amounts, amounts with 4 decimals and of 10^9 (exact decimal sums), future-dated rows,
    transactions of customers missing from the base, rows without a customer id, date or amount,
    base customers without transactions, a refund-only and a one-purchase customer.
    """
    rng = np.random.default_rng(seed)
    ids = [f"C{i:05d}" for i in range(n_customers)]
    n_active = n_customers - 10  # the last ten base customers never transact
    n = 6000
    who = rng.choice(n_active, size=n, p=(w := rng.gamma(1.2, 1.0, n_active)) / w.sum())
    day = rng.integers(0, 1100, n)  # 2021-01-01 + 0..1099 days: ~90 days after 2023-12-31 too
    amount = np.round(rng.lognormal(5.0, 1.3, n), 2)
    amount[rng.random(n) < 0.03] *= -1  # refunds
    amount[rng.random(n) < 0.01] = 0.0
    small = rng.random(n) < 0.02
    amount[small] = np.round(rng.random(int(small.sum())) * 10, 4)  # 4 decimals
    amount[:5] = [1e9, 123456789.1234, 0.0001, -0.0001, 99999.9999]
    txn = pd.DataFrame({
        "customer_id": pd.array([ids[i] for i in who], dtype=object),
        "txn_date": pd.Timestamp("2021-01-01") + pd.to_timedelta(day, unit="D"),
        "amount": amount,
    })
    same_day = txn.sample(300, random_state=seed)  # repeat purchases on the same day
    extra = pd.DataFrame({
        "customer_id": ["X00001", "X00001", "X00002", None, None, ids[0], ids[1], ids[2], "R00001", "R00001",
                        "O00001"],
        "txn_date": pd.to_datetime(["2023-05-01", "2023-06-01", "2024-02-01", "2023-01-01", None, None,
                                    "2023-03-03", "2024-05-05", "2023-04-04", "2023-04-05", "2022-12-12"]),
        "amount": [50.0, 20.0, 10.0, 30.0, 5.0, 7.0, np.nan, 12.5, -40.0, -2.5, 75.25],
    })
    txn = pd.concat([txn, same_day, extra], ignore_index=True)
    txn = txn.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    customers = pd.DataFrame({"customer_id": ids + ["R00001", "O00001"]})
    return txn, customers


@pytest.fixture(scope="session")
def edge_transactions() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A generated transaction log and customer base with every data-quality case (see above)."""
    return edge_case_transactions()


@pytest.fixture(scope="session")
def edge_transactions_parquet(tmp_path_factory, edge_transactions) -> tuple[str, pd.DataFrame]:
    """The generated log as Parquet (dates as DATE, like the bundled file) and the customer base."""
    txn, customers = edge_transactions
    path = tmp_path_factory.mktemp("txn") / "transactions.parquet"
    txn.assign(txn_date=txn["txn_date"].dt.date).to_parquet(path, index=False)
    return str(path), customers
