"""Composite internet-finance index: normalisation, entropy weights, PCA weights, equal weights.

The literature builds a regional internet-finance (or digital-finance) index from several
indicators (payments, money-market funds, P2P, digital credit, insurance, coverage) or uses the
Peking University Digital Financial Inclusion Index (PKU-DFIIC; Guo et al. 2020, China Economic
Quarterly 19(4)), whose aggregate is a weighted sum of three dimensions (coverage breadth 0.540,
usage depth 0.297, digitisation level 0.163). This module reproduces the usual constructions:

* :func:`normalize_indicators` — min–max or z-scores with a direction per indicator (``+1``: more
  is more internet finance; ``-1``: reverse), pooled over all region-years or within each year;
* :func:`entropy_weights` — the entropy-weight method;
* :func:`pca_weights` — weights from the first principal component with KMO, Bartlett's test,
  explained variance and loadings (factor_analyzer for KMO/Bartlett, scikit-learn for PCA);
* :func:`factor_weights` — weights from a one-factor (minres) model, with communalities;
* :func:`build_index` — the index and its weights as tidy tables (entropy, PCA, equal or fixed
  weights);
* :func:`rank_agreement` — Spearman rank correlation with a reference index, overall and by year.

Pool the normalisation when the index is compared over time: min–max within each year maps every
year onto [0, 1], which erases the growth that the PKU index (and a bank-panel regression on it)
is about; ranks within a year survive, ranks across years do not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from bankcrm_research.data.validate import (
    require_choice,
    require_columns,
    require_dataframe,
    require_min_rows,
    require_not_constant,
    require_numeric,
    warn_dropped,
)

__all__ = [
    "PKU_DIMENSIONS",
    "PKU_WEIGHTS",
    "IndexResult",
    "read_pku_dfiic",
    "normalize_indicators",
    "entropy_weights",
    "pca_weights",
    "factor_weights",
    "build_index",
    "rank_agreement",
    "attach_index",
]

PKU_DIMENSIONS = ("coverage_breadth", "usage_depth", "digitization_level")
#: Published dimension weights of the PKU aggregate index (Guo et al. 2020, Table 1).
PKU_WEIGHTS: dict[str, float] = {"coverage_breadth": 0.540, "usage_depth": 0.297, "digitization_level": 0.163}

Normalization = Literal["minmax", "zscore", "none"]
Method = Literal["entropy", "pca", "factor", "equal", "fixed"]


def read_pku_dfiic(path: str | Path) -> pd.DataFrame:
    """Read the PKU Digital Financial Inclusion Index (province file) into canonical names.

    Parameters
    ----------
    path : str or Path
        CSV with ``year, prov_name, prov_name_eng, index_aggregate, coverage_breadth, usage_depth,
        digitization_level, payment, insurance, monetary_fund, investment, credit, ...`` (the
        layout of the cleaned official release).

    Returns
    -------
    DataFrame
        ``province`` (English name), ``province_zh``, ``year`` (int), ``if_index`` (the official
        aggregate), the three dimensions and the sub-indices (``credit`` → ``digital_credit``),
        in the column order of the official release and its row order (GB/T 2260 province
        code, then year).

    Notes
    -----
    The file is parsed by :func:`bankcrm_research.data.readers.read_pku_index` (the one PKU parser);
    this function only adapts its output to the layout the index code and its tests use.
    """
    # imported here: readers pulls in the schema registry, which the index maths does not need
    from bankcrm_research.data.readers import PROVINCE_CODES, read_pku_index

    canon = read_pku_index(path)
    out = canon.rename(columns={"province_cn": "province_zh"})
    require_columns(out, ["year", "province", "if_index", *PKU_DIMENSIONS], table=str(path))
    out = out[[c for c in _PKU_LAYOUT if c in out.columns]].copy()
    out["year"] = out["year"].astype(int)
    # read_pku_index leaves the extra sub-index as text (it is not in the canonical schema)
    if "credit_investigation" in out.columns:
        out["credit_investigation"] = pd.to_numeric(out["credit_investigation"], errors="coerce")
    code = out["province"].map({name: c for c, name in PROVINCE_CODES.items()})
    order = np.lexsort((out["year"].to_numpy(), code.to_numpy(dtype=float, na_value=np.inf)))
    out = out.iloc[order].reset_index(drop=True)
    out.attrs = {}  # as before the merge: this layout carries no source metadata
    return out


#: Column order of the cleaned official PKU release, in canonical names (prov_code dropped).
_PKU_LAYOUT = (
    "year", "province_zh", "province", "if_index", "coverage_breadth", "usage_depth", "payment", "insurance",
    "monetary_fund", "investment", "digital_credit", "credit_investigation", "digitization_level",
)


def _direction(columns: Sequence[str], direction: Mapping[str, int] | None) -> dict[str, int]:
    direction = dict(direction or {})
    unknown = [k for k in direction if k not in columns]
    if unknown:
        raise ValueError(f"The 'direction' parameter names {unknown}, which are not among the indicators {list(columns)}.")
    bad = {k: v for k, v in direction.items() if v not in (1, -1)}
    if bad:
        raise ValueError(f"The 'direction' parameter must map indicators to +1 or -1. Got {bad!r} instead.")
    return {c: direction.get(c, 1) for c in columns}


def _prepare(data: pd.DataFrame, columns: Sequence[str], extra: Sequence[str | None]) -> pd.DataFrame:
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
    df = _prepare(data, columns, [by])
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


@dataclass(frozen=True)
class IndexResult:
    """A composite index, its weights and (for PCA) its diagnostics.

    Attributes
    ----------
    scores : DataFrame
        The id columns plus ``index``, with the input table's row labels.
    weights : DataFrame
        ``indicator, weight, method`` plus method-specific columns (entropy, loading, kmo).
    diagnostics : DataFrame
        ``statistic, value`` (KMO, Bartlett, explained variance for PCA; empty otherwise).
    method, normalization : str
    by : str or None
        Grouping of the normalisation (None = pooled).
    """

    scores: pd.DataFrame
    weights: pd.DataFrame
    diagnostics: pd.DataFrame
    method: str
    normalization: str
    by: str | None

    def tidy(self) -> pd.DataFrame:
        """The weights table (``indicator, weight, method, ...``)."""
        return self.weights.copy()

    def summary(self) -> pd.DataFrame:
        """Weights followed by diagnostics, for display."""
        diag = self.diagnostics.rename(columns={"statistic": "indicator", "value": "weight"})
        return pd.concat([self.weights[["indicator", "weight"]], diag], ignore_index=True)

    def plot(self, ax: Any = None, *, labels: Mapping[str, str] | None = None) -> Any:
        """Horizontal bar chart of the weights (``labels`` maps indicator names to display names)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 0.4 + 0.35 * len(self.weights)))
        w = self.weights.sort_values("weight")
        names = [(labels or {}).get(i, i) for i in w["indicator"]]
        ax.barh(names, w["weight"])
        ax.set_xlabel(f"weight ({self.method})")
        return ax


