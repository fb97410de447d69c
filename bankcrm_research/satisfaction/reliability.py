"""Reliability of questionnaire blocks: Cronbach's alpha (raw and standardised), McDonald's omega,
composite reliability rho_c, AVE and Dijkstra-Henseler rho_A.

Which alpha? ``alpha`` is the raw (covariance) alpha that psych::alpha (``raw_alpha``),
pingouin and SPSS report; ``alpha_std`` is the standardised (correlation) alpha that seminr,
SmartPLS and plspm report. They differ when item variances differ.

All functions take prepared survey data (see :func:`~bankcrm_research.satisfaction.spec.prepare_survey`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from bankcrm_research.data.validate import require_columns, require_dataframe

if TYPE_CHECKING:
    from bankcrm_research.satisfaction.pls import PLSResult
    from bankcrm_research.satisfaction.sem import CBSEMResult

__all__ = ["cronbach_alpha", "composite_reliability", "reliability_table", "RELIABILITY_COLUMNS"]

RELIABILITY_COLUMNS = ["construct", "n_items", "alpha", "alpha_std", "omega", "rho_c", "rho_a", "ave"]


def cronbach_alpha(data: pd.DataFrame, *, items: Sequence[str]) -> dict[str, float]:
    """Cronbach's alpha, raw and standardised, of one block of items.

    Parameters
    ----------
    data : DataFrame
        Complete responses (prepare the survey first; missing values raise).
    items : sequence of str
        At least two items.

    Returns
    -------
    dict
        ``{"alpha": raw alpha, "alpha_std": standardised alpha}``.

    Notes
    -----
    Raw: :math:`\\alpha = \\frac{k}{k-1}\\left(1 - \\frac{\\sum_i s_i^2}{s_X^2}\\right)` (pingouin).
    Standardised: :math:`\\alpha_{std} = \\frac{k \\bar r}{1 + (k-1)\\bar r}` with
    :math:`\\bar r` the mean inter-item correlation (Cronbach 1951). In R:
    ``psych::alpha(data[, items])$total[c("raw_alpha", "std.alpha")]``.
    """
    require_dataframe(data)
    require_columns(data, items)
    items = list(items)
    if len(items) < 2:
        raise ValueError(
            f"cronbach_alpha needs at least 2 items; found {len(items)} ({items}); "
            "alpha is undefined for a single-item construct"
        )
    block = data[items].astype(float)
    if block.isna().any().any():
        raise ValueError("cronbach_alpha: missing values in the items; run prepare_survey() first")
    import pingouin  # imported here: it pulls in seaborn/statsmodels (seconds)

    raw = float(pingouin.cronbach_alpha(block)[0])
    r = np.corrcoef(block.to_numpy().T)
    k = len(items)
    rbar = (r.sum() - k) / (k * (k - 1))
    return {"alpha": raw, "alpha_std": float(k * rbar / (1 + (k - 1) * rbar))}


def composite_reliability(std_loadings: Sequence[float]) -> dict[str, float]:
    """Composite reliability and AVE from standardised loadings (Fornell & Larcker 1981).

    Notes
    -----
    :math:`\\rho_c = \\frac{(\\sum_i \\lambda_i)^2}{(\\sum_i \\lambda_i)^2 + \\sum_i (1 - \\lambda_i^2)}`,
    :math:`AVE = \\frac{1}{k}\\sum_i \\lambda_i^2`. Fornell, C. & Larcker, D. F. (1981). Evaluating
    structural equation models with unobservable variables and measurement error. *Journal of
    Marketing Research* 18(1), 39-50. Hand-written: no Python library computes them from a fitted
    CFA. In R: ``sum(l)^2 / (sum(l)^2 + sum(1 - l^2))`` with ``l`` from ``standardizedSolution``.
    """
    lam = np.asarray(std_loadings, dtype=float)
    s = lam.sum() ** 2
    return {"rho_c": float(s / (s + np.sum(1 - lam**2))), "ave": float(np.mean(lam**2))}


def reliability_table(
    data: pd.DataFrame,
    *,
    measurement: Mapping[str, Sequence[str]],
    cfa: CBSEMResult | None = None,
    pls: PLSResult | None = None,
) -> pd.DataFrame:
    """One row per construct: construct, n_items, alpha, alpha_std, omega, rho_c, rho_a, ave, note.

    Parameters
    ----------
    data : DataFrame
        Prepared (complete, reverse-coded) item data.
    measurement : mapping
        ``{construct: [items]}``.
    cfa : CBSEMResult, optional
        A fitted CFA (or SEM); supplies omega, rho_c and AVE (from its standardised loadings).
    pls : PLSResult, optional
        A fitted PLS model; supplies rho_A.

    Notes
    -----
    ``omega`` is McDonald's omega of the congeneric CFA block with the observed total variance
    in the denominator, :math:`\\omega = (\\sum_i \\lambda_i)^2 \\psi / \\mathbf 1' S \\mathbf 1`,
    as ``semTools::compRelSEM(fit)`` (default ``obs.var = TRUE``). ``rho_c``/``ave`` use the
    Fornell-Larcker formulas on the CFA's standardised loadings (:func:`composite_reliability`);
    ``rho_a`` is Dijkstra & Henseler's (2015) :math:`\\rho_A` from the PLS Mode A weights.
    Single-item constructs get NaN (reliability is not estimable from one item) and a note.
    Rules of thumb: alpha, rho_c >= 0.70; AVE >= 0.50 (Hair et al. 2019).
    """
    rows = []
    for construct, items in measurement.items():
        items = list(items)
        row: dict[str, object] = {"construct": construct, "n_items": len(items)}
        if len(items) < 2:
            row.update(alpha=np.nan, alpha_std=np.nan, omega=np.nan, rho_c=np.nan, rho_a=np.nan, ave=np.nan)
            row["note"] = "single item: reliability not estimable"
            rows.append(row)
            continue
        row.update(cronbach_alpha(data, items=items))
        row["omega"] = cfa.omega(construct) if cfa is not None else np.nan
        if cfa is not None:
            lam = cfa.std_loadings(construct)
            row.update(composite_reliability(lam))
        else:
            row.update(rho_c=np.nan, ave=np.nan)
        row["rho_a"] = pls.rho_a(construct) if pls is not None else np.nan
        notes = []
        if row["alpha"] < 0.7:
            notes.append("alpha < 0.70")
        if cfa is not None and row["ave"] < 0.5:
            notes.append("AVE < 0.50")
        row["note"] = "; ".join(notes)
        rows.append(row)
    out = pd.DataFrame(rows)
    return out[[*RELIABILITY_COLUMNS, "note"]]
