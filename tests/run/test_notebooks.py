"""A notebook's parameters cell, title and question are read without a kernel."""

from __future__ import annotations

from pathlib import Path

import pytest

from bankcrm_research.run.notebooks import ParameterError, parse_parameters_source, read_notebook_info, resolve_notebooks

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"


def test_read_notebook_info_title_question_parameters():
    info = read_notebook_info(FIXTURES / "param_types.ipynb")
    assert info.name == "param_types"
    assert info.title == "Fixture: list, dict and Chinese parameters"
    assert info.question == "do YAML parameters arrive in the kernel with their types?"
    assert info.defaults == {"years": [2012, 2013], "spec": {"outcome": "nim", "controls": ["log_assets"]},
                             "title": "默认标题", "ratio": 0.5, "flag": False, "customers_path": None,
                             "as_of_date": "2023-12-31", "method": "ols", "lang": "en"}
    seed = read_notebook_info(FIXTURES / "ok_metrics.ipynb").parameters[0]
    assert (seed.name, seed.default, seed.type_name, seed.comment) == ("seed", 7, "int", "random seed")


@pytest.mark.parametrize("source, message", [
    ("x = 1\ndef f():\n    pass", "only `name = <literal>` assignments"),
    ("import os", "only `name = <literal>` assignments"),
    ("x = len([1])", "must be a plain literal"),
    ("x = (", "not valid Python"),
])
def test_parameters_cell_must_be_plain_literals(source, message):
    with pytest.raises(ParameterError, match=message):
        parse_parameters_source(source)


def test_notebook_without_parameters_cell_is_refused(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nbformat.write(nb, str(tmp_path / "bare.ipynb"))
    with pytest.raises(ParameterError, match="exactly one code cell tagged 'parameters'; found 0"):
        read_notebook_info(tmp_path / "bare.ipynb")


def test_resolve_notebooks_by_prefix_name_and_path():
    assert resolve_notebooks(["fail"], FIXTURES) == [FIXTURES / "fail.ipynb"]
    assert resolve_notebooks([FIXTURES / "slow.ipynb"], FIXTURES) == [(FIXTURES / "slow.ipynb").resolve()]
    with pytest.raises(ValueError, match="notebook 'nope' not found; available"):
        resolve_notebooks(["nope"], FIXTURES)


def test_question_is_the_paragraph_that_asks_it(tmp_path):
    import nbformat

    md = "# 03 — Drivers\n\n**Question.** Which attributes drive\nsatisfaction — and which first? More text.\n\nOther."
    cell = nbformat.v4.new_code_cell("lang = 'en'")
    cell.metadata["tags"] = ["parameters"]
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(md), cell]), str(tmp_path / "x.ipynb"))
    info = read_notebook_info(tmp_path / "x.ipynb")
    assert info.title == "03 — Drivers"
    assert info.question == "Which attributes drive satisfaction — and which first?"


def test_constraints_are_read_from_the_parameter_comments():
    info = read_notebook_info(FIXTURES / "param_types.ipynb")
    by_name = {p.name: p for p in info.parameters}
    assert by_name["ratio"].constraint.describe() == "in [0, 10]"
    assert by_name["years"].constraint.describe() == ">= 2000"
    assert by_name["method"].constraint.choices == ("ols", "fe")
    assert by_name["title"].constraint is None
    n = read_notebook_info(FIXTURES / "ok_metrics.ipynb").parameters[1]
    assert (n.name, n.comment, n.constraint.describe()) == ("n", "sample size; range: >= 1", ">= 1")


@pytest.mark.parametrize("source, message", [
    ("reps = 10  # range: lots", "comment of 'reps': 'range: lots' is not a range"),
    ("reps = 10  # range: [5, 1]", "the lower bound exceeds the upper bound"),
    ("reps = -1  # range: >= 0", "the default of 'reps' breaks its own constraint (range: >= 0): must be >= 0; got -1"),
    ("ic = 'x'  # one of: aic, bic", "must be one of 'aic', 'bic'; got 'x'"),
])
def test_malformed_or_self_contradicting_constraints_are_refused(source, message):
    with pytest.raises(ParameterError, match="line 1") as err:
        parse_parameters_source(source)
    assert message in str(err.value)
