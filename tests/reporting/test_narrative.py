"""Findings sentences follow the numbers: direction from the CI, verdicts from p, readable formats."""

from __future__ import annotations

import math

import pytest

from bankcrm_research.reporting import narrative as N


@pytest.mark.parametrize(
    ("x", "text"),
    [(1327697000.0, "1,327,697,000"), (70.0, "70"), (1234.567, "1,235"), (12.345, "12.3"), (0.12345, "0.123"),
     (0.0012345, "0.00123"), (-0.5, "-0.5"), (float("nan"), "—"), (None, "—"), (3.2e13, "3.2e+13")],
)
def test_fmt_number(x, text):
    assert N.fmt_number(x) == text


def test_p_values_and_stars():
    assert N.fmt_p(0.0) == "p < 0.001" and N.fmt_p(0.0342) == "p = 0.034" and N.fmt_p(math.nan) == "—"
    assert [N.stars(p) for p in (0.001, 0.03, 0.07, 0.2, None)] == ["***", "**", "*", "", ""]


def test_effect_direction_follows_the_ci():
    down = N.effect("the index", "NIM", -0.004, -0.006, -0.002, unit="pp", per="index point")
    assert down == "One index point more of the index lowers NIM by 0.004 pp (95 % CI [-0.006, -0.002])."
    none = N.effect("follow-up", "churn", -0.01, -0.03, 0.01)
    assert "no clear effect" in none and "includes 0" in none
    up = N.effect("complaints", "churn", 0.2, 0.1, 0.3, lang="zh")
    assert "提高" in up and "95% 置信区间" in up


def test_verdict():
    assert N.verdict("joint pre-trend F test", 0.40, null="flat pre-trends") == (
        "The joint pre-trend F test does not reject flat pre-trends (p = 0.400).")
    assert "rejects" in N.verdict("ADF test", 0.001, null="a unit root")
    assert "拒绝原假设" in N.verdict("ADF 检验", 0.001, null="存在单位根", lang="zh")


def test_compare():
    assert N.compare("the AUC", "random CV", 0.80, "the time-ordered split", 0.66) == (
        "The AUC is higher for random CV (0.8) than for the time-ordered split (0.66).")
