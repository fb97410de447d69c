"""Planted truth beside the estimates of notebook 05 (simulated data).

Maps the satisfaction hazard ratio (:class:`~bankcrm_research.value.satisfaction_link.SatisfactionRetention`),
the customer shares of the value tiers (:func:`~bankcrm_research.value.tiers.value_tiers`) and the
transaction rates by tier (:func:`~bankcrm_research.value.segments.transaction_rates`) onto the
``loyalty.satisfaction_log_hr`` and ``segments.*`` keys of ``truth.json`` (layout in
``data/CONTRACT.md``) and returns the ``quantity, truth, estimate, ci_low, ci_high, covered`` table of
:func:`bankcrm_research.data.truth.truth_vs_estimate`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from bankcrm_research.data.truth import TRUTH_COLUMNS, get_truth, truth_vs_estimate

__all__ = ["value_truth_rows"]


def _lookup(key: str, truth: Mapping[str, Any]) -> Any:
    try:
        return get_truth(key, truth)
    except KeyError:
        return None


def value_truth_rows(
    truth: Mapping[str, Any],
    *,
    satisfaction_cox: Mapping[str, Any] | pd.Series | None = None,
    tiers: pd.DataFrame | None = None,
    rates: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Truth-vs-estimate rows for the satisfaction hazard, tier shares and transaction rates.

    Parameters
    ----------
    truth : mapping
        The loaded ``truth.json`` (:func:`bankcrm_research.data.truth.load_truth`).
    satisfaction_cox : Series or mapping, optional
        The score's Cox row, ``SatisfactionRetentionResult.effect("cox")`` (``estimate, ci_low,
        ci_high`` on the log-hazard scale) → ``loyalty.satisfaction_log_hr``.
    tiers : DataFrame, optional
        :func:`~bankcrm_research.value.tiers.value_tiers` output for the planted tier column (a
        ``tier`` column, ``customer_share`` and its Wilson CI) → ``segments.value_tier_share.<tier>``.
    rates : DataFrame, optional
        :func:`~bankcrm_research.value.segments.transaction_rates` by tier (``group, rate, ci_low,
        ci_high``), on customers who did not churn (churners slow down before leaving; the
        planted rate is the steady one) → ``segments.transaction_rate_per_month.<tier>``.

    Returns
    -------
    DataFrame
        ``quantity, truth, estimate, ci_low, ci_high, covered`` in the order above, tiers in the
        order of ``truth.json``. Keys absent from the truth file and tiers absent from the
        estimates are skipped; empty (with these columns) when nothing matches.
    """
    rows: list[dict[str, Any]] = []
    hr = _lookup("loyalty.satisfaction_log_hr", truth)
    if satisfaction_cox is not None and hr is not None:
        rows.append({"quantity": "loyalty.satisfaction_log_hr", "truth": hr, "estimate": satisfaction_cox["estimate"],
                     "ci_low": satisfaction_cox["ci_low"], "ci_high": satisfaction_cox["ci_high"]})
    shares = _lookup("segments.value_tier_share", truth)
    if tiers is not None and shares is not None:
        tier_rows = tiers.set_index("tier")
        rows += [{"quantity": f"segments.value_tier_share.{t}", "truth": share,
                  "estimate": tier_rows.loc[t, "customer_share"], "ci_low": tier_rows.loc[t, "customer_share_ci_low"],
                  "ci_high": tier_rows.loc[t, "customer_share_ci_high"]}
                 for t, share in shares.items() if t in tier_rows.index]
    planted_rates = _lookup("segments.transaction_rate_per_month", truth)
    if rates is not None and planted_rates is not None:
        by_group = rates.set_index("group")
        rows += [{"quantity": f"segments.transaction_rate_per_month.{t}", "truth": r,
                  "estimate": by_group.loc[t, "rate"], "ci_low": by_group.loc[t, "ci_low"],
                  "ci_high": by_group.loc[t, "ci_high"]}
                 for t, r in planted_rates.items() if t in by_group.index]
    if not rows:
        return truth_vs_estimate(pd.DataFrame(columns=TRUTH_COLUMNS[:-1]))
    return truth_vs_estimate(rows)
