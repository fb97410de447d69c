"""Churn models: recovery of planted logit coefficients, CI coverage, boosting drivers."""

from __future__ import annotations

import numpy as np
import pytest
from _churn_sim import TRUE_LOGIT, simulate_churn

from bankcrm_research.retention.models import ChurnBoosting, ChurnLogit


# ------------------------------------------------------------------------------------ recovery
def test_logit_recovers_planted_coefficients(churn_df):
    res = ChurnLogit().fit(churn_df, target="churn", features=["complaints", "n_products", "tier"])
    t = res.tidy().set_index("term")
    assert res.converged
    for term, truth in TRUE_LOGIT.items():
        lo, hi = np.log(t.loc[term, "or_ci_low"]), np.log(t.loc[term, "or_ci_high"])
        assert lo <= truth <= hi, (term, truth, lo, hi)
    # odds ratio = exp(coef) and the CI is the exponentiated Wald interval
    np.testing.assert_allclose(t["odds_ratio"], np.exp(t["coef"]))
    np.testing.assert_allclose(np.log(t["or_ci_high"]) - t["coef"], 1.959963984540054 * t["std_error"])
    assert "'True' -> 1" in res.prep.target_note or "True -> 1" in res.prep.target_note
    assert len(res.notes) == 1 and res.notes[0].startswith(f"logit, n = {len(churn_df)}, events = ")
    assert "converged = True" in res.notes[0] and res.prep.target_note in res.notes[0]
    assert list(res.summary().columns) == ["term", "odds_ratio", "or_ci_low", "or_ci_high", "p_value"]


@pytest.mark.slow
def test_logit_ci_coverage_over_replications():
    """95 % Wald CIs cover each planted coefficient in >= 34 of 40 simulated data sets (measured: 38–40)."""
    hits = dict.fromkeys(TRUE_LOGIT, 0)
    for seed in range(40):
        t = ChurnLogit().fit(simulate_churn(seed=seed), target="churn",
                             features=["complaints", "n_products", "tier"]).tidy().set_index("term")
        for term, truth in TRUE_LOGIT.items():
            hits[term] += bool(np.log(t.loc[term, "or_ci_low"]) <= truth <= np.log(t.loc[term, "or_ci_high"]))
    assert min(hits.values()) >= 34, hits


def test_boosting_ranks_the_planted_drivers(churn_df):
    tr, te = churn_df.iloc[:4000], churn_df.iloc[4000:]
    res = ChurnBoosting(max_iter=60, seed=0, n_threads=1).fit(tr, target="churn", features=["complaints", "n_products", "tier", "noise"])
    imp = res.permutation_importance(te, n_repeats=3)
    assert imp["feature"].iloc[0] == "complaints"
    assert imp.set_index("feature").loc["noise", "importance_mean"] < imp.set_index("feature").loc["n_products", "importance_mean"]
    p = res.predict_proba(te)
    assert p.shape == (len(te),) and 0 < p.min() and p.max() < 1
    assert res.notes[0].startswith("HistGradientBoostingClassifier: n = 4000, events = ")
    assert res.summary().set_index("item").loc["n_features", "value"] == 4
