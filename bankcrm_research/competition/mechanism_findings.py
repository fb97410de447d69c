"""Sentences for notebook 06 rendered from its results (English / Chinese): nothing typed about the data.

Each function takes the results of one section and returns the sentence(s) the notebook shows;
:func:`findings` assembles the closing 2–5 findings from the sections that ran. Conditional words
follow the numbers: an effect "lowers"/"raises" only when its 95 % CI excludes zero (otherwise "no
clear effect"); a test "rejects" only when p < 0.05; a channel counts as a mechanism only when the
indirect effect's CI excludes zero; GMM is called trustworthy only when AR(2) and Hansen's J do not
reject and instruments are fewer than banks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from bankcrm_research.competition.display_names import display_frame as names_in
from bankcrm_research.reporting.labels import label
from bankcrm_research.reporting.narrative import direction, fmt_ci, fmt_number, fmt_p

__all__ = [
    "staggered_sentence", "channel_sentence", "by_type_sentence", "threshold_sentence", "gmm_sentence",
    "truth_sentence", "truth_notes", "within_type_channel_sentence", "findings", "display_frame", "term_name",
]

Label = Callable[[str, str], str]

_DIR_EN = {"up": "raised", "down": "lowered", "none": "had no clear effect on"}
_DIR_ZH = {"up": "提高了", "down": "降低了", "none": "对其没有明确影响："}
_DISPLAY_NAMES = {
    "callaway_santanna": ("Callaway–Sant'Anna", "Callaway–Sant'Anna"),
    "sun_abraham": ("Sun–Abraham", "Sun–Abraham"),
    "twfe": ("TWFE event study", "双向固定效应事件研究"),
    "did2s": ("Two-stage DiD", "两阶段DiD"),
    "dynamic": ("dynamic", "动态"), "simple": ("simple", "简单"), "group": ("group", "组别"),
    "group_time": ("group-time", "组别-时间"),
    "direct": ("direct effect", "直接效应"), "indirect": ("indirect effect", "间接效应"),
    "total": ("total effect", "总效应"), "share_mediated": ("share mediated", "中介占比"),
    "a": ("path a (index → mediator)", "路径a（指数→中介）"), "b": ("path b (mediator → outcome)", "路径b（中介→结果）"),
    "overall": ("overall", "总体"),
}


def term_name(key: str, lang: str) -> str:
    en, zh = _DISPLAY_NAMES.get(str(key), (str(key), str(key)))
    return zh if lang == "zh" else en


def display_frame(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A copy for show_table with estimator/aggregation/term names in the notebook's language
    (in Chinese also the other name columns: mediator, outcome, section, method, CI method, ...)."""
    out = df.copy()
    for col in ("estimator", "aggregation", "term"):
        if col in out.columns:
            out[col] = out[col].map(lambda v: term_name(v, lang) if isinstance(v, str) else v)
    return names_in(out, lang)


def _row(table: pd.DataFrame, **match: Any) -> pd.Series:
    m = pd.Series(True, index=table.index)
    for k, v in match.items():
        m &= table[k] == v
    return table[m].iloc[0]


def staggered_sentence(cs_table: pd.DataFrame, sa_table: pd.DataFrame, outcome_label: str, *,
                       did2s: float | None = None, lang: str = "en") -> str:
    """CS simple ATT with CI and direction, SA (and did2s) beside it, and the pre-period count."""
    cs = _row(cs_table, aggregation="simple")
    sa = _row(sa_table, aggregation="simple")
    pre = cs_table[(cs_table["aggregation"] == "dynamic") & (cs_table["event_time"] < 0)]
    k = int(((pre["ci_low"] > 0) | (pre["ci_high"] < 0)).sum())
    d = direction(cs["ci_low"], cs["ci_high"])
    est, ci = fmt_number(cs["estimate"]), fmt_ci(cs["ci_low"], cs["ci_high"])
    if lang == "zh":
        verb = f"对{outcome_label}没有明确影响" if d == "none" else \
            f"{_DIR_ZH[d]}{outcome_label} {fmt_number(abs(cs['estimate']))}"
        head = (f"按采纳批次和采纳后年份平均，采纳{verb}（Callaway–Sant'Anna 估计 {est}，95% 置信区间 {ci}"
                + ("，包含 0" if d == "none" else "") + f"）；Sun–Abraham 估计为 {fmt_number(sa['estimate'])}")
        head += f"，两阶段DiD 为 {fmt_number(did2s)}" if did2s is not None else ""
        return head + f"。{len(pre)} 个采纳前事件时间效应中有 {k} 个的置信区间不包含 0。"
    head = (f"Averaged over adopting cohorts and post-adoption years, adoption {_DIR_EN[d]} {outcome_label}"
            + ("" if d == "none" else f" by {fmt_number(abs(cs['estimate']))}")
            + f" (Callaway–Sant'Anna {est}, 95 % CI {ci}), against {fmt_number(sa['estimate'])} from Sun–Abraham")
    head += f" and {fmt_number(did2s)} from the two-stage DiD" if did2s is not None else ""
    return head + f"; {k} of {len(pre)} pre-adoption event-time effects have a CI that excludes zero."


