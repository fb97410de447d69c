"""Sentences that state what notebook 03 found, rendered from this run's numbers (English / Chinese).

Every verdict follows a stated rule, so it stays true on any survey:

* global fit (Hu & Bentler 1999): CFI >= 0.95 good, >= 0.90 acceptable; RMSEA <= 0.06 good,
  <= 0.08 acceptable; SRMR <= 0.08 good, <= 0.10 acceptable; the model's verdict is its worst index;
  an improper CB-SEM solution is always said;
* reliability: Cronbach's alpha and composite reliability >= 0.70, AVE >= 0.50 (Fornell & Larcker
  1981; Hair et al. 2019);
* discriminant validity: the 95 % bootstrap upper bound of every HTMT below 0.85 (Henseler,
  Ringle & Sarstedt 2015);
* drivers and segments: "clearly ahead" only when the two 95 % CIs do not overlap.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from bankcrm_research.reporting.narrative import effect, fmt_ci, fmt_number

__all__ = [
    "fit_verdict", "fit_sentence", "reliability_sentence", "validity_sentence", "path_sentence",
    "driver_sentence", "index_sentence", "multigroup_sentence", "cis_overlap", "rule_sentence", "efa_sentence",
    "measurement_sentence", "truth_sentence", "display_frame",
]

_LEVEL = {"good": ("good", "良好"), "acceptable": ("acceptable", "可接受"), "poor": ("poor", "较差")}
_RULES = {"cfi": ((0.95, 0.90), True), "rmsea": ((0.06, 0.08), False), "srmr": ((0.08, 0.10), False)}


def _zh(lang: str) -> bool:
    return lang == "zh"


def _lab(label: Callable[[str, str], str] | None, key: str, lang: str) -> str:
    return label(key, lang) if label is not None else key


def cis_overlap(a_low: float, a_high: float, b_low: float, b_high: float) -> bool:
    """True when the intervals [a_low, a_high] and [b_low, b_high] share a point."""
    return not (a_low > b_high or b_low > a_high)


def fit_verdict(fit: dict) -> tuple[str, dict[str, str]]:
    """``(overall, {index: level})`` with levels good / acceptable / poor (rules in the module docstring)."""
    levels: dict[str, str] = {}
    for key, ((good, ok), higher) in _RULES.items():
        v = float(fit[key])
        if higher:
            levels[key] = "good" if v >= good else "acceptable" if v >= ok else "poor"
        else:
            levels[key] = "good" if v <= good else "acceptable" if v <= ok else "poor"
    order = ["good", "acceptable", "poor"]
    return max(levels.values(), key=order.index), levels


def fit_sentence(result, lang: str = "en") -> str:  # noqa: ANN001
    """One sentence on a CB-SEM result's global fit and whether the solution is proper."""
    overall, levels = fit_verdict(result.fit)
    f = result.fit
    zh = _zh(lang)
    parts = [f"{k.upper()} {f[k]:.3f}（{_LEVEL[levels[k]][1]}）" if zh else f"{k.upper()} {f[k]:.3f} ({levels[k]})"
             for k in ("cfi", "rmsea", "srmr")]
    kind = {"CFA": "验证性因子分析（CFA）", "SEM": "结构方程模型（CB-SEM）"}.get(result.kind, result.kind)
    if zh:
        out = f"{kind}的整体拟合{_LEVEL[overall][1]}：{'，'.join(parts)}（Hu & Bentler 1999 标准）。"
        if not result.proper:
            out += "该解不恰当（improper，见上方问题列表），其路径不宜解读。"
        return out
    out = f"The {result.kind} fit is {overall}: {', '.join(parts)} (Hu & Bentler 1999 cut-offs)."
    if not result.proper:
        out += " The solution is improper (see the problems listed above): do not interpret its paths."
    return out


def reliability_sentence(reliability: pd.DataFrame, lang: str = "en", label: Callable | None = None) -> str:
    """Which constructs fall below alpha / composite reliability 0.70 or AVE 0.50 (or that none does)."""
    r = reliability.set_index("construct")
    low_rel = [(c, row) for c, row in r.iterrows()
               if any(pd.notna(row.get(k)) and row.get(k) < 0.70 for k in ("alpha", "rho_c"))]
    low_ave = [(c, row["ave"]) for c, row in r.iterrows() if pd.notna(row.get("ave")) and row["ave"] < 0.50]
    zh = _zh(lang)
    alpha = r["alpha"].dropna()
    rng = f"{alpha.min():.2f}–{alpha.max():.2f}" if len(alpha) else "—"
    if not low_rel and not low_ave:
        if zh:
            return f"全部 {len(r)} 个潜变量信度与聚合效度达标（Cronbach α {rng}，组合信度 ≥ 0.70，AVE ≥ 0.50）。"
        return (f"All {len(r)} constructs are reliable and convergent (Cronbach's alpha {rng}, composite "
                f"reliability ≥ 0.70, AVE ≥ 0.50).")
    sep = "、" if zh else ", "
    out = []
    if low_rel:
        names = sep.join(f"{_lab(label, c, lang)} ({min(v for v in (row.get('alpha'), row.get('rho_c')) if pd.notna(v)):.3f})"
                         for c, row in low_rel)
        out.append(f"信度低于 0.70 的潜变量：{names}。" if zh else f"Reliability below 0.70 (alpha or rho_c): {names}.")
    if low_ave:
        names = sep.join(f"{_lab(label, c, lang)} ({v:.3f})" for c, v in low_ave)
        out.append(f"AVE 低于 0.50（聚合效度不足）：{names}。" if zh
                   else f"AVE below 0.50 (convergent validity not established): {names}.")
    return " ".join(out) if not zh else "".join(out)


