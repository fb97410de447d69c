"""Chinese notes of the retention results (``--lang zh``): one Chinese sentence per English one, with the
same numbers; the English ``notes`` (pinned by the other tests) are what ``notes_in(..., "en")`` returns."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.common.results import notes_in
from bankcrm_research.retention import causal as CA
from bankcrm_research.retention import survival as S
from bankcrm_research.retention.models import ChurnBoosting, ChurnLogit
from bankcrm_research.retention.targeting import strategy_table
from bankcrm_research.retention.validation import validate_models


def _numbers(text: str) -> list[str]:
    return sorted(re.findall(r"\d+(?:\.\d+)?", text))


def _check(res) -> None:  # noqa: ANN001
    en, zh = notes_in(res, "en"), notes_in(res, "zh")
    assert en == tuple(res.notes) and len(zh) == len(en) and zh
    for e, z in zip(en, zh):
        assert _numbers(e) == _numbers(z), (e, z)
        assert re.search(r"[\u4e00-\u9fff]", z), z
        assert not re.search(r"\b(the|of|on|with|chosen|events|customers)\b", z), z


def test_models_and_validation_notes(churn_df):
    tr = churn_df.iloc[:3000]
    _check(ChurnLogit().fit(tr, target="churn", features=["complaints", "n_products", "tier"]))
    _check(ChurnBoosting(max_iter=20, seed=0, n_threads=1).fit(tr, target="churn", features=["complaints", "tier"]))
    v = validate_models(churn_df, target="churn", id_column="customer_id", date_column="campaign_date",
                        leaky_columns=["days_to_close"], cv_folds=3, seed=0, models={"logit": ChurnLogit})
    _check(v)
    assert notes_in(v, "zh")[0].startswith("跨时间验证：以 campaign_date < ")
    no_date = validate_models(churn_df.drop(columns="campaign_date"), target="churn", id_column="customer_id",
                              leaky_columns=["days_to_close"], cv_folds=3, seed=0, models={"logit": ChurnLogit})
    _check(no_date)
    assert notes_in(no_date, "zh")[-1].startswith("没有日期列")


def test_strategy_and_effect_notes():
    res = strategy_table([1, 0, 1, 0, 0], {"churn_risk": [0.9, 0.8, 0.7, 0.2, 0.1]}, customer_value=100,
                         contact_cost=1, offer_cost=2, acceptance_rate=0.5, fractions=[0, 0.2, 0.4, 0.6, 1.0])
    _check(res)
    assert "按流失风险联系前 60% 的客户" in notes_in(res, "zh")[0]
    none = strategy_table([1, 0, 0, 0], {"churn_risk": [0.4, 0.3, 0.2, 0.1]}, customer_value=10, contact_cost=50,
                          offer_cost=0, acceptance_rate=0.3)
    _check(none)
    assert "没有任何策略和联系深度能够盈利" in notes_in(none, "zh")[0]
    rng = np.random.default_rng(1)
    x = rng.normal(size=800)
    t = (rng.random(800) < 1 / (1 + np.exp(-x))).astype(int)
    y = (rng.random(800) < 0.3 - 0.1 * t).astype(int)
    eff = CA.TreatmentEffect(trim=0.02, n_boot=20, seed=0).fit(pd.DataFrame({"t": t, "y": y, "x": x}),
                                                               treatment="t", outcome="y", covariates=["x"])
    _check(eff)


def test_survival_notes():
    rng = np.random.default_rng(2)
    n = 400
    x = rng.normal(size=n)
    time = rng.exponential(np.exp(-0.5 * x) * 20)
    df = pd.DataFrame({"x": x, "duration": np.minimum(time, 30), "event": (time < 30).astype(int)})
    _check(S.CoxModel().fit(df, duration="duration", event="event", covariates=["x"]))
    origin = pd.Timestamp("2020-01-01")
    df["customer_id"] = np.arange(n)
    change = rng.uniform(0, 40, n)
    df["rm_change_date"] = [origin + pd.Timedelta(days=float(c) * S.DAYS_PER_MONTH) if c < 25 else pd.NaT
                            for c in change]
    long = S.rm_turnover_long(df, id_column="customer_id", duration="duration", event="event",
                              change_date="rm_change_date", origin="2020-01-01", window_months=6, covariates=["x"])
    tv = S.TimeVaryingCox().fit(long, id_column="customer_id", event="event", covariates=["rm_turnover", "x"],
                                window_months=6)
    _check(tv)
    assert notes_in(tv, "zh")[0].endswith("客户经理变更窗口 = 6 个月")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_other_languages_get_the_english_notes(lang):
    class Result:
        notes = ("n = 3",)
        notes_zh = ("样本量 3",)

    assert notes_in(Result(), lang) == ("n = 3",)
    assert notes_in(Result(), "zh") == ("样本量 3",)