def channel_sentence(res_table: pd.DataFrame, mediator_label: str, outcome_label: str, unit: str,
                     lang: str = "en") -> str:
    """Indirect effect with CI and direction, the total effect and the share mediated."""
    t = res_table.set_index("term")
    ind, tot, sh = t.loc["indirect"], t.loc["total"], t.loc["share_mediated"]
    d = direction(ind["ci_low"], ind["ci_high"])
    ci = fmt_ci(ind["ci_low"], ind["ci_high"])
    share = f"{sh['estimate']:.0%}"
    if lang == "zh":
        if d == "none":
            return (f"{unit}的指数变化通过{mediator_label}对{outcome_label}的间接效应为 {fmt_number(ind['estimate'])}"
                    f"（95% 置信区间 {ci}，包含 0：没有明确的中介渠道）；总效应 {fmt_number(tot['estimate'])}。")
        return (f"{unit}的指数变化通过{mediator_label}使{outcome_label}{_DIR_ZH[d]} {fmt_number(abs(ind['estimate']))}"
                f"（间接效应，95% 置信区间 {ci}），总效应 {fmt_number(tot['estimate'])}，中介占比 {share}。")
    if d == "none":
        return (f"Through {mediator_label}, the indirect effect of {unit} on {outcome_label} is "
                f"{fmt_number(ind['estimate'])} (95 % CI {ci} includes 0: no clear channel), of a total "
                f"{fmt_number(tot['estimate'])}.")
    return (f"Through {mediator_label}, {unit} {_DIR_EN[d]} {outcome_label} by "
            f"{fmt_number(abs(ind['estimate']))} (indirect effect, 95 % CI {ci}) of a total "
            f"{fmt_number(tot['estimate'])}, a share mediated of {share}.")


def _excludes_zero(t: pd.DataFrame) -> int:
    return int(((t["ci_low"] > 0) | (t["ci_high"] < 0)).sum())


def by_type_sentence(by_type: pd.DataFrame, pooled: Sequence[pd.DataFrame], lang: str = "en") -> str:
    """How many within-type indirect effects have a CI excluding zero, against the pooled count."""
    ind = by_type[by_type["term"] == "indirect"]
    pooled_ind = pd.concat([p[p["term"] == "indirect"] for p in pooled], ignore_index=True)
    k, n, kp, npool = _excludes_zero(ind), len(ind), _excludes_zero(pooled_ind), len(pooled_ind)
    if lang == "zh":
        return f"在各银行类型内部，{n} 个间接效应中有 {k} 个的置信区间不包含 0（全样本：{npool} 个中有 {kp} 个）。"
    return (f"Within bank types, {k} of {n} indirect effects have a CI that excludes zero "
            f"(pooled: {kp} of {npool}).")