def build_index(
    data: pd.DataFrame,
    *,
    columns: Sequence[str],
    method: Method = "entropy",
    id_columns: Sequence[str] = ("province", "year"),
    direction: Mapping[str, int] | None = None,
    normalization: Normalization = "minmax",
    by: str | None = None,
    weights: Mapping[str, float] | None = None,
    scale: float = 100.0,
) -> IndexResult:
    """Build a composite index ``I = scale · Σ_j w_j x'_j`` from indicators.

    Parameters
    ----------
    data : DataFrame
        Region × year indicators.
    columns : sequence of str
        Indicators.
    method : {"entropy", "pca", "factor", "equal", "fixed"}
        How the weights ``w_j`` are found; ``fixed`` uses ``weights`` (e.g. :data:`PKU_WEIGHTS`).
    id_columns : sequence of str
        Columns carried into ``scores`` (e.g. province, year).
    direction : mapping, optional
        ``{indicator: -1}`` for indicators where more means less internet finance.
    normalization : {"minmax", "zscore", "none"}
        Scale of ``x'_j`` in the weighted sum; ``none`` with ``method="fixed"`` and ``scale=1``
        reproduces an index published as a weighted sum of sub-indices.
    by : str, optional
        Normalise (and estimate weights) within groups, e.g. ``"year"``; pooled when None.
    weights : mapping, optional
        Fixed weights for ``method="fixed"`` (rescaled to sum to 1 if they do not).
    scale : float
        Multiplier of the weighted sum (100 gives a 0–100 index under min–max).

    Returns
    -------
    IndexResult
    """
    require_choice(method, ["entropy", "pca", "factor", "equal", "fixed"], param="method")
    require_choice(normalization, ["minmax", "zscore", "none"], param="normalization")
    columns = list(columns)
    df = _prepare(data, columns, [*id_columns, by])
    diag = pd.DataFrame(columns=["statistic", "value"])
    if method == "entropy":
        w = entropy_weights(df, columns=columns, direction=direction, by=by)
    elif method == "pca":
        w, diag = pca_weights(df, columns=columns, direction=direction, by=by)
    elif method == "factor":
        w, diag = factor_weights(df, columns=columns, direction=direction, by=by)
    elif method == "equal":
        w = pd.DataFrame({"indicator": columns, "weight": 1 / len(columns)})
    else:
        if weights is None:
            raise ValueError("The 'weights' parameter is required when method='fixed', e.g. weights=PKU_WEIGHTS.")
        missing = [c for c in columns if c not in weights]
        if missing:
            raise ValueError(f"The 'weights' parameter has no weight for {missing}; give one weight per indicator.")
        vals = np.array([float(weights[c]) for c in columns])
        w = pd.DataFrame({"indicator": columns, "weight": vals / vals.sum()})
    w = w.assign(method=method)
    z = normalize_indicators(df, columns=columns, direction=direction, method=normalization, by=by)
    index = scale * (z[columns].to_numpy(float) @ w["weight"].to_numpy(float))
    # keep the input's row labels so that scores align with the input (rows with missing
    # indicators are dropped, with a warning, and would otherwise shift positions)
    scores = df[list(id_columns)].copy().assign(index=index)
    cols = ["indicator", "weight", "method"] + [c for c in w.columns if c not in ("indicator", "weight", "method")]
    return IndexResult(scores=scores, weights=w[cols], diagnostics=diag, method=method, normalization=normalization, by=by)


