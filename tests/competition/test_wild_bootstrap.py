"""Wild cluster bootstrap: agreement with analytic p-values, Webb weights, seeding (reference
values against brute-force enumeration and wildboottest are in test_reference_panel.py)."""

from __future__ import annotations

import numpy as np
import pytest

from bankcrm_research.competition.wild_bootstrap import wild_cluster_bootstrap


def test_wild_bootstrap_agrees_with_analytic_p_with_many_clusters():
    rng = np.random.default_rng(0)
    G, n_g = 60, 20
    g = np.repeat(np.arange(G), n_g)
    x = rng.normal(size=G * n_g) + rng.normal(size=G)[g]
    y = 0.08 * x + rng.normal(size=G)[g] + rng.normal(size=G * n_g)
    X = np.column_stack([np.ones_like(x), x])
    res = wild_cluster_bootstrap(X, y, g, param=1, reps=1999, seed=1)
    from scipy import stats

    p_analytic = 2 * stats.t.sf(abs(res["t_stat"]), G - 1)
    assert res["weights"] == "rademacher"
    assert abs(res["p_value"] - p_analytic) < 0.05


def test_wild_bootstrap_uses_webb_weights_for_few_clusters_and_is_seeded():
    rng = np.random.default_rng(2)
    g = np.repeat(np.arange(8), 30)
    x = rng.normal(size=240)
    y = rng.normal(size=240)
    X = np.column_stack([np.ones(240), x])
    a = wild_cluster_bootstrap(X, y, g, param=1, reps=999, seed=7)
    b = wild_cluster_bootstrap(X, y, g, param=1, reps=999, seed=7)
    assert a == b and a["weights"] == "webb" and a["n_clusters"] == 8
    with pytest.raises(ValueError, match="bootstrap_reps"):
        wild_cluster_bootstrap(X, y, g, param=1, reps=10)
