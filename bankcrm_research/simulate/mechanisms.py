"""Truth of the bank panel's mechanisms: the deposit-cost → NIM channel and staggered adoption.

Both truths are computed from the planted parameters of :mod:`bankcrm_research.simulate.banks` and
the simulated design (index paths, bank types, sample, ``log_assets``, Yu'ebao exposure) — never
from an outcome draw — so each is the exact expectation of the estimator it is compared with,
given the design.

**Channel.** ``deposit_cost = … + a_k·x`` and ``nim = … + β_k·x + b·deposit_cost`` with
``x = if_index/100``, bank type ``k``, ``a_k`` = ``INDEX_EFFECT["deposit_cost"]``, ``β_k`` =
``INDEX_EFFECT["nim"]`` (the direct effect) and ``b`` = ``DEPOSIT_COST_TO_NIM``. Within a bank type
the paths are constant: indirect ``a_k·b``, total ``β_k + a_k·b``, share ``a_k·b / total``. A
regression pooled over types with two-way fixed effects estimates type-weighted averages with the
regression weights ``w_k = Σ_{i∈k} r_it·x_it / Σ r_it·x_it`` (``r`` = the index net of bank and year
effects and the controls): ``a = Σ w_k a_k`` and ``total = Σ w_k (β_k + a_k b)`` exactly in
expectation; the pooled path ``b`` is not ``b`` because the type-specific slopes of deposit cost and
NIM move together (a shared heterogeneity the pooled mediator equation attributes to the mediator),
so the pooled direct and indirect effects are biased. The recorded pooled ``direct``/``indirect`` are
the weighted structural values ``Σ w_k β_k`` and ``a·b``.

**Staggered adoption.** A province adopts in the first year its index (as observed on the bank
panel) reaches ``ADOPTION_THRESHOLD``. No separate adoption step is planted: a step large enough
to detect would, through its correlation with the index, shift notebook 01's two-way FE index
slopes of ``demand_deposit_share`` by about two standard errors and make their truth dishonest.
What adoption-time comparisons pick up is the planted index effect itself: adopting provinces'
index grows faster than the not-yet-adopted ones', so with ``s_it = β_k·x_it + exposure_i·δ_t`` (the
planted index and Yu'ebao terms; bank and year effects cancel in the differences, the AR(1) error
has mean zero) the expected Callaway–Sant'Anna group-time effect is
``ATT(g,t) = mean_{G=g}(s_t - s_b) - mean_{C}(s_t - s_b)`` with the estimator's own cells (balanced
banks, not-yet-treated controls ``C``, varying base period ``b``), and the dynamic and simple
aggregations weight cells by cohort shares as
:func:`bankcrm_research.competition.staggered.callaway_santanna` does (Callaway & Sant'Anna 2021,
J. Econometrics 225(2)).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from bankcrm_research.simulate import banks

__all__ = [
    "ADOPTION_THRESHOLD", "ADOPTION_OUTCOME", "MEDIATION_CONTROLS", "total_index_effect", "mediation_truth",
    "adoption_cohort", "staggered_truth",
]

ADOPTION_THRESHOLD = 200.0
ADOPTION_OUTCOME = "demand_deposit_share"
#: controls of notebook 06's mediation equations on the bundled data (they set the pooled weights)
MEDIATION_CONTROLS = ("log_assets",)


def _r(v: float, k: int = 6) -> float:
    return round(float(v), k)


def total_index_effect(index_effect: Mapping[str, Mapping[str, float]] | None = None) -> dict[str, dict[str, float]]:
    """Index effects by outcome and bank type with NIM's made total (direct + deposit-cost channel)."""
    ie = banks.INDEX_EFFECT if index_effect is None else index_effect
    out = {o: dict(v) for o, v in ie.items()}
    b = banks.DEPOSIT_COST_TO_NIM
    out["nim"] = {k: _r(ie["nim"][k] + ie["deposit_cost"][k] * b) for k in ie["nim"]}
    return out


