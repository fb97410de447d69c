"""Planted truth beside the estimates, for the competition notebooks on simulated data.

Maps the tidy results of this package onto the ``competition.*`` and ``macro.*`` keys of
``truth.json`` (layout in ``data/CONTRACT.md``) and returns the
``quantity, truth, estimate, ci_low, ci_high, covered`` table of
:func:`bankcrm_research.data.truth.truth_vs_estimate`, with an extra ``model`` column so that pooled OLS
and fixed-effects estimates of the same quantity sit next to each other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from bankcrm_research.data.truth import get_truth, truth_vs_estimate

__all__ = ["competition_truth_rows", "macro_truth_rows", "mechanism_truth_rows"]


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


#: pooled mediation terms whose truth the pooled two-way FE regression estimates without bias (the
#: type-weighted averages); the others are shown as foils (see ``competition.mediation.*.definition``)
_POOLED_HEADLINE = ("a", "total")
_MEDIATION_TERMS = ("a", "b", "direct", "indirect", "total", "share_mediated")


def _empty() -> pd.DataFrame:
    return truth_vs_estimate(pd.DataFrame(columns=["quantity", "truth", "estimate", "ci_low", "ci_high"]))


def mechanism_truth_rows(
    truth: Mapping[str, Any],
    *,
    mediation: pd.DataFrame | None = None,
    mediation_by_type: pd.DataFrame | None = None,
    bank_type_column: str = "bank_type",
    mediation_controls: Sequence[str] = ("log_assets",),
    index_scale: float = 100.0,
    staggered: pd.DataFrame | None = None,
    adoption_threshold: float | None = None,
    control_group: str = "not_yet_treated",
    event_covariates: Sequence[str] = (),
) -> pd.DataFrame:
    """Truth-vs-estimate rows for notebook 06 (channels and staggered adoption).

    Parameters
    ----------
    truth : mapping
        The loaded ``truth.json``.
    mediation : DataFrame, optional
        Concatenated :meth:`MediationResult.tidy` tables pooled over banks →
        ``competition.mediation.<mediator>-><outcome>.<term>``. ``a`` and ``total`` are headline rows
        (the pooled two-way FE regression estimates the recorded type-weighted averages); ``b``,
        ``direct``, ``indirect`` and ``share_mediated`` are foils: pooled over types with different
        slopes, path ``b`` also picks up the types' shared heterogeneity. Compared only with the
        recorded pooled controls (``pooled_controls``) and ``index_scale`` = 100.
    mediation_by_type : DataFrame, optional
        The same tables estimated within each bank type (a ``bank_type_column`` column) →
        ``competition.mediation.<mediator>-><outcome>.by_type.<type>.<term>``, all headline.
    staggered : DataFrame, optional
        :meth:`StaggeredResult.tidy` of Callaway–Sant'Anna → ``competition.staggered.dynamic.<e>``
        (every event time) and ``competition.staggered.simple``; compared only when the outcome,
        ``adoption_threshold``, ``control_group`` (not-yet-treated) and the absence of
        ``event_covariates`` match the recorded design.

    Returns
    -------
    DataFrame
        ``quantity, truth, estimate, ci_low, ci_high, covered, role, model``; keys absent from the truth
        file, or designs other than the recorded one, give no rows.
    """
    comp = truth.get("competition", {}) if isinstance(truth, Mapping) else {}
    rows: list[dict[str, Any]] = []
    planted = comp.get("mediation", {})
    if mediation is not None and index_scale == 100:
        for _, r in mediation.iterrows():
            key = f"{r['mediator']}->{r['outcome']}"
            t = planted.get(key)
            if not t or r["term"] not in _MEDIATION_TERMS:
                continue
            if list(t.get("pooled_controls", [])) != list(mediation_controls):
                continue
            rows.append({**_row(f"competition.mediation.{key}.{r['term']}", t[r["term"]], r, "pooled_twoway_fe"),
                         "role": "headline" if r["term"] in _POOLED_HEADLINE else "foil"})
    if mediation_by_type is not None and index_scale == 100 and bank_type_column in mediation_by_type.columns:
        for _, r in mediation_by_type.iterrows():
            key, bt = f"{r['mediator']}->{r['outcome']}", str(r[bank_type_column])
            t = planted.get(key, {}).get("by_type", {}).get(bt)
            if not t or r["term"] not in _MEDIATION_TERMS:
                continue
            rows.append({**_row(f"competition.mediation.{key}.by_type.{bt}.{r['term']}", t[r["term"]], r,
                                f"twoway_fe_within_{bt}"), "role": "headline"})
    st = comp.get("staggered")
    if (staggered is not None and st and len(staggered) and not list(event_covariates)
            and control_group == st.get("estimator", {}).get("control_group")
            and adoption_threshold is not None and float(adoption_threshold) == float(st["threshold"])
            and str(staggered["outcome"].iloc[0]) == st["outcome"]):
        dyn = staggered[(staggered["aggregation"] == "dynamic") & (staggered["term"] != "overall")]
        for _, r in dyn.iterrows():
            e = f"{int(r['event_time'])}"
            if e in st["dynamic"]:
                rows.append({**_row(f"competition.staggered.dynamic.{e}", st["dynamic"][e], r, "callaway_santanna"),
                             "role": "headline"})
        simple = staggered[staggered["aggregation"] == "simple"]
        if len(simple) and "simple" in st:
            rows.append({**_row("competition.staggered.simple", st["simple"], simple.iloc[0], "callaway_santanna"),
                         "role": "headline"})
    return truth_vs_estimate(rows) if rows else _empty()
