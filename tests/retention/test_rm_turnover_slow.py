"""Repeated sampling of notebook 04's RM-turnover and post-fall hazard ratios (slow: ``pytest -m slow tests/retention``).

The bundled world's time-varying Cox estimate of the RM-turnover log-HR was 0.53 [0.38, 0.68] against
a planted 0.70 (issue 14.6). One draw cannot tell bias from bad luck, so this test simulates
``N_WORLDS`` independent customer worlds of ``N_CUSTOMERS`` customers with the bundled generator
(:mod:`bankcrm_research.simulate.customers`, satisfaction drawn from the survey model exactly as in
:func:`bankcrm_research.simulate.world.simulate_world`) and fits notebook 04's estimator on each:
:func:`~bankcrm_research.retention.survival.rm_turnover_long` with the planted 6-month window, then
:class:`~bankcrm_research.retention.survival.TimeVaryingCox` on ``rm_turnover`` plus the bundled
survival covariates (satisfaction is *not* among them: it is unobserved for non-respondents).

Measured with the seeds below (100 worlds, ~2.5 min on a shared 2-core machine): mean estimate 0.678
against the truth 0.70 (Monte Carlo SE of the mean 0.017: no detectable bias; the −0.02 is the size of
the expected mild attenuation from the omitted satisfaction frailty), sd 0.168 against a mean model SE
of 0.174, and 97 of 100 95 % CIs cover the truth. So the bundled draw's miss (0.49 [0.33, 0.66] on the
regenerated world, 0.53 [0.38, 0.68] on the old one; both share the default seed's churn draws) is
chance, not bias: its RM windows hold 95 churners before the market fall where the true model expects
121 (Poisson z ≈ −2.4). Neither the estimator nor the recorded truth needed a fix.

Notebook 04's model also carries the post-fall year's terms (fund loss and follow-up contact by tier,
:func:`~bankcrm_research.retention.counting.market_fall_terms`), as the simulator plants them. With
them (same seeds): RM turnover 0.679 (coverage 0.97), fund loss 0.0391 vs 0.04 (sd 0.0055, coverage
0.94), contact affluent −0.892 vs −0.85 (sd 0.30, 0.97), mass −0.123 vs −0.10 (sd 0.20, 0.96). The
private tier's contact term is not checked: in about one world in five no contacted private customer
churns inside the window at 5,000 customers, and the term is dropped (infinite log-HR). Checks, per
term of :data:`CHECKED`:

* the mean estimate lies within its tolerance (≈ 3.5 Monte Carlo SEs) of the truth — a gap like the
  bundled RM draw's 0.2 would fail it if it were bias;
* the share of 95 % CIs covering the truth is in [0.90, 0.98].

The static hazard terms of the same fits (tenure, products, digital share, complaints, age, affluent
tier) are checked too: the bundled draw's misses on tenure and products (notebook 04's truth table sits
at exactly 17/20 covered) are a draw of the default seed, not a bias.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.retention import survival
from bankcrm_research.retention.inputs import BUNDLED
from bankcrm_research.simulate import customers, survey
from bankcrm_research.simulate._common import MARKET_FALL, spawn_streams, sub_rngs

pytestmark = pytest.mark.slow

N_WORLDS = 100
N_CUSTOMERS = 5_000
SEEDS = range(7_000, 7_000 + N_WORLDS)
MEAN_TOLERANCE = 0.06


def _world(seed: int) -> pd.DataFrame:
    """Customers of one simulated world (the customers and survey streams of ``simulate_world``)."""
    st = spawn_streams(seed)
    srng = sub_rngs(st["survey"], ("latents", "cusa_items", "select", "items"))
    latents = survey.simulate_latents(srng["latents"], N_CUSTOMERS)
    cusa = survey.simulate_items(srng["cusa_items"], latents, survey.CUSA_ITEMS).to_numpy(float).mean(axis=1)
    attrs, aux = customers.simulate_attributes(st["customers"], N_CUSTOMERS)
    outcomes, _ = customers.simulate_outcomes(attrs, aux, cusa)
    return pd.concat([attrs, outcomes], axis=1)


def _window_cox(c: pd.DataFrame) -> pd.DataFrame:
    """Notebook 04's estimator: RM-turnover window, bundled covariates and the post-fall window terms."""
    window = customers.RM_TURNOVER["window_months"]
    cov = BUNDLED["survival_covariates"]
    terms = survival.market_fall_terms(c, fund_loss="fund_loss_pct", contact="followup_contact", tier="value_tier")
    fall = (MARKET_FALL, MARKET_FALL + pd.Timedelta(days=customers.FOLLOWUP_WINDOW_DAYS))
    long = survival.rm_turnover_long(pd.concat([c, terms], axis=1), id_column="customer_id",
                                     duration="duration_months", event="churned", change_date="rm_change_date",
                                     origin=BUNDLED["study_start"], window_months=window, covariates=cov,
                                     calendar_window=fall, window_covariates=list(terms.columns))
    fit = survival.TimeVaryingCox().fit(long, id_column="customer_id", event="churned",
                                        covariates=["rm_turnover", *cov, *terms.columns], window_months=window)
    return fit.tidy().set_index("term")


