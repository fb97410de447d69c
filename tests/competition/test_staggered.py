"""Callaway–Sant'Anna and Sun–Abraham staggered event studies: reference (mpdta), recovery, edges."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.competition.staggered import (
    STAGGERED_COLUMNS,
    StaggeredResult,
    callaway_santanna,
    compare_staggered_estimators,
    sun_abraham,
)
from bankcrm_research.data.validate import DataWarning

try:  # the small-panel simulator is moving from competition/ to simulate/
    from bankcrm_research.simulate.panels import simulate_staggered_panel  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the merge order
    from bankcrm_research.competition.simulate import simulate_staggered_panel

REF = Path(__file__).resolve().parents[1] / "reference" / "competition"
MPDTA_KW = dict(outcome="lemp", cohort="first.treat", entity="countyreal", time="year")


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    return pd.read_csv(REF / "mpdta.csv")


@pytest.fixture(scope="module")
def cs_mpdta(mpdta) -> StaggeredResult:
    return callaway_santanna(mpdta, **MPDTA_KW)


def _est(res: StaggeredResult, aggregation: str) -> pd.Series:
    t = res.tidy()
    return t[t["aggregation"] == aggregation].set_index("term")["estimate"]


def _se(res: StaggeredResult, aggregation: str) -> pd.Series:
    t = res.tidy()
    return t[t["aggregation"] == aggregation].set_index("term")["std_error"]


# ------------------------------------------------------------------------------------------------
# reference: the did package's documented output on mpdta
# ------------------------------------------------------------------------------------------------
ATT_GT = {  # (g, t): (ATT, bootstrap SE)
    (2004, 2004): (-0.0105, 0.0246), (2004, 2005): (-0.0704, 0.0332), (2004, 2006): (-0.1373, 0.0397),
    (2004, 2007): (-0.1008, 0.0357), (2006, 2004): (0.0065, 0.0229), (2006, 2005): (-0.0028, 0.0197),
    (2006, 2006): (-0.0046, 0.0179), (2006, 2007): (-0.0412, 0.0192), (2007, 2004): (0.0305, 0.0154),
    (2007, 2005): (-0.0027, 0.0164), (2007, 2006): (-0.0311, 0.0184), (2007, 2007): (-0.0261, 0.0170),
}
DYNAMIC = {-3: 0.0305, -2: -0.0006, -1: -0.0245, 0: -0.0199, 1: -0.0510, 2: -0.1373, 3: -0.1008}
GROUP = {2004: -0.0797, 2006: -0.0229, 2007: -0.0261}


def test_att_gt_matches_did_readme(cs_mpdta):
    """did package README (GitHub bcallaway11/did, README.md, "summary(out)"):

        out <- att_gt(yname = "lemp", gname = "first.treat", idname = "countyreal", tname = "year",
                      xformla = ~1, data = mpdta, est_method = "reg")

    Point estimates are printed to 4 decimals: tolerance 5e-5 (half a unit in the last digit, i.e.
    agreement to 1e-4). SEs there come from the multiplier bootstrap (random, IQR-based); ours are
    analytic from the same influence function: rtol 0.15.
    """
    est, se = _est(cs_mpdta, "group_time"), _se(cs_mpdta, "group_time")
    assert len(est) == len(ATT_GT)
    for (g, t), (att, boot_se) in ATT_GT.items():
        assert est[f"ATT({g},{t})"] == pytest.approx(att, abs=5e-5), (g, t)
        assert se[f"ATT({g},{t})"] == pytest.approx(boot_se, rel=0.15), (g, t)


def test_dynamic_and_group_aggregation_match_did_readme(cs_mpdta):
    """did README: ``summary(aggte(out, type = "dynamic"))`` — overall -0.0772 (SE 0.0219) and event
    times -3..3; ``summary(aggte(out, type = "group"))`` — overall -0.031 (SE 0.0126) and groups.
    Tolerance 5e-5 on estimates (4 printed decimals; overall group ATT printed as -0.031: 5e-4)."""
    dyn, grp = _est(cs_mpdta, "dynamic"), _est(cs_mpdta, "group")
    for e, v in DYNAMIC.items():
        assert dyn[f"e={e}"] == pytest.approx(v, abs=5e-5), e
    assert dyn["overall"] == pytest.approx(-0.0772, abs=5e-5)
    assert _se(cs_mpdta, "dynamic")["overall"] == pytest.approx(0.0219, rel=0.15)
    for g, v in GROUP.items():
        assert grp[f"g={g}"] == pytest.approx(v, abs=5e-5), g
    assert grp["overall"] == pytest.approx(-0.031, abs=5e-4)
    assert _se(cs_mpdta, "group")["overall"] == pytest.approx(0.0126, rel=0.15)


def test_not_yet_treated_controls_only_change_cells_with_later_cohorts(mpdta, cs_mpdta):
    """With not-yet-treated controls, cells whose controls gain no later cohort equal the never-treated
    ones: ATT(2004, 2007) (no cohort adopts after 2007) and every cohort-2007 cell with t >= 2006."""
    ny = callaway_santanna(mpdta, **MPDTA_KW, control_group="not_yet_treated")
    a, b = _est(ny, "group_time"), _est(cs_mpdta, "group_time")
    for term in ["ATT(2004,2007)", "ATT(2006,2007)", "ATT(2007,2006)", "ATT(2007,2007)"]:
        assert a[term] == pytest.approx(b[term], abs=1e-12)
    assert abs(a["ATT(2004,2004)"] - b["ATT(2004,2004)"]) > 1e-3  # cohorts 2006/2007 join the controls


def test_sun_abraham_equals_written_out_interaction_weighted_estimator(mpdta):
    """Independent computation: dense OLS of lemp on county dummies, year dummies and cohort ×
    event-time dummies (e = -1 omitted; never-treated are the controls), then
    IW(e) = Σ_g n_{g,e} δ_{g,e} / Σ_g n_{g,e} (Sun & Abraham 2021, eq. 7 with sample shares).
    Tolerance 1e-8 (same algebra, different solver)."""
    d = mpdta.copy()
    g, t = d["first.treat"].to_numpy(float), d["year"].to_numpy(float)
    cells = sorted({(gg, tt - gg) for gg, tt in zip(g, t) if gg > 0 and tt - gg != -1})
    X = [pd.get_dummies(d["countyreal"]).to_numpy(float), pd.get_dummies(d["year"]).to_numpy(float)[:, 1:]]
    X.append(np.column_stack([((g == gg) & (t - g == ee)).astype(float) for gg, ee in cells]))
    beta = np.linalg.lstsq(np.hstack(X), d["lemp"].to_numpy(float), rcond=None)[0][-len(cells):]
    delta = dict(zip(cells, beta))
    n = {c: int(((g == c[0]) & (t - g == c[1])).sum()) for c in cells}
    sa = _est(sun_abraham(mpdta, **MPDTA_KW), "dynamic")
    for e in sorted({c[1] for c in cells}):
        ks = [c for c in cells if c[1] == e]
        iw = sum(n[k] * delta[k] for k in ks) / sum(n[k] for k in ks)
        assert sa[f"e={e:g}"] == pytest.approx(iw, abs=1e-8), e
    # after adoption, with never-treated controls, SA's cohort-specific effects equal CS's ATT(g,t)
    # (both are the cohort-vs-never-treated DiD against period g-1): same numbers, a cross-check
    assert sa["e=2"] == pytest.approx(-0.1373, abs=5e-5)


def test_sun_abraham_single_cohort_is_the_twfe_event_study():
    """One adopting cohort + never treated: SA's dynamic effects are the plain TWFE event study."""
    panel, _ = simulate_staggered_panel(seed=4, n_units=120, cohorts=(2015,))
    sa = _est(sun_abraham(panel, outcome="y", cohort="cohort", entity="unit"), "dynamic")
    comp = compare_staggered_estimators(panel, outcome="y", cohort="cohort", entity="unit", include_did2s=False)
    tw = comp[(comp["estimator"] == "twfe")].set_index("term")["estimate"]
    for term in tw.index:
        assert sa[term] == pytest.approx(tw[term], abs=1e-8)


