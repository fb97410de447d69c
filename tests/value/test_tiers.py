"""Value concentration (Gini, top shares, Lorenz) and service by value tier."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from bankcrm_research.value.tiers import service_alignment, value_concentration, value_tiers
from bankcrm_research.data.validate import DataWarning


def test_gini_matches_reference_values():
    """In R: ineq::Gini(1:5) = 0.2666667; ineq::Gini(c(0, 0, 0, 10)) = 0.75."""
    res = value_concentration(pd.DataFrame({"v": list(range(1, 6)) * 2}), value="v", n_bootstrap=0)
    assert res.measures.set_index("measure").loc["gini", "estimate"] == pytest.approx(0.2666666667, abs=1e-9)
    res = value_concentration(pd.DataFrame({"v": [0, 0, 0, 10] * 3}), value="v", n_bootstrap=0)
    m = res.measures.set_index("measure")["estimate"]
    assert m["gini"] == pytest.approx(0.75, abs=1e-12)
    assert m["top_10pct_share"] == pytest.approx(2 / 3)  # ceil(1.2) = 2 of the 3 customers holding 10


def test_gini_equals_mean_absolute_difference_formula():
    rng = np.random.default_rng(0)
    v = rng.lognormal(0, 1, 500)
    g = value_concentration(pd.DataFrame({"v": v}), value="v", n_bootstrap=0).measures.iloc[0]["estimate"]
    mad = np.abs(v[:, None] - v[None, :]).sum() / (2 * len(v) ** 2 * v.mean())
    assert g == pytest.approx(mad, rel=1e-12)


def test_lognormal_concentration_recovered_with_ci():
    """Lognormal(sigma): Gini = 2 Phi(sigma/sqrt 2) - 1; top-10 % share = 1 - Phi(z_.9 - sigma)."""
    sigma = 1.3
    rng = np.random.default_rng(3)
    v = rng.lognormal(10, sigma, 20_000)
    res = value_concentration(pd.DataFrame({"aum": v}), value="aum", n_bootstrap=200, seed=1)
    m = res.measures.set_index("measure")
    truth = {
        "gini": 2 * stats.norm.cdf(sigma / np.sqrt(2)) - 1,
        "top_10pct_share": 1 - stats.norm.cdf(stats.norm.ppf(0.9) - sigma),
        "top_20pct_share": 1 - stats.norm.cdf(stats.norm.ppf(0.8) - sigma),
    }
    for k, t in truth.items():
        assert m.loc[k, "ci_low"] <= t <= m.loc[k, "ci_high"], (k, t, m.loc[k].to_dict())
    lz = res.lorenz
    assert lz["value_share"].iloc[0] == 0 and lz["value_share"].iloc[-1] == pytest.approx(1)
    assert (np.diff(lz["value_share"]) >= -1e-12).all()
    assert (lz["value_share"] <= lz["customer_share"] + 1e-12).all()
    assert len(res.notes) == 1 and "Gini" in res.notes[0]
    pd.testing.assert_frame_equal(res.summary(), res.tidy())


def test_negative_and_missing_values_are_reported():
    df = pd.DataFrame({"v": [5.0, -2.0, np.nan] + [1.0] * 20})
    with pytest.warns(DataWarning) as rec:
        res = value_concentration(df, value="v", n_bootstrap=0)
    text = " ".join(str(w.message) for w in rec)
    assert "dropped 1 of 23 rows" in text and "1 customers have negative 'v'" in text
    assert res.n_negative == 1 and res.n_customers == 22


def test_value_tiers_service_follows_value():
    rng = np.random.default_rng(2)
    n = 5000
    aum = rng.lognormal(10, 1.3, n)
    p_rm = 1 / (1 + np.exp(-(np.log(aum) - 12)))
    df = pd.DataFrame({
        "aum": aum,
        "rm_id": np.where(rng.random(n) < p_rm, "RM1", None),
        "visits": rng.poisson(1 + 0.2 * np.log(aum)),
        "followup_contact": np.where(rng.random(n) < 0.5, rng.random(n) < p_rm, np.nan),
    })
    t = value_tiers(df, value="aum", rm="rm_id", contacts=["visits", "followup_contact"])
    assert list(t["tier"]) == ["top_10pct", "p80_90", "p50_80", "bottom_50pct"]
    assert list(t["n_customers"]) == [500, 500, 1500, 2500]
    assert t["value_share"].sum() == pytest.approx(1)
    assert t["rm_coverage"].is_monotonic_decreasing
    assert (t["rm_coverage_ci_low"] <= t["rm_coverage"]).all() and (t["rm_coverage"] <= t["rm_coverage_ci_high"]).all()
    assert t["n_followup_contact"].sum() == df["followup_contact"].notna().sum()
    a = service_alignment(df, value="aum", service=["rm_id", "visits", "followup_contact"]).set_index("service")
    assert (a["spearman_rho"] > 0).all() and (a["p_value"] < 0.01).all()
    assert (a["ci_low"] < a["spearman_rho"]).all()


def test_value_tiers_given_tier_column():
    df = pd.DataFrame({"aum": [1.0, 2.0, 30.0, 40.0, 500.0], "value_tier": ["mass", "mass", "affluent", "affluent", "private"]})
    t = value_tiers(df, value="aum", tier="value_tier").set_index("tier")
    assert t.loc["private", "value_share"] == pytest.approx(500 / 573)
    assert t.loc["mass", "n_customers"] == 2


def test_value_errors():
    with pytest.raises(ValueError, match="'aum' is missing"):
        value_concentration(pd.DataFrame({"v": [1.0] * 20}), value="aum")
    with pytest.raises(ValueError, match="positive total"):
        value_concentration(pd.DataFrame({"v": [0.0] * 20}), value="v")