def within_type_channel_sentence(by_type: pd.DataFrame, pooled: pd.DataFrame, bank_type_column: str,
                                 type_labels: Mapping[str, str], mediator_label: str, outcome_label: str,
                                 unit: str, lang: str = "en") -> str:
    """The first channel's indirect effect within each bank type (estimate and CI), and whether the
    pooled indirect effect lies outside every within-type interval.

    Pooling bank types whose index effects on the mediator and on the outcome differ together adds
    that shared heterogeneity to the pooled *b* path (a between-type slope), so the pooled split can
    overstate the channel; the within-type effects are free of it. ``by_type`` and ``pooled`` are
    :meth:`PanelMediationResult.tidy` tables (``by_type`` with ``bank_type_column``) for the same
    mediator and outcome; ``type_labels`` maps bank-type codes to display names (others shown as is).
    """
    ind = by_type[by_type["term"] == "indirect"]
    parts = [(type_labels.get(str(t), str(t)), r["estimate"], r["ci_low"], r["ci_high"]) for t, r in
             ind.set_index(bank_type_column).iterrows()]
    p = pooled.set_index("term")
    pooled_ind, pooled_share = p.loc["indirect", "estimate"], p.loc["share_mediated", "estimate"]
    outside = bool(len(ind)) and bool(((pooled_ind < ind["ci_low"]) | (pooled_ind > ind["ci_high"])).all())
    k = _excludes_zero(ind)
    if lang == "zh":
        body = "；".join(f"{n} {fmt_number(e)}（{fmt_ci(lo, hi)}）" for n, e, lo, hi in parts)
        s = (f"在各银行类型内部，{unit}的指数变化通过{mediator_label}对{outcome_label}的间接效应为：{body}"
             f"（{len(parts)} 个中有 {k} 个的置信区间不包含 0）。")
        if outside:
            s += (f"全样本分解的间接效应 {fmt_number(pooled_ind)}（中介占比 {pooled_share:.0%}）落在所有类型内区间之外："
                  "它混入了各类型指数效应的共同差异，应以类型内结果为准。")
        return s
    body = "; ".join(f"{n} {fmt_number(e)} (95 % CI {fmt_ci(lo, hi)})" for n, e, lo, hi in parts)
    s = (f"Within bank types, the indirect effect of {unit} on {outcome_label} through {mediator_label} is "
         f"{body} ({k} of {len(parts)} exclude zero).")
    if outside:
        s += (f" The pooled split's indirect effect, {fmt_number(pooled_ind)} ({pooled_share:.0%} mediated), lies "
              "outside every within-type interval: it also carries the bank types' shared differences in index "
              "effects, so the within-type numbers are the ones to read.")
    return s


def threshold_sentence(table: pd.DataFrame, thresholds: Sequence[float], treatment: str, variable_label: str,
                       outcome_label: str, lang: str = "en") -> str:
    """Sequential bootstrap F tests, the thresholds and the regime slopes of the index."""
    tests = table[table["section"] == "test"].set_index("term")
    slopes = table[(table["section"] == "coefficient") & table["term"].str.startswith(treatment)]
    single = tests.loc["single_vs_linear"]
    double = tests.loc["double_vs_single"] if "double_vs_single" in tests.index else None
    gs = "、".join(fmt_number(g, 3) for g in thresholds) if lang == "zh" else ", ".join(fmt_number(g, 3) for g in thresholds)
    sl = [fmt_number(v) for v in slopes["estimate"]]
    rejects = single["p_value"] < 0.05
    if lang == "zh":
        s = (f"单门槛检验 F = {fmt_number(single['statistic'], 1)}（自助法 {fmt_p(single['p_value'])}），"
             + ("拒绝线性模型" if rejects else "不能拒绝线性模型"))
        if double is not None:
            s += f"；双门槛检验 F = {fmt_number(double['statistic'], 1)}（{fmt_p(double['p_value'])}）"
        return (s + f"；估计的{variable_label}门槛为 {gs}，指数对{outcome_label}的斜率在各区制间依次为 "
                + " → ".join(sl) + "。")
    s = (f"The single-threshold test gives F = {fmt_number(single['statistic'], 1)} (bootstrap {fmt_p(single['p_value'])}), "
         + ("which rejects a linear model" if rejects else "which does not reject a linear model"))
    if double is not None:
        s += f"; the double-threshold test F = {fmt_number(double['statistic'], 1)} ({fmt_p(double['p_value'])})"
    return (s + f"; the estimated threshold{'s are' if len(thresholds) > 1 else ' is'} {gs} in {variable_label}, and "
            f"the index slope on {outcome_label} runs " + " → ".join(sl) + " across regimes.")


