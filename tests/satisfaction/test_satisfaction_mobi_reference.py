"""Agreement with lavaan / semTools / psych, R seminr and SmartPLS on the ECSI ``mobi`` data.

Reference files: ``../shared/data/ecsi_mobi/reference/`` (skipped when absent). lavaan_psych was
computed by ``ref_lavaan_mobi.R`` in that folder (R 4.2, lavaan 0.6-14, semTools, psych);
seminr_r are the R seminr test fixtures; smartpls_ecsi are SmartPLS 2.0.M3 outputs (semPLS
tests). Where algorithms match, the tolerance is ``TOL = 1e-3`` (most agree to 1e-6).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linear_sum_assignment

from bankcrm_research.satisfaction.pls import PLSSEM
from bankcrm_research.satisfaction.reliability import composite_reliability, cronbach_alpha, reliability_table
from bankcrm_research.satisfaction.sem import CBSEM, ImproperSolutionWarning
from bankcrm_research.satisfaction.spec import ECSI_MOBI_MODEL, SurveyModel, prepare_survey
from bankcrm_research.satisfaction.validity import exploratory_factor_analysis, htmt, kmo_bartlett

TOL = 1e-3

BLOCKS = {
    "IMAG": [f"IMAG{i}" for i in range(1, 6)],
    "EXPE": [f"CUEX{i}" for i in range(1, 4)],
    "QUAL": [f"PERQ{i}" for i in range(1, 8)],
    "VAL": ["PERV1", "PERV2"],
    "SAT": [f"CUSA{i}" for i in range(1, 4)],
    "LOY": [f"CUSL{i}" for i in range(1, 4)],
}
# lavaan's sm_mobi, with the single indicator CUSCO as the one-item construct CUSCO_F
SEM_MODEL = SurveyModel(
    {**BLOCKS, "CUSCO_F": ["CUSCO"]},
    [["IMAG", "EXPE"], ["EXPE", "QUAL"], ["EXPE", "VAL"], ["QUAL", "VAL"], ["IMAG", "SAT"], ["EXPE", "SAT"],
     ["QUAL", "SAT"], ["VAL", "SAT"], ["SAT", "CUSCO_F"], ["IMAG", "LOY"], ["SAT", "LOY"], ["CUSCO_F", "LOY"]],
    scale=[1, 10],
)
CFA_MODEL = SurveyModel(BLOCKS, scale=[1, 10])


@pytest.fixture(scope="module")
def ref(mobi_dir):  # noqa: ANN001, ANN201
    return mobi_dir / "reference"


@pytest.fixture(scope="module")
def prep(mobi):  # noqa: ANN001, ANN201
    return prepare_survey(mobi, SEM_MODEL)


@pytest.fixture(scope="module")
def cfa(prep):  # noqa: ANN001, ANN201
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ImproperSolutionWarning)
        return CBSEM(CFA_MODEL, kind="CFA").fit(prep)


@pytest.fixture(scope="module")
def sem(prep):  # noqa: ANN001, ANN201
    with pytest.warns(ImproperSolutionWarning, match="improper solution"):
        return CBSEM(SEM_MODEL, kind="SEM").fit(prep)


def _fit_ref(ref, model):  # noqa: ANN001, ANN202
    f = pd.read_csv(ref / "lavaan_psych" / "lavaan_mobi_fit.csv", index_col=0)
    return f.loc[model]


@pytest.mark.parametrize("model", ["CFA", "SEM"])
def test_fit_measures_match_lavaan(ref, cfa, sem, model):  # noqa: ANN001
    """``fitMeasures(cfa(mm, mobi, estimator="ML"))`` and ``fitMeasures(sem(paste(mm, sm), mobi))``."""
    r = _fit_ref(ref, model)
    got = (cfa if model == "CFA" else sem).fit_table().iloc[0]
    pairs = {"chisq": "chisq", "df": "df", "p_value": "pvalue", "cfi": "cfi", "tli": "tli", "rmsea": "rmsea",
             "rmsea_ci_low": "rmsea.ci.lower", "rmsea_ci_high": "rmsea.ci.upper", "srmr": "srmr"}
    for ours, theirs in pairs.items():
        assert got[ours] == pytest.approx(r[theirs], abs=TOL), ours


def test_std_loadings_match_lavaan(ref, cfa, sem):  # noqa: ANN001
    """``standardizedSolution(cfa_fit)`` / ``(sem_fit)``, op ``=~``, column est.std."""
    r = pd.read_csv(ref / "lavaan_psych" / "lavaan_mobi_std_loadings.csv")
    got = cfa.loadings.set_index("item")
    got_sem = sem.loadings.set_index("item")
    np.testing.assert_allclose(got.loc[r["rhs"], "estimate"], r["est.std"], atol=TOL)
    np.testing.assert_allclose(got.loc[r["rhs"], "se"], r["se"], atol=TOL)
    np.testing.assert_allclose(got_sem.loc[r["rhs"], "estimate"], r["est.std_sem"], atol=TOL)


def test_std_paths_and_r2_match_lavaan(ref, sem):  # noqa: ANN001
    """``standardizedSolution(sem_fit)``, op ``~``: est.std and its delta-method se; ``lavInspect(fit, "r2")``.

    The solution is improper (see ``test_mobi_sem_is_flagged_improper``): the numbers still agree
    with lavaan, which is the point — we reproduce them AND flag them.
    """
    r = pd.read_csv(ref / "lavaan_psych" / "lavaan_mobi_paths.csv").replace({"CUSCO": "CUSCO_F"})
    got = sem.paths.set_index(["from", "to"])
    for row in r.itertuples():
        g = got.loc[(row.rhs, row.lhs)]
        assert g["estimate"] == pytest.approx(row[3], abs=TOL)
        # near-singular paths (se ~ 10) sit on a flat likelihood ridge where lavaan's nlminb and
        # the port's BFGS stop at slightly different points: their SEs agree to 1e-3 relative
        assert g["se"] == pytest.approx(row.se, abs=TOL, rel=1e-3)
    r2 = pd.read_csv(ref / "lavaan_psych" / "lavaan_mobi_r2.csv").set_index("var")["r2"]
    for c in ["EXPE", "QUAL", "VAL", "SAT", "LOY"]:
        assert sem.r2[c] == pytest.approx(r2[c], abs=TOL)
    assert sem.r2["CUSCO_F"] == pytest.approx(r2["CUSCO"], abs=TOL)


def test_mobi_sem_is_flagged_improper(sem, cfa):  # noqa: ANN001
    """lavaan warns the mobi SEM is improper; we must say so, with reasons, not print it silently."""
    kinds = set(sem.problems["kind"])
    assert "std_path_beyond_1" in kinds
    assert "discriminant_validity" in kinds
    assert not sem.proper
    assert "IMPROPER SOLUTION" in sem.report()
    assert len(sem.notes) == len(sem.problems) and all(n in sem.report() for n in sem.notes)
    assert list(sem.summary().columns[:3]) == ["term", "lhs", "rhs"] and set(sem.summary()["term"]) == {"path"}
    assert "SAT -> LOY = 3.27" in " ".join(sem.problems["explanation"])
    # CFA: the latent correlation matrix has a negative eigenvalue (QUAL-SAT r = 0.957)
    assert "latent_cov_not_pd" in set(cfa.problems["kind"])


def test_reliability_matches_semtools_and_psych(ref, prep, cfa):  # noqa: ANN001
    """``psych::alpha(data[, b])$total$raw_alpha``, ``semTools::compRelSEM(cfa_fit)`` (omega) and
    Fornell-Larcker CR / AVE from ``standardizedSolution`` loadings (ref_lavaan_mobi.R)."""
    r = pd.read_csv(ref / "lavaan_psych" / "lavaan_mobi_reliability.csv").set_index("construct")
    tab = reliability_table(prep.data, measurement=BLOCKS, cfa=cfa).set_index("construct")
    np.testing.assert_allclose(tab.loc[r.index, "alpha"], r["alpha_psych"], atol=TOL)
    np.testing.assert_allclose(tab.loc[r.index, "omega"], r["CR_semTools"], atol=TOL)
    np.testing.assert_allclose(tab.loc[r.index, "rho_c"], r["CR_FornellLarcker"], atol=TOL)
    np.testing.assert_allclose(tab.loc[r.index, "ave"], r["AVE_stdloadings"], atol=TOL)
    assert "alpha < 0.70" in tab.loc["EXPE", "note"]  # low alpha flagged (CUEX .43)
    assert "alpha < 0.70" in tab.loc["LOY", "note"]


@pytest.mark.parametrize(("variant", "fname"), [("classic", "lavaan_mobi_htmt.csv"), ("htmt2", "lavaan_mobi_htmt2.csv")])
def test_htmt_matches_semtools(ref, prep, variant, fname):  # noqa: ANN001
    """``semTools::htmt(mm, data = mobi, htmt2 = FALSE)`` (classic) and ``htmt2 = TRUE``."""
    r = pd.read_csv(ref / "lavaan_psych" / fname, index_col=0)
    got = htmt(prep.data, measurement=BLOCKS, variant=variant)
    np.testing.assert_allclose(got.loc[r.index, r.columns].to_numpy(), r.to_numpy(), atol=TOL)
    assert got.attrs["variant"] == variant


def test_kmo_bartlett_match_psych(ref, prep):  # noqa: ANN001
    """``psych::KMO(data[, items])`` and ``psych::cortest.bartlett(cor(data[, items]), n = 250)``."""
    items = CFA_MODEL.items
    kb = kmo_bartlett(prep.data, items=items)
    r = pd.read_csv(ref / "lavaan_psych" / "psych_mobi_kmo_bartlett.csv").set_index("stat")["value"]
    get = lambda s, i="overall": kb.loc[(kb.statistic == s) & (kb.item == i), "value"].iloc[0]  # noqa: E731
    assert get("kmo") == pytest.approx(r["KMO_overall"], abs=TOL)
    assert get("bartlett_chisq") == pytest.approx(r["bartlett_chisq"], abs=TOL)
    assert get("bartlett_df") == r["bartlett_df"]
    ri = pd.read_csv(ref / "lavaan_psych" / "psych_mobi_kmo_items.csv")
    for row in ri.itertuples():
        assert get("kmo", row.item) == pytest.approx(row.KMO_item, abs=TOL)


def test_efa_matches_psych_minres_varimax(ref, prep):  # noqa: ANN001
    """``psych::fa(data[, items], nfactors = 6, rotate = "varimax", fm = "minres")``: communalities
    and loadings up to factor order and sign (matched by assignment on |loading| agreement)."""
    items = CFA_MODEL.items
    efa = exploratory_factor_analysis(prep.data, items=items, n_factors=6, rotation="varimax", parallel_reps=20)
    comm = pd.read_csv(ref / "lavaan_psych" / "psych_mobi_efa_communalities.csv").set_index("item")["communality"]
    np.testing.assert_allclose(efa.communalities[comm.index], comm, atol=TOL)
    ld = pd.read_csv(ref / "lavaan_psych" / "psych_mobi_efa_minres_varimax_loadings.csv", index_col=0)
    ours = efa.loadings.loc[ld.index].to_numpy()
    theirs = ld.to_numpy()
    cost = -np.abs(ours.T @ theirs)
    rows, cols = linear_sum_assignment(cost)
    for i, j in zip(rows, cols, strict=True):
        sign = np.sign(ours[:, i] @ theirs[:, j])
        np.testing.assert_allclose(sign * ours[:, i], theirs[:, j], atol=5e-3)


def test_pls_composite_reliability_matches_seminr_r(ref, prep):  # noqa: ANN001
    """R seminr fixture ``reliability.csv``: ``summary(estimate_pls(mobi, mm, sm, inner_weights =
    path_weighting))$reliability`` with ``composite(..., weights = mode_A)`` for Image, Expectation,
    Value, Satisfaction (alpha is seminr's standardised alpha; rhoC and AVE from PLS loadings)."""
    names = {"Image": "IMAG", "Expectation": "CUEX", "Value": "PERV", "Satisfaction": "CUSA"}
    model = ECSI_MOBI_MODEL.sub_model(list(names))
    model = SurveyModel(model.measurement, [["Image", "Satisfaction"], ["Expectation", "Satisfaction"],
                                            ["Value", "Satisfaction"]], scale=[1, 10])
    res = PLSSEM(model, bootstrap_reps=0).fit(prep)
    r = pd.read_csv(ref / "seminr_r" / "reliability.csv", index_col=0)
    load = res.term("loading")
    for c in r.index:
        items = list(model.measurement[c])
        assert cronbach_alpha(prep.data, items=items)["alpha_std"] == pytest.approx(r.loc[c, "alpha"], abs=TOL)
        cr = composite_reliability(load.loc[load["to"] == c, "estimate"].to_numpy())
        assert cr["rho_c"] == pytest.approx(r.loc[c, "rhoC"], abs=TOL)
        assert cr["ave"] == pytest.approx(r.loc[c, "AVE"], abs=TOL)
        assert res.rho_a(c) == pytest.approx(r.loc[c, "rhoA"], abs=TOL)
    h = pd.read_csv(ref / "seminr_r" / "htmt.csv", index_col=0)
    got = htmt(prep.data, measurement={c: list(model.measurement[c]) for c in h.index})
    for a in h.index:
        for b in h.columns:
            if np.isfinite(h.loc[a, b]):
                assert got.loc[a, b] == pytest.approx(h.loc[a, b], abs=TOL)


def test_plsc_paths_match_seminr_r(ref, prep):  # noqa: ANN001
    """R seminr fixture ``path_coef1.csv`` / ``rsquaredplsc.csv``: ``estimate_pls(mobi, mm, sm,
    inner_weights = path_factorial)`` with ``reflective()`` blocks (PLSc) for
    Image/Expectation/Value -> Satisfaction."""
    model = SurveyModel(
        {c: list(ECSI_MOBI_MODEL.measurement[c]) for c in ["Image", "Expectation", "Value", "Satisfaction"]},
        [["Image", "Satisfaction"], ["Expectation", "Satisfaction"], ["Value", "Satisfaction"]],
        scale=[1, 10],
    )
    res = PLSSEM(model, scheme="factorial", consistent=True, bootstrap_reps=0).fit(prep)
    r = pd.read_csv(ref / "seminr_r" / "path_coef1.csv", index_col=0)
    got = res.path_matrix()
    np.testing.assert_allclose(got.loc[r.index, r.columns].to_numpy(), r.to_numpy(), atol=TOL)
    rsq = pd.read_csv(ref / "seminr_r" / "rsquaredplsc.csv", index_col=0)
    r2 = res.term("r2").set_index("to")["estimate"]
    assert r2["Satisfaction"] == pytest.approx(rsq.loc["Rsq", "Satisfaction"], abs=TOL)


def _smartpls(path):  # noqa: ANN001, ANN202
    """SmartPLS text export: tab-separated, decimal comma, padded names, optional trailing tab."""
    lines = [ln.rstrip("\n").rstrip("\t").split("\t") for ln in path.read_text().splitlines() if ln.strip()]
    cols = [c.strip() for c in lines[0][1:]]
    rows = {ln[0].strip(): [float(v.strip().replace(",", ".")) for v in ln[1:]] for ln in lines[1:]}
    return pd.DataFrame.from_dict(rows, orient="index", columns=cols)


@pytest.mark.parametrize(("scheme", "folder"), [("path", "pathWeighting"), ("centroid", "centroid")])
def test_ecsi_paths_and_weights_match_smartpls(ref, prep, scheme, folder):  # noqa: ANN001
    """SmartPLS 2.0.M3 ECSI model on mobi (semPLS ``tests/SmartPLS/results/ecsi``), Mode A,
    standardised data, path or centroid weighting: path coefficients and outer weights.

    SmartPLS stops at a change of 1e-7 in the weights, like seminr; agreement is to 1e-3.
    (The centroid scheme is not in seminr: our engine alone is compared.)
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = PLSSEM(ECSI_MOBI_MODEL, scheme=scheme, bootstrap_reps=0).fit(prep)
    p = _smartpls(ref / "smartpls_ecsi" / folder / "pathCoefficients.txt")
    got = res.path_matrix()
    np.testing.assert_allclose(got.loc[p.index, p.columns].to_numpy(), p.to_numpy(), atol=TOL)
    w = _smartpls(ref / "smartpls_ecsi" / folder / "outerWeights.txt")
    ours = res.term("weight").set_index("from")
    for item in w.index:
        c = w.columns[w.loc[item].to_numpy().nonzero()[0][0]]
        assert ours.loc[item, "estimate"] == pytest.approx(w.loc[item, c], abs=TOL)
        assert ours.loc[item, "to"] == c
