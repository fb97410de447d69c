"""What notebook ``03_satisfaction_drivers`` analyses, resolved from its parameters and the file.

The notebook's research question is the questionnaire model (``measurement`` and ``structural``);
everything else has a default that works on any file (the own-data contract, issue 11). ``None``
means *auto*:

* on the bundled simulated survey (``survey_path=None``) the bundled specification: reverse-coded
  items ``CUEX3_R, PERQ6_R, CUSL2_R``, scale 1–7, group ``channel_group``, index construct ``CUSA``,
  the four service attributes of perceived quality as drivers and the chain PERQ → PERV → CUSA → CUSL;
* on a user's file: no reverse-coded items unless named; the scale read from the answers
  (:func:`bankcrm_research.data.overview.infer_likert_range`); the multi-group test only when a
  ``channel_group`` column is present; the index construct (also the IPMA and key-driver target) is
  the model's final endogenous construct — the one with no outgoing path (several: the one with most
  incoming paths); the drivers are the constructs with a path into it, each represented by its items
  (fewer than two: every construct that reaches it); no specific indirect effect.

Every choice made by *auto* is returned as a sentence (English or Chinese) for ``record_choice``;
sections that cannot run return a skip reason and fix for ``skip_section``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from bankcrm_research.data import load as datasets
from bankcrm_research.data.overview import infer_likert_range
from bankcrm_research.data.roles import resolve_column
from bankcrm_research.satisfaction.spec import ACSI_BANK_MODEL, SurveyModel

__all__ = ["SurveyInputs", "resolve_survey_inputs", "BUNDLED_DRIVERS", "BUNDLED_INDIRECT", "final_constructs"]

#: The service attributes of perceived quality on the bundled survey (item pairs, data/CONTRACT.md).
BUNDLED_DRIVERS: dict[str, list[str]] = {
    "speed": ["PERQ1", "PERQ2"],
    "personalisation": ["PERQ3", "PERQ4"],
    "channel": ["PERQ5", "PERQ6_R"],
    "rm": ["PERQ7", "PERQ8"],
}
BUNDLED_INDIRECT: list[list[str]] = [["PERQ", "PERV", "CUSA", "CUSL"]]
BUNDLED_GROUP = "channel_group"
BUNDLED_INDEX = "CUSA"
BUNDLED_SCALE = (1, 7)


@dataclass(frozen=True)
class SurveyInputs:
    """The resolved inputs of notebook 03.

    Attributes
    ----------
    survey : DataFrame
        The survey as loaded (validated) by :func:`bankcrm_research.data.load.load_survey`.
    model : SurveyModel
        Measurement + structural model with the resolved reverse-coded items and scale.
    simulated : bool
        True on the bundled simulated survey (truth beside estimate is shown only then).
    group_column, index_construct : str or None
    drivers : dict
        ``{attribute: [items]}`` for key drivers and the attribute-level IPMA.
    indirect : list of list of str
        Specific indirect effects (chains of constructs) to report.
    choices : tuple of (parameter, value, sentence)
        What *auto* chose, for ``record_choice``.
    group_skip : (reason, fix) or None
        Why the multi-group comparison does not run.
    """

    survey: pd.DataFrame
    model: SurveyModel
    simulated: bool
    group_column: str | None
    index_construct: str
    drivers: dict[str, list[str]]
    indirect: list[list[str]]
    choices: tuple[tuple[str, Any, str], ...] = field(default_factory=tuple)
    group_skip: tuple[str, str] | None = None


def final_constructs(model: SurveyModel) -> list[str]:
    """Endogenous constructs with no outgoing path, most incoming paths first (ties: model order)."""
    sources = {a for a, _ in model.structural}
    sinks = [c for c in model.endogenous if c not in sources]
    return sorted(sinks, key=lambda c: -len(model.antecedents(c)))


def _ancestors(model: SurveyModel, construct: str) -> list[str]:
    seen: set[str] = set()
    todo = [construct]
    while todo:
        for a in model.antecedents(todo.pop()):
            if a not in seen:
                seen.add(a)
                todo.append(a)
    return [c for c in model.constructs if c in seen]


_T = {
    "reverse_bundled": ("reverse_items = {v} (the bundled survey stores these items reverse-coded).",
                        "reverse_items = {v}（内置问卷中这些题项为反向计分）。"),
    "reverse_none": ("reverse_items = [] (no item is treated as reverse-coded; name them in reverse_items if "
                     "your file stores some reversed).",
                     "reverse_items = []（不把任何题项视为反向计分；若文件中有反向题项，请在 reverse_items 中列出）。"),
    "scale_bundled": ("scale = [1, 7] (the bundled survey's answer scale).", "scale = [1, 7]（内置问卷的作答量表）。"),
    "scale_read": ("scale = {v} (read from the answers: smallest and largest answer fit this scale).",
                   "scale = {v}（根据作答数据推断：最小与最大作答值落在该量表内）。"),
    "group": ("group_column = '{v}' (found in the survey).", "group_column = '{v}'（在问卷中找到该列）。"),
    "index_bundled": ("index_construct = 'CUSA' (the bundled model's satisfaction construct).",
                      "index_construct = 'CUSA'（内置模型的满意度潜变量）。"),
    "index_one": ("index_construct = '{v}': the model's final endogenous construct (no outgoing path); it is also "
                  "the IPMA and key-driver target.",
                  "index_construct = '{v}'：模型的最终内生潜变量（没有向外的路径），同时作为 IPMA 与关键驱动因素的目标。"),
    "index_many": ("index_construct = '{v}': of the final endogenous constructs {others} (no outgoing path) it has "
                   "the most incoming paths ({k}); it is also the IPMA and key-driver target. Pass index_construct "
                   "to choose another.",
                   "index_construct = '{v}'：在最终内生潜变量 {others}（没有向外的路径）中，它的输入路径最多（{k} 条），"
                   "同时作为 IPMA 与关键驱动因素的目标；如需其他潜变量，请设置 index_construct。"),
    "drivers_bundled": ("drivers = the four service attributes of perceived quality on the bundled survey {v}.",
                        "drivers = 内置问卷中感知质量的四项服务属性 {v}。"),
    "drivers_direct": ("drivers = the constructs with a path into '{t}', each represented by its items: {v}.",
                       "drivers = 有路径指向“{t}”的潜变量（以各自题项表示）：{v}。"),
    "drivers_all": ("drivers = every construct that reaches '{t}' (directly or through others; fewer than two "
                    "have a direct path), each represented by its items: {v}.",
                    "drivers = 直接或间接影响“{t}”的全部潜变量（直接指向它的潜变量少于两个），以各自题项表示：{v}。"),
    "indirect_bundled": ("indirect = {v} (the bundled model's quality → value → satisfaction → loyalty chain).",
                         "indirect = {v}（内置模型的 质量 → 价值 → 满意 → 忠诚 链条）。"),
    "indirect_none": ("indirect = [] (no specific indirect effect; pass indirect=[[construct, ..., construct]] to "
                      "report one). Total and indirect effects are reported for every path.",
                      "indirect = []（不报告特定间接效应；如需报告，请设置 indirect=[[潜变量, ..., 潜变量]]）。"
                      "所有路径的总效应与间接效应照常报告。"),
}


def _t(key: str, lang: str, **kw: Any) -> str:
    return _T[key][1 if lang == "zh" else 0].format(**kw)


def _same_model(measurement: Mapping[str, Sequence[str]]) -> bool:
    try:
        return {str(k): list(v) for k, v in measurement.items()} == {
            k: list(v) for k, v in ACSI_BANK_MODEL.measurement.items()}
    except AttributeError:
        return False


def _raw_items(path: Any, columns: Mapping[str, str] | None, sheet: Any, encoding: str | None) -> pd.DataFrame:
    raw = datasets.read_raw(path, encoding=encoding, sheet=sheet)
    if columns:
        raw = raw.rename(columns={v: k for k, v in columns.items()})
    return raw


def resolve_survey_inputs(
    survey_path: str | Path | None,
    *,
    measurement: Mapping[str, Sequence[str]],
    structural: Sequence[Sequence[str]],
    columns: Mapping[str, str] | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    date_format: str | None = None,
    reverse_items: Sequence[str] | None = None,
    scale: Sequence[float] | None = None,
    error_covariances: Sequence[Sequence[str]] | None = None,
    group_column: str | None = None,
    index_construct: str | None = None,
    drivers: Mapping[str, Sequence[str]] | None = None,
    indirect: Sequence[Sequence[str]] | None = None,
    lang: str = "en",
) -> SurveyInputs:
    """Load the survey and resolve every *auto* parameter of notebook 03 (see the module docstring).

    Parameters
    ----------
    survey_path : path or None
        CSV / Excel / Parquet survey; ``None`` = the bundled simulated survey.
    measurement, structural
        The questionnaire model (the research question). With a ``survey_path``, leaving
        ``measurement`` at the bundled model when its items are not in the file is an error.
    columns, sheet, encoding, date_format
        Passed to :func:`bankcrm_research.data.load.load_survey`.
    reverse_items, scale, group_column, index_construct, drivers, indirect
        ``None`` = auto; a given value is used as is (and checked).
    lang : {"en", "zh"}
        Language of the *auto* sentences.

    Raises
    ------
    ValueError
        Bundled measurement model with a user file lacking its items; a given ``group_column``
        or ``index_construct`` that does not exist (closest names listed); fewer than two drivers.
    bankcrm_research.data.validate.DataValidationError
        From the data layer, before any analysis.
    """
    simulated = survey_path is None
    choices: list[tuple[str, Any, str]] = []
    raw = None
    if not simulated:
        raw = _raw_items(survey_path, columns, sheet, encoding)
        items = [str(i) for block in measurement.values() for i in block]
        absent = [i for i in items if i not in raw.columns]
        if absent and _same_model(measurement):
            found = [str(c) for c in raw.columns][:20]
            raise ValueError(
                f"survey_path is given but measurement is still the bundled model's default, whose items "
                f"{absent[:6]}{' …' if len(absent) > 6 else ''} are not in {Path(survey_path).name} (its columns: "
                f"{found}); pass measurement={{construct: [your item columns], ...}} and "
                f"structural=[[from, to], ...] for your survey"
            )

    # reverse-coded items and scale
    if reverse_items is None:
        items_now = {str(i) for block in measurement.values() for i in block}
        if simulated:
            reverse_items = [i for i in ACSI_BANK_MODEL.reverse_items if i in items_now]
            choices.append(("reverse_items", reverse_items, _t("reverse_bundled", lang, v=reverse_items)))
        else:
            reverse_items = []
            choices.append(("reverse_items", [], _t("reverse_none", lang)))
    if scale is None:
        if simulated:
            scale = list(BUNDLED_SCALE)
            choices.append(("scale", scale, _t("scale_bundled", lang)))
        else:
            present = [str(i) for block in measurement.values() for i in block if str(i) in raw.columns]
            scale = list(infer_likert_range(raw, present or None))
            choices.append(("scale", scale, _t("scale_read", lang, v=scale)))
    model = SurveyModel.from_spec(measurement, structural, reverse_items, scale, error_covariances)
    if not model.structural:
        raise ValueError("structural has no paths; the notebook needs a structural model, e.g. "
                         "structural=[['IMAG', 'CUSA'], ['CUSA', 'CUSL']]")

    survey = datasets.load_survey(survey_path, columns=columns, encoding=encoding, sheet=sheet,
                                  likert_range=tuple(int(v) for v in model.scale), date_format=date_format)

    # multi-group column
    group_skip = None
    where = "the survey" if simulated else f"survey ({Path(survey_path).name})"
    choice = resolve_column(survey, "group_column", group_column, default=BUNDLED_GROUP, table_name=where,
                            purpose="the multi-group comparison")
    group = choice.column
    if group is None:
        group_skip = ("No group column was named and the survey has no 'channel_group' column."
                      if lang != "zh" else "未指定分组列，问卷中也没有 'channel_group' 列。",
                      "set group_column='<column with two groups>'" if lang != "zh"
                      else "设置 group_column='<含两个组的列>'")
    elif group_column is None:
        choices.append(("group_column", group, _t("group", lang, v=group)))
    if group is not None and survey[group].dropna().nunique() < 2:
        group_skip = (f"Column '{group}' has fewer than two groups." if lang != "zh"
                      else f"列 '{group}' 的分组少于两个。",
                      "choose a column with at least two groups" if lang != "zh" else "选择至少含两个组的列")
        group = None

    # index construct (also IPMA and key-driver target)
    if index_construct is None:
        if simulated and BUNDLED_INDEX in model.endogenous:
            index_construct = BUNDLED_INDEX
            choices.append(("index_construct", index_construct, _t("index_bundled", lang)))
        else:
            finals = final_constructs(model)
            index_construct = finals[0]
            if len(finals) == 1:
                choices.append(("index_construct", index_construct, _t("index_one", lang, v=index_construct)))
            else:
                choices.append(("index_construct", index_construct,
                                _t("index_many", lang, v=index_construct, others=finals,
                                   k=len(model.antecedents(index_construct)))))
    elif index_construct not in model.measurement:
        from bankcrm_research.data.validate import closest_names

        close = closest_names(index_construct, model.measurement)
        hint = f" (closest: '{close[0]}')" if close else ""
        raise ValueError(f"index_construct '{index_construct}' is not a construct of measurement{hint}; "
                         f"constructs are {model.constructs}; pass one of them or None (auto)")
    ancestors = _ancestors(model, index_construct)
    if not ancestors:
        raise ValueError(f"index_construct '{index_construct}' has no path into it; choose an endogenous "
                         f"construct ({model.endogenous}) or None (auto)")

    # drivers
    if drivers is None:
        if simulated and all(i in model.items and model.construct_of(i) in ancestors
                             for its in BUNDLED_DRIVERS.values() for i in its):
            drivers = {k: list(v) for k, v in BUNDLED_DRIVERS.items()}
            choices.append(("drivers", drivers, _t("drivers_bundled", lang, v=list(drivers))))
        else:
            direct = model.antecedents(index_construct)
            pick, key = (direct, "drivers_direct") if len(direct) >= 2 else (ancestors, "drivers_all")
            if len(pick) < 2:
                raise ValueError(
                    f"drivers=None uses the constructs that reach '{index_construct}', but there is only {pick}; "
                    f"pass drivers={{'attribute': [items], ...}} with two or more attributes")
            drivers = {c: list(model.measurement[c]) for c in pick}
            choices.append(("drivers", drivers, _t(key, lang, t=index_construct, v=list(drivers))))
    else:
        drivers = {str(k): [str(i) for i in v] for k, v in drivers.items()}

    # specific indirect effects
    if indirect is None:
        chain_ok = all(tuple(p) in set(model.structural) for ch in BUNDLED_INDIRECT for p in zip(ch, ch[1:]))
        if simulated and chain_ok:
            indirect = [list(c) for c in BUNDLED_INDIRECT]
            choices.append(("indirect", indirect, _t("indirect_bundled", lang, v=indirect)))
        else:
            indirect = []
            choices.append(("indirect", [], _t("indirect_none", lang)))
    else:
        indirect = [[str(c) for c in ch] for ch in indirect]

    return SurveyInputs(survey=survey, model=model, simulated=simulated, group_column=group,
                        index_construct=str(index_construct), drivers=drivers, indirect=indirect,
                        choices=tuple(choices), group_skip=group_skip)