def rank_agreement(
    index: pd.Series | np.ndarray,
    reference: pd.Series | np.ndarray,
    *,
    groups: pd.Series | np.ndarray | None = None,
) -> pd.DataFrame:
    """Spearman rank correlation between an index and a reference, overall and per group.

    Two Series are aligned on their row labels (inner join), so ``IndexResult.scores["index"]``
    can be compared with a column of the input table even when rows were dropped.

    Returns
    -------
    DataFrame
        ``scope`` ("all" or the group value), ``n``, ``spearman``, ``pearson``,
        ``mean_abs_diff``.
    """
    if isinstance(index, pd.Series) and isinstance(reference, pd.Series):
        # align on row labels (an index built from fewer rows than the reference)
        joined = pd.concat({"a": index, "b": reference}, axis=1, join="inner")
        if groups is not None and isinstance(groups, pd.Series):
            groups = groups.loc[joined.index]
        index, reference = joined["a"], joined["b"]
    a = np.asarray(index, dtype=float)
    b = np.asarray(reference, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"index and reference must have the same length. Got {a.shape} and {b.shape}.")

    def row(scope: Any, x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
        ok = np.isfinite(x) & np.isfinite(y)
        return {
            "scope": scope,
            "n": int(ok.sum()),
            "spearman": float(stats.spearmanr(x[ok], y[ok]).statistic),
            "pearson": float(np.corrcoef(x[ok], y[ok])[0, 1]),
            "mean_abs_diff": float(np.mean(np.abs(x[ok] - y[ok]))),
        }

    rows = [row("all", a, b)]
    if groups is not None:
        g = np.asarray(groups)
        for val in pd.unique(g):
            m = g == val
            rows.append(row(val, a[m], b[m]))
    return pd.DataFrame(rows)


def attach_index(
    panel: pd.DataFrame,
    indicators: pd.DataFrame,
    *,
    index_column: str = "if_index",
    on: Sequence[str] = ("province", "year"),
    scale: float = 100.0,
) -> pd.DataFrame:
    """Match the regional index to each bank-year by the bank's location.

    Adds ``index_column`` and ``<index_column>_<scale>`` (the index divided by ``scale``, so that a
    coefficient is the effect of +``scale`` index points, the unit of the planted truth). Bank-years
    without an index value (e.g. before the PKU index starts in 2011) are kept with NaN and
    reported in a warning; the regressions drop them with their own count.
    """
    on = list(on)
    require_columns(panel, on, table="bank_panel", param="columns")
    require_columns(indicators, [*on, index_column], table="internet_finance_indicators", param="columns")
    if indicators.duplicated(on).any():
        raise ValueError(
            f"internet_finance_indicators has {int(indicators.duplicated(on).sum())} duplicated {on} rows; "
            f"one index value per {on} is needed."
        )
    right = indicators[[*on, index_column]]
    left = panel.drop(columns=[index_column], errors="ignore")
    out = left.merge(right, on=on, how="left", validate="many_to_one")
    n_na = int(out[index_column].isna().sum())
    if n_na:
        import warnings as _w

        from bankcrm_research.data.validate import DataWarning

        _w.warn(
            f"bank_panel: {n_na} of {len(out)} bank-years have no {index_column} for their {on} "
            f"(check province spellings or the index's first year).",
            DataWarning,
            stacklevel=2,
        )
    out[f"{index_column}_{int(scale)}"] = out[index_column] / scale
    return out
