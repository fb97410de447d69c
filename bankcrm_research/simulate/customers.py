"""One bank's retail customers (2020–2023) with a known churn hazard, and their transactions.

Churn is a piecewise-exponential proportional-hazards process in calendar time (days from
``study_start``)::

    h_i(t) = h0 · exp(x_i'β + β_age (age_i − 40) + β_sat (cusa_score_i − 4))
                · exp(β_rm)                        while t ∈ [rm_change_date, +6 months)
                · exp(β_loss loss_i + γ_tier c_i)   while t ∈ [fall, fall + 365 d), fund holders only

with ``x`` = tenure_months, n_products, digital_share, complaints_12m and value-tier dummies
(affluent, private; mass is the reference). ``cusa_score`` is the mean of the customer's three
1–7 satisfaction answers (drawn for every customer from the survey model; observed only for the
surveyed). Churn times are drawn by inverting the cumulative hazard at an Exp(1) draw; the same
draw gives both potential outcomes of the follow-up contact ``c_i``, so the true average effect on
12-month churn after the fall is computed exactly for the simulated population.

The static drivers are as strong as in real retail-bank churn (a one-product customer leaves
about twice as fast as a three-product one; young, new, branch-only and complaining customers leave
faster), and customers disengage before they leave (:data:`PRECHURN_SLOWDOWN`): their digital
log-ins and transactions slow down over the last nine months. ``logins_90d`` and
``logins_prev_90d`` count log-ins in the two 90-day windows before the score date
(``campaign_date``), so a recent decline is an observable *marker* of coming churn — predictive,
with no causal effect (it is not in the hazard). Together these give out-of-time AUCs near 0.8,
the range of real retail churn files (0.75–0.88), where static attributes alone gave about 0.6.

Follow-up contact after the fall is assigned non-randomly, ``logit P(c=1) = a + value tier +
fund loss + tenure``: the contacted are more valuable (lower churn) and lost more (higher churn),
so the naive difference in churn rates is biased while adjustment for value_tier, fund_loss_pct and
tenure_months (the only confounders) recovers the truth.

Transactions arrive as a Poisson process with a tier-specific rate while the customer is active,
slowed down before churn by the same steps as the log-ins, and none after churn.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from bankcrm_research.simulate._common import (
    DAYS_PER_MONTH,
    FALL_DAY,
    STUDY_START,
    VALUE_TIERS,
    WINDOW_DAYS,
    days_to_dates,
    sub_rngs,
)

VALUE_TIER_SHARE = {"mass": 0.80, "affluent": 0.17, "private": 0.03}
AUM_BOUNDS = {"mass": (100.0, 500_000.0), "affluent": (500_000.0, 6_000_000.0), "private": (6_000_000.0, 2e8)}
AUM_LOGNORMAL = {"mass": (np.log(30_000), 1.3), "affluent": (np.log(1_000_000), 0.7), "private": (np.log(10_000_000), 0.6)}

BASELINE_HAZARD_PER_YEAR = 0.70  # h0 for the reference customer (HAZARD_CENTRE, mass tier)
CHURN_LOG_HR: dict[str, float] = {
    "tenure_months": -0.008,
    "n_products": -0.35,
    "digital_share": -0.80,
    "complaints_12m": 0.35,
    "value_tier_affluent": -0.30,
    "value_tier_private": -0.50,
    "age": -0.015,
    "cusa_score": -0.20,
}
#: covariate values of the reference customer of the baseline hazard (0 for the unlisted ones)
HAZARD_CENTRE: dict[str, float] = {"age": 40.0, "cusa_score": 4.0}
NO_DIRECT_EFFECT = ("income", "aum", "gender", "city_tier", "mobile_user", "branch_visits_12m",
                    "credit_applications", "approval_days")
RM_TURNOVER = {"log_hr": 0.70, "window_months": 6}
RM_TURNOVER_SHARE = 0.8  # share of relationship managers who leave during the study window (at most once)
FUND_LOSS_LOG_HR = 0.04  # per loss percentage point, during the 12 months after the fall
FOLLOWUP_LOG_HR = {"mass": -0.10, "affluent": -0.85, "private": -1.60}
FOLLOWUP_WINDOW_DAYS = 365
HOLDS_FUND_PROB = {"mass": 0.25, "affluent": 0.55, "private": 0.70}
CONTACT_LOGIT = {"intercept": -1.1, "affluent": 1.2, "private": 2.4, "fund_loss_pct": 0.04,
                 "fund_loss_center": 15.0, "tenure_months": 0.004, "tenure_center": 60.0}
CAMPAIGN_DATES = ("2020-07-01", "2021-01-01", "2021-07-01", "2022-01-01", "2022-07-01", "2023-01-01", "2023-07-01")

TXN_RATE_PER_MONTH = {"mass": 0.55, "affluent": 1.1, "private": 1.8}  # before scaling to the target count
#: Disengagement before churn: (days before the churn date, multiplier of the login and transaction
#: rates from then on), furthest step first: x0.7 from 270 to 181 days before churn, x0.45 from 180
#: to 91, x0.2 in the last 90 days.
PRECHURN_SLOWDOWN: tuple[tuple[int, float], ...] = ((270, 0.7), (180, 0.45), (90, 0.2))
#: Digital log-ins per month = rate by channel x (LOGIN_DIGITAL_FLOOR + digital_share) x customer level.
LOGIN_RATE_PER_MONTH = {"mobile_user": 10.0, "online_only": 1.5}
LOGIN_DIGITAL_FLOOR = 0.25
LOGIN_LEVEL_SHAPE = 3.0  # customer level ~ Gamma(shape, 1/shape): mean 1, cv 0.58
LOGIN_WINDOW_NOISE_SD = 0.20  # log-normal variation of the rate from one 90-day window to the next
LOGIN_WINDOW_DAYS = 90
TXN_AMOUNT_MEDIAN = {"mass": 800.0, "affluent": 3_000.0, "private": 12_000.0}
TXN_AMOUNT_SIGMA = 1.0
TXN_TYPES = ("deposit", "withdrawal", "transfer", "payment", "fund_purchase", "loan_repayment")
TXN_TYPE_PROB = (0.20, 0.20, 0.25, 0.25, 0.05, 0.05)
TXN_TYPE_AMOUNT = (1.0, 1.0, 1.2, 0.3, 5.0, 2.0)
CHANNELS = ("mobile", "online", "branch", "atm")
REFUND_PROB = 0.01  # of payments


def _truncated_lognormal(rng: np.random.Generator, n: int, mu: float, sigma: float, lo: float, hi: float) -> np.ndarray:
    from scipy.stats import norm

    a, b = norm.cdf((np.log(lo) - mu) / sigma), norm.cdf((np.log(hi) - mu) / sigma)
    u = a + (b - a) * rng.random(n)
    return np.exp(mu + sigma * norm.ppf(u))


def simulate_attributes(ss: np.random.SeedSequence, n: int) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Customer attributes at study_start (no outcomes yet)."""
    r = sub_rngs(ss, ("demo", "money", "channels", "rm", "fund", "credit", "churn", "campaign", "logins"))
    g = r["demo"]
    tiers = np.array(VALUE_TIERS)[g.choice(3, n, p=[VALUE_TIER_SHARE[t] for t in VALUE_TIERS])]
    tier_rank = np.select([tiers == "affluent", tiers == "private"], [1, 2], 0)
    tenure_days = np.clip(g.gamma(2.0, (900 + 500 * tier_rank) / 2.0, n), 30, 30 * 365).astype(np.int64)
    tenure_months = np.floor(tenure_days / DAYS_PER_MONTH).astype(np.int64)
    age = np.clip(np.round(g.normal(40 + 6 * tier_rank, 13, n)), 18, 90)
    age = np.clip(np.maximum(age, 18 + np.ceil(tenure_days / 365.25)), 18, 90).astype(np.int64)
    gender = np.where(g.random(n) < 0.5, "F", "M")
    ct_p = np.array([[0.22, 0.40, 0.38], [0.35, 0.42, 0.23], [0.55, 0.35, 0.10]])
    u = g.random(n)
    cum = ct_p[tier_rank].cumsum(axis=1)
    city_tier = np.array(["tier1", "tier2", "tier3"])[(u[:, None] > cum).sum(axis=1)]

    m = r["money"]
    city_f = np.select([city_tier == "tier1", city_tier == "tier2"], [1.35, 1.0], 0.75)
    inc_med = np.array([6000.0, 15000.0, 45000.0])[tier_rank]
    income = np.round(inc_med * city_f * np.exp(m.normal(0, 0.45, n)), 0)
    aum = np.empty(n)
    for t in VALUE_TIERS:
        sel = tiers == t
        mu, sg = AUM_LOGNORMAL[t]
        aum[sel] = _truncated_lognormal(m, int(sel.sum()), mu, sg, *AUM_BOUNDS[t])
    aum = np.round(aum, 2)
    n_products = np.clip(1 + m.poisson(np.array([1.2, 2.2, 3.0])[tier_rank]), 1, 8).astype(np.int64)

    c = r["channels"]
    p_mobile = 1 / (1 + np.exp(-(2.2 - 0.07 * (age - 40) + 0.3 * (city_tier == "tier1"))))
    mobile = c.random(n) < p_mobile
    digital_share = np.where(mobile, c.beta(6.0, 2.2, n), c.beta(1.2, 5.0, n))
    digital_share = np.round(digital_share, 4)
    branch_visits = c.poisson(np.exp(0.2 + 2.0 * (1 - digital_share) + 0.005 * (age - 40))).astype(np.int64)
    complaints = c.poisson(0.12 * np.exp(0.8 * (1 - digital_share) + 0.2 * tier_rank)).astype(np.int64)

    # relationship managers for affluent/private; each RM leaves at most once, on a random day
    rr = r["rm"]
    has_rm = tier_rank > 0
    n_rm = max(5, int(has_rm.sum()) // 120)
    rm_num = rr.integers(0, n_rm, n)
    rm_leaves = rr.random(n_rm) < RM_TURNOVER_SHARE
    rm_leave_day = rr.integers(30, WINDOW_DAYS - 30, n_rm).astype(float)
    rm_leave_day[~rm_leaves] = np.nan
    rm_id = np.where(has_rm, np.char.add("R", np.char.zfill(np.char.mod("%d", rm_num + 1), 3)), None)
    rm_change_day = np.where(has_rm, rm_leave_day[rm_num], np.nan)

    f = r["fund"]
    fund_u = f.random(n)
    holds_fund_latent = fund_u < np.array([HOLDS_FUND_PROB[t] for t in VALUE_TIERS])[tier_rank]
    fund_loss = np.round(np.clip(f.normal(14 + 3 * tier_rank, 7, n), 0.5, 45.0), 1)
    contact_u = f.random(n)

    k = r["credit"]
    apps = k.poisson(np.array([0.4, 0.7, 0.9])[tier_rank]).astype(np.int64)
    approval_z = k.normal(0, 1, n)

    ids = np.char.add("C", np.char.zfill(np.char.mod("%d", np.arange(1, n + 1)), max(6, len(str(n)))))
    attrs = pd.DataFrame({
        "customer_id": ids,
        "open_date": STUDY_START - pd.to_timedelta(tenure_days, unit="D"),
        "tenure_months": tenure_months,
        "age": age,
        "gender": gender,
        "city_tier": city_tier,
        "income": income,
        "value_tier": tiers,
        "aum": aum,
        "n_products": n_products,
        "mobile_user": mobile,
        "digital_share": digital_share,
        "branch_visits_12m": branch_visits,
        "rm_id": rm_id,
        "complaints_12m": complaints,
        "credit_applications": apps,
    })
    aux = {
        "tier_rank": tier_rank,
        "rm_change_day": rm_change_day,
        "holds_fund_latent": holds_fund_latent,
        "fund_loss": fund_loss,
        "contact_u": contact_u,
        "approval_z": approval_z,
        "churn_e": r["churn"].exponential(1.0, n),
        "campaign_u": r["campaign"].integers(0, len(CAMPAIGN_DATES), n),
        "login_level": r["logins"].gamma(LOGIN_LEVEL_SHAPE, 1.0 / LOGIN_LEVEL_SHAPE, n),
        "login_noise": r["logins"].normal(0.0, LOGIN_WINDOW_NOISE_SD, (n, 2)),
        "login_u": r["logins"].random((n, 2)),
    }
    return attrs, aux


def _churn_time(e: np.ndarray, breaks: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """Invert a piecewise-constant cumulative hazard at ``e``; ``inf`` if no event by the last break.

    ``breaks`` has shape (n, k+1) (sorted, first column 0), ``rates`` (n, k) per day.
    """
    widths = np.diff(breaks, axis=1)
    cum = np.concatenate([np.zeros((len(e), 1)), np.cumsum(widths * rates, axis=1)], axis=1)
    seg = (cum[:, 1:] < e[:, None]).sum(axis=1)  # index of the segment where cum crosses e
    out = np.full(len(e), np.inf)
    hit = seg < rates.shape[1]
    i = np.nonzero(hit)[0]
    s = seg[hit]
    out[i] = breaks[i, s] + (e[i] - cum[i, s]) / rates[i, s]
    return out


def simulate_outcomes(
    attrs: pd.DataFrame, aux: dict[str, np.ndarray], cusa_score: np.ndarray
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Fund holdings, follow-up contact, churn and campaign targets; the truth of the loyalty block."""
    n = len(attrs)
    tier_rank = aux["tier_rank"]
    tiers = attrs["value_tier"].to_numpy()
    x = {"tenure_months": attrs["tenure_months"].to_numpy(float), "n_products": attrs["n_products"].to_numpy(float),
         "digital_share": attrs["digital_share"].to_numpy(float), "complaints_12m": attrs["complaints_12m"].to_numpy(float),
         "value_tier_affluent": (tier_rank == 1).astype(float), "value_tier_private": (tier_rank == 2).astype(float),
         "age": attrs["age"].to_numpy(float), "cusa_score": np.asarray(cusa_score, float)}
    lp = sum(b * (x[k] - HAZARD_CENTRE.get(k, 0.0)) for k, b in CHURN_LOG_HR.items())
    h0 = BASELINE_HAZARD_PER_YEAR / 365.25
    base_rate = h0 * np.exp(lp)

    rm0 = aux["rm_change_day"]
    rm1 = rm0 + RM_TURNOVER["window_months"] * DAYS_PER_MONTH
    f0, f1 = float(FALL_DAY), float(FALL_DAY + FOLLOWUP_WINDOW_DAYS)
    T = float(WINDOW_DAYS)

    contact_lo = (CONTACT_LOGIT["intercept"] + CONTACT_LOGIT["affluent"] * (tier_rank == 1)
                  + CONTACT_LOGIT["private"] * (tier_rank == 2)
                  + CONTACT_LOGIT["fund_loss_pct"] * (aux["fund_loss"] - CONTACT_LOGIT["fund_loss_center"])
                  + CONTACT_LOGIT["tenure_months"] * (attrs["tenure_months"].to_numpy() - CONTACT_LOGIT["tenure_center"]))
    p_contact = 1 / (1 + np.exp(-contact_lo))
    contact_assigned = aux["contact_u"] < p_contact
    gamma = np.array([FOLLOWUP_LOG_HR[t] for t in VALUE_TIERS])[tier_rank]

    def churn_times(contact: np.ndarray) -> np.ndarray:
        rm_a = np.where(np.isfinite(rm0), np.minimum(rm0, T), T)
        rm_b = np.where(np.isfinite(rm1), np.minimum(rm1, T), T)
        breaks = np.sort(np.column_stack([np.zeros(n), rm_a, rm_b, np.full(n, f0), np.full(n, f1), np.full(n, T)]), axis=1)
        mid = (breaks[:, :-1] + breaks[:, 1:]) / 2
        rate = np.repeat(base_rate[:, None], mid.shape[1], axis=1)
        in_rm = (mid >= rm0[:, None]) & (mid < rm1[:, None])  # NaN compares False
        rate = rate * np.where(in_rm, np.exp(RM_TURNOVER["log_hr"]), 1.0)
        in_fall = (mid >= f0) & (mid < f1) & aux["holds_fund_latent"][:, None]
        post = np.exp(FUND_LOSS_LOG_HR * aux["fund_loss"] + gamma * contact)[:, None]
        rate = rate * np.where(in_fall, post, 1.0)
        return _churn_time(aux["churn_e"], breaks, rate)

    t_obs = churn_times(contact_assigned.astype(float))
    t_1 = churn_times(np.ones(n))
    t_0 = churn_times(np.zeros(n))

    active_at_fall = t_obs >= f0
    holder = aux["holds_fund_latent"] & active_at_fall
    churned = t_obs < T
    churn_day = np.where(churned, np.floor(t_obs), np.nan)
    duration_months = np.round(np.minimum(t_obs, T) / DAYS_PER_MONTH, 3)
    churn_12m = np.where(active_at_fall, t_obs < f1, np.nan)

    camp = pd.to_datetime(np.array(CAMPAIGN_DATES))[aux["campaign_u"]]
    camp_day = (camp - STUDY_START).days.to_numpy().astype(float)
    camp_end = ((camp + pd.DateOffset(months=6)) - STUDY_START).days.to_numpy().astype(float)
    active_at_campaign = t_obs >= camp_day
    churn_next_6m = np.where(active_at_campaign, t_obs < camp_end, np.nan)
    logins_recent, logins_before = _logins(attrs, aux, churn_day, camp_day, active_at_campaign)

    apps = attrs["credit_applications"].to_numpy()
    approval = np.where(apps > 0, np.round(np.clip(np.exp(np.log(4.0) + 0.45 * aux["approval_z"]), 0.5, 60.0), 1), np.nan)

    out = pd.DataFrame({
        "rm_change_date": days_to_dates(rm0),
        "holds_fund": holder,
        "fund_loss_pct": np.where(holder, aux["fund_loss"], np.nan),
        "followup_contact": pd.array(np.where(holder, contact_assigned, pd.NA), dtype="boolean"),
        "approval_days": approval,
        "churned": churned,
        "churn_date": days_to_dates(churn_day),
        "duration_months": duration_months,
        "churn_12m_after_fall": pd.array([pd.NA if np.isnan(v) else bool(v) for v in churn_12m], dtype="boolean"),
        "campaign_date": camp,
        "churn_next_6m": pd.array([pd.NA if np.isnan(v) else bool(v) for v in churn_next_6m], dtype="boolean"),
        "logins_90d": logins_recent,
        "logins_prev_90d": logins_before,
    })

    # ---- truth of the follow-up effect from potential outcomes --------------------------------
    y1 = (t_1 < f1)[holder]
    y0 = (t_0 < f1)[holder]
    treated = contact_assigned[holder]
    by_tier = {}
    for t in VALUE_TIERS:
        sel = tiers[holder] == t
        by_tier[t] = round(float(np.mean(y1[sel].astype(float) - y0[sel])), 6) if sel.any() else None
    y_obs = np.where(treated, y1, y0)
    truth = {
        "ate_churn_12m": round(float(np.mean(y1.astype(float) - y0)), 6),
        "att_churn_12m": round(float(np.mean(y1[treated].astype(float) - y0[treated])), 6),
        "naive_difference": round(float(y_obs[treated].mean() - y_obs[~treated].mean()), 6),
        "by_segment": by_tier,
        "log_hr_by_segment": FOLLOWUP_LOG_HR,
        "window_days": FOLLOWUP_WINDOW_DAYS,
        "population": "fund holders active at the market fall (holds_fund == True)",
        "n_population": int(holder.sum()),
        "n_contacted": int(treated.sum()),
        "risk_untreated": round(float(y0.mean()), 6),
        "risk_treated": round(float(y1.mean()), 6),
        "assignment_logit": CONTACT_LOGIT,
        "confounders": ["value_tier", "fund_loss_pct", "tenure_months"],
    }
    stats = {
        "churn_rate_12m_first_year": round(float(np.mean(t_obs < 365.25)), 6),
        "churn_rate_window": round(float(churned.mean()), 6),
        "churn_rate_12m_after_fall": round(float(np.nanmean(churn_12m)), 6),
        "churn_next_6m_rate": round(float(np.nanmean(churn_next_6m)), 6),
    }
    return out, {"followup_effect": truth, "observed_rates": stats}


def _activity_segments(end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boundaries (n, k+2) and rate multipliers (k+1,) of the activity profile before ``end``.

    ``end`` is the day activity stops (churn day + 1; ``inf`` = no churn): full activity until the
    first :data:`PRECHURN_SLOWDOWN` step, then each step's multiplier, then nothing from ``end``.
    """
    end = np.where(np.isfinite(end), end, 1e12)
    days = np.array([d for d, _ in PRECHURN_SLOWDOWN], dtype=float)
    bounds = np.column_stack([np.full(len(end), -1e12), end[:, None] - days[None, :], end])
    mult = np.array([1.0, *(m for _, m in PRECHURN_SLOWDOWN)])
    return bounds, mult


def _activity_days(lo: np.ndarray | float, hi: np.ndarray | float, end: np.ndarray) -> np.ndarray:
    """Days in ``[lo, hi)`` weighted by the pre-churn activity multiplier (activity stops at ``end``)."""
    bounds, mult = _activity_segments(end)
    lo = np.broadcast_to(np.asarray(lo, float), end.shape)
    hi = np.broadcast_to(np.asarray(hi, float), end.shape)
    overlap = np.clip(np.minimum(hi[:, None], bounds[:, 1:]) - np.maximum(lo[:, None], bounds[:, :-1]), 0.0, None)
    return overlap @ mult


def _logins(attrs: pd.DataFrame, aux: dict[str, np.ndarray], churn_day: np.ndarray, camp_day: np.ndarray,
            active: np.ndarray) -> tuple[pd.arrays.IntegerArray, pd.arrays.IntegerArray]:
    """Digital log-ins in the 90 days before the score date and in the 90 days before those.

    Poisson counts (drawn by inverting the CDF at pre-drawn uniforms) with rate
    ``LOGIN_RATE_PER_MONTH × (LOGIN_DIGITAL_FLOOR + digital_share) × level × exp(noise)``, slowed
    down before churn like the transactions (:data:`PRECHURN_SLOWDOWN`); missing when the customer
    had left before the score date.
    """
    from scipy.stats import poisson

    mobile = attrs["mobile_user"].to_numpy(bool)
    base = np.where(mobile, LOGIN_RATE_PER_MONTH["mobile_user"], LOGIN_RATE_PER_MONTH["online_only"])
    rate = base * (LOGIN_DIGITAL_FLOOR + attrs["digital_share"].to_numpy(float)) * aux["login_level"] / DAYS_PER_MONTH
    end = churn_day + 1.0  # NaN (no churn) -> inf below
    end = np.where(np.isnan(end), np.inf, end)
    w = LOGIN_WINDOW_DAYS
    out = []
    for k, (lo, hi) in enumerate(((camp_day - w, camp_day), (camp_day - 2 * w, camp_day - w))):
        mu = rate * np.exp(aux["login_noise"][:, k]) * _activity_days(lo, hi, end)
        counts = poisson.ppf(aux["login_u"][:, k], mu)
        out.append(pd.array(np.where(active, counts, np.nan), dtype="Int64"))
    return out[0], out[1]


def transaction_rate_scale(customers: pd.DataFrame, n_transactions: int) -> float:
    """Factor on :data:`TXN_RATE_PER_MONTH` so the expected total equals ``n_transactions``."""
    active = _active_days(customers)
    end = np.where(customers["churned"].to_numpy(bool), active, np.inf)
    rate = np.array([TXN_RATE_PER_MONTH[t] for t in customers["value_tier"]]) / DAYS_PER_MONTH
    expected = float(np.sum(rate * _activity_days(0.0, active, end)))
    return n_transactions / expected if expected > 0 else 0.0


def _active_days(customers: pd.DataFrame) -> np.ndarray:
    churn_day = (customers["churn_date"] - STUDY_START).dt.days.to_numpy(dtype=float)
    return np.where(np.isnan(churn_day), float(WINDOW_DAYS), churn_day + 1)


def iter_transactions(
    ss: np.random.SeedSequence, customers: pd.DataFrame, n_transactions: int, *, chunk_customers: int = 50_000
) -> Iterator[TransactionChunk]:
    """Yield the transactions table in chunks of customers (ids are global and sequential).

    Each chunk draws from its own generator spawned from the transactions stream, so the result
    does not depend on memory: the same chunk size always gives the same bytes.
    """
    scale = transaction_rate_scale(customers, n_transactions)
    n = len(customers)
    n_chunks = max(1, -(-n // chunk_customers))
    rngs = [np.random.default_rng(s) for s in ss.spawn(n_chunks)]
    next_id = 1
    amount_mult = np.array(TXN_TYPE_AMOUNT)
    for k in range(n_chunks):
        g = rngs[k]
        c = customers.iloc[k * chunk_customers:(k + 1) * chunk_customers]
        m = len(c)
        active = _active_days(c)
        end = np.where(c["churned"].to_numpy(bool), active, np.inf)
        bounds, mult = _activity_segments(end)
        # activity segments clipped to [0, active): full rate, then each pre-churn step
        lo = np.clip(bounds[:, :-1], 0.0, active[:, None])
        hi = np.clip(bounds[:, 1:], 0.0, active[:, None])
        rate = np.array([TXN_RATE_PER_MONTH[t] for t in c["value_tier"]]) * scale / DAYS_PER_MONTH
        custs, days = [], []
        for k in range(len(mult)):
            n_k = g.poisson(rate * mult[k] * (hi[:, k] - lo[:, k]))
            ck = np.repeat(np.arange(m), n_k)
            custs.append(ck)
            days.append(lo[ck, k] + np.floor(g.random(len(ck)) * (hi[ck, k] - lo[ck, k])))
        cust = np.concatenate(custs)
        day = np.concatenate(days).astype(np.int64)
        order = np.lexsort((day, cust))
        cust, day = cust[order], day[order]
        nr = len(cust)
        holds = c["holds_fund"].to_numpy()[cust]
        type_p = np.tile(np.array(TXN_TYPE_PROB), (nr, 1))
        type_p[holds, 4] *= 3.0
        type_p /= type_p.sum(axis=1, keepdims=True)
        tcode = (g.random(nr)[:, None] > type_p.cumsum(axis=1)).sum(axis=1)
        tcode = np.minimum(tcode, len(TXN_TYPES) - 1)
        dig = c["digital_share"].to_numpy()[cust]
        mob = c["mobile_user"].to_numpy()[cust]
        p_mobile = dig * np.where(mob, 0.85, 0.10)
        p_online = dig - p_mobile
        p_branch = (1 - dig) * 0.6
        ch_cum = np.column_stack([p_mobile, p_mobile + p_online, p_mobile + p_online + p_branch])
        ccode = (g.random(nr)[:, None] > ch_cum).sum(axis=1)
        tier_med = np.array([TXN_AMOUNT_MEDIAN[t] for t in c["value_tier"]])[cust]
        amount = tier_med * amount_mult[tcode] * np.exp(g.normal(0, TXN_AMOUNT_SIGMA, nr))
        refund = (tcode == 3) & (g.random(nr) < REFUND_PROB)
        amount = np.round(np.where(refund, -amount, amount), 2)
        amount = np.where(amount == 0, 0.01, amount)
        yield TransactionChunk(
            transaction_id=np.arange(next_id, next_id + nr, dtype=np.int64),
            customer_code=cust.astype(np.int32),
            customer_ids=c["customer_id"].to_numpy(),
            day=day,
            amount=amount,
            channel_code=ccode.astype(np.int8),
            type_code=tcode.astype(np.int8),
        )
        next_id += nr


@dataclass(frozen=True)
class TransactionChunk:
    """One chunk of transactions as codes (cheap to turn into a DataFrame or an Arrow table)."""

    transaction_id: np.ndarray
    customer_code: np.ndarray  # index into customer_ids
    customer_ids: np.ndarray
    day: np.ndarray  # days since study_start
    amount: np.ndarray
    channel_code: np.ndarray
    type_code: np.ndarray

    def __len__(self) -> int:
        return len(self.transaction_id)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({
            "transaction_id": self.transaction_id,
            "customer_id": self.customer_ids[self.customer_code],
            "txn_date": STUDY_START + pd.to_timedelta(self.day, unit="D"),
            "amount": self.amount,
            "channel": np.array(CHANNELS)[self.channel_code],
            "txn_type": np.array(TXN_TYPES)[self.type_code],
        })

    def to_arrow(self, schema):  # type: ignore[no-untyped-def]
        """Arrow table with plain string columns, built in C++ from dictionary codes (fast for 50M rows)."""
        import pyarrow as pa

        def strings(codes: np.ndarray, values: np.ndarray | tuple[str, ...]) -> pa.Array:
            dictionary = pa.array(list(values), pa.string())
            return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), dictionary).cast(pa.string())

        epoch_days = (STUDY_START - pd.Timestamp("1970-01-01")).days
        dates = pa.array((self.day + epoch_days).astype(np.int32), pa.int32()).cast(pa.date32())
        arrays = [
            pa.array(self.transaction_id, pa.int64()),
            strings(self.customer_code, self.customer_ids),
            dates,
            pa.array(self.amount, pa.float64()),
            strings(self.channel_code, CHANNELS),
            strings(self.type_code, TXN_TYPES),
        ]
        return pa.Table.from_arrays(arrays, schema=schema)
