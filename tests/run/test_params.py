"""Parameter values: -p overrides (YAML), precedence, type checks; bad ones refused before any kernel."""

from __future__ import annotations

from pathlib import Path

import pytest

from bankcrm_research.run.notebooks import NotebookInfo, ParameterError, parse_parameters_source, read_notebook_info
from bankcrm_research.run.params import parse_override, resolve_parameters

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"


@pytest.fixture
def infos():
    return [read_notebook_info(FIXTURES / f"{n}.ipynb") for n in ("ok_metrics", "param_types")]


@pytest.mark.parametrize("text, expected", [
    ("seed=7", (None, "seed", 7)),
    ("years=[2012, 2020]", (None, "years", [2012, 2020])),
    ("spec={outcome: nim, fe: [bank_id, year]}", (None, "spec", {"outcome": "nim", "fe": ["bank_id", "year"]})),
    ("title=季度报告", (None, "title", "季度报告")),
    ("ratio=0.25", (None, "ratio", 0.25)),
    ("flag=true", (None, "flag", True)),
    ("path=null", (None, "path", None)),
    ("03:n_boot=200", ("03", "n_boot", 200)),
    ("note=a=b", (None, "note", "a=b")),
])
def test_parse_override_values_are_yaml(text, expected):
    assert parse_override(text) == expected


def test_parse_override_errors():
    with pytest.raises(ParameterError, match="-p expects key=value"):
        parse_override("seed")
    with pytest.raises(ParameterError, match="not a valid parameter name"):
        parse_override("1x=2")


def test_resolve_parameters_precedence_and_scoping(infos):
    cfg = {"all": {"lang": "en"}, "notebooks": {"ok_metrics": {"seed": 1, "n": 10}}}
    out = resolve_parameters(infos, config=cfg, overrides=["seed=3", "param_types:title=银行", "ratio=1"],
                             lang="zh", share_safe=True)
    assert out["ok_metrics"] == {"lang": "zh", "seed": 3, "n": 10, "share_safe": True}
    # int accepted where the default is a float; --lang wins over config; share_safe only where declared
    assert out["param_types"] == {"lang": "zh", "title": "银行", "ratio": 1}


def test_unknown_parameter_lists_valid_parameters_with_defaults(infos):
    with pytest.raises(ParameterError) as err:
        resolve_parameters(infos, overrides=["no_such=1"])
    msg = str(err.value)
    assert "unknown parameter 'no_such'" in msg
    assert "seed = 7  (int)" in msg and "years = [2012, 2013]  (list)" in msg


@pytest.mark.parametrize("override, message", [
    ("seed=abc", "parameter 'seed' must be int like its default 7; got 'abc' (str)"),
    ("seed=true", "parameter 'seed' must be int"),
    ("share_safe=1", "parameter 'share_safe' must be bool"),
    ("years={a: 1}", "parameter 'years' must be list"),
    ("lang=fr", "parameter 'lang' must be 'en' or 'zh'"),
    ("ok_metrics:sed=1", "unknown parameter 'sed' (did you mean 'seed'?)"),
])
def test_wrong_types_and_names_are_refused(infos, override, message):
    with pytest.raises(ParameterError) as err:
        resolve_parameters(infos, overrides=[override])
    assert message in str(err.value)
    assert "Valid parameters" in str(err.value)


def test_config_naming_unknown_notebook_is_refused(infos):
    with pytest.raises(ParameterError, match="config names unknown notebooks"):
        resolve_parameters(infos, config={"notebooks": {"99_nope": {"seed": 1}}})


def test_none_accepted_only_where_default_or_comment_allows_it():
    params = parse_parameters_source(
        'group_column = "channel_group"  # None = no multi-group comparison\nseed = 1\npath = None'
    )
    info = NotebookInfo("nb", FIXTURES / "nb.ipynb", "t", "q", params)
    assert resolve_parameters([info], overrides=["group_column=null", "path=/x.csv"])["nb"] == {
        "group_column": None, "path": "/x.csv"}
    with pytest.raises(ParameterError, match="parameter 'seed' must be int"):
        resolve_parameters([info], overrides=["seed=null"])