def _fe_residual(cols: np.ndarray, unit: np.ndarray, time: np.ndarray, tol: float = 1e-13) -> np.ndarray:
    """Columns net of unit and time effects (alternating projections; exact for unbalanced panels)."""
    out = cols - cols.mean(axis=0)
    n_u, n_t = np.bincount(unit)[:, None], np.bincount(time)[:, None]
    for _ in range(10_000):
        prev = out
        out = out - (np.stack([np.bincount(unit, c) for c in out.T], axis=1) / n_u)[unit]
        out = out - (np.stack([np.bincount(time, c) for c in out.T], axis=1) / n_t)[time]
        if np.max(np.abs(out - prev)) < tol * (1 + np.max(np.abs(out))):
            break
    return out


def _regression_weights(panel: pd.DataFrame, controls: tuple[str, ...]) -> dict[str, float]:
    unit = pd.factorize(panel["bank_id"])[0]
    time = pd.factorize(panel["year"])[0]
    x = panel["if_index"].to_numpy(float) / 100.0
    Z = _fe_residual(np.column_stack([x, *(panel[c].to_numpy(float) for c in controls)]), unit, time)
    r = Z[:, 0]
    if Z.shape[1] > 1:
        r = r - Z[:, 1:] @ np.linalg.lstsq(Z[:, 1:], r, rcond=None)[0]
    contrib = pd.Series(r * x).groupby(panel["bank_type"].to_numpy()).sum()
    return {str(k): float(v / contrib.sum()) for k, v in contrib.items()}


def mediation_truth(panel: pd.DataFrame, controls: tuple[str, ...] = MEDIATION_CONTROLS) -> dict[str, Any]:
    """``competition.mediation["deposit_cost->nim"]``: paths by bank type and their pooled averages."""
    a_k, beta_k, b = banks.INDEX_EFFECT["deposit_cost"], banks.INDEX_EFFECT["nim"], banks.DEPOSIT_COST_TO_NIM

    def paths(a: float, direct: float) -> dict[str, float]:
        total = direct + a * b
        return {"a": _r(a), "b": b, "direct": _r(direct), "indirect": _r(a * b), "total": _r(total),
                "share_mediated": _r(a * b / total)}

    w = _regression_weights(panel, controls)
    pooled = paths(sum(w[k] * a_k[k] for k in w), sum(w[k] * beta_k[k] for k in w))
    return {
        **pooled,
        "by_type": {k: paths(a_k[k], beta_k[k]) for k in banks.INDEX_EFFECT["nim"]},
        "pooled_weights": {k: _r(v) for k, v in w.items()},
        "pooled_controls": list(controls),
        "treatment": "if_index / 100 (effects per +100 index points)",
        "equation": "nim = ... + direct_k·x + b·(deposit_cost - year mean of deposit_cost over all simulated "
                    "banks), deposit_cost = ... + a_k·x (the year mean is absorbed by year effects)",
        "definition": "by_type: structural paths within a bank type (what a two-way FE mediation on one type "
                      "estimates). Top level: the pooled two-way FE regression (bank and year effects, controls "
                      f"{list(controls)}) on the bundled panel weights types by pooled_weights; a and total are its "
                      "exact expected estimates, direct and indirect the weighted structural values. The pooled "
                      "path b is biased because the type-specific index slopes of deposit cost and NIM move "
                      "together, so pooled direct/indirect estimates miss by design (compare within types).",
        "bank_effects_note": "bank_effects/year_effects of nim exclude the channel term.",
    }


def adoption_cohort(panel: pd.DataFrame, threshold: float = ADOPTION_THRESHOLD) -> pd.Series:
    """First year each bank's province has ``if_index >= threshold`` among the panel's rows (0 = never)."""
    first = panel.loc[panel["if_index"] >= threshold].groupby("province")["year"].min()
    return panel["province"].map(first).fillna(0).astype(int)


