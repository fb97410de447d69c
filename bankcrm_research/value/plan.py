"""Which sections of notebook 05 run on the tables given, and if not, why and how to make them run.

Split from :mod:`bankcrm_research.value.inputs` (which re-exports :func:`plan_sections`): the plan
reads the resolved tables and column roles and returns one :class:`Section` per section, with the
reason and the fix in English or Chinese for :func:`bankcrm_research.reporting.skip_section`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = ["Section", "plan_sections"]


@dataclass(frozen=True)
class Section:
    """Whether a section of notebook 05 runs; when not, why and how to make it run."""

    key: str
    runs: bool
    reason: str = ""
    fix: str = ""


_REASONS = {
    "en": {
        "no_txn": ("No transactions table was given.", "set transactions_path to a transaction log (customer, date, amount)"),
        "no_cust": ("No customers table was given.", "set customers_path to a customers file"),
        "no_basis": ("Neither transactions nor customer attributes are available.",
                     "set transactions_path or customers_path"),
        "no_tier": ("The customers table has no value-tier column.", "set tier_column='<column>' or map value_tier"),
        "no_value": ("The customers table has no customer-value column (looked for aum, balance).",
                     "set value_column='<column>' or map aum"),
        "no_rm": ("The customers table has no relationship-manager column.", "set rm_column='<column>' or map rm_id"),
        "no_survey": ("No survey was given.", "set survey_path to a survey with customer_id and satisfaction items"),
        "no_items": ("The survey has no satisfaction items.", "set satisfaction_items=[...]"),
        "no_event": ("The customers table has no churn indicator or no time to churn.",
                     "set event_column and duration_column (or map churned and duration_months)"),
        "no_link": ("The customers have no id, so transactions and survey answers cannot be linked to them.",
                    "map the customer id with columns={'customers': {'customer_id': '<column>'}}"),
        "no_survey_id": ("The survey has no customer_id, so answers cannot be linked to customers.",
                         "map it with columns={'survey': {'customer_id': '<column>'}}"),
        "no_truth": ("Your data have no planted truth to compare with.",
                     "nothing to do: this section is for the simulated world"),
    },
    "zh": {
        "no_txn": ("未提供交易表。", "将 transactions_path 设为交易流水文件（客户、日期、金额）"),
        "no_cust": ("未提供客户表。", "将 customers_path 设为客户文件"),
        "no_basis": ("既没有交易数据，也没有客户属性。", "设置 transactions_path 或 customers_path"),
        "no_tier": ("客户表中没有价值层级列。", "设置 tier_column='<列名>' 或映射 value_tier"),
        "no_value": ("客户表中没有客户价值列（已查找 aum、balance）。", "设置 value_column='<列名>' 或映射 aum"),
        "no_rm": ("客户表中没有客户经理列。", "设置 rm_column='<列名>' 或映射 rm_id"),
        "no_survey": ("未提供满意度调查。", "将 survey_path 设为含 customer_id 和满意度题项的调查文件"),
        "no_items": ("调查中没有满意度题项。", "设置 satisfaction_items=[...]"),
        "no_event": ("客户表中没有流失标志或流失时间。", "设置 event_column 和 duration_column（或映射 churned、duration_months）"),
        "no_link": ("客户没有编号，无法与交易和调查答卷关联。", "用 columns={'customers': {'customer_id': '<列名>'}} 映射客户编号"),
        "no_survey_id": ("调查中没有 customer_id，无法与客户关联。", "用 columns={'survey': {'customer_id': '<列名>'}} 映射"),
        "no_truth": ("您的数据没有可比较的预设真值。", "无需操作：本节仅用于模拟数据"),
    },
}


def plan_sections(tables: Any, roles: Any, *, lang: str = "en") -> dict[str, Section]:
    """Which sections of notebook 05 run (``rfm``, ``segments``, ``segments_by_tier``,
    ``value_concentration``, ``value_tiers``, ``rm_coverage``, ``clv``, ``satisfaction_link``,
    ``truth``), each with the reason and fix when it does not.

    ``tables`` and ``roles`` are the :class:`~bankcrm_research.value.inputs.ValueTables` and
    :class:`~bankcrm_research.value.inputs.ValueRoles` of the run (typed loosely: inputs imports this
    module)."""
    why = _REASONS["zh" if lang == "zh" else "en"]
    cust, txn = tables.customers, tables.has_transactions

    def sec(key: str, missing: str | None) -> Section:
        return Section(key, True) if missing is None else Section(key, False, *why[missing])

    cust_val = None if cust is None else ("no_value" if roles.value_column is None else None)
    return {
        "rfm": sec("rfm", None if txn else "no_txn"),
        "clv": sec("clv", None if txn else "no_txn"),
        "segments": sec("segments", None if (txn or (cust is not None and roles.segment_features)) else "no_basis"),
        "segments_by_tier": sec("segments_by_tier", "no_cust" if cust is None else
                                "no_tier" if not roles.tier_column else
                                "no_link" if txn and cust.attrs.get("ids_created") else None),
        # without customers the net transaction amount is the value measure (auto)
        "value_concentration": sec("value_concentration", cust_val if cust is not None else
                                   (None if txn else "no_basis")),
        "value_tiers": sec("value_tiers", "no_cust" if cust is None else cust_val),
        "rm_coverage": sec("rm_coverage", "no_cust" if cust is None else cust_val or
                           (None if roles.rm_column else "no_rm")),
        "satisfaction_link": sec("satisfaction_link", "no_survey" if tables.survey is None else
                                 "no_cust" if cust is None else "no_link" if cust.attrs.get("ids_created") else
                                 "no_survey_id" if not _usable(tables.survey, "customer_id") else
                                 "no_items" if not roles.satisfaction_items else
                                 None if (roles.event_column and roles.duration_column) else "no_event"),
        "truth": sec("truth", None if tables.simulated else "no_truth"),
    }


def _usable(table: pd.DataFrame, name: str) -> bool:
    return name in table.columns and bool(table[name].notna().any())
