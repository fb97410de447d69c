"""Normalisation and weighting methods of a composite index (entropy, PCA, one-factor).

* :func:`normalize_indicators` — min–max or z-scores with a direction per indicator (``+1``: more
  is more internet finance; ``-1``: reverse), pooled over all region-years or within each year;
* :func:`entropy_weights` — the entropy-weight method;
* :func:`pca_weights` — weights from the first principal component with KMO, Bartlett's test,
  explained variance and loadings (factor_analyzer for KMO/Bartlett, scikit-learn for PCA);
* :func:`factor_weights` — weights from a one-factor (minres) model, with communalities.

:func:`bankcrm_research.competition.index.build_index` combines them into the index.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from bankcrm_research.data.validate import (
    require_choice,
    require_columns,
    require_dataframe,
    require_min_rows,
    require_not_constant,
    require_numeric,
    warn_dropped,
)

__all__ = ["Normalization", "prepare_indicators", "normalize_indicators", "entropy_weights", "pca_weights", "factor_weights"]

Normalization = Literal["minmax", "zscore", "none"]


def _direction(columns: Sequence[str], direction: Mapping[str, int] | None) -> dict[str, int]:
    direction = dict(direction or {})
    unknown = [k for k in direction if k not in columns]
    if unknown:
        raise ValueError(f"The 'direction' parameter names {unknown}, which are not among the indicators {list(columns)}.")
    bad = {k: v for k, v in direction.items() if v not in (1, -1)}
    if bad:
        raise ValueError(f"The 'direction' parameter must map indicators to +1 or -1. Got {bad!r} instead.")
    return {c: direction.get(c, 1) for c in columns}


def prepare_indicators(data: pd.DataFrame, columns: Sequence[str], extra: Sequence[str | None]) -> pd.DataFrame:
    """Validated copy of the indicator table: two or more numeric, non-constant indicators; rows
    with a missing indicator dropped (with a warning); ``extra`` columns must exist."""
    require_dataframe(data)
    columns = list(columns)
    if len(columns) < 2:
        raise ValueError(f"The 'columns' parameter needs at least two indicators to build a composite index. Got {columns!r}.")
    require_columns(data, [*columns, *extra], param="columns")
    require_numeric(data, columns)
    n0 = len(data)
    df = data.dropna(subset=columns).copy()
    warn_dropped(n0 - len(df), n0, f"with missing values in the indicators {columns}", table="indicators")
    require_min_rows(df, 3, table="indicators", what="an index")
    require_not_constant(df, columns, table="indicators")
    return df


def normalize_indicators(
    data: pd.DataFrame,
    *,
    columns: Sequence[str],
    direction: Mapping[str, int] | None = None,
    method: Normalization = "minmax",
    by: str | None = None,
) -> pd.DataFrame:
    """Normalise indicators to a common scale, reversing negative ones.

    Parameters
    ----------
    data : DataFrame
    columns : sequence of str
        Indicators.
    direction : mapping, optional
        ``{indicator: +1 or -1}``; unspecified indicators are positive.
    method : {"minmax", "zscore", "none"}
        ``minmax``: ``(x - min)/(max - min)`` (``(max - x)/(max - min)`` for negative indicators);
        ``zscore``: ``±(x - mean)/sd``; ``none``: only the sign is applied.
    by : str, optional
        Normalise within groups (e.g. ``"year"``); pooled over all rows when None (keeps the
        index comparable over time).

    Returns
    -------
    DataFrame
        A copy of ``data`` with the indicator columns replaced by their normalised values.
    """
    require_choice(method, ["minmax", "zscore", "none"], param="method")
    df = prepare_indicators(data, columns, [by])
    sign = _direction(columns, direction)
    for c in columns:
        x = df[c].astype(float)
        if method == "none":
            df[c] = sign[c] * x
            continue
        if by is None:
            lo, hi, mu, sd = x.min(), x.max(), x.mean(), x.std(ddof=1)
        else:
            g = df.groupby(by)[c]
            lo, hi, mu, sd = g.transform("min"), g.transform("max"), g.transform("mean"), g.transform("std")
        if method == "minmax":
            rng = hi - lo
            df[c] = ((x - lo) / rng) if sign[c] == 1 else ((hi - x) / rng)
        else:
            df[c] = sign[c] * (x - mu) / sd
        df[c] = df[c].replace([np.inf, -np.inf], np.nan).fillna(0.0)  # a constant group carries no information
    return df


def entropy_weights(
    data: pd.DataFrame,
    *,
    columns: Sequence[str],
    direction: Mapping[str, int] | None = None,
    by: str | None = None,
    shift: float = 1e-4,
) -> pd.DataFrame:
    """Entropy-weight method: indicators that vary more across units get more weight.

    Parameters
    ----------
    data : DataFrame
    columns : sequence of str
    direction : mapping, optional
    by : str, optional
        Normalise within groups before weighting (pooled when None).
    shift : float
        Added to the min–max normalised values so that ``p log p`` is defined at 0 (the usual
        translation; results are insensitive to it at this size).

    Returns
    -------
    DataFrame
        ``indicator, entropy, divergence, weight`` (weights sum to 1).

    Notes
    -----
    With min–max normalised ``x'_ij`` (n units, m indicators):
    ``p_ij = x'_ij / Σ_i x'_ij``, ``e_j = -(1/ln n) Σ_i p_ij ln p_ij``, ``d_j = 1 - e_j``,
    ``w_j = d_j / Σ_k d_k``. Reference: Zhu, Tian & Yan (2020), "Effectiveness of entropy weight
    method in decision-making", Mathematical Problems in Engineering, 3564835.
    """
    z = normalize_indicators(data, columns=columns, direction=direction, method="minmax", by=by)
    x = z[list(columns)].to_numpy(float) + shift
    p = x / x.sum(axis=0)
    n = x.shape[0]
    e = -(p * np.log(p)).sum(axis=0) / np.log(n)
    d = 1 - e
    return pd.DataFrame({"indicator": list(columns), "entropy": e, "divergence": d, "weight": d / d.sum()})


def _kmo_bartlett(frame: pd.DataFrame) -> tuple[np.ndarray, float, float, float]:
    """KMO (per indicator, overall) and Bartlett's test (shared core), with a clear warning.

    factor_analyzer warns in generic terms when the correlation matrix is (nearly) singular and
    falls back to a pseudo-inverse; that happens when indicators are almost collinear, which the
    user should hear about in those words.
    """
    import warnings

    from bankcrm_research.common.factor import kmo_bartlett_stats

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kmo_per, kmo_all, chi2, p = kmo_bartlett_stats(frame)
    if any("Moore-Penrose" in str(w.message) for w in caught):
        from bankcrm_research.data.validate import DataWarning

        corr = frame.corr().to_numpy()
        off = np.abs(corr[np.triu_indices_from(corr, k=1)])
        warnings.warn(
            f"the indicators are nearly collinear (largest |correlation| {off.max():.3f}); KMO was computed with a "
            f"pseudo-inverse of the correlation matrix. The index is fine, but near-duplicate indicators add "
            f"little information: consider dropping one.",
            DataWarning,
            stacklevel=4,
        )
    return kmo_per, float(kmo_all), float(chi2), float(p)


def pca_weights(
    data: pd.DataFrame,
    *,
    columns: Sequence[str],
    direction: Mapping[str, int] | None = None,
    by: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Weights from the first principal component, with KMO, Bartlett and explained variance.

    Returns
    -------
    weights : DataFrame
        ``indicator, loading`` (correlation of the indicator with PC1), ``eigenvector``,
        ``weight`` (``|eigenvector|`` rescaled to sum to 1), ``kmo`` (per-indicator MSA).
    diagnostics : DataFrame
        ``statistic, value`` rows: ``kmo_overall``, ``bartlett_chi2``, ``bartlett_df``,
        ``bartlett_p``, ``explained_variance_pc<k>`` for every component, ``n``.

    Notes
    -----
    PCA on the correlation matrix of the (direction-adjusted, min–max normalised) indicators;
    PC1's sign is chosen so its loadings sum to a positive number. KMO ≥ 0.6 and a significant
    Bartlett test (Bartlett 1950) indicate the indicators share enough variance for one index
    (Kaiser 1974, Psychometrika 39). KMO/Bartlett via ``factor_analyzer``; PCA via scikit-learn.
    """
    from sklearn.decomposition import PCA

    z = normalize_indicators(data, columns=columns, direction=direction, method="minmax", by=by)
    x = z[list(columns)].to_numpy(float)
    std = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    pca = PCA().fit(std)
    vec = pca.components_[0]
    if vec.sum() < 0:
        vec = -vec
    loadings = vec * np.sqrt(pca.explained_variance_[0])
    frame = pd.DataFrame(x, columns=list(columns))
    kmo_per, kmo_all, chi2, p = _kmo_bartlett(frame)
    k = len(columns)
    weights = pd.DataFrame(
        {
            "indicator": list(columns),
            "loading": loadings,
            "eigenvector": vec,
            "weight": np.abs(vec) / np.abs(vec).sum(),
            "kmo": kmo_per,
        }
    )
    diag = [("kmo_overall", float(kmo_all)), ("bartlett_chi2", float(chi2)), ("bartlett_df", k * (k - 1) / 2),
            ("bartlett_p", float(p)), ("n", float(len(x)))]
    diag += [(f"explained_variance_pc{i + 1}", float(v)) for i, v in enumerate(pca.explained_variance_ratio_)]
    return weights, pd.DataFrame(diag, columns=["statistic", "value"])