#: term -> (planted log-HR, tolerance of the mean over the worlds ≈ 3.5 Monte Carlo SEs)
CHECKED = {"rm_turnover": (customers.RM_TURNOVER["log_hr"], MEAN_TOLERANCE),
           "fall_fund_loss": (customers.FUND_LOSS_LOG_HR, 0.002),
           "fall_contact_affluent": (customers.FOLLOWUP_LOG_HR["affluent"], 0.11),
           "fall_contact_mass": (customers.FOLLOWUP_LOG_HR["mass"], 0.07)}


#: static terms of the bundled hazard: the Cox design name -> the planted log-HR (``customers.CHURN_LOG_HR``)
STATIC = {"tenure_months": "tenure_months", "n_products": "n_products", "digital_share": "digital_share",
          "complaints_12m": "complaints_12m", "age": "age", "value_tier[affluent]": "value_tier_affluent"}
# value_tier[private] is not checked here: a 5,000-customer world holds few private customers and their
# Cox coefficient is biased away from zero in small samples (100 worlds: mean -0.598 vs -0.50, sd 0.37,
# coverage 0.89); at the bundled 20,000 customers (30 worlds, seeds 9000-9029) it is -0.477, coverage 0.97.
#: relative attenuation allowed for the static terms: the omitted CUSA score (log-HR -0.2 per point) is
#: a frailty, so the marginal Cox coefficients sit a few per cent below the conditional, planted ones
STATIC_REL_TOLERANCE = 0.07


@pytest.fixture(scope="module")
def estimates() -> pd.DataFrame:
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for seed in SEEDS:
            t = _window_cox(_world(seed))
            for term in [*CHECKED, *STATIC]:
                r = t.loc[term]
                rows.append({"term": term, "estimate": r["log_hr"], "lo": np.log(r["hr_ci_low"]),
                             "hi": np.log(r["hr_ci_high"])})
    return pd.DataFrame(rows)


def test_rm_turnover_and_post_fall_hazards_are_unbiased_with_nominal_coverage(estimates: pd.DataFrame) -> None:
    est = estimates
    for term, (truth, tol) in CHECKED.items():
        e = est[est["term"] == term]
        mean, sd = e["estimate"].mean(), e["estimate"].std(ddof=1)
        coverage = ((e["lo"] <= truth) & (truth <= e["hi"])).mean()
        msg = f"{term}: mean {mean:.4f} (truth {truth}, sd {sd:.4f}), coverage {coverage:.3f} over {len(e)} worlds"
        assert abs(mean - truth) < tol, msg
        assert 0.90 <= coverage <= 0.98, msg


def test_static_hazard_terms_cover_the_planted_values(estimates: pd.DataFrame) -> None:
    """The bundled draw misses tenure (-0.0068 vs -0.008) and products (-0.313 vs -0.35); over worlds
    neither is biased beyond the omitted-frailty attenuation and both cover at the nominal rate.

    Measured (same seeds): tenure -0.0079 (sd 0.0011, coverage 0.95), products -0.345 (0.021, 0.95),
    digital share -0.801 (0.094, 0.95), complaints 0.342 (0.052, 0.92), age -0.0150 (0.0017, 0.99),
    affluent -0.285 (0.091, 0.97). At the bundled size (20,000 customers, 30 worlds) products average
    -0.347 with sd 0.0106, so the bundled -0.313 is a 3-sd draw of the default seed, not a bias.
    """
    for term, key in STATIC.items():
        truth = customers.CHURN_LOG_HR[key]
        e = estimates[estimates["term"] == term]
        mean = e["estimate"].mean()
        coverage = ((e["lo"] <= truth) & (truth <= e["hi"])).mean()
        msg = f"{term}: mean {mean:.4f} (truth {truth}), coverage {coverage:.3f} over {len(e)} worlds"
        assert abs(mean / truth - 1) < STATIC_REL_TOLERANCE, msg
        assert 0.90 <= coverage <= 0.99, msg