def _cs_expected(panel: pd.DataFrame, signal: np.ndarray, cohort: pd.Series) -> tuple[dict[str, float], float]:
    """Callaway–Sant'Anna dynamic and simple aggregation of ``signal`` (not-yet-treated, varying base)."""
    df = pd.DataFrame({"bank_id": panel["bank_id"].to_numpy(), "year": panel["year"].to_numpy(),
                       "s": signal, "g": cohort.to_numpy()})
    periods = np.sort(df["year"].unique())
    df = df[df.groupby("bank_id")["year"].transform("size") == len(periods)]  # balanced banks only
    df.loc[df["g"] > periods.max(), "g"] = 0
    df = df[~((df["g"] > 0) & (df["g"] <= periods.min()))]
    S = df.pivot(index="bank_id", columns="year", values="s").sort_index().to_numpy(float)
    G = df.groupby("bank_id")["g"].first().sort_index().to_numpy(float)
    pos = {p: i for i, p in enumerate(periods)}
    cells: list[tuple[float, float, float]] = []  # (g, t, ATT)
    for g in np.sort(np.unique(G[G > 0])):
        g_base = periods[periods < g].max()
        for j, t in enumerate(periods[1:], start=1):
            base = g_base if t >= g else periods[j - 1]
            ctrl = (G == 0) | ((G > max(t, base)) & (G != g))
            if not ctrl.any():
                continue
            ds = S[:, pos[t]] - S[:, pos[base]]
            cells.append((g, t, ds[G == g].mean() - ds[ctrl].mean()))
    c = np.array(cells)
    share = np.array([(G == g).mean() for g in c[:, 0]])
    e = c[:, 1] - c[:, 0]
    dynamic = {f"{int(k)}": _r(np.average(c[e == k, 2], weights=share[e == k])) for k in np.sort(np.unique(e))}
    post = e >= 0
    return dynamic, _r(np.average(c[post, 2], weights=share[post]))


def staggered_truth(panel: pd.DataFrame, threshold: float = ADOPTION_THRESHOLD) -> dict[str, Any]:
    """``competition.staggered``: expected CS effects of adoption timing on ``ADOPTION_OUTCOME``."""
    beta = panel["bank_type"].map(banks.INDEX_EFFECT[ADOPTION_OUTCOME]).to_numpy(float)
    delta = panel["year"].map(lambda y: banks.YUEBAO_EVENT.get(int(y), 0.0)).to_numpy(float)
    signal = beta * panel["if_index"].to_numpy(float) / 100.0 + panel["yuebao_exposure"].to_numpy(float) * delta
    cohort = adoption_cohort(panel, threshold)
    dynamic, simple = _cs_expected(panel, signal, cohort)
    sizes = panel.assign(g=cohort).groupby("g")["bank_id"].nunique()
    return {
        "outcome": ADOPTION_OUTCOME,
        "threshold": threshold,
        "cohort_definition": f"first year in which the bank's province reaches if_index >= {threshold:g} on the bank "
                             "panel's rows (bankcrm_research.competition.event_study.adoption_cohorts); 0 = never",
        "estimator": {"method": "callaway_santanna", "control_group": "not_yet_treated", "base_period": "varying",
                      "units": "banks observed in every year"},
        "adoption_step": "no separate adoption step is planted",
        "dynamic": dynamic,
        "simple": simple,
        "dynamic_definition": "expected CS dynamic effect by event time e = year - cohort given the simulated "
                              "design: adopting banks' provinces gain more index than not-yet-adopted ones, so the "
                              "planted index effect (β_k·if_index/100, competition.index_effect) and the Yu'ebao "
                              "exposure term differ between them; pre-adoption values (e < 0) are not zero for "
                              "the same reason.",
        "simple_definition": "cohort-share weighted average of the post-adoption group-time cells that have "
                             "not-yet-treated controls (CS simple aggregation)",
        "cohort_banks": {str(int(g)): int(n) for g, n in sizes.items()},
    }