# ------------------------------------------------------------------------------------------------
# recovery on a simulated staggered panel with growing effects tau(e) = 0.5 (e + 1)
# ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def staggered():
    return simulate_staggered_panel(seed=7, n_units=400)


@pytest.mark.parametrize("estimator", [callaway_santanna, sun_abraham])
def test_dynamic_effects_and_att_recovered(staggered, estimator):
    panel, truth = staggered
    res = estimator(panel, outcome="y", cohort="cohort", entity="unit")
    t = res.tidy()
    dyn = t[(t["aggregation"] == "dynamic") & (t["term"] != "overall")].set_index("event_time")
    post = [e for e in truth["dynamic"] if e in dyn.index]
    covered = [dyn.loc[e, "ci_low"] <= truth["dynamic"][e] <= dyn.loc[e, "ci_high"] for e in post]
    assert len(post) >= 8 and np.mean(covered) >= 0.8
    pre = dyn[dyn.index < -1]
    assert (pre["ci_low"] <= 0).mean() >= 0.8 and (pre["ci_high"] >= 0).mean() >= 0.8  # no planted pre-trend
    simple = t[t["aggregation"] == "simple"].iloc[0]
    assert simple["ci_low"] <= truth["att"] <= simple["ci_high"]


def test_static_twfe_is_biased_where_cs_is_not(staggered):
    """The point of the exercise: with effects growing in event time, the static TWFE estimate
    misses the ATT by far more than its SE while CS's simple ATT does not."""
    panel, truth = staggered
    comp = compare_staggered_estimators(panel, outcome="y", cohort="cohort", entity="unit")
    assert set(comp["estimator"]) == {"callaway_santanna", "sun_abraham", "twfe", "did2s"}
    assert list(comp.columns) == STAGGERED_COLUMNS
    from bankcrm_research.competition.event_study import staggered_did

    static = staggered_did(panel, outcome="y", cohort="cohort", entity="unit", dynamic=False)
    static = static[static["model"] == "static_twfe"].iloc[0]
    cs = comp[(comp["estimator"] == "callaway_santanna") & (comp["aggregation"] == "simple")].iloc[0]
    assert abs(static["estimate"] - truth["att"]) > 3 * static["std_error"]
    assert abs(cs["estimate"] - truth["att"]) < 3 * cs["std_error"]


