"""What notebook 01 runs on: tables, columns, the index, years and which sections run, and why.

The own-data contract (DESIGN.md, issue 11) for the competition notebook, in one place:

* **Never mix.** Both paths ``None`` = the bundled simulated panel and indicators. A user's panel
  without an indicators file uses the panel's own index column (``index_column`` ``None`` = auto:
  ``if_index``); when it has none, the run stops with a message saying how to supply one. A user's
  indicators file without a panel runs the index sections only; the bundled panel is never attached
  to a user's index (nor the bundled index to a user's panel).
* **Auto.** Bank type, exposure, sub-indicators, the placebo year and the staggered-adoption
  threshold are found in the data (bundled spec on the bundled data); what auto chose is returned
  as ``(parameter, value, sentence)`` for the notebook to show and record.
* **Degrade.** A section whose input is absent is skipped with one sentence (what is missing, how to
  supply it): no bank type → no heterogeneity table, no exposure → no event study, a shock year
  outside the data → no event study, no pre-shock year for a placebo → no placebo.
* **Units.** Effects are per index point (``index_scale`` 1) unless a scale is set; the bundled
  data's auto scale is 100 points, the unit of its planted truth.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bankcrm_research.competition._inputs_common import _IndexInputs, _t, sheet_for
from bankcrm_research.data.load import load_bank_panel, load_internet_finance_indicators
from bankcrm_research.data.names import closest_names
from bankcrm_research.data.roles import resolve_column

__all__ = [
    "DEFAULT_OUTCOMES", "DEFAULT_CONTROLS", "SUB_INDICATORS", "PKU_DIMENSION_COLUMNS", "Section",
    "CompetitionInputs", "resolve_competition_inputs", "auto_placebo_year", "sheet_for",
]

DEFAULT_OUTCOMES = ("demand_deposit_share", "deposit_cost", "nim", "roa")
DEFAULT_CONTROLS = ("log_assets",)
SUB_INDICATORS = ("account_coverage", "payment", "monetary_fund", "p2p_lending", "digital_credit", "insurance",
                  "investment")
PKU_DIMENSION_COLUMNS = ("coverage_breadth", "usage_depth", "digitization_level")
BUNDLED_SCALE = 100.0
BUNDLED_THRESHOLD = 200.0

_TITLES = {
    "index_construction": ("Building an internet-finance index", "构建互联网金融指数"),
    "pku_index": ("Rebuilt vs official PKU index", "重建指数与北大官方指数对比"),
    "panel_models": ("Panel models", "面板模型"),
    "heterogeneity": ("Heterogeneity by bank type", "按银行类型的异质性"),
    "quadratic": ("U-shaped risk effect", "U型风险效应"),
    "event_study": ("Yu'ebao event study and DiD", "余额宝事件研究与双重差分"),
    "placebo": ("Placebo DiD", "安慰剂双重差分"),
    "staggered": ("Staggered regional adoption", "地区交错采纳"),
    "truth": ("Truth beside estimate", "真值与估计对照"),
}


_PURPOSE_ZH = {"effects by bank type": "按银行类型的效应", "the Yu'ebao event study": "余额宝事件研究"}


@dataclass(frozen=True)
class Section:
    """Whether a notebook section runs; if not, why (``reason``) and how to make it run (``fix``)."""

    key: str
    runs: bool
    reason: str = ""
    fix: str = ""

    def title(self, lang: str = "en") -> str:
        en, zh = _TITLES.get(self.key, (self.key, self.key))
        return zh if lang == "zh" else en


@dataclass(frozen=True)
class CompetitionInputs(_IndexInputs):
    """Resolved inputs of notebook 01 (see the module docstring).

    ``banks`` is the bank panel with the index (``index_column``) and the regressor (the index
    divided by ``index_scale``) attached, or ``None`` when no panel is analysed. :meth:`unit` reads
    ``per index point`` or ``per 100 index points``; :meth:`announce` records the auto choices.
    """

    _UNIT_WORDS = ("per index point", "per {s:g} index points", "每个指数点", "每{s:g}个指数点")

    panel: pd.DataFrame | None
    indicators: pd.DataFrame | None
    banks: pd.DataFrame | None
    simulated: bool
    index_column: str | None
    index_source: str  # "indicators", "panel" or "none"
    index_scale: float
    regressor: str | None
    outcomes: tuple[str, ...]
    controls: tuple[str, ...]
    index_indicators: tuple[str, ...]
    bank_type_column: str | None
    exposure_column: str | None
    event_outcome: str | None
    quadratic_outcome: str | None
    shock_year: int
    ref_year: int
    placebo_year: int | None
    adoption_threshold: float | None
    sections: Mapping[str, Section]
    choices: tuple[tuple[str, Any, str], ...] = field(default=())
    lang: str = "en"

    def runs(self, key: str) -> bool:
        return self.sections[key].runs

    def section(self, key: str) -> bool:
        """True when section ``key`` runs; otherwise show and record why it is skipped."""
        s = self.sections[key]
        if not s.runs:
            from bankcrm_research.reporting import skip_section

            skip_section(key, s.title(self.lang), s.reason, s.fix)
        return s.runs

    def regressor_label(self, lang: str | None = None) -> str:
        from bankcrm_research.reporting import label

        lang = lang or self.lang
        base = label(self.index_column or "if_index", lang)
        return f"{base}（{self.unit(lang)}）" if lang == "zh" else f"{base} ({self.unit(lang)})"


def auto_placebo_year(years: Sequence[int], shock_year: int) -> int | None:
    """The middle pre-shock year with at least one earlier year (None when there is none).

    Bundled 2008–2023 with the 2013 shock: pre-shock years 2008–2012 → 2010.
    """
    pre = sorted({int(y) for y in years if int(y) < shock_year})
    if len(pre) < 2:
        return None
    return pre[max(1, len(pre) // 2)]


def _pick_list(table: pd.DataFrame, param: str, given: Sequence[str] | None, default: Sequence[str],
               table_name: str) -> tuple[list[str], bool]:
    """Given list (must exist) or the default list (absent names dropped). Returns (names, auto)."""
    if given is None or list(given) == list(default):
        return [c for c in default if c in table.columns and table[c].notna().any()], True
    if isinstance(given, str):
        given = [given]
    missing = [c for c in given if c not in table.columns]
    if missing:
        hints = {c: closest_names(c, [str(x) for x in table.columns], n=3) for c in missing}
        raise ValueError(
            f"{param}={list(given)!r}: {missing} not in {table_name}; closest: {hints}. Fix: map your columns with "
            f"columns={{'{table_name.split()[0]}': {{'<canonical>': '<your column>'}}}} or leave {param} at its default."
        )
    return list(given), False


def resolve_competition_inputs(
    *,
    panel_path: Any = None,
    indicators_path: Any = None,
    columns: Mapping[str, Mapping[str, str]] | None = None,
    sheet: Any = None,
    date_format: Any = None,
    outcomes: Sequence[str] | None = DEFAULT_OUTCOMES,
    controls: Sequence[str] | None = DEFAULT_CONTROLS,
    bank_type_column: str | None = None,
    index_column: str | None = None,
    index_scale: float | None = None,
    index_indicators: Sequence[str] | None = None,
    quadratic_outcome: str | None = "npl_ratio",
    event_outcome: str | None = "demand_deposit_share",
    exposure_column: str | None = None,
    shock_year: int = 2013,
    placebo_year: int | None = None,
    adoption_threshold: float | None = None,
    lang: str = "en",
) -> CompetitionInputs:
    """Load the tables of notebook 01 through the data layer and decide what runs.

    Raises
    ------
    ValueError
        A column named explicitly is missing (closest names given); a user panel has no index column
        and no indicators file is given; an explicit ``placebo_year`` is not a pre-shock year of the data;
        ``index_scale`` is not positive.
    """
    columns = dict(columns or {})
    simulated = panel_path is None and indicators_path is None
    if index_scale is not None and not (isinstance(index_scale, (int, float)) and index_scale > 0):
        raise ValueError(f"The 'index_scale' parameter must be a positive number or None (auto). Got {index_scale!r}. "
                         f"Fix: e.g. index_scale=100 for effects per 100 index points.")
    choices: list[tuple[str, Any, str]] = []
    sections: dict[str, Section] = {}
    L = lang

    def skip(key: str, reason: str, fix: str) -> None:
        sections[key] = Section(key, False, reason, fix)

    panel = None
    if panel_path is not None or simulated:
        panel = load_bank_panel(panel_path, columns=columns.get("bank_panel"), sheet=sheet_for(sheet, "bank_panel"),
                                date_format=date_format)
    indicators = None
    if indicators_path is not None or simulated:
        indicators = load_internet_finance_indicators(
            indicators_path, columns=columns.get("internet_finance_indicators"),
            sheet=sheet_for(sheet, "internet_finance_indicators"), date_format=date_format)

    # ---- the index: from the indicators file, else the panel's own column; never mixed
    if indicators is not None:
        ch = resolve_column(indicators, "index_column", index_column, default="if_index",
                            table_name="internet_finance_indicators", purpose="the internet-finance index")
        if ch.column is None:
            raise ValueError(
                "internet_finance_indicators has no internet-finance index column ('if_index'). Fix: map yours with "
                "columns={'internet_finance_indicators': {'if_index': '<your column>'}} or set index_column.")
        idx_col, source = ch.column, "indicators"
        src_sentence = _t(L, f"the index is `{idx_col}` from the indicators file",
                          f"指数取自指标文件的 `{idx_col}` 列")
    elif panel is not None:
        ch = resolve_column(panel, "index_column", index_column, default="if_index",
                            table_name="bank_panel", purpose="the internet-finance index")
        if ch.column is None:
            raise ValueError(
                "bank_panel has no internet-finance index column ('if_index') and no indicators file was given. "
                "Fix: map your panel's index column with columns={'bank_panel': {'if_index': '<your column>'}}, or "
                "give indicators_path (a province × year file with if_index) and a province column in the panel. "
                "The bundled simulated index is never attached to your panel.")
        idx_col, source = ch.column, "panel"
        src_sentence = _t(L, f"no indicators file: the index is the panel's own column `{idx_col}`",
                          f"未提供指标文件：指数取自面板自身的 `{idx_col}` 列")
    else:  # pragma: no cover - at least one table is always loaded
        idx_col, source, src_sentence = None, "none", ""
    if index_column is None:
        choices.append(("index_column", idx_col, src_sentence + _t(L, ".", "。")))

    scale = float(index_scale) if index_scale is not None else (BUNDLED_SCALE if simulated else 1.0)
    if index_scale is None:
        choices.append(("index_scale", scale, _t(
            L, f"effects are reported per {'index point' if scale == 1 else f'{scale:g} index points'}"
               + (" (the unit of the planted truth)." if simulated else "; set index_scale (e.g. 100) to change."),
            f"效应按{'每个指数点' if scale == 1 else f'每{scale:g}个指数点'}报告"
            + ("（与模拟数据的真值单位一致）。" if simulated else "；可设置 index_scale（如 100）修改。"))))

    # ---- sub-indicators of the index
    sub: list[str] = []
    if indicators is not None:
        if index_indicators is None:
            sub = [c for c in SUB_INDICATORS if c in indicators.columns and indicators[c].notna().any()]
            if len(sub) < 2:
                sub = [c for c in PKU_DIMENSION_COLUMNS if c in indicators.columns and indicators[c].notna().any()]
            choices.append(("index_indicators", sub, _t(
                L, f"index sub-indicators: the {len(sub)} present in the indicators file ({', '.join(sub) or 'none'}).",
                f"指数分项：指标文件中现有的 {len(sub)} 个（{'、'.join(f'`{c}`' for c in sub) or '无'}）。")))
        else:
            sub, _ = _pick_list(indicators, "index_indicators", list(index_indicators), [],
                                "internet_finance_indicators")
        if len(sub) >= 2:
            sections["index_construction"] = Section("index_construction", True)
        else:
            skip("index_construction", _t(L, "The indicators file has fewer than two sub-indicators.",
                                          "指标文件的分项指标少于两个。"),
                 _t(L, "add sub-indicator columns (e.g. payment, insurance, digital_credit) or set index_indicators.",
                    "加入分项指标列（如 payment、insurance、digital_credit）或设置 index_indicators。"))
    else:
        skip("index_construction", _t(L, "No indicators file was given, so there are no sub-indicators to weight.",
                                      "未提供指标文件，没有可加权的分项指标。"),
             _t(L, "set indicators_path to a province × year file with sub-indicator columns.",
                "将 indicators_path 设为含分项指标的省份 × 年份文件。"))

    # ---- the panel, its columns and the analysis frame
    banks = None
    outs: list[str] = []
    ctrls: list[str] = []
    btype = expo = ev_out = q_out = None
    years: list[int] = []
    if panel is None:
        for key in ("panel_models", "heterogeneity", "quadratic", "event_study", "placebo", "staggered"):
            skip(key, _t(L, "No bank panel was given (the bundled panel is not mixed with your indicators).",
                         "未提供银行面板（不会把内置面板与您的指标混用）。"),
                 _t(L, "set panel_path to your bank × year file.", "将 panel_path 设为您的银行 × 年份文件。"))
    else:
        outs, auto_out = _pick_list(panel, "outcomes", outcomes, DEFAULT_OUTCOMES, "bank_panel")
        if auto_out and not simulated:
            choices.append(("outcomes", outs, _t(L, f"outcomes: the default outcomes present in the panel ({', '.join(outs)}).",
                                                 f"结果变量：面板中现有的默认结果变量（{'、'.join(outs)}）。")))
        if not outs:
            raise ValueError("bank_panel has none of the outcome columns " + str(list(DEFAULT_OUTCOMES))
                             + ". Fix: set outcomes=[...] to columns of your panel or map them in columns.")
        ctrls, auto_ctrl = _pick_list(panel, "controls", controls, DEFAULT_CONTROLS, "bank_panel")
        if auto_ctrl and not simulated and list(ctrls) != list(DEFAULT_CONTROLS):
            choices.append(("controls", ctrls, _t(L, "controls: none of the default controls (log_assets) are in the panel.",
                                                  "控制变量：面板中没有默认控制变量（log_assets）。")))
        if source == "indicators":
            from bankcrm_research.competition.index import attach_index

            if "province" not in panel.columns:
                raise ValueError(
                    "bank_panel has no 'province' column, needed to match the indicators file's province × year index "
                    "to banks. Fix: map it with columns={'bank_panel': {'province': '<your column>'}}, or leave "
                    "indicators_path unset and give the index as a column of the panel.")
            banks = attach_index(panel, indicators, index_column=idx_col, scale=BUNDLED_SCALE)
            banks = banks.drop(columns=[f"{idx_col}_{int(BUNDLED_SCALE)}"])
        else:
            banks = panel.copy()
        regressor = idx_col if scale == 1 else f"{idx_col}_{scale:g}"
        banks[regressor] = banks[idx_col] / scale
        years = sorted(int(y) for y in banks["year"].dropna().unique())
        sections["panel_models"] = Section("panel_models", True)

        def auto_col(param: str, given: str | None, default: str, purpose: str) -> str | None:
            c = resolve_column(panel, param, given, default=default, table_name="bank_panel", purpose=purpose)
            if given is None and not simulated:
                pz = _PURPOSE_ZH.get(purpose, purpose)
                zh = (f"{param} = '{c.column}'（自动：在面板中找到），用于{pz}。" if c.column else
                      f"{param}：面板中没有用于{pz}的列（查找了 '{default}'）。")
                choices.append((param, c.column, zh if L == "zh" else c.sentence))
            return c.column

        btype = auto_col("bank_type_column", bank_type_column, "bank_type", "effects by bank type")
        if btype is not None and panel[btype].nunique() >= 2:
            sections["heterogeneity"] = Section("heterogeneity", True)
        else:
            skip("heterogeneity", _t(L, "The panel has no bank-type column with two or more types.",
                                     "面板中没有包含两种及以上类型的银行类型列。"),
                 _t(L, "map your bank-type column with columns={'bank_panel': {'bank_type': '<your column>'}}.",
                    "用 columns={'bank_panel': {'bank_type': '<您的列>'}} 映射银行类型列。"))

        q_out = quadratic_outcome if quadratic_outcome in panel.columns else None
        if quadratic_outcome is not None and q_out is None and quadratic_outcome != "npl_ratio":
            resolve_column(panel, "quadratic_outcome", quadratic_outcome, table_name="bank_panel")
        if q_out is not None:
            sections["quadratic"] = Section("quadratic", True)
        else:
            skip("quadratic", _t(L, "The panel has no NPL-ratio (or other risk) column for the quadratic model.",
                                 "面板中没有用于二次模型的不良贷款率（或其他风险）列。"),
                 _t(L, "map it with columns={'bank_panel': {'npl_ratio': '<your column>'}} or set quadratic_outcome.",
                    "用 columns={'bank_panel': {'npl_ratio': '<您的列>'}} 映射，或设置 quadratic_outcome。"))

        expo = auto_col("exposure_column", exposure_column, "yuebao_exposure", "the Yu'ebao event study")
        ev_out = event_outcome if event_outcome in panel.columns else None
        if event_outcome is not None and ev_out is None and event_outcome != "demand_deposit_share":
            resolve_column(panel, "event_outcome", event_outcome, table_name="bank_panel")
        ref = shock_year - 1
        if expo is None:
            skip("event_study", _t(L, "The panel has no exposure column (e.g. each bank's 2012 retail demand-deposit share).",
                                   "面板中没有冲击敞口列（如各银行2012年零售活期存款占比）。"),
                 _t(L, "map it with columns={'bank_panel': {'yuebao_exposure': '<your column>'}}.",
                    "用 columns={'bank_panel': {'yuebao_exposure': '<您的列>'}} 映射。"))
        elif ev_out is None:
            skip("event_study", _t(L, "The panel has no event-study outcome (demand-deposit share).",
                                   "面板中没有事件研究的结果变量（活期存款占比）。"),
                 _t(L, "set event_outcome to a column of your panel.", "将 event_outcome 设为面板中的列。"))
        elif ref not in years or not any(y >= shock_year for y in years):
            skip("event_study", _t(L, f"The panel's years ({years[0]}–{years[-1]}) do not contain {ref} and a "
                                      f"year from {shock_year} on.",
                                   f"面板年份（{years[0]}–{years[-1]}）不包含 {ref} 年及 {shock_year} 年之后的年份。"),
                 _t(L, "set shock_year so that shock_year - 1 and later years are in the data.",
                    "设置 shock_year，使 shock_year - 1 及之后的年份都在数据中。"))
        else:
            sections["event_study"] = Section("event_study", True)

        pyear = placebo_year
        if sections["event_study"].runs:
            if placebo_year is None:
                pyear = auto_placebo_year(years, shock_year)
                if not simulated:
                    choices.append(("placebo_year", pyear, _t(
                        L, f"placebo year {pyear}: the middle pre-shock year of the data." if pyear else
                        "no placebo year: fewer than two pre-shock years.",
                        f"安慰剂年份 {pyear}：数据中冲击前年份的中间一年。" if pyear else "无安慰剂年份：冲击前年份少于两个。")))
            elif not (int(placebo_year) < shock_year and int(placebo_year) in years and int(placebo_year) > years[0]):
                raise ValueError(
                    f"The 'placebo_year' parameter ({placebo_year}) must be a year of the data after its first year "
                    f"({years[0]}) and before shock_year ({shock_year}). Fix: choose one of "
                    f"{[y for y in years if years[0] < y < shock_year]} or None (auto).")
            if pyear is not None:
                sections["placebo"] = Section("placebo", True)
            else:
                skip("placebo", _t(L, f"The data have fewer than two years before {shock_year}.",
                                   f"数据中 {shock_year} 年之前的年份少于两个。"),
                     _t(L, "supply earlier years.", "提供更早年份的数据。"))
        else:
            skip("placebo", _t(L, "The event study does not run.", "事件研究未运行。"),
                 sections["event_study"].fix)
        placebo_year = pyear

        if "province" in banks.columns and banks["province"].notna().any() and ev_out is not None:
            thr = adoption_threshold
            if thr is None:
                thr = BUNDLED_THRESHOLD if simulated else float(np.round(np.nanmedian(banks[idx_col]), 1))
                if not simulated:
                    choices.append(("adoption_threshold", thr, _t(
                        L, f"adoption threshold {thr:g} index points: the median of the index over bank-years.",
                        f"采纳阈值 {thr:g} 个指数点：银行-年度指数的中位数。")))
            adoption_threshold = thr
            sections["staggered"] = Section("staggered", True)
        else:
            skip("staggered", _t(L, "Staggered adoption needs a province column and the event-study outcome in the panel.",
                                 "交错采纳需要面板中的省份列和事件研究结果变量。"),
                 _t(L, "map columns={'bank_panel': {'province': '<your column>', 'demand_deposit_share': '<your column>'}}.",
                    "映射 columns={'bank_panel': {'province': '<您的列>', 'demand_deposit_share': '<您的列>'}}。"))

    if simulated:
        sections["truth"] = Section("truth", True)
    else:
        skip("truth", _t(L, "Your data have no planted truth (only the bundled simulated data do).",
                         "您的数据没有预设真值（只有内置模拟数据有）。"),
             _t(L, "nothing to do; run with the bundled data to see estimate vs truth.",
                "无需操作；使用内置模拟数据运行可查看估计与真值对照。"))

    return CompetitionInputs(
        panel=panel, indicators=indicators, banks=banks, simulated=simulated, index_column=idx_col,
        index_source=source, index_scale=scale,
        regressor=(None if banks is None else (idx_col if scale == 1 else f"{idx_col}_{scale:g}")),
        outcomes=tuple(outs), controls=tuple(ctrls), index_indicators=tuple(sub), bank_type_column=btype,
        exposure_column=expo, event_outcome=ev_out, quadratic_outcome=q_out, shock_year=int(shock_year),
        ref_year=int(shock_year) - 1, placebo_year=placebo_year, adoption_threshold=adoption_threshold,
        sections=sections, choices=tuple(choices), lang=lang,
    )
