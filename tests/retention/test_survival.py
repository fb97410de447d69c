"""Survival: R survival reference values, PHReg (Efron) agreement, RM-turnover recovery, long format."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.retention import survival as S
from bankcrm_research.data.validate import DataWarning

REF = Path(__file__).resolve().parents[1] / "reference" / "loyalty"
RTOL_COEF = 1e-6  # lifelines and R coxph converge to the same partial-likelihood maximum
RTOL_SE = 1e-5
COVS = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]


@pytest.fixture(scope="module")
def rossi() -> pd.DataFrame:
    return pd.read_csv(REF / "rossi.csv")


@pytest.fixture(scope="module")
def rossi_cox(rossi) -> S.CoxResult:
    return S.CoxModel().fit(rossi, duration="week", event="arrest", covariates=COVS)


def test_cox_matches_r_coxph_efron(rossi_cox):
    """R: ``coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio, data = rossi, ties = "efron")``.

    survival 3.5.3, R 4.2.2; script ``tests/reference/loyalty/ref_survival_rossi.R``.
    """
    ref = pd.read_csv(REF / "coxph_rossi_efron.csv").set_index("term")
    t = rossi_cox.tidy().set_index("term").loc[ref.index]
    np.testing.assert_allclose(t["log_hr"], ref["coef"], rtol=RTOL_COEF)
    np.testing.assert_allclose(t["std_error"], ref["se"], rtol=RTOL_SE)
    np.testing.assert_allclose(t["hr_ci_low"], ref["ci_low"], rtol=RTOL_SE)
    np.testing.assert_allclose(t["hr_ci_high"], ref["ci_high"], rtol=RTOL_SE)
    np.testing.assert_allclose(t["p_value"], ref["p"], rtol=1e-4)
    fit = pd.read_csv(REF / "coxph_rossi_fit.csv").set_index("quantity")["value"]
    assert rossi_cox.concordance == pytest.approx(fit["concordance"], rel=1e-9)
    assert rossi_cox.log_likelihood == pytest.approx(fit["loglik"], rel=1e-9)
    assert rossi_cox.ties == "efron"
    assert rossi_cox.notes == (f"Cox PH (lifelines), ties = efron, n = 432, events = 114, "
                               f"concordance = {fit['concordance']:.3f}",)


def _phreg(rossi: pd.DataFrame, ties: str) -> pd.DataFrame:
    """statsmodels ``PHReg(week, rossi[COVS], status=arrest, ties=ties)`` as ``log_hr, std_error``."""
    import statsmodels.api as sm

    res = sm.PHReg(rossi["week"].to_numpy(float), rossi[COVS].to_numpy(float),
                   status=rossi["arrest"].to_numpy(int), ties=ties).fit()
    return pd.DataFrame({"term": COVS, "log_hr": res.params, "std_error": res.bse})


def test_cox_lifelines_agrees_with_statsmodels_phreg_efron_not_breslow(rossi, rossi_cox):
    sm_efron = _phreg(rossi, "efron")
    np.testing.assert_allclose(sm_efron["log_hr"], rossi_cox.tidy()["log_hr"], rtol=1e-6)
    np.testing.assert_allclose(sm_efron["std_error"], rossi_cox.tidy()["std_error"], rtol=1e-5)
    # Breslow is a different estimator: it matches R's ties = "breslow", not the Efron fit
    sm_breslow = _phreg(rossi, "breslow")
    ref_b = pd.read_csv(REF / "coxph_rossi_breslow.csv")
    np.testing.assert_allclose(sm_breslow["log_hr"], ref_b["coef"], rtol=1e-6)
    assert np.max(np.abs(sm_breslow["log_hr"] - rossi_cox.tidy()["log_hr"])) > 1e-3


def test_ph_test_table_and_its_known_difference_from_r(rossi_cox):
    """lifelines' ``proportional_hazard_test`` (Grambsch–Therneau approximation, rank time) is reported.

    R's ``cox.zph`` changed in survival 3.0 to an exact score test, so statistics differ
    (R rank: wexp χ² = 4.16, p = 0.041; age 0.90); both flag ``wexp`` at 5 %. Kept in
    ``coxzph_rossi_rank.csv`` for the record; we test the shared conclusion only.
    """
    ph = rossi_cox.ph_test.set_index("term")
    r = pd.read_csv(REF / "coxzph_rossi_rank.csv").set_index("term")
    assert set(ph.index) == set(COVS)
    assert ph.loc["wexp", "p_value"] < 0.05 and r.loc["wexp", "p"] < 0.05
    assert ph.loc["fin", "p_value"] > 0.05 and r.loc["fin", "p"] > 0.05


def test_kaplan_meier_and_logrank_match_r(rossi):
    """R: ``survfit(Surv(week, arrest) ~ 1, conf.type = "log-log")`` and ``survdiff(Surv(week, arrest) ~ fin)``."""
    km = S.kaplan_meier(rossi, duration="week", event="arrest")
    ref = pd.read_csv(REF / "km_rossi.csv")
    c = km.tidy().set_index("time").loc[ref["time"].astype(float)]
    np.testing.assert_allclose(c["survival"], ref["surv"], rtol=1e-10)
    np.testing.assert_allclose(c["ci_low"], ref["lower"], rtol=1e-6)
    np.testing.assert_allclose(c["ci_high"], ref["upper"], rtol=1e-6)
    by = S.kaplan_meier(rossi, duration="week", event="arrest", group="fin")
    fit = pd.read_csv(REF / "coxph_rossi_fit.csv").set_index("quantity")["value"]
    lr = by.logrank.set_index("comparison").loc["overall"]
    assert lr["statistic"] == pytest.approx(fit["logrank_fin_chisq"], rel=1e-6)
    assert lr["p_value"] == pytest.approx(fit["logrank_fin_p"], rel=1e-6)
    assert set(by.medians["group"]) == {"0", "1"}


@pytest.mark.parametrize("engine", ["statsmodels", "lifelines"])
def test_time_varying_cox_matches_r_on_heart(engine):
    """R: ``coxph(Surv(start, stop, event) ~ age + year + surgery + transplant, data = heart)`` (Efron).

    ``heart`` has entries at other subjects' event times, so it checks the (start, stop] risk-set
    convention (statsmodels' own ``start <= t`` gave transplant −0.055 instead of −0.0103).
    """
    heart = pd.read_csv(REF / "heart.csv")
    heart["transplant"] = heart["transplant"].astype(int)
    res = S.TimeVaryingCox(engine=engine).fit(heart, id_column="id", event="event",
                                              covariates=["age", "year", "surgery", "transplant"])
    ref = pd.read_csv(REF / "coxph_heart_tv_efron.csv")
    np.testing.assert_allclose(res.tidy()["log_hr"], ref["coef"], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(res.tidy()["std_error"], ref["se"], rtol=1e-4)


# --------------------------------------------------------------------------- RM turnover
def test_rm_turnover_long_format_by_hand():
    df = pd.DataFrame({
        "id": ["a", "b", "c", "d"],
        "months": [24.0, 10.0, 30.0, 8.0],
        "churned": [1, 0, 1, 1],
        "rm_change": pd.to_datetime(["2021-01-01", None, "2020-01-01", "2020-07-01"]),
        "x": [1.0, 2.0, 3.0, 4.0],
    })
    long = S.rm_turnover_long(df, id_column="id", duration="months", event="churned", change_date="rm_change",
                              origin="2020-01-01", window_months=6, covariates=["x"])
    m = 366 / S.DAYS_PER_MONTH  # 2020 is a leap year: 2021-01-01 is 366 days after origin
    a = long[long["id"] == "a"]
    np.testing.assert_allclose(a[["start", "stop"]].to_numpy(), [[0, m], [m, m + 6], [m + 6, 24]])
    assert a["rm_turnover"].tolist() == [0, 1, 0] and a["churned"].tolist() == [0, 0, 1]
    b = long[long["id"] == "b"]
    assert b[["start", "stop", "rm_turnover", "churned"]].to_numpy().tolist() == [[0, 10, 0, 0]]
    c = long[long["id"] == "c"]  # change at origin: window [0, 6)
    np.testing.assert_allclose(c[["start", "stop"]].to_numpy(), [[0, 6], [6, 30]])
    d = long[long["id"] == "d"]  # churns inside the window (change at 182 days = 5.98 months)
    assert d["rm_turnover"].tolist() == [0, 1] and d["churned"].tolist() == [0, 1]
    assert (long["x"][long["id"] == "d"] == 4.0).all()
    # window None: turnover stays on
    perm = S.rm_turnover_long(df, id_column="id", duration="months", event="churned", change_date="rm_change",
                              origin="2020-01-01", window_months=None)
    assert perm[perm["id"] == "a"]["rm_turnover"].tolist() == [0, 1]


def simulate_rm(n: int = 6000, log_hr_rm: float = 0.7, log_hr_x: float = -0.4, window: float = 6.0,
                seed: int = 5) -> pd.DataFrame:
    """Piecewise-exponential churn with an RM-turnover window, follow-up 48 months."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    h0 = 0.01  # per month
    has_change = rng.random(n) < 0.5
    c = np.where(has_change, rng.uniform(0, 40, n), np.inf)
    rate0 = h0 * np.exp(log_hr_x * x)
    e = rng.exponential(size=n)
    # cumulative hazard: rate0 on [0, c), rate0·e^g on [c, c + w), rate0 after
    H_c = rate0 * np.minimum(c, 1e9)
    H_w = H_c + rate0 * np.exp(log_hr_rm) * window
    t = np.where(e < H_c, e / rate0,
                 np.where(e < H_w, c + (e - H_c) / (rate0 * np.exp(log_hr_rm)), c + window + (e - H_w) / rate0))
    T = 48.0
    origin = pd.Timestamp("2020-01-01")
    return pd.DataFrame({
        "customer_id": np.arange(n), "x": x,
        "duration_months": np.minimum(t, T), "churned": (t < T).astype(int),
        "rm_change_date": [origin + pd.Timedelta(days=float(ci) * S.DAYS_PER_MONTH) if np.isfinite(ci) else pd.NaT
                           for ci in c],
    })


def test_rm_turnover_hazard_ratio_is_recovered():
    df = simulate_rm()
    long = S.rm_turnover_long(df, id_column="customer_id", duration="duration_months", event="churned",
                              change_date="rm_change_date", origin="2020-01-01", window_months=6, covariates=["x"])
    res = S.TimeVaryingCox().fit(long, id_column="customer_id", event="churned",
                                 covariates=["rm_turnover", "x"], window_months=6)
    t = res.tidy().set_index("term")
    assert res.notes[0].startswith("time-varying Cox, ties = efron, subjects = ")
    assert res.notes[0].endswith("turnover window = 6 months")
    for term, truth in (("rm_turnover", 0.7), ("x", -0.4)):
        assert np.log(t.loc[term, "hr_ci_low"]) <= truth <= np.log(t.loc[term, "hr_ci_high"]), (term, t.loc[term])
    # ignoring the window (turnover forever) dilutes the effect towards 0
    perm = S.rm_turnover_long(df, id_column="customer_id", duration="duration_months", event="churned",
                              change_date="rm_change_date", origin="2020-01-01", window_months=None, covariates=["x"])
    diluted = S.TimeVaryingCox().fit(perm, id_column="customer_id", event="churned",
                                     covariates=["rm_turnover", "x"]).tidy().set_index("term")
    assert diluted.loc["rm_turnover", "log_hr"] < t.loc["rm_turnover", "log_hr"] - 0.2
    # the lifelines engine (CoxTimeVaryingFitter) gives the same fit on a subsample
    few = long[long["customer_id"] < 1500]
    a = S.TimeVaryingCox(engine="lifelines").fit(few, id_column="customer_id", event="churned",
                                                 covariates=["rm_turnover", "x"]).tidy()
    b = S.TimeVaryingCox(engine="statsmodels").fit(few, id_column="customer_id", event="churned",
                                                   covariates=["rm_turnover", "x"]).tidy()
    np.testing.assert_allclose(a["log_hr"], b["log_hr"], rtol=1e-5)
    np.testing.assert_allclose(a["std_error"], b["std_error"], rtol=1e-4)


# ------------------------------------------------------------------------------ edge cases
def test_survival_input_errors(rossi):
    with pytest.raises(ValueError, match="no events"):
        S.kaplan_meier(rossi.assign(arrest=0), duration="week", event="arrest")
    with pytest.raises(ValueError, match="must be >= 0"):
        S.CoxModel().fit(rossi.assign(week=-rossi["week"]), duration="week", event="arrest", covariates=["age"])
    with pytest.raises(ValueError, match="closest: 'week'"):
        S.CoxModel().fit(rossi, duration="weeks", event="arrest", covariates=["age"])
    with pytest.raises(ValueError, match="window_months"):
        S.rm_turnover_long(rossi.assign(id=1, d=pd.NaT), id_column="id", duration="week", event="arrest",
                           change_date="d", origin="2020-01-01", window_months=-1)


def test_missing_durations_dropped_with_warning_and_constant_covariate_dropped(rossi):
    df = rossi.copy().astype({"week": float})
    df.loc[:4, "week"] = np.nan
    df["const"] = 1.0
    with pytest.warns(DataWarning) as rec:
        res = S.CoxModel().fit(df, duration="week", event="arrest", covariates=["age", "const"])
    msgs = " ".join(str(w.message) for w in rec)
    assert "dropped 5 of 432 rows" in msgs and "constant covariates dropped" in msgs
    assert res.n_obs == 427 and list(res.tidy()["term"]) == ["age"]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rm_turnover_recovered_on_fresh_simulated_worlds(seed):
    """``simulate_world`` customers (20,000) with seeds 1–3: the 95 % CI covers the planted log-HR
    (measured 0.629, 0.659, 0.663 with SE ≈ 0.085). The bundled seed's draw gives 0.49 (a 2.5-SE miss);
    100 fresh worlds: test_rm_turnover_slow.py."""
    from bankcrm_research.simulate import simulate_world

    world = simulate_world(seed=seed, n_customers=20000, n_transactions=20000, n_respondents=200, n_banks=10,
                           population_draw=20000)
    c = world["customers"]
    truth = world.truth["loyalty"]["rm_turnover"]
    covs = ["tenure_months", "n_products", "digital_share", "complaints_12m", "value_tier", "age"]
    long = S.rm_turnover_long(c, id_column="customer_id", duration="duration_months", event="churned",
                              change_date="rm_change_date", origin="2020-01-01",
                              window_months=truth["window_months"], covariates=covs)
    t = S.TimeVaryingCox().fit(long, id_column="customer_id", event="churned",
                               covariates=["rm_turnover", *covs]).tidy().set_index("term").loc["rm_turnover"]
    assert np.log(t["hr_ci_low"]) <= truth["log_hr"] <= np.log(t["hr_ci_high"])


@pytest.mark.slow
def test_planted_churn_drivers_on_bundled_data():
    """Bundled customers: time-varying Cox (RM turnover + baseline drivers) against ``loyalty.churn_hazard_log_hr``.

    The hazard also depends on satisfaction (``cusa_score``), absent from the customer table, so the
    other log-HRs are mildly attenuated (non-collapsibility; about 2.5 % over fresh worlds), and this
    draw is low: measured n_products −0.311 vs −0.35, tenure −0.0068 vs −0.008, complaints 0.310 vs 0.35.
    Asserted: every driver has the planted sign and lies within 0.06 + 2 SE of the truth; the CIs of
    digital_share, complaints_12m, age and value_tier_affluent cover it.
    """
    from bankcrm_research.data.load import load_customers
    from bankcrm_research.data.truth import get_truth

    try:
        c = load_customers()
    except FileNotFoundError:  # pragma: no cover
        pytest.skip("bundled data not present")
    truth = get_truth("loyalty.churn_hazard_log_hr")
    window = get_truth("loyalty.rm_turnover.window_months")
    covs = ["tenure_months", "n_products", "digital_share", "complaints_12m", "value_tier", "age"]
    long = S.rm_turnover_long(c, id_column="customer_id", duration="duration_months", event="churned",
                              change_date="rm_change_date", origin="2020-01-01", window_months=window,
                              covariates=covs)
    t = S.TimeVaryingCox().fit(long, id_column="customer_id", event="churned",
                               covariates=["rm_turnover", *covs]).tidy().set_index("term")
    t.index = [i.replace("value_tier[", "value_tier_").rstrip("]") for i in t.index]
    for key in ("tenure_months", "n_products", "digital_share", "complaints_12m", "age", "value_tier_affluent",
                "value_tier_private"):
        est = t.loc[key, "log_hr"]
        assert np.sign(est) == np.sign(truth[key]) and abs(est - truth[key]) < 0.06 + 2 * t.loc[key, "std_error"], key
    for key in ("digital_share", "complaints_12m", "age", "value_tier_affluent"):
        assert np.log(t.loc[key, "hr_ci_low"]) <= truth[key] <= np.log(t.loc[key, "hr_ci_high"]), key
