"""PROCESS-style models 1, 4, 7, 14 against pyprocessmacro 2.2.0, parameter recovery, edge cases.

Reference: ``tests/reference/satisfaction/process/pyprocessmacro_ref.csv`` made by
``ref_pyprocessmacro.py`` there (pyprocessmacro 2.2.0 from PyPI in a throwaway environment;
``Process(d, model=1, x="x", m="w", y="y", controls=["c1"])``, ``model=4, m=["m"]``,
``model=7, w="w"``, ``model=14, v="w"``, ``percent=True, boot=5000, seed=1``) on the simulated
``process_sim.csv`` (``make_process_data.py``). No Hayes data set was found in the public corpus, so
the reference is pyprocessmacro, which its authors test against the PROCESS macro.
Point estimates, OLS SEs and the JN boundary: TOL 1e-8 (brief: 1e-4). Bootstrap CIs use a different
random stream, so they agree only to bootstrap error: 0.02 absolute (5000 resamples).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.satisfaction.process import johnson_neyman, mediation, moderated_mediation, moderation

REF = Path(__file__).resolve().parents[1] / "reference" / "satisfaction" / "process"
TOL = 1e-8
BOOT_TOL = 0.02


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    return pd.read_csv(REF / "process_sim.csv")


@pytest.fixture(scope="module")
def ref() -> pd.DataFrame:
    return pd.read_csv(REF / "pyprocessmacro_ref.csv")


def _ref(ref: pd.DataFrame, model: int | str, kind: str, term: str) -> float:
    hit = ref[(ref["model"].astype(str) == str(model)) & (ref["kind"] == kind) & (ref["term"] == term)]
    assert len(hit) == 1, (model, kind, term)
    return float(hit["value"].iloc[0])


def _w(v: float) -> str:
    return f"{v:.10g}"


def test_model1_matches_pyprocessmacro(sim, ref):  # noqa: ANN001
    res = moderation(sim, x="x", w="w", y="y", covariates=["c1"])
    c = res.coefficients.set_index("term")
    for ours, theirs in {"constant": "Cons", "x": "x", "w": "w", "x:w": "x*w", "c1": "c1"}.items():
        assert c.at[ours, "estimate"] == pytest.approx(_ref(ref, 1, "estimate", f"outcome:y:{theirs}"), abs=TOL)
        assert c.at[ours, "se"] == pytest.approx(_ref(ref, 1, "std_error", f"outcome:y:{theirs}"), abs=TOL)
    for r in res.conditional.itertuples():
        key = f"direct:y:x@{_w(r.w_value)}"
        assert r.estimate == pytest.approx(_ref(ref, 1, "estimate", key), abs=TOL)
        assert r.se == pytest.approx(_ref(ref, 1, "std_error", key), abs=TOL)
        assert r.ci_low == pytest.approx(_ref(ref, 1, "conf_low", key), abs=TOL)
    # JN: pyprocessmacro's floodlight says "significantly positive on [1.731, max(w)]"
    assert res.jn_boundaries == pytest.approx((_ref(ref, 1, "jn_region", "positive_low"),), abs=1e-6)
    at = res.effect_at(list(res.jn_boundaries)).iloc[0]
    assert at["p_value"] == pytest.approx(0.05, abs=1e-10)  # the boundary is where p crosses alpha
    assert res.effect_at([res.w_range[1]])["p_value"].iloc[0] < 0.05 < res.effect_at([res.w_range[0]])["p_value"].iloc[0]
    assert "1.731" in res.notes[1]


@pytest.mark.parametrize("model", [4, 7, 14])
def test_mediation_models_match_pyprocessmacro(sim, ref, model):  # noqa: ANN001
    if model == 4:
        res = mediation(sim, x="x", m="m", y="y", covariates=["c1"])
    else:
        res = moderated_mediation(sim, x="x", m="m", y="y", w="w", model=model, covariates=["c1"])
    p = res.paths.set_index(["equation", "term"])
    names = {"constant": "Cons", "x": "x", "m": "m", "w": "w", "c1": "c1", "x:w": "x*w", "m:w": "m*w"}
    for (eq, term), row in p.iterrows():
        key = f"outcome:{eq}:{names[term]}"
        assert row["estimate"] == pytest.approx(_ref(ref, model, "estimate", key), abs=TOL), key
        assert row["se"] == pytest.approx(_ref(ref, model, "std_error", key), abs=TOL), key
    e = res.effects.set_index("effect")
    assert e.at["direct", "estimate"] == pytest.approx(_ref(ref, model, "estimate", "direct:y:x"), abs=TOL)
    if model == 4:
        targets = [("indirect", "indirect:y:m")]
    else:
        cond = res.effects[res.effects["effect"] == "conditional_indirect"]
        for r in cond.itertuples():
            key = f"indirect:y:m@{_w(r.w_value)}"
            assert r.estimate == pytest.approx(_ref(ref, model, "estimate", key), abs=TOL)
            assert r.ci_low == pytest.approx(_ref(ref, model, "conf_low", key), abs=BOOT_TOL)
            assert r.ci_high == pytest.approx(_ref(ref, model, "conf_high", key), abs=BOOT_TOL)
        targets = [("index_of_moderated_mediation", "index_mm:y:m")]
    for ours, theirs in targets:
        assert e.at[ours, "estimate"] == pytest.approx(_ref(ref, model, "estimate", theirs), abs=TOL)
        assert e.at[ours, "ci_low"] == pytest.approx(_ref(ref, model, "conf_low", theirs), abs=BOOT_TOL)
        assert e.at[ours, "ci_high"] == pytest.approx(_ref(ref, model, "conf_high", theirs), abs=BOOT_TOL)
        assert e.at[ours, "boot_se"] == pytest.approx(_ref(ref, model, "std_error", theirs), rel=0.1)


def test_total_is_direct_plus_indirect(sim):  # noqa: ANN001
    """With OLS and the same covariates, c = c' + ab exactly (Hayes 2022, eq. 4.6)."""
    e = mediation(sim, x="x", m="m", y="y", covariates=["c1"], boot=200).effects.set_index("effect")["estimate"]
    assert e["total"] == pytest.approx(e["direct"] + e["indirect"], abs=1e-12)


