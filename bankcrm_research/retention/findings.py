"""Notebook 04's finding sentences, rendered from this run's results in English or Chinese.

Every sentence states a number with its unit (and 95 % CI where there is one) and says the direction in
words only when the test supports it: a hazard ratio "raises" the churn hazard only when its CI lies
above 1, the follow-up call "lowers" churn only when the CI of the risk difference lies below 0, the
out-of-time AUC "drops" only when it is below the CV AUC. Built on :mod:`bankcrm_research.reporting.narrative`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from bankcrm_research.reporting.labels import label
from bankcrm_research.reporting.narrative import effect, fmt_ci, fmt_number

__all__ = [
    "validation_sentences",
    "driver_sentence",
    "hazard_sentence",
    "followup_sentence",
    "targeting_sentence",
    "scheme_label",
    "display_frame",
]


def scheme_label(scheme: str, lang: str = "en") -> str:
    """``out_of_time`` / ``cv5`` in words, for a sentence."""
    if scheme == "out_of_time":
        return "跨时间验证（后期样本）" if lang == "zh" else "out-of-time validation (later dates)"
    k = scheme.removeprefix("cv")
    return f"分层{k}折交叉验证" if lang == "zh" else f"stratified {k}-fold CV"


def validation_sentences(metrics: pd.DataFrame, headline: str, *, target: str = "churn",
                         lang: str = "en") -> list[str]:
    """The headline AUC and top-decile lift of the better model, and CV against out-of-time when both ran."""
    head = metrics[metrics["validation"] == headline].set_index("model")
    best = str(head["auc"].idxmax())
    other = [m for m in head.index if m != best]
    row = head.loc[best]
    scheme = scheme_label(headline, lang)
    out = []
    if lang == "zh":
        s = (f"{scheme}下，{label(best, lang)}的AUC为 {fmt_number(row['auc'], 3)}"
             + (f"（{label(other[0], lang)} {fmt_number(head.loc[other[0], 'auc'], 3)}）" if other else "")
             + f"，得分最高的10%客户中“{label(target, lang)}”的比例是基准比率（{fmt_number(100 * row['base_rate'], 1)}%）的 "
               f"{fmt_number(row['top_decile_lift'], 2)} 倍（随机 = 1）。")
    else:
        s = (f"Under {scheme}, the {label(best, lang).lower()} model reaches AUC {fmt_number(row['auc'], 3)}"
             + (f" ({label(other[0], lang).lower()} {fmt_number(head.loc[other[0], 'auc'], 3)})" if other else "")
             + f"; the top 10 % by score have '{label(target, lang)}' at {fmt_number(row['top_decile_lift'], 2)} "
               f"times the base rate "
               f"of {fmt_number(100 * row['base_rate'], 1)} % (random = 1).")
    out.append(s)
    cv = metrics[(metrics["validation"] != headline) & metrics["validation"].str.startswith("cv")]
    if headline == "out_of_time" and len(cv):
        cvb = cv.set_index("model").loc[best]
        gap = float(cvb["auc"] - row["auc"])
        cv_name = scheme_label(str(cvb["validation"]), lang)
        if lang == "zh":
            s = (f"{cv_name}给出的AUC为 {fmt_number(cvb['auc'], 3)}，比跨时间验证"
                 + (f"高 {fmt_number(gap, 3)}：随机打乱的样本高估了模型在后期日期上的表现。" if gap > 0.005 else
                    f"低 {fmt_number(-gap, 3)}：后期日期上的表现并不比随机打乱的样本差。" if gap < -0.005 else
                    "几乎相同：数据在时间上没有明显漂移。"))
        else:
            s = (f"{cv_name[:1].upper() + cv_name[1:]} gives AUC {fmt_number(cvb['auc'], 3)}, "
                 + (f"{fmt_number(gap, 3)} higher than out-of-time validation: shuffled rows overstate how well "
                    f"the model works on later dates." if gap > 0.005 else
                    f"{fmt_number(-gap, 3)} lower than out-of-time validation: later dates are not harder to "
                    f"predict here." if gap < -0.005 else
                    "about the same as out-of-time validation: no sign of drift over time."))
        out.append(s)
    return out


def driver_sentence(importance: pd.DataFrame, pdp: pd.DataFrame | None, *, lang: str = "en") -> str:
    """The top permutation-importance driver and how far predicted churn moves across its range."""
    top = importance.iloc[0]
    feat, drop = str(top["feature"]), float(top["importance_mean"])
    name = label(feat, lang)
    move = ""
    if pdp is not None and len(pdp) and feat in set(pdp["feature"]):
        g = pdp[pdp["feature"] == feat]
        lo, hi = float(g["partial_dependence"].iloc[0]), float(g["partial_dependence"].iloc[-1])
        rng = float(g["partial_dependence"].max() - g["partial_dependence"].min())
        move = (f"，在其取值范围内，预测流失概率从 {fmt_number(100 * lo, 1)}% 变为 {fmt_number(100 * hi, 1)}%"
                f"（波动幅度 {fmt_number(100 * rng, 1)} 个百分点）" if lang == "zh" else
                f"; across its range the predicted churn probability goes from {fmt_number(100 * lo, 1)} % to "
                f"{fmt_number(100 * hi, 1)} % (spread {fmt_number(100 * rng, 1)} percentage points)")
    if lang == "zh":
        return f"最重要的流失驱动因素是{name}：打乱该列后留出样本的AUC下降 {fmt_number(drop, 3)}{move}。"
    return f"The strongest churn driver is {name}: shuffling it lowers the held-out AUC by {fmt_number(drop, 3)}{move}."


def hazard_sentence(term: str, row: Mapping[str, Any], *, what: str | None = None, lang: str = "en") -> str:
    """One hazard ratio with its 95 % CI; 'raises'/'lowers' only when the CI excludes 1.

    Without ``what`` the term is a covariate and the ratio is per unit (or versus the reference level).
    """
    hr, lo, hi = float(row["hazard_ratio"]), float(row["hr_ci_low"]), float(row["hr_ci_high"])
    if what is None:
        var, _, level = term.partition("[")
        level = level.rstrip("]")
        if level:
            what = (f"{label(var, lang)}为{label(level, lang)}（相对参照组）" if lang == "zh" else
                    f"{label(var, lang)} = {label(level, lang)} (against the reference level)")
        else:
            what = f"{label(term, lang)}每增加一个单位" if lang == "zh" else f"one unit more of {label(term, lang)}"
    name = what
    ci = fmt_ci(lo, hi, 2)
    if lang == "zh":
        if lo > 1:
            return f"{name}使流失风险提高到 {fmt_number(hr, 2)} 倍（风险比，95% 置信区间 {ci}）。"
        if hi < 1:
            return f"{name}使流失风险降低为 {fmt_number(hr, 2)} 倍（风险比，95% 置信区间 {ci}）。"
        return f"{name}对流失风险没有明确影响：风险比 {fmt_number(hr, 2)}（95% 置信区间 {ci}，包含 1）。"
    if lo > 1:
        return f"{name[:1].upper() + name[1:]} raises the churn hazard {fmt_number(hr, 2)}-fold (95 % CI {ci})."
    if hi < 1:
        return (f"{name[:1].upper() + name[1:]} lowers the churn hazard to {fmt_number(hr, 2)} times "
                f"(95 % CI {ci}).")
    return (f"{name[:1].upper() + name[1:]} has no clear effect on the churn hazard: HR {fmt_number(hr, 2)} "
            f"(95 % CI {ci} includes 1).")


def followup_sentence(estimates: pd.DataFrame, *, treatment: str, outcome: str, lang: str = "en") -> str:
    """The doubly robust (AIPW) effect of the contact on churn in percentage points, beside the naive gap."""
    e = estimates.query("segment == 'all'").set_index("method")
    a = e.loc["aipw"]
    out_name = label(outcome, lang)
    out_name = out_name if lang == "zh" else out_name[:1].lower() + out_name[1:]
    s = effect(label(treatment, lang), out_name, 100 * float(a["estimate"]), 100 * float(a["ci_low"]),
               100 * float(a["ci_high"]), unit="个百分点" if lang == "zh" else "percentage points",
               lang=lang, digits=1)  # type: ignore[arg-type]
    if "naive" in e.index:
        naive = 100 * float(e.loc["naive", "estimate"])
        s += (f" 未调整混杂的简单差值为 {fmt_number(naive, 1)} 个百分点。" if lang == "zh" else
              f" The naive difference, not adjusted for whom was contacted, is {fmt_number(naive, 1)} percentage "
              f"points.")
    return s


_RANKED = {
    "en": {"uplift": "ranked by uplift", "churn_risk": "ranked by churn risk", "random": "chosen at random"},
    "zh": {"uplift": "按增量效应排序", "churn_risk": "按流失风险排序", "random": "随机选取"},
}


def targeting_sentence(summary: pd.DataFrame, recommended: Mapping[str, Any], *, n_customers: int,
                       profit_model: str, lang: str = "en") -> str:
    """The recommended strategy and depth, beside the best depth of churn-risk targeting and random calls."""
    best = summary.set_index("strategy")
    basis = {("measured", "en"): "measured effect of past contacts", ("assumed", "en"): "assumed acceptance rate",
             ("measured", "zh"): "以往回访的实测效果", ("assumed", "zh"): "假定的接受率"}[(profit_model, lang)]
    others = [s for s in best.index if s != recommended.get("strategy")]
    if lang == "zh":
        if not recommended.get("strategy"):
            return f"在当前成本下（{basis}），任何策略和覆盖比例都不能带来正利润：不建议开展挽留活动。"
        rest = "；".join(f"{_RANKED['zh'].get(s, s)}最多 {fmt_number(best.loc[s, 'max_expected_profit'], 0)} 元"
                        f"（前 {fmt_number(100 * best.loc[s, 'best_fraction'], 0)}%）" for s in others)
        return (f"同一利润模型（{basis}）下，最优方案是{_RANKED['zh'][recommended['strategy']]}后联系前 "
                f"{fmt_number(100 * recommended['fraction'], 0)}% 的客户（{n_customers} 人中的 "
                f"{recommended['n_targeted']} 人），预期利润 {fmt_number(recommended['expected_profit'], 0)} 元"
                + (f"；{rest}。" if rest else "。"))
    if not recommended.get("strategy"):
        return (f"Under one profit model ({basis}), no strategy and depth makes a profit at these costs: no "
                f"retention campaign is recommended.")
    rest = "; ".join(f"{_RANKED['en'].get(s, s)}, at most {fmt_number(best.loc[s, 'max_expected_profit'], 0)} CNY "
                     f"(top {fmt_number(100 * best.loc[s, 'best_fraction'], 0)} %)" for s in others)
    return (f"Under one profit model ({basis}), the best plan is to call the top "
            f"{fmt_number(100 * recommended['fraction'], 0)} % {_RANKED['en'][recommended['strategy']]} "
            f"({recommended['n_targeted']} of {n_customers} customers) for an expected profit of {fmt_number(recommended['expected_profit'], 0)} CNY"
            + (f"; {rest}." if rest else "."))


_VALUE_COLUMNS = ("model", "validation", "strategy", "method", "profit_model", "segment", "ci_method")


def display_frame(df: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """A copy for display: column headers and the values of ``model``/``validation``/``strategy``/``method``
    columns in the notebook's language (labels files); the saved CSVs keep the machine names."""
    out = df.copy()
    for c in _VALUE_COLUMNS:
        if c in out.columns and (out[c].dtype == object or pd.api.types.is_string_dtype(out[c])):
            out[c] = out[c].map(lambda v: scheme_label(v, lang) if isinstance(v, str) and v.startswith("cv")
                                and v[2:].isdigit() else _header(v, lang) if isinstance(v, str) else v)
    if lang == "zh" and "reason" in out.columns and "declared_leaky" in out.columns:  # the leakage audit
        out["reason"] = out["reason"].map(_leak_reason_zh)
    return out.rename(columns={c: _header(str(c), lang) for c in out.columns})


def _leak_reason_zh(reason: object) -> object:
    """The leakage audit's reason (``validation.leakage_audit``) in Chinese; other values unchanged."""
    if not isinstance(reason, str) or not reason:
        return reason
    parts = []
    for part in reason.split("; "):
        if part == "declared leaky":
            parts.append("已声明为泄漏列")
        elif part == "AUC alone above threshold":
            parts.append("单列 AUC 超过阈值")
        elif part.startswith("AUC alone above "):
            parts.append(f"单列 AUC 超过 {part.removeprefix('AUC alone above ')}")
        else:
            parts.append(part)
    return "；".join(parts)


def _header(name: str, lang: str) -> str:
    """Column header: notebook 04's own ``col04_<name>`` label first (generic names such as ``method`` or
    ``group`` stay out of the shared label namespace), then the shared label, else the name."""
    own = label(f"col04_{name}", lang)
    return own if own != f"col04_{name}" else label(name, lang)
