"""Dominance analysis (Budescu 1993; Azen & Budescu 2003): the Shapley decomposition of R² among
correlated drivers, with conditional and complete dominance, beside Johnson's relative weights.

General dominance of a driver is its average increase in R² over all subsets of the other
drivers (first averaged within each subset size, then over sizes); it equals the Shapley value of
the R² "game" and relaimpo's LMG, so the general dominance weights sum to the full-model R².
Conditional dominance keeps the per-size averages; driver i *completely* dominates j when it adds
more R² than j to every subset of the other drivers.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bankcrm_research.common.results import ResultMixin
from bankcrm_research.data.validate import require_columns, require_dataframe, require_positive_int, require_probability

__all__ = ["dominance_analysis", "DominanceResult", "MAX_DRIVERS"]

MAX_DRIVERS = 15  # 2^15 subsets; beyond that the exact decomposition is too slow to be useful


def _subset_r2(r: np.ndarray, p: int) -> dict[frozenset[int], float]:
    """R² of every subset of the p predictors from the joint correlation matrix (outcome last)."""
    out: dict[frozenset[int], float] = {frozenset(): 0.0}
    rxy = r[:p, p]
    for k in range(1, p + 1):
        for s in itertools.combinations(range(p), k):
            idx = list(s)
            sol = np.linalg.lstsq(r[np.ix_(idx, idx)], rxy[idx], rcond=None)[0]
            out[frozenset(s)] = float(rxy[idx] @ sol)
    return out


def _decompose(r2: dict[frozenset[int], float], p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Conditional dominance (p x p: driver, subset size 0..p-1), general dominance, complete dominance."""
    cond = np.zeros((p, p))
    complete = np.ones((p, p), dtype=int)  # +1 i dominates j on every subset, -1 j dominates i, 0 undetermined
    np.fill_diagonal(complete, 0)
    for i in range(p):
        others = [j for j in range(p) if j != i]
        for k in range(p):
            incs = [r2[frozenset(s) | {i}] - r2[frozenset(s)] for s in itertools.combinations(others, k)]
            cond[i, k] = np.mean(incs)
    for i, j in itertools.combinations(range(p), 2):
        rest = [h for h in range(p) if h not in (i, j)]
        diffs = np.array([r2[frozenset(s) | {i}] - r2[frozenset(s) | {j}]
                          for k in range(len(rest) + 1) for s in itertools.combinations(rest, k)])
        verdict = 1 if (diffs > 0).all() else -1 if (diffs < 0).all() else 0
        complete[i, j], complete[j, i] = verdict, -verdict
    return cond, cond.mean(axis=1), complete


@dataclass(frozen=True)
class DominanceResult(ResultMixin):
    """General, conditional and complete dominance of the drivers of one outcome.

    Attributes
    ----------
    general : DataFrame
        driver, general_dominance (sums to R²), share (sums to 1), rank, ci_low, ci_high (bootstrap
        percentile CI of general_dominance when requested), relative_weight (Johnson), r2_alone
        (size-0 conditional dominance = squared correlation).
    conditional : DataFrame
        Drivers x subset size (0 .. p-1): mean R² increase when the driver joins a subset of that size.
    complete : DataFrame
        Drivers x drivers: 1 when the row driver completely dominates the column driver, -1 when
        it is dominated, 0 when undetermined.
    """

    outcome: str
    n: int
    r2: float
    general: pd.DataFrame
    conditional: pd.DataFrame
    complete: pd.DataFrame
    bootstrap_reps: int

    def tidy(self) -> pd.DataFrame:
        return self.general.copy()

    def summary(self) -> pd.DataFrame:
        cols = ["driver", "general_dominance", "share", "rank", "ci_low", "ci_high", "relative_weight",
                "completely_dominates"]
        g = self.general.copy()
        g["completely_dominates"] = [", ".join(self.complete.columns[self.complete.loc[d] == 1]) for d in g["driver"]]
        return g[cols]

    @property
    def notes(self) -> tuple[str, ...]:
        g = self.general.sort_values("rank")
        top = g.iloc[0]
        out = [f"General dominance decomposes R² = {self.r2:.3f} of {self.outcome} (n = {self.n}); "
               f"{top.driver} contributes most ({top.general_dominance:.3f}, {top.share:.0%} of R²)."]
        full = [d for d in self.complete.index if (self.complete.loc[d].drop(d) == 1).all()]
        if full:
            out.append(f"{full[0]} completely dominates every other driver (it adds more R² to every subset).")
        else:
            out.append("No driver completely dominates all others; rank by general dominance with care.")
        diff = g[(g["rank"] != g["relative_weight"].rank(ascending=False, method="min").astype(int))]
        if len(diff):
            out.append("Relative weights order the drivers differently for: " + ", ".join(diff["driver"]) + ".")
        else:
            out.append("Relative weights give the same order.")
        return tuple(out)

    def plot(self, ax=None):  # noqa: ANN001, ANN201
        """General dominance with bootstrap CIs (when computed) beside the relative weights."""
        import matplotlib.pyplot as plt

        g = self.general.sort_values("general_dominance")
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.4 * len(g) + 1.2))
        y = np.arange(len(g))
        ax.barh(y + 0.2, g["general_dominance"], height=0.4, label="general dominance")
        ax.barh(y - 0.2, g["relative_weight"], height=0.4, label="relative weight")
        if self.bootstrap_reps:
            ax.errorbar(g["general_dominance"], y + 0.2, xerr=[g["general_dominance"] - g["ci_low"],
                                                                g["ci_high"] - g["general_dominance"]],
                        fmt="none", ecolor="black")
        ax.set_yticks(y, g["driver"])
        ax.set_xlabel(f"share of R² of {self.outcome}")
        ax.legend()
        return ax


