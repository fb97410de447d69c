"""Deposit-migration VAR: simulated recovery, unit roots, M1 break, real Yu'ebao/SHIBOR path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from bankcrm_research.competition.deposits import (
    M1_BREAK,
    fit_var,
    log_differences,
    read_pboc_money_supply,
    read_yuebao_shibor,
    select_lag_order,
    unit_root_tests,
)
from bankcrm_research.data.validate import DataWarning


def _granger_f(data: pd.DataFrame, cause: str, effect: str, p: int) -> tuple[float, int]:
    """Equation-by-equation Granger F by numpy least squares: the effect on a constant and p lags of
    every series (unrestricted) vs without the cause's lags (restricted);
    F = ((RSS_r - RSS_u) / p) / (RSS_u / (T - k)). Returns F and the number of usable rows T."""
    cols = list(data.columns)
    lagged = {(c, j): data[c].shift(j).to_numpy() for c in cols for j in range(1, p + 1)}
    y = data[effect].to_numpy()[p:]

    def rss(keys):
        X = np.column_stack([np.ones(len(y)), *[lagged[k][p:] for k in keys]])
        e = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
        return float(e @ e), X.shape[1]

    rss_u, k = rss(list(lagged))
    rss_r, _ = rss([key for key in lagged if key[0] != cause])
    return (rss_r - rss_u) / p / (rss_u / (len(y) - k)), len(y)


@pytest.fixture(scope="module")
def var_data() -> pd.DataFrame:
    """x Granger-causes y at lag 2 (coefficient -0.4); y does not cause x."""
    rng = np.random.default_rng(4)
    n = 400
    x = np.zeros(n)
    y = np.zeros(n)
    for t in range(2, n):
        x[t] = 0.3 * x[t - 1] + rng.normal()
        y[t] = 0.2 * y[t - 1] - 0.4 * x[t - 2] + rng.normal()
    return pd.DataFrame({"mmf_growth": x, "deposit_growth": y})


def test_var_granger_direction_and_irf(var_data):
    res = fit_var(var_data, columns=["mmf_growth", "deposit_growth"], maxlags=6, ic="bic", irf_reps=200)
    assert res.lags == 2 and res.is_stable
    g = res.granger.set_index(["cause", "effect"])
    assert g.loc[("mmf_growth", "deposit_growth"), "p_value"] < 1e-6
    assert g.loc[("deposit_growth", "mmf_growth"), "p_value"] > 0.01
    for (cause, effect), row in g.iterrows():  # independent OLS F (Wald with the VAR's equation variance)
        f, n_rows = _granger_f(var_data[["mmf_growth", "deposit_growth"]], cause, effect, 2)
        assert row["statistic"] == pytest.approx(f, rel=1e-8), (cause, effect)
        assert (row["df_num"], row["df_denom"]) == (2, 2 * (n_rows - 5))  # statsmodels: neqs · (T - k)
        assert row["p_value"] == pytest.approx(stats.f.sf(f, 2, 2 * (n_rows - 5)), rel=1e-8)
    coef = res.tidy().set_index(["equation", "term"])
    row = coef.loc[("deposit_growth", "L2.mmf_growth")]
    assert abs(row["estimate"] + 0.4) < 2.576 * row["std_error"]  # inside the 99 % CI (coverage 0.96 over 100 seeds)
    irf = res.irf.query("impulse == 'mmf_growth' and response == 'deposit_growth' and horizon == 2").iloc[0]
    assert irf["ci_high"] < 0  # the deposit outflow two periods after a fund inflow is significant
    f = res.fevd.groupby(["response", "horizon"])["share"].sum()
    np.testing.assert_allclose(f.to_numpy(), 1.0)


def test_lag_order_table(var_data):
    tab = select_lag_order(var_data, columns=["mmf_growth", "deposit_growth"], maxlags=6)
    assert tab["selected_bic"].sum() == 1 and tab.loc[tab["selected_bic"], "lag"].iloc[0] == 2


def test_unit_root_tests_tell_levels_from_differences():
    rng = np.random.default_rng(1)
    walk = np.cumsum(rng.normal(size=300))
    df = pd.DataFrame({"level": walk, "growth": np.r_[0, np.diff(walk)]})
    tab = unit_root_tests(df, columns=["level", "growth"]).set_index(["series", "test"])
    assert tab.loc[("level", "ADF"), "p_value"] > 0.05 and tab.loc[("level", "KPSS"), "p_value"] < 0.05
    assert tab.loc[("growth", "ADF"), "p_value"] < 0.01 and tab.loc[("growth", "KPSS"), "p_value"] > 0.05


def test_log_differences_refuse_to_cross_a_definition_break():
    m = pd.DataFrame({"month": pd.date_range("2023-10-01", periods=6, freq="MS"), "M1": [1.0, 1.1, 1.2, 2.0, 2.1, 2.2]})
    with pytest.raises(ValueError, match="'M1' changes definition at 2024-01"):
        log_differences(m, columns=["M1"], breaks={"M1": M1_BREAK})
    ok = log_differences(m[m["month"] < M1_BREAK], columns=["M1"], breaks={"M1": M1_BREAK})
    assert ok["dlog_M1"].iloc[0] == pytest.approx(100 * np.log(1.1))


def test_var_edge_cases(var_data):
    with pytest.raises(ValueError, match="at least two series"):
        fit_var(var_data, columns=["mmf_growth"])
    with pytest.raises(ValueError, match="needs at least 30"):
        fit_var(var_data.head(20), columns=["mmf_growth", "deposit_growth"])
    with pytest.raises(ValueError, match="constant"):
        fit_var(var_data.assign(deposit_growth=1.0), columns=["mmf_growth", "deposit_growth"])


@pytest.mark.shared_data
def test_real_yuebao_shibor_path(shared_data_dir):
    folder = shared_data_dir / "internet_finance"
    with pytest.warns(DataWarning, match="dropped 133 of 427"):
        d = read_yuebao_shibor(folder)
    assert len(d) == 294 and d["mmf_yield_7d"].max() == pytest.approx(6.763)
    diffs = log_differences(d, columns=["shibor", "mmf_yield_7d"], date="date", log=[])
    res = fit_var(diffs, columns=["d_shibor", "d_mmf_yield_7d"], maxlags=10, irf_reps=0)
    assert set(res.granger["cause"]) == {"d_shibor", "d_mmf_yield_7d"}
    for row in res.granger.itertuples():
        f, n_rows = _granger_f(diffs[["d_shibor", "d_mmf_yield_7d"]].dropna(), row.cause, row.effect, res.lags)
        assert row.statistic == pytest.approx(f, rel=1e-8), (row.cause, row.effect)
        assert row.p_value == pytest.approx(stats.f.sf(f, row.df_num, row.df_denom), rel=1e-8)


@pytest.mark.shared_data
def test_real_pboc_money_supply_warns_about_m1_break(shared_data_dir):
    path = shared_data_dir / "internet_finance" / "pboc_money_supply_M0_M1_M2_200801_202511.csv"
    with pytest.warns(DataWarning, match="M1 definition change in 2024-01"):
        m = read_pboc_money_supply(path)
    with pytest.raises(ValueError, match="changes definition"):
        log_differences(m, columns=["M1", "M2"], breaks={"M1": M1_BREAK})
    pre = log_differences(m[m["month"] < M1_BREAK], columns=["M1", "M2"], breaks={"M1": M1_BREAK})
    assert pre["month"].max() == pd.Timestamp("2023-12-01")


def test_readers_give_clear_messages_for_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="no file matching 'yuebao_mfd_day_share_interest_"):
        read_yuebao_shibor(tmp_path)


def test_pboc_breaks_cover_m1_and_corporate_demand_deposits():
    from bankcrm_research.competition.deposits import PBOC_BREAKS

    m = pd.DataFrame({"month": pd.date_range("2023-11-01", periods=4, freq="MS"),
                      "corporate_demand_deposits": [5.6, 5.7, 9.9, 9.7]})
    with pytest.raises(ValueError, match="'corporate_demand_deposits' changes definition"):
        log_differences(m, columns=["corporate_demand_deposits"], breaks=PBOC_BREAKS)


def test_pboc_reader_names_the_missing_headers(tmp_path):
    path = tmp_path / "pboc.csv"
    path.write_text("日期,M1(亿元),M2(亿元)\n2008-01,1,2\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"no column \['M0\(亿元\)', '单位活期存款\(亿元\)'\]"):
        read_pboc_money_supply(path)


def test_yuebao_shibor_refuses_an_unknown_tenor(tmp_path):
    for name in ("yuebao_mfd_day_share_interest_x.csv", "shibor_mfd_bank_shibor_x.csv"):
        (tmp_path / name).write_text("mfd_date\n20130701\n", encoding="utf-8")
    with pytest.raises(ValueError, match="The 'shibor_tenor' parameter must be one of .*Got 'Interest_2_Y'"):
        read_yuebao_shibor(tmp_path, shibor_tenor="Interest_2_Y")