def test_simultaneous_band_is_wider_than_pointwise(staggered):
    panel, _ = staggered
    res = callaway_santanna(panel, outcome="y", cohort="cohort", entity="unit", n_boot=499, seed=1)
    dyn = res.tidy().query("aggregation == 'dynamic' and term != 'overall'")
    assert (dyn["band_high"] - dyn["band_low"] > dyn["ci_high"] - dyn["ci_low"]).all()
    again = callaway_santanna(panel, outcome="y", cohort="cohort", entity="unit", n_boot=499, seed=1)
    pd.testing.assert_frame_equal(res.tidy(), again.tidy())  # seeded


@pytest.mark.slow
def test_coverage_over_repeated_draws():
    """95 % CIs of CS's simple ATT and e=0 effect cover the truth in 90–99 % of 200 draws."""
    hits = {"simple": [], "e0": []}
    for seed in range(200):
        panel, truth = simulate_staggered_panel(seed=1000 + seed, n_units=200)
        t = callaway_santanna(panel, outcome="y", cohort="cohort", entity="unit").tidy()
        s = t[t["aggregation"] == "simple"].iloc[0]
        e0 = t[(t["aggregation"] == "dynamic") & (t["term"] == "e=0")].iloc[0]
        hits["simple"].append(s["ci_low"] <= truth["att"] <= s["ci_high"])
        hits["e0"].append(e0["ci_low"] <= truth["dynamic"][0] <= e0["ci_high"])
    for k, v in hits.items():
        assert 0.90 <= np.mean(v) <= 0.99, (k, np.mean(v))


