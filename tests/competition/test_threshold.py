"""Hansen (1999) panel threshold model: published investment-data thresholds, recovery, edges."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.competition.threshold import (
    THRESHOLD_COLUMNS,
    ThresholdResult,
    lr_critical_value,
    panel_threshold,
)
from bankcrm_research.data.validate import DataWarning

REF = Path(__file__).resolve().parents[1] / "reference" / "competition"


@pytest.fixture(scope="module")
def hansen_panel() -> pd.DataFrame:
    """Hansen's specification: I_it on lagged q, q², q³, d, q·d and lagged cash flow, threshold = lagged
    debt/assets; 565 firms, 1974–1987 after the lag (his ``max_lag = 1``)."""
    d = pd.read_csv(REF / "hansen1999_invest.csv")
    g = d.groupby("firm")
    h = pd.DataFrame({"firm": d["firm"], "year": d["year"], "i": d["invest"], "q1": g["tobinq"].shift(1),
                      "c1": g["cashflow"].shift(1), "d1": g["debt"].shift(1)})
    h["q2"], h["q3"], h["qd1"] = h["q1"] ** 2, h["q1"] ** 3, h["q1"] * h["d1"]
    return h.dropna().reset_index(drop=True)


HANSEN_KW = dict(outcome="i", regime_regressors=["c1"], threshold_variable="d1",
                 controls=["q1", "q2", "q3", "d1", "qd1"], entity="firm", time="year", demeaning="hansen",
                 time_effects=False)


@pytest.fixture(scope="module")
def hansen_double(hansen_panel) -> ThresholdResult:
    return panel_threshold(hansen_panel, **HANSEN_KW, n_thresholds=2, n_boot=30, seed=1)


def test_thresholds_match_hansen_1999(hansen_double):
    """Hansen (1999), J. Econometrics 93, 345-368, section 6 (investment of 565 US firms 1973-1987,
    threshold variable: lagged debt/assets, regime-dependent: lagged cash flow; grid of 393 quantiles,
    1 % trimming): single threshold γ̂ = 0.0157; double threshold γ̂1 = 0.0157 (refined) and
    γ̂2 = 0.5362. Published to 4 decimals: tolerance 5e-5. Reproduced with his own conventions
    (``demeaning="hansen"``: the last within-demeaned year of each firm is dropped as in his ``tr``)."""
    t = hansen_double.tidy().query("section == 'threshold'").set_index("term")["estimate"]
    assert t["single"] == pytest.approx(0.0157, abs=5e-5)
    assert t["double_first_refined"] == pytest.approx(0.0157, abs=5e-5)
    assert t["double_second"] == pytest.approx(0.5362, abs=5e-5)
    assert hansen_double.thresholds == pytest.approx((0.0157, 0.5362), abs=5e-5)
    assert (hansen_double.n_units, hansen_double.n_periods) == (565, 14)


def test_linearity_rejected_on_hansen_data(hansen_panel, hansen_double):
    """Hansen reports a significant threshold effect (bootstrap p < 0.05 for the single threshold).

    The statistic is recomputed independently: F1 = n(T-1)·(S0/S1 - 1), with S0 and S1 the residual
    sums of squares of numpy least squares of firm-demeaned I on the demeaned controls and cash flow
    (linear) or regime-split cash flow at γ̂ (threshold), the last year per firm dropped after
    demeaning (Hansen's convention, ``demeaning="hansen"``): F1 = 32.65, S1 = 16.518 (tolerance 1e-8)."""
    tidy = hansen_double.tidy()
    tests = tidy.query("section == 'test'").set_index("term")
    assert tests.loc["single_vs_linear", "p_value"] < 0.05
    g1 = tidy.query("section == 'threshold' and term == 'single'")["estimate"].iloc[0]
    h = hansen_panel.assign(lo=lambda d: d["c1"] * (d["d1"] < g1), hi=lambda d: d["c1"] * (d["d1"] >= g1))
    controls = ["q1", "q2", "q3", "d1", "qd1"]

    def ssr(cols):
        dm = h[["i", *cols]] - h.groupby("firm")[["i", *cols]].transform("mean")
        dm = dm[h["year"] != h["year"].max()]
        X, y = dm[cols].to_numpy(), dm["i"].to_numpy()
        e = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
        return float(e @ e), len(y)

    (s0, n_rows), (s1, _) = ssr([*controls, "c1"]), ssr([*controls, "lo", "hi"])
    assert n_rows == 565 * 13
    assert tests.loc["single_vs_linear", "estimate"] == pytest.approx(s1, rel=1e-8)
    assert tests.loc["single_vs_linear", "statistic"] == pytest.approx(n_rows * (s0 / s1 - 1), rel=1e-8)
    assert tests.loc["single_vs_linear", "statistic"] == pytest.approx(32.65, abs=0.01)


def test_ssr_and_coefficients_equal_a_direct_dummy_regression(hansen_panel, hansen_double):
    """Independent computation: at the estimated thresholds, least squares of firm-demeaned I on the
    demeaned controls and regime-split cash flow (numpy lstsq, all 14 years per firm, i.e. the
    textbook within estimator with ``demeaning="within"``) gives the same slopes (1e-10)."""
    g1, g2 = hansen_double.thresholds
    h = hansen_panel.copy()
    for j, (lo, hi) in enumerate([(-np.inf, g1), (g1, g2), (g2, np.inf)]):
        h[f"c1_r{j}"] = h["c1"] * ((h["d1"] >= lo) & (h["d1"] < hi))
    cols = ["q1", "q2", "q3", "d1", "qd1", "c1_r0", "c1_r1", "c1_r2"]
    dm = h[["i", *cols]] - h.groupby("firm")[["i", *cols]].transform("mean")
    beta = np.linalg.lstsq(dm[cols].to_numpy(), dm["i"].to_numpy(), rcond=None)[0]
    within = panel_threshold(hansen_panel, **{**HANSEN_KW, "demeaning": "within"}, n_thresholds=1, n_boot=0)
    # the within fit estimates its own threshold; refit the direct regression at that threshold
    gw = within.thresholds[0]
    h2 = hansen_panel.assign(lo=lambda d: d["c1"] * (d["d1"] < gw), hi=lambda d: d["c1"] * (d["d1"] >= gw))
    cols2 = ["q1", "q2", "q3", "d1", "qd1", "lo", "hi"]
    dm2 = h2[["i", *cols2]] - h2.groupby("firm")[["i", *cols2]].transform("mean")
    beta2 = np.linalg.lstsq(dm2[cols2].to_numpy(), dm2["i"].to_numpy(), rcond=None)[0]
    coef = within.tidy().query("section == 'coefficient'")["estimate"].to_numpy()
    np.testing.assert_allclose(coef, beta2, rtol=1e-8, atol=1e-12)
    assert np.all(np.isfinite(beta))


def test_critical_value_formula():
    assert lr_critical_value(0.05) == pytest.approx(7.352, abs=1e-3)  # Hansen (2000), Table 1
    assert lr_critical_value(0.10) == pytest.approx(5.94, abs=1e-2)


# ------------------------------------------------------------------------------------------------
# recovery
# ------------------------------------------------------------------------------------------------
def simulate_threshold_panel(seed: int, gamma: float = 0.5, slopes=(1.0, 2.0), n: int = 120, t: int = 10):
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n), t)
    mu = rng.normal(0, 1, n)
    q = rng.uniform(0, 1, n * t) + 0.3 * mu[unit]
    x = rng.normal(1, 1, n * t)
    z = rng.normal(0, 1, n * t)
    y = mu[unit] + np.where(q < gamma, slopes[0], slopes[1]) * x + 0.5 * z + rng.normal(0, 0.5, n * t)
    return pd.DataFrame({"bank_id": unit, "year": np.tile(np.arange(2008, 2008 + t), n), "y": y, "x": x, "z": z,
                         "q": q})


