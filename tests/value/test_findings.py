"""Notebook 05's finding sentences follow the numbers: a direction only when the CI excludes the null."""

from __future__ import annotations

import pandas as pd

from bankcrm_research.value import findings as vf


def _alignment(lo: float, hi: float) -> pd.DataFrame:
    return pd.DataFrame([{"service": "rm_id", "n": 500, "spearman_rho": (lo + hi) / 2, "p_value": 0.01,
                          "ci_low": lo, "ci_high": hi}])


def test_service_direction_follows_the_ci():
    up = vf.service_finding(_alignment(0.1, 0.3), "rm_id", "RM coverage", "AUM")
    assert "rises" in up and "service follows value" in up
    down = vf.service_finding(_alignment(-0.3, -0.1), "rm_id", "RM coverage", "AUM")
    assert "falls" in down and "follows" not in down
    none = vf.service_finding(_alignment(-0.1, 0.2), "rm_id", "RM coverage", "AUM")
    assert "no clear relation" in none and "includes 0" in none
    assert "随" in vf.service_finding(_alignment(0.1, 0.3), "rm_id", "覆盖率", "管理资产", lang="zh")
    assert vf.service_finding(_alignment(0.1, 0.3), "other", "x", "y") == ""


def test_satisfaction_direction_follows_the_hazard_ratio_ci():
    lower = pd.Series({"exp_estimate": 0.82, "exp_ci_low": 0.77, "exp_ci_high": 0.88})
    s = vf.satisfaction_finding(lower, 1499, 609)
    assert "lowers the churn hazard by 18 %" in s and "[0.77, 0.88]" in s
    unclear = pd.Series({"exp_estimate": 0.95, "exp_ci_low": 0.80, "exp_ci_high": 1.10})
    assert "no clear relation" in vf.satisfaction_finding(unclear, 100, 30)
    higher = pd.Series({"exp_estimate": 1.3, "exp_ci_low": 1.1, "exp_ci_high": 1.5})
    assert "raises" in vf.satisfaction_finding(higher, 100, 30)
    assert "降低" in vf.satisfaction_finding(lower, 1499, 609, lang="zh")


def test_stability_words_and_frequency_spend_note():
    assert "is stable" in vf.segments_finding("K-means", 3, 0.96, 0.93, 0.99, basis="RFM")
    assert "not stable" in vf.segments_finding("K-means", 3, 0.5, 0.4, 0.6, basis="RFM")
    assert "uncertain" in vf.segments_finding("K-means", 2, 0.85, 0.63, 1.0, basis="RFM")
    # the claim that frequent buyers also spend more is made only when the data say so
    assert "lower bound" in vf.frequency_spend_note(0.6)
    assert "lower bound" not in vf.frequency_spend_note(0.05)


def test_money_and_shares_are_readable():
    assert vf.fmt_money(569_082_743.3, True, "en") == "569 million CNY"
    assert vf.fmt_money(415_000.4, False, "en") == "415,000 (file currency)"
    assert vf.pct(0.4258) == "42.6 %"
    rfm = pd.DataFrame({"segment": ["champions", "loyal", "lost"], "n_customers": [10, 20, 70],
                        "customer_share": [0.1, 0.2, 0.7], "value_share": [0.5, 0.3, 0.2]})
    s = vf.rfm_finding(rfm)
    assert "30.0 % of the 100 customers" in s and "80.0 %" in s
    clv = pd.DataFrame({"group": ["loyal", "lost"], "total_clv": [3e6, 1e6], "clv_share": [0.75, 0.25]})
    c = vf.clv_finding(clv, 4e6, 0.6, 12, simulated=True, label={"loyal": "Loyal"})
    assert "4 million CNY" in c and "75.0 %" in c and "'Loyal'" in c
