"""Mapping of the notebook-04 tidy results onto the ``loyalty.*`` keys of truth.json."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.data.truth import TRUTH_COLUMNS
from bankcrm_research.retention.truth import retention_truth_rows

TRUTH = {
    "loyalty": {
        "churn_hazard_log_hr": {"n_products": -0.2, "value_tier_affluent": -0.3, "value_tier_private": -0.5},
        "rm_turnover": {"log_hr": 0.7, "window_months": 6},
        "followup_effect": {"ate_churn_12m": -0.05, "by_segment": {"mass": -0.02, "affluent": -0.1}},
    }
}


def _cox_row(term: str, log_hr: float, lo: float, hi: float) -> dict:
    return {"term": term, "log_hr": log_hr, "hazard_ratio": np.exp(log_hr), "hr_ci_low": np.exp(lo),
            "hr_ci_high": np.exp(hi)}


def test_cox_terms_map_to_hazard_keys_on_the_log_scale():
    tv = pd.DataFrame([
        _cox_row("rm_turnover", 0.65, 0.5, 0.8),
        _cox_row("n_products", -0.1, -0.15, -0.05),  # CI misses the truth -0.2
        _cox_row("value_tier[affluent]", -0.28, -0.4, -0.16),
        _cox_row("age", 0.01, -0.01, 0.03),  # no planted effect: not compared
    ])
    tve = retention_truth_rows(TRUTH, time_varying_cox=tv)
    assert list(tve.columns) == TRUTH_COLUMNS
    # design order, then RM turnover last
    assert list(tve["quantity"]) == ["loyalty.churn_hazard_log_hr.n_products",
                                     "loyalty.churn_hazard_log_hr.value_tier_affluent", "loyalty.rm_turnover.log_hr"]
    t = tve.set_index("quantity")
    assert t.loc["loyalty.rm_turnover.log_hr", "truth"] == 0.7
    assert t.loc["loyalty.rm_turnover.log_hr", "ci_low"] == pytest.approx(0.5, abs=1e-12)
    assert t.loc["loyalty.rm_turnover.log_hr", "covered"]
    assert not t.loc["loyalty.churn_hazard_log_hr.n_products", "covered"]
    assert t.loc["loyalty.churn_hazard_log_hr.value_tier_affluent", "estimate"] == -0.28


def test_followup_effect_rows_per_segment_and_method():
    est = pd.DataFrame({"segment": ["all", "all", "mass", "private"], "method": ["naive", "aipw", "aipw", "aipw"],
                        "estimate": [-0.09, -0.048, -0.03, -0.08], "ci_low": [-0.11, -0.07, -0.06, -0.2],
                        "ci_high": [-0.07, -0.03, 0.0, 0.04]})
    t = retention_truth_rows(TRUTH, treatment_effect=est).set_index("quantity")
    assert list(t.index) == ["loyalty.followup_effect.ate_churn_12m (naive)",
                             "loyalty.followup_effect.ate_churn_12m (aipw)",
                             "loyalty.followup_effect.by_segment.mass (aipw)",
                             "loyalty.followup_effect.by_segment.private (aipw)"]
    assert not t.iloc[0]["covered"] and t.iloc[1]["covered"] and t.iloc[2]["covered"]
    # a segment without a planted value keeps its row, with a missing truth (never "covered")
    assert np.isnan(t.loc["loyalty.followup_effect.by_segment.private (aipw)", "truth"])
    assert not t.loc["loyalty.followup_effect.by_segment.private (aipw)", "covered"]


def test_post_fall_window_terms_map_to_fund_loss_and_contact_keys():
    truth = {"loyalty": {**TRUTH["loyalty"], "fund_loss_log_hr_per_pct": 0.04,
                         "followup_effect": {**TRUTH["loyalty"]["followup_effect"],
                                             "log_hr_by_segment": {"mass": -0.1, "affluent": -0.85}}}}
    tv = pd.DataFrame([
        _cox_row("rm_turnover", 0.65, 0.5, 0.8),
        _cox_row("fall_fund_loss", 0.045, 0.038, 0.052),
        _cox_row("fall_contact_mass", -0.3, -0.5, -0.12),  # CI misses the truth -0.1
        _cox_row("fall_contact_affluent", -0.9, -1.2, -0.6),
        _cox_row("fall_contact_private", -1.5, -2.5, -0.5),  # no planted value here: not compared
    ])
    t = retention_truth_rows(truth, time_varying_cox=tv).set_index("quantity")
    assert list(t.index) == ["loyalty.rm_turnover.log_hr", "loyalty.fund_loss_log_hr_per_pct",
                             "loyalty.followup_effect.log_hr_by_segment.mass",
                             "loyalty.followup_effect.log_hr_by_segment.affluent"]
    assert t.loc["loyalty.fund_loss_log_hr_per_pct", "ci_low"] == pytest.approx(0.038, abs=1e-12)
    assert t.loc["loyalty.fund_loss_log_hr_per_pct", "covered"]
    assert not t.loc["loyalty.followup_effect.log_hr_by_segment.mass", "covered"]
    assert t.loc["loyalty.followup_effect.log_hr_by_segment.affluent", "truth"] == -0.85
    assert (t["role"] == "headline").all()
    # without the window terms (own data without a market-fall date) there are no such rows
    plain = retention_truth_rows(truth, time_varying_cox=tv.iloc[:1])
    assert list(plain["quantity"]) == ["loyalty.rm_turnover.log_hr"]


def test_nothing_to_compare_gives_an_empty_table_with_the_columns():
    assert list(retention_truth_rows(TRUTH).columns) == TRUTH_COLUMNS
    assert retention_truth_rows({}, time_varying_cox=pd.DataFrame([_cox_row("rm_turnover", 0.7, 0.6, 0.8)])).empty
