"""Truth coverage on the bundled simulated world, in `make test` (issue 14.6): every notebook that plants
effects shows truth beside estimate, naive estimators are marked as foils, and at least 85 % of the
headline rows' 95 % CIs cover their planted value (a calibrated estimator covers ~95 %; a few misses
are expected on any one draw). Repeated-sampling coverage lives in the `slow` tests."""

from __future__ import annotations

import pandas as pd
import pytest

from own_data.runner import run_notebook

FAST = {
    "03_satisfaction_drivers": {"bootstrap_reps": 200, "permutations": 99},
    "04_loyalty_churn": {},
    "05_segmentation_value": {"n_bootstrap": 2},
}


@pytest.fixture(scope="module")
def truth_tables(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    out = {}
    try:
        for name, params in FAST.items():
            run = run_notebook(name, params, tmp_path_factory.mktemp(name[:2]), mp)
            out[name] = run.table("truth_vs_estimate")
    finally:
        mp.undo()
    return out


@pytest.mark.parametrize("name", list(FAST))
def test_headline_rows_cover_their_truth(truth_tables, name):
    table: pd.DataFrame = truth_tables[name]
    assert {"role", "covered"} <= set(table.columns)
    headline = table[table["role"] == "headline"]
    assert len(headline) >= 5, f"{name}: too few headline truth rows ({len(headline)})"
    share = headline["covered"].mean()
    missed = headline.loc[~headline["covered"], "quantity"].tolist()
    assert share >= 0.85, f"{name}: {share:.0%} of headline CIs cover the truth; missed {missed}"


def test_naive_follow_up_estimate_is_a_foil(truth_tables):
    table = truth_tables["04_loyalty_churn"]
    naive = table[table["quantity"].str.contains("naive")]
    assert len(naive) >= 1 and (naive["role"] == "foil").all()
