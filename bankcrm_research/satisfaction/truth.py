"""Planted truth beside the estimates, for notebook 03 on the bundled simulated survey.

Maps the satisfaction results (CFA loadings, SEM paths, key-driver weights) onto the
``satisfaction.*`` keys of ``truth.json`` (layout in ``data/CONTRACT.md``); the rows feed
:func:`bankcrm_research.data.truth.truth_vs_estimate`. The competition strand's mapping is
:mod:`bankcrm_research.competition.truth`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from bankcrm_research.satisfaction.process import MediationResult, ModerationResult
from bankcrm_research.satisfaction.sem import CBSEMResult

__all__ = ["satisfaction_truth_rows"]


def satisfaction_truth_rows(
    truth: Mapping[str, Any],
    *,
    cfa: CBSEMResult,
    sem: CBSEMResult,
    drivers: pd.DataFrame | None = None,
    process: Mapping[str, ModerationResult | MediationResult] | None = None,
) -> list[dict[str, Any]]:
    """Rows for :func:`bankcrm_research.data.truth.truth_vs_estimate` from the ``satisfaction`` truth block.

    Loadings (``satisfaction.loadings.<item>``, population standardised loadings of the 7-point
    items) against the CFA's standardised loadings; paths (``satisfaction.paths.<from>-><to>``)
    against the SEM's; and, when given, the key-driver standardised weights against
    ``satisfaction.driver_weights.<attribute>`` and relative-weight shares against
    ``satisfaction.driver_importance_observed.relative_weight_share.<attribute>``.

    ``process`` maps "moderation", "mediation" and "moderated_mediation" to the PROCESS results; each
    is compared with ``satisfaction.process.<kind>`` (the composite-score population values: the
    interaction, the indirect effect, the index of moderated mediation) only when it answers the same
    question (same x, m, w, y and model) — a result for another question has no planted truth.
    """
    sat = truth["satisfaction"]
    rows: list[dict[str, Any]] = []
    load = cfa.loadings.set_index("item")
    for item, value in sat.get("loadings", {}).items():
        if item in load.index:
            r = load.loc[item]
            rows.append(dict(quantity=f"satisfaction.loadings.{item}", truth=value, estimate=r["estimate"],
                             ci_low=r["ci_low"], ci_high=r["ci_high"]))
    paths = sem.paths.set_index(["from", "to"])
    for key, value in sat.get("paths", {}).items():
        a, b = key.split("->")
        if (a, b) in paths.index:
            r = paths.loc[(a, b)]
            rows.append(dict(quantity=f"satisfaction.paths.{key}", truth=value, estimate=r["estimate"],
                             ci_low=r["ci_low"], ci_high=r["ci_high"]))
    if drivers is not None:
        d = drivers.set_index("driver")
        for attr, value in sat.get("driver_weights", {}).items():
            if attr in d.index:
                rows.append(dict(quantity=f"satisfaction.driver_weights.{attr}", truth=value,
                                 estimate=d.loc[attr, "std_beta"], ci_low=d.loc[attr, "beta_ci_low"],
                                 ci_high=d.loc[attr, "beta_ci_high"]))
        shares = sat.get("driver_importance_observed", {}).get("relative_weight_share", {})
        for attr, value in shares.items():
            if attr in d.index:
                rows.append(dict(quantity=f"satisfaction.driver_importance_observed.relative_weight_share.{attr}",
                                 truth=value, estimate=d.loc[attr, "share"], ci_low=d.loc[attr, "ci_low"],
                                 ci_high=d.loc[attr, "ci_high"]))
    rows.extend(_process_rows(sat.get("process", {}), process or {}))
    return rows


def _process_rows(truth: Mapping[str, Any], results: Mapping[str, ModerationResult | MediationResult]
                  ) -> list[dict[str, Any]]:
    """Truth rows of the PROCESS models whose question matches the planted one."""
    rows: list[dict[str, Any]] = []
    for kind, result in results.items():
        planted = truth.get(kind)
        if planted is None:
            continue
        same = all(getattr(result, k, None) == planted[k] for k in ("x", "m", "w", "y") if k in planted)
        if not same or getattr(result, "model", planted["model"]) != planted["model"]:
            continue
        if isinstance(result, ModerationResult):
            r = result.coefficients.set_index("term").loc[f"{result.x}:{result.w}"]
            key, value = "interaction", planted["interaction"]
        else:
            effect = "indirect" if kind == "mediation" else "index_of_moderated_mediation"
            r = result.effects.set_index("effect").loc[effect]
            key, value = effect, planted[effect]
        rows.append(dict(quantity=f"satisfaction.process.{kind}.{key}", truth=value, estimate=r["estimate"],
                         ci_low=r["ci_low"], ci_high=r["ci_high"]))
    return rows
