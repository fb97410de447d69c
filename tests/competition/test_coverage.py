"""Slow coverage study: 95 % CIs of the two-way FE estimator over many simulated panels.

Run with ``pytest -m slow tests/competition/test_coverage.py``. Each panel has 100 banks × 16
years, AR(1) errors within bank (rho 0.4) and bank effects correlated with the index, so the check
covers exactly what bank clustering is for.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from bankcrm_research.competition.panel import fit_panel_models
from bankcrm_research.data.schemas import BANK_TYPES
from bankcrm_research.simulate.panels import simulate_bank_panel

N_PANELS = 1000  # Monte Carlo se of a 0.95 coverage: 0.007, so [0.92, 0.97] is about ±3 se


@pytest.mark.slow
def test_twoway_fe_coverage_is_nominal():
    effect = -0.04
    hits = {"if_index_100": [], "exposure_post": []}
    truth = {"if_index_100": effect}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for seed in range(N_PANELS):
            panel, t = simulate_bank_panel(seed=10_000 + seed, n_banks=100, index_effects=dict.fromkeys(BANK_TYPES, effect))
            truth["exposure_post"] = t["did"]["demand_deposit_share"]
            tab = fit_panel_models(
                panel, outcomes="demand_deposit_share", regressors="if_index_100",
                controls=["exposure_post", "log_assets"], models=["twoway_fe"],
            ).tidy().set_index("term")
            for term in hits:
                hits[term].append(tab.loc[term, "ci_low"] <= truth[term] <= tab.loc[term, "ci_high"])
    for term, h in hits.items():
        cov = float(np.mean(h))
        print(f"coverage of the 95 % CI for {term}: {cov:.3f} ({N_PANELS} panels)")
        assert 0.92 <= cov <= 0.97, f"{term}: coverage {cov:.3f} over {N_PANELS} panels"
