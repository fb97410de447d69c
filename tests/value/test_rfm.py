"""RFM by DuckDB SQL against an independent pandas computation; edge cases; CLV summary; thread determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _txn_sim import AS_OF, simulate_transactions

from bankcrm_research.data.validate import DataWarning
from bankcrm_research.value.rfm import RFM_SEGMENTS, clv_summary, rfm, rfm_sql


def _pandas_rfm(txn: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Independent pandas implementation of the definitions documented in sql/rfm.sql."""
    t = txn[txn["txn_date"] <= as_of]
    g = t.groupby("customer_id")
    out = pd.DataFrame(
        {
            "recency_days": (as_of - g["txn_date"].max()).dt.days,
            "frequency": g["amount"].apply(lambda a: int((a > 0).sum())),
            "monetary": g["amount"].sum(),
        }
    )

    def score(x: pd.Series, ascending: bool) -> pd.Series:
        r = x.rank(method="min", ascending=ascending)
        return (1 + np.floor(5 * (r - 1) / len(x))).astype(int)

    out["r_score"] = score(out["recency_days"], ascending=False)
    out["f_score"] = score(out["frequency"], ascending=True)
    out["m_score"] = score(out["monetary"], ascending=True)
    out["fm_score"] = np.floor((out["f_score"] + out["m_score"]) / 2 + 0.5).astype(int)
    return out.sort_index()


def test_rfm_matches_pandas_on_parquet_and_csv(tmp_path):
    txn, cust = simulate_transactions()
    pq, csv = tmp_path / "txn.parquet", tmp_path / "txn.csv"
    txn.to_parquet(pq)
    txn.assign(txn_date=txn["txn_date"].dt.strftime("%Y-%m-%d")).to_csv(csv, index=False)
    expected = _pandas_rfm(txn, AS_OF)
    for path in (pq, csv):
        res = rfm(path, as_of_date="2023-12-31", customers=cust)
        got = res.customers.set_index("customer_id").sort_index()
        for col in ["recency_days", "frequency", "r_score", "f_score", "m_score", "fm_score"]:
            np.testing.assert_array_equal(got[col].to_numpy(), expected[col].to_numpy(), err_msg=col)
        np.testing.assert_allclose(got["monetary"], expected["monetary"], rtol=1e-12)


def test_rfm_scores_balanced_without_ties():
    txn, cust = simulate_transactions(seed=3, n_customers=500)
    res = rfm(txn, as_of_date=AS_OF, customers=cust)
    # monetary is continuous: quintiles hold 100 customers each
    assert res.customers["m_score"].value_counts().sort_index().tolist() == [100] * 5


def test_rfm_segment_summary_counts_and_shares():
    txn, cust = simulate_transactions()
    cust = pd.concat([cust, pd.DataFrame({"customer_id": ["C999998", "C999999"]})], ignore_index=True)
    res = rfm(txn, as_of_date=AS_OF, customers=cust)
    tidy = res.tidy()
    assert set(tidy["segment"]) <= set(RFM_SEGMENTS)
    assert tidy["n_customers"].sum() == len(cust)
    assert tidy.set_index("segment").loc["no_transactions", "n_customers"] == 2
    assert tidy["customer_share"].sum() == pytest.approx(1.0)
    assert tidy["value_share"].sum() == pytest.approx(1.0)
    # champions are recent and high value by construction of the grid
    c = res.customers
    assert (c.loc[c["segment"] == "champions", "r_score"] == 5).all()
    assert (c.loc[c["segment"] == "lost", ["r_score", "fm_score"]] == 1).all().all()


def test_rfm_edge_cases_are_reported_not_dropped():
    txn = pd.DataFrame(
        {
            "cust": ["A", "A", "A", "B", "C", "C", "D", "X", "X", None, "E"],
            "date": pd.to_datetime(["2023-01-05", "2023-06-01", "2023-06-02", "2023-03-01", "2023-02-01",
                                    "2024-02-01", "2023-05-05", "2023-04-04", "2023-04-05", "2023-01-01",
                                    None]),
            "amt": [100.0, 50.0, -20.0, 10.0, 30.0, 999.0, -15.0, 5.0, 6.0, 7.0, 8.0],
        }
    )
    cust = pd.DataFrame({"cust": ["A", "B", "C", "D", "E", "F"]})
    with pytest.warns(DataWarning) as rec:
        res = rfm(txn, as_of_date="2023-12-31", customers=cust,
                  columns={"customer_id": "cust", "txn_date": "date", "amount": "amt"})
    messages = " ".join(str(w.message) for w in rec)
    assert set(res.notes) == {str(w.message) for w in rec if issubclass(w.category, DataWarning)}
    assert "future-dated" in messages and "missing from the customer base" in messages
    assert "without a customer id" in messages and "without a date or amount" in messages
    q = res.quality.set_index("item")
    assert q.loc["rows_read", "n"] == 11
    assert q.loc["future_dated_excluded", "n"] == 1
    assert q.loc["future_dated_excluded", "amount"] == pytest.approx(999.0)
    assert q.loc["unknown_customer_excluded", "n"] == 2
    assert q.loc["unknown_customers", "n"] == 1
    assert q.loc["missing_customer_id", "n"] == 1
    assert q.loc["missing_date_or_amount", "n"] == 1
    assert q.loc["refunds", "n"] == 2
    assert q.loc["refunds", "amount"] == pytest.approx(-35.0)
    assert q.loc["used", "n"] == 6
    # every row accounted for exactly once
    parts = ["missing_customer_id", "missing_date_or_amount", "future_dated_excluded",
             "unknown_customer_excluded", "used"]
    assert q.loc[parts, "n"].sum() == q.loc["rows_read", "n"]
    assert q.loc["customers_without_transactions", "n"] == 2  # E (no dated row) and F
    assert q.loc["one_purchase_customers", "n"] == 2  # B and C (C's 2nd is future-dated)
    assert q.loc["refund_only_customers", "n"] == 1  # D
    got = res.customers.set_index("customer_id")
    assert got.loc["A", "frequency"] == 2 and got.loc["A", "n_refunds"] == 1
    assert got.loc["A", "monetary"] == pytest.approx(130.0)
    assert got.loc["A", "recency_days"] == (pd.Timestamp("2023-12-31") - pd.Timestamp("2023-06-02")).days
    assert got.loc["C", "monetary"] == pytest.approx(30.0)
    assert got.loc["D", "frequency"] == 0


