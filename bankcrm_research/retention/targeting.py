"""Whom to call: one strategy table (random, churn risk, uplift) × targeting depth under one profit model.

Notebook 04 used to give two answers that did not meet: a churn-score profit curve under an *assumed*
acceptance rate ("call the top 40 %") and an uplift table under the *measured* effect of past calls
("risk-based targeting is no better than random; uplift best at 80 %"), with different cost formulas.
:func:`strategy_table` evaluates every strategy on the same held-out customers, with the same costs and
the same profit equation, and states one recommendation (strategy and depth) from the numbers.

Profit model (hand-written after Neslin et al. 2006 and Lemmens & Gupta 2020; no library has it). For
the top ``k`` customers by a strategy's score::

    profit(k) = customer_value · R(k) − k · (contact_cost + acceptance_rate · offer_cost)

every contacted customer costs the call and, with probability ``acceptance_rate``, the offer. ``R(k)`` is
the number of customers the campaign keeps who would otherwise have left:

* ``measured`` (a past contact is in the data): ``R(k)`` is read off the inverse-propensity-weighted
  uplift curve of the held-out customers (:func:`~bankcrm_research.retention.uplift.uplift_curve`), for
  every strategy, random included (the straight line ``k/N · R(N)``); a block of tied scores is one
  step (the curve is linear inside it), so ``R(k)`` does not depend on the row order;
* ``assumed`` (no contact in the data): a contacted would-be churner accepts and stays with probability
  ``acceptance_rate`` and nobody else changes, ``R(k) = acceptance_rate · churners in the top k``
  (Neslin et al. 2006); uplift targeting needs a contact column and is not in the table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from bankcrm_research.data.validate import require_probability
from bankcrm_research.retention import metrics as M
from bankcrm_research.retention.notes_zh import StrategyNotesZh
from bankcrm_research.retention.uplift import uplift_curve

__all__ = ["STRATEGY_COLOURS", "StrategyResult", "strategy_table"]

# One colour per strategy in every panel of notebook 04 (profit, Qini, gains).
STRATEGY_COLOURS: dict[str, str] = {"uplift": "#1b9e77", "churn_risk": "#d95f02", "random": "#7f7f7f"}
DEFAULT_FRACTIONS: tuple[float, ...] = tuple(float(f) for f in np.round(np.linspace(0, 1, 21), 2))


@dataclass(frozen=True)
class StrategyResult(StrategyNotesZh):
    """One strategy table; ``tidy()`` (strategy × depth) is the single source of numbers."""

    table: pd.DataFrame
    profit_model: str
    n_customers: int
    costs: Mapping[str, float]

    def tidy(self) -> pd.DataFrame:
        """``strategy, fraction_targeted, n_targeted, retained, cost, expected_profit, profit_per_customer,
        profit_model``."""
        return self.table.copy()

    def summary(self) -> pd.DataFrame:
        """Best depth per strategy: ``strategy, best_fraction, best_n_targeted, max_expected_profit,
        recommended`` (the recommended row is the overall maximum; none when no depth makes money)."""
        t = self.table
        best = t.loc[t.groupby("strategy", sort=False)["expected_profit"].idxmax()]
        out = best.rename(columns={"fraction_targeted": "best_fraction", "n_targeted": "best_n_targeted",
                                   "expected_profit": "max_expected_profit"})[
            ["strategy", "best_fraction", "best_n_targeted", "max_expected_profit"]].reset_index(drop=True)
        rec = self.recommended
        out["recommended"] = out["strategy"].eq(rec["strategy"]) if rec["strategy"] else False
        return out

    @property
    def recommended(self) -> dict[str, Any]:
        """``strategy, fraction, n_targeted, expected_profit`` of the best strategy × depth (strategy None
        and fraction 0 when no positive depth makes money). Ties go to the smaller depth, then to the
        strategy listed first (uplift, churn risk, random)."""
        t = self.table[self.table["n_targeted"] > 0]
        if t.empty or t["expected_profit"].max() <= 0:
            return {"strategy": None, "fraction": 0.0, "n_targeted": 0, "expected_profit": 0.0}
        order = {s: i for i, s in enumerate(STRATEGY_COLOURS)}
        best = t.assign(_o=t["strategy"].map(order).fillna(99)).sort_values(
            ["expected_profit", "fraction_targeted", "_o"], ascending=[False, True, True]).iloc[0]
        return {"strategy": str(best["strategy"]), "fraction": float(best["fraction_targeted"]),
                "n_targeted": int(best["n_targeted"]), "expected_profit": float(best["expected_profit"])}

    @property
    def notes(self) -> tuple[str, ...]:
        """The profit model and the recommendation in sentences."""
        c = self.costs
        model = ("the measured effect of past contacts (inverse-propensity-weighted uplift curve)"
                 if self.profit_model == "measured" else
                 f"an assumed acceptance rate of {c['acceptance_rate']:.0%} among would-be churners")
        rec = self.recommended
        tail = (f"the most profitable choice is {rec['strategy']} targeting of the top {rec['fraction']:.0%} "
                f"({rec['n_targeted']} of {self.n_customers} customers), expected profit {rec['expected_profit']:,.0f}"
                if rec["strategy"] else "no strategy and depth makes a profit at these costs")
        return (f"profit per targeting depth on {self.n_customers} held-out customers, retained customers from "
                f"{model}; each contact costs {c['contact_cost']:g} plus {c['acceptance_rate']:.0%} × "
                f"{c['offer_cost']:g} for the offer, a retained customer is worth {c['customer_value']:g}; {tail}.",)

    def plot(self, ax: Any = None, *, labels: Mapping[str, str] | None = None) -> Any:
        """Expected profit by depth, one line per strategy in its fixed colour (:data:`STRATEGY_COLOURS`)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        names = dict(labels or {})
        for name, g in self.table.groupby("strategy", sort=False):
            ax.plot(g["fraction_targeted"], g["expected_profit"], color=STRATEGY_COLOURS.get(str(name)),
                    ls="--" if name == "random" else "-", label=names.get(str(name), str(name)))
        rec = self.recommended
        if rec["strategy"]:
            ax.plot([rec["fraction"]], [rec["expected_profit"]], marker="o", ms=8, mfc="none",
                    color=STRATEGY_COLOURS.get(rec["strategy"]))
        ax.axhline(0, color="black", lw=0.6)
        ax.set_xlabel("share of customers targeted")
        ax.set_ylabel("expected profit")
        ax.legend()
        return ax


