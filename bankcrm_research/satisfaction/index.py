"""ACSI-style 0-100 customer satisfaction index, overall and by segment, with bootstrap CIs.

The American Customer Satisfaction Index (Fornell, Johnson, Anderson, Cha & Bryant 1996,
*Journal of Marketing* 60(4), 7-18) reports satisfaction as a weighted mean of the satisfaction
items, the weights being the PLS outer weights of the satisfaction block converted to the raw
item scale, rescaled to 0-100. Hand-written: no Python library computes it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bankcrm_research.satisfaction.pls import PLSResult
from bankcrm_research.satisfaction.spec import PreparedSurvey
from bankcrm_research.data.validate import require_columns

__all__ = ["satisfaction_index", "index_scores"]


def _raw_weights(std_weights: np.ndarray, sd: np.ndarray) -> np.ndarray:
    w = std_weights / sd
    return w / w.sum()


def index_scores(result: PLSResult, data: PreparedSurvey | pd.DataFrame, *, construct: str) -> pd.Series:
    """Per-respondent 0-100 index of a construct (point-estimate weights, fitted item SDs).

    ``data`` may be new respondents: the weights and item SDs are those of the fitted sample.

    Notes
    -----
    :math:`\\tilde w_i = (w_i / s_i) / \\sum_j (w_j / s_j)` with :math:`w_i` the standardised outer
    weight and :math:`s_i` the item SD; respondent score
    :math:`100 (\\sum_i \\tilde w_i x_i - \\min) / (\\max - \\min)` on the scale ``[min, max]``.
    """
    frame = data.data if isinstance(data, PreparedSurvey) else data
    items, j = _block(result, construct)
    x = frame[items].to_numpy(float)
    ipos = [result.items.index(i) for i in items]
    w = _raw_weights(result.weights[ipos, j], result.item_sd[ipos])
    lo, hi = result.model.scale
    return pd.Series(100 * (x @ w - lo) / (hi - lo), index=frame.index, name=f"{construct}_index")


def _block(result: PLSResult, construct: str) -> tuple[list[str], int]:
    if construct not in result.constructs:
        raise ValueError(
            f"construct '{construct}' is not in the PLS model; constructs are {result.constructs}; "
            "pass the satisfaction construct's name (e.g. index_construct='CUSA')"
        )
    return list(result.model.measurement[construct]), result.constructs.index(construct)


def satisfaction_index(
    result: PLSResult,
    data: PreparedSurvey | pd.DataFrame,
    *,
    construct: str,
    group_column: str | None = None,
) -> pd.DataFrame:
    """ACSI-style index overall and by segment, with percentile bootstrap CIs.

    Parameters
    ----------
    result : PLSResult
        A fitted PLS model with bootstrap resamples (``bootstrap_reps > 0`` for CIs).
    data : PreparedSurvey or DataFrame
        The data the model was fitted on (same rows, same order), with ``group_column``.
    construct : str
        The satisfaction construct (e.g. ``"CUSA"``).
    group_column : str, optional
        Segment column (e.g. ``"channel_group"``); segments use the overall weights, as the ACSI
        does for companies within an industry.

    Returns
    -------
    DataFrame
        segment ("overall" first), n, index, ci_low, ci_high, boot_se.

    Notes
    -----
    Index :math:`= 100 (\\sum_i \\tilde w_i \\bar x_i - \\min)/(\\max - \\min)`, see
    :func:`index_scores`. The CI re-uses the model's bootstrap: in resample ``b`` the weights are
    those re-estimated on the resample, and the item means and SDs are the resample's (and, per
    segment, the resampled rows of that segment), so weight uncertainty is included.
    The point index (overall and per segment) is checked against R cSEM 0.6.1's unstandardised construct
    scores (``getConstructScores(.standardized = FALSE)`` on items rescaled to 0-100) to 1e-7 in
    ``tests/satisfaction/test_acsi_index_reference.py``; the bootstrap CIs are not.
    """
    frame = data.data if isinstance(data, PreparedSurvey) else data
    if len(frame) != result.n:
        raise ValueError(
            f"data has {len(frame)} rows but the model was fitted on {result.n}; pass the same prepared data"
        )
    items, j = _block(result, construct)
    if group_column is not None:
        require_columns(frame, [group_column], param="group_column")
    x = frame[items].to_numpy(float)
    ipos = [result.items.index(i) for i in items]
    lo, hi = result.model.scale
    groups = (
        [("overall", np.ones(len(frame), bool))]
        if group_column is None
        else [("overall", np.ones(len(frame), bool))]
        + [(str(g), (frame[group_column] == g).to_numpy()) for g in sorted(frame[group_column].dropna().unique())]
    )

    def index_of(xs: np.ndarray, w_std: np.ndarray, mask: np.ndarray) -> float:
        w = _raw_weights(w_std, xs.std(axis=0, ddof=1))
        return float(100 * (xs[mask].mean(axis=0) @ w - lo) / (hi - lo)) if mask.any() else np.nan

    w_point = result.weights[ipos, j]
    est = [index_of(x, w_point, m) for _, m in groups]
    draws = np.full((result.bootstrap_reps, len(groups)), np.nan)
    for b, idx in enumerate(result.resample_indices()):
        wb = result.boot_weights[b][ipos, j]
        if not np.isfinite(wb).all():
            continue
        xb = x[idx]
        draws[b] = [index_of(xb, wb, m[idx]) for _, m in groups]
    a = result.alpha
    rows = []
    for g, ((name, mask), e) in enumerate(zip(groups, est, strict=True)):
        d = draws[:, g][np.isfinite(draws[:, g])]
        lo_ci, hi_ci = np.quantile(d, [a / 2, 1 - a / 2]) if d.size else (np.nan, np.nan)
        rows.append(
            {
                "segment": name,
                "n": int(mask.sum()),
                "index": e,
                "ci_low": float(lo_ci),
                "ci_high": float(hi_ci),
                "boot_se": float(d.std(ddof=1)) if d.size > 1 else np.nan,
            }
        )
    return pd.DataFrame(rows)
