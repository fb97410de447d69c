"""Dominance analysis against the PyPI package dominance-analysis 1.1.9 and by hand.

Reference: ``tests/reference/satisfaction/dominance/dominance_analysis_ref.csv`` from
``Dominance(data, target="satisfaction", objective=1, top_k=4).incremental_rsquare()`` on
``dominance_sim.csv`` (script ``make_and_ref.py`` there). TOL 1e-8.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.satisfaction.dominance import MAX_DRIVERS, dominance_analysis

REF = Path(__file__).resolve().parents[1] / "reference" / "satisfaction" / "dominance"
DRIVERS = ["quality", "value", "convenience", "rm_service"]


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    return pd.read_csv(REF / "dominance_sim.csv")


@pytest.fixture(scope="module")
def res(sim):  # noqa: ANN001, ANN201
    return dominance_analysis(sim, predictors=DRIVERS, outcome="satisfaction", bootstrap_reps=300, seed=1)


def test_general_dominance_matches_dominance_analysis_package(res):  # noqa: ANN001
    ref = pd.read_csv(REF / "dominance_analysis_ref.csv").set_index("driver")["incremental_r2"]
    got = res.tidy().set_index("driver")["general_dominance"]
    assert got.to_numpy() == pytest.approx(ref.loc[got.index].to_numpy(), abs=1e-8)


def test_general_dominance_sums_to_r2_and_conditional_levels(sim, res):  # noqa: ANN001
    x = np.column_stack([np.ones(len(sim)), sim[DRIVERS].to_numpy()])
    y = sim["satisfaction"].to_numpy()
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    r2 = 1 - np.sum((y - x @ beta) ** 2) / np.sum((y - y.mean()) ** 2)
    assert res.r2 == pytest.approx(r2, abs=1e-12)
    assert res.tidy()["general_dominance"].sum() == pytest.approx(r2, abs=1e-12)
    assert res.tidy()["share"].sum() == pytest.approx(1.0)
    # size-0 conditional dominance = squared correlation; size p-1 = usefulness (R² drop when removed)
    for d in DRIVERS:
        assert res.conditional.at[d, "k0"] == pytest.approx(np.corrcoef(sim[d], y)[0, 1] ** 2, abs=1e-12)
        others = [o for o in DRIVERS if o != d]
        xo = np.column_stack([np.ones(len(sim)), sim[others].to_numpy()])
        bo = np.linalg.lstsq(xo, y, rcond=None)[0]
        r2o = 1 - np.sum((y - xo @ bo) ** 2) / np.sum((y - y.mean()) ** 2)
        assert res.conditional.at[d, "k3"] == pytest.approx(r2 - r2o, abs=1e-12)
    assert (res.tidy()["general_dominance"].to_numpy()
            == pytest.approx(res.conditional.mean(axis=1).to_numpy(), abs=1e-15))


def test_two_predictor_example_by_hand():
    """r_y1 = .5, r_y2 = .4, r_12 = .3: R² = (.25 + .16 - 2*.5*.4*.3)/(1 - .09) = .29/.91;
    GD_1 = (.25 + (R² - .16))/2, GD_2 = (.16 + (R² - .25))/2 (Budescu 1993)."""
    rng = np.random.default_rng(0)
    target = np.array([[1, 0.3, 0.5], [0.3, 1, 0.4], [0.5, 0.4, 1]])
    z = rng.standard_normal((5000, 3))
    z = (z - z.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(z.T, bias=False))).T  # exact identity covariance
    x = z @ np.linalg.cholesky(target).T
    d = pd.DataFrame(x, columns=["a", "b", "y"])
    r = dominance_analysis(d, predictors=["a", "b"], outcome="y")
    r2 = 0.29 / 0.91
    g = r.tidy().set_index("driver")["general_dominance"]
    assert g["a"] == pytest.approx((0.25 + r2 - 0.16) / 2, abs=1e-10)
    assert g["b"] == pytest.approx((0.16 + r2 - 0.25) / 2, abs=1e-10)
    assert r.complete.at["a", "b"] == 1 and r.complete.at["b", "a"] == -1


def test_complete_dominance_and_summary(res):  # noqa: ANN001
    c = res.complete
    assert (c.to_numpy() == -c.to_numpy().T).all()
    assert (c.loc["quality"].drop("quality") == 1).all()
    # rm_service adds more than value and convenience to every subset; value vs convenience undetermined
    assert c.at["rm_service", "value"] == 1 and c.at["value", "convenience"] == 0
    s = res.summary().set_index("driver")
    assert s.at["quality", "completely_dominates"] == "value, convenience, rm_service"
    assert "quality completely dominates" in res.notes[1]


def test_bootstrap_ci_and_relative_weights(res):  # noqa: ANN001
    g = res.tidy()
    assert ((g["ci_low"] < g["general_dominance"]) & (g["general_dominance"] < g["ci_high"])).all()
    # relative weights approximate general dominance closely (Johnson 2000); both sum to R²
    assert g["relative_weight"].sum() == pytest.approx(res.r2, abs=1e-10)
    assert g["relative_weight"].to_numpy() == pytest.approx(g["general_dominance"].to_numpy(), abs=0.01)
    assert "same order" in res.notes[2]


def test_orthogonal_predictors_get_their_squared_correlations():
    rng = np.random.default_rng(3)
    z = rng.standard_normal((2000, 3))
    z = (z - z.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(z.T))).T
    d = pd.DataFrame({"a": z[:, 0], "b": z[:, 1], "c": z[:, 2]})
    d["y"] = 0.6 * d["a"] + 0.3 * d["b"] + rng.standard_normal(2000)
    r = dominance_analysis(d, predictors=["a", "b", "c"], outcome="y")
    r2_alone = r.conditional["k0"].to_numpy()
    assert r.tidy()["general_dominance"].to_numpy() == pytest.approx(r2_alone, abs=1e-10)


def test_input_checks(sim):  # noqa: ANN001
    with pytest.raises(ValueError, match="2 to 15"):
        dominance_analysis(sim, predictors=["quality"], outcome="satisfaction")
    with pytest.raises(ValueError, match="also listed"):
        dominance_analysis(sim, predictors=["quality", "satisfaction"], outcome="satisfaction")
    bad = sim.copy()
    bad.iloc[0, 0] = np.nan
    with pytest.raises(ValueError, match="missing values"):
        dominance_analysis(bad, predictors=DRIVERS, outcome="satisfaction")
    assert MAX_DRIVERS == 15


def test_plot_bars(res):  # noqa: ANN001
    import matplotlib

    matplotlib.use("Agg")
    ax = res.plot()
    widths = sorted(p.get_width() for p in ax.patches[:4])
    assert widths == pytest.approx(sorted(res.tidy()["general_dominance"]))