# ------------------------------------------------------------------------------------------------
# edge cases and result shape
# ------------------------------------------------------------------------------------------------
def test_result_shape(cs_mpdta):
    assert list(cs_mpdta.tidy().columns) == STAGGERED_COLUMNS
    s = cs_mpdta.summary()
    assert isinstance(s, pd.DataFrame) and "overall" in set(s["term"])
    assert isinstance(cs_mpdta.notes, tuple) and all(isinstance(n, str) for n in cs_mpdta.notes)
    assert cs_mpdta.effect("dynamic", "overall") == pytest.approx(-0.0772, abs=5e-5)
    with pytest.raises(ValueError, match="no row"):
        cs_mpdta.effect("calendar")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = cs_mpdta.plot()  # one estimator: markers at the event times, bars spanning the CIs
    dyn = cs_mpdta.tidy().query("aggregation == 'dynamic' and term != 'overall'").sort_values("event_time")
    marks = ax.lines[0]
    assert list(marks.get_xdata()) == list(dyn["event_time"].astype(float))
    assert list(marks.get_ydata()) == pytest.approx(list(dyn["estimate"]), abs=1e-12)
    bars = np.array(ax.collections[0].get_segments())  # [[t, lo], [t, hi]] per event time
    assert bars[:, 0, 1] == pytest.approx(dyn["ci_low"].to_numpy(), abs=1e-12)
    assert bars[:, 1, 1] == pytest.approx(dyn["ci_high"].to_numpy(), abs=1e-12)
    assert ax.get_ylabel() == "lemp"
    plt.close(ax.figure)


def test_missing_column_names_the_fix(mpdta):
    with pytest.raises(ValueError, match="first_treat.*closest"):
        callaway_santanna(mpdta, outcome="lemp", cohort="first_treat", entity="countyreal", time="year")


def test_cohort_must_be_constant_within_unit(mpdta):
    bad = mpdta.copy()
    bad.loc[0, "first.treat"] = 2006
    with pytest.raises(ValueError, match="constant within each countyreal"):
        callaway_santanna(bad, **MPDTA_KW)


def test_no_never_treated(mpdta):
    only = mpdta[mpdta["first.treat"] > 0]
    with pytest.raises(ValueError, match="not_yet_treated"):
        callaway_santanna(only, **MPDTA_KW)
    res = callaway_santanna(only, **MPDTA_KW, control_group="not_yet_treated")
    # the last cohort (2007) has no not-yet-treated controls in 2007: those cells are skipped
    assert "ATT(2007,2007)" not in set(res.tidy()["term"])
    with pytest.warns(DataWarning, match="cohort 2007 is the control"):
        sa = sun_abraham(only, **MPDTA_KW)
    assert sa.control_group == "last_cohort"


def test_unbalanced_units_are_dropped_with_a_warning(mpdta):
    holes = mpdta.drop(index=[0, 7])
    with pytest.warns(DataWarning, match="not observed in every period"):
        res = callaway_santanna(holes, **MPDTA_KW)
    assert res.n_units == 498


def test_bad_options(mpdta):
    with pytest.raises(ValueError, match="control_group"):
        callaway_santanna(mpdta, **MPDTA_KW, control_group="never")
    with pytest.raises(ValueError, match="alpha"):
        sun_abraham(mpdta, **MPDTA_KW, alpha=1.5)
    with pytest.raises(TypeError, match="DataFrame"):
        callaway_santanna(mpdta.to_numpy(), **MPDTA_KW)
    with pytest.raises(ValueError, match="No treated cohort"):
        callaway_santanna(mpdta.assign(**{"first.treat": 0}), **MPDTA_KW)


