"""Normalisation and weighting methods of the composite index, on tiny inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.competition.index_weights import entropy_weights, normalize_indicators, pca_weights


def test_minmax_direction_and_by_group(toy):
    z = normalize_indicators(toy, columns=["payment", "cash_use"], direction={"cash_use": -1})
    assert z["payment"].min() == 0 and z["payment"].max() == 1
    # reversed: the largest cash use maps to 0
    assert z.loc[toy["cash_use"].idxmax(), "cash_use"] == 0
    zy = normalize_indicators(toy, columns=["payment", "cash_use"], by="year")
    assert (zy.groupby("year")["payment"].max() == 1).all()
    zs = normalize_indicators(toy, columns=["payment", "cash_use"], method="zscore")
    assert zs["payment"].mean() == pytest.approx(0, abs=1e-12) and zs["payment"].std() == pytest.approx(1)


def test_entropy_weights_formula_on_a_hand_computed_example():
    """Two indicators; a has min–max values (0, 0.5, 1), b has (0, 0, 1).
    p_a = (0,.5,1)+s normalised, e_j = -Σ p ln p / ln 3; weights d_j/Σd (hand-computed with s = 0)."""
    df = pd.DataFrame({"a": [0.0, 0.5, 1.0], "b": [0.0, 0.0, 1.0]})
    w = entropy_weights(df, columns=["a", "b"], shift=1e-12).set_index("indicator")
    pa = np.array([0.5, 1.0]) / 1.5
    e_a = -(pa * np.log(pa)).sum() / np.log(3)
    e_b = 0.0
    d = np.array([1 - e_a, 1 - e_b])
    np.testing.assert_allclose(w["weight"].to_numpy(), d / d.sum(), atol=1e-9)
    assert w["weight"].sum() == pytest.approx(1)


def test_pca_diagnostics_and_sign(toy):
    w, diag = pca_weights(toy, columns=["payment", "monetary_fund", "cash_use"], direction={"cash_use": -1})
    d = diag.set_index("statistic")["value"]
    assert 0.5 < d["kmo_overall"] <= 1
    assert d["bartlett_p"] < 1e-6 and d["bartlett_df"] == 3
    ev = d[[f"explained_variance_pc{i}" for i in (1, 2, 3)]]
    assert ev.sum() == pytest.approx(1) and ev.iloc[0] > 0.8
    assert (w["loading"] > 0).all() and w["weight"].sum() == pytest.approx(1)
