"""Notebook 04's display copies in Chinese: the leakage audit's reason column."""

from __future__ import annotations

import pandas as pd

from bankcrm_research.retention.findings import display_frame


def test_leakage_reasons_read_in_chinese_and_the_saved_values_stay_english() -> None:
    audit = pd.DataFrame({"column": ["a", "b", "c", "d"], "single_auc": [0.95, 0.6, 0.93, 0.5],
                          "declared_leaky": [True, True, False, False], "flagged": [True, True, True, False],
                          "reason": ["declared leaky; AUC alone above threshold", "declared leaky",
                                     "AUC alone above 0.9", ""]})
    zh = display_frame(audit, "zh")
    reasons = zh.iloc[:, list(audit.columns).index("reason")].tolist()
    assert reasons == ["已声明为泄漏列；单列 AUC 超过阈值", "已声明为泄漏列", "单列 AUC 超过 0.9", ""]
    assert display_frame(audit, "en").iloc[:, 4].tolist() == audit["reason"].tolist()
    assert audit["reason"].iloc[0] == "declared leaky; AUC alone above threshold"  # the input is not edited
