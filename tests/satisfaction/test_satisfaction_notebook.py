"""Notebook ``03_satisfaction_drivers`` runs by parameters alone on the ECSI ``mobi`` data (skipped
when ``../shared/data`` is absent) and, slow, on the bundled simulated survey; both write the
contract tables with the contract columns."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "03_satisfaction_drivers.ipynb"

MOBI_PARAMS = {
    "measurement": {
        "Image": ["IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5"],
        "Expectation": ["CUEX1", "CUEX2", "CUEX3"],
        "Quality": ["PERQ1", "PERQ2", "PERQ3", "PERQ4", "PERQ5", "PERQ6", "PERQ7"],
        "Value": ["PERV1", "PERV2"],
        "Satisfaction": ["CUSA1", "CUSA2", "CUSA3"],
        "Complaints": ["CUSCO"],
        "Loyalty": ["CUSL1", "CUSL2", "CUSL3"],
    },
    "structural": [
        ["Image", "Expectation"], ["Image", "Satisfaction"], ["Image", "Loyalty"], ["Expectation", "Quality"],
        ["Expectation", "Value"], ["Expectation", "Satisfaction"], ["Quality", "Value"],
        ["Quality", "Satisfaction"], ["Value", "Satisfaction"], ["Satisfaction", "Complaints"],
        ["Satisfaction", "Loyalty"], ["Complaints", "Loyalty"],
    ],
    "reverse_items": [],
    "scale": [1, 10],
    "group_column": None,
    "index_construct": "Satisfaction",
    "drivers": None,
    "indirect": [["Quality", "Value", "Satisfaction", "Loyalty"]],
}

CONTRACT = {
    "reliability": ["construct", "n_items", "alpha", "alpha_std", "omega", "rho_c", "rho_a", "ave"],
    "fit": ["model", "chisq", "df", "p_value", "cfi", "tli", "rmsea", "rmsea_ci_low", "rmsea_ci_high", "srmr"],
}


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, params: dict) -> Path:
    import papermill as pm

    monkeypatch.setenv("BANKCRM_REPORT_DIR", str(tmp_path / "out"))
    monkeypatch.setenv("BANKCRM_NOTEBOOK", "03_satisfaction_drivers")
    pm.execute_notebook(str(NOTEBOOK), str(tmp_path / "nb.ipynb"), parameters=params, kernel_name="python3",
                        cwd=str(NOTEBOOK.parent), progress_bar=False)
    return tmp_path / "out" / "tables"


def _check_contract(tables: Path, constructs: list[str], measurement: dict | None = None,
                    structural: list | None = None) -> None:
    for name, cols in CONTRACT.items():
        t = pd.read_csv(tables / f"{name}.csv")
        assert list(t.columns[: len(cols)]) == cols, name
    assert list(pd.read_csv(tables / "fit.csv")["model"]) == ["CFA", "SEM"]
    for name in ("htmt", "htmt2"):
        h = pd.read_csv(tables / f"{name}.csv")
        assert list(h.columns) == ["construct", *constructs] and list(h["construct"]) == constructs
    for name in ("drivers", "ipma", "ipma_attributes"):
        assert len(pd.read_csv(tables / f"{name}.csv")) > 0, name
    # one loading per item and one path per structural arrow for each of CB-SEM, PLS and PLSc
    loadings, paths = pd.read_csv(tables / "loadings.csv"), pd.read_csv(tables / "paths.csv")
    assert list(dict.fromkeys(loadings["method"])) == ["CB-SEM CFA", "PLS", "PLSc"]
    assert list(dict.fromkeys(paths["method"])) == ["CB-SEM", "PLS", "PLSc"]
    items = {m: list(zip(g["construct"], g["item"])) for m, g in loadings.groupby("method")}
    arrows = {m: sorted(zip(g["from"], g["to"])) for m, g in paths.groupby("method")}
    assert items["PLS"] == items["PLSc"] == items["CB-SEM CFA"] and arrows["PLS"] == arrows["PLSc"] == arrows["CB-SEM"]
    assert {c for c, _ in items["PLS"]} == set(constructs)
    if measurement is not None:
        assert items["PLS"] == [(c, i) for c, its in measurement.items() for i in its]
    if structural is not None:
        assert arrows["PLS"] == sorted(map(tuple, structural))
    ci = ["importance_ci_low", "importance_ci_high", "performance_ci_low", "performance_ci_high"]
    assert list(pd.read_csv(tables / "ipma.csv").columns[-4:]) == ci
    assert set(ci) <= set(pd.read_csv(tables / "ipma_attributes.csv").columns)


def test_notebook_runs_on_mobi_by_parameters(shared_data_dir, tmp_path, monkeypatch):  # noqa: ANN001
    mobi = shared_data_dir / "ecsi_mobi" / "mobi.csv"
    if not mobi.exists():
        pytest.skip("../shared/data/ecsi_mobi/mobi.csv not present")
    params = {**MOBI_PARAMS, "survey_path": os.path.relpath(mobi, NOTEBOOK.parent), "bootstrap_reps": 100,
              "permutations": 50}
    tables = _run(tmp_path, monkeypatch, params)
    _check_contract(tables, list(MOBI_PARAMS["measurement"]), MOBI_PARAMS["measurement"], MOBI_PARAMS["structural"])
    assert not (tables / "truth_vs_estimate.csv").exists()  # user data: no truth
    fit = pd.read_csv(tables / "fit.csv").set_index("model")
    # The SEM is lavaan's sm_mobi (CUSCO a single-indicator construct): its fit row equals
    # lavaan 0.6-14 fitMeasures(sem(paste(mm, sm), mobi)) from ref_lavaan_mobi.R (rtol 1e-6).
    ref_path = mobi.parent / "reference" / "lavaan_psych" / "lavaan_mobi_fit.csv"
    if ref_path.exists():  # shipped with the shared mobi data
        ref = pd.read_csv(ref_path, index_col=0).loc["SEM"]
        for ours, theirs in [("chisq", "chisq"), ("df", "df"), ("cfi", "cfi"), ("tli", "tli"), ("rmsea", "rmsea"),
                             ("srmr", "srmr")]:
            assert fit.loc["SEM", ours] == pytest.approx(ref[theirs], rel=1e-6), ours
    # The CFA (all 7 constructs, 24 items, n = 250) has no lavaan twin; check its identities instead:
    # df = 24·25/2 moments - (17 loadings + 23 error variances + 7 factor variances + 21 covariances;
    # the single item's error variance is fixed at 0) = 232; p = χ² survival; RMSEA (lavaan, N not N-1);
    # the SEM is nested in the CFA (9 fewer structural parameters than factor covariances).
    cfa = fit.loc["CFA"]
    assert cfa["df"] == 24 * 25 / 2 - (17 + 23 + 7 + 21) == 232
    assert cfa["p_value"] == pytest.approx(stats.chi2.sf(cfa["chisq"], cfa["df"]), abs=1e-12)
    rmsea = np.sqrt(max(cfa["chisq"] - cfa["df"], 0) / (cfa["df"] * 250))
    assert cfa["rmsea"] == pytest.approx(rmsea, rel=1e-8)
    assert fit.loc["SEM", "df"] - cfa["df"] == 9 and fit.loc["SEM", "chisq"] > cfa["chisq"]
    paths = pd.read_csv(tables / "paths.csv")
    # the improper mobi SEM is marked path by path
    assert not paths.loc[paths["method"] == "CB-SEM", "proper"].all()


@pytest.mark.slow
def test_notebook_runs_on_bundled_data(tmp_path, monkeypatch):  # noqa: ANN001
    from bankcrm_research.data.paths import data_dir

    if not (data_dir() / "survey.csv").exists():
        pytest.skip("bundled survey not present")
    tables = _run(tmp_path, monkeypatch, {"bootstrap_reps": 200, "permutations": 100})
    _check_contract(tables, ["IMAG", "CUEX", "PERQ", "PERV", "CUSA", "CUSCO", "CUSL"])
    tve = pd.read_csv(tables / "truth_vs_estimate.csv")
    assert list(tve.columns[:6]) == ["quantity", "truth", "estimate", "ci_low", "ci_high", "covered"]
    assert tve["covered"].mean() >= 0.85
