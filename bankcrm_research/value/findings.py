"""Notebook 05's finding sentences, rendered from this run's results in English or Chinese.

Each function takes the tidy output of one analysis and returns one sentence (or ``""`` when the
numbers do not support a statement), so the notebook states only what the run found: the
direction of a relation is put into words only when its 95 % CI excludes the null (0 for a
correlation, 1 for a hazard ratio). Numbers are formatted by :mod:`bankcrm_research.reporting.narrative`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from bankcrm_research.reporting.narrative import fmt_ci, fmt_number

__all__ = ["rfm_finding", "segments_finding", "concentration_finding", "service_finding", "clv_finding",
           "satisfaction_finding", "frequency_spend_note", "money_unit", "fmt_money", "pct", "truth_sentence", "auto_choice_zh"]


def pct(x: float, digits: int = 1) -> str:
    """``0.4258`` -> ``42.6 %``."""
    return "—" if x is None or not math.isfinite(float(x)) else f"{100 * float(x):.{digits}f} %"


def money_unit(simulated: bool, lang: str, *, millions: bool = False) -> str:
    """Unit of amounts: CNY on the bundled data; the file's own currency otherwise (unknown to us)."""
    if lang == "zh":
        base = "元" if simulated else "（文件中的货币单位）"
        return ("百万" + base) if millions else base
    if simulated:
        return "million CNY" if millions else "CNY"
    return "million (file currency)" if millions else "(file currency)"


def fmt_money(x: float, simulated: bool, lang: str) -> str:
    """``569 million CNY`` for large totals, ``415,000 (file currency)`` otherwise; 亿/万 in Chinese."""
    if lang == "zh":
        unit = money_unit(simulated, lang)
        for size, word in ((1e8, "亿"), (1e4, "万")):
            if abs(x) >= size:
                return f"{fmt_number(x / size)} {word}{unit}"
        return f"{fmt_number(round(x))} {unit}"
    if abs(x) >= 1e6:
        return f"{fmt_number(x / 1e6)} {money_unit(simulated, lang, millions=True)}"
    return f"{fmt_number(round(x))} {money_unit(simulated, lang)}"


def rfm_finding(rfm_tidy: pd.DataFrame, *, lang: str = "en", label: Mapping[str, str] | None = None) -> str:
    """Share of customers and of net value in the best RFM segments (champions + loyal)."""
    t = rfm_tidy.set_index("segment")
    top = [s for s in ("champions", "loyal") if s in t.index]
    if not top:
        return ""
    cust, val = float(t.loc[top, "customer_share"].sum()), float(t.loc[top, "value_share"].sum())
    n = int(t["n_customers"].sum())
    if lang == "zh":
        return (f"RFM 分群中，冠军客户和忠诚客户占客户数的 {pct(cust)}，贡献了交易净额的 {pct(val)}"
                f"（共 {fmt_number(n)} 名客户）。")
    return (f"Champions and loyal customers are {pct(cust)} of the {fmt_number(n)} customers and hold {pct(val)} "
            f"of the net transaction value (RFM segments).")


def segments_finding(method_label: str, k: int, ari: float, lo: float, hi: float, *, basis: str,
                     lang: str = "en") -> str:
    """Number of segments and their bootstrap stability (ARI >= 0.8 = stable, Hennig 2007)."""
    if not math.isfinite(ari):
        if lang == "zh":
            return f"{method_label}在{basis}上划分出 {k} 个客户分群（未做自助法稳定性检验）。"
        return f"{method_label} finds {k} customer segments on {basis} (stability not bootstrapped)."
    stable = lo >= 0.8
    if lang == "zh":
        word = "稳定" if stable else ("不够稳定" if hi < 0.8 else "稳定性不确定")
        return (f"{method_label}在{basis}上划分出 {k} 个客户分群，自助法调整兰德指数为 {ari:.2f}"
                f"（95% 区间 {fmt_ci(lo, hi, 2)}），分群{word}。")
    word = "stable" if stable else ("not stable" if hi < 0.8 else "of uncertain stability")
    return (f"{method_label} finds {k} customer segments on {basis}; the bootstrap adjusted Rand index is {ari:.2f} "
            f"(95 % interval {fmt_ci(lo, hi, 2)}), so the partition is {word} (stable means >= 0.8).")


