"""What notebook 02 runs on: the monthly macro table, its columns and which sections run, and why.

The own-data contract (DESIGN.md, issue 11) for the deposit-migration notebook: ``macro_path`` ``None``
= the bundled simulated table; otherwise the user's file only. Column parameters ``None`` = *auto*:

* ``level_columns`` — the money stocks present (``mmf_aum``, ``demand_deposits``, ``time_deposits``);
* ``var_columns`` — log growth of fund AUM, then of demand deposits (Cholesky order, most exogenous
  first), when both stocks are present; otherwise the VAR sections are skipped;
* ``rate_column`` — ``shibor_3m``, else ``shibor_on``, else ``policy_rate``;
* ``yield_column`` — ``mmf_yield_7d``; without it (or without a rate) the pass-through is skipped.

An explicitly named column that is missing is an error with the closest names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from bankcrm_research.competition._inputs_common import _t
from bankcrm_research.data.load import load_macro_monthly
from bankcrm_research.data.names import closest_names
from bankcrm_research.data.roles import resolve_column

__all__ = ["LEVELS", "DepositInputs", "resolve_deposit_inputs"]

LEVELS = ("mmf_aum", "demand_deposits", "time_deposits")
RATES = ("shibor_3m", "shibor_on", "policy_rate")

_TITLES = {
    "var": ("VAR, Granger causality, impulse responses", "VAR、格兰杰因果与脉冲响应"),
    "pass_through": ("Rate pass-through", "利率传导"),
    "truth": ("Truth beside estimate", "真值与估计对照"),
    "real_data": ("Real data: Yu'ebao, SHIBOR, PBoC", "真实数据：余额宝、SHIBOR、人民银行"),
    "levels": ("Money stocks and growth rates", "货币存量与增长率"),
}


@dataclass(frozen=True)
class DepositInputs:
    """Resolved inputs of notebook 02: the table, the chosen columns, runnable sections, auto choices."""

    macro: pd.DataFrame
    simulated: bool
    level_columns: tuple[str, ...]
    var_columns: tuple[str, ...]
    rate_column: str | None
    yield_column: str | None
    sections: Mapping[str, tuple[bool, str, str]]
    choices: tuple[tuple[str, Any, str], ...] = field(default=())
    lang: str = "en"

    def runs(self, key: str) -> bool:
        return self.sections[key][0]

    def section(self, key: str) -> bool:
        """True when section ``key`` runs; otherwise show and record why it is skipped."""
        ok, reason, fix = self.sections[key]
        if not ok:
            from bankcrm_research.reporting import skip_section

            en, zh = _TITLES.get(key, (key, key))
            skip_section(key, zh if self.lang == "zh" else en, reason, fix)
        return ok

    def announce(self) -> None:
        from bankcrm_research.reporting import record_choice

        for param, value, sentence in self.choices:
            record_choice(param, value, sentence)


def resolve_deposit_inputs(
    *,
    macro_path: Any = None,
    columns: Mapping[str, Any] | None = None,
    sheet: Any = None,
    date_format: Any = None,
    level_columns: Sequence[str] | None = None,
    var_columns: Sequence[str] | None = None,
    rate_column: str | None = None,
    yield_column: str | None = None,
    real_data_dir: Any = None,
    lang: str = "en",
) -> DepositInputs:
    """Load the monthly macro table through the data layer and decide what runs (module docstring)."""
    columns = dict(columns or {})
    mapping = columns.get("macro_monthly", columns if columns and "macro_monthly" not in columns else None)
    simulated = macro_path is None
    macro = load_macro_monthly(macro_path, columns=mapping or None, sheet=sheet, date_format=date_format)
    L = lang
    choices: list[tuple[str, Any, str]] = []
    sections: dict[str, tuple[bool, str, str]] = {}

    def note(param: str, value: Any, en: str, zh: str) -> None:
        if not simulated:
            choices.append((param, value, _t(L, en, zh)))

    present = [c for c in LEVELS if c in macro.columns and macro[c].notna().any()]
    if level_columns is None:
        levels = present
        note("level_columns", levels, f"money stocks: {', '.join(levels) or 'none'} (the ones present in the file).",
             f"货币存量：{'、'.join(levels) or '无'}（文件中现有的）。")
    else:
        levels = list(level_columns)
        missing = [c for c in levels if c not in macro.columns]
        if missing:
            raise ValueError(f"level_columns={levels!r}: {missing} not in macro_monthly; closest: "
                             f"{ {c: closest_names(c, list(map(str, macro.columns)), n=3) for c in missing} }. "
                             f"Fix: map yours with columns={{'macro_monthly': {{'mmf_aum': '<your column>'}}}} or "
                             f"set level_columns=None (auto).")
    growth_names = [f"dlog_{c}" for c in levels]
    if var_columns is None:
        if "mmf_aum" in levels and "demand_deposits" in levels:
            var = ["dlog_mmf_aum", "dlog_demand_deposits"]
            note("var_columns", var, "VAR in fund-AUM growth, then demand-deposit growth (Cholesky order).",
                 "VAR 变量：货币基金规模增长率，其次为活期存款增长率（Cholesky 顺序）。")
        else:
            var = []
    else:
        var = list(var_columns)
        bad = [c for c in var if c not in growth_names]
        if bad:
            raise ValueError(f"var_columns={var!r}: {bad} are not growth series of level_columns {levels}; "
                             f"closest: { {c: closest_names(c, growth_names, n=3) for c in bad} }. Fix: use "
                             f"dlog_<level column> names, e.g. {growth_names[:2]}, or var_columns=None (auto).")
    if len(var) >= 2:
        sections["var"] = (True, "", "")
    else:
        sections["var"] = (False, _t(L, "The file lacks money-market-fund AUM or demand deposits, so no VAR of their growth.",
                                     "文件缺少货币基金规模或活期存款，无法估计其增长率的 VAR。"),
                           _t(L, "map both with columns={'macro_monthly': {'mmf_aum': '<col>', 'demand_deposits': '<col>'}}.",
                              "用 columns={'macro_monthly': {'mmf_aum': '<列>', 'demand_deposits': '<列>'}} 映射两列。"))
    if not levels:
        sections["levels"] = (False, _t(L, "The file has no money-stock columns.", "文件中没有货币存量列。"),
                              _t(L, "map mmf_aum, demand_deposits or time_deposits in columns.",
                                 "在 columns 中映射 mmf_aum、demand_deposits 或 time_deposits。"))
    else:
        sections["levels"] = (True, "", "")

    rate = resolve_column(macro, "rate_column", rate_column, default=RATES[0], alternatives=RATES[1:],
                          table_name="macro_monthly", purpose="the interest rate").column
    fy = resolve_column(macro, "yield_column", yield_column, default="mmf_yield_7d",
                        table_name="macro_monthly", purpose="the fund yield").column
    if rate_column is None:
        note("rate_column", rate, f"interest rate: {rate or 'none found'}.", f"利率：{rate or '未找到'}。")
    if yield_column is None:
        note("yield_column", fy, f"fund yield: {fy or 'none found'}.", f"基金收益率：{fy or '未找到'}。")
    if rate and fy:
        sections["pass_through"] = (True, "", "")
    else:
        sections["pass_through"] = (
            False, _t(L, f"The file has no {'fund-yield' if not fy else 'interest-rate'} column.",
                      f"文件中没有{'基金收益率' if not fy else '利率'}列。"),
            _t(L, "map it with columns={'macro_monthly': {'mmf_yield_7d': '<col>', 'shibor_3m': '<col>'}}.",
               "用 columns={'macro_monthly': {'mmf_yield_7d': '<列>', 'shibor_3m': '<列>'}} 映射。"))
    sections["truth"] = (True, "", "") if simulated else (
        False, _t(L, "Your data have no planted truth (only the bundled simulated data do).",
                  "您的数据没有预设真值（只有内置模拟数据有）。"),
        _t(L, "nothing to do; run with the bundled data to see estimate vs truth.",
           "无需操作；使用内置模拟数据运行可查看估计与真值对照。"))
    sections["real_data"] = (True, "", "") if real_data_dir else (
        False, _t(L, "real_data_dir is not set.", "未设置 real_data_dir。"),
        _t(L, "set real_data_dir to the folder with the Yu'ebao, SHIBOR and PBoC files (e.g. ../shared/data/internet_finance).",
           "将 real_data_dir 设为包含余额宝、SHIBOR 与人民银行数据的文件夹（如 ../shared/data/internet_finance）。"))
    return DepositInputs(macro=macro, simulated=simulated, level_columns=tuple(levels), var_columns=tuple(var),
                         rate_column=rate, yield_column=fy, sections=sections, choices=tuple(choices), lang=lang)