def test_rfm_messages_name_the_fix(tmp_path):
    txn, cust = simulate_transactions(n_customers=20)
    with pytest.raises(ValueError, match=r"'txn_date' \(closest: 'txn_dt'\).*columns="):
        rfm(txn.rename(columns={"txn_date": "txn_dt"}), as_of_date=AS_OF)
    with pytest.raises(FileNotFoundError, match="transactions_path"):
        rfm(tmp_path / "nope.parquet", as_of_date=AS_OF)
    with pytest.raises(ValueError, match="as_of_date"):
        rfm(txn, as_of_date="not a date")
    with pytest.raises(ValueError, match="no usable transaction"):
        rfm(txn, as_of_date="2000-01-01")


def test_rfm_sql_is_one_readable_file():
    text = rfm_sql()
    for name in ["customer_aggregates", "data_quality", "rfm_scores", "clv_summary"]:
        assert f"-- name: {name}" in text
        assert rfm_sql(name).strip()
    with pytest.raises(ValueError, match="'name' parameter"):
        rfm_sql("nope")


def test_clv_summary_matches_pandas():
    txn, cust = simulate_transactions(n_customers=100)
    got = clv_summary(txn, as_of_date=AS_OF, customers=cust, time_unit_days=7).set_index("customer_id")
    pos = txn[(txn["amount"] > 0) & (txn["txn_date"] <= AS_OF)]
    daily = pos.groupby(["customer_id", "txn_date"])["amount"].sum().reset_index()
    for cid, d in daily.groupby("customer_id"):
        d = d.sort_values("txn_date")
        assert got.loc[cid, "frequency"] == len(d) - 1
        assert got.loc[cid, "recency"] == pytest.approx((d["txn_date"].iloc[-1] - d["txn_date"].iloc[0]).days / 7)
        assert got.loc[cid, "T"] == pytest.approx(((AS_OF - d["txn_date"].iloc[0]).days + 1) / 7)
        exp_m = d["amount"].iloc[1:].mean() if len(d) > 1 else 0.0
        assert got.loc[cid, "monetary_value"] == pytest.approx(exp_m)


def test_rfm_and_clv_summary_identical_across_thread_counts(tmp_path):
    """Same data, same numbers: amounts are summed as exact DECIMALs, so DuckDB's thread-dependent
    order of addition cannot change the last digits (it did with DOUBLE sums between runs)."""
    txn, cust = simulate_transactions(seed=7, n_customers=400)
    # amounts with many digits make floating-point order effects visible if they exist
    txn["amount"] = txn["amount"] * 1.0001 + 0.123
    path = tmp_path / "txn.parquet"
    txn.to_parquet(path, index=False)
    one = rfm(path, customers=cust, as_of_date=AS_OF, threads=1)
    two = rfm(path, customers=cust, as_of_date=AS_OF, threads=2)
    pd.testing.assert_frame_equal(one.customers, two.customers, check_exact=True)
    pd.testing.assert_frame_equal(one.tidy(), two.tidy(), check_exact=True)
    pd.testing.assert_frame_equal(one.quality, two.quality, check_exact=True)
    c1 = clv_summary(path, as_of_date=AS_OF, threads=1).sort_values("customer_id", ignore_index=True)
    c2 = clv_summary(path, as_of_date=AS_OF, threads=2).sort_values("customer_id", ignore_index=True)
    pd.testing.assert_frame_equal(c1, c2, check_exact=True)
    # amounts are kept to 1/10,000 CNY: totals agree with pandas to that precision
    expected = txn[txn["txn_date"] <= AS_OF].groupby("customer_id")["amount"].sum()
    got = one.customers.set_index("customer_id")["monetary"].reindex(expected.index)
    np.testing.assert_allclose(got.to_numpy(float), expected.to_numpy(), atol=5e-5 * 40)
