"""Figure text of the retention plots follows the notebook's language (issue 12: no English label in a zh figure)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.reporting.labels import set_lang
from bankcrm_research.retention import survival
from bankcrm_research.retention._labels import term_label


@pytest.fixture()
def zh():
    set_lang("zh")
    yield
    set_lang("en")


def _texts(ax) -> list[str]:
    legend = ax.get_legend()
    return ([ax.get_xlabel(), ax.get_ylabel(), ax.get_title()] + [t.get_text() for t in ax.get_yticklabels()]
            + ([t.get_text() for t in legend.get_texts()] + [legend.get_title().get_text()] if legend else []))


def test_term_labels_translate_category_terms(zh):
    assert term_label("value_tier[affluent]") == "价值层级: 富裕客户"
    assert term_label("n_products") == "持有产品数" and term_label("no_such_term") == "no_such_term"


def test_survival_figures_carry_no_english_in_zh(zh):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    n = 400
    df = pd.DataFrame({"months": rng.exponential(20, n).round(1) + 0.1, "churned": rng.random(n) < 0.6,
                       "value_tier": rng.choice(["mass", "affluent"], n), "complaints_12m": rng.poisson(1, n)})
    km = survival.kaplan_meier(df, duration="months", event="churned", group="value_tier")
    cox = survival.CoxModel().fit(df, duration="months", event="churned", covariates=["complaints_12m", "value_tier"])
    fig, axes = plt.subplots(1, 2)
    km.plot(ax=axes[0])
    cox.plot(ax=axes[1])
    texts = " ".join(_texts(axes[0]) + _texts(axes[1]))
    plt.close(fig)
    for english in ("survival probability", "hazard ratio", "value_tier", "complaints_12m", "mass", "affluent", "time"):
        assert english not in texts, english
    assert "生存概率" in texts and "风险比" in texts
