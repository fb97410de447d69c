"""Planted truth beside the estimates, for the competition notebooks on simulated data.

Maps the tidy results of this package onto the ``competition.*`` and ``macro.*`` keys of
``truth.json`` (layout in ``data/CONTRACT.md``) and returns the
``quantity, truth, estimate, ci_low, ci_high, covered`` table of
:func:`bankcrm_research.data.truth.truth_vs_estimate`, with an extra ``model`` column so that pooled OLS
and fixed-effects estimates of the same quantity sit next to each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from bankcrm_research.data.truth import get_truth, truth_vs_estimate

__all__ = ["competition_truth_rows", "macro_truth_rows"]


def _row(quantity: str, truth: Any, est: Mapping[str, Any], model: str) -> dict[str, Any]:
    return {
        "quantity": quantity, "truth": float(truth), "estimate": float(est["estimate"]),
        "ci_low": float(est["ci_low"]), "ci_high": float(est["ci_high"]), "model": model,
    }


def competition_truth_rows(
    truth: Mapping[str, Any],
    *,
    by_type: pd.DataFrame | None = None,
    quadratic: pd.DataFrame | None = None,
    event: pd.DataFrame | None = None,
    did: pd.DataFrame | None = None,
    turning_point_scale: float = 100.0,
) -> pd.DataFrame:
    """Truth-vs-estimate rows for the bank-panel analyses.

    Parameters
    ----------
    truth : mapping
        The loaded ``truth.json`` (:func:`bankcrm_research.data.truth.load_truth`).
    by_type : DataFrame, optional
        Concatenated :func:`~bankcrm_research.competition.panel.effects_by_group` tables (any
        outcomes, any ``fixed_effects``); rows with ``term`` = a bank type or ``average`` are
        matched to ``competition.index_effect.<outcome>.<term>``.
    quadratic : DataFrame, optional
        :func:`~bankcrm_research.competition.panel.quadratic_effect` output →
        ``competition.npl_quadratic.*``.
    event : DataFrame, optional
        :meth:`EventStudyResult.tidy` → ``competition.event_study.<outcome>.<year>``
        (reference year excluded).
    did : DataFrame, optional
        :func:`~bankcrm_research.competition.event_study.did_estimate` → ``competition.did.<outcome>``.
    turning_point_scale : float
        ``truth.json`` states the NPL turning point in index points while the regression uses
        ``if_index / 100``; the estimate and its CI are multiplied by this factor.

    Returns
    -------
    DataFrame
        ``quantity, truth, estimate, ci_low, ci_high, covered, model``. Keys absent from the truth
        file are skipped (user data has none).
    """
    rows: list[dict[str, Any]] = []

    def lookup(key: str) -> Any:
        try:
            return get_truth(key, truth)
        except KeyError:
            return None

    if by_type is not None:
        for _, r in by_type.iterrows():
            key = f"competition.index_effect.{r['outcome']}.{r['term']}"
            t = lookup(key)
            if t is not None and not isinstance(t, Mapping):
                rows.append(_row(key, t, r, str(r["model"])))
    if quadratic is not None:
        for _, r in quadratic.iterrows():
            key = f"competition.npl_quadratic.{r['term']}"
            t = lookup(key)
            if t is not None:
                if r["term"] == "turning_point":
                    r = r.copy()
                    for c in ("estimate", "ci_low", "ci_high"):
                        r[c] = r[c] * turning_point_scale
                rows.append(_row(key, t, r, str(r["model"])))
    if event is not None:
        for _, r in event[~event["is_reference"]].iterrows():
            key = f"competition.event_study.{r['outcome']}.{int(r['year'])}"
            t = lookup(key)
            if t is not None:
                rows.append(_row(key, t, r, "event_study"))
    if did is not None:
        for _, r in did.iterrows():
            key = f"competition.did.{r['outcome']}"
            t = lookup(key)
            if t is not None:
                rows.append(_row(key, t, r, str(r["model"])))
    if not rows:
        return truth_vs_estimate(pd.DataFrame(columns=["quantity", "truth", "estimate", "ci_low", "ci_high"]))
    return truth_vs_estimate(rows)


def macro_truth_rows(
    truth: Mapping[str, Any],
    *,
    var_coefficients: pd.DataFrame | None = None,
    cause: str = "dlog_mmf_aum",
    effect: str = "dlog_demand_deposits",
    pass_through: pd.DataFrame | None = None,
    rate: str = "shibor_3m",
) -> pd.DataFrame:
    """Truth-vs-estimate rows for the deposit-migration VAR and the rate pass-through.

    ``macro.mmf_to_demand_coef`` is compared with the VAR coefficient of ``cause`` at lag
    ``macro.granger_lag`` in the ``effect`` equation; ``macro.shibor_to_mmf_yield`` with the
    pass-through slope.
    """
    rows: list[dict[str, Any]] = []
    try:
        lag = int(get_truth("macro.granger_lag", truth))
        coef = float(get_truth("macro.mmf_to_demand_coef", truth))
    except KeyError:
        lag = None
    if var_coefficients is not None and lag is not None:
        hit = var_coefficients[(var_coefficients["equation"] == effect) & (var_coefficients["term"] == f"L{lag}.{cause}")]
        if len(hit):
            rows.append(_row("macro.mmf_to_demand_coef", coef, hit.iloc[0], f"var_L{lag}"))
    if pass_through is not None:
        try:
            k = float(get_truth("macro.shibor_to_mmf_yield", truth))
            hit = pass_through[pass_through["term"] == rate]
            if len(hit):
                rows.append(_row("macro.shibor_to_mmf_yield", k, hit.iloc[0], "ols_hac"))
        except KeyError:
            pass
    if not rows:
        return truth_vs_estimate(pd.DataFrame(columns=["quantity", "truth", "estimate", "ci_low", "ci_high"]))
    return truth_vs_estimate(rows)
