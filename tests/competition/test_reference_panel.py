"""Panel estimators against R plm reference values (tests/reference/competition/ref_plm.R).

The CSVs were produced by ``Rscript tests/reference/competition/ref_plm.R`` (R 4.x, plm 2.6-2)
and hold full-precision numbers; the tests never call R.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.competition.panel import fit_panel_models, hausman_test

REF = Path(__file__).resolve().parents[1] / "reference" / "competition"
RTOL_COEF = 1e-6  # same estimator, different linear algebra
RTOL_SE = 1e-6
RTOL_HAUSMAN = 1e-4  # RE variance components via linearmodels vs plm's Swamy–Arora


@pytest.fixture(scope="module")
def grunfeld() -> pd.DataFrame:
    return pd.read_csv(REF / "grunfeld_plm.csv")


@pytest.fixture(scope="module")
def plm_ref() -> pd.DataFrame:
    return pd.read_csv(REF / "grunfeld_plm_estimates.csv")


@pytest.fixture(scope="module")
def grunfeld_fit(grunfeld):
    with pytest.warns(UserWarning, match="only 10 clusters"):
        return fit_panel_models(
            grunfeld, outcomes="inv", regressors=["value", "capital"], entity="firm", time="year", bootstrap_reps=199
        )


def _ref(plm_ref, model, vcov):
    return plm_ref[(plm_ref["model"] == model) & (plm_ref["vcov"] == vcov)].set_index("term")


def test_grunfeld_within_matches_plm(grunfeld_fit, plm_ref):
    """R: plm(inv ~ value + capital, data = Grunfeld, index = c("firm", "year"), model = "within")
    -> value 0.1101238, capital 0.3100653 (rtol 1e-6)."""
    ours = grunfeld_fit.tidy().query("model == 'bank_fe'").set_index("term")
    ref = _ref(plm_ref, "within", "iid")
    for term in ["value", "capital"]:
        np.testing.assert_allclose(ours.loc[term, "estimate"], ref.loc[term, "estimate"], rtol=RTOL_COEF)
    assert round(ref.loc["value", "estimate"], 4) == 0.1101 and round(ref.loc["capital", "estimate"], 4) == 0.3101


def test_grunfeld_clustered_se_matches_plm_with_stated_small_sample_factor(grunfeld_fit, plm_ref):
    """R: sqrt(diag(vcovHC(fe, method = "arellano", type = "HC0", cluster = "group"))) times
    sqrt(G/(G-1) * (N-1)/(N-K)) with G = 10, N = 200, K = 3 (2 slopes + the nested firm FE, the
    fixest convention) equals our CRV1 standard error (rtol 1e-6)."""
    ours = grunfeld_fit.tidy().query("model == 'bank_fe'").set_index("term")
    ref = _ref(plm_ref, "within", "cluster_HC0")
    factor = np.sqrt(10 / 9 * 199 / 197)
    for term in ["value", "capital"]:
        np.testing.assert_allclose(ours.loc[term, "std_error"], ref.loc[term, "std_error"] * factor, rtol=RTOL_SE)


def test_grunfeld_twoways_matches_plm(grunfeld_fit, plm_ref):
    """R: plm(inv ~ value + capital, data = Grunfeld, model = "within", effect = "twoways") (rtol 1e-6)."""
    ours = grunfeld_fit.tidy().query("model == 'twoway_fe'").set_index("term")
    ref = _ref(plm_ref, "twoways", "iid")
    for term in ["value", "capital"]:
        np.testing.assert_allclose(ours.loc[term, "estimate"], ref.loc[term, "estimate"], rtol=RTOL_COEF)


def test_few_clusters_adds_wild_bootstrap_p_values(grunfeld, grunfeld_fit):
    """Each model's p_value_wild is the WCR bootstrap of that model's own design and coefficient
    (Webb weights, 199 draws, seed 0: exact equality with a direct call), a multiple of 1/199."""
    from bankcrm_research.competition.wild_bootstrap import bootstrap_design, wild_cluster_bootstrap

    tab = grunfeld_fit.tidy().query("term in ['value', 'capital']")
    assert len(tab) == 6
    for row in tab.itertuples():
        X, y, names = bootstrap_design(grunfeld, outcome="inv", columns=["value", "capital"], entity="firm",
                                       time="year", model=row.model)
        direct = wild_cluster_bootstrap(X, y, grunfeld["firm"].to_numpy(), param=names.index(row.term), reps=199,
                                        weights="webb", seed=0)
        assert row.p_value_wild == direct["p_value"], (row.model, row.term)
        assert row.p_value_wild * 199 == pytest.approx(round(row.p_value_wild * 199), abs=1e-9)
    # with 10 clusters the bootstrap is more conservative than the analytic t(9) p-value for capital
    cap = tab.query("model == 'bank_fe' and term == 'capital'").iloc[0]
    assert cap["p_value_wild"] > cap["p_value"]


def test_hausman_matches_plm_phtest(grunfeld):
    """R: phtest(plm(..., model = "within"), plm(..., model = "random")) on plm's Grunfeld
    -> chisq = 2.33036689367546, df = 2, p-value = 0.31186544605489 (rtol 1e-4)."""
    ref = pd.read_csv(REF / "grunfeld_phtest.csv").iloc[0]
    ours = hausman_test(grunfeld, outcome="inv", regressors=["value", "capital"], entity="firm", time="year").iloc[0]
    np.testing.assert_allclose(ours["statistic"], ref["statistic"], rtol=RTOL_HAUSMAN)
    np.testing.assert_allclose(ours["p_value"], ref["p_value"], rtol=RTOL_HAUSMAN)
    assert ours["df"] == ref["df"] == 2
    assert ours["preferred"] == "random_effects"


def test_wooldridge_example_14_4_union_premium():
    """Wooldridge, Introductory Econometrics, Example 14.4 (WAGEPAN = linearmodels' wage_panel):
    FE union premium 0.080. R: plm(lwage ~ expersq + union + married + factor(year),
    data = wage_panel, index = c("nr", "year"), model = "within") -> union 0.08000185 (rtol 1e-6)."""
    ref = pd.read_csv(REF / "wage_panel_plm_estimates.csv")
    ref = ref[ref["model"] == "within"].set_index("term")
    from linearmodels.datasets import wage_panel

    wp = wage_panel.load()
    res = fit_panel_models(
        wp, outcomes="lwage", regressors="union", controls=["expersq", "married"], entity="nr", time="year",
        models=["twoway_fe"],
    )
    ours = res.tidy().set_index("term")
    for term in ["union", "married", "expersq"]:
        np.testing.assert_allclose(ours.loc[term, "estimate"], ref.loc[term, "estimate"], rtol=RTOL_COEF)
    assert round(ours.loc["union", "estimate"], 3) == 0.080


def test_mundlak_test_matches_statsmodels_and_agrees_in_direction(grunfeld):
    """The cluster-robust Mundlak test does not reject on Grunfeld either (classic p = 0.31).
    Reference: statsmodels ``ols("inv ~ value + capital + value_mean + capital_mean").fit(
    cov_type="cluster", cov_kwds={"groups": firm}, use_t=True).f_test("value_mean = 0, capital_mean = 0")``
    -> F = 3.65985, F(2, 9) p = 0.06869 (rtol 1e-8)."""
    import statsmodels.formula.api as smf

    ours = hausman_test(
        grunfeld, outcome="inv", regressors=["value", "capital"], entity="firm", time="year", method="mundlak"
    ).iloc[0]
    d = grunfeld.assign(value_mean=grunfeld.groupby("firm")["value"].transform("mean"),
                        capital_mean=grunfeld.groupby("firm")["capital"].transform("mean"))
    ref = smf.ols("inv ~ value + capital + value_mean + capital_mean", d).fit(
        cov_type="cluster", cov_kwds={"groups": d["firm"]}, use_t=True).f_test("value_mean = 0, capital_mean = 0")
    assert ours["test"] == "mundlak_cluster_robust" and ours["df"] == ref.df_num == 2
    assert ours["statistic"] == pytest.approx(float(np.squeeze(ref.fvalue)), rel=1e-8)
    assert ours["p_value"] == pytest.approx(float(ref.pvalue), rel=1e-8)
    assert ours["statistic"] == pytest.approx(3.65985, abs=1e-5)
    assert ours["p_value"] > 0.05 and ours["preferred"] == "random_effects"


@pytest.mark.parametrize("model", ["pooled_ols", "bank_fe", "twoway_fe"])
def test_wild_cluster_bootstrap_matches_bruteforce_enumeration(grunfeld, model):
    """Reference: tests/reference/competition/ref_wild_bootstrap.py (all 2^10 Rademacher draws,
    full refit with fixed-effect dummies per draw). Our WCR must give the same exact p-value
    (atol 1e-12); pyfixest+wildboottest 0.3.2 agrees up to the two exact ties (|Δp| ≤ 2/1024)."""
    from bankcrm_research.competition.wild_bootstrap import bootstrap_design, wild_cluster_bootstrap

    ref = pd.read_csv(REF / "grunfeld_wild_bootstrap.csv")
    ref = ref[ref["model"] == model].set_index("term")
    X, y, names = bootstrap_design(
        grunfeld, outcome="inv", columns=["value", "capital"], entity="firm", time="year", model=model
    )
    for term in ["value", "capital"]:
        res = wild_cluster_bootstrap(
            X, y, grunfeld["firm"].to_numpy(), param=names.index(term), reps=9999, weights="rademacher"
        )
        assert res["reps"] == 1024  # full enumeration
        np.testing.assert_allclose(res["p_value"], ref.loc[term, "p_bruteforce"], atol=1e-12)
        assert abs(res["p_value"] - ref.loc[term, "p_wildboottest"]) <= 2 / 1024 + 1e-12


def test_random_effects_matches_plm_swamy_arora(grunfeld, plm_ref):
    """R: plm(inv ~ value + capital, data = Grunfeld, index = c("firm", "year"), model = "random")
    (Swamy–Arora) -> value 0.10978115, capital 0.30811298, intercept -57.834415 (rtol 1e-6)."""
    res = fit_panel_models(
        grunfeld, outcomes="inv", regressors=["value", "capital"], entity="firm", time="year",
        models=["random_effects"], wild_bootstrap="never",
    )
    ours = res.tidy().set_index("term")
    ref = _ref(plm_ref, "random", "iid").rename(index={"(Intercept)": "Intercept"})
    for term in ["Intercept", "value", "capital"]:
        np.testing.assert_allclose(ours.loc[term, "estimate"], ref.loc[term, "estimate"], rtol=1e-6)
    assert res.stats.iloc[0]["entity_fe"] == False  # noqa: E712
    assert ours["p_value_wild"].isna().all()