def validity_sentence(htmt_ci: pd.DataFrame, lang: str = "en", label: Callable | None = None) -> str:
    """Discriminant validity from the HTMT bootstrap table (``htmt_table``)."""
    zh = _zh(lang)
    if htmt_ci.empty:
        return "只有一个潜变量，无需检验区分效度。" if zh else "One construct only: no discriminant validity to test."
    if "variant" in htmt_ci and (htmt_ci["variant"] == "classic").any():
        htmt_ci = htmt_ci[htmt_ci["variant"] == "classic"]  # the HTMT SmartPLS / seminr report
    bad = htmt_ci[htmt_ci["exceeds"]].sort_values("htmt", ascending=False)
    top = htmt_ci.sort_values("htmt", ascending=False).iloc[0]
    if bad.empty:
        if zh:
            return (f"所有潜变量对均具有区分效度：最大 HTMT 为 {top['htmt']:.2f}（95% 上限 {top['ci_high']:.2f} < 0.85，"
                    f"{_lab(label, top['construct_1'], lang)}–{_lab(label, top['construct_2'], lang)}）。")
        return (f"Discriminant validity holds for every pair: the largest HTMT is {top['htmt']:.2f} "
                f"({_lab(label, top['construct_1'], lang)}–{_lab(label, top['construct_2'], lang)}, 95 % upper "
                f"bound {top['ci_high']:.2f} < 0.85).")
    sep = "、" if zh else "; "
    pairs = sep.join(f"{_lab(label, r.construct_1, lang)}–{_lab(label, r.construct_2, lang)} "
                     f"(HTMT {r.htmt:.2f}, {'上限' if zh else 'upper'} {r.ci_high:.2f})" for r in bad.head(3).itertuples())
    if len(bad) > 3:
        pairs += f"{sep}{'另有' if zh else 'and'} {len(bad) - 3} {'对' if zh else 'more'}"
    if zh:
        return f"{len(bad)} 对潜变量的区分效度不成立（HTMT 95% 上限超过 0.85）：{pairs}；这些潜变量之间的路径不稳定。"
    return (f"Discriminant validity is not established for {len(bad)} pair(s) (HTMT 95 % upper bound above 0.85): "
            f"{pairs}; paths between them are unstable.")


def path_sentence(pls_estimates: pd.DataFrame, target: str, lang: str = "en", label: Callable | None = None) -> str:
    """The strongest PLS path into ``target`` with its bootstrap CI (direction from the CI)."""
    p = pls_estimates[(pls_estimates["term"] == "path") & (pls_estimates["to"] == target)]
    if p.empty:
        return ""
    r = p.loc[p["estimate"].abs().idxmax()]
    cause, outcome = _lab(label, r["from"], lang), _lab(label, target, lang)
    unit = "个标准差" if _zh(lang) else "SD"
    lead = (f"在指向{outcome}的 PLS 路径中，{cause}最强：" if _zh(lang)
            else f"Of the PLS paths into {outcome}, {cause} is the strongest: ")
    body = effect(cause, outcome, float(r["estimate"]), float(r["ci_low"]), float(r["ci_high"]), unit=unit,
                  per=unit, lang="zh" if _zh(lang) else "en", digits=2)
    return lead + (body if _zh(lang) else body[:1].lower() + body[1:])


