"""Finding sentences of notebooks 01 and 02, rendered from this run's tables (English or Chinese).

Each function takes a result table and returns sentences whose claims follow the numbers: an
effect "lowers" only when its 95 % CI is below zero (:func:`bankcrm_research.reporting.narrative.effect`),
pre-trends are "flat" only when the joint test does not reject, a series is "stationary" only when
ADF rejects a unit root and KPSS does not reject stationarity.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from bankcrm_research.competition._inputs_common import _t
from bankcrm_research.competition.display_names import value_name
from bankcrm_research.reporting.narrative import effect, fmt_ci, fmt_number, fmt_p

__all__ = [
    "panel_effects", "model_gap", "normalisation", "pretrend", "did", "placebo", "turning_point", "hausman",
    "heterogeneity", "truth_coverage", "stationarity", "granger", "pass_through", "fevd_share", "rank_agreement",
]

Label = Callable[[str], str]


def _lab(labels: Mapping[str, str] | None, key: str) -> str:
    return (labels or {}).get(key, key)


def panel_effects(table: pd.DataFrame, *, regressor: str, outcomes: Sequence[str], unit: str, cause: str,
                  model: str = "twoway_fe", labels: Mapping[str, str] | None = None, lang: str = "en") -> list[str]:
    """One sentence per outcome: the index effect in ``model`` with its unit and 95 % CI."""
    out = []
    for o in outcomes:
        r = table[(table["outcome"] == o) & (table["model"] == model) & (table["term"] == regressor)]
        if r.empty:
            continue
        r = r.iloc[0]
        m = _lab(labels, model)
        est, lo, hi = float(r["estimate"]), float(r["ci_low"]), float(r["ci_high"])
        if lang == "zh":  # "指数每增加一个指数点，净息差降低 …"
            per = {"每个指数点": "个指数点", "每100个指数点": "百个指数点"}.get(unit, f"单位（{unit}）")
            s = effect(cause, _lab(labels, o), est, lo, hi, per=per, lang=lang)
            out.append(f"{m}：{s}")
        else:
            s = effect(cause, _lab(labels, o), est, lo, hi, lang=lang)
            out.append(f"{m}, {unit}: {s}")
    return out


def model_gap(table: pd.DataFrame, *, regressor: str, outcome: str, labels: Mapping[str, str] | None = None,
              lang: str = "en", a: str = "pooled_ols", b: str = "twoway_fe") -> str:
    """Pooled OLS vs two-way FE for one outcome: do their 95 % CIs overlap?"""
    rows = table[(table["outcome"] == outcome) & (table["term"] == regressor)].set_index("model")
    if a not in rows.index or b not in rows.index:
        return ""
    ra, rb = rows.loc[a], rows.loc[b]
    overlap = ra["ci_low"] <= rb["ci_high"] and rb["ci_low"] <= ra["ci_high"]
    o, la, lb = _lab(labels, outcome), _lab(labels, a), _lab(labels, b)
    if lang == "zh":
        return (f"{o}：{la}估计 {fmt_number(ra['estimate'])}，{lb}估计 {fmt_number(rb['estimate'])}；"
                + ("两者的95%置信区间重叠。" if overlap else "两者的95%置信区间不重叠，银行固定效应或年份冲击改变了估计。"))
    return (f"For {o}, {la} estimates {fmt_number(ra['estimate'])} and {lb} {fmt_number(rb['estimate'])}; "
            + ("their 95 % CIs overlap." if overlap else
               "their 95 % CIs do not overlap, so bank effects or common year shocks change the estimate."))


def normalisation(by_year: pd.DataFrame, *, lang: str = "en") -> str:
    """Pooled vs per-year normalisation: Spearman correlation with the reference index over all years."""
    allrows = by_year[by_year["scope"] == "all"].set_index("normalisation")["spearman"]
    p, y = float(allrows.get("pooled", np.nan)), float(allrows.get("per year", np.nan))
    if lang == "zh":
        better = "混合（跨年）标准化" if p >= y else "逐年标准化"
        return (f"在全部省份-年度上，混合标准化指数与参考指数的 Spearman 相关为 {fmt_number(p)}，逐年标准化为 "
                f"{fmt_number(y)}：{better}更接近参考指数。逐年标准化把每年都映射到 [0, 1]，不能跨年比较。")
    better = "pooled" if p >= y else "per-year"
    return (f"Across all province-years the pooled index has Spearman {fmt_number(p)} with the reference index and the "
            f"per-year one {fmt_number(y)}: the {better} normalisation follows it more closely. Per-year normalisation "
            f"maps every year onto [0, 1], so it is not comparable over time.")


def rank_agreement(agreement: pd.DataFrame, *, reference: str, lang: str = "en") -> str:
    """Lowest and highest Spearman correlation of the rebuilt indices with a reference index."""
    a = agreement.sort_values("spearman")
    lo, hi = a.iloc[0], a.iloc[-1]
    if lang == "zh":
        return (f"重建指数与{reference}的 Spearman 秩相关介于 {fmt_number(lo['spearman'])}（{value_name(lo['method'], lang)}）"
                f"与 {fmt_number(hi['spearman'])}（{value_name(hi['method'], lang)}）之间。")
    return (f"The rebuilt indices rank regions like {reference} with Spearman correlations from "
            f"{fmt_number(lo['spearman'])} ({lo['method']}) to {fmt_number(hi['spearman'])} ({hi['method']}).")


def pretrend(p: float, *, n_leads: int | None = None, lang: str = "en") -> str:
    """"Flat" only when the joint test of the leads does not reject at 5 %."""
    if lang == "zh":
        return (f"事前趋势联合检验{fmt_p(p)}：" + ("不能拒绝平行趋势，事前系数整体平坦。" if p >= 0.05
                                            else "拒绝平行趋势，事前系数不平坦，事件研究结果需谨慎解读。"))
    return (f"The joint test of the pre-shock coefficients gives {fmt_p(p)}: "
            + ("parallel pre-trends are not rejected (the leads are flat)." if p >= 0.05 else
               "parallel pre-trends are rejected, so the event-study estimates should be read with caution."))


def did(row: pd.Series, *, outcome: str, lang: str = "en") -> str:
    """The exposure × post DiD estimate as an effect sentence."""
    est, lo, hi = float(row["estimate"]), float(row["ci_low"]), float(row["ci_high"])
    if lang == "zh":  # "冲击后每增加一单位敞口，活期存款占比降低 …"
        return effect("冲击后", outcome, est, lo, hi, per="单位敞口", lang=lang)
    return effect("exposure after the shock", outcome, est, lo, hi, lang=lang)


def placebo(row: pd.Series, *, year: int, lang: str = "en") -> str:
    """The placebo DiD should find nothing."""
    p = float(row["p_value"])
    if lang == "zh":
        return f"{year} 年安慰剂双重差分：{fmt_p(p)}，" + ("未发现虚假效应。" if p >= 0.05 else "发现显著的虚假效应，提示存在其他趋势差异。")
    return (f"The placebo DiD at {year} gives {fmt_p(p)}: "
            + ("no spurious effect." if p >= 0.05 else "a significant spurious effect, a sign of other differential trends."))


def turning_point(tp: pd.Series, *, lo: float, hi: float, unit: str, lang: str = "en") -> str:
    """Whether the estimated turning point and its CI lie inside the observed index range."""
    est, cl, ch = float(tp["estimate"]), float(tp["ci_low"]), float(tp["ci_high"])
    inside = lo <= cl and ch <= hi
    if lang == "zh":
        return (f"拐点估计为 {fmt_number(est)}（{unit}，95% 置信区间 {fmt_ci(cl, ch)}），观测范围为 "
                f"{fmt_ci(lo, hi)}：" + ("置信区间位于观测范围内，支持U型关系。" if inside else "置信区间超出观测范围，U型关系证据不足。"))
    return (f"The turning point is {fmt_number(est)} ({unit}; 95 % CI {fmt_ci(cl, ch)}) against an observed range of "
            f"{fmt_ci(lo, hi)}: " + ("its CI lies inside the data, supporting a U shape." if inside else
                                     "its CI leaves the observed range, so the U shape is not established."))


def hausman(table: pd.DataFrame, *, method: str = "mundlak", lang: str = "en") -> str:
    """How many outcomes reject random effects in the (cluster-robust) Mundlak test."""
    t = table[table["test"].astype(str).str.startswith(method)] if "test" in table.columns else table
    n, k = len(t), int((t["p_value"] < 0.05).sum())
    if lang == "zh":
        return f"稳健 Mundlak 检验在 {n} 个结果变量中的 {k} 个上拒绝随机效应假设（5% 水平）。"
    return f"The cluster-robust Mundlak test rejects random effects for {k} of {n} outcomes at 5 %."


def heterogeneity(table: pd.DataFrame, *, labels: Mapping[str, str] | None = None, lang: str = "en") -> list[str]:
    """Per outcome: does the two-way FE equality test reject equal slopes across bank types?"""
    out = []
    eq = table[(table["term"] == "equality") & table["model"].str.startswith("twoway")]
    for _, r in eq.iterrows():
        o, p = _lab(labels, r["outcome"]), float(r["p_value"])
        out.append(_t(lang, f"{o}: equal index effects across bank types are "
                            f"{'rejected' if p < 0.05 else 'not rejected'} ({fmt_p(p)}).",
                      f"{o}：各类银行指数效应相等的假设{'被拒绝' if p < 0.05 else '未被拒绝'}（{fmt_p(p)}）。"))
    return out


def truth_coverage(fe_covered: int, fe_n: int, ols_covered: int, ols_n: int, *, lang: str = "en") -> str:
    """Coverage of the planted truth by fixed-effects and pooled-OLS intervals."""
    if lang == "zh":
        return (f"固定效应/事件研究的 95% 置信区间覆盖真值 {fe_covered}/{fe_n} 次，混合 OLS 覆盖 "
                f"{ols_covered}/{ols_n} 次。")
    return (f"Fixed-effects and event-study 95 % CIs cover the planted value in {fe_covered} of {fe_n} cases; "
            f"pooled OLS in {ols_covered} of {ols_n}.")


# --------------------------------------------------------------------------- notebook 02
def _classify(g: pd.DataFrame, alpha: float = 0.05) -> str:
    adf = g.loc[g["test"] == "ADF", "p_value"]
    kp = g.loc[g["test"] == "KPSS", "p_value"]
    adf_rej = bool(len(adf)) and float(adf.iloc[0]) < alpha
    kpss_rej = bool(len(kp)) and float(kp.iloc[0]) < alpha
    if adf_rej and not kpss_rej:
        return "stationary"
    if not adf_rej and kpss_rej:
        return "unit_root"
    return "mixed"


def stationarity(unit_roots: pd.DataFrame, *, labels: Mapping[str, str] | None = None, lang: str = "en") -> list[str]:
    """Per transform: which series both tests call stationary, which look like unit roots, which are mixed.

    Stationary = ADF rejects a unit root and KPSS does not reject stationarity (5 %); unit root = the
    reverse; mixed = both reject or neither does.
    """
    words = {"stationary": ("stationary (ADF rejects a unit root, KPSS does not reject stationarity)",
                            "平稳（ADF 拒绝单位根，KPSS 不拒绝平稳）"),
             "unit_root": ("unit-root-like (ADF does not reject a unit root, KPSS rejects stationarity)",
                           "类似单位根（ADF 不拒绝单位根，KPSS 拒绝平稳）"),
             "mixed": ("mixed (the two tests disagree)", "结论不一致（两种检验相互矛盾）")}
    out = []
    for transform, grp in unit_roots.groupby("transform", sort=False):
        cls = {s: _classify(g) for s, g in grp.groupby("series", sort=False)}
        parts = []
        for kind in ("stationary", "unit_root", "mixed"):
            names = [_lab(labels, s) for s, c in cls.items() if c == kind]
            if names:
                en, zh = words[kind]
                parts.append(_t(lang, f"{', '.join(names)}: {en}", f"{'、'.join(names)}：{zh}"))
        tr = _t(lang, {"level": "In levels", "log difference": "In growth rates"}.get(str(transform), str(transform)),
                {"level": "水平值", "log difference": "增长率"}.get(str(transform), str(transform)))
        out.append(_t(lang, f"{tr}: " + "; ".join(parts) + ".", f"{tr}：" + "；".join(parts) + "。"))
    return out


def granger(table: pd.DataFrame, *, labels: Mapping[str, str] | None = None, lang: str = "en") -> list[str]:
    """One sentence per direction: does ``cause`` Granger-cause ``effect`` at 5 %?"""
    out = []
    for _, g in table.iterrows():
        c, e, p = _lab(labels, g["cause"]), _lab(labels, g["effect"]), float(g["p_value"])
        out.append(_t(lang, f"{c} {'Granger-causes' if p < 0.05 else 'does not Granger-cause'} {e} ({fmt_p(p)}).",
                      f"{c}{'是' if p < 0.05 else '不是'}{e}的格兰杰原因（{fmt_p(p)}）。"))
    return out


def pass_through(table: pd.DataFrame, *, rate: str, fund_yield: str, labels: Mapping[str, str] | None = None,
                 lang: str = "en") -> str:
    """The pass-through slope as an effect sentence (percentage points per point of the rate)."""
    r = table[table["term"] == rate].iloc[0]
    unit = _t(lang, "pp", "个百分点")
    return effect(_lab(labels, rate), _lab(labels, fund_yield), float(r["estimate"]), float(r["ci_low"]),
                  float(r["ci_high"]), unit=unit, per=_t(lang, "percentage point", "个百分点"), lang=lang)


def fevd_share(share: float, *, shock: str, response: str, horizon: int, lang: str = "en") -> str:
    """Share of the forecast-error variance of ``response`` due to ``shock`` at ``horizon``."""
    pct = fmt_number(100 * share, 1)
    if lang == "zh":
        return f"第 {horizon} 期时，{response}的预测误差方差有 {pct}% 来自{shock}冲击。"
    return f"At a horizon of {horizon}, {shock} shocks account for {pct} % of the forecast-error variance of {response}."
