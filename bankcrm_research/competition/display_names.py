"""Chinese display of what notebooks 01 and 06 show besides their sentences: table cells and estimator notes.

One cohesive module for ``--lang zh`` of the competition strand (kept apart from the finding sentences):

* :func:`value_name` / :func:`display_frame`: the names inside table cells (models, terms, tests,
  indicators, bank types, sections, CI methods) in Chinese, from the label files
  (``labels/nb01.yml``, ``labels/nb06.yml``: a cell value ``v`` is looked up as ``value.v``, then
  as ``v``) and a few patterns with numbers in them (``placebo_2010``, ``crv1_t149``, ``L1.nim``,
  ``if_index_100 [10.22 ≤ q < 11.48]``, truth keys ``competition.index_effect.nim.city_commercial``).
  English tables are returned unchanged.
* :func:`note_text`: the estimators' ``notes`` (Callaway–Sant'Anna, Sun–Abraham, threshold, GMM,
  panel models) in Chinese, by one pattern per English template; a note no pattern matches is kept
  in English rather than dropped (``tests/competition/test_display_names.py`` runs every template).
* :func:`truth_note`: notebook 01's note on what the planted index effects are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from bankcrm_research.reporting.labels import label

__all__ = ["VALUE_COLUMNS", "value_name", "display_frame", "note_text", "notes_text", "truth_note", "term_label"]

# Columns whose cells hold names (not numbers) that notebooks 01 and 06 show.
VALUE_COLUMNS = ("outcome", "model", "term", "method", "indicator", "statistic", "test", "preferred", "scope",
                 "role", "quantity", "mediator", "treatment", "ci_method", "section", "bank_type", "estimator", "aggregation")


def _known(key: str, lang: str) -> str | None:
    text = label(key, lang)
    return text if text != key else None


def term_label(term: str, lang: str) -> str:
    """A regressor name for display: ``L1.nim`` -> "净息差（%）（滞后1期）" in Chinese; unchanged in English."""
    if lang != "zh":
        return term
    m = re.fullmatch(r"L(\d+)\.(.+)", term)
    if m:
        return f"{label(m.group(2), lang)}（滞后{m.group(1)}期）"
    return label(term, lang)


_PATTERNS: tuple[tuple[str, Callable[[re.Match[str]], str]], ...] = (
    (r"placebo_(\d{4})", lambda m: f"安慰剂（{m.group(1)}年）"),
    (r"crv1_t(\d+)", lambda m: f"CRV1 聚类标准误，t({m.group(1)})"),
    (r"cluster_bootstrap_(\d+)", lambda m: f"银行聚类自助法（{m.group(1)} 次）"),
    (r"twoway_fe_within_(.+)", lambda m: f"双向固定效应（{label(m.group(1), 'zh')}内部）"),
    (r"explained_variance_pc(\d+)", lambda m: f"第{m.group(1)}主成分解释方差比例"),
    (r"period_(\d{4})", lambda m: f"{m.group(1)}年"),
    (r"(single_vs_linear|double_vs_single)_(0\.\d+)",
     lambda m: f"{value_name(m.group(1), 'zh')}（{float(m.group(2)):.0%} 临界值）"),
    (r"L(\d+)\.(.+)", lambda m: term_label(m.group(0), "zh")),
    (r"(\S+) (\[.*\])", lambda m: f"{label(m.group(1), 'zh')} {m.group(2)}"),
    (r"competition\.[\w.\->]+", lambda m: _quantity(m.group(0))),
)


def _quantity(key: str) -> str:
    """A truth key ``competition.index_effect.nim.city_commercial`` as "指数效应 · 净息差（%） · 城市商业银行"."""
    parts, out = key.split(".")[1:], []
    for i, part in enumerate(parts):
        if "->" in part:
            out.append("→".join(label(p, "zh") for p in part.split("->")))
        elif re.fullmatch(r"-?\d+", part):
            out.append(f"e={part}" if i and parts[i - 1] == "dynamic" else f"{part}年")
        else:
            out.append(value_name(part, "zh"))
    return " · ".join(out)


def value_name(value: Any, lang: str) -> Any:
    """A table cell's name in ``lang``: Chinese from the labels or a pattern; English and numbers unchanged."""
    if lang != "zh" or not isinstance(value, str):
        return value
    for key in (f"value.{value}", value):
        text = _known(key, lang)
        if text is not None:
            return text
    for pattern, render in _PATTERNS:
        m = re.fullmatch(pattern, value)
        if m:
            return render(m)
    return value