def concentration_finding(measures: pd.DataFrame, value_label: str, *, lang: str = "en") -> str:
    """Top-10 % share and Gini with their bootstrap CIs."""
    m = measures.set_index("measure")
    top, g = m.loc["top_10pct_share"], m.loc["gini"]
    if lang == "zh":
        return (f"前 10% 的客户持有{value_label}的 {pct(top['estimate'])}（95% 置信区间 "
                f"[{pct(top['ci_low'])}, {pct(top['ci_high'])}]），基尼系数为 {g['estimate']:.2f}。")
    return (f"The top 10 % of customers hold {pct(top['estimate'])} of {value_label} (95 % CI "
            f"[{pct(top['ci_low'])}, {pct(top['ci_high'])}]); the Gini coefficient is {g['estimate']:.2f}.")


def service_finding(alignment: pd.DataFrame, service: str, service_label: str, value_label: str, *,
                    lang: str = "en") -> str:
    """Does a service measure rise with value? Stated only when the CI of Spearman's rho excludes 0."""
    row = alignment.set_index("service").loc[service] if service in set(alignment["service"]) else None
    if row is None or not math.isfinite(float(row["spearman_rho"])):
        return ""
    rho, lo, hi = float(row["spearman_rho"]), float(row["ci_low"]), float(row["ci_high"])
    ci = fmt_ci(lo, hi, 2)
    if lang == "zh":
        if lo > 0:
            return f"{service_label}随{value_label}上升（Spearman ρ = {rho:.2f}，95% 置信区间 {ci}）：服务跟随价值。"
        if hi < 0:
            return f"{service_label}随{value_label}下降（Spearman ρ = {rho:.2f}，95% 置信区间 {ci}）：服务与价值背离。"
        return f"{service_label}与{value_label}没有明确关系（Spearman ρ = {rho:.2f}，95% 置信区间 {ci}，包含 0）。"
    if lo > 0:
        return (f"{service_label} rises with {value_label} (Spearman ρ = {rho:.2f}, 95 % CI {ci}): service follows "
                f"value.")
    if hi < 0:
        return (f"{service_label} falls as {value_label} rises (Spearman ρ = {rho:.2f}, 95 % CI {ci}): service runs "
                f"against value.")
    return (f"{service_label} shows no clear relation with {value_label} (Spearman ρ = {rho:.2f}, 95 % CI {ci} "
            f"includes 0).")


def clv_finding(clv_rfm: pd.DataFrame, total: float, mean_p_alive: float, horizon_months: int, *,
                simulated: bool, lang: str = "en", label: Mapping[str, str] | None = None) -> str:
    """Total expected CLV over the horizon and the RFM segment holding the largest share of it."""
    label = label or {}
    best = clv_rfm.sort_values("total_clv", ascending=False).iloc[0]
    name = label.get(str(best["group"]), str(best["group"]))
    money = fmt_money(total, simulated, lang)
    if lang == "zh":
        return (f"未来 {horizon_months} 个月的预期客户终身价值合计 {money}，平均存活概率为 {mean_p_alive:.2f}；"
                f"其中 {pct(best['clv_share'])} 来自“{name}”。")
    return (f"Expected customer lifetime value over the next {horizon_months} months totals {money} "
            f"(mean P(alive) {mean_p_alive:.2f}); {pct(best['clv_share'])} of it comes from '{name}'.")


