"""Repeated-sampling checks of the generator (slow; run with ``pytest -m slow tests/simulate``).

Across independent seeds the textbook estimator for each planted effect must be centred on the
truth and its 95 % CIs must cover it at about the nominal rate:

* two-way FE with bank-clustered SEs, ``y ~ x:bank_type | bank + year`` (x = if_index/100), against
  the total index effects (NIM's includes the deposit-cost channel);
* OLS of Δlog demand deposits on its own lag and lagged Δlog MMF AUM, and of the MMF yield on SHIBOR;
* AIPW (logistic outcome and propensity models on the confounders) for the follow-up contact's
  effect on 12-month churn after the market fall, against the potential-outcome ATE.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.simulate import banks, customers, mechanisms, survey
from bankcrm_research.simulate._common import spawn_streams, sub_rngs

pytestmark = pytest.mark.slow
SEEDS = range(101, 121)


def test_twfe_index_effects_are_unbiased_with_nominal_coverage() -> None:
    import pyfixest as pf

    z, covered = [], []
    for seed in SEEDS:
        st = spawn_streams(seed)
        ind, info = banks.simulate_indicators(st["internet_finance_indicators"])
        bp, _ = banks.simulate_world_bank_panel(st["bank_panel"], ind, info["development"])
        bp["x"] = bp["if_index"] / 100
        for outcome, truth in mechanisms.total_index_effect().items():
            tidy = pf.feols(f"{outcome} ~ x:C(bank_type) | bank_id + year", data=bp, vcov={"CRV1": "bank_id"}).tidy()
            for bt, t in truth.items():
                row = tidy.loc[f"x:C(bank_type)[{bt}]"]
                z.append((row["Estimate"] - t) / row["Std. Error"])
                covered.append(row["2.5%"] <= t <= row["97.5%"])
    assert abs(np.mean(z)) < 0.3
    assert np.mean(covered) > 0.88


def test_macro_coefficients_cover_the_truth() -> None:
    import statsmodels.formula.api as smf

    cov_g, cov_s = [], []
    for seed in SEEDS:
        m, _ = banks.simulate_macro(spawn_streams(seed)["macro_monthly"])
        m["dd"] = np.log(m["demand_deposits"]).diff()
        m["dm"] = np.log(m["mmf_aum"]).diff()
        m["dd1"], m["dmL"] = m["dd"].shift(1), m["dm"].shift(banks.MACRO["granger_lag"])
        lo, hi = smf.ols("dd ~ dd1 + dmL", data=m).fit().conf_int().loc["dmL"]
        cov_g.append(lo <= banks.MACRO["mmf_to_demand_coef"] <= hi)
        lo, hi = smf.ols("mmf_yield_7d ~ shibor_3m", data=m).fit().conf_int().loc["shibor_3m"]
        cov_s.append(lo <= banks.MACRO["shibor_to_mmf_yield"] <= hi)
    assert np.mean(cov_g) > 0.85 and np.mean(cov_s) > 0.85


def test_aipw_recovers_the_followup_ate() -> None:
    import statsmodels.formula.api as smf

    covered, bias = [], []
    for seed in list(SEEDS)[:10]:
        st = spawn_streams(seed)
        attrs, aux = customers.simulate_attributes(st["customers"], 20_000)
        srng = sub_rngs(st["survey"], ("latents", "cusa_items", "select", "items"))
        lat = survey.simulate_latents(srng["latents"], 20_000)
        cusa = survey.simulate_items(srng["cusa_items"], lat, survey.CUSA_ITEMS).to_numpy(float).mean(axis=1)
        out, info = customers.simulate_outcomes(attrs, aux, cusa)
        d = pd.concat([attrs, out], axis=1)
        h = d[d["holds_fund"]].copy()
        h["y"] = h["churn_12m_after_fall"].astype(float)
        h["t"] = h["followup_contact"].astype(float)
        rhs = "C(value_tier) + fund_loss_pct + tenure_months"
        ps = smf.logit(f"t ~ {rhs}", data=h).fit(disp=0).predict(h)
        m1 = smf.logit(f"y ~ {rhs}", data=h[h["t"] == 1]).fit(disp=0).predict(h)
        m0 = smf.logit(f"y ~ {rhs}", data=h[h["t"] == 0]).fit(disp=0).predict(h)
        psi = m1 - m0 + h["t"] * (h["y"] - m1) / ps - (1 - h["t"]) * (h["y"] - m0) / (1 - ps)
        est, se = psi.mean(), psi.std(ddof=1) / np.sqrt(len(psi))
        ate = info["followup_effect"]["ate_churn_12m"]
        covered.append(abs(est - ate) <= 1.96 * se)
        bias.append(est - ate)
        assert info["followup_effect"]["naive_difference"] < ate  # the naive comparison overstates the benefit
    assert np.mean(covered) >= 0.8
    assert abs(np.mean(bias)) < 0.01