def test_threshold_and_regime_slopes_recovered():
    df = simulate_threshold_panel(seed=2)
    res = panel_threshold(df, outcome="y", regime_regressors=["x"], threshold_variable="q", controls=["z"],
                          n_boot=99, seed=0)
    t = res.tidy()
    thr = t.query("section == 'threshold'").iloc[0]
    # the CI is a set of grid points; a true γ between two grid points is covered up to one step
    grid = np.sort(res.lr_curves["gamma"].unique())
    step = np.diff(grid)[np.searchsorted(grid, 0.5) - 1]
    assert thr["ci_low"] - step <= 0.5 <= thr["ci_high"] + step and abs(thr["estimate"] - 0.5) < 0.05
    coef = t.query("section == 'coefficient'").set_index("term")
    slopes = coef[coef.index.str.startswith("x [")]
    for (_, row), truth in zip(slopes.iterrows(), (1.0, 2.0)):
        assert row["ci_low"] <= truth <= row["ci_high"]
    assert coef.loc["z", "ci_low"] <= 0.5 <= coef.loc["z", "ci_high"]
    assert t.query("section == 'test'").iloc[0]["p_value"] < 0.01


def test_no_threshold_is_not_detected():
    df = simulate_threshold_panel(seed=3, slopes=(1.5, 1.5))
    res = panel_threshold(df, outcome="y", regime_regressors=["x"], threshold_variable="q", controls=["z"],
                          n_boot=199, seed=0)
    assert res.tidy().query("section == 'test'").iloc[0]["p_value"] > 0.05
    assert any("does not reject linearity" in n for n in res.notes)


