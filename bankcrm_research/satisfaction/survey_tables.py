"""Thesis-standard survey tables: item descriptives, and the construct table every SEM paper
prints — mean, SD, alpha, CR, AVE and the correlations of the construct scores with significance
stars, square root of AVE on the diagonal (Fornell & Larcker 1981).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from bankcrm_research.common.results import ResultMixin
from bankcrm_research.data.validate import require_columns, require_dataframe
from bankcrm_research.satisfaction.reliability import composite_reliability, cronbach_alpha
from bankcrm_research.satisfaction.spec import PreparedSurvey

if TYPE_CHECKING:
    from bankcrm_research.satisfaction.sem import CBSEMResult

__all__ = ["item_descriptives", "construct_table", "ConstructTableResult", "significance_stars"]


def significance_stars(p: float, levels: Sequence[float] = (0.05, 0.01, 0.001)) -> str:
    """``"*"``, ``"**"``, ``"***"`` for p below the 1st, 2nd, 3rd level; ``""`` otherwise (or NaN)."""
    if not np.isfinite(p):
        return ""
    return "*" * sum(p < lv for lv in levels)


def _frame(data: pd.DataFrame | PreparedSurvey) -> pd.DataFrame:
    frame = data.data if isinstance(data, PreparedSurvey) else data
    return require_dataframe(frame)


def item_descriptives(data: pd.DataFrame | PreparedSurvey, *, measurement: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """One row per item: construct, item, n, mean, sd, min, max, skewness, kurtosis.

    Notes
    -----
    ``sd`` has divisor n - 1; ``skewness`` and ``kurtosis`` (excess) are the bias-adjusted
    :math:`G_1`, :math:`G_2` that SPSS and Excel report (``pandas.Series.skew``/``kurt``). In R:
    ``psych::describe(x, type = 2)``. |skewness| < 2 and |kurtosis| < 7 are the usual limits for
    ML estimation on Likert items (Curran, West & Finch 1996).
    """
    frame = _frame(data)
    items = [i for its in measurement.values() for i in its]
    require_columns(frame, items)
    rows = []
    for c, its in measurement.items():
        for it in its:
            s = frame[it].astype(float).dropna()
            rows.append({"construct": c, "item": it, "n": int(s.size), "mean": s.mean(), "sd": s.std(ddof=1),
                         "min": s.min(), "max": s.max(), "skewness": s.skew(), "kurtosis": s.kurt()})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class ConstructTableResult(ResultMixin):
    """Construct descriptives, reliability, AVE and the composite correlation matrix.

    Attributes
    ----------
    constructs : DataFrame
        construct, n_items, mean, sd, alpha, rho_c, ave, sqrt_ave, max_abs_r, fornell_larcker_met.
    correlations : DataFrame
        Long, one row per pair (a < b in model order): construct_a, construct_b, r, p_value, n, stars.
    star_levels : tuple of float
    """

    constructs: pd.DataFrame
    correlations: pd.DataFrame
    star_levels: tuple[float, ...]
    score: str

    def tidy(self) -> pd.DataFrame:
        """Long table: the pair correlations plus one diagonal row (construct_a == construct_b) per
        construct whose ``r`` is sqrt(AVE) and whose ``statistic`` says so."""
        diag = pd.DataFrame({"construct_a": self.constructs["construct"], "construct_b": self.constructs["construct"],
                             "statistic": "sqrt_ave", "r": self.constructs["sqrt_ave"], "p_value": np.nan,
                             "n": np.nan, "stars": ""})
        off = self.correlations.assign(statistic="pearson_r")
        return pd.concat([diag, off[diag.columns]], ignore_index=True)

    def matrix(self) -> pd.DataFrame:
        """Square numeric matrix: r below the diagonal, sqrt(AVE) on it, NaN above."""
        names = list(self.constructs["construct"])
        out = pd.DataFrame(np.nan, index=names, columns=names)
        for r in self.correlations.itertuples():
            out.loc[r.construct_b, r.construct_a] = r.r
        for r in self.constructs.itertuples():
            out.loc[r.construct, r.construct] = r.sqrt_ave
        return out

    def summary(self, digits: int = 2) -> pd.DataFrame:
        """The table as printed in a thesis: Mean, SD, alpha, CR, AVE, then columns 1..k of
        correlations with stars below the diagonal and sqrt(AVE) in brackets on it."""
        names = list(self.constructs["construct"])
        fmt = f"{{:.{digits}f}}"
        lower = {(r.construct_b, r.construct_a): fmt.format(r.r) + r.stars for r in self.correlations.itertuples()}
        rows = []
        for i, row in enumerate(self.constructs.itertuples()):
            out = {"construct": f"{i + 1}. {row.construct}", "mean": fmt.format(row.mean), "sd": fmt.format(row.sd),
                   "alpha": fmt.format(row.alpha) if np.isfinite(row.alpha) else "",
                   "cr": fmt.format(row.rho_c) if np.isfinite(row.rho_c) else "",
                   "ave": fmt.format(row.ave) if np.isfinite(row.ave) else ""}
            for j, other in enumerate(names):
                if j < i:
                    out[str(j + 1)] = lower[(row.construct, other)]
                elif j == i:
                    out[str(j + 1)] = f"({fmt.format(row.sqrt_ave)})" if np.isfinite(row.sqrt_ave) else "—"
                else:
                    out[str(j + 1)] = ""
            rows.append(out)
        return pd.DataFrame(rows)

    @property
    def notes(self) -> tuple[str, ...]:
        lv = self.star_levels
        legend = "; ".join(f"{'*' * (k + 1)} p < {v:g}" for k, v in enumerate(lv))
        out = [f"Correlations of {self.score} construct scores (Pearson, two-sided); {legend}; "
               "diagonal in brackets: square root of AVE from the CFA standardised loadings."]
        bad = self.constructs.loc[~self.constructs["fornell_larcker_met"] & self.constructs["sqrt_ave"].notna(), "construct"]
        if len(bad):
            out.append("Fornell-Larcker criterion not met (sqrt(AVE) not above every correlation) for: "
                       + ", ".join(bad) + "; check HTMT.")
        else:
            out.append("Fornell-Larcker criterion met for every construct with an AVE.")
        low = self.constructs.loc[self.constructs["ave"] < 0.5, "construct"]
        if len(low):
            out.append("AVE below 0.50 (convergent validity questionable) for: " + ", ".join(low) + ".")
        return tuple(out)

    def plot(self, ax=None):  # noqa: ANN001, ANN201
        """Heat map of the lower triangle with sqrt(AVE) on the diagonal."""
        import matplotlib.pyplot as plt

        m = self.matrix()
        if ax is None:
            _, ax = plt.subplots(figsize=(0.6 * len(m) + 2, 0.6 * len(m) + 1.5))
        im = ax.imshow(m.to_numpy(float), vmin=-1, vmax=1, cmap="RdBu_r")
        for i in range(len(m)):
            for j in range(i + 1):
                v = m.iat[i, j]
                if np.isfinite(v):
                    ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8)
        ax.set_xticks(range(len(m)), m.columns, rotation=45, ha="right")
        ax.set_yticks(range(len(m)), m.index)
        ax.figure.colorbar(im, ax=ax, shrink=0.8)
        return ax


def construct_table(
    data: pd.DataFrame | PreparedSurvey,
    *,
    measurement: Mapping[str, Sequence[str]],
    cfa: CBSEMResult | None = None,
    star_levels: Sequence[float] = (0.05, 0.01, 0.001),
) -> ConstructTableResult:
    """Construct descriptives and the correlation table with sqrt(AVE) on the diagonal.

    Parameters
    ----------
    data : DataFrame or PreparedSurvey
        Complete, reverse-coded items.
    measurement : mapping
        ``{construct: [items]}`` (table order).
    cfa : CBSEMResult, optional
        A fitted CFA (``CBSEM(model, kind="CFA").fit(prep)``); supplies CR and AVE from its
        standardised loadings (:func:`~.reliability.composite_reliability`). Without it the
        diagonal is empty (NaN).
    star_levels : sequence of float
        p-value cut-offs for ``*``, ``**``, ``***``.

    Returns
    -------
    ConstructTableResult

    Notes
    -----
    Construct score = mean of its items. :math:`r` is the Pearson correlation of two scores and
    its p-value the two-sided t test with n - 2 df, :math:`t = r\\sqrt{(n-2)/(1-r^2)}` (SPSS's
    *Sig. (2-tailed)*; ``scipy.stats.pearsonr``). AVE and CR follow Fornell & Larcker (1981,
    *Journal of Marketing Research* 18(1), 39-50); a construct meets their criterion when
    :math:`\\sqrt{AVE}` exceeds its absolute correlation with every other construct (here: with
    the score correlations, as most papers print; the latent correlations are in
    :func:`~.validity.fornell_larcker`). In R: ``psych::corr.test(scores)$r`` / ``$p`` and
    ``mean(l^2)`` over ``standardizedSolution(cfa)`` loadings.
    """
    frame = _frame(data)
    items = [i for its in measurement.values() for i in its]
    require_columns(frame, items)
    x = frame[items].astype(float)
    if x.isna().any().any():
        raise ValueError("the items have missing values; run prepare_survey() (listwise or mean rule) first")
    lv = tuple(float(v) for v in star_levels)
    if any(not 0 < v < 1 for v in lv) or list(lv) != sorted(lv, reverse=True):
        raise ValueError(f"star_levels must be decreasing probabilities, e.g. (0.05, 0.01, 0.001); found {lv}")
    names = list(measurement)
    scores = pd.DataFrame({c: x[list(its)].mean(axis=1) for c, its in measurement.items()})
    n = len(scores)
    pairs = []
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            r, p = stats.pearsonr(scores[names[a]], scores[names[b]])
            pairs.append({"construct_a": names[a], "construct_b": names[b], "r": float(r), "p_value": float(p), "n": n,
                          "stars": significance_stars(float(p), lv)})
    corr = pd.DataFrame(pairs, columns=["construct_a", "construct_b", "r", "p_value", "n", "stars"])
    rows = []
    for c, its in measurement.items():
        its = list(its)
        alpha = cronbach_alpha(x, items=its)["alpha"] if len(its) > 1 else np.nan
        rel = composite_reliability(cfa.std_loadings(c)) if (cfa is not None and len(its) > 1) else {"rho_c": np.nan, "ave": np.nan}
        others = corr.loc[(corr["construct_a"] == c) | (corr["construct_b"] == c), "r"].abs()
        max_r = float(others.max()) if len(others) else np.nan
        sqrt_ave = float(np.sqrt(rel["ave"])) if np.isfinite(rel["ave"]) else np.nan
        rows.append({"construct": c, "n_items": len(its), "mean": scores[c].mean(), "sd": scores[c].std(ddof=1),
                     "alpha": alpha, "rho_c": rel["rho_c"], "ave": rel["ave"], "sqrt_ave": sqrt_ave, "max_abs_r": max_r,
                     "fornell_larcker_met": bool(np.isfinite(sqrt_ave) and (not np.isfinite(max_r) or sqrt_ave > max_r))})
    return ConstructTableResult(pd.DataFrame(rows), corr, lv, "mean-item")
