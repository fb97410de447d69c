"""satisfaction/truth.py: truth.json keys mapped onto CFA loadings, SEM paths and key drivers
(tiny hand-made inputs; the bundled end-to-end coverage is in test_satisfaction_bundled.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from bankcrm_research.satisfaction.truth import satisfaction_truth_rows

TRUTH = {"satisfaction": {
    "loadings": {"CUSA1": 0.85, "NOT_IN_MODEL": 0.5},
    "paths": {"PERQ->CUSA": 0.4, "IMAG->CUSA": 0.1},
    "driver_weights": {"speed": 0.3},
    "driver_importance_observed": {"relative_weight_share": {"speed": 0.6, "rm": 0.4}},
}}


def _ci(est: float) -> dict[str, float]:
    return {"estimate": est, "ci_low": est - 0.1, "ci_high": est + 0.1}


def test_rows_match_keys_present_in_both_and_skip_the_rest():
    cfa = SimpleNamespace(loadings=pd.DataFrame([{"construct": "CUSA", "item": "CUSA1", **_ci(0.8)}]))
    sem = SimpleNamespace(paths=pd.DataFrame([{"from": "PERQ", "to": "CUSA", **_ci(0.45)}]))
    drivers = pd.DataFrame([{"driver": "speed", "std_beta": 0.25, "beta_ci_low": 0.2, "beta_ci_high": 0.35,
                             "share": 0.55, "ci_low": 0.5, "ci_high": 0.65}])
    rows = pd.DataFrame(satisfaction_truth_rows(TRUTH, cfa=cfa, sem=sem, drivers=drivers)).set_index("quantity")
    assert list(rows.index) == [
        "satisfaction.loadings.CUSA1", "satisfaction.paths.PERQ->CUSA", "satisfaction.driver_weights.speed",
        "satisfaction.driver_importance_observed.relative_weight_share.speed",
    ]
    assert rows.loc["satisfaction.paths.PERQ->CUSA", "estimate"] == pytest.approx(0.45)
    assert rows.loc["satisfaction.driver_weights.speed", "ci_high"] == pytest.approx(0.35)
    assert rows.loc["satisfaction.driver_importance_observed.relative_weight_share.speed", "truth"] == 0.6
    assert len(satisfaction_truth_rows(TRUTH, cfa=cfa, sem=sem)) == 2  # no drivers given
