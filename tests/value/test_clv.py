"""BG/NBD and Gamma-Gamma against published CDNOW estimates and lifetimes 0.11.3.

References (see tests/reference/clv/PROVENANCE.md):
- Fader, Hardie & Lee (2005), Marketing Science 24(2): r = 0.243, alpha = 4.414, a = 0.793,
  b = 2.426, LL = -9582.4, E[Y(39) | 2, 30.43, 38.86] = 1.226.
- Fader & Hardie (2013) Gamma-Gamma note: p = 6.25, q = 3.74, gamma = 15.44.
- lifetimes 0.11.3 (tests/reference/clv/ref_lifetimes_cdnow.py):
  ``BetaGeoFitter().fit(x, t_x, T)``, ``GammaGammaFitter().fit(x, zbar)`` on repeaters,
  ``customer_lifetime_value(bg, ..., time=12, discount_rate=0.01, freq="W")``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.value.clv import BGNBD, GammaGamma, clv_by_group, customer_lifetime_value
from bankcrm_research.data.validate import DataWarning

REF = Path(__file__).resolve().parents[1] / "reference" / "clv"
PUBLISHED_TOL = 1e-3  # published values are given to 3 decimals
GG_PUBLISHED_TOL = 1e-2  # published to 2 decimals from Excel Solver on rounded zbar
LIFETIMES_RTOL = 1e-4  # two independent optimisers of the same likelihood
SE_RTOL = 1e-3  # numerical Hessians (autograd in lifetimes vs finite differences here)


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return pd.read_csv(REF / "cdnow_summary.csv")


@pytest.fixture(scope="module")
def ref() -> pd.Series:
    return pd.read_csv(REF / "lifetimes_cdnow_reference.csv").set_index("quantity")["value"].astype(float)


@pytest.fixture(scope="module")
def bg(cdnow):
    return BGNBD().fit(cdnow, frequency="x", recency="t_x", T="T")


@pytest.fixture(scope="module")
def gg(cdnow):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return GammaGamma().fit(cdnow, frequency="x", monetary_value="zbar")


def test_cdnow_has_2357_customers(cdnow):
    assert len(cdnow) == 2357
    assert list(cdnow.columns) == ["ID", "x", "t_x", "T", "zbar"]


def test_bgnbd_matches_published_cdnow_estimates(bg):
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    for name, value in published.items():
        assert bg.params[name] == pytest.approx(value, abs=PUBLISHED_TOL), name
    assert bg.log_likelihood == pytest.approx(-9582.4, abs=0.05)
    assert bg.converged and bg.hessian_ok
    assert bg.notes == ("BG/NBD fitted on 2357 customers, log-likelihood -9582.43.",)


def test_bgnbd_conditional_expectation_published(bg):
    # Fader, Hardie & Lee (2005), p. 280: customer with x=2, t_x=30.43, T=38.86
    assert float(bg.expected_transactions(39, 2, 30.43, 38.86)) == pytest.approx(1.226, abs=PUBLISHED_TOL)


def test_bgnbd_matches_lifetimes_params_and_ses(bg, ref):
    tidy = bg.tidy().set_index("parameter")
    for name in ["r", "alpha", "a", "b"]:
        assert tidy.loc[name, "estimate"] == pytest.approx(ref[f"bgnbd.{name}"], rel=LIFETIMES_RTOL)
        assert tidy.loc[name, "std_error"] == pytest.approx(ref[f"bgnbd.{name}.se"], rel=SE_RTOL)


@pytest.mark.parametrize("cid", [1, 6, 17, 157, 3])
def test_bgnbd_predictions_match_lifetimes(bg, cdnow, ref, cid):
    c = cdnow.loc[cdnow["ID"] == cid].iloc[0]
    e = float(bg.expected_transactions(39, c["x"], c["t_x"], c["T"]))
    p = float(bg.probability_alive(c["x"], c["t_x"], c["T"]))
    assert e == pytest.approx(ref[f"bgnbd.expected_39.id{cid}"], rel=LIFETIMES_RTOL)
    assert p == pytest.approx(ref[f"bgnbd.p_alive.id{cid}"], rel=LIFETIMES_RTOL)


def test_bgnbd_unconditional_expectation(bg, ref):
    assert float(bg.expected_transactions_new(39)) == pytest.approx(ref["bgnbd.expected_new_39"], rel=LIFETIMES_RTOL)


def test_gamma_gamma_matches_published_and_lifetimes(gg, ref):
    for name, value in {"p": 6.25, "q": 3.74, "gamma": 15.44}.items():
        assert gg.params[name] == pytest.approx(value, abs=GG_PUBLISHED_TOL), name
        assert gg.params[name] == pytest.approx(ref[f"gamma_gamma.{name}"], rel=LIFETIMES_RTOL)
        assert gg.std_errors[name] == pytest.approx(ref[f"gamma_gamma.{name}.se"], rel=SE_RTOL)
    assert gg.n_customers == 946
    # Fader & Hardie (2013): "the correlation between average transaction value and the number
    # of repeat transactions is 0.11" on CDNOW, i.e. the independence assumption is reasonable
    assert gg.frequency_spend_corr == pytest.approx(0.11, abs=0.005)
    assert gg.notes == (f"Correlation of repeat frequency and mean spend: {gg.frequency_spend_corr:.2f} "
                        "(Gamma-Gamma assumes independence)",)


def test_gamma_gamma_warns_about_non_repeaters(cdnow):
    with pytest.warns(DataWarning, match="dropped 1411 of 2357 rows"):
        GammaGamma().fit(cdnow, frequency="x", monetary_value="zbar")


def test_clv_matches_lifetimes(bg, gg, cdnow, ref):
    rep = cdnow[cdnow["x"] > 0].rename(columns={"ID": "customer_id"})
    # lifetimes' conventions: 4.345 weeks per month, 1 % monthly discount
    out = customer_lifetime_value(
        rep, bg, gg, horizon_months=12, discount_rate=1.01**12 - 1, time_unit_days=30.4375 / 4.345,
        frequency="x", recency="t_x", T="T", monetary_value="zbar",
    )
    for cid in [1, 6, 17, 157]:
        row = out.loc[out["customer_id"] == cid].iloc[0]
        assert row["clv"] == pytest.approx(ref[f"clv.12m_monthly_disc_0.01.id{cid}"], rel=1e-4)
        assert row["expected_spend"] == pytest.approx(ref[f"gamma_gamma.expected_spend.id{cid}"], rel=1e-4)
    assert out["clv"].sum() == pytest.approx(ref["clv.12m_monthly_disc_0.01.sum_repeaters"], rel=1e-4)


def test_clv_by_group_aggregates(bg, gg, cdnow):
    out = customer_lifetime_value(cdnow, bg, gg, horizon_months=6, discount_rate=0.1,
                                  frequency="x", recency="t_x", T="T", monetary_value="zbar")
    agg = clv_by_group(out, np.where(cdnow["x"] > 0, "repeat", "one_time"), name="buyer")
    assert set(agg["buyer"]) == {"repeat", "one_time"}
    assert agg["n_customers"].sum() == len(cdnow)
    assert agg["clv_share"].sum() == pytest.approx(1.0)
    assert agg["total_clv"].sum() == pytest.approx(out["clv"].sum())


def test_bgnbd_recovers_simulated_parameters():
    """Simulate BG/NBD customers with known (r, alpha, a, b); the 95 % CIs should cover the truth."""
    rng = np.random.default_rng(7)
    n, T = 4000, 52.0
    truth = {"r": 0.5, "alpha": 6.0, "a": 0.8, "b": 3.0}
    lam = rng.gamma(truth["r"], 1 / truth["alpha"], n)
    p = rng.beta(truth["a"], truth["b"], n)
    x = np.zeros(n)
    tx = np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1 / lam[i])
            if t > T:
                break
            x[i] += 1
            tx[i] = t
            if rng.random() < p[i]:
                break
    fit = BGNBD().fit(pd.DataFrame({"frequency": x, "recency": tx, "T": T}))
    tidy = fit.tidy().set_index("parameter")
    for name, value in truth.items():
        assert tidy.loc[name, "ci_low"] <= value <= tidy.loc[name, "ci_high"], (name, tidy.loc[name].to_dict())


def test_bgnbd_rejects_recency_beyond_T():
    df = pd.DataFrame({"frequency": [1, 0] * 15, "recency": [40.0, 0.0] * 15, "T": [30.0, 30.0] * 15})
    with pytest.raises(ValueError, match="'recency' must lie in"):
        BGNBD().fit(df)


def test_bgnbd_needs_repeaters():
    df = pd.DataFrame({"frequency": [0] * 30, "recency": [0.0] * 30, "T": [30.0] * 30})
    with pytest.raises(ValueError, match="made a repeat purchase"):
        BGNBD().fit(df)


def test_clv_rejects_bad_discount(bg, gg, cdnow):
    with pytest.raises(ValueError, match="discount_rate"):
        customer_lifetime_value(cdnow, bg, gg, discount_rate=5, frequency="x", recency="t_x", T="T",
                                monetary_value="zbar")