def test_double_threshold_recovered():
    rng_df = simulate_threshold_panel(seed=4, n=150)
    rng = np.random.default_rng(0)
    q, x = rng_df["q"], rng_df["x"]
    rng_df["y"] = rng_df["y"] + np.where(q >= 0.8, 1.5, 0.0) * x + rng.normal(0, 0.01, len(q))
    res = panel_threshold(rng_df, outcome="y", regime_regressors=["x"], threshold_variable="q", controls=["z"],
                          n_thresholds=2, n_boot=49, trim=(0.05, 0.05), seed=0)
    assert res.thresholds == pytest.approx((0.5, 0.8), abs=0.03)
    assert res.tidy().query("term == 'double_vs_single'")["p_value"].iloc[0] < 0.05


# ------------------------------------------------------------------------------------------------
# edge cases and shape
# ------------------------------------------------------------------------------------------------
def test_result_shape_and_plot():
    df = simulate_threshold_panel(seed=5, n=40, t=6)
    res = panel_threshold(df, outcome="y", regime_regressors=["x"], threshold_variable="q", n_boot=19)
    assert list(res.tidy().columns) == THRESHOLD_COLUMNS
    assert isinstance(res.summary(), pd.DataFrame) and isinstance(res.notes, tuple)
    assert set(res.lr_curves.columns) == {"stage", "gamma", "lr", "critical_value"}
    assert not res.tidy()["term"].str.startswith("_period_").any()  # period effects are not reported
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = res.plot()  # one LR(γ) line per search stage, then the critical-value line
    curves = res.lr_curves
    stages = list(dict.fromkeys(curves["stage"]))
    assert [ln.get_label() for ln in ax.lines] == [*map(str, stages), "critical value"]
    for line, stage in zip(ax.lines, stages):
        g = curves[curves["stage"] == stage]
        assert list(line.get_xdata()) == pytest.approx(list(g["gamma"]), abs=1e-12)
        assert list(line.get_ydata()) == pytest.approx(list(g["lr"]), abs=1e-12)
    assert list(ax.lines[-1].get_ydata()) == pytest.approx([lr_critical_value(0.05)] * 2, abs=1e-9)
    plt.close(ax.figure)
    again = panel_threshold(df, outcome="y", regime_regressors=["x"], threshold_variable="q", n_boot=19)
    pd.testing.assert_frame_equal(res.tidy(), again.tidy())