def test_bootstrap_is_seeded(sim):  # noqa: ANN001
    a = mediation(sim, x="x", m="m", y="y", boot=300, seed=7).effects
    b = mediation(sim, x="x", m="m", y="y", boot=300, seed=7).effects
    c = mediation(sim, x="x", m="m", y="y", boot=300, seed=8).effects
    pd.testing.assert_frame_equal(a, b)
    assert a["ci_low"].iloc[0] != c["ci_low"].iloc[0]


def _planted(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x, w = rng.normal(0, 1, n), rng.normal(0, 1, n)
    m = 0.5 * x + 0.2 * w + 0.3 * x * w + rng.normal(0, 1, n)  # a1 = 0.5, a3 = 0.3
    y = 0.2 * x + 0.4 * m + 0.1 * w + 0.25 * m * w + rng.normal(0, 1, n)
    return pd.DataFrame({"x": x, "w": w, "m": m, "y": y})


def test_recovery_model7_and_model14():
    """Planted: M = 0.5X + 0.2W + 0.3XW; Y = 0.2X + 0.4M + 0.1W + 0.25MW. Model 7 ignores the MW
    term, so only the a-paths and model 14's b-paths/index are checked against truth."""
    d = _planted(4000, 11)
    r7 = moderated_mediation(d, x="x", m="m", y="y", w="w", model=7, boot=1000, seed=3)
    p7 = r7.paths.set_index(["equation", "term"])
    for term, truth in {"x": 0.5, "w": 0.2, "x:w": 0.3}.items():
        assert p7.at[("m", term), "ci_low"] < truth < p7.at[("m", term), "ci_high"], term
    r14 = moderated_mediation(d, x="x", m="m", y="y", w="w", model=14, boot=1000, seed=3)
    p14 = r14.paths.set_index(["equation", "term"])
    for term, truth in {"x": 0.2, "m": 0.4, "w": 0.1, "m:w": 0.25}.items():
        assert p14.at[("y", term), "ci_low"] < truth < p14.at[("y", term), "ci_high"], term
    idx = r14.effects.set_index("effect").loc["index_of_moderated_mediation"]
    # truth a * b3 with a = total X -> M slope = 0.5 (W, XW independent of X with mean 0)
    assert idx["ci_low"] < 0.5 * 0.25 < idx["ci_high"]
    assert idx["estimate"] == pytest.approx(0.125, abs=0.02)


def test_recovery_moderation_and_mediation():
    rng = np.random.default_rng(5)
    n = 3000
    x, w = rng.normal(0, 1, n), rng.normal(0, 1, n)
    y = 1 + 0.3 * x + 0.2 * w + 0.15 * x * w + rng.normal(0, 1, n)
    res = moderation(pd.DataFrame({"x": x, "w": w, "y": y}), x="x", w="w", y="y")
    c = res.coefficients.set_index("term")
    for term, truth in {"x": 0.3, "w": 0.2, "x:w": 0.15}.items():
        assert c.at[term, "ci_low"] < truth < c.at[term, "ci_high"], term
    mid = res.conditional.iloc[1]
    assert mid["estimate"] == pytest.approx(0.3 + 0.15 * w.mean(), abs=0.05)
    m = 0.6 * x + rng.normal(0, 1, n)
    yy = 0.1 * x + 0.5 * m + rng.normal(0, 1, n)
    med = mediation(pd.DataFrame({"x": x, "m": m, "y": yy}), x="x", m="m", y="y", boot=1000, seed=2)
    ind = med.effects.set_index("effect").loc["indirect"]
    assert ind["ci_low"] < 0.3 < ind["ci_high"]


def test_no_interaction_means_no_jn_boundary_and_mean_sd_probes():
    rng = np.random.default_rng(9)
    n = 500
    x, w = rng.normal(0, 1, n), rng.normal(5, 2, n)
    y = 0.8 * x + rng.normal(0, 1, n)
    res = moderation(pd.DataFrame({"x": x, "w": w, "y": y}), x="x", w="w", y="y")
    assert res.jn_boundaries == ()
    assert "significant over the whole range" in res.notes[1]
    assert res.conditional["w_value"].to_numpy() == pytest.approx([w.mean() - w.std(ddof=1), w.mean(), w.mean() + w.std(ddof=1)])


def test_johnson_neyman_roots_by_hand():
    """b1 = 0, b3 = 1, V = I, t = 2: W^2 = 4 (1 + W^2) has no root; b1 = 1, b3 = 0.5, v11 = 0.04,
    v33 = 0.01, v13 = 0, t = 2: (1 + 0.5W)^2 = 4 (0.04 + 0.01W^2) -> 0.21W^2 + W + 0.84 = 0."""
    assert johnson_neyman(0.0, 1.0, 1.0, 1.0, 0.0, 2.0).size == 0
    roots = johnson_neyman(1.0, 0.5, 0.04, 0.01, 0.0, 2.0)
    assert roots == pytest.approx(np.sort(np.roots([0.21, 1.0, 0.84])))


def test_centering_changes_lower_order_terms_only(sim):  # noqa: ANN001
    raw = moderation(sim, x="x", w="w", y="y").coefficients.set_index("term")
    cen = moderation(sim, x="x", w="w", y="y", center=True).coefficients.set_index("term")
    assert cen.at["x:w", "estimate"] == pytest.approx(raw.at["x:w", "estimate"], abs=1e-10)
    # centred b1 = effect of x at the mean of w
    assert cen.at["x", "estimate"] == pytest.approx(raw.at["x", "estimate"] + raw.at["x:w", "estimate"] * sim["w"].mean(),
                                                     abs=1e-10)


def test_percentile_probes_follow_process(sim):  # noqa: ANN001
    """PROCESS 3+: sorted values interpolated at p(n + 1)."""
    res = moderation(sim, x="x", w="w", y="y", probe="percentiles")
    s = np.sort(sim["w"].to_numpy())
    pos = 0.16 * 301
    expected = s[int(pos) - 1] + (pos - int(pos)) * (s[int(pos)] - s[int(pos) - 1])
    assert res.conditional["w_value"].iloc[0] == pytest.approx(expected)


def test_input_checks(sim):  # noqa: ANN001
    d = sim.copy()
    d.loc[:3, "m"] = np.nan
    with pytest.warns(UserWarning, match="4 rows with missing values"):
        r = mediation(d, x="x", m="m", y="y", boot=100)
    assert r.n == len(sim) - 4
    with pytest.raises(TypeError, match="numeric scores"):
        moderation(sim.assign(w=sim["w"].astype(str)), x="x", w="w", y="y")
    with pytest.raises(ValueError, match="model must be 7 or 14"):
        moderated_mediation(sim, x="x", m="m", y="y", w="w", model=8)
    with pytest.raises(ValueError, match="distinct"):
        mediation(sim, x="x", m="x", y="y")
    with pytest.raises(ValueError, match="boot"):
        mediation(sim, x="x", m="m", y="y", boot=10)
    with pytest.raises(ValueError, match="probe"):
        moderation(sim, x="x", w="w", y="y", probe="tertiles")


def test_plots(sim):  # noqa: ANN001
    import matplotlib

    matplotlib.use("Agg")
    mod = moderation(sim, x="x", w="w", y="y", covariates=["c1"])
    ax = mod.plot()
    assert [ln.get_xdata()[0] for ln in ax.lines if ln.get_linestyle() == "--"] == pytest.approx(list(mod.jn_boundaries))
    r7 = moderated_mediation(sim, x="x", m="m", y="y", w="w", model=7, boot=200)
    line = r7.plot().lines[0]
    grid = line.get_xdata()
    assert grid[0] == pytest.approx(sim["w"].min()) and line.get_ydata() == pytest.approx(r7._conditional(grid)[0])
    r4 = mediation(sim, x="x", m="m", y="y", boot=200)
    assert [t.get_text() for t in r4.plot().get_yticklabels()] == ["indirect", "direct", "total"]


def test_model1_hc3_and_percentile_probes_match_pyprocessmacro(sim, ref):  # noqa: ANN001
    """``Process(..., model=1, cov_type="HC3")`` and ``spotlight="percentiles"`` (PROCESS 3+ probes)."""
    hc3 = moderation(sim, x="x", w="w", y="y", covariates=["c1"], hc3=True)
    c = hc3.coefficients.set_index("term")
    for ours, theirs in {"constant": "Cons", "x": "x", "w": "w", "x:w": "x*w", "c1": "c1"}.items():
        assert c.at[ours, "se"] == pytest.approx(_ref(ref, "1_hc3", "std_error", f"outcome:y:{theirs}"), abs=TOL)
    for r in hc3.conditional.itertuples():
        assert r.se == pytest.approx(_ref(ref, "1_hc3", "std_error", f"direct:y:x@{_w(r.w_value)}"), abs=TOL)
    pct = moderation(sim, x="x", w="w", y="y", covariates=["c1"], probe="percentiles")
    for r in pct.conditional.itertuples():
        key = f"direct:y:x@{_w(r.w_value)}"
        assert r.estimate == pytest.approx(_ref(ref, "1_percentiles", "estimate", key), abs=TOL)
        assert r.se == pytest.approx(_ref(ref, "1_percentiles", "std_error", key), abs=TOL)
