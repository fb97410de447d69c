"""Behavioural segments: planted-tier recovery, fixed k, input errors, features; transaction rates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _txn_sim import AS_OF, simulate_transactions

from bankcrm_research.data.validate import DataWarning
from bankcrm_research.value.rfm import rfm
from bankcrm_research.value.segments import BehaviouralSegmentation, behavioural_features, transaction_rates


def _planted_tiers(seed: int = 11, n: int = 1500) -> tuple[pd.DataFrame, np.ndarray]:
    """Three planted tiers (mass, affluent, private) with distinct behaviour."""
    rng = np.random.default_rng(seed)
    tier = rng.choice(3, size=n, p=[0.6, 0.3, 0.1])
    mu = np.array([[4.0, 1.5, 6.0, 2.0, 0.3], [3.0, 2.5, 8.0, 4.0, 0.6], [1.5, 4.0, 11.0, 7.0, 0.9]])
    sd = np.array([0.35, 0.3, 0.5, 0.7, 0.08])
    X = mu[tier] + rng.normal(0, 1, (n, 5)) * sd
    cols = ["log_recency_days", "log_frequency", "log_monetary", "n_products", "digital_share"]
    return pd.DataFrame(X, columns=cols), tier


@pytest.mark.parametrize("method", ["kmeans", "gmm"])
def test_segments_recover_planted_tiers(method):
    from sklearn.metrics import adjusted_rand_score

    X, tier = _planted_tiers()
    res = BehaviouralSegmentation(method=method, k_range=(2, 6), n_bootstrap=5, seed=1).fit(X)
    assert res.n_segments == 3
    assert adjusted_rand_score(tier, res.labels) >= 0.8
    # segment 1 = highest monetary = planted private tier
    assert res.profiles.loc[0, "log_monetary"] > res.profiles.loc[2, "log_monetary"]
    assert res.stability.loc[0, "ari_mean"] >= 0.8
    assert len(res.selection) == 5 and res.selection["chosen"].sum() == 1
    assert res.profiles["n_customers"].sum() == len(X)
    assert len(res.notes) == 1 and "chosen by" in res.notes[0]
    summ = res.summary()
    assert summ.loc[0, "n_segments"] == 3 and summ.loc[0, "ari_mean"] == res.stability.loc[0, "ari_mean"]


def test_segments_fixed_k_and_plots():
    import matplotlib

    matplotlib.use("Agg")
    X, _ = _planted_tiers(n=400)
    res = BehaviouralSegmentation(n_segments=4, n_bootstrap=0, seed=0).fit(X)
    assert res.n_segments == 4 and res.criterion == "given"
    import matplotlib.pyplot as plt

    ax = res.plot(kind="selection")  # criterion by k, the chosen k marked
    col = "silhouette" if res.criterion == "silhouette" else "bic"
    assert list(ax.lines[0].get_xdata()) == list(res.selection["k"])
    assert list(ax.lines[0].get_ydata()) == pytest.approx(list(res.selection[col]), abs=1e-12, nan_ok=True)
    assert list(ax.lines[1].get_xdata()) == [4, 4]
    plt.close(ax.figure)
    ax = res.plot(kind="profiles")  # heatmap cells = segment × feature z-means, annotated to 2 decimals
    z = res.profiles.set_index("segment")[[f"z_{f}" for f in res.features]].to_numpy()
    assert np.asarray(ax.collections[0].get_array()).reshape(z.shape) == pytest.approx(z, abs=1e-12)
    assert [t.get_text() for t in ax.texts] == [f"{v:.2f}" for v in z.ravel()]
    plt.close(ax.figure)


def test_segments_input_errors():
    X, _ = _planted_tiers(n=100)
    with pytest.raises(ValueError, match="constant"):
        BehaviouralSegmentation().fit(X.assign(c=1.0))
    X_missing = X.copy()
    X_missing.iloc[3, 0] = np.nan
    with pytest.raises(ValueError, match="missing feature values"):
        BehaviouralSegmentation(n_segments=2).fit(X_missing)
    with pytest.raises(ValueError, match="'method' parameter"):
        BehaviouralSegmentation(method="dbscan").fit(X)
    with pytest.raises(ValueError, match="needs at least"):
        BehaviouralSegmentation(k_range=(2, 20)).fit(X)


def test_behavioural_features_warns_on_missing():
    txn, cust = simulate_transactions(n_customers=50)
    res = rfm(txn, as_of_date=AS_OF, customers=cust)
    extra = cust.assign(n_products=np.arange(50) % 5 + 1.0).iloc[:45]
    with pytest.warns(DataWarning, match="dropped 5 of 50"):
        f = behavioural_features(res.customers, extra, extra=["n_products"])
    assert list(f.columns) == ["log_recency_days", "log_frequency", "log_monetary", "n_products"]
    assert len(f) == 45


def test_transaction_rates_cover_planted_poisson_rates():
    rng = np.random.default_rng(4)
    n = 3000
    tier = rng.choice(["mass", "affluent"], n, p=[0.8, 0.2])
    truth = {"mass": 0.6, "affluent": 1.3}
    exposure = rng.uniform(6, 48, n)
    y = rng.poisson(np.vectorize(truth.get)(tier) * exposure)
    out = transaction_rates(pd.DataFrame({"g": tier, "y": y, "e": exposure}), count="y", exposure="e",
                            group="g").set_index("group")
    for g, rate in truth.items():
        assert out.loc[g, "ci_low"] <= rate <= out.loc[g, "ci_high"]
    zero = transaction_rates(pd.DataFrame({"g": ["a"] * 3, "y": [0, 0, 0], "e": [1.0, 1.0, 1.0]}),
                             count="y", exposure="e", group="g")
    assert zero.loc[0, "ci_low"] == 0 and zero.loc[0, "ci_high"] == pytest.approx(3.688879 / 3, rel=1e-6)
