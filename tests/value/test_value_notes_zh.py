"""Chinese notes of the value results and of the VAR (``--lang zh``): one Chinese sentence per English one,
with the same numbers; ``notes_in(..., "en")`` is the English ``notes`` the other tests pin."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from bankcrm_research.common.results import notes_in
from bankcrm_research.competition.deposits import VARResult
from bankcrm_research.value.satisfaction_link import SatisfactionRetention, link_survey
from bankcrm_research.value.segments import BehaviouralSegmentation
from bankcrm_research.value.tiers import value_concentration


def _numbers(text: str) -> list[str]:
    return sorted(re.findall(r"\d+(?:\.\d+)?", text))


def _check(res) -> tuple[str, ...]:  # noqa: ANN001
    en, zh = notes_in(res, "en"), notes_in(res, "zh")
    assert en == tuple(res.notes) and len(zh) == len(en)
    for e, z in zip(en, zh):
        assert _numbers(e) == _numbers(z), (e, z)
        assert re.search(r"[\u4e00-\u9fff]", z), z
    return zh


def test_segmentation_concentration_and_satisfaction_notes():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(np.vstack([rng.normal(m, 0.3, (120, 2)) for m in (0, 3, 6)]), columns=["a", "b"])
    km = BehaviouralSegmentation(method="kmeans", k_range=(2, 4), n_bootstrap=3, seed=0).fit(X)
    assert "按轮廓系数选定 k = 3" in _check(km)[0]
    given = BehaviouralSegmentation(n_segments=3, n_bootstrap=0, seed=0).fit(X)
    assert "由参数指定" in _check(given)[0]
    conc = value_concentration(pd.DataFrame({"aum": rng.lognormal(10, 1.2, 500)}), value="aum", n_bootstrap=20)
    assert _check(conc)[0].startswith("aum：基尼系数 ")
    n = 600
    ids = [f"C{i}" for i in range(n)]
    items = rng.integers(1, 8, (n, 3)).astype(float)
    survey = pd.DataFrame(items, columns=["CUSA1", "CUSA2", "CUSA3"]).assign(customer_id=ids, respondent_id=range(n))
    t = rng.exponential(40 * np.exp(0.2 * (items.mean(axis=1) - 4)))
    customers = pd.DataFrame({"customer_id": ids, "tenure_months": rng.integers(1, 100, n),
                              "n_products": rng.integers(1, 6, n), "digital_share": rng.uniform(0, 1, n),
                              "complaints_12m": rng.poisson(0.3, n), "value_tier": rng.choice(["mass", "affluent"], n),
                              "churned": t < 48, "duration_months": np.minimum(t, 48.0),
                              "aum": rng.lognormal(10, 1, n)})
    sat = SatisfactionRetention().fit(link_survey(survey, customers), value="aum")
    zh = _check(sat)
    assert zh[0].startswith("Logit 模型：cusa_score 每提高一分的优势比 = ") and "名参与问卷的客户" in zh[-1]


def test_var_notes_only_when_unstable():
    empty = pd.DataFrame()
    stable = VARResult(coefficients=empty, granger=empty, irf=empty, fevd=empty, lags=2, ic="aic", n_obs=100,
                       is_stable=True)
    assert notes_in(stable, "zh") == () == notes_in(stable, "en")
    unstable = VARResult(coefficients=empty, granger=empty, irf=empty, fevd=empty, lags=3, ic="aic", n_obs=100,
                         is_stable=False)
    assert "VAR(3) 不稳定" in _check(unstable)[0]
