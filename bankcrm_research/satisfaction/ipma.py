"""Importance-performance map analysis (IPMA) at construct, indicator and service-attribute level.

Importance is the unstandardised total effect of a construct (or indicator, or service attribute)
on the target construct; performance its 0-100 mean. Bootstrap CIs reuse the PLS resamples.
Ringle, C. M. & Sarstedt, M. (2016), *Industrial Management & Data Systems* 116(9), 1865-1886.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bankcrm_research.common.results import ResultMixin
from bankcrm_research.data.validate import require_choice, require_columns
from bankcrm_research.satisfaction.label_layout import place_labels
from bankcrm_research.satisfaction.pls import PLSResult
from bankcrm_research.satisfaction.spec import PreparedSurvey

__all__ = ["IPMA_CI_COLUMNS", "IPMAResult", "ipma"]

IPMA_CI_COLUMNS = ["importance_ci_low", "importance_ci_high", "performance_ci_low", "performance_ci_high"]


@dataclass(frozen=True)
class IPMAResult(ResultMixin):
    """Importance-performance map of a target construct.

    ``table`` columns: target, level (construct / indicator), name, construct, importance
    (unstandardised total effect on the target per point of 0-100 performance), performance
    (0-100 mean), quadrant, then percentile bootstrap CIs importance_ci_low, importance_ci_high,
    performance_ci_low, performance_ci_high (NaN without bootstrap resamples).
    ``attributes`` (when service attributes were given): target, attribute, items, constructs,
    importance (sum of the items' importances), performance (mean of the items' 0-100 means),
    quadrant, the same four CI columns, and rank (1 = most important).
    """

    target: str
    table: pd.DataFrame
    attributes: pd.DataFrame | None = None
    bootstrap_reps: int = 0
    alpha: float = 0.05

    def tidy(self, level: str | None = None) -> pd.DataFrame:
        """The IPMA table (copy); ``level="attribute"`` gives the attribute-level table."""
        if level == "attribute":
            if self.attributes is None:
                raise ValueError("no attribute-level IPMA: call ipma(..., attributes={name: [items]})")
            return self.attributes.copy()
        if level is None:
            return self.table.copy()
        require_choice(level, ["construct", "indicator", "attribute"], param="level")
        return self.table[self.table["level"] == level].reset_index(drop=True)

    def summary(self, level: str = "construct") -> pd.DataFrame:
        """Constructs (``level="attribute"``: service attributes) ranked by importance, with each
        quadrant's action."""
        if level == "attribute":
            t = self.tidy("attribute").sort_values("importance", ascending=False)
            cols = ["attribute", "importance", "importance_ci_low", "importance_ci_high", "performance",
                    "performance_ci_low", "performance_ci_high", "quadrant"]
            return t[cols].round(3).reset_index(drop=True)
        t = self.table[self.table["level"] == "construct"].sort_values("importance", ascending=False)
        return t[["name", "importance", "performance", "quadrant"]].round(3).reset_index(drop=True)

    def interpret(self, lang: str | None = None) -> str:
        """One sentence for the manager: the attribute (or construct) to fix first, with its CI."""
        from bankcrm_research.reporting.labels import current_lang, label

        t = self.attributes if self.attributes is not None else self.table[self.table["level"] == "construct"]
        key = "attribute" if self.attributes is not None else "name"
        t = t.sort_values("importance", ascending=False)
        fix = t[t["quadrant"].str.startswith("fix first")]
        top = t.iloc[0]
        ci = [f"{v:.3f}" if np.isfinite(v) else "n/a" for v in (top.importance_ci_low, top.importance_ci_high)]
        out = label("ipma_top", lang).format(target=label(self.target, lang), name=label(top[key], lang),
                                             imp=f"{top.importance:.3f}", lo=ci[0], hi=ci[1],
                                             perf=f"{top.performance:.1f}")
        zh = (lang or current_lang()) == "zh"
        gap = "" if zh else " "
        if fix.empty:
            return out + gap + label("ipma_fix_none", lang)
        sep = "、" if zh else ", "
        return out + gap + label("ipma_fix", lang).format(names=sep.join(label(v, lang) for v in fix[key]))

    def plot(self, ax=None, *, level: str = "construct", lang: str | None = None):  # noqa: ANN001, ANN201
        """The importance-performance quadrant plot a bank manager reads.

        ``level`` is "construct", "indicator" or "attribute" (the service attributes, with
        bootstrap CI whiskers). ``lang`` ("en"/"zh") translates the quadrant annotations and the
        construct/attribute names through :func:`bankcrm_research.reporting.label`; ``None``
        follows ``setup_notebook(lang=...)``.
        """
        import matplotlib.pyplot as plt

        from bankcrm_research.reporting.labels import label

        if level == "attribute":
            t = self.tidy("attribute").rename(columns={"attribute": "name"})
        else:
            t = self.table[self.table["level"] == level]
        if ax is None:
            _, ax = plt.subplots(figsize=(6.5, 5))
        has_ci = t["importance_ci_low"].notna().all() if "importance_ci_low" in t else False
        if has_ci and level != "indicator":
            ax.errorbar(t["importance"], t["performance"],
                        xerr=[t["importance"] - t["importance_ci_low"], t["importance_ci_high"] - t["importance"]],
                        yerr=[t["performance"] - t["performance_ci_low"], t["performance_ci_high"] - t["performance"]],
                        fmt="o", ms=7, ecolor="grey", elinewidth=1, capsize=3)
        else:
            ax.scatter(t["importance"], t["performance"], s=40)
        ax.axvline(t["importance"].mean(), color="grey", ls="--", lw=0.8)
        ax.axhline(t["performance"].mean(), color="grey", ls="--", lw=0.8)
        ax.set_xlabel(f"{label('importance', lang)} → {label(self.target, lang)}")
        ax.set_ylabel(label("performance", lang))
        ax.text(0.98, 0.02, label("ipma_fix_first", lang), transform=ax.transAxes, ha="right", va="bottom",
                color="firebrick")
        ax.text(0.98, 0.98, label("ipma_keep_up", lang), transform=ax.transAxes, ha="right", va="top",
                color="seagreen")
        if has_ci and level != "indicator":
            level_pct = int(round((1 - self.alpha) * 100))
            note = label("ipma_ci_note", lang).format(level=level_pct, reps=self.bootstrap_reps)
            ax.text(0.02, 0.02, note, transform=ax.transAxes, ha="left", va="bottom", fontsize=7, color="grey")
        # Labels last, placed so that no two overlap (issue 12: the item-level map had stacked labels).
        ax.margins(0.12)
        names = [r.name if level == "indicator" else label(r.name, lang) for r in t.itertuples()]
        place_labels(ax, list(t["importance"]), list(t["performance"]), names,
                     fontsize=9 if level == "attribute" else 8)
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