def factor_weights(
    data: pd.DataFrame,
    *,
    columns: Sequence[str],
    direction: Mapping[str, int] | None = None,
    by: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Weights from a one-factor model (minres, factor_analyzer), with KMO and Bartlett.

    Returns
    -------
    weights : DataFrame
        ``indicator, loading, communality, uniqueness, weight`` (``|loading|`` rescaled to sum
        to 1), ``kmo``.
    diagnostics : DataFrame
        ``kmo_overall``, ``bartlett_chi2``, ``bartlett_df``, ``bartlett_p``, ``n``,
        ``explained_variance_factor1`` (sum of squared loadings / number of indicators).

    Notes
    -----
    The common-factor model ``x = λ f + e`` separates shared from indicator-specific variance,
    unlike PCA; weights proportional to the loadings are the usual "factor-analysis index" of
    the internet-finance literature. The sign is chosen so that loadings sum to a positive number.
    """
    from factor_analyzer import FactorAnalyzer

    z = normalize_indicators(data, columns=columns, direction=direction, method="minmax", by=by)
    frame = z[list(columns)].astype(float)
    import warnings as _warnings

    with _warnings.catch_warnings():
        # factor_analyzer 0.5.1 passes a keyword scikit-learn renamed; not actionable here
        _warnings.simplefilter("ignore", FutureWarning)
        fa = FactorAnalyzer(n_factors=1, rotation=None, method="minres").fit(frame.to_numpy())
    lam = fa.loadings_[:, 0]
    if lam.sum() < 0:
        lam = -lam
    heywood = [c for c, v in zip(columns, lam, strict=True) if v**2 >= 1]
    if heywood:
        import warnings

        from bankcrm_research.data.validate import DataWarning

        warnings.warn(
            f"Heywood case: the one-factor solution gives {heywood} a communality of 1 or more (negative "
            f"unique variance), usually because the indicators are almost collinear. The weights are still "
            f"defined, but prefer method='pca' or drop a near-duplicate indicator.",
            DataWarning,
            stacklevel=3,
        )
    kmo_per, kmo_all, chi2, p = _kmo_bartlett(frame)
    k = len(columns)
    weights = pd.DataFrame({
        "indicator": list(columns), "loading": lam, "communality": lam**2, "uniqueness": 1 - lam**2,
        "weight": np.abs(lam) / np.abs(lam).sum(), "kmo": kmo_per,
    })
    diag = pd.DataFrame(
        [("kmo_overall", float(kmo_all)), ("bartlett_chi2", float(chi2)), ("bartlett_df", k * (k - 1) / 2),
         ("bartlett_p", float(p)), ("n", float(len(frame))), ("explained_variance_factor1", float(np.sum(lam**2) / k))],
        columns=["statistic", "value"],
    )
    return weights, diag
