"""Panel mediation (treatment -> mediator -> outcome, two-way FE, bank bootstrap)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.competition.mediation import MEDIATION_COLUMNS, MediationResult, panel_mediation
from bankcrm_research.data.validate import DataWarning

TRUE_A, TRUE_B, TRUE_DIRECT = 0.20, -0.45, -0.05  # index -> deposit cost, deposit cost -> NIM, direct


def simulate_channel_panel(seed: int, n_banks: int = 150, n_years: int = 16, unbalanced: bool = False):
    """Bank × year panel with bank and year effects in every equation and a planted channel:
    deposit_cost = a·x + α_i + λ_t + u;  nim = c'·x + b·deposit_cost + μ_i + τ_t + e,
    with x (index) correlated with the bank effects (so pooled OLS would be biased)."""
    rng = np.random.default_rng(seed)
    bank = np.repeat(np.arange(n_banks), n_years)
    year = np.tile(np.arange(2008, 2008 + n_years), n_banks)
    alpha_i = rng.normal(0, 1, n_banks)
    x = 0.3 * (year - 2008) + 0.8 * alpha_i[bank] + rng.normal(0, 1, len(bank))
    m = TRUE_A * x + alpha_i[bank] + 0.05 * (year - 2008) + rng.normal(0, 0.3, len(bank))
    y = TRUE_DIRECT * x + TRUE_B * m + 2 * alpha_i[bank] - 0.02 * (year - 2008) + rng.normal(0, 0.3, len(bank))
    df = pd.DataFrame({"bank_id": bank, "year": year, "if_index_100": x, "deposit_cost": m, "nim": y,
                       "log_assets": rng.normal(10, 1, len(bank))})
    if unbalanced:
        df = df[rng.random(len(df)) > 0.15].reset_index(drop=True)
    return df


@pytest.fixture(scope="module")
def channel():
    df = simulate_channel_panel(seed=5)
    return df, panel_mediation(df, treatment="if_index_100", mediator="deposit_cost", outcome="nim",
                               controls=["log_assets"], n_boot=199, seed=1)


def test_paths_and_indirect_effect_recovered(channel):
    _, res = channel
    t = res.tidy().set_index("term")
    truth = {"a": TRUE_A, "b": TRUE_B, "direct": TRUE_DIRECT, "total": TRUE_DIRECT + TRUE_A * TRUE_B,
             "indirect": TRUE_A * TRUE_B, "share_mediated": TRUE_A * TRUE_B / (TRUE_DIRECT + TRUE_A * TRUE_B)}
    for term, v in truth.items():
        assert t.loc[term, "ci_low"] <= v <= t.loc[term, "ci_high"], term
    assert t.loc["indirect", "p_value"] < 0.01


def test_decomposition_is_exact_and_matches_pyfixest(channel):
    """c = c' + a·b holds exactly for OLS with the same FE and sample; the within-transformation used
    by the bootstrap reproduces pyfixest's point estimates (tolerance 1e-8)."""
    df, res = channel
    t = res.tidy().set_index("term")["estimate"]
    assert t["total"] == pytest.approx(t["direct"] + t["indirect"], abs=1e-10)
    assert t["indirect"] == pytest.approx(t["a"] * t["b"], abs=1e-12)
    import pyfixest as pf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.feols("deposit_cost ~ if_index_100 + log_assets | bank_id + year", data=df)
    assert t["a"] == pytest.approx(float(fit.coef()["if_index_100"]), abs=1e-8)
    # bootstrap draws are centred near the estimate
    assert res.boot_draws["indirect"].mean() == pytest.approx(t["indirect"], abs=3 * res.tidy().set_index("term").loc["indirect", "std_error"])


def test_unbalanced_panel_within_transformation_matches_pyfixest():
    df = simulate_channel_panel(seed=9, n_banks=60, unbalanced=True)
    res = panel_mediation(df, treatment="if_index_100", mediator="deposit_cost", outcome="nim", n_boot=99)
    import pyfixest as pf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.feols("nim ~ if_index_100 + deposit_cost | bank_id + year", data=df)
    t = res.tidy().set_index("term")["estimate"]
    assert t["b"] == pytest.approx(float(fit.coef()["deposit_cost"]), abs=1e-7)
    assert t["total"] == pytest.approx(t["direct"] + t["indirect"], abs=1e-8)