def driver_sentence(key: pd.DataFrame, target: str, lang: str = "en", label: Callable | None = None) -> str:
    """Top key driver (relative-weight share of R² with CI) and whether it is clearly ahead of the second."""
    k = key.sort_values("rank")
    a = k.iloc[0]
    zh = _zh(lang)
    name_a, outcome = _lab(label, a["driver"], lang), _lab(label, target, lang)
    pct = (lambda v: fmt_number(100 * v, 1))
    ci_a = fmt_ci(100 * a["ci_low"], 100 * a["ci_high"], 1)
    r2 = float(a["r2"]) if "r2" in k and pd.notna(a.get("r2")) else math.nan
    if zh:
        out = (f"{outcome}的首要驱动因素是{name_a}：占解释方差（R² = {r2:.2f}）的 {pct(a['share'])}%"
               f"（95% 置信区间 {ci_a}%）")
    else:
        out = (f"The top driver of {outcome} is {name_a}, with {pct(a['share'])} % of the explained variance "
               f"(R² = {r2:.2f}; 95 % CI {ci_a} %)")
    if len(k) < 2:
        return out + ("。" if zh else ".")
    b = k.iloc[1]
    name_b, ci_b = _lab(label, b["driver"], lang), fmt_ci(100 * b["ci_low"], 100 * b["ci_high"], 1)
    overlap = cis_overlap(a["ci_low"], a["ci_high"], b["ci_low"], b["ci_high"])
    if zh:
        tail = ("，与第二位的" + f"{name_b}（{pct(b['share'])}%，{ci_b}%）置信区间重叠，两者排序并不明确。" if overlap
                else "，明显领先第二位的" + f"{name_b}（{pct(b['share'])}%，{ci_b}%；置信区间不重叠）。")
        return out + tail
    tail = (f"; its CI overlaps that of the runner-up {name_b} ({pct(b['share'])} %, {ci_b} %), so the order of "
            "the top two is not clear." if overlap else
            f", clearly ahead of the runner-up {name_b} ({pct(b['share'])} %, {ci_b} %; the CIs do not overlap).")
    return out + tail


def index_sentence(index: pd.DataFrame, construct: str, lang: str = "en", label: Callable | None = None) -> str:
    """The 0–100 index with its CI and, with segments, the highest against the lowest."""
    zh = _zh(lang)
    overall = index.iloc[0]
    name = _lab(label, construct, lang)
    ci = fmt_ci(overall["ci_low"], overall["ci_high"], 1)
    out = (f"{name}指数为 {overall['index']:.1f}/100（95% 置信区间 {ci}，n = {int(overall['n'])}）" if zh
           else f"The {name} index is {overall['index']:.1f} of 100 (95 % CI {ci}, n = {int(overall['n'])})")
    seg = index.iloc[1:]
    if len(seg) < 2:
        return out + ("。" if zh else ".")
    hi, lo = seg.loc[seg["index"].idxmax()], seg.loc[seg["index"].idxmin()]
    hi_name, lo_name = _lab(label, str(hi["segment"]), lang), _lab(label, str(lo["segment"]), lang)
    overlap = cis_overlap(hi["ci_low"], hi["ci_high"], lo["ci_low"], lo["ci_high"])
    if zh:
        rel = "，但置信区间重叠，差异不明确。" if overlap else "，置信区间不重叠。"
        return out + f"；{hi_name}（{hi['index']:.1f}）高于{lo_name}（{lo['index']:.1f}）" + rel
    rel = ", but the CIs overlap: no clear difference." if overlap else "; the CIs do not overlap."
    return out + f"; {hi_name} ({hi['index']:.1f}) is above {lo_name} ({lo['index']:.1f})" + rel


def multigroup_sentence(mga: pd.DataFrame, lang: str = "en", label: Callable | None = None) -> str:
    """How many structural paths differ between the two groups (permutation test, 5 % level)."""
    zh = _zh(lang)
    sig = mga[mga["significant_05"].astype(bool)]
    g1, g2 = _lab(label, str(mga["group_1"].iloc[0]), lang), _lab(label, str(mga["group_2"].iloc[0]), lang)
    sep = "、" if zh else ", "
    listed = sep.join(f"{_lab(label, r['from'], lang)} → {_lab(label, r['to'], lang)} "
                      f"({r['path_1']:.2f} vs {r['path_2']:.2f}, p = {r['p_value']:.3f})" for _, r in sig.iterrows())
    if zh:
        head = f"{len(mga)} 条路径中有 {len(sig)} 条在{g1}与{g2}之间存在显著差异（置换检验，5% 水平）"
        return head + (f"：{listed}。" if len(sig) else "。")
    head = (f"{len(sig)} of {len(mga)} paths differ between {g1} and {g2} at the 5 % level "
            "(permutation test, Chin & Dibbern 2010)")
    return head + (f": {listed}." if len(sig) else ".")


def rule_sentence(prep, lang: str = "en") -> str:  # noqa: ANN001
    """The missing-data rule and what it did (from a :class:`PreparedSurvey`)."""
    n_in, n_drop = prep.n_input, prep.n_dropped
    if not _zh(lang):
        return prep.rule[:1].upper() + prep.rule[1:] + "."
    if prep.rule.startswith("listwise"):
        return f"列表删除：剔除任一题项缺失的受访者（{n_in} 人中剔除 {n_drop} 人，分析 {n_in - n_drop} 人）。"
    cells = int(prep.missing["n_missing"].sum())
    return f"均值替换：{cells} 个缺失作答以题项均值替换，未剔除受访者（分析 {n_in} 人）。"


