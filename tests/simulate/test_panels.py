"""The small bank-panel test simulator (simulate/panels.py): seeded, balanced, truth laid out
like truth.json's competition block; the staggered-adoption panel's truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.simulate.panels import simulate_bank_panel, simulate_staggered_panel


def test_bank_panel_is_seeded_balanced_and_carries_its_truth():
    a, truth = simulate_bank_panel(seed=3, n_banks=20, first_year=2010, last_year=2015)
    b, _ = simulate_bank_panel(seed=3, n_banks=20, first_year=2010, last_year=2015)
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 20 * 6 and not a.duplicated(["bank_id", "year"]).any()
    assert (a["if_index_100"] == a["if_index"] / 100).all()
    assert a.groupby("bank_id")["yuebao_exposure"].nunique().eq(1).all()
    assert truth["did"]["demand_deposit_share"] == -0.08
    assert truth["npl_quadratic"]["turning_point"] == pytest.approx(1.6)
    assert "2012" not in truth["event_study"]["demand_deposit_share"]  # the reference year
    with pytest.raises(ValueError, match="n_banks"):
        simulate_bank_panel(n_banks=1)


def test_staggered_panel_truth_is_the_mean_treated_effect():
    df, truth = simulate_staggered_panel(seed=0, n_units=50)
    treated = df["treated"] == 1
    expected = (0.5 * (df.loc[treated, "rel_year"] + 1)).mean()
    assert truth["att"] == pytest.approx(expected)
    assert truth["dynamic"][0] == 0.5 and np.isnan(df.loc[df["cohort"] == 0, "rel_year"]).all()
