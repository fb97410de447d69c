"""Truth coverage on the bundled simulated world, in `make test` (issue 14.6): every notebook that plants
effects shows truth beside estimate, naive estimators are marked as foils, and at least 85 % of the
headline rows' 95 % CIs cover their planted value (a calibrated estimator covers ~95 %; a few misses
are expected on any one draw). Repeated-sampling coverage lives in the `slow` tests."""

from __future__ import annotations

import pandas as pd
import pytest

from own_data.runner import run_notebook

FAST = {
    "01_internet_finance_competition": {"bootstrap_reps": 99},
    "03_satisfaction_drivers": {"bootstrap_reps": 200, "permutations": 99},
    "04_loyalty_churn": {},
    "05_segmentation_value": {"n_bootstrap": 2},
    "06_competition_mechanisms": {"bootstrap_reps": 199, "threshold_bootstrap_reps": 19, "band_reps": 0},
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


def test_pooled_ols_and_pooled_channel_decomposition_are_foils(truth_tables):
    """Notebook 01 marks pooled OLS as the foil; notebook 06 the pooled channel's path b, direct and indirect
    effect and share (the planted slopes differ by bank type), and both foils miss on the bundled world."""
    t01 = truth_tables["01_internet_finance_competition"]
    pooled = t01[t01["model"] == "pooled_ols_by_bank_type"]
    assert len(pooled) == 20 and (pooled["role"] == "foil").all() and pooled["covered"].mean() <= 0.2
    t06 = truth_tables["06_competition_mechanisms"]
    foils = t06[t06["role"] == "foil"]
    assert sorted(foils["quantity"].str.rsplit(".", n=1).str[-1]) == ["b", "direct", "indirect", "share_mediated"]
    assert not foils["covered"].any()
    assert t06["quantity"].str.startswith("competition.staggered.dynamic.").sum() >= 10
    assert t06["quantity"].str.contains(".by_type.", regex=False).sum() == 18
