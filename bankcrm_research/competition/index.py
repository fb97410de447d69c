"""Composite internet-finance index: normalisation, entropy weights, PCA weights, equal weights.

The literature builds a regional internet-finance (or digital-finance) index from several
indicators (payments, money-market funds, P2P, digital credit, insurance, coverage) or uses the
Peking University Digital Financial Inclusion Index (PKU-DFIIC; Guo et al. 2020, China Economic
Quarterly 19(4)), whose aggregate is a weighted sum of three dimensions (coverage breadth 0.540,
usage depth 0.297, digitisation level 0.163). This module reproduces the usual constructions:

* :mod:`.index_weights` — normalisation (min–max or z-scores with a direction per indicator,
  pooled or within each year) and entropy, PCA (with KMO and Bartlett) and one-factor weights;
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

from bankcrm_research.common.results import ResultMixin
from bankcrm_research.competition.display_names import value_name
from bankcrm_research.competition.index_weights import (
    Normalization,
    entropy_weights,
    factor_weights,
    normalize_indicators,
    pca_weights,
    prepare_indicators,
)
from bankcrm_research.data.validate import require_choice, require_columns

__all__ = [
    "PKU_DIMENSIONS",
    "PKU_WEIGHTS",
    "IndexResult",
    "read_pku_dfiic",
    "build_index",
    "rank_agreement",
    "attach_index",
]

PKU_DIMENSIONS = ("coverage_breadth", "usage_depth", "digitization_level")
#: Published dimension weights of the PKU aggregate index (Guo et al. 2020, Table 1).
PKU_WEIGHTS: dict[str, float] = {"coverage_breadth": 0.540, "usage_depth": 0.297, "digitization_level": 0.163}

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


@dataclass(frozen=True)
class IndexResult(ResultMixin):
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

    def plot(self, ax: Any = None, *, labels: Mapping[str, str] | None = None, lang: str = "en") -> Any:
        """Horizontal bar chart of the weights (``labels`` maps indicator names to display names;
        ``lang="zh"`` writes the axis in Chinese)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 0.4 + 0.35 * len(self.weights)))
        w = self.weights.sort_values("weight")
        names = [(labels or {}).get(i, i) for i in w["indicator"]]
        ax.barh(names, w["weight"])
        if lang == "zh":
            ax.set_xlabel(f"权重（{value_name(self.method, lang)}）")
        else:
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
    df = prepare_indicators(data, columns, [*id_columns, by])
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
