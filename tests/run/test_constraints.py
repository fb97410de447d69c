"""The ``range:`` / ``one of:`` grammar of parameter comments (bankcrm_research.run.constraints)."""

from __future__ import annotations

import math

import pytest

from bankcrm_research.run.constraints import ConstraintSyntaxError, parse_constraint


@pytest.mark.parametrize("comment, described, allowed, refused", [
    ("resamples; range: >= 0", ">= 0", [0, 5, 0.0], [-1, -0.001]),
    ("range: > 0", "> 0", [1e-9, 3], [0, -2]),
    ("range: < 1", "< 1", [0.99, -5], [1, 2]),
    ("range: [0, 1]", "in [0, 1]", [0, 1, 0.5], [-0.1, 1.1]),
    ("range: (0, 1)", "in (0, 1)", [0.5], [0, 1]),
    ("range: [0, 1)", "in [0, 1)", [0], [1]),
    ("range: [2, inf)", ">= 2", [2, 10**9], [1]),
    ("range: >= 1, <= 12", "in [1, 12]", [1, 12], [0, 13]),
    ("range: > 0 and <= 1", "in (0, 1]", [1], [0]),
    ("range: ≥ 1", ">= 1", [1], [0]),
    ("range: >= 1e-3", ">= 0.001", [0.001], [0.0005]),
    ("ic; one of: aic, bic, hqic", "one of 'aic', 'bic', 'hqic'", ["aic", "hqic"], ["AIC", "fpe", 1]),
    ("one of: 1, 2, 4", "one of 1, 2, 4", [1, 4], [3, "1"]),
])
def test_grammar(comment, described, allowed, refused):
    c = parse_constraint(comment)
    assert c.describe() == described
    assert [c.violation(v) for v in allowed] == [None] * len(allowed)
    assert all(c.violation(v) for v in refused)


def test_no_clause_means_no_constraint():
    assert parse_constraint("") is None
    assert parse_constraint("None = bundled data; e.g. [0.01, 0.99]") is None


def test_non_numbers_nan_and_bools_fail_a_range_none_and_lists_are_special():
    c = parse_constraint("range: >= 0")
    assert c.violation("3") == "must be >= 0; got '3'"
    assert c.violation(math.nan) and c.violation(True)
    assert c.violation(None) is None  # None-ness is the type check's business
    assert c.violation([1, None, 2]) is None
    assert c.violation((1, -2)) == "every element must be >= 0; got -2 in (1, -2)"


@pytest.mark.parametrize("comment, message", [
    ("range: 0 to 1", "is not a range"),
    ("range:", "is not a range"),
    ("range: >= 0, <= x", "is not a range"),
    ("range: (5, 1)", "lower bound exceeds the upper bound"),
    ("one of: ", "list the allowed values"),
])
def test_syntax_errors(comment, message):
    with pytest.raises(ConstraintSyntaxError, match=message):
        parse_constraint(comment)