def gmm_sentence(system: pd.DataFrame, difference_persistence: float, persistence_term: str, treatment: str,
                 outcome_label: str, lang: str = "en") -> str:
    """Persistence, short- and long-run index effects, AR(2), Hansen and the instrument count."""
    t = system.set_index("term")
    rho, b = t.loc[persistence_term, "estimate"], t.loc[treatment]
    ar2, hj = t.loc["ar2", "p_value"], t.loc["hansen_j", "p_value"]
    n_inst, n_g = int(t.loc["n_instruments", "statistic"]), int(t.loc["n_groups", "statistic"])
    ok = ar2 >= 0.05 and hj >= 0.05 and n_inst < n_g
    lr = b["estimate"] / (1 - rho) if rho < 1 else None
    d = direction(b["ci_low"], b["ci_high"])
    if lang == "zh":
        s = (f"系统GMM估计{outcome_label}的持续性为 {fmt_number(rho, 3)}（差分GMM {fmt_number(difference_persistence, 3)}），"
             f"指数的短期效应为 {fmt_number(b['estimate'])}（95% 置信区间 {fmt_ci(b['ci_low'], b['ci_high'])}"
             + ("，包含 0）" if d == "none" else "）"))
        s += f"，长期效应 {fmt_number(lr)}" if lr is not None else ""
        s += f"；AR(2) {fmt_p(ar2)}，Hansen J {fmt_p(hj)}，{n_inst} 个工具变量、{n_g} 家银行"
        return s + ("：设定检验均未拒绝。" if ok else "：设定检验未全部通过，应谨慎解读估计值。")
    s = (f"System GMM puts the persistence of {outcome_label} at {fmt_number(rho, 3)} (difference GMM "
         f"{fmt_number(difference_persistence, 3)}) and the short-run index effect at {fmt_number(b['estimate'])} "
         f"(95 % CI {fmt_ci(b['ci_low'], b['ci_high'])}" + (", includes 0)" if d == "none" else ")"))
    s += f", a long-run effect of {fmt_number(lr)}" if lr is not None else ""
    s += f"; AR(2) {fmt_p(ar2)}, Hansen J {fmt_p(hj)} with {n_inst} instruments for {n_g} banks"
    return s + (": the specification tests do not reject." if ok else
                ": not every specification check passes, so read the estimates with caution.")


def truth_sentence(tve: pd.DataFrame, lang: str = "en") -> str:
    """Coverage of the planted values: headline rows by group, then the foils and why they miss.

    Groups follow the ``quantity`` keys of :func:`bankcrm_research.competition.truth.mechanism_truth_rows`:
    channel paths within bank types (``.by_type.``), the pooled channel averages (``competition.mediation``
    headline rows) and the adoption-timing effects (``competition.staggered``).
    """
    q = tve["quantity"].astype(str)
    head = tve["role"] == "headline"
    groups = [
        (head & q.str.contains(".by_type.", regex=False), "channel paths within bank types", "分银行类型的渠道路径"),
        (head & q.str.startswith("competition.mediation") & ~q.str.contains(".by_type.", regex=False),
         "pooled path a and total effect", "全样本路径a与总效应"),
        (head & q.str.startswith("competition.staggered"), "adoption-timing effects", "采纳时点效应"),
    ]
    k, n = int(tve.loc[head, "covered"].sum()), int(head.sum())
    parts = [(int(tve.loc[m, "covered"].sum()), int(m.sum()), en, zh) for m, en, zh in groups if m.any()]
    foil = tve[tve["role"] == "foil"]
    kf, nf = int(foil["covered"].sum()), len(foil)
    if lang == "zh":
        s = f"{n} 个主要估计的 95% 置信区间中有 {k} 个覆盖预设真值（" + "；".join(
            f"{zh} {a}/{b}" for a, b, _, zh in parts) + "）。"
        if nf:
            s += (f"全样本的中介分解（路径b、直接与间接效应、中介占比）作为对照，{nf} 个中覆盖 {kf} 个：各银行类型的指数"
                  f"斜率不同时，全样本的路径b会吸收这种共同的异质性，应以分类型的结果为准。")
        return s
    s = f"{k} of {n} headline 95 % CIs cover their planted value (" + "; ".join(
        f"{en} {a}/{b}" for a, b, en, _ in parts) + ")."
    if nf:
        s += (f" The pooled decomposition (path b, direct and indirect effect, share mediated) is a foil and covers "
              f"{kf} of {nf}: when bank types' index slopes differ, the pooled path b also absorbs that shared "
              f"heterogeneity, so read the within-type rows.")
    return s


