"""Hand-written competition statistics against R (issue 13, item 5); the tests read CSVs, R is not needed.

Reference script: ``tests/reference/competition/ref_handwritten.R`` (R 4.2.2, car 3.1-1, sandwich 3.0-2),
run from the repository root with ``Rscript tests/reference/competition/ref_handwritten.R``. Data: the
bundled simulated bank panel with the index attached by province and year (per 100 points), 2,259
bank-years, 150 banks.

Like with like: our bank-clustered covariance is pyfixest's CRV1,
``V = G/(G-1) · (N-1)/(N-K) · V_HC0`` with ``K`` = slopes + year levels under two-way FE (the bank dummies
are nested in the cluster and not counted) and ``K`` = columns of X in pooled OLS; Wald F tests use
``F(q, G-1)``. R fits the same models by ``lm`` with bank and year dummies (LSDV) and builds this ``V`` as
``sandwich::vcovCL(fit, cluster = ~bank_id, type = "HC0", cadjust = TRUE) * (N - 1) / (N - K)``. The F
statistics are ``car::linearHypothesis(fit, hyp, vcov. = V, test = "F")$F[2]``; their p-values are
``pf(F, q, G - 1, lower.tail = FALSE)`` (linearHypothesis's own p-value uses the LSDV residual df, which
is not our convention). Tolerance: relative 1e-6 on every number (LSDV vs alternating-projection
demeaning differ at ~1e-10).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from bankcrm_research.competition.event_study import event_study
from bankcrm_research.competition.index import attach_index
from bankcrm_research.competition.panel import effects_by_group, hausman_test, quadratic_effect
from bankcrm_research.data.load import load_bank_panel, load_internet_finance_indicators

REF = Path(__file__).resolve().parents[1] / "reference" / "competition"
RTOL = 1e-6


@pytest.fixture(scope="module")
def banks():
    return attach_index(load_bank_panel(), load_internet_finance_indicators())


def _ref(name):
    return pd.read_csv(REF / f"handwritten_{name}.csv")


def test_turning_point_delta_method_matches_car_deltamethod(banks):
    """``car::deltaMethod(lm(npl_ratio ~ x + x_sq + log_assets + bank_id + yearf), "-x / (2 * x_sq)", vcov. = V)``.

    ``V`` = CRV1 with K = 3 + 16; x = if_index / 100. Estimate and SE are deltaMethod's; our CI uses
    ``qt(0.975, G - 1)`` (deltaMethod's own CI is normal: also stored, and wider apart from ours by the
    t/normal quantile ratio only).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = quadratic_effect(banks, outcome="npl_ratio", regressor="if_index_100", controls=["log_assets"])
    ours = ours.set_index("term")
    ref = _ref("turning_point").set_index("quantity")
    assert int(ours.loc["turning_point", "n_obs"]) == int(ref.loc["turning_point", "n_obs"]) == 2259
    for term in ("linear", "quadratic"):
        for col in ("estimate", "std_error"):
            assert ours.loc[term, col] == pytest.approx(ref.loc[term, col], rel=RTOL)
    for col in ("estimate", "std_error", "ci_low", "ci_high"):
        assert ours.loc["turning_point", col] == pytest.approx(ref.loc["turning_point", col], rel=RTOL), col
    tp = ref.loc["turning_point"]
    assert tp["ci_low_normal"] > tp["ci_low"] and tp["ci_high_normal"] < tp["ci_high"]  # z vs t(149): a convention


def test_bytype_equality_wald_matches_car_linearhypothesis(banks):
    """``car::linearHypothesis(lm(dds ~ x__city + x__joint + x__rural + x__state + log_assets + bank_id + yearf),
    c("x__joint_stock = x__city_commercial", "x__rural_commercial = x__city_commercial",
    "x__state_owned = x__city_commercial"), vcov. = V, test = "F")``, V = CRV1 with K = 5 + 16; p from F(3, 149)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = effects_by_group(banks, outcome="demand_deposit_share", regressor="if_index_100", group="bank_type",
                                controls=["log_assets"]).set_index("term")
    ref = _ref("bytype_equality").set_index("term")
    for t in ("city_commercial", "joint_stock", "rural_commercial", "state_owned"):
        assert ours.loc[t, "estimate"] == pytest.approx(ref.loc[t, "estimate"], rel=RTOL)
        assert ours.loc[t, "std_error"] == pytest.approx(ref.loc[t, "std_error"], rel=RTOL)
    assert ours.loc["equality", "estimate"] == pytest.approx(ref.loc["equality", "estimate"], rel=RTOL)
    assert ours.loc["equality", "p_value"] == pytest.approx(ref.loc["equality", "p_value"], rel=1e-4)


def test_mundlak_matches_car_linearhypothesis(banks):
    """``car::linearHypothesis(lm(nim ~ x + log_assets + x_bank_mean + log_assets_bank_mean),
    c("x_bank_mean = 0", "log_assets_bank_mean = 0"), vcov. = V, test = "F")`` with
    ``V = vcovCL(fit, cluster = ~bank_id, type = "HC0", cadjust = TRUE) * (N - 1) / (N - 5)`` (= vcovCL HC1 here);
    p from F(2, 149)."""
    ours = hausman_test(banks, outcome="nim", regressors=["if_index_100", "log_assets"], method="mundlak").iloc[0]
    ref = _ref("mundlak").iloc[0]
    assert ours["test"] == ref["test"] and int(ours["df"]) == int(ref["df"]) and int(ours["n_obs"]) == int(ref["n_obs"])
    assert ours["statistic"] == pytest.approx(ref["statistic"], rel=RTOL)
    assert ours["p_value"] == pytest.approx(ref["p_value"], rel=1e-5)


def test_event_study_pretrend_f_matches_car_linearhypothesis(banks):
    """``car::linearHypothesis(lm(dds ~ ex_2008 + ... + ex_2023 (no 2012) + bank_id + yearf),
    c("ex_2008 = 0", "ex_2009 = 0", "ex_2010 = 0", "ex_2011 = 0"), vcov. = V, test = "F")`` with
    ``ex_t = yuebao_exposure · 1{year = t}``, V = CRV1 with K = 15 + 16; p from F(4, 149)."""
    res = event_study(banks, outcome="demand_deposit_share", exposure="yuebao_exposure", ref_year=2012, shock_year=2013)
    ref = _ref("pretrend").set_index("test")
    pre = res.pretrend.iloc[0]
    assert pre["df_num"] == ref.loc["joint_leads_zero", "df_num"] == 4
    assert pre["df_denom"] == ref.loc["joint_leads_zero", "df_denom"] == 149
    assert pre["statistic"] == pytest.approx(ref.loc["joint_leads_zero", "statistic"], rel=RTOL)
    assert pre["p_value"] == pytest.approx(ref.loc["joint_leads_zero", "p_value"], rel=RTOL)
    coefs = res.table.set_index("year")
    for y in (2008, 2011, 2013, 2023):
        assert coefs.loc[y, "estimate"] == pytest.approx(ref.loc[f"delta_{y}", "statistic"], rel=RTOL, abs=1e-12)
        assert coefs.loc[y, "std_error"] == pytest.approx(ref.loc[f"delta_{y}", "std_error"], rel=RTOL)
