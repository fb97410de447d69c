"""What notebook 06 (competition mechanisms) runs on: the panel, its columns and which sections run.

The own-data contract (DESIGN.md, issue 11) for the mechanisms notebook, in one place:

* **Never mix.** Both paths ``None`` = the bundled simulated panel and indicators. A user's panel
  without an indicators file uses the panel's own index column (``index_column`` ``None`` = auto:
  ``if_index``); a user's indicators file is attached to a user's panel by province and year. An
  indicators file without a panel is refused (every section of notebook 06 needs a bank panel).
* **Auto** (``None``): the bundled spec on the bundled data, otherwise found in the data — the
  index unit (100 points bundled, 1 point on yours), the adoption threshold (bundled 200; yours: the
  median of the index over region-years), the adoption region (province when present, else each
  bank), mediation controls and GMM regressors (``log_assets`` when present), the threshold
  variable (``log_assets``, else ``capital_ratio``), the threshold and persistence outcome (``nim``),
  the bank-type column (``bank_type``). What auto chose is returned as ``(parameter, value,
  sentence)`` for the notebook to show and record.
* **Degrade.** A section whose input is absent is skipped with one sentence (what is missing, how
  to supply it); a default ``[mediator, outcome]`` channel whose columns are absent is skipped on its
  own. A name the user gave explicitly that is missing is an error with the closest names.
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
    "DEFAULT_CHANNELS", "DEFAULT_EVENT_OUTCOME", "BUNDLED_SCALE", "BUNDLED_THRESHOLD", "MechanismSection",
    "MechanismInputs", "resolve_mechanism_inputs", "auto_adoption_threshold",
]

DEFAULT_CHANNELS = (("deposit_cost", "nim"), ("npl_ratio", "roa"))
DEFAULT_EVENT_OUTCOME = "demand_deposit_share"
BUNDLED_SCALE = 100.0
BUNDLED_THRESHOLD = 200.0
THRESHOLD_VARIABLES = ("log_assets", "capital_ratio")

_TITLES = {
    "data": ("Data", "数据"),
    "staggered": ("1 · Staggered adoption: group-time effects instead of one TWFE coefficient",
                  "1 · 交错采纳：组别-时间效应而非单一双向固定效应系数"),
    "mediation": ("2 · Channels: does internet finance move outcomes through a mediator?",
                  "2 · 传导渠道：互联网金融是否通过中介变量影响结果？"),
    "mediation_by_type": ("The same channels within bank types", "分银行类型的传导渠道"),
    "threshold": ("3 · Thresholds: does the index effect change with a bank characteristic?",
                  "3 · 门槛效应：指数效应是否随银行特征变化？"),
    "dynamic_gmm": ("4 · Persistence: dynamic panel GMM", "4 · 持续性：动态面板GMM"),
    "truth": ("Truth beside estimate (simulated data only)", "真值与估计对照（仅模拟数据）"),
    "findings": ("Findings", "主要发现"),
}


@dataclass(frozen=True)
class MechanismSection:
    """Whether a notebook section runs; if not, why (``reason``) and how to make it run (``fix``)."""

    key: str
    runs: bool
    reason: str = ""
    fix: str = ""
    title_en: str = ""
    title_zh: str = ""

    def title(self, lang: str = "en") -> str:
        en, zh = _TITLES.get(self.key, (self.title_en or self.key, self.title_zh or self.key))
        return zh if lang == "zh" else en


@dataclass(frozen=True)
class MechanismInputs(_IndexInputs):
    """Resolved inputs of notebook 06 (see the module docstring).

    ``banks`` is the bank panel with the index (``index_column``), the regressor ``treatment`` (the
    index divided by ``index_scale``) and ``adoption_cohort`` (first year the adoption region's index
    reaches ``adoption_threshold``; 0 = never, ``None`` threshold = no cohorts). :meth:`unit` reads
    ``+1 index point`` or ``+100 index points``; :meth:`announce` records the auto choices.
    """

    _UNIT_WORDS = ("+1 index point", "+{s:g} index points", "每1个指数点", "每{s:g}个指数点")

    banks: pd.DataFrame
    simulated: bool
    index_column: str
    index_source: str  # "indicators" or "panel"
    index_scale: float
    treatment: str
    adoption_region: str
    adoption_threshold: float | None
    event_outcome: str | None
    event_covariates: tuple[str, ...]
    channels: tuple[tuple[str, str], ...]
    mediation_controls: tuple[str, ...]
    bank_type_column: str | None
    threshold_outcome: str | None
    threshold_variable: str | None
    persistence_outcome: str | None
    gmm_regressors: Mapping[str, list[int]]
    gmm_instruments: Mapping[str, tuple[int, int | None]]
    sections: Mapping[str, MechanismSection]
    choices: tuple[tuple[str, Any, str], ...] = field(default=())
    lang: str = "en"

    def runs(self, key: str) -> bool:
        return key in self.sections and self.sections[key].runs

    def title(self, key: str) -> str:
        s = self.sections.get(key)
        return s.title(self.lang) if s is not None else MechanismSection(key, True).title(self.lang)

    def section(self, key: str) -> bool:
        """True when section ``key`` runs; otherwise show and record why it is skipped."""
        s = self.sections[key]
        if not s.runs:
            from bankcrm_research.reporting import skip_section

            skip_section(key, s.title(self.lang), s.reason, s.fix)
        return s.runs

    def skip_channels(self) -> list[str]:
        """Show and record each default channel skipped for absent columns; returns their keys."""
        keys = [k for k in self.sections if k.startswith("channel_") and not self.sections[k].runs]
        for k in keys:
            self.section(k)
        return keys



def auto_adoption_threshold(banks: pd.DataFrame, index_column: str, region: str, time: str = "year") -> float:
    """Median of the index over region-years (one value per region and year), rounded to 0.1.

    Half of the region-years are then "adopted": cohorts spread over the middle of the sample, with
    not-yet-treated regions as controls. Report results for more than one threshold.
    """
    per = banks.groupby([region, time])[index_column].mean().dropna()
    return float(np.round(np.median(per.to_numpy(float)), 1))


def _check_list(table: pd.DataFrame, param: str, names: Sequence[str], table_name: str = "bank_panel") -> None:
    missing = [c for c in names if c not in table.columns]
    if missing:
        hints = {c: closest_names(c, [str(x) for x in table.columns], n=3) for c in missing}
        raise ValueError(
            f"{param}: {missing} not in {table_name}; closest: {hints}. Fix: name columns of your panel (canonical "
            f"names after the mapping) or map them with columns={{'bank_panel': {{'<canonical>': '<your column>'}}}}.")


def _usable(df: pd.DataFrame, col: str | None) -> bool:
    return col is not None and col in df.columns and bool(df[col].notna().any())


def resolve_mechanism_inputs(
    *,
    bank_panel_path: Any = None,
    indicators_path: Any = None,
    columns: Mapping[str, Mapping[str, str]] | None = None,
    sheet: Any = None,
    date_format: Any = None,
    index_column: str | None = None,
    index_scale: float | None = None,
    adoption_threshold: float | None = None,
    event_outcome: str | None = DEFAULT_EVENT_OUTCOME,
    control_group: str = "not_yet_treated",
    event_covariates: Sequence[str] | None = (),
    channels: Sequence[Sequence[str]] | None = None,
    mediation_controls: Sequence[str] | None = None,
    bank_type_column: str | None = None,
    threshold_outcome: str | None = None,
    threshold_variable: str | None = None,
    persistence_outcome: str | None = None,
    gmm_regressors: Mapping[str, Sequence[int]] | None = None,
    gmm_instruments: Mapping[str, Sequence[int | None]] | None = None,
    lang: str = "en",
) -> MechanismInputs:
    """Load the tables of notebook 06 through the data layer and decide what runs.

    Raises
    ------
    ValueError
        No bank panel with a user's indicators file; no index column; a column named explicitly is
        missing (closest names given); a province column is needed to attach an indicators file;
        ``index_scale`` is not positive.
    """
    columns = dict(columns or {})
    L = lang
    simulated = bank_panel_path is None and indicators_path is None
    if bank_panel_path is None and indicators_path is not None:
        raise ValueError(
            "Notebook 06 needs a bank panel: indicators_path is set but bank_panel_path is not, and the bundled "
            "simulated panel is never mixed with your indicators. Fix: set bank_panel_path to your bank × year file.")
    if index_scale is not None and not (isinstance(index_scale, (int, float)) and index_scale > 0):
        raise ValueError(f"The 'index_scale' parameter must be a positive number or None (auto). Got {index_scale!r}. "
                         f"Fix: e.g. index_scale=100 for effects per 100 index points.")
    choices: list[tuple[str, Any, str]] = []
    sections: dict[str, MechanismSection] = {}

    def skip(key: str, reason: str, fix: str, **titles: str) -> None:
        sections[key] = MechanismSection(key, False, reason, fix, **titles)

    def run(key: str) -> None:
        sections[key] = MechanismSection(key, True)

    def auto(param: str, value: Any, en: str, zh: str) -> None:
        choices.append((param, value, _t(L, en, zh)))

    panel = load_bank_panel(bank_panel_path, columns=columns.get("bank_panel"),
                            sheet=sheet_for(sheet, "bank_panel"), date_format=date_format)
    indicators = None
    if indicators_path is not None or simulated:
        indicators = load_internet_finance_indicators(
            indicators_path, columns=columns.get("internet_finance_indicators"),
            sheet=sheet_for(sheet, "internet_finance_indicators"), date_format=date_format)

    # ---- the index and its unit
    scale = float(index_scale) if index_scale is not None else (BUNDLED_SCALE if simulated else 1.0)
    if indicators is not None:
        ch = resolve_column(indicators, "index_column", index_column, default="if_index",
                            table_name="internet_finance_indicators", purpose="the internet-finance index")
        if ch.column is None:
            raise ValueError("internet_finance_indicators has no index column ('if_index'). Fix: map yours with "
                             "columns={'internet_finance_indicators': {'if_index': '<your column>'}}.")
        if "province" not in panel.columns:
            raise ValueError(
                "bank_panel has no 'province' column, needed to attach the indicators file's province × year index. "
                "Fix: map it with columns={'bank_panel': {'province': '<your column>'}}, or leave indicators_path "
                "unset and give the index as a column of the panel (if_index).")
        from bankcrm_research.competition.index import attach_index

        idx, source = ch.column, "indicators"
        banks = attach_index(panel, indicators, index_column=idx, scale=scale)
        src_en, src_zh = f"the index is `{idx}` from the indicators file", f"指数取自指标文件的 `{idx}` 列"
    else:
        ch = resolve_column(panel, "index_column", index_column, default="if_index", table_name="bank_panel",
                            purpose="the internet-finance index")
        if ch.column is None:
            raise ValueError(
                "bank_panel has no internet-finance index column ('if_index') and no indicators file was given. Fix: "
                "map your panel's index column with columns={'bank_panel': {'if_index': '<your column>'}}, or give "
                "indicators_path (province × year, with if_index) and a province column in the panel. The bundled "
                "simulated index is never attached to your panel.")
        idx, source = ch.column, "panel"
        banks = panel.copy()
        src_en, src_zh = f"no indicators file: the index is the panel's own column `{idx}`", \
            f"未提供指标文件：指数取自面板自身的 `{idx}` 列"
    treatment = idx if scale == 1 else f"{idx}_{scale:g}"
    banks[treatment] = banks[idx] / scale
    if index_column is None and not simulated:
        auto("index_column", idx, src_en + ".", src_zh + "。")
    if index_scale is None and not simulated:
        auto("index_scale", scale, "index effects are per index point; set index_scale (e.g. 100) to change.",
             "指数效应按每个指数点报告；可设置 index_scale（如 100）修改。")

    # ---- staggered adoption
    region = "province" if _usable(banks, "province") else "bank_id"
    thr: float | None = None
    ev = None
    covs: list[str] = list(event_covariates or [])
    banks["adoption_cohort"] = 0
    if event_outcome is None:
        skip("staggered", _t(L, "event_outcome is None.", "event_outcome 为 None。"),
             _t(L, "set event_outcome to an outcome column of your panel.", "将 event_outcome 设为面板中的结果列。"))
    else:
        if event_outcome != DEFAULT_EVENT_OUTCOME:
            resolve_column(banks, "event_outcome", event_outcome, table_name="bank_panel")
        ev = event_outcome if _usable(banks, event_outcome) else None
        _check_list(banks, "event_covariates", covs)
        if ev is None:
            skip("staggered", _t(L, f"The panel has no '{event_outcome}' column (the default event-study outcome).",
                                 f"面板中没有 '{event_outcome}' 列（默认的事件研究结果变量）。"),
                 _t(L, f"map it with columns={{'bank_panel': {{'{event_outcome}': '<your column>'}}}} or set "
                       f"event_outcome to another outcome column (e.g. 'nim').",
                    f"用 columns={{'bank_panel': {{'{event_outcome}': '<您的列>'}}}} 映射，或将 event_outcome 设为其他结果列"
                    f"（如 'nim'）。"))
        else:
            thr = adoption_threshold
            if thr is None:
                thr = BUNDLED_THRESHOLD if simulated else auto_adoption_threshold(banks, idx, region)
                if not simulated:
                    auto("adoption_threshold", thr,
                         f"adoption threshold {thr:g} index points: the median of the index over "
                         f"{'province' if region == 'province' else 'bank'}-years; a "
                         f"{'province' if region == 'province' else 'bank'} adopts in the first year its index "
                         f"reaches it.",
                         f"采纳阈值 {thr:g} 个指数点：{'省份' if region == 'province' else '银行'}-年度指数的中位数；"
                         f"{'省份' if region == 'province' else '银行'}在指数首次达到该值的年份采纳。")
            from bankcrm_research.competition.event_study import adoption_cohorts

            banks["adoption_cohort"] = adoption_cohorts(banks, index_column=idx, threshold=float(thr), region=region)
            first = banks["year"].min()
            per_bank = banks.groupby("bank_id")["adoption_cohort"].first()
            later = per_bank[(per_bank > first)]
            never = int((per_bank == 0).sum())
            if later.nunique() == 0:
                skip("staggered", _t(L, f"No unit reaches the adoption threshold ({thr:g}) after the panel's first year.",
                                     f"没有单位在面板首年之后达到采纳阈值（{thr:g}）。"),
                     _t(L, "set adoption_threshold to an index level reached during the sample.",
                        "将 adoption_threshold 设为样本期间内会达到的指数水平。"))
            elif control_group == "never_treated" and never == 0:
                skip("staggered", _t(L, f"No unit stays below the adoption threshold ({thr:g}), so there are no "
                                        f"never-treated controls.",
                                     f"没有单位始终低于采纳阈值（{thr:g}），因此没有从未处理的对照组。"),
                     _t(L, "use control_group='not_yet_treated' or a higher adoption_threshold.",
                        "使用 control_group='not_yet_treated' 或更高的 adoption_threshold。"))
            elif never == 0 and later.nunique() < 2:
                skip("staggered", _t(L, "Only one adoption cohort and no never-treated units: no comparison group.",
                                     "只有一个采纳批次且没有从未处理的单位：没有对照组。"),
                     _t(L, "set adoption_threshold so that adoption is spread over several years.",
                        "设置 adoption_threshold 使采纳分布在多个年份。"))
            else:
                run("staggered")

    # ---- channels (mediation)
    given_channels = channels is not None and [list(c) for c in channels] != [list(c) for c in DEFAULT_CHANNELS]
    pairs = [tuple(c) for c in (channels if channels is not None else DEFAULT_CHANNELS)]
    for c in pairs:
        if len(c) != 2:
            raise ValueError(f"channels: each entry must be [mediator, outcome]; found {list(c)!r}.")
    kept: list[tuple[str, str]] = []
    if given_channels:
        _check_list(banks, "channels", [x for c in pairs for x in c])
        kept = [(str(m), str(o)) for m, o in pairs]
    else:
        for m, o in pairs:
            absent = [c for c in (m, o) if not _usable(banks, c)]
            if absent:
                skip(f"channel_{m}_{o}",
                     _t(L, f"The panel has no {' or '.join(repr(a) for a in absent)} column.",
                        f"面板中没有 {'、'.join(repr(a) for a in absent)} 列。"),
                     _t(L, f"map it with columns={{'bank_panel': {{'{absent[0]}': '<your column>'}}}} or set channels.",
                        f"用 columns={{'bank_panel': {{'{absent[0]}': '<您的列>'}}}} 映射，或设置 channels。"),
                     title_en=f"Channel {m} → {o}", title_zh=f"渠道 {m} → {o}")
            else:
                kept.append((m, o))
    if mediation_controls is None:
        ctrls = ["log_assets"] if _usable(banks, "log_assets") else []
        if not simulated:
            auto("mediation_controls", ctrls,
                 f"mediation controls: {', '.join(ctrls) if ctrls else 'none (no log_assets column)'}.",
                 f"中介模型控制变量：{'、'.join(ctrls) if ctrls else '无（没有 log_assets 列）'}。")
    else:
        ctrls = list(mediation_controls)
        _check_list(banks, "mediation_controls", ctrls)
    if kept:
        run("mediation")
    else:
        skip("mediation", _t(L, "None of the [mediator, outcome] channels has both columns in the panel.",
                             "没有任何 [中介变量, 结果变量] 渠道的两列同时存在于面板中。"),
             _t(L, "set channels=[[mediator, outcome], ...] to columns of your panel.",
                "将 channels=[[中介变量, 结果变量], ...] 设为面板中的列。"))

    bt = resolve_column(banks, "bank_type_column", bank_type_column, default="bank_type", table_name="bank_panel",
                        purpose="channels by bank type")
    btype = bt.column
    if bank_type_column is None and not simulated:
        auto("bank_type_column", btype, bt.sentence,
             f"bank_type_column = '{btype}'（自动：在面板中找到）。" if btype else "bank_type_column：面板中没有银行类型列。")
    big = 0
    if btype is not None:
        big = int((banks.groupby(btype)["bank_id"].nunique() >= 10).sum())
    if not kept:
        skip("mediation_by_type", _t(L, "No channel runs.", "没有可运行的渠道。"), sections["mediation"].fix)
    elif btype is None:
        skip("mediation_by_type", _t(L, "The panel has no bank-type column.", "面板中没有银行类型列。"),
             _t(L, "map it with columns={'bank_panel': {'bank_type': '<your column>'}}.",
                "用 columns={'bank_panel': {'bank_type': '<您的列>'}} 映射。"))
    elif big == 0:
        skip("mediation_by_type", _t(L, "No bank type has 10 or more banks.", "没有任何银行类型拥有 10 家及以上银行。"),
             _t(L, "supply more banks per type.", "为每种类型提供更多银行。"))
    else:
        run("mediation_by_type")

    # ---- threshold
    def pick(param: str, given: str | None, candidates: Sequence[str], purpose_en: str, purpose_zh: str) -> str | None:
        if given is not None:
            return resolve_column(banks, param, given, table_name="bank_panel").column
        col = next((c for c in candidates if _usable(banks, c)), None)
        if not simulated:
            auto(param, col, f"{param} = '{col}' (auto: found in the panel), {purpose_en}." if col else
                 f"{param}: the panel has none of {list(candidates)} ({purpose_en}).",
                 f"{param} = '{col}'（自动：在面板中找到），{purpose_zh}。" if col else
                 f"{param}：面板中没有 {list(candidates)}（{purpose_zh}）。")
        return col

    q = pick("threshold_variable", threshold_variable, THRESHOLD_VARIABLES, "the threshold variable", "门槛变量")
    ty = pick("threshold_outcome", threshold_outcome, ("nim",), "the threshold model's outcome", "门槛模型的结果变量")
    if q is None or ty is None:
        what = "threshold_variable (log_assets or capital_ratio)" if q is None else "threshold_outcome (nim)"
        skip("threshold", _t(L, f"The panel has no column for {what}.", f"面板中没有 {what} 对应的列。"),
             _t(L, "map log_assets/capital_ratio and nim in columns, or set threshold_variable and threshold_outcome.",
                "在 columns 中映射 log_assets/capital_ratio 和 nim，或设置 threshold_variable 与 threshold_outcome。"))
    else:
        run("threshold")

    # ---- dynamic panel GMM
    py = pick("persistence_outcome", persistence_outcome, ("nim",), "the dynamic panel's outcome", "动态面板的结果变量")
    if gmm_regressors is None:
        regs = {treatment: [0], **({"log_assets": [0]} if _usable(banks, "log_assets") else {})}
        if not simulated:
            auto("gmm_regressors", regs, f"GMM regressors: {', '.join(regs)} (current values).",
                 f"GMM 解释变量：{'、'.join(regs)}（当期值）。")
    else:
        regs = {str(k): [int(v) for v in lags] for k, lags in gmm_regressors.items()}
        _check_list(banks, "gmm_regressors", list(regs))
    if gmm_instruments is None:
        insts = {"log_assets": (2, None)} if "log_assets" in regs else {}
    else:
        insts = {str(k): (int(v[0]), None if v[1] is None else int(v[1])) for k, v in gmm_instruments.items()}
        _check_list(banks, "gmm_instruments", list(insts))
    n_years = banks["year"].nunique()
    if py is None:
        skip("dynamic_gmm", _t(L, "The panel has no outcome column for the dynamic panel (nim).",
                               "面板中没有动态面板的结果变量列（nim）。"),
             _t(L, "map nim in columns or set persistence_outcome.", "在 columns 中映射 nim 或设置 persistence_outcome。"))
    elif n_years < 4:
        skip("dynamic_gmm", _t(L, f"The panel has {n_years} years; difference GMM needs at least 4.",
                               f"面板只有 {n_years} 年；差分GMM至少需要 4 年。"),
             _t(L, "supply a longer panel.", "提供更长的面板。"))
    else:
        run("dynamic_gmm")

    if simulated:
        run("truth")
    else:
        skip("truth", _t(L, "Your data have no planted truth (only the bundled simulated data do).",
                         "您的数据没有预设真值（只有内置模拟数据有）。"),
             _t(L, "nothing to do; run with the bundled data to see estimate vs truth.",
                "无需操作；使用内置模拟数据运行可查看估计与真值对照。"))

    return MechanismInputs(
        banks=banks, simulated=simulated, index_column=idx, index_source=source, index_scale=scale,
        treatment=treatment, adoption_region=region, adoption_threshold=thr, event_outcome=ev,
        event_covariates=tuple(covs), channels=tuple(kept), mediation_controls=tuple(ctrls),
        bank_type_column=btype, threshold_outcome=ty, threshold_variable=q, persistence_outcome=py,
        gmm_regressors=regs, gmm_instruments=insts, sections=sections, choices=tuple(choices), lang=lang,
    )
