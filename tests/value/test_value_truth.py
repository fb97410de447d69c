"""Mapping of the notebook-05 estimates onto ``loyalty.satisfaction_log_hr`` and ``segments.*`` of truth.json."""

from __future__ import annotations

import pandas as pd

from bankcrm_research.data.truth import TRUTH_COLUMNS
from bankcrm_research.value.truth import value_truth_rows

TRUTH = {
    "loyalty": {"satisfaction_log_hr": -0.2},
    "segments": {
        "value_tier_share": {"mass": 0.8, "affluent": 0.17, "private": 0.03},
        "transaction_rate_per_month": {"mass": 0.65, "affluent": 1.3},
    },
}


def test_rows_in_truth_order_with_coverage():
    cox = pd.Series({"term": "cusa_score", "estimate": -0.18, "ci_low": -0.25, "ci_high": -0.11})
    tiers = pd.DataFrame({"tier": ["private", "affluent", "mass"], "customer_share": [0.031, 0.172, 0.797],
                          "customer_share_ci_low": [0.028, 0.167, 0.791],
                          "customer_share_ci_high": [0.034, 0.177, 0.802]})
    rates = pd.DataFrame({"group": ["mass", "affluent"], "rate": [0.7, 1.28], "ci_low": [0.68, 1.25],
                          "ci_high": [0.72, 1.31]})
    tve = value_truth_rows(TRUTH, satisfaction_cox=cox, tiers=tiers, rates=rates)
    assert list(tve.columns) == TRUTH_COLUMNS
    assert list(tve["quantity"]) == [
        "loyalty.satisfaction_log_hr",
        "segments.value_tier_share.mass", "segments.value_tier_share.affluent", "segments.value_tier_share.private",
        "segments.transaction_rate_per_month.mass", "segments.transaction_rate_per_month.affluent",
    ]
    t = tve.set_index("quantity")
    assert t.loc["loyalty.satisfaction_log_hr", "covered"]
    assert t.loc["segments.value_tier_share.private", "estimate"] == 0.031
    assert t.loc["segments.value_tier_share.mass", "ci_high"] == 0.802
    assert not t.loc["segments.transaction_rate_per_month.mass", "covered"]  # 0.65 below [0.68, 0.72]
    assert t.loc["segments.transaction_rate_per_month.affluent", "covered"]


def test_missing_keys_and_groups_are_skipped():
    rates = pd.DataFrame({"group": ["mass"], "rate": [0.66], "ci_low": [0.6], "ci_high": [0.7]})
    tve = value_truth_rows({"segments": {"transaction_rate_per_month": {"mass": 0.65, "affluent": 1.3}}},
                           satisfaction_cox={"estimate": -0.2, "ci_low": -0.3, "ci_high": -0.1}, rates=rates)
    assert list(tve["quantity"]) == ["segments.transaction_rate_per_month.mass"]
    empty = value_truth_rows(TRUTH)
    assert empty.empty and list(empty.columns) == TRUTH_COLUMNS