def findings(sentences: Mapping[str, str], lang: str = "en") -> list[str]:
    """The closing findings (2–5 sentences) from the section sentences that exist, in section order.

    Sections that did not run contribute nothing; when fewer than two ran, a sentence says how
    many sections were skipped (the skipped list above says what to supply).
    """
    # the within-type channel sentence, when there is one, replaces the pooled one (it quotes it)
    order = ["staggered", "channel_by_type" if sentences.get("channel_by_type") else "channel", "threshold", "gmm",
             "by_type"]
    out = [sentences[k] for k in order if sentences.get(k)][:5]
    if len(out) < 2:
        out.append("其余部分因输入缺失而跳过，见上方说明。" if lang == "zh" else
                   "The other sections were skipped for missing inputs; the notes above say what to supply.")
    return out


def truth_notes(planted: Mapping[str, Any], tve: pd.DataFrame, channels: Sequence[Sequence[str]],
                staggered_ran: bool, lang: str = "en") -> list[str]:
    """What the truth table cannot compare, and why (``planted`` is ``truth.json``'s competition block).

    Channels the simulated world does not plant; the GMM persistence, which has no planted
    counterpart (AR(1) errors, no lagged dependent variable); and the adoption-timing truth, which is
    only compared when this run's staggered design is the recorded one.
    """
    zh = lang == "zh"
    out: list[str] = []
    missing = [f"{m}→{o}" for m, o in channels if f"{m}->{o}" not in planted.get("mediation", {})]
    if missing:
        named = [f"{label(m, 'zh')}→{label(o, 'zh')}" for m, o in channels if f"{m}->{o}" not in planted.get("mediation", {})]
        out.append(f"模拟世界未预设{'、'.join(named)}渠道（truth.json 中没有记录）：上文对其估计的间接效应不是预设机制。"
                   if zh else
                   f"The simulated world plants no channel for {', '.join(missing)} (truth.json has no entry): any "
                   "indirect effect estimated above for them is not a planted mechanism.")
    if "serial_correlation" in planted:
        rho = planted["serial_correlation"]
        out.append(f"模拟结果含 AR(1) 误差（ρ = {rho}）而没有滞后因变量：GMM 持续性估计没有对应的预设值；序列相关的误差使 "
                   "y(t-2) 成为无效工具变量，Hansen J 检验可以发现这一点。" if zh else
                   f"The simulated outcomes carry AR(1) errors (ρ = {rho}) and no lagged dependent variable: the GMM "
                   "persistence estimate has no planted counterpart, and serially correlated errors make y(t-2) an "
                   "invalid instrument, which Hansen's J can detect.")
    st = planted.get("staggered")
    compared = bool(len(tve)) and tve["quantity"].astype(str).str.startswith("competition.staggered").any()
    if st and staggered_ran and not compared:
        ctrl = st["estimator"]["control_group"].replace("_", "-")
        out.append(f"预设的采纳时点效应记录于 {st['outcome']}（门槛 {st['threshold']:g}，{ctrl} 对照组，无协变量）；本次设计不同，"
                   "因此不作比较。" if zh else
                   f"The planted adoption-timing effects are recorded for {st['outcome']} with threshold "
                   f"{st['threshold']:g}, {ctrl} controls and no covariates; this run's design differs, so they are "
                   "not compared.")
    elif st and not zh:
        out.append(f"Adoption-timing truth: {st['adoption_step']}; the rows compare with the {st['dynamic_definition']}")
    elif st:
        out.append("采纳时点真值：未单独预设采纳跳变；采纳地区的指数增长快于尚未采纳的地区，预设的指数效应因此产生采纳时点效应，"
                   "表中各行与该设计下 Callaway–Sant'Anna 动态效应的预期值比较（e < 0 时也不为零）。")
    return out