def display_frame(df: pd.DataFrame, lang: str, columns: Sequence[str] = VALUE_COLUMNS) -> pd.DataFrame:
    """A copy of ``df`` for ``show_table`` with the names in ``columns`` in ``lang`` (English: unchanged)."""
    out = df.copy()
    if lang != "zh":
        return out
    for col in columns:
        if col in out.columns and out[col].dtype == object:
            out[col] = out[col].map(lambda v: value_name(v, lang))
    return out


# ----------------------------------------------------------------------------------------------- notes
def _controls(m: re.Match[str]) -> str:
    return {"not-yet-treated": "尚未处理单位", "never-treated": "从未处理单位"}.get(m.group(1), m.group(1))


_NOTES: tuple[tuple[str, Callable[[re.Match[str]], str]], ...] = (
    # competition.staggered
    (r"(\d+) units adopt after the last period and count as never treated\.",
     lambda m: f"{m.group(1)} 个单位在最后一期之后才采纳，视为从未采纳。"),
    (r"(\d+) units treated from the first period have no pre-period and were dropped\.",
     lambda m: f"{m.group(1)} 个单位从第一期起即已处理，没有处理前时期，已剔除。"),
    (r"(\d+) group-time cells have no control units \(every unit is treated by then\) and are not estimated, "
     r"e\.g\. (.+)\.",
     lambda m: f"{m.group(1)} 个组别-时间单元没有对照单位（届时所有单位都已处理），未予估计，例如 {m.group(2)}。"),
    (r"Dynamic effects balanced at e ≤ (\S+): cohorts (.+) only\.",
     lambda m: f"动态效应在 e ≤ {m.group(1)} 处平衡：仅含批次 {m.group(2)}。"),
    (r"Conditional parallel trends given (.+) \((doubly robust|outcome regression)\)\.",
     lambda m: f"以 {m.group(1)} 为条件的平行趋势（{'双重稳健' if m.group(2) == 'doubly robust' else '结果回归'}）。"),
    (r"Callaway–Sant'Anna with (\S+) controls, (\S+) base period, (\d+) units × (\d+) periods; SEs from the "
     r"influence function clustered by (\S+)\.",
     lambda m: (f"Callaway–Sant'Anna：以{_controls(m)}为对照，"
                f"{ {'varying': '逐期变动', 'universal': '统一'}.get(m.group(2), m.group(2)) }基期，"
                f"{m.group(3)} 个单位 × {m.group(4)} 期；标准误由影响函数计算，按 {m.group(5)} 聚类。")),
    (r"No never-treated units: cohort (\S+) serves as the control; periods ≥ (\S+) dropped\.",
     lambda m: f"没有从未处理的单位：以 {m.group(1)} 年采纳批次作为对照，剔除 {m.group(2)} 年及以后的时期。"),
    (r"(\d+) cohort × event-time cells were collinear and dropped\.",
     lambda m: f"{m.group(1)} 个批次 × 事件时间单元存在共线性，已剔除。"),
    (r"Sun–Abraham: (\d+) cohort × event-time coefficients \(reference e = -1\), CRV1 errors clustered by (\S+), "
     r"t\((\d+)\) intervals\.",
     lambda m: (f"Sun–Abraham：{m.group(1)} 个批次 × 事件时间系数（参照期 e = -1），CRV1 标准误按 {m.group(2)} 聚类，"
                f"置信区间基于 t({m.group(3)}) 分布。")),
    # competition.threshold
    (r"Threshold search over (\d+) quantiles of (\S+) \(trim (\S+)\), (\d+) units × (\d+) periods, (\w+) demeaning"
     r"( with period effects)?; F tests with (\d+) fixed-regressor bootstrap draws\.",
     lambda m: (f"在 {m.group(2)} 的 {m.group(1)} 个分位点上搜索门槛（两端各修剪 {m.group(3)}），{m.group(4)} 个单位 × "
                f"{m.group(5)} 期，{ {'within': '组内', 'hansen': 'Hansen 式组内'}.get(m.group(6), m.group(6)) }去均值"
                f"{'（含时期效应）' if m.group(7) else ''}；F 检验基于 {m.group(8)} 次固定解释变量自助抽样。")),
    (r"Threshold CI: LR\(γ\) < (\S+) \(Hansen 2000; conservative under heteroskedasticity\)\.",
     lambda m: f"门槛置信区间：LR(γ) < {m.group(1)}（Hansen 2000；存在异方差时偏保守）。"),
    (r"The single-threshold test does not reject linearity at (\S+) \(bootstrap p = (\S+)\); the regime slopes are "
     r"then not distinguishable\.",
     lambda m: f"单门槛检验在 {m.group(1)} 水平上不拒绝线性（自助法 p = {m.group(2)}）；各区制斜率因此无法区分。"),
    # competition.dynamic_panel
    (r"(Difference|System) GMM, (\d)-step( \(Windmeijer-corrected SEs\)| \(robust SEs\)), (\d+) instruments"
     r"( \(collapsed\))? for (\d+) parameters, (\d+) units, (\d+) differenced observations\.",
     lambda m: (f"{'差分' if m.group(1) == 'Difference' else '系统'}GMM，{m.group(2)}步"
                f"（{'Windmeijer 修正标准误' if 'Windmeijer' in m.group(3) else '稳健标准误'}），{m.group(4)} 个工具变量"
                f"{'（折叠）' if m.group(5) else ''}，{m.group(6)} 个参数，{m.group(7)} 个单位，{m.group(8)} 个差分观测。")),
    (r"More instruments \((\d+)\) than units \((\d+)\): Hansen's J is weakened and two-step SEs can be too small; "
     r"use collapse=True or fewer lags \(Roodman 2009\)\.",
     lambda m: (f"工具变量数（{m.group(1)}）多于单位数（{m.group(2)}）：Hansen J 检验被削弱，两步标准误可能偏小；"
                "请使用 collapse=True 或减少滞后阶数（Roodman 2009）。")),
    # competition.panel
    (r"Standard errors clustered by (\S+) \(CRV1, small-sample factor G/\(G-1\)·\(N-1\)/\(N-K\), t with G-1 df; "
     r"G = (\d+)\)\.",
     lambda m: (f"标准误按 {m.group(1)} 聚类（CRV1，小样本修正 G/(G-1)·(N-1)/(N-K)，t 分布自由度 G-1；"
                f"G = {m.group(2)}）。")),
    (r"Wild cluster bootstrap \(WCR, (\d+) reps\) p-values in p_value_wild\.",
     lambda m: f"野聚类自助法（WCR，{m.group(1)} 次）p 值见 p_value_wild 列。"),
    (r"CRV1 by (\S+)", lambda m: f"CRV1，按 {m.group(1)} 聚类"),
    (r"clustered by (\S+) \(linearmodels\)", lambda m: f"按 {m.group(1)} 聚类（linearmodels）"),
)


def note_text(note: str, lang: str) -> str:
    """One estimator note in ``lang`` (Chinese by its template; kept in English when no template matches)."""
    if lang != "zh":
        return note
    for pattern, render in _NOTES:
        m = re.fullmatch(pattern, note.strip())
        if m:
            return render(m)
    return note


def notes_text(notes: Iterable[str], lang: str) -> list[str]:
    """:func:`note_text` of each note."""
    return [note_text(n, lang) for n in notes]


def truth_note(planted: Mapping[str, Any], lang: str) -> str | None:
    """What notebook 01's planted index effects are (``truth.json``'s competition block), or None."""
    note = planted.get("index_effect_note")
    if not note:
        return None
    if lang == "zh":
        return ("预设的指数效应是总效应：净息差的效应包含经由存款成本的渠道（见 competition.mediation）。"
                if "deposit-cost channel" in str(note) else f"预设的指数效应：{note}。")
    return f"Planted index effects are {note}."