def _check_cost(name: str, value: float) -> float:
    v = float(value)
    if not np.isfinite(v) or v < 0:
        raise ValueError(f"The '{name}' parameter must be a non-negative number. Got {value!r} instead.")
    return v


def strategy_table(
    y: Any,
    scores: Mapping[str, Any],
    *,
    customer_value: float,
    contact_cost: float,
    offer_cost: float,
    acceptance_rate: float,
    treatment: Any = None,
    weights: Any = None,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
) -> StrategyResult:
    """Expected campaign profit of each targeting strategy at each depth, under one profit model.

    Parameters
    ----------
    y : array of 0/1
        Observed churn (1 = left) of held-out customers.
    scores : mapping name -> array
        Targeting scores, higher = call first, e.g. ``{"uplift": tau_hat, "churn_risk": p_churn}``;
        ``"random"`` is added. ``"uplift"`` needs ``treatment``.
    customer_value, contact_cost, offer_cost : float
        CNY per retained customer, per contact and per accepted offer.
    acceptance_rate : float
        Share of contacted customers who take the offer (and, in the assumed model, share of contacted
        would-be churners who stay).
    treatment : array of 0/1, optional
        Past contact of each held-out customer: switches to the *measured* model (module docstring).
    weights : array, optional
        Inverse propensity weights of the past contact (measured model).
    fractions : sequence of float
        Targeting depths in [0, 1].

    Returns
    -------
    StrategyResult
    """
    yy = M.binary_target_array(y)
    n = len(yy)
    gamma = require_probability(acceptance_rate, param="acceptance_rate", open_interval=False)
    value = _check_cost("customer_value", customer_value)
    per_contact = _check_cost("contact_cost", contact_cost) + gamma * _check_cost("offer_cost", offer_cost)
    if "uplift" in scores and treatment is None:
        raise ValueError("an 'uplift' strategy needs treatment= (the past contact) to be evaluated.")
    measured = treatment is not None
    fr = np.asarray(list(fractions), dtype=float)
    if fr.size == 0 or np.any((fr < 0) | (fr > 1)):
        raise ValueError(f"The 'fractions' parameter must hold depths in [0, 1]. Got {list(fractions)!r}.")
    k = np.round(fr * n).astype(int)
    retained: dict[str, np.ndarray] = {}
    for name, s in scores.items():
        s = np.asarray(s, dtype=float)
        if len(s) != n:
            raise ValueError(f"score '{name}' has {len(s)} values for {n} customers.")
        if measured:
            retained[str(name)] = uplift_curve(1 - yy, treatment, s, weights=weights)["uplift"].to_numpy()[k]
        else:
            order = np.argsort(-s, kind="mergesort")
            block = np.r_[0, np.cumsum(np.diff(s[order]) != 0)]  # tie blocks share their churn rate
            churn_sorted = pd.Series(yy[order].astype(float)).groupby(block).transform("mean").to_numpy()
            retained[str(name)] = gamma * np.r_[0.0, np.cumsum(churn_sorted)][k]
    total = (float(uplift_curve(1 - yy, treatment, np.zeros(n), weights=weights)["uplift"].iloc[-1])
             if measured else gamma * float(yy.sum()))
    retained["random"] = total * k / max(n, 1)
    order = [s for s in STRATEGY_COLOURS if s in retained] + [s for s in retained if s not in STRATEGY_COLOURS]
    rows = []
    for name in order:
        profit = value * retained[name] - k * per_contact
        rows.append(pd.DataFrame({"strategy": name, "fraction_targeted": fr, "n_targeted": k,
                                  "retained": retained[name], "cost": k * per_contact, "expected_profit": profit,
                                  "profit_per_customer": profit / max(n, 1)}))
    table = pd.concat(rows, ignore_index=True)
    table["profit_model"] = "measured" if measured else "assumed"
    costs = {"customer_value": value, "contact_cost": float(contact_cost), "offer_cost": float(offer_cost),
             "acceptance_rate": gamma}
    return StrategyResult(table=table, profit_model="measured" if measured else "assumed", n_customers=n,
                          costs=costs)
