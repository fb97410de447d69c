"""The private pyfixest wrapper: coefficient extraction agrees with pyfixest's own tidy table."""

from __future__ import annotations

import numpy as np
import pytest

from bankcrm_research.competition import _fixest as fx


@pytest.fixture(scope="module")
def fit_and_data(sim_panel):
    panel, _ = sim_panel
    df = fx.prepare_panel(panel, needed=["nim", "if_index_100", "log_assets"], entity="bank_id", time="year",
                          cluster="bank_id", numeric=["nim", "if_index_100", "log_assets"])
    return fx.feols("nim ~ if_index_100 + log_assets | bank_id + year", df, "bank_id"), df


def test_tidy_fit_and_coefficients_agree(fit_and_data):
    fit, df = fit_and_data
    raw = fx.tidy_fit(fit, outcome="nim", model="twoway_fe", alpha=0.05)
    assert list(raw.columns[: len(fx.PANEL_COLUMNS)]) == fx.PANEL_COLUMNS
    tab = raw.set_index("term")
    coefs = fx.coefficients(fit)
    assert coefs.loc["if_index_100", "estimate"] == tab.loc["if_index_100", "estimate"]
    assert fx.n_obs(fit) == len(df) and tab["n_clusters"].iloc[0] == df["bank_id"].nunique()
    assert fx.df_t(fit) == df["bank_id"].nunique() - 1
    assert fx.coef_names(fit) == ["if_index_100", "log_assets"]


def test_wald_f_of_one_coefficient_is_t_squared_and_lincom_reproduces_it(fit_and_data):
    """F(1, G-1) of one restriction equals the squared CRV1 t (rtol 1e-10)."""
    fit, _ = fit_and_data
    tab = fx.tidy_fit(fit, outcome="nim", model="twoway_fe", alpha=0.05).set_index("term")
    F = fx.wald_f(fit, np.array([[1.0, 0.0]]))
    assert F == pytest.approx(tab.loc["if_index_100", "t_stat"] ** 2, rel=1e-10)
    b, V = fx.coef_subset(fit, ["log_assets", "if_index_100"])
    assert b[1] == pytest.approx(tab.loc["if_index_100", "estimate"], rel=1e-12)
    assert np.sqrt(V[1, 1]) == pytest.approx(tab.loc["if_index_100", "std_error"], rel=1e-10)
    lc = fx.lincom(fit, {"if_index_100": 1.0}, alpha=0.05)
    for col in ("estimate", "std_error", "ci_low", "ci_high", "p_value"):
        assert lc[col] == pytest.approx(tab.loc["if_index_100", col], rel=1e-8)


def test_collinear_regressor_raises_a_clear_message(sim_panel):
    panel, _ = sim_panel
    df = panel.assign(twice=2 * panel["if_index_100"])
    fit = fx.feols("nim ~ if_index_100 + twice | bank_id + year", df, "bank_id")
    with pytest.raises(ValueError, match="perfectly collinear"):
        fx.check_collinear(fit, ["if_index_100", "twice"], "twoway_fe")