def test_input_errors():
    df = simulate_threshold_panel(seed=6, n=30, t=5)
    kw = dict(outcome="y", regime_regressors=["x"], threshold_variable="q", n_boot=0)
    with pytest.raises(ValueError, match="regime_regressors"):
        panel_threshold(df, **{**kw, "regime_regressors": []})
    with pytest.raises(ValueError, match="n_thresholds"):
        panel_threshold(df, **kw, n_thresholds=3)
    with pytest.raises(ValueError, match="trim"):
        panel_threshold(df, **kw, trim=0.6)
    with pytest.raises(ValueError, match="trim"):
        panel_threshold(df, **kw, n_thresholds=2, trim=(0.05,))
    with pytest.raises(ValueError, match="'qq'.*closest"):
        panel_threshold(df, **{**kw, "threshold_variable": "qq"})
    with pytest.raises(ValueError, match="at least 10 units"):
        panel_threshold(df[df["bank_id"] < 5], **kw)
    with pytest.warns(DataWarning, match="balanced panel"):
        res = panel_threshold(df.drop(index=[0]), **kw)
    assert res.n_units == 29


def test_agrees_with_pdr_ptm_port_of_hansens_code(hansen_panel, hansen_double):
    """R pdR 1.9.3 ``ptm()`` (Ho Tsung-wu's port of Hansen's own GAUSS code), on the same data:

        ptm(dep = i, ind1 = c1, ind2 = cbind(q1, q1^2, q1^3, d1, q1 * d1), d = d1, bootn = c(1, 1, 1),
            trimn = c(0.01, 0.01, 0.05), qn = 400, conf_lev = 0.95, t = 14, n = 565)

    with every regressor lagged one year (firm-major rows, 1974–1987). Printed output: zero-threshold
    SSE 16.59122; single γ̂ 0.0157, CI [0.01392, 0.01806], SSE 16.5178, regime slopes 0.0588684340
    (White SE 0.0138029598) and 0.0904234944 (0.0115933184), LR 35.16142; double (first iteration)
    γ̂2 0.53616, SSE 16.45998, slopes 0.0631537411 (0.0135002291), 0.0977259002 (0.0102923739),
    0.0392092964 (0.0311144601), LR 27.78401. pdR scales LR by n·T = 7910 observations where Hansen's
    code (and ours) uses the n·(T-1) = 7345 rows left after his demeaning: LR_pdR = LR · 7910/7345.
    Tolerances: the printed digits (SSE 5e-5 relative, slopes/SEs 1e-8 absolute, LR 1e-5 relative)."""
    single = panel_threshold(hansen_panel, **HANSEN_KW, n_thresholds=1, n_boot=0)
    t1 = single.tidy().set_index("term")
    assert t1.loc["single", "estimate"] == pytest.approx(0.0157, abs=5e-7)
    assert (t1.loc["single", "ci_low"], t1.loc["single", "ci_high"]) == pytest.approx((0.01392, 0.01806), abs=5e-7)
    assert t1.loc["single_vs_linear", "estimate"] == pytest.approx(16.5178, rel=5e-5)
    assert t1.loc["single_vs_linear", "statistic"] * 7910 / 7345 == pytest.approx(35.16142, rel=1e-5)
    slopes1 = single.tidy().query("section == 'coefficient' and term.str.startswith('c1')")
    np.testing.assert_allclose(slopes1["estimate"], [0.0588684340, 0.0904234944], atol=1e-8)
    np.testing.assert_allclose(slopes1["std_error"], [0.0138029598, 0.0115933184], atol=1e-8)
    t2 = hansen_double.tidy().set_index("term")
    assert t2.loc["double_second", "estimate"] == pytest.approx(0.53616, abs=5e-7)
    assert t2.loc["double_vs_single", "estimate"] == pytest.approx(16.45998, rel=5e-6)
    assert t2.loc["double_vs_single", "statistic"] * 7910 / 7345 == pytest.approx(27.78401, rel=1e-5)
    slopes2 = hansen_double.tidy().query("section == 'coefficient' and term.str.startswith('c1')")
    np.testing.assert_allclose(slopes2["estimate"], [0.0631537411, 0.0977259002, 0.0392092964], atol=1e-8)
    np.testing.assert_allclose(slopes2["std_error"], [0.0135002291, 0.0102923739, 0.0311144601], atol=1e-8)