def efa_sentence(kmo: float, n_factors: int, n_constructs: int, lang: str = "en") -> str:
    """KMO verdict (Kaiser 1974: >= 0.80 meritorious, >= 0.60 adequate) and parallel analysis vs the model."""
    level = "meritorious" if kmo >= 0.8 else "adequate" if kmo >= 0.6 else "inadequate"
    if _zh(lang):
        lv = {"meritorious": "良好", "adequate": "尚可", "inadequate": "不足"}[level]
        cmp_ = "与模型一致" if n_factors == n_constructs else ("少于模型设定，部分潜变量可能难以区分" if n_factors < n_constructs
                                                          else "多于模型设定")
        return (f"KMO = {kmo:.3f}（抽样适切性{lv}）；平行分析建议保留 {n_factors} 个公因子，模型设定 {n_constructs} 个潜变量，"
                f"{cmp_}。")
    cmp_ = ("matching the model" if n_factors == n_constructs else
            "fewer than the model's constructs: some constructs may be hard to tell apart" if n_factors < n_constructs
            else "more than the model's constructs")
    return (f"KMO = {kmo:.3f} (sampling adequacy {level}); parallel analysis retains {n_factors} common factors "
            f"for the model's {n_constructs} constructs, {cmp_}.")


def measurement_sentence(reliability: pd.DataFrame, htmt_ci: pd.DataFrame, lang: str = "en",
                         label: Callable | None = None) -> str:
    """Reliability and discriminant validity in one sentence pair (for the findings)."""
    return reliability_sentence(reliability, lang, label) + ("" if _zh(lang) else " ") + \
        validity_sentence(htmt_ci, lang, label)


def truth_sentence(tve: pd.DataFrame, lang: str = "en") -> str:
    """How many planted values lie inside their 95 % CI (simulated data only)."""
    k, n = int(tve["covered"].sum()), len(tve)
    if _zh(lang):
        return f"{n} 个设定真实值中有 {k} 个落在估计值的 95% 置信区间内（正确的区间约每 20 个漏掉 1 个）。"
    return f"{k} of {n} planted values lie inside their estimate's 95 % CI (a correct interval misses about one in twenty)."


_NAME_COLUMNS = ("construct", "construct_1", "construct_2", "from", "to", "driver", "segment", "term", "name",
                 "attribute", "target", "group_1", "group_2")
_QUADRANTS = {"fix first": "quadrant_fix_first", "keep up": "quadrant_keep_up",
              "possible overkill": "quadrant_overkill", "low priority": "quadrant_low_priority"}


def display_frame(frame: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """A copy of a result table for reading in ``lang``: headers, construct / driver / segment names and
    IPMA quadrants through the label files; row names (a non-default index) become the first column (the
    saved CSV keeps canonical names)."""
    from bankcrm_research.reporting.labels import label, label_map

    out = frame.copy()
    for col in _NAME_COLUMNS:
        if col in out.columns:
            out[col] = [label(str(v), lang) if isinstance(v, str) else v for v in out[col]]
    if "quadrant" in out.columns:
        out["quadrant"] = [label(next((k for p, k in _QUADRANTS.items() if str(v).startswith(p)), str(v)), lang)
                           for v in out["quadrant"]]
    if "verdict" in out.columns and lang == "zh":  # MICOMResult.summary()
        out["verdict"] = [_micom_verdict_zh(v, label) for v in out["verdict"]]
    if not isinstance(out.index, pd.RangeIndex) and not pd.api.types.is_numeric_dtype(out.index):
        # row names (EFA items, constructs) become the first column: show_table drops an unnamed index;
        # a numeric index left by filtering carries no names and stays dropped
        name = str(frame.index.name) if frame.index.name is not None else "item"
        out.index = [label(str(v), lang) for v in out.index]
        out = out.rename_axis(name).reset_index()
    out = out.rename_axis(None)
    return out.rename(columns=label_map([str(c) for c in out.columns], lang))


def _micom_verdict_zh(verdict: object, label: Callable[..., str]) -> object:
    """A MICOM verdict (``MICOMResult.summary``) in Chinese; other values unchanged."""
    v = str(verdict)
    if v.startswith("full:"):
        return "完全测量不变：可比较路径，也可合并数据"
    if v.startswith("partial:"):
        return "部分测量不变：可比较路径（多群组分析），不宜合并数据"
    if v.startswith("none for ") and ":" in v:
        names = "、".join(label(n.strip(), "zh") for n in v[len("none for "):v.index(":")].split(","))
        return f"{names} 不具备组成不变性：只比较其他潜变量之间的路径"
    return verdict
