"""Report tables that put the estimators side by side, and the truth-beside-estimate rows.

Used by notebook ``03_satisfaction_drivers`` (notebooks hold no function definitions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from bankcrm_research.satisfaction.pls import PLSResult
from bankcrm_research.satisfaction.sem import CBSEMResult
from bankcrm_research.satisfaction.spec import SurveyModel

__all__ = ["loadings_table", "paths_table", "truth_rows", "driver_groups", "interpret_fit"]

_COLS = ["method", "estimate", "se", "ci_low", "ci_high", "p_value"]


def _pls_part(res: PLSResult | None, term: str, names: tuple[str, str]) -> pd.DataFrame:
    if res is None:
        return pd.DataFrame()
    t = res.term(term).rename(columns={"from": names[0], "to": names[1], "boot_se": "se"})
    t["method"] = "PLSc" if res.consistent else "PLS"
    return t[[*names, *_COLS]]


def loadings_table(cfa: CBSEMResult, pls: PLSResult | None = None, plsc: PLSResult | None = None) -> pd.DataFrame:
    """Standardised loadings: CB-SEM CFA (Wald CI), PLS and PLSc (bootstrap CI), long format.

    Columns: construct, item, method, estimate, se, ci_low, ci_high, p_value.
    """
    c = cfa.loadings.assign(method=f"CB-SEM {cfa.kind}")[["construct", "item", *_COLS]]
    parts = [c, _pls_part(pls, "loading", ("item", "construct")), _pls_part(plsc, "loading", ("item", "construct"))]
    out = pd.concat([p for p in parts if not p.empty], ignore_index=True)
    return out[["construct", "item", *_COLS]]


def paths_table(sem: CBSEMResult, pls: PLSResult | None = None, plsc: PLSResult | None = None) -> pd.DataFrame:
    """Standardised structural paths: CB-SEM (ML, Wald CI), PLS and PLSc (bootstrap CI).

    Columns: from, to, method, estimate, se, ci_low, ci_high, p_value, proper (False for a
    CB-SEM path flagged in ``sem.problems``).
    """
    s = sem.paths.assign(method="CB-SEM")[["from", "to", *_COLS]]
    parts = [s, _pls_part(pls, "path", ("from", "to")), _pls_part(plsc, "path", ("from", "to"))]
    out = pd.concat([p for p in parts if not p.empty], ignore_index=True)[["from", "to", *_COLS]]
    flagged = set(sem.problems.loc[sem.problems["kind"] == "std_path_beyond_1", "where"]) if not sem.problems.empty else set()
    out["proper"] = ~((out["method"] == "CB-SEM") & (out["from"] + " -> " + out["to"]).isin(flagged))
    return out


def driver_groups(model: SurveyModel, index_construct: str, drivers: Mapping[str, Sequence[str]] | None) -> dict[str, list[str]]:
    """The key-driver attributes: ``drivers`` as given, or (None) the antecedent constructs of
    ``index_construct``, each represented by its items."""
    if drivers:
        return {k: list(v) for k, v in drivers.items()}
    ante = model.antecedents(index_construct)
    if len(ante) < 2:
        raise ValueError(
            f"drivers=None uses the constructs with a path into '{index_construct}' as drivers, but it has "
            f"{len(ante)} ({ante}); pass drivers={{'attribute': [items], ...}} with 2+ attributes"
        )
    return {c: list(model.measurement[c]) for c in ante}


def truth_rows(
    truth: Mapping[str, Any],
    *,
    cfa: CBSEMResult,
    sem: CBSEMResult,
    drivers: pd.DataFrame | None = None,
) -> list[dict[str, Any]]:
    """Rows for :func:`bankcrm_research.data.truth.truth_vs_estimate` from the ``satisfaction`` truth block.

    Loadings (``satisfaction.loadings.<item>``, population standardised loadings of the 7-point
    items) against the CFA's standardised loadings; paths (``satisfaction.paths.<from>-><to>``)
    against the SEM's; and, when given, the key-driver standardised weights against
    ``satisfaction.driver_weights.<attribute>`` and relative-weight shares against
    ``satisfaction.driver_importance_observed.relative_weight_share.<attribute>``.
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
    return rows


def interpret_fit(result: CBSEMResult) -> str:
    """One sentence on global fit using the Hu & Bentler (1999) cut-offs (CFI/TLI >= .95,
    RMSEA <= .06, SRMR <= .08)."""
    f = result.fit
    good = f["cfi"] >= 0.95 and f["tli"] >= 0.95 and f["rmsea"] <= 0.06 and f["srmr"] <= 0.08
    verdict = "meets" if good else "does not meet"
    tail = "" if result.proper else " The solution is IMPROPER (see the problems listed above): do not interpret its paths."
    return (
        f"The {result.kind} {verdict} the usual cut-offs (CFI {f['cfi']:.3f}, TLI {f['tli']:.3f}, "
        f"RMSEA {f['rmsea']:.3f}, SRMR {f['srmr']:.3f}; Hu & Bentler 1999).{tail}"
    )
