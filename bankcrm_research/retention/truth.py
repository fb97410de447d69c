"""Planted truth beside the estimates of notebook 04 (simulated customers).

Maps the tidy results of :class:`~bankcrm_research.retention.survival.TimeVaryingCox` and
:class:`~bankcrm_research.retention.causal.TreatmentEffect` onto the ``loyalty.*`` keys of
``truth.json`` (layout in ``data/CONTRACT.md``) and returns the
``quantity, truth, estimate, ci_low, ci_high, covered`` table of
:func:`bankcrm_research.data.truth.truth_vs_estimate`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from bankcrm_research.data.truth import TRUTH_COLUMNS, truth_vs_estimate

__all__ = ["retention_truth_rows"]

#: Dummy names of the Cox design -> their names in ``loyalty.churn_hazard_log_hr``.
_TIER_TERMS = {f"value_tier[{lvl}]": f"value_tier_{lvl}" for lvl in ("affluent", "private")}
#: Post-fall window terms of :func:`~bankcrm_research.retention.counting.market_fall_terms`.
FALL_LOSS_TERM = "fall_fund_loss"
FALL_CONTACT_PREFIX = "fall_contact_"


def _log_hr_row(quantity: str, truth: Any, r: Mapping[str, Any]) -> dict[str, Any]:
    # truth.json states log hazard ratios; the Cox table's CIs are on the hazard-ratio scale
    return {"quantity": quantity, "truth": truth, "estimate": r["log_hr"], "ci_low": np.log(r["hr_ci_low"]),
            "ci_high": np.log(r["hr_ci_high"])}


def retention_truth_rows(
    truth: Mapping[str, Any],
    *,
    time_varying_cox: pd.DataFrame | None = None,
    treatment_effect: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Truth-vs-estimate rows for the churn hazard, RM turnover, the post-fall window and the follow-up effect.

    Parameters
    ----------
    truth : mapping
        The loaded ``truth.json`` (:func:`bankcrm_research.data.truth.load_truth`).
    time_varying_cox : DataFrame, optional
        :meth:`TimeVaryingCoxResult.tidy` (``term, log_hr, hr_ci_low, hr_ci_high, ...``). Terms
        named in ``loyalty.churn_hazard_log_hr`` (``value_tier[affluent]`` as
        ``value_tier_affluent``) → ``loyalty.churn_hazard_log_hr.<term>``; ``rm_turnover`` →
        ``loyalty.rm_turnover.log_hr``; the post-fall window terms ``fall_fund_loss`` →
        ``loyalty.fund_loss_log_hr_per_pct`` and ``fall_contact_<tier>`` →
        ``loyalty.followup_effect.log_hr_by_segment.<tier>``. CIs are turned to the log scale.
    treatment_effect : DataFrame, optional
        :meth:`TreatmentEffectResult.tidy` (``segment, method, estimate, ci_low, ci_high``): the
        ``all`` segment → ``loyalty.followup_effect.ate_churn_12m``, other segments →
        ``loyalty.followup_effect.by_segment.<segment>``, one row per method (the method in
        brackets after the key; a segment without a planted value gets a missing truth).

    Returns
    -------
    DataFrame
        ``quantity, truth, estimate, ci_low, ci_high, covered``, in the order above. Empty (with
        these columns) when no estimate is given or the truth file has no ``loyalty`` section.
    """
    lt = truth.get("loyalty", {})
    rows: list[dict[str, Any]] = []
    if time_varying_cox is not None and lt:
        tv = time_varying_cox.set_index("term")
        hazard = lt.get("churn_hazard_log_hr", {})
        for term, r in tv.iterrows():
            key = _TIER_TERMS.get(term, term)
            if key in hazard:
                rows.append(_log_hr_row(f"loyalty.churn_hazard_log_hr.{key}", hazard[key], r))
        if "rm_turnover" in tv.index and "rm_turnover" in lt:
            rows.append(_log_hr_row("loyalty.rm_turnover.log_hr", lt["rm_turnover"]["log_hr"], tv.loc["rm_turnover"]))
        if FALL_LOSS_TERM in tv.index and "fund_loss_log_hr_per_pct" in lt:
            rows.append(_log_hr_row("loyalty.fund_loss_log_hr_per_pct", lt["fund_loss_log_hr_per_pct"],
                                    tv.loc[FALL_LOSS_TERM]))
        by_tier = lt.get("followup_effect", {}).get("log_hr_by_segment", {})
        for term, r in tv.iterrows():
            tier = str(term)[len(FALL_CONTACT_PREFIX):] if str(term).startswith(FALL_CONTACT_PREFIX) else None
            if tier in by_tier:
                rows.append(_log_hr_row(f"loyalty.followup_effect.log_hr_by_segment.{tier}", by_tier[tier], r))
    if treatment_effect is not None and "followup_effect" in lt:
        fe = lt["followup_effect"]
        for _, r in treatment_effect.iterrows():
            overall = r["segment"] == "all"
            t_val = fe["ate_churn_12m"] if overall else fe["by_segment"].get(r["segment"])
            key = ("loyalty.followup_effect.ate_churn_12m" if overall
                   else f"loyalty.followup_effect.by_segment.{r['segment']}")
            rows.append({"quantity": f"{key} ({r['method']})", "truth": t_val, "estimate": r["estimate"],
                         "ci_low": r["ci_low"], "ci_high": r["ci_high"]})
    if not rows:
        return truth_vs_estimate(pd.DataFrame(columns=TRUTH_COLUMNS[:-1]))
    return truth_vs_estimate(rows)