def test_no_channel_means_no_indirect_effect():
    df = simulate_channel_panel(seed=12)
    rng = np.random.default_rng(0)
    df["noise_mediator"] = rng.normal(size=len(df))  # unrelated to the index and to NIM
    res = panel_mediation(df, treatment="if_index_100", mediator="noise_mediator", outcome="nim", n_boot=199)
    t = res.tidy().set_index("term")
    assert t.loc["indirect", "ci_low"] <= 0 <= t.loc["indirect", "ci_high"]


@pytest.mark.slow
def test_bootstrap_ci_coverage_of_indirect_effect():
    """Percentile CIs of a·b cover the truth in 88–99 % of 100 simulated panels."""
    hits = []
    for s in range(100):
        df = simulate_channel_panel(seed=500 + s, n_banks=80, n_years=10)
        t = panel_mediation(df, treatment="if_index_100", mediator="deposit_cost", outcome="nim",
                            n_boot=199, seed=s).tidy().set_index("term")
        hits.append(t.loc["indirect", "ci_low"] <= TRUE_A * TRUE_B <= t.loc["indirect", "ci_high"])
    assert 0.88 <= np.mean(hits) <= 0.99, np.mean(hits)


def test_result_shape_and_seed(channel):
    df, res = channel
    assert isinstance(res, MediationResult)
    assert list(res.tidy().columns) == MEDIATION_COLUMNS
    assert list(res.tidy()["term"]) == ["a", "b", "direct", "total", "indirect", "share_mediated"]
    assert isinstance(res.summary(), pd.DataFrame) and all(isinstance(n, str) for n in res.notes)
    again = panel_mediation(df, treatment="if_index_100", mediator="deposit_cost", outcome="nim",
                            controls=["log_assets"], n_boot=199, seed=1)
    pd.testing.assert_frame_equal(res.tidy(), again.tidy())
    assert res.effect("indirect") == pytest.approx(res.effect("a") * res.effect("b"))
    with pytest.raises(ValueError, match="term"):
        res.effect("c")


def test_plot_draws_the_tidy_estimates_and_intervals(channel):
    """The errorbar marks sit at the tidy table's direct/indirect/total estimates (top to bottom) and
    the horizontal bars span exactly [ci_low, ci_high]; the title names the path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, res = channel
    ax = res.plot()
    t = res.tidy().set_index("term").loc[["direct", "indirect", "total"]]
    marks = ax.lines[0]
    assert list(marks.get_xdata()) == pytest.approx(list(t["estimate"]), abs=1e-12)
    assert list(marks.get_ydata()) == [2, 1, 0]
    bars = np.array(ax.collections[0].get_segments())  # one [[lo, y], [hi, y]] segment per effect
    assert bars[:, 0, 0] == pytest.approx(t["ci_low"].to_numpy(), abs=1e-12)
    assert bars[:, 1, 0] == pytest.approx(t["ci_high"].to_numpy(), abs=1e-12)
    ticks = {float(y): tl.get_text() for y, tl in zip(ax.get_yticks(), ax.get_yticklabels())}
    assert ticks == {2.0: "direct effect", 1.0: "indirect effect", 0.0: "total effect"}
    assert ax.get_title() == "if_index_100 → deposit_cost → nim"
    plt.close(ax.figure)


def test_input_errors():
    df = simulate_channel_panel(seed=1, n_banks=20, n_years=5)
    kw = dict(treatment="if_index_100", mediator="deposit_cost", outcome="nim", n_boot=99)
    with pytest.raises(ValueError, match="deposit_cots.*closest"):
        panel_mediation(df, **{**kw, "mediator": "deposit_cots"})
    with pytest.raises(ValueError, match="three different"):
        panel_mediation(df, **{**kw, "mediator": "nim"})
    with pytest.raises(ValueError, match="n_boot"):
        panel_mediation(df, **{**kw, "n_boot": 10})
    with pytest.raises(ValueError, match="no variation left"):
        panel_mediation(df.assign(if_index_100=df["year"] * 0.1), **kw)
    with pytest.raises(TypeError, match="numeric"):
        panel_mediation(df.assign(nim=df["nim"].astype(str)), **kw)
    holes = df.copy()
    holes.loc[[0, 3], "nim"] = np.nan
    with pytest.warns(DataWarning, match="dropped 2 of 100"):
        panel_mediation(holes, **kw)
