"""Key-driver analysis: relative weights, the importance-performance map (IPMA) and
multi-group comparison of paths.

The manager's question, "which service attribute do we fix first?", has two halves: how much an
attribute matters for satisfaction (importance) and how well the bank does on it now
(performance). Relative weights split the explained variance of satisfaction among correlated
attributes; the IPMA plots total effects against 0-100 performance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bankcrm_research.satisfaction import _pls_engine as engine
from bankcrm_research.satisfaction.pls import PLSResult
from bankcrm_research.satisfaction.spec import PreparedSurvey, SurveyModel
from bankcrm_research.validate import require_columns, require_positive_int

__all__ = [
    "relative_weights",
    "key_drivers",
    "ipma",
    "IPMAResult",
    "multigroup_paths",
]


def _rw_from_corr(r: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
    """Johnson's relative weights (and standardised OLS betas) from the joint correlation matrix
    (outcome last)."""
    rxx = r[:-1, :-1]
    rxy = r[:-1, -1]
    evals, evecs = np.linalg.eigh(rxx)
    lam = evecs @ np.diag(np.sqrt(evals)) @ evecs.T  # R^{1/2}: corr(X, Z) of the orthogonal Z
    beta = np.linalg.solve(lam, rxy)  # regression of y on Z
    raw = (lam**2) @ (beta**2)
    return raw, float(raw.sum()), np.linalg.solve(rxx, rxy)


def relative_weights(
    data: pd.DataFrame,
    *,
    predictors: Sequence[str],
    outcome: str,
    bootstrap_reps: int = 500,
    seed: int = 20130613,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Relative weights (Johnson 2000) of correlated predictors of one outcome, with bootstrap CIs.

    Parameters
    ----------
    data : DataFrame
        Complete numeric columns.
    predictors : sequence of str
        Two or more driver columns.
    outcome : str
        The outcome column (e.g. a satisfaction score).

    Returns
    -------
    DataFrame
        driver, raw_weight (share of variance, sums to R²), share (raw / R², sums to 1), ci_low,
        ci_high (percentile CIs of ``share``), raw_ci_low, raw_ci_high, rank (1 = most important),
        r2 (the model R²), std_beta (standardised OLS weight) with beta_ci_low, beta_ci_high.

    Notes
    -----
    With :math:`R_{xx} = Q \\Lambda Q'`, :math:`\\Lambda^* = Q \\Lambda^{1/2} Q'` (the
    correlations of the predictors with their closest orthogonal counterparts),
    :math:`\\beta^* = \\Lambda^{*-1} r_{xy}` and :math:`\\varepsilon_j = \\sum_k
    \\lambda^{*2}_{jk} \\beta^{*2}_k`; :math:`\\sum_j \\varepsilon_j = R^2`. Johnson, J. W. (2000).
    A heuristic method for estimating the relative weight of predictor variables in multiple
    regression. *Multivariate Behavioral Research* 35(1), 1-19. Hand-written (no maintained
    Python implementation). For orthogonal predictors the weights equal the squared correlations.
    """
    predictors = list(predictors)
    if len(predictors) < 2:
        raise ValueError(f"relative_weights needs 2+ predictors; found {predictors}")
    require_columns(data, [*predictors, outcome])
    x = data[[*predictors, outcome]].to_numpy(float)
    if np.isnan(x).any():
        raise ValueError("relative_weights: missing values in predictors/outcome; prepare the data first")
    raw, r2, beta = _rw_from_corr(np.corrcoef(x.T))
    reps = require_positive_int(bootstrap_reps, param="bootstrap_reps") if bootstrap_reps else 0
    rng = np.random.default_rng(seed)
    n = len(x)
    draws = np.full((reps, len(predictors)), np.nan)
    beta_draws = np.full((reps, len(predictors)), np.nan)
    for b in range(reps):
        r = engine.corr_of(x[rng.integers(0, n, size=n)])
        if np.isfinite(r).all():
            draws[b], _, beta_draws[b] = _rw_from_corr(r)
    shares = draws / draws.sum(axis=1, keepdims=True)
    q = [alpha / 2, 1 - alpha / 2]
    ci = np.nanquantile(shares, q, axis=0) if reps else np.full((2, len(predictors)), np.nan)
    raw_ci = np.nanquantile(draws, q, axis=0) if reps else np.full((2, len(predictors)), np.nan)
    beta_ci = np.nanquantile(beta_draws, q, axis=0) if reps else np.full((2, len(predictors)), np.nan)
    out = pd.DataFrame(
        {
            "driver": predictors,
            "raw_weight": raw,
            "share": raw / r2,
            "ci_low": ci[0],
            "ci_high": ci[1],
            "raw_ci_low": raw_ci[0],
            "raw_ci_high": raw_ci[1],
        }
    )
    out["rank"] = out["share"].rank(ascending=False, method="min").astype(int)
    out["r2"] = r2
    out["std_beta"] = beta
    out["beta_ci_low"] = beta_ci[0]
    out["beta_ci_high"] = beta_ci[1]
    return out


