"""Mapping of tidy results onto truth.json keys."""

from __future__ import annotations

import pandas as pd

from bankcrm_research.competition.truth import competition_truth_rows, macro_truth_rows, mechanism_truth_rows

TRUTH = {
    "competition": {
        "index_effect": {"nim": {"state_owned": -0.05, "average": -0.1}},
        "npl_quadratic": {"linear": -0.6, "quadratic": 0.12, "turning_point": 250.0},
        "event_study": {"demand_deposit_share": {"2011": 0.0, "2012": 0.0, "2013": -0.02}, "reference_year": 2012},
        "did": {"demand_deposit_share": -0.07},
    },
    "macro": {"granger_lag": 1, "mmf_to_demand_coef": -0.1, "shibor_to_mmf_yield": 0.8},
}


def _r(term, est, lo, hi, model="twoway_fe_by_bank_type", outcome="nim"):
    return {"outcome": outcome, "model": model, "term": term, "estimate": est, "ci_low": lo, "ci_high": hi}


def test_competition_rows_match_keys_and_scale_turning_point():
    by_type = pd.DataFrame([_r("state_owned", -0.04, -0.06, -0.02), _r("average", -0.2, -0.25, -0.15),
                            _r("equality", 5.0, float("nan"), float("nan")), _r("joint_stock", -0.1, -0.2, 0.0)])
    quad = pd.DataFrame([_r("turning_point", 2.4, 2.3, 2.6, "twoway_fe_quadratic", "npl_ratio")])
    event = pd.DataFrame({"outcome": "demand_deposit_share", "year": [2011, 2012, 2013], "estimate": [0.01, 0.0, -0.03],
                          "ci_low": [-0.01, 0.0, -0.05], "ci_high": [0.03, 0.0, -0.01], "is_reference": [False, True, False]})
    tve = competition_truth_rows(TRUTH, by_type=by_type, quadratic=quad, event=event).set_index("quantity")
    assert list(tve.columns[:5]) == ["truth", "estimate", "ci_low", "ci_high", "covered"]
    assert tve.loc["competition.index_effect.nim.state_owned", "covered"]
    assert not tve.loc["competition.index_effect.nim.average", "covered"]
    assert "competition.index_effect.nim.joint_stock" not in tve.index  # not in truth -> skipped
    assert tve.loc["competition.npl_quadratic.turning_point", "estimate"] == 240.0
    assert "competition.event_study.demand_deposit_share.2012" not in tve.index  # reference year
    assert len(tve) == 5


def test_macro_rows_use_the_true_lag():
    coefs = pd.DataFrame([
        {"equation": "dlog_demand_deposits", "term": "L1.dlog_mmf_aum", "estimate": -0.11, "ci_low": -0.14, "ci_high": -0.08},
        {"equation": "dlog_demand_deposits", "term": "L2.dlog_mmf_aum", "estimate": 0.3, "ci_low": 0.2, "ci_high": 0.4},
    ])
    pt = pd.DataFrame([{"term": "shibor_3m", "estimate": 0.9, "ci_low": 0.85, "ci_high": 0.95}])
    tve = macro_truth_rows(TRUTH, var_coefficients=coefs, pass_through=pt).set_index("quantity")
    assert tve.loc["macro.mmf_to_demand_coef", "covered"] and tve.loc["macro.mmf_to_demand_coef", "model"] == "var_L1"
    assert not tve.loc["macro.shibor_to_mmf_yield", "covered"]
    assert macro_truth_rows({}, var_coefficients=coefs).empty


MECH = {"competition": {
    "mediation": {"deposit_cost->nim": {
        "a": 0.17, "b": -0.5, "direct": -0.15, "indirect": -0.085, "total": -0.235, "share_mediated": 0.36,
        "pooled_controls": ["log_assets"],
        "by_type": {"city_commercial": {"a": 0.2, "b": -0.5, "direct": -0.18, "indirect": -0.1, "total": -0.28,
                                        "share_mediated": 0.357}}}},
    "staggered": {"outcome": "demand_deposit_share", "threshold": 200.0, "estimator": {"control_group": "not_yet_treated"},
                  "dynamic": {"-1": -0.006, "0": -0.004, "1": -0.012}, "simple": -0.013},
}}


def _med(terms, **extra):
    return pd.DataFrame([{"mediator": "deposit_cost", "outcome": "nim", "term": t, "estimate": e, "ci_low": e - 0.05,
                          "ci_high": e + 0.05, **extra} for t, e in terms])


def test_mechanism_rows_keys_roles_and_design_checks():
    pooled = _med([("a", 0.15), ("b", -1.0), ("direct", -0.06), ("total", -0.22), ("indirect", -0.15),
                   ("share_mediated", 0.7)])
    by_type = pd.concat([_med([("indirect", -0.09), ("b", -0.46)], bank_type="city_commercial"),
                         _med([("indirect", -0.05)], bank_type="state_owned")], ignore_index=True)  # no truth: skipped
    cs = pd.DataFrame({"outcome": "demand_deposit_share", "aggregation": ["dynamic", "dynamic", "dynamic", "simple"],
                       "term": ["e=-1", "e=0", "overall", "overall"], "event_time": [-1.0, 0.0, float("nan"), float("nan")],
                       "estimate": [-0.005, -0.004, -0.01, -0.014], "ci_low": [-0.01, -0.009, -0.02, -0.02],
                       "ci_high": [0.0, 0.001, 0.0, -0.01]})
    tve = mechanism_truth_rows(MECH, mediation=pooled, mediation_by_type=by_type, staggered=cs,
                               adoption_threshold=200).set_index("quantity")
    key = "competition.mediation.deposit_cost->nim"
    assert list(tve.index) == [f"{key}.{t}" for t in ("a", "b", "direct", "total", "indirect", "share_mediated")] + [
        f"{key}.by_type.city_commercial.indirect", f"{key}.by_type.city_commercial.b",
        "competition.staggered.dynamic.-1", "competition.staggered.dynamic.0", "competition.staggered.simple"]
    roles = tve["role"].to_dict()
    assert [k.rsplit(".", 1)[1] for k, r in roles.items() if r == "foil"] == ["b", "direct", "indirect", "share_mediated"]
    assert tve.loc[f"{key}.a", "covered"] and not tve.loc[f"{key}.b", "covered"]
    assert tve.loc[f"{key}.by_type.city_commercial.indirect", "truth"] == -0.1
    assert tve.loc["competition.staggered.simple", "covered"] and tve.loc["competition.staggered.simple", "truth"] == -0.013
    assert set(tve["model"]) == {"pooled_twoway_fe", "twoway_fe_within_city_commercial", "callaway_santanna"}
    # another outcome, threshold, control group or covariates: no staggered rows
    assert mechanism_truth_rows(MECH, staggered=cs.assign(outcome="nim"), adoption_threshold=200).empty
    assert mechanism_truth_rows(MECH, staggered=cs, adoption_threshold=180).empty
    assert mechanism_truth_rows(MECH, staggered=cs, adoption_threshold=200, control_group="never_treated").empty
    assert mechanism_truth_rows(MECH, staggered=cs, adoption_threshold=200, event_covariates=["log_assets"]).empty
