"""Parameter recovery on simulated surveys with known truth (CB-SEM loadings and paths, relative
weights, index, IPMA, multi-group)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from satisfaction_sim import LOADINGS, PATHS, acsi_test_model, simulate_survey

from bankcrm_research.satisfaction.drivers import key_drivers, relative_weights
from bankcrm_research.satisfaction.ipma import ipma
from bankcrm_research.satisfaction.multigroup import multigroup_paths
from bankcrm_research.satisfaction.index import index_scores, satisfaction_index
from bankcrm_research.satisfaction.pls import PLSSEM
from bankcrm_research.satisfaction.sem import CBSEM
from bankcrm_research.satisfaction.spec import prepare_survey
from bankcrm_research.satisfaction.validity import fornell_larcker, htmt_table, parallel_analysis


@pytest.fixture(scope="module")
def cont(continuous_survey):  # noqa: ANN001, ANN201
    model = acsi_test_model(scale=(-4, 12))
    return model, prepare_survey(continuous_survey, model, keep=["group"])


def test_cbsem_recovers_planted_loadings_and_paths(cont):  # noqa: ANN001
    """Continuous items, n = 800: planted standardised loadings and paths fall inside the 95% Wald
    CIs (allowing the ~5% misses a correct 95% CI makes: at most 2 of 19 loadings, 1 of 7 paths)."""
    model, prep = cont
    cfa = CBSEM(model, kind="CFA").fit(prep)
    sem = CBSEM(model, kind="SEM").fit(prep)
    assert cfa.proper and sem.proper
    load = cfa.loadings.set_index("item")
    truth = {f"{c}{i + 1}": lam for c, lams in LOADINGS.items() for i, lam in enumerate(lams)}
    truth["CUSL2_R"] = truth.pop("CUSL2")
    cov = [load.loc[k, "ci_low"] <= v <= load.loc[k, "ci_high"] for k, v in truth.items()]
    assert sum(cov) >= len(cov) - 2
    assert max(abs(load.loc[k, "estimate"] - v) for k, v in truth.items()) < 0.08
    paths = sem.paths.set_index(["from", "to"])
    covp = [paths.loc[k, "ci_low"] <= v <= paths.loc[k, "ci_high"] for k, v in PATHS.items()]
    assert sum(covp) >= len(covp) - 1, paths
    # the model is correct: chi-square test should not reject at 1%
    assert sem.fit["pvalue"] > 0.01 and sem.fit["rmsea"] < 0.03


def test_discriminant_validity_and_fornell_larcker(cont):  # noqa: ANN001
    model, prep = cont
    cfa = CBSEM(model, kind="CFA").fit(prep)
    ave = {c: float(np.mean(cfa.std_loadings(c) ** 2)) for c in model.constructs}
    fl = fornell_larcker(cfa.latent_cor, ave)
    assert fl["criterion_met"].all()
    assert fl.loc["CUSA", "CUSA"] == pytest.approx(np.sqrt(ave["CUSA"]))
    ht = htmt_table(prep.data, measurement=model.measurement, bootstrap_reps=60)
    assert set(ht["variant"]) == {"classic", "htmt2"}
    assert not ht["exceeds"].any()
    # duplicate a construct's items under a new name: HTMT ~ 1 and flagged
    dup = prep.data.assign(D1=prep.data["CUSA1"] + 0.01 * np.arange(len(prep.data)) % 3, D2=prep.data["CUSA2"])
    ht2 = htmt_table(dup, measurement={"CUSA": ["CUSA1", "CUSA2", "CUSA3"], "DUP": ["D1", "D2"]}, bootstrap_reps=40)
    assert ht2["exceeds"].all()


def test_parallel_analysis_finds_the_factors():
    """Six well-separated factors with three items each."""
    rng = np.random.default_rng(0)
    f = rng.standard_normal((600, 6))
    x = np.repeat(f, 3, axis=1) * 0.8 + 0.6 * rng.standard_normal((600, 18))
    pa = parallel_analysis(pd.DataFrame(x, columns=[f"x{i}" for i in range(18)]), items=[f"x{i}" for i in range(18)], reps=30)
    assert pa.attrs["n_factors_fa"] == 6 and pa.attrs["n_factors_pc"] == 6


def test_relative_weights_properties():
    """Sum to R²; with orthogonal predictors they equal squared correlations (Johnson 2000);
    truth inside the bootstrap CI."""
    rng = np.random.default_rng(3)
    n = 4000
    x = rng.standard_normal((n, 3))
    x = (x - x.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(x.T)).T)  # exactly orthogonal
    y = x @ np.array([0.5, 0.3, 0.1]) + 0.6 * rng.standard_normal(n)
    df = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "y": y})
    rw = relative_weights(df, predictors=["a", "b", "c"], outcome="y", bootstrap_reps=200)
    r = df.corr()["y"][["a", "b", "c"]].to_numpy()
    np.testing.assert_allclose(rw["raw_weight"], r**2, atol=1e-12)
    assert rw["raw_weight"].sum() == pytest.approx(rw["r2"].iloc[0])
    assert list(rw["rank"]) == [1, 2, 3]
    # correlated predictors: still sums to the OLS R²
    z = np.column_stack([x[:, 0], x[:, 0] * 0.7 + x[:, 1] * 0.7, x[:, 2]])
    d2 = pd.DataFrame({"a": z[:, 0], "b": z[:, 1], "c": z[:, 2], "y": y})
    rw2 = relative_weights(d2, predictors=["a", "b", "c"], outcome="y", bootstrap_reps=50)
    beta, *_ = np.linalg.lstsq(np.column_stack([np.ones(n), z]), y, rcond=None)
    r2 = 1 - np.var(y - np.column_stack([np.ones(n), z]) @ beta) / np.var(y)
    assert rw2["raw_weight"].sum() == pytest.approx(r2, abs=1e-10)
    assert (rw2["ci_low"] <= rw2["share"]).all() and (rw2["share"] <= rw2["ci_high"]).all()


def test_key_drivers_ranks_items():
    df = simulate_survey(600, seed=2, likert=True)
    kd = key_drivers(df.assign(CUSL2=8 - df["CUSL2_R"]), drivers={"quality": ["PERQ1", "PERQ2"], "value": ["PERV1", "PERV2"],
                     "image": ["IMAG1", "IMAG2"]}, outcome_items=["CUSA1", "CUSA2", "CUSA3"], bootstrap_reps=100)
    assert kd["share"].sum() == pytest.approx(1)
    assert kd.set_index("driver").loc["quality", "rank"] == 1  # PERQ has the largest total effect on CUSA
    assert list(kd.columns[:3]) == ["driver", "items", "raw_weight"]


def test_satisfaction_index_and_ipma(likert_survey):  # noqa: ANN001
    model = acsi_test_model()
    prep = prepare_survey(likert_survey, model, keep=["group"])
    res = PLSSEM(model, bootstrap_reps=200, seed=4).fit(prep)
    idx = satisfaction_index(res, prep, construct="CUSA", group_column="group")
    assert list(idx["segment"]) == ["overall", "branch", "digital"]
    assert (idx["ci_low"] < idx["index"]).all() and (idx["index"] < idx["ci_high"]).all()
    assert idx["n"].iloc[0] == len(prep.data) == idx["n"].iloc[1:].sum()
    # index of a perfect respondent is 100, of the worst 0
    scores = index_scores(res, prep, construct="CUSA")
    top = prep.data.copy()
    top[["CUSA1", "CUSA2", "CUSA3"]] = 7
    assert index_scores(res, top, construct="CUSA").max() == pytest.approx(100)
    assert scores.mean() == pytest.approx(idx["index"].iloc[0])
    with pytest.raises(ValueError, match="construct 'SAT' is not in the PLS model"):
        satisfaction_index(res, prep, construct="SAT")
    ip = ipma(res, prep, target="CUSA")
    cons = ip.table[ip.table["level"] == "construct"].set_index("name")
    assert set(cons.index) == {"IMAG", "CUEX", "PERQ", "PERV"}
    assert cons["importance"].idxmax() == "PERQ"
    assert cons["performance"].between(0, 100).all()
    ind = ip.table[ip.table["level"] == "indicator"]
    for c in cons.index:  # indicator importances sum to the construct's (rescaled weights sum to 1)
        assert ind.loc[ind["construct"] == c, "importance"].sum() == pytest.approx(cons.loc[c, "importance"])


def test_multigroup_detects_planted_difference():
    """PERQ -> CUSA is 0.4 in branch and 0 in digital: detected; other paths mostly not."""
    df = simulate_survey(800, seed=8, likert=False, group_shift=-0.4)
    model = acsi_test_model(scale=(-10, 18))
    prep = prepare_survey(df, model, keep=["group"])
    mg = multigroup_paths(prep, model=model, group_column="group", groups=["digital", "branch"], permutations=200)
    row = mg.set_index(["from", "to"]).loc[("PERQ", "CUSA")]
    assert row["difference"] < -0.15 and row["p_value"] < 0.01
    assert mg["significant_05"].sum() <= 3
    with pytest.raises(ValueError, match="each needs at least 500 respondents"):
        multigroup_paths(prep, model=model, group_column="group", permutations=20, min_group_size=500)