def satisfaction_finding(cox: pd.Series, n: int, n_events: int, *, lang: str = "en") -> str:
    """Hazard ratio of churn per satisfaction point, direction stated only when the CI excludes 1."""
    hr, lo, hi = float(cox["exp_estimate"]), float(cox["exp_ci_low"]), float(cox["exp_ci_high"])
    ci = fmt_ci(lo, hi, 2)
    if lang == "zh":
        if hi < 1:
            return (f"满意度每高 1 分，流失风险降低 {pct(1 - hr, 0)}（风险比 {hr:.2f}，95% 置信区间 {ci}；"
                    f"{fmt_number(n)} 名受访客户，{fmt_number(n_events)} 人流失）。")
        if lo > 1:
            return f"满意度每高 1 分，流失风险反而提高 {pct(hr - 1, 0)}（风险比 {hr:.2f}，95% 置信区间 {ci}）。"
        return f"满意度与流失风险没有明确关系（风险比 {hr:.2f}，95% 置信区间 {ci}，包含 1）。"
    if hi < 1:
        return (f"Each extra point of satisfaction lowers the churn hazard by {pct(1 - hr, 0)} (hazard ratio {hr:.2f}, "
                f"95 % CI {ci}; {fmt_number(n)} surveyed customers, {fmt_number(n_events)} churned).")
    if lo > 1:
        return (f"Each extra point of satisfaction raises the churn hazard by {pct(hr - 1, 0)} (hazard ratio "
                f"{hr:.2f}, 95 % CI {ci}).")
    return f"Satisfaction shows no clear relation with the churn hazard (hazard ratio {hr:.2f}, 95 % CI {ci} includes 1)."


def frequency_spend_note(corr: float, *, lang: str = "en") -> str:
    """What the frequency-spend correlation means for Gamma-Gamma (which assumes none)."""
    if not math.isfinite(corr):
        return ""
    if lang == "zh":
        if corr > 0.3:
            return (f"本次数据中重复购买频次与平均消费的相关系数为 {corr:.2f}（明显为正）：Gamma-Gamma 模型把高频客户的"
                    f"预期消费过度拉向平均值，高价值客户的 CLV 应视为下限。")
        return f"本次数据中重复购买频次与平均消费的相关系数为 {corr:.2f}，与 Gamma-Gamma 的独立性假设相差不大。"
    if corr > 0.3:
        return (f"In this run repeat frequency and mean spend correlate at {corr:.2f}: Gamma-Gamma (which assumes "
                f"independence) shrinks the expected spend of frequent buyers too far towards the average, so treat "
                f"the CLV of the most valuable customers as a lower bound.")
    return (f"In this run repeat frequency and mean spend correlate at {corr:.2f}, close enough to the independence "
            f"Gamma-Gamma assumes.")


def truth_sentence(covered: int, total: int, *, lang: str = "en") -> str:
    """How many planted quantities lie inside their 95 % CI (simulated data only)."""
    if lang == "zh":
        return f"{total} 个预设真值中有 {covered} 个落在估计值的 95% 置信区间内。"
    return f"{covered} of {total} planted quantities lie inside the 95 % CI of their estimate."


_AUTO_WHY_ZH = {
    "as_of_date": "内置数据取研究期末，用户数据取文件中最后一笔交易的日期",
    "value_column": "客户表中找到的客户价值列；没有客户表时为交易净额",
    "segment_features": "客户表中的数值属性（文本列和缺失超过 20% 的列除外）",
    "service_columns": "客户表中找到的标准服务列",
    "satisfaction_items": "调查中的满意度（CUSA）题项",
    "satisfaction_controls": "客户表中找到的标准控制变量",
    "satisfaction_categorical": "价值层级列",
}


def auto_choice_zh(param: str, value: object) -> str:
    """The Chinese sentence for what *auto* chose (the English one comes from the input resolution)."""
    why = _AUTO_WHY_ZH.get(param, "在客户表中找到的标准列")
    return f"参数 {param} 自动取值为 {value}（{why}）。"