def test_coarser_cluster_changes_ses_not_estimates(mpdta, cs_mpdta):
    d = mpdta.assign(state=mpdta["countyreal"] // 1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = callaway_santanna(d, **MPDTA_KW, cluster="state")
    pd.testing.assert_series_equal(res.tidy()["estimate"], cs_mpdta.tidy()["estimate"])
    assert not np.allclose(res.tidy()["std_error"], cs_mpdta.tidy()["std_error"])


def test_sun_abraham_agrees_with_pyfixest_saturated_event_study(mpdta):
    """pyfixest 0.60 (beta): ``pf.event_study(mpdta, yname="lemp", idname="countyreal", tname="year",
    gname="first.treat", estimator="saturated").aggregate()`` — estimates and SEs to 1e-8."""
    import pyfixest as pf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        agg = pf.event_study(mpdta.rename(columns={"first.treat": "g"}), yname="lemp", idname="countyreal",
                             tname="year", gname="g", estimator="saturated").aggregate()
    ours = sun_abraham(mpdta, **MPDTA_KW).tidy().query("aggregation == 'dynamic'").set_index("event_time")
    for period, row in agg.iterrows():
        assert ours.loc[float(period), "estimate"] == pytest.approx(float(row["Estimate"]), abs=1e-8)
        assert ours.loc[float(period), "std_error"] == pytest.approx(float(row["Std. Error"]), rel=1e-6)


def test_balanced_event_study_matches_did_vignette(mpdta):
    """did vignette "Getting Started with the did Package" (docs/articles/did-basics.md, section
    "The Effect of the Minimum Wage on Youth Employment"):

        mw.attgt <- att_gt(yname = "lemp", gname = "first.treat", idname = "countyreal", tname = "year",
                           xformla = ~1, data = mpdta)
        summary(aggte(mw.attgt, type = "dynamic", balance_e = 1))

    overall -0.0288; event times -2: 0.0065, -1: -0.0028, 0: -0.0066, 1: -0.0510 (doubly robust
    without covariates = outcome regression without covariates). Tolerance 5e-5 (4 printed decimals)."""
    res = callaway_santanna(mpdta, **MPDTA_KW, balance_e=1)
    dyn = _est(res, "dynamic")
    assert list(dyn.index) == ["e=-2", "e=-1", "e=0", "e=1", "overall"]
    for term, v in {"e=-2": 0.0065, "e=-1": -0.0028, "e=0": -0.0066, "e=1": -0.0510, "overall": -0.0288}.items():
        assert dyn[term] == pytest.approx(v, abs=5e-5), term
    assert _se(res, "dynamic")["overall"] == pytest.approx(0.0135, rel=0.15)
    with pytest.raises(ValueError, match="balance_e"):
        callaway_santanna(mpdta, **MPDTA_KW, balance_e=9)


CSA_PY_REG = {  # (g, t): (ATT, analytic SE), 6 decimals
    (2004, 2004): (-0.014911, 0.022056), (2004, 2005): (-0.076996, 0.02836), (2004, 2006): (-0.14108, 0.034836),
    (2004, 2007): (-0.107544, 0.032738), (2006, 2004): (-0.002066, 0.022122), (2006, 2005): (-0.006968, 0.018346),
    (2006, 2006): (0.000766, 0.019196), (2006, 2007): (-0.041536, 0.019717), (2007, 2004): (0.026366, 0.014019),
    (2007, 2005): (-0.00476, 0.01567), (2007, 2006): (-0.028502, 0.018132), (2007, 2007): (-0.028789, 0.016168),
}
CSA_PY_DR = {  # (g, t): (ATT, analytic SE), 4 decimals
    (2004, 2004): (-0.0145, 0.0221), (2004, 2005): (-0.0764, 0.0287), (2004, 2006): (-0.1404, 0.0354),
    (2004, 2007): (-0.1069, 0.0329), (2006, 2004): (-0.0005, 0.0222), (2006, 2005): (-0.0062, 0.0185),
    (2006, 2006): (0.0010, 0.0194), (2006, 2007): (-0.0413, 0.0197), (2007, 2004): (0.0267, 0.0141),
    (2007, 2005): (-0.0046, 0.0157), (2007, 2006): (-0.0284, 0.0182), (2007, 2007): (-0.0288, 0.0162),
}


@pytest.mark.parametrize(("method", "ref", "tol"), [("reg", CSA_PY_REG, 5e-7), ("dr", CSA_PY_DR, 5e-5)])
def test_covariates_match_documented_values(mpdta, method, ref, tol):
    """Conditional parallel trends given lpop on mpdta. The did package documents only the call
    (``att_gt(..., xformla = ~lpop, data = mpdta)``, did-basics vignette), not its output; the values
    here are the documented output of csa-py (GitHub jsr-p/csa-py, README.md, "Balanced panel":
    ``csa.estimate(mpdta, outcome="lemp", unit="countyreal", group="first.treat", time="year",
    covariates=["lpop"], control="never", method="reg" | "dr")``), an independent implementation of
    did's ``att_gt`` (DRDID ``reg_did_panel`` / ``drdid_panel``) with analytic SEs. Tolerance: half a
    unit in the last printed digit. Aggregations (reg): simple -0.041969 (SE 0.011445), dynamic
    overall -0.080782 (0.018746), group overall -0.0329 (0.0119)."""
    res = callaway_santanna(mpdta, **MPDTA_KW, covariates=["lpop"], est_method=method)
    est, se = _est(res, "group_time"), _se(res, "group_time")
    for (g, t), (att, s) in ref.items():
        assert est[f"ATT({g},{t})"] == pytest.approx(att, abs=tol), (g, t)
        assert se[f"ATT({g},{t})"] == pytest.approx(s, abs=tol), (g, t)
    if method == "reg":
        assert res.effect("simple") == pytest.approx(-0.041969, abs=5e-7)
        assert _se(res, "simple")["overall"] == pytest.approx(0.011445, abs=5e-7)
        assert res.effect("dynamic", "overall") == pytest.approx(-0.080782, abs=5e-7)
        assert _se(res, "dynamic")["overall"] == pytest.approx(0.018746, abs=5e-7)
        assert res.effect("group", "overall") == pytest.approx(-0.0329, abs=5e-5)


def test_without_covariates_reg_and_dr_coincide(mpdta, cs_mpdta):
    reg = callaway_santanna(mpdta, **MPDTA_KW, est_method="reg")
    pd.testing.assert_frame_equal(reg.tidy(), cs_mpdta.tidy())


def test_covariate_adjustment_removes_confounded_trend():
    """Parallel trends hold only given x: units with high x trend up and adopt more often."""
    rng = np.random.default_rng(3)
    n, years = 600, np.arange(2010, 2018)
    x = rng.normal(size=n)
    cohort = np.where(rng.random(n) < 1 / (1 + np.exp(-1.5 * x)), rng.choice([2013, 2015], n), 0)
    rows = []
    for i in range(n):
        for y in years:
            effect = 1.0 if (cohort[i] and y >= cohort[i]) else 0.0
            rows.append((i, y, cohort[i], x[i], 0.5 * x[i] * (y - 2010) + effect + rng.normal(0, 0.5)))
    df = pd.DataFrame(rows, columns=["unit", "year", "cohort", "x", "y"])
    kw = dict(outcome="y", cohort="cohort", entity="unit")
    plain = callaway_santanna(df, **kw).tidy().query("aggregation == 'simple'").iloc[0]
    for method in ("reg", "dr"):
        adj = callaway_santanna(df, **kw, covariates=["x"], est_method=method).tidy().query("aggregation == 'simple'").iloc[0]
        assert adj["ci_low"] <= 1.0 <= adj["ci_high"], method
    assert not plain["ci_low"] <= 1.0 <= plain["ci_high"]
    with pytest.raises(TypeError, match="numeric"):
        callaway_santanna(df.assign(x=df["x"].astype(str)), **kw, covariates=["x"])
    with pytest.raises(ValueError, match="est_method"):
        callaway_santanna(df, **kw, est_method="ipw")


def test_comparison_goes_on_without_did2s_when_pyfixest_cannot_compute_it(monkeypatch):
    """A did2s failure (pyfixest's variance step on some unbalanced designs) drops only the did2s rows, with a
    warning that says so; CS, SA and TWFE are still reported."""
    from bankcrm_research.competition import event_study

    def broken(*args, **kwargs):
        raise ValueError("operands could not be broadcast together with shapes (480,) (540,)")

    monkeypatch.setattr(event_study, "staggered_did", broken)
    panel, _ = simulate_staggered_panel(seed=4, n_units=120, cohorts=(2015,))
    with pytest.warns(DataWarning, match="did2s could not be computed.*Callaway-Sant'Anna, Sun-Abraham and TWFE"):
        comp = compare_staggered_estimators(panel, outcome="y", cohort="cohort", entity="unit")
    assert set(comp["estimator"]) == {"callaway_santanna", "sun_abraham", "twfe"}