def dominance_analysis(
    data: pd.DataFrame,
    *,
    predictors: Sequence[str],
    outcome: str,
    bootstrap_reps: int = 0,
    seed: int = 20130613,
    alpha: float = 0.05,
) -> DominanceResult:
    """Dominance analysis of ``predictors`` of ``outcome`` (OLS R²).

    Parameters
    ----------
    data : DataFrame
        Complete numeric columns (e.g. construct scores).
    predictors : sequence of str
        2 to :data:`MAX_DRIVERS` driver columns.
    outcome : str
    bootstrap_reps : int
        0 = no CIs; otherwise percentile CIs of the general dominance weights from this many
        resamples of respondents (seeded).

    Notes
    -----
    :math:`C_i^{(k)} = \\binom{p-1}{k}^{-1} \\sum_{|S| = k,\\, i \\notin S} [R^2_{S \\cup i} - R^2_S]`,
    :math:`GD_i = \\frac1p \\sum_{k=0}^{p-1} C_i^{(k)}`, :math:`\\sum_i GD_i = R^2`. R² of a subset is
    :math:`r_{yS}' R_{SS}^{-1} r_{yS}` from the correlation matrix. Budescu, D. V. (1993). Dominance
    analysis. *Psychological Bulletin* 114(3), 542-551; Azen, R. & Budescu, D. V. (2003).
    *Psychological Methods* 8(2), 129-148. Hand-written (exact, all :math:`2^p` subsets). In Python:
    ``dominance_analysis.Dominance(data, target=outcome, objective=1, top_k=p)`` (its
    ``incremental_rsquare()`` is the general dominance); in R: ``relaimpo::calc.relimp(fit,
    type = "lmg")`` or ``dominanceanalysis::dominanceAnalysis(fit)``.
    """
    require_dataframe(data)
    predictors = list(predictors)
    if not 2 <= len(predictors) <= MAX_DRIVERS or len(set(predictors)) != len(predictors):
        raise ValueError(f"predictors must be 2 to {MAX_DRIVERS} distinct columns; found {predictors}")
    if outcome in predictors:
        raise ValueError(f"outcome {outcome!r} is also listed in predictors; remove it from predictors")
    require_columns(data, [*predictors, outcome])
    reps = require_positive_int(bootstrap_reps, param="bootstrap_reps") if bootstrap_reps else 0
    require_probability(alpha, param="alpha")
    x = data[[*predictors, outcome]].to_numpy(float)
    if np.isnan(x).any():
        raise ValueError("dominance_analysis: missing values in predictors/outcome; prepare the data first")
    p = len(predictors)
    r = np.corrcoef(x.T)
    sub = _subset_r2(r, p)
    cond, general, complete = _decompose(sub, p)
    ci = np.full((2, p), np.nan)
    if reps:
        rng = np.random.default_rng(seed)
        draws = np.empty((reps, p))
        for b in range(reps):
            rb = np.corrcoef(x[rng.integers(0, len(x), len(x))].T)
            draws[b] = _decompose(_subset_r2(rb, p), p)[1]
        ci = np.quantile(draws, [alpha / 2, 1 - alpha / 2], axis=0)
    from bankcrm_research.satisfaction.drivers import relative_weights

    rw = relative_weights(data[[*predictors, outcome]], predictors=predictors, outcome=outcome, bootstrap_reps=0)
    r2_full = sub[frozenset(range(p))]
    gen = pd.DataFrame({"driver": predictors, "general_dominance": general, "share": general / r2_full})
    gen["rank"] = gen["general_dominance"].rank(ascending=False, method="min").astype(int)
    gen["ci_low"], gen["ci_high"] = ci[0], ci[1]
    gen["relative_weight"] = rw["raw_weight"].to_numpy()
    gen["r2_alone"] = cond[:, 0]
    conditional = pd.DataFrame(cond, index=pd.Index(predictors, name="driver"), columns=[f"k{k}" for k in range(p)])
    comp = pd.DataFrame(complete, index=pd.Index(predictors, name="driver"), columns=predictors)
    return DominanceResult(outcome, len(x), r2_full, gen, conditional, comp, reps)
