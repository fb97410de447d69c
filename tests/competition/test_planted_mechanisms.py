"""The planted deposit-cost -> NIM channel and the adoption-timing truth (issue 13): the recorded truth is
the exact expectation of the estimators it is compared with, and the estimators recover it.

* Exactness: ``competition.mediation.deposit_cost->nim`` pooled ``a``/``total`` are re-derived by pyfixest
  on the noise-free planted terms; ``competition.staggered.dynamic``/``simple`` by :func:`callaway_santanna`
  on the noise-free planted index and Yu'ebao terms (bank and year effects cancel in its differences, the
  AR(1) error has mean zero). Tolerance 1e-6 (truth.json rounds to 6 decimals).
* Recovery on the bundled panel (notebook 06's specification: if_index/100, log_assets control, 499 bank
  bootstrap draws, not-yet-treated controls). Rule: every within-bank-type indirect effect and the pooled
  ``a`` and ``total`` CIs cover their truth; the pooled path ``b`` misses (a foil: the types' index slopes
  of deposit cost and NIM move together); the CS simple ATT and all but at most one of the event-time CIs
  cover the expected effect.
* Recovery over fresh worlds: three seeds, the same rule pooled over seeds (>= 85 % of intervals, ~4 s).
* Coverage over 40 worlds (slow, ~1 min), measured: within-type indirect effect city 0.975, rural 0.875,
  joint-stock 0.825 (12 banks = 12 clusters: CRV1 and the bank bootstrap under-cover); CS event times
  e = 0, 1: 1.0, e = 2: 0.875, simple ATT 0.95; pooled a and total 1.0; pooled path b 0.0 (foil).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.competition.event_study import adoption_cohorts
from bankcrm_research.competition.mediation import panel_mediation
from bankcrm_research.competition.staggered import callaway_santanna
from bankcrm_research.competition.truth import mechanism_truth_rows
from bankcrm_research.data.paths import data_dir
from bankcrm_research.simulate import _common, banks, mechanisms

CHANNEL = "deposit_cost->nim"


def _world_panel(seed: int) -> tuple[pd.DataFrame, dict]:
    streams = _common.spawn_streams(seed)
    ind, info = banks.simulate_indicators(streams["internet_finance_indicators"])
    panel, _ = banks.simulate_world_bank_panel(streams["bank_panel"], ind, info["development"])
    panel["if_index_100"] = panel["if_index"] / 100
    truth = {"competition": {"mediation": {CHANNEL: mechanisms.mediation_truth(panel)},
                             "staggered": mechanisms.staggered_truth(panel)}}
    return panel, truth


@pytest.fixture(scope="module")
def bundled():
    need = [data_dir() / f for f in ("bank_panel.csv", "internet_finance_indicators.csv", "truth.json")]
    if not all(p.exists() for p in need):
        pytest.skip(f"bundled simulated data not present in {data_dir()}")
    from bankcrm_research.competition.mechanism_inputs import resolve_mechanism_inputs
    from bankcrm_research.data.truth import load_truth

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inputs = resolve_mechanism_inputs()
    return inputs.banks, load_truth()


def _signal(panel: pd.DataFrame, truth: dict) -> pd.Series:
    """The planted, noise-free part of demand_deposit_share that differs across banks within a year."""
    beta = panel["bank_type"].map(banks.INDEX_EFFECT["demand_deposit_share"])
    delta = panel["year"].map(lambda y: banks.YUEBAO_EVENT.get(int(y), 0.0))
    return beta * panel["if_index"] / 100 + panel["yuebao_exposure"] * delta


def test_nim_index_effect_is_the_total_effect(bundled):
    _, truth = bundled
    comp = truth["competition"]
    med = comp["mediation"][CHANNEL]
    for k, p in med["by_type"].items():
        assert p["a"] == banks.INDEX_EFFECT["deposit_cost"][k] and p["direct"] == banks.INDEX_EFFECT["nim"][k]
        assert p["b"] == banks.DEPOSIT_COST_TO_NIM == -0.5
        assert comp["index_effect"]["nim"][k] == pytest.approx(p["direct"] + p["a"] * p["b"], abs=1e-9)
        assert p["total"] == pytest.approx(p["direct"] + p["indirect"], abs=1e-9)
        assert 0.3 < p["share_mediated"] < 0.4  # clearly non-zero, below half
    assert sum(med["pooled_weights"].values()) == pytest.approx(1.0, abs=1e-5)
    assert med["pooled_controls"] == ["log_assets"]


def test_pooled_truth_is_the_exact_two_way_fe_estimand(bundled):
    """``feols(a_k·x ~ x + log_assets | bank_id + year)`` (and the same for the total effect) on the
    bundled design returns the recorded pooled ``a`` / ``total``: with homogeneous noise the pooled
    estimator's expectation is this projection of the planted heterogeneous slopes."""
    import pyfixest as pf

    panel, truth = bundled
    med = truth["competition"]["mediation"][CHANNEL]
    x = panel["if_index"] / 100
    d = panel.assign(a_sig=panel["bank_type"].map({k: v["a"] for k, v in med["by_type"].items()}) * x,
                     tot_sig=panel["bank_type"].map({k: v["total"] for k, v in med["by_type"].items()}) * x, x=x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = pf.feols("a_sig ~ x + log_assets | bank_id + year", data=d).coef()["x"]
        tot = pf.feols("tot_sig ~ x + log_assets | bank_id + year", data=d).coef()["x"]
    assert a == pytest.approx(med["a"], abs=1e-6)
    assert tot == pytest.approx(med["total"], abs=1e-6)
    assert med["indirect"] == pytest.approx(med["a"] * med["b"], abs=1e-6)


def test_staggered_truth_is_the_exact_cs_estimand(bundled):
    """``callaway_santanna(signal, cohort = adoption_cohort, control_group = "not_yet_treated")`` on the
    noise-free planted terms reproduces ``competition.staggered`` (every event time and the simple ATT)."""
    panel, truth = bundled
    st = truth["competition"]["staggered"]
    assert st["threshold"] == 200.0 and st["outcome"] == "demand_deposit_share"
    coh = adoption_cohorts(panel, index_column="if_index", threshold=st["threshold"])
    assert (coh == panel["adoption_cohort"]).all()  # notebook 06's cohorts are the recorded definition
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cs = callaway_santanna(panel.assign(sig=_signal(panel, truth)), outcome="sig", cohort="adoption_cohort",
                               control_group="not_yet_treated").tidy()
    dyn = cs[(cs["aggregation"] == "dynamic") & (cs["term"] != "overall")]
    assert [f"{int(e)}" for e in dyn["event_time"]] == list(st["dynamic"])
    assert dyn["estimate"].to_numpy() == pytest.approx(np.array(list(st["dynamic"].values())), abs=1e-6)
    simple = cs.loc[cs["aggregation"] == "simple", "estimate"].iloc[0]
    assert simple == pytest.approx(st["simple"], abs=1e-6)
    post = {int(e): v for e, v in st["dynamic"].items() if int(e) >= 0}
    assert post[1] < post[0] < 0 and post[3] < post[1]  # effects build up after adoption


def _recovery_rows(panel: pd.DataFrame, truth: dict, n_boot: int, seed: int = 0) -> pd.DataFrame:
    kw = dict(treatment="if_index_100", mediator="deposit_cost", outcome="nim", controls=["log_assets"],
              n_boot=n_boot, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pooled = panel_mediation(panel, **kw).tidy()
        by_type = pd.concat([panel_mediation(g, **kw).tidy().assign(bank_type=t)
                             for t, g in panel.groupby("bank_type") if g["bank_id"].nunique() >= 10],
                            ignore_index=True)
        if "adoption_cohort" not in panel:
            panel = panel.assign(adoption_cohort=adoption_cohorts(panel, index_column="if_index", threshold=200.0))
        cs = callaway_santanna(panel, outcome="demand_deposit_share", cohort="adoption_cohort",
                               control_group="not_yet_treated").tidy()
    return mechanism_truth_rows(truth, mediation=pooled, mediation_by_type=by_type, staggered=cs,
                                adoption_threshold=200.0)


@pytest.fixture(scope="module")
def bundled_rows(bundled):
    panel, truth = bundled
    return _recovery_rows(panel, truth, n_boot=499, seed=20130613)


def test_bundled_channel_recovered_within_types_and_pooled_b_is_a_foil(bundled_rows):
    t = bundled_rows.set_index("quantity")
    within = t[t.index.str.contains(".by_type.") & t.index.str.endswith(".indirect")]
    assert len(within) == 3 and within["covered"].all(), within
    assert t.loc[[f"competition.mediation.{CHANNEL}.a", f"competition.mediation.{CHANNEL}.total"], "covered"].all()
    b = t.loc[f"competition.mediation.{CHANNEL}.b"]
    assert b["role"] == "foil" and not b["covered"] and b["ci_high"] < b["truth"]  # absorbs the type heterogeneity
    ind = t.loc[f"competition.mediation.{CHANNEL}.indirect"]
    assert ind["role"] == "foil" and ind["ci_high"] < 0  # the channel is detected, its size is not


def test_bundled_adoption_timing_recovered(bundled_rows):
    t = bundled_rows[bundled_rows["quantity"].str.startswith("competition.staggered")]
    dyn = t[t["quantity"].str.contains(".dynamic.")]
    assert len(dyn) >= 10 and (t["role"] == "headline").all()
    assert (~dyn["covered"]).sum() <= 1, dyn[~dyn["covered"]]
    assert t.loc[t["quantity"] == "competition.staggered.simple", "covered"].all()


def test_truth_rows_skip_other_designs(bundled, bundled_rows):
    _, truth = bundled
    st = bundled_rows[bundled_rows["quantity"].str.startswith("competition.staggered")]
    cs_like = pd.DataFrame({"outcome": ["demand_deposit_share"], "aggregation": ["simple"], "term": ["overall"],
                            "event_time": [np.nan], "estimate": [0.0], "ci_low": [-1.0], "ci_high": [1.0]})
    assert len(st) > 0
    for kw in ({"adoption_threshold": 250.0}, {"control_group": "never_treated"}, {"event_covariates": ["log_assets"]},
               {"adoption_threshold": None}):
        out = mechanism_truth_rows(truth, staggered=cs_like, **{"adoption_threshold": 200.0, **kw})
        assert out.empty, kw
    assert len(mechanism_truth_rows(truth, staggered=cs_like, adoption_threshold=200.0)) == 1
    med = pd.DataFrame({"mediator": ["deposit_cost"], "outcome": ["nim"], "term": ["a"], "estimate": [0.1],
                        "ci_low": [0.0], "ci_high": [0.2]})
    assert mechanism_truth_rows(truth, mediation=med, mediation_controls=()).empty  # other pooled weights
    assert mechanism_truth_rows(truth, mediation=med, index_scale=1.0).empty  # other unit
    assert mechanism_truth_rows({}, mediation=med).empty


def test_recovery_over_fresh_worlds():
    """Seeds 1-3 (fresh indicators and panels): the rule above pooled over the seeds, >= 85 % of the
    headline intervals (within-type indirect, pooled a/total, CS event times and simple ATT) cover."""
    frames = []
    for seed in (1, 2, 3):
        panel, truth = _world_panel(seed)
        frames.append(_recovery_rows(panel, truth, n_boot=199, seed=seed).assign(seed=seed))
    rows = pd.concat(frames, ignore_index=True)
    head = rows[rows["role"] == "headline"]
    assert len(head) >= 45
    assert head["covered"].mean() >= 0.85, head[~head["covered"]]
    within = head[head["quantity"].str.contains(".by_type.") & head["quantity"].str.endswith(".indirect")]
    assert within["covered"].sum() >= len(within) - 1
    b = rows[rows["quantity"] == f"competition.mediation.{CHANNEL}.b"]
    assert (~b["covered"]).all()  # the pooled path b misses in every world (foil)


@pytest.mark.slow
def test_coverage_over_forty_worlds():
    """Seeds 1-40, 199 bootstrap draws: coverage of the headline rows by group (measured values in the
    module docstring; the bounds leave ~2 Monte Carlo SEs below them)."""
    frames = [_recovery_rows(*_world_panel(seed), n_boot=199, seed=seed) for seed in range(1, 41)]
    rows = pd.concat(frames, ignore_index=True)
    q = rows["quantity"]

    def cover(mask) -> float:
        return float(rows.loc[mask, "covered"].mean())

    for bt, lo in (("city_commercial", 0.88), ("rural_commercial", 0.8), ("joint_stock", 0.7)):
        assert cover(q == f"competition.mediation.{CHANNEL}.by_type.{bt}.indirect") >= lo, bt
    assert cover(q.isin([f"competition.mediation.{CHANNEL}.a", f"competition.mediation.{CHANNEL}.total"])) >= 0.9
    assert cover(q.isin([f"competition.staggered.dynamic.{e}" for e in (0, 1, 2)])) >= 0.85
    assert cover(q == "competition.staggered.simple") >= 0.85
    assert cover(q == f"competition.mediation.{CHANNEL}.b") == 0.0
