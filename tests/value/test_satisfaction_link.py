"""Satisfaction → churn: recovery of a planted log hazard ratio; linking; edge cases."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.value.satisfaction_link import (
    SatisfactionRetention,
    link_survey,
    satisfaction_score,
)
from bankcrm_research.data.validate import DataWarning

TRUE_LOG_HR = -0.30  # per point of the CUSA item mean, as in the bundled generator


def _simulate(seed: int = 5, n: int = 1500) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customers with an exponential churn hazard and a survey of 1-7 CUSA items."""
    rng = np.random.default_rng(seed)
    ids = [f"C{i:06d}" for i in range(n)]
    latent = rng.normal(0, 1, n)
    items = np.clip(np.round(4.6 + 1.2 * (0.85 * latent[:, None] + 0.5 * rng.normal(0, 1, (n, 3)))), 1, 7)
    survey = pd.DataFrame(items, columns=["CUSA1", "CUSA2", "CUSA3"])
    survey.insert(0, "customer_id", ids)
    survey.insert(0, "respondent_id", np.arange(n))
    score = items.mean(axis=1)
    tenure = rng.integers(1, 240, n)
    n_products = rng.integers(1, 8, n)
    digital = rng.uniform(0, 1, n)
    complaints = rng.poisson(0.3, n)
    tier = rng.choice(["mass", "affluent", "private"], n, p=[0.8, 0.17, 0.03])
    lin = (-0.004 * tenure - 0.2 * n_products - 0.6 * digital + 0.25 * complaints
           - 0.3 * (tier == "affluent") - 0.5 * (tier == "private") + TRUE_LOG_HR * (score - 4))
    rate = 0.40 / 12 * np.exp(lin)  # per month
    t = rng.exponential(1 / rate)
    churned = t < 48
    customers = pd.DataFrame({
        "customer_id": ids, "tenure_months": tenure, "n_products": n_products, "digital_share": digital,
        "complaints_12m": complaints, "value_tier": tier, "churned": churned,
        "duration_months": np.minimum(t, 48.0), "aum": np.exp(rng.normal(10, 1, n) + 0.1 * score),
    })
    # missing answers: the score uses the available items
    survey.loc[rng.choice(n, 40, replace=False), "CUSA2"] = np.nan
    return survey, customers


def test_cox_ci_covers_planted_log_hr():
    survey, customers = _simulate()
    linked = link_survey(survey, customers)
    res = SatisfactionRetention().fit(linked, value="aum")
    cox = res.effect("cox")
    assert cox["ci_low"] <= TRUE_LOG_HR <= cox["ci_high"], cox.to_dict()
    assert cox["exp_estimate"] == pytest.approx(np.exp(cox["estimate"]))
    logit = res.effect("logit")
    assert logit["estimate"] < 0 and logit["p_value"] < 0.05
    assert set(res.tidy()["model"]) == {"logit", "cox", "ols_value"}
    # independent numpy fits on the same design (score, controls, tier dummies vs the modal 'mass')
    X = np.column_stack([np.ones(len(linked)), linked[["cusa_score", "tenure_months", "n_products", "digital_share",
                                                       "complaints_12m"]].to_numpy(float),
                         linked["value_tier"].eq("affluent"), linked["value_tier"].eq("private")]).astype(float)
    y = linked["aum"].to_numpy(float)
    beta = np.linalg.lstsq(X, y, rcond=None)[0]
    e = y - X @ beta
    bread = np.linalg.inv(X.T @ X)
    hc1 = bread @ (X.T * e**2) @ X @ bread * len(y) / (len(y) - X.shape[1])  # White HC1 sandwich
    ols = res.effect("ols_value")
    assert ols["estimate"] == pytest.approx(beta[1], rel=1e-8)
    assert ols["std_error"] == pytest.approx(np.sqrt(hc1[1, 1]), rel=1e-8)
    assert ols["estimate"] > 2 * ols["std_error"]  # value planted to rise with satisfaction
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(penalty=None, tol=1e-10, max_iter=10_000).fit(X[:, 1:] / X[:, 1:].std(axis=0),
                                                                          linked["churned"].astype(int))
    assert logit["estimate"] == pytest.approx(lr.coef_[0][0] / X[:, 1].std(), rel=1e-4)
    assert any("hazard ratio per point" in n for n in res.notes)
    assert list(res.summary()["model"]) == ["logit", "cox", "ols_value"]
    assert (res.summary()["term"] == "cusa_score").all()
    assert 0.5 < res.concordance < 1


def test_binned_churn_rate_falls_with_satisfaction():
    survey, customers = _simulate()
    res = SatisfactionRetention(min_bin=50).fit(link_survey(survey, customers))
    b = res.binned
    assert (b["n"] >= 50).all() and b["n"].sum() == res.n
    assert b["churn_rate"].iloc[0] > b["churn_rate"].iloc[-1]
    assert ((b["ci_low"] <= b["churn_rate"]) & (b["churn_rate"] <= b["ci_high"])).all()


def test_satisfaction_score_uses_available_items():
    s = pd.DataFrame({"CUSA1": [7, 1, np.nan], "CUSA2": [5, np.nan, np.nan], "CUSA3": [6, 3, 4]})
    with pytest.warns(DataWarning, match="1 of 3 respondents answered fewer than 2"):
        score = satisfaction_score(s)
    assert score.iloc[0] == pytest.approx(6.0)
    assert score.iloc[1] == pytest.approx(2.0)
    assert np.isnan(score.iloc[2])


def test_link_survey_reports_unknown_and_duplicate_respondents():
    survey, customers = _simulate(n=200)
    extra = survey.iloc[:3].assign(customer_id=["Z1", "Z2", "Z3"])
    dup = survey.iloc[:2]
    with pytest.warns(DataWarning) as rec:
        linked = link_survey(pd.concat([survey, extra, dup], ignore_index=True), customers)
    text = " ".join(str(w.message) for w in rec)
    assert "dropped 2 of 205 rows" in text and "repeat answers" in text
    assert "dropped 3 of 203 rows" in text and "not in customers" in text
    assert len(linked) == 200


def test_fit_errors_are_explained():
    survey, customers = _simulate(n=300)
    linked = link_survey(survey, customers)
    with pytest.raises(ValueError, match="'tenure' \\(closest: 'tenure_months'\\)"):
        SatisfactionRetention().fit(linked, controls=["tenure"])
    with pytest.raises(ValueError, match="at least 10 events"):
        SatisfactionRetention().fit(linked.assign(churned=False))
    with pytest.raises(ValueError, match="constant"):
        SatisfactionRetention().fit(linked.assign(cusa_score=4.0))
    with pytest.raises(ValueError, match="needs at least 50"):
        SatisfactionRetention().fit(linked.iloc[:20])


@pytest.mark.slow
def test_cox_ci_coverage_over_replications():
    """Over 40 replications the 95 % CI should cover the planted log HR about 95 % of the time."""
    covered = 0
    for seed in range(40):
        survey, customers = _simulate(seed=100 + seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            linked = link_survey(survey, customers)
        cox = SatisfactionRetention().fit(linked).effect("cox")
        covered += cox["ci_low"] <= TRUE_LOG_HR <= cox["ci_high"]
    assert covered >= 34  # P(X >= 34 | n=40, p=.95) ~ 0.99
