"""Panel data preparation: winsorising at quantiles and calendar-time lags."""

from __future__ import annotations

import pytest

from bankcrm_research.competition.panel_prep import add_lags, winsorize


def test_winsorize_and_add_lags(sim_panel):
    panel, _ = sim_panel
    w = winsorize(panel, columns=["nim"], limits=(0.05, 0.95))
    assert w["nim"].max() == pytest.approx(panel["nim"].quantile(0.95))
    lagged = add_lags(panel.sample(frac=1, random_state=1), columns=["nim"], lags=[2])
    row = lagged[(lagged.bank_id == "B001") & (lagged.year == 2012)].iloc[0]
    assert row["nim_lag2"] == pytest.approx(panel[(panel.bank_id == "B001") & (panel.year == 2010)]["nim"].iloc[0])
