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


# ---- (issue 11) values outside a declared range are refused before any kernel
@pytest.mark.parametrize("override, message", [
    ("ok_metrics:n=0", "parameter 'n' must be >= 1; got 0 (declared in the parameters cell: 'range: >= 1')"),
    ("ratio=-0.5", "parameter 'ratio' must be in [0, 10]; got -0.5"),
    ("ratio=11", "parameter 'ratio' must be in [0, 10]; got 11"),
    ("years=[2012, 1999]", "parameter 'years' every element must be >= 2000; got 1999 in [2012, 1999]"),
    ("method=gmm", "parameter 'method' must be one of 'ols', 'fe'; got 'gmm'"),
])
def test_values_outside_the_declared_range_are_refused(infos, override, message):
    with pytest.raises(ParameterError) as err:
        resolve_parameters(infos, overrides=[override])
    assert message in str(err.value)
    assert "Valid parameters" in str(err.value)


def test_values_inside_the_declared_range_pass(infos):
    out = resolve_parameters(infos, overrides=["n=1", "ratio=0", "param_types:ratio=10", "years=[2000]", "method=fe"])
    assert out["ok_metrics"] == {"n": 1}
    assert out["param_types"] == {"ratio": 10, "years": [2000], "method": "fe"}


def test_bootstrap_reps_minus_five_names_parameter_range_and_value():
    params = parse_parameters_source("bootstrap_reps = 1000  # resamples; range: >= 0\nwinsorize = None  # None = off; range: [0, 1]")
    info = NotebookInfo("03_x", FIXTURES / "03_x.ipynb", "t", "q", params)
    with pytest.raises(ParameterError) as err:
        resolve_parameters([info], overrides=["bootstrap_reps=-5"])
    assert "parameter 'bootstrap_reps' must be >= 0; got -5" in str(err.value)
    # None stays allowed where the comment documents it; the range applies to list elements
    assert resolve_parameters([info], overrides=["winsorize=null"])["03_x"] == {"winsorize": None}
    with pytest.raises(ParameterError, match=r"every element must be in \[0, 1\]; got 1.5"):
        resolve_parameters([info], overrides=["winsorize=[0.01, 1.5]"])


# ---- (issue 11) YAML dates arrive as ISO strings
@pytest.mark.parametrize("text, expected", [
    ("as_of_date=1997-09-30", "1997-09-30"),
    ("as_of_date='1997-09-30'", "1997-09-30"),
    ("as_of_date=1997-09-30 12:30:00", "1997-09-30T12:30:00"),
])
def test_yaml_dates_become_iso_strings_for_string_parameters(infos, text, expected):
    assert resolve_parameters(infos, overrides=[text])["param_types"] == {"as_of_date": expected}


def test_yaml_dates_become_iso_strings_for_none_defaults_config_and_lists():
    import datetime as dt

    params = parse_parameters_source('study_start = None\ncutoffs = ["2020-01-01"]\nseed = 1')
    info = NotebookInfo("nb", FIXTURES / "nb.ipynb", "t", "q", params)
    out = resolve_parameters([info], config={"notebooks": {"nb": {"study_start": dt.date(2020, 1, 31)}}},
                             overrides=["cutoffs=[2020-06-30, 2021-06-30]"])
    assert out["nb"] == {"study_start": "2020-01-31", "cutoffs": ["2020-06-30", "2021-06-30"]}
    # a date is still not an int
    with pytest.raises(ParameterError, match="parameter 'seed' must be int like its default 1; got '1997-09-30' \\(str\\)"):
        resolve_parameters([info], overrides=["seed=1997-09-30"])


# ---- (issue 11) relative path parameters resolve against the caller's folder
def test_relative_paths_resolve_against_the_callers_folder(infos, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = resolve_parameters(infos, overrides=["customers_path=data/crm.csv"])
    assert out["param_types"] == {"customers_path": str(tmp_path / "data" / "crm.csv")}
    # absolute paths, URLs and non-path parameters are left alone
    out = resolve_parameters(infos, overrides=["customers_path=/srv/crm.csv", "title=data/crm.csv"])
    assert out["param_types"] == {"customers_path": "/srv/crm.csv", "title": "data/crm.csv"}
    out = resolve_parameters(infos, overrides={"customers_path": "s3://bucket/crm.csv"})
    assert out["param_types"] == {"customers_path": "s3://bucket/crm.csv"}
    out = resolve_parameters(infos, overrides=["customers_path=../x.csv"], base_dir="/base/dir")
    assert out["param_types"] == {"customers_path": "/base/x.csv"}


def test_path_parameter_names_and_containers():
    from bankcrm_research.run.params import absolute_paths, is_path_parameter

    assert [n for n in ("customers_path", "real_data_dir", "paths", "input_paths", "path", "pathway", "dir_name")
            if is_path_parameter(n)] == ["customers_path", "real_data_dir", "paths", "input_paths"]
    assert absolute_paths("paths", {"customers": "crm.csv", "survey": None}, "/b") == {
        "customers": "/b/crm.csv", "survey": None}
    assert absolute_paths("input_paths", ["a.csv", "/abs.csv", ""], "/b") == ["/b/a.csv", "/abs.csv", ""]
    assert absolute_paths("real_data_dir", "~/d", "/b") == str(Path("~/d").expanduser())