def _ipma_once(
    x: np.ndarray, weights: np.ndarray, te: np.ndarray, *, result: PLSResult, sources: list[str], target: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Construct and indicator importance/performance from items ``x`` (result.items order),
    outer weights (items x constructs) and the total effects of ``sources`` on the target."""
    lo, hi = result.model.scale
    xs = 100 * (x - lo) / (hi - lo)
    sd = xs.std(axis=0, ddof=1)
    pos = {it: i for i, it in enumerate(result.items)}
    score, wr = {}, {}
    for c in dict.fromkeys([*sources, target]):
        idx = [pos[i] for i in result.model.measurement[c]]
        v = weights[idx, result.constructs.index(c)] / sd[idx]
        wr[c] = v / v.sum()
        score[c] = xs[:, idx] @ wr[c]
    sd_target = score[target].std(ddof=1)
    c_imp = np.array([t * sd_target / score[c].std(ddof=1) for c, t in zip(sources, te, strict=True)])
    c_perf = np.array([score[c].mean() for c in sources])
    i_imp = np.concatenate([wr[c] * ci for c, ci in zip(sources, c_imp, strict=True)])
    i_perf = np.concatenate([xs[:, [pos[i] for i in result.model.measurement[c]]].mean(axis=0) for c in sources])
    return c_imp, c_perf, i_imp, i_perf


def ipma(
    result: PLSResult,
    data: PreparedSurvey | pd.DataFrame,
    *,
    target: str,
    attributes: Mapping[str, Sequence[str]] | None = None,
) -> IPMAResult:
    """Importance-performance map analysis (Ringle & Sarstedt 2016) for a target construct,
    with bootstrap CIs and an optional service-attribute level.

    Parameters
    ----------
    result : PLSResult
        A fitted (composite, Mode A) PLS model; its bootstrap resamples (``bootstrap_reps``,
        ``seed``) give the percentile CIs.
    data : PreparedSurvey or DataFrame
        The data it was fitted on (same rows, same order).
    target : str
        The target construct (e.g. satisfaction).
    attributes : mapping, optional
        ``{attribute: [items]}``, e.g. ``{"speed": ["PERQ1", "PERQ2"], "rm": ["PERQ7", "PERQ8"]}``;
        every item must be an indicator of a construct with a total effect on ``target``.

    Returns
    -------
    IPMAResult
        Construct-level rows for every construct with a total effect on ``target`` and
        indicator-level rows for their items (``table``); attribute rows (``attributes``).

    Notes
    -----
    Items are rescaled to 0-100, :math:`x^* = 100 (x - \\min)/(\\max - \\min)`. Rescaled outer
    weights :math:`\\tilde w_i = (w_i / s_i) / \\sum_j (w_j / s_j)` give 0-100 construct scores
    :math:`Y^*_j = X^*_j \\tilde w_j`; performance is their mean. Importance is the unstandardised
    total effect, :math:`T_{j,target} \\cdot sd(Y^*_{target}) / sd(Y^*_j)`; an indicator's
    importance is :math:`\\tilde w_i` times its construct's (Ringle & Sarstedt 2016, indicator-level
    IPMA): the gain in target performance when item :math:`i` gains one point.

    A service attribute :math:`a` with items :math:`I_a` aggregates the indicator level:
    :math:`\\mathrm{importance}_a = \\sum_{i \\in I_a} \\tilde w_i\\, T^*_{c(i)}` (the target's
    gain when every item of the attribute gains one point, i.e. when the attribute's 0-100
    performance gains one point) and :math:`\\mathrm{performance}_a = |I_a|^{-1} \\sum_{i \\in I_a}
    \\bar x^*_i` (the mean of the attribute's rescaled items).

    CIs: for each PLS bootstrap resample (the stored outer weights and total effects of
    ``result``, rows re-drawn from ``result.seed``; no PLS refit) the whole map is recomputed on
    the resampled rows; percentile intervals at ``result.alpha``. Failed resamples are skipped.
    Quadrants split at the mean importance and performance of the level (Martilla & James 1977).
    Ringle, C. M. & Sarstedt, M. (2016). Gain more insight from your PLS-SEM results: the
    importance-performance map analysis. *Industrial Management & Data Systems* 116(9),
    1865-1886. Hand-written (no Python library has an IPMA); the point estimates match R
    ``cSEM::doIPMA`` to 1e-7 on the PLS-SEM primer's corporate reputation data
    (``tests/satisfaction/test_ipma_reference.py``). Assumes positive outer weights (Mode A with
    coherently coded items); a negative point-estimate weight raises.
    """
    frame = data.data if isinstance(data, PreparedSurvey) else data
    if target not in result.constructs:
        raise ValueError(f"target '{target}' is not in the PLS model; constructs are {result.constructs}")
    total = result.term("total_effect")
    total = total[total["to"] == target].set_index("from")["estimate"]
    if total.empty:
        raise ValueError(f"no construct has an effect on '{target}'; choose an endogenous target")
    for c in result.constructs:
        items = list(result.model.measurement[c])
        w = result.weights[[result.items.index(i) for i in items], result.constructs.index(c)]
        if (w < 0).any():
            raise ValueError(
                f"IPMA needs positive outer weights; construct '{c}' has negative weights for "
                f"{[i for i, v in zip(items, w, strict=True) if v < 0]}; check reverse_items"
            )
    require_columns(frame, result.items, param="data")
    x = frame[result.items].to_numpy(float)
    sources = list(total.index)
    c_imp, c_perf, i_imp, i_perf = _ipma_once(x, result.weights, total.to_numpy(float), result=result,
                                              sources=sources, target=target)
    ind_names = [i for c in sources for i in result.model.measurement[c]]
    ind_cons = [c for c in sources for _ in result.model.measurement[c]]
    groups = {k: list(v) for k, v in attributes.items()} if attributes else {}
    unknown = sorted({i for v in groups.values() for i in v} - set(ind_names))
    if unknown:
        raise ValueError(
            f"attributes: items {unknown} are not indicators of a construct with an effect on '{target}' "
            f"(allowed: {ind_names}); fix the attribute mapping"
        )
    agg = [np.array([ind_names.index(i) for i in v], dtype=np.intp) for v in groups.values()]
    a_imp = np.array([i_imp[ix].sum() for ix in agg])
    a_perf = np.array([i_perf[ix].mean() for ix in agg])

    # bootstrap: recompute the map on each resample with its stored weights and total effects
    reps = result.bootstrap_reps if result.boot_total.shape[0] == result.bootstrap_reps else 0
    if reps and len(x) != result.n:
        raise ValueError(f"data has {len(x)} rows but the PLS model was fitted on {result.n}; pass the same data")
    src_j = [result.constructs.index(c) for c in sources]
    tgt_j = result.constructs.index(target)
    draws = np.full((reps, 2 * (len(sources) + len(ind_names) + len(groups))), np.nan)
    for b, idx in enumerate(result.resample_indices() if reps else []):
        wb, tb = result.boot_weights[b], result.boot_total[b]
        if not (np.isfinite(wb).all() and np.isfinite(tb).all()):
            continue  # a failed (degenerate) resample, dropped as in the PLS bootstrap
        ci_, cp_, ii_, ip_ = _ipma_once(x[idx], wb, tb[src_j, tgt_j], result=result, sources=sources, target=target)
        draws[b] = np.concatenate([ci_, ii_, [ii_[ix].sum() for ix in agg], cp_, ip_, [ip_[ix].mean() for ix in agg]])
    ok = np.isfinite(draws).all(axis=1)
    q = [result.alpha / 2, 1 - result.alpha / 2]
    ci = np.quantile(draws[ok], q, axis=0) if ok.any() else np.full((2, draws.shape[1]), np.nan)
    half = draws.shape[1] // 2
    imp_ci, perf_ci = ci[:, :half], ci[:, half:]

    k, m = len(sources), len(ind_names)
    tab = pd.DataFrame({
        "level": ["construct"] * k + ["indicator"] * m,
        "name": sources + ind_names,
        "construct": sources + ind_cons,
        "importance": np.concatenate([c_imp, i_imp]),
        "performance": np.concatenate([c_perf, i_perf]),
    })
    # construct rows first, each followed by its indicators (the layout of the original table)
    order = np.concatenate([[j] + list(k + np.flatnonzero(np.array(ind_cons) == c)) for j, c in enumerate(sources)])
    tab["quadrant"] = ""
    for level in ("construct", "indicator"):
        mask = tab["level"] == level
        tab.loc[mask, "quadrant"] = _quadrant(tab.loc[mask, "importance"], tab.loc[mask, "performance"])
    tab["importance_ci_low"], tab["importance_ci_high"] = imp_ci[0, : k + m], imp_ci[1, : k + m]
    tab["performance_ci_low"], tab["performance_ci_high"] = perf_ci[0, : k + m], perf_ci[1, : k + m]
    tab = tab.iloc[order].reset_index(drop=True)
    tab.insert(0, "target", target)
    attr = None
    if groups:
        attr = pd.DataFrame({
            "target": target,
            "attribute": list(groups),
            "items": ["+".join(v) for v in groups.values()],
            "constructs": ["+".join(dict.fromkeys(ind_cons[ind_names.index(i)] for i in v)) for v in groups.values()],
            "importance": a_imp,
            "performance": a_perf,
        })
        attr["quadrant"] = _quadrant(attr["importance"], attr["performance"])
        attr["importance_ci_low"], attr["importance_ci_high"] = imp_ci[0, k + m:], imp_ci[1, k + m:]
        attr["performance_ci_low"], attr["performance_ci_high"] = perf_ci[0, k + m:], perf_ci[1, k + m:]
        attr["rank"] = attr["importance"].rank(ascending=False, method="min").astype(int)
    return IPMAResult(target, tab, attr, bootstrap_reps=int(ok.sum()), alpha=result.alpha)
