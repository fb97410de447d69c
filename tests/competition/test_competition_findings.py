"""Finding sentences of notebooks 01/02 follow the numbers they are given (competition.findings)."""

from __future__ import annotations

import pandas as pd

from bankcrm_research.competition import findings as fd


def _ur(rows):
    return pd.DataFrame([{"series": s, "transform": t, "test": k, "p_value": p} for s, t, k, p in rows])


def test_stationarity_words_follow_adf_and_kpss():
    ur = _ur([("a", "level", "ADF", 0.6), ("a", "level", "KPSS", 0.01),          # unit root
              ("g", "log difference", "ADF", 0.001), ("g", "log difference", "KPSS", 0.2),  # stationary
              ("h", "log difference", "ADF", 0.001), ("h", "log difference", "KPSS", 0.01)])  # mixed
    levels, growth = fd.stationarity(ur)
    assert levels == "In levels: a: unit-root-like (ADF does not reject a unit root, KPSS rejects stationarity)."
    assert "g: stationary" in growth and "h: mixed" in growth and "h: stationary" not in growth
    zh = fd.stationarity(ur, lang="zh")[1]
    assert zh.startswith("增长率：") and "g：平稳" in zh and "h：结论不一致" in zh


def test_pretrend_flat_only_when_not_rejected():
    assert "not rejected (the leads are flat)" in fd.pretrend(0.4)
    assert "rejected, so" in fd.pretrend(0.01) and "flat" not in fd.pretrend(0.01)
    assert "不能拒绝" in fd.pretrend(0.4, lang="zh") and "不平坦" in fd.pretrend(0.01, lang="zh")


def test_panel_effect_direction_and_unit():
    t = pd.DataFrame([
        {"outcome": "nim", "model": "twoway_fe", "term": "x", "estimate": -0.2, "ci_low": -0.3, "ci_high": -0.1},
        {"outcome": "roa", "model": "twoway_fe", "term": "x", "estimate": 0.05, "ci_low": -0.1, "ci_high": 0.2},
        {"outcome": "nim", "model": "pooled_ols", "term": "x", "estimate": -0.5, "ci_low": -0.6, "ci_high": -0.4},
    ])
    nim, roa = fd.panel_effects(t, regressor="x", outcomes=["nim", "roa"], unit="per index point", cause="the index")
    assert nim == "twoway_fe, per index point: The index lowers nim by 0.2 (95 % CI [-0.3, -0.1])."
    assert "has no clear effect on roa" in roa
    assert "do not overlap" in fd.model_gap(t, regressor="x", outcome="nim")
    zh = fd.panel_effects(t, regressor="x", outcomes=["nim"], unit="每个指数点", cause="指数", lang="zh")[0]
    assert "指数每增加一个指数点，nim降低 0.2" in zh


def test_granger_and_pass_through_sentences():
    g = pd.DataFrame([{"cause": "a", "effect": "b", "p_value": 0.001}, {"cause": "b", "effect": "a", "p_value": 0.5}])
    assert fd.granger(g) == ["a Granger-causes b (p = 0.001).", "b does not Granger-cause a (p = 0.500)."]
    pt = pd.DataFrame([{"term": "r", "estimate": 0.8, "ci_low": 0.7, "ci_high": 0.9}])
    assert "One percentage point more of r raises y by 0.8 pp (95 % CI [0.7, 0.9])" in fd.pass_through(pt, rate="r", fund_yield="y")
