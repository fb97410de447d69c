"""Report tables that put the estimators side by side (the truth-beside-estimate rows are in
:mod:`.truth`).

Used by notebook ``03_satisfaction_drivers`` (notebooks hold no function definitions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from bankcrm_research.satisfaction.pls import PLSResult
from bankcrm_research.satisfaction.sem import CBSEMResult
from bankcrm_research.satisfaction.spec import SurveyModel

__all__ = ["loadings_table", "paths_table", "driver_groups", "interpret_fit"]

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
