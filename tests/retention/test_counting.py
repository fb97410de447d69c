"""Counting-process rows with RM turnover and a calendar window (the year after the market fall)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.retention import survival as S
from bankcrm_research.retention.counting import DAYS_PER_MONTH, market_fall_terms, rm_turnover_long
from bankcrm_research.retention.inputs import BUNDLED
from bankcrm_research.retention.truth import retention_truth_rows

ORIGIN = "2020-01-01"
FALL = ("2021-01-01", "2022-01-01")  # [a, b): 366 and 731 days after the origin (2020 is a leap year)
A, B = 366 / DAYS_PER_MONTH, 731 / DAYS_PER_MONTH


def _three() -> pd.DataFrame:
    return pd.DataFrame({
        "id": ["a", "b", "c"],
        "months": [30.0, 18.0, 5.0],
        "churned": [1, 1, 1],
        # a: RM leaves 2020-11-01 (305 d), window overlaps the fall start; b: no turnover;
        # c: RM leaves 2020-03-01 (60 d) and c churns inside that window, before the fall
        "rm_change": pd.to_datetime(["2020-11-01", None, "2020-03-01"]),
        "fund_loss_pct": [10.0, 20.0, np.nan],  # c holds no fund: missing loss = no exposure
        "followup_contact": pd.array([True, False, pd.NA], dtype="boolean"),
        "value_tier": ["affluent", "private", "mass"],
        "x": [1.0, 2.0, 3.0],
    })


def _long(df: pd.DataFrame) -> pd.DataFrame:
    terms = market_fall_terms(df, fund_loss="fund_loss_pct", contact="followup_contact", tier="value_tier")
    return rm_turnover_long(pd.concat([df, terms], axis=1), id_column="id", duration="months", event="churned",
                            change_date="rm_change", origin=ORIGIN, window_months=6, covariates=["x"],
                            calendar_window=FALL, window_covariates=list(terms.columns))


def test_market_fall_terms_missing_means_no_exposure():
    t = market_fall_terms(_three(), fund_loss="fund_loss_pct", contact="followup_contact", tier="value_tier")
    assert list(t.columns) == ["fall_fund_loss", "fall_contact_affluent", "fall_contact_mass",
                               "fall_contact_private"]
    assert t["fall_fund_loss"].tolist() == [10.0, 20.0, 0.0]
    assert t["fall_contact_affluent"].tolist() == [1.0, 0.0, 0.0]
    assert t[["fall_contact_mass", "fall_contact_private"]].to_numpy().sum() == 0
    # a text contact column (the bank's own coding) and no tier: one contact term
    text = _three().assign(followup_contact=["yes", "no", None])
    one = market_fall_terms(text, fund_loss=None, contact="followup_contact")
    assert list(one.columns) == ["fall_contact"] and one["fall_contact"].tolist() == [1.0, 0.0, 0.0]


def test_intervals_split_at_every_change_point_by_hand():
    long = _long(_three())
    cols = ["start", "stop", "rm_turnover", "churned", "fall_fund_loss", "fall_contact_affluent",
            "fall_contact_private"]
    r = 305 / DAYS_PER_MONTH
    a = long[long["id"] == "a"][cols].to_numpy()
    # RM window [r, r + 6) overlaps the fall window [A, B) on [A, r + 6); churn at 30 after both windows
    np.testing.assert_allclose(a, [[0, r, 0, 0, 0, 0, 0],
                                   [r, A, 1, 0, 0, 0, 0],
                                   [A, r + 6, 1, 0, 10, 1, 0],
                                   [r + 6, B, 0, 0, 10, 1, 0],
                                   [B, 30, 0, 1, 0, 0, 0]])
    b = long[long["id"] == "b"][cols].to_numpy()  # churns inside the fall window, contact 0
    np.testing.assert_allclose(b, [[0, A, 0, 0, 0, 0, 0], [A, 18, 0, 1, 20, 0, 0]])
    c = long[long["id"] == "c"][cols].to_numpy()  # non-holder churning before the window: kept, no exposure
    rc = 60 / DAYS_PER_MONTH
    np.testing.assert_allclose(c, [[0, rc, 0, 0, 0, 0, 0], [rc, 5, 1, 1, 0, 0, 0]])
    assert (long.loc[long["id"] == "c", "x"] == 3.0).all()
    assert long.groupby("id")["churned"].sum().tolist() == [1, 1, 1]


def test_without_a_calendar_window_the_rows_are_the_turnover_rows():
    df = _three()
    plain = rm_turnover_long(df, id_column="id", duration="months", event="churned", change_date="rm_change",
                             origin=ORIGIN, window_months=6, covariates=["x"])
    assert list(plain.columns) == ["id", "start", "stop", "rm_turnover", "churned", "x"]
    assert len(plain) == 3 + 1 + 2  # a: [0, r), [r, r+6), [r+6, 30]; b: one row; c: two rows
    long = _long(df)
    # the extra cuts at the window ends leave each customer's at-risk time and turnover time unchanged
    for frame in (plain, long):
        frame["_len"] = frame["stop"] - frame["start"]
    np.testing.assert_allclose(plain.groupby("id")["_len"].sum(), long.groupby("id")["_len"].sum())
    np.testing.assert_allclose(plain[plain["rm_turnover"] == 1].groupby("id")["_len"].sum(),
                               long[long["rm_turnover"] == 1].groupby("id")["_len"].sum())


def test_window_arguments_are_validated():
    df = _three()
    kw = dict(id_column="id", duration="months", event="churned", change_date="rm_change", origin=ORIGIN,
              window_months=6)
    with pytest.raises(ValueError, match="need calendar_window"):
        rm_turnover_long(df, window_covariates=["fund_loss_pct"], **kw)
    with pytest.raises(ValueError, match="must be after the start"):
        rm_turnover_long(df, calendar_window=("2022-01-01", "2021-01-01"), **kw)
    with pytest.raises(TypeError, match="window covariates must be numeric"):
        rm_turnover_long(df, calendar_window=FALL, window_covariates=["value_tier"], **kw)


def test_a_window_term_without_events_while_exposed_is_dropped_with_a_warning():
    """Seed 7001 at 5,000 customers: no contacted private customer churned inside the fall year, so the
    log-HR of ``fall_contact_private`` has no finite estimate (PHReg stopped at −19.8, SE 7,700)."""
    from bankcrm_research.data.validate import DataWarning

    df = _three()
    long = _long(df)
    with pytest.warns(DataWarning, match=r"no event while non-zero dropped.*fall_contact_affluent"):
        res = S.TimeVaryingCox(engine="lifelines").fit(
            pd.concat([long] * 8, keys=range(8)).reset_index(level=0).assign(
                id=lambda d: d["id"] + d["level_0"].astype(str), x=lambda d: d["x"] + d["level_0"] % 3),
            id_column="id", event="churned", covariates=["x", "fall_contact_affluent"])
    assert list(res.tidy()["term"]) == ["x"]


def _world(seed: int, n: int) -> pd.DataFrame:
    """Customers of one simulated world (the customers and survey streams of ``simulate_world``)."""
    from bankcrm_research.simulate import customers, survey
    from bankcrm_research.simulate._common import spawn_streams, sub_rngs

    st = spawn_streams(seed)
    srng = sub_rngs(st["survey"], ("latents", "cusa_items", "select", "items"))
    latents = survey.simulate_latents(srng["latents"], n)
    cusa = survey.simulate_items(srng["cusa_items"], latents, survey.CUSA_ITEMS).to_numpy(float).mean(axis=1)
    attrs, aux = customers.simulate_attributes(st["customers"], n)
    outcomes, _ = customers.simulate_outcomes(attrs, aux, cusa)
    return pd.concat([attrs, outcomes], axis=1)


def test_window_coefficients_recover_the_simulated_truth():
    """One simulated world (seed 7, 12,000 customers, ~7 s): notebook 04's time-varying Cox with the
    post-fall window terms covers the planted fund-loss log-HR (0.04 per point) and the contact log-HRs
    by tier (−0.10, −0.85, −1.60) with its 95 % CIs (seed 7: 0.044 [0.037, 0.051]; −1.05 [−1.44, −0.66];
    −0.35 [−0.61, −0.08]; −2.15 [−3.57, −0.73]; seeds 8 and 9 cover too)."""
    from bankcrm_research.simulate import customers as sim
    from bankcrm_research.simulate._common import MARKET_FALL

    c = _world(7, 12_000)
    covs = BUNDLED["survival_covariates"]
    terms = market_fall_terms(c, fund_loss="fund_loss_pct", contact="followup_contact", tier="value_tier")
    window = (MARKET_FALL, MARKET_FALL + pd.Timedelta(days=sim.FOLLOWUP_WINDOW_DAYS))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        long = rm_turnover_long(pd.concat([c, terms], axis=1), id_column="customer_id", duration="duration_months",
                                event="churned", change_date="rm_change_date", origin=BUNDLED["study_start"],
                                window_months=sim.RM_TURNOVER["window_months"], covariates=covs,
                                calendar_window=window, window_covariates=list(terms.columns))
        fit = S.TimeVaryingCox().fit(long, id_column="customer_id", event="churned",
                                     covariates=["rm_turnover", *covs, *terms.columns]).tidy()
    truth = {"loyalty": {"fund_loss_log_hr_per_pct": sim.FUND_LOSS_LOG_HR,
                         "followup_effect": {"log_hr_by_segment": sim.FOLLOWUP_LOG_HR}}}
    rows = retention_truth_rows(truth, time_varying_cox=fit).set_index("quantity")
    window_keys = ["loyalty.fund_loss_log_hr_per_pct"] + [
        f"loyalty.followup_effect.log_hr_by_segment.{t}" for t in ("affluent", "mass", "private")]
    assert list(rows.index) == window_keys
    assert rows.loc[window_keys, "covered"].all(), rows.loc[window_keys]
    assert (rows["role"] == "headline").all()
    # the fund-loss effect is estimated to within ±0.01 per point (SE ~0.003 at this size)
    assert abs(rows.loc["loyalty.fund_loss_log_hr_per_pct", "estimate"] - 0.04) < 0.01
