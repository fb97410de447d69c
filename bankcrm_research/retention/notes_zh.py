"""Chinese ``notes`` of the retention results (``--lang zh`` reports): same numbers, same order.

Each mixin adds a ``notes_zh`` property to one result class, rendering the sentences of its English
``notes`` in simplified Chinese from the same attributes (the English ``notes`` are unchanged; tests pin
them). Notebooks pick the language with :func:`bankcrm_research.common.results.notes_in`. Kept apart from
the model modules so that the estimators stay short.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LogitNotesZh", "BoostingNotesZh", "CoxNotesZh", "TimeVaryingCoxNotesZh", "StrategyNotesZh",
           "STRATEGY_ZH"]

STRATEGY_ZH = {"uplift": "按增量效应", "churn_risk": "按流失风险", "random": "随机"}


def _yes(flag: Any) -> str:
    return "是" if bool(flag) else "否"


def _target_note(self: Any) -> str:
    return self.prep.target_note_zh or self.prep.target_note


class LogitNotesZh:
    """``notes_zh`` of :class:`~bankcrm_research.retention.models.ChurnLogitResult`."""

    @property
    def notes_zh(self: Any) -> tuple[str, ...]:
        return (f"Logit 模型，n = {self.n_obs}，事件数 = {self.n_events}，McFadden 伪 R² = {self.pseudo_r2:.3f}，"
                f"收敛：{_yes(self.converged)}；{_target_note(self)}",)


class BoostingNotesZh:
    """``notes_zh`` of :class:`~bankcrm_research.retention.models.ChurnBoostingResult`."""

    @property
    def notes_zh(self: Any) -> tuple[str, ...]:
        return (f"梯度提升树（HistGradientBoostingClassifier）：n = {self.n_obs}，事件数 = {self.n_events}，"
                f"{self.n_iter} 次提升迭代，{len(self.prep.features)} 个特征；{_target_note(self)}",)


class CoxNotesZh:
    """``notes_zh`` of :class:`~bankcrm_research.retention.survival.CoxResult`."""

    @property
    def notes_zh(self: Any) -> tuple[str, ...]:
        return (f"Cox 比例风险模型（lifelines），结处理 = {self.ties}，n = {self.n_obs}，事件数 = {self.n_events}，"
                f"一致性指数 = {self.concordance:.3f}",)


class TimeVaryingCoxNotesZh:
    """``notes_zh`` of :class:`~bankcrm_research.retention.survival.TimeVaryingCoxResult`."""

    @property
    def notes_zh(self: Any) -> tuple[str, ...]:
        window = f"{self.window_months} 个月" if self.window_months is not None else "持续到随访结束"
        return (f"时变 Cox 模型，结处理 = {self.ties}，客户数 = {self.n_subjects}，区间数 = {self.n_intervals}，"
                f"事件数 = {self.n_events}，客户经理变更窗口 = {window}",)


class StrategyNotesZh:
    """``notes_zh`` of :class:`~bankcrm_research.retention.targeting.StrategyResult`."""

    @property
    def notes_zh(self: Any) -> tuple[str, ...]:
        c = self.costs
        model = ("以往回访的实测效果（逆倾向加权的增量曲线）" if self.profit_model == "measured" else
                 f"假设潜在流失客户中有 {c['acceptance_rate']:.0%} 接受优惠")
        rec = self.recommended
        tail = (f"利润最高的方案是{STRATEGY_ZH.get(rec['strategy'], rec['strategy'])}联系前 {rec['fraction']:.0%} 的客户"
                f"（{self.n_customers} 人中的 {rec['n_targeted']} 人），预期利润 {rec['expected_profit']:,.0f}"
                if rec["strategy"] else "在这些成本下，没有任何策略和联系深度能够盈利")
        return (f"在 {self.n_customers} 名留出客户上计算各联系深度的利润，留住的客户数来自{model}；每次联系成本 "
                f"{c['contact_cost']:g}，另加 {c['acceptance_rate']:.0%} × {c['offer_cost']:g} 的优惠成本，"
                f"每留住一位客户价值 {c['customer_value']:g}；{tail}。",)