def key_drivers(
    data: PreparedSurvey | pd.DataFrame,
    *,
    drivers: Mapping[str, Sequence[str]],
    outcome_items: Sequence[str],
    bootstrap_reps: int = 500,
    seed: int = 20130613,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Relative weights of service attributes (each the mean of its items) on satisfaction.

    Parameters
    ----------
    drivers : mapping
        ``{attribute: [items]}``, e.g. ``{"speed": ["PERQ1", "PERQ2"], "rm": ["PERQ7", "PERQ8"]}``.
    outcome_items : sequence of str
        Items of the outcome (their mean is the outcome score), e.g. the satisfaction items.

    Returns
    -------
    DataFrame
        As :func:`relative_weights`, plus ``items`` (the attribute's items, ``+``-joined).
    """
    frame = data.data if isinstance(data, PreparedSurvey) else data
    require_columns(frame, [i for its in drivers.values() for i in its] + list(outcome_items))
    scores = pd.DataFrame({name: frame[list(its)].mean(axis=1) for name, its in drivers.items()})
    scores["__outcome__"] = frame[list(outcome_items)].mean(axis=1)
    out = relative_weights(
        scores, predictors=list(drivers), outcome="__outcome__", bootstrap_reps=bootstrap_reps, seed=seed, alpha=alpha
    )
    out.insert(1, "items", ["+".join(drivers[d]) for d in out["driver"]])
    return out


@dataclass(frozen=True)
class IPMAResult:
    """Importance-performance map of a target construct.

    ``table`` columns: level (construct / indicator), name, construct, importance (unstandardised
    total effect on the target per point of 0-100 performance), performance (0-100 mean),
    quadrant.
    """

    target: str
    table: pd.DataFrame

    def tidy(self) -> pd.DataFrame:
        """The IPMA table (copy)."""
        return self.table.copy()

    def summary(self) -> pd.DataFrame:
        """Constructs ranked by importance, with the action each quadrant suggests."""
        t = self.table[self.table["level"] == "construct"].sort_values("importance", ascending=False)
        return t[["name", "importance", "performance", "quadrant"]].round(3).reset_index(drop=True)

    def plot(self, ax=None, *, level: str = "construct", lang: str | None = None):  # noqa: ANN001, ANN201
        """The importance-performance quadrant plot a bank manager reads.

        ``lang`` ("en"/"zh") translates the quadrant annotations through
        :func:`bankcrm_research.reporting.label`; ``None`` follows ``setup_notebook(lang=...)``.
        """
        import matplotlib.pyplot as plt

        from bankcrm_research.reporting.labels import label

        t = self.table[self.table["level"] == level]
        if ax is None:
            _, ax = plt.subplots(figsize=(6.5, 5))
        ax.scatter(t["importance"], t["performance"], s=40)
        for r in t.itertuples():
            ax.annotate(r.name, (r.importance, r.performance), textcoords="offset points", xytext=(4, 4), fontsize=8)
        ax.axvline(t["importance"].mean(), color="grey", ls="--", lw=0.8)
        ax.axhline(t["performance"].mean(), color="grey", ls="--", lw=0.8)
        ax.set_xlabel(f"importance: total effect on {self.target}")
        ax.set_ylabel("performance (0-100)")
        ax.text(0.98, 0.02, label("ipma_fix_first", lang), transform=ax.transAxes, ha="right", va="bottom",
                color="firebrick")
        ax.text(0.98, 0.98, label("ipma_keep_up", lang), transform=ax.transAxes, ha="right", va="top",
                color="seagreen")
        return ax


def _quadrant(imp: pd.Series, perf: pd.Series) -> list[str]:
    hi_i = imp >= imp.mean()
    hi_p = perf >= perf.mean()
    return [
        "fix first (high importance, low performance)" if i and not p else
        "keep up (high importance, high performance)" if i and p else
        "possible overkill (low importance, high performance)" if p else
        "low priority (low importance, low performance)"
        for i, p in zip(hi_i, hi_p, strict=True)
    ]


def ipma(result: PLSResult, data: PreparedSurvey | pd.DataFrame, *, target: str) -> IPMAResult:
    """Importance-performance map analysis (Ringle & Sarstedt 2016) for a target construct.

    Parameters
    ----------
    result : PLSResult
        A fitted (composite, Mode A) PLS model.
    data : PreparedSurvey or DataFrame
        The data it was fitted on.
    target : str
        The target construct (e.g. satisfaction).

    Returns
    -------
    IPMAResult
        Construct-level rows for every construct with a total effect on ``target`` and
        indicator-level rows for their items.

    Notes
    -----
    Items are rescaled to 0-100, :math:`x^* = 100 (x - \\min)/(\\max - \\min)`. Rescaled outer
    weights :math:`\\tilde w_i = (w_i / s_i) / \\sum_j (w_j / s_j)` give 0-100 construct scores
    :math:`Y^*_j = X^*_j \\tilde w_j`; performance is their mean. Importance is the unstandardised
    total effect, :math:`T_{j,target} \\cdot sd(Y^*_{target}) / sd(Y^*_j)`; an indicator's
    importance is :math:`\\tilde w_i` times its construct's. Quadrants split at the mean importance
    and performance (Martilla & James 1977). Ringle, C. M. & Sarstedt, M. (2016). Gain more
    insight from your PLS-SEM results: the importance-performance map analysis. *Industrial
    Management & Data Systems* 116(9), 1865-1886. Hand-written. Assumes positive outer weights
    (Mode A with coherently coded items); a negative weight raises.
    """
    frame = data.data if isinstance(data, PreparedSurvey) else data
    if target not in result.constructs:
        raise ValueError(f"target '{target}' is not in the PLS model; constructs are {result.constructs}")
    lo, hi = result.model.scale
    total = result.term("total_effect")
    total = total[total["to"] == target].set_index("from")["estimate"]
    if total.empty:
        raise ValueError(f"no construct has an effect on '{target}'; choose an endogenous target")
    rescaled = {}
    rows = []
    for c in [*result.constructs]:
        items = list(result.model.measurement[c])
        j = result.constructs.index(c)
        w = result.weights[[result.items.index(i) for i in items], j]
        if (w < 0).any():
            raise ValueError(
                f"IPMA needs positive outer weights; construct '{c}' has negative weights for "
                f"{[i for i, v in zip(items, w, strict=True) if v < 0]}; check reverse_items"
            )
        xs = 100 * (frame[items].to_numpy(float) - lo) / (hi - lo)
        wr = (w / xs.std(axis=0, ddof=1))
        wr = wr / wr.sum()
        rescaled[c] = (xs @ wr, wr, xs)
    sd_target = rescaled[target][0].std(ddof=1)
    for c, te in total.items():
        score, wr, xs = rescaled[c]
        imp = te * sd_target / score.std(ddof=1)
        rows.append(dict(level="construct", name=c, construct=c, importance=imp, performance=score.mean()))
        for i, item in enumerate(result.model.measurement[c]):
            rows.append(dict(level="indicator", name=item, construct=c, importance=wr[i] * imp,
                             performance=xs[:, i].mean()))
    tab = pd.DataFrame(rows)
    tab["quadrant"] = ""
    for level in ("construct", "indicator"):
        m = tab["level"] == level
        tab.loc[m, "quadrant"] = _quadrant(tab.loc[m, "importance"], tab.loc[m, "performance"])
    tab.insert(0, "target", target)
    return IPMAResult(target, tab)


def multigroup_paths(
    data: PreparedSurvey | pd.DataFrame,
    *,
    model: SurveyModel,
    group_column: str,
    groups: Sequence[str] | None = None,
    permutations: int = 1000,
    seed: int = 20130613,
    min_group_size: int = 30,
) -> pd.DataFrame:
    """Compare PLS path coefficients between two groups with a permutation test.

    Parameters
    ----------
    group_column : str
        Column holding the group (e.g. ``"channel_group"``: digital / branch).
    groups : two labels, optional
        Which groups to compare; default: the two largest.
    permutations : int
        Label permutations for the test.

    Returns
    -------
    DataFrame
        from, to, group_1, group_2, n_1, n_2, path_1, path_2, difference (1 - 2), p_value
        (two-sided permutation), significant_05.

    Notes
    -----
    Permutation test (Chin & Dibbern 2010): group labels are shuffled ``permutations`` times,
    the model is re-estimated in both pseudo-groups and
    :math:`p = (1 + \\#\\{|d^{perm}| \\ge |d|\\}) / (1 + P)`. Measurement invariance (MICOM,
    Henseler, Ringle & Sarstedt 2016) is a prerequisite for reading the differences as
    structural; check the loadings per group. Uses the PLS engine of :mod:`.pls`
    (path weighting, Mode A).
    """
    frame = data.data if isinstance(data, PreparedSurvey) else data
    require_columns(frame, [group_column], param="group_column")
    require_positive_int(permutations, param="permutations", minimum=19)
    sub = model.sub_model(model.structural_constructs)
    labels = frame[group_column]
    if groups is None:
        groups = list(labels.value_counts().index[:2])
    if len(groups) != 2:
        raise ValueError(f"groups must name exactly two groups; found {list(groups)}")
    keep = labels.isin(groups).to_numpy()
    x = frame.loc[keep, sub.items].to_numpy(float)
    g = (labels[keep] == groups[0]).to_numpy()
    n1, n2 = int(g.sum()), int((~g).sum())
    if min(n1, n2) < min_group_size:
        raise ValueError(
            f"group sizes {groups[0]}={n1}, {groups[1]}={n2}: each needs at least {min_group_size} respondents "
            "for a multi-group comparison; merge groups or collect more data"
        )
    lay = engine.make_layout(sub.items, sub.measurement, sub.constructs, sub.structural, consistent=False)
    pos = [(sub.constructs.index(a), sub.constructs.index(b)) for a, b in sub.structural]

    def paths_of(mask: np.ndarray) -> np.ndarray:
        f = engine.pls_core(engine.corr_of(x[mask]), lay)
        return np.array([f.paths[i, j] for i, j in pos])

    p1, p2 = paths_of(g), paths_of(~g)
    diff = p1 - p2
    rng = np.random.default_rng(seed)
    exceed = np.zeros(len(pos))
    done = 0
    for _ in range(permutations):
        gp = rng.permutation(g)
        try:
            d = paths_of(gp) - paths_of(~gp)
        except np.linalg.LinAlgError:
            continue
        exceed += np.abs(d) >= np.abs(diff) - 1e-12
        done += 1
    pval = (1 + exceed) / (1 + done)
    return pd.DataFrame(
        {
            "from": [a for a, _ in sub.structural],
            "to": [b for _, b in sub.structural],
            "group_1": str(groups[0]),
            "group_2": str(groups[1]),
            "n_1": n1,
            "n_2": n2,
            "path_1": p1,
            "path_2": p2,
            "difference": diff,
            "p_value": pval,
            "significant_05": pval < 0.05,
        }
    )
