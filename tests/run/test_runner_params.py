"""Parameters are read from the notebook (no kernel) and bad ones are refused before any kernel."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bankcrm_research.run import runner
from bankcrm_research.cli import main
from bankcrm_research.run.runner import (
    ParameterError,
    parse_override,
    parse_parameters_source,
    read_notebook_info,
    resolve_notebooks,
    resolve_parameters,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"


@pytest.fixture
def infos():
    return [read_notebook_info(FIXTURES / f"{n}.ipynb") for n in ("ok_metrics", "param_types")]


@pytest.fixture
def no_kernels(monkeypatch):
    """Fail loudly if anything tries to execute a notebook."""

    def _boom(*args, **kwargs):
        raise AssertionError("a kernel was started although the parameters were invalid")

    monkeypatch.setattr(runner, "_execute_one", _boom)


def test_read_notebook_info_title_question_parameters():
    info = read_notebook_info(FIXTURES / "param_types.ipynb")
    assert info.name == "param_types"
    assert info.title == "Fixture: list, dict and Chinese parameters"
    assert info.question == "do YAML parameters arrive in the kernel with their types?"
    assert info.defaults == {"years": [2012, 2013], "spec": {"outcome": "nim", "controls": ["log_assets"]},
                             "title": "默认标题", "ratio": 0.5, "flag": False, "customers_path": None,
                             "lang": "en"}
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


def test_run_refuses_bad_parameter_before_any_kernel(tmp_path, no_kernels):
    with pytest.raises(ParameterError, match="unknown parameter 'no_such'"):
        runner.run_notebooks(["ok_metrics"], overrides=["no_such=1"], output_dir=tmp_path,
                             notebooks_folder=FIXTURES, progress=False)
    assert list(tmp_path.iterdir()) == []  # not even a run folder


def test_cli_bad_parameter_exits_nonzero_and_names_valid_parameters(tmp_path, capsys, no_kernels):
    code = main(["run", "ok_metrics", "-p", "no_such=1", "--output-dir", str(tmp_path),
                 "--notebooks-dir", str(FIXTURES)])
    err = capsys.readouterr().err
    assert code == 2
    assert "unknown parameter 'no_such'" in err
    assert "Valid parameters" in err and "seed = 7  (int)" in err and "share_safe = False  (bool)" in err
    assert list(tmp_path.iterdir()) == []


def test_cli_rejects_bad_options(tmp_path, capsys, no_kernels):
    with pytest.raises(SystemExit) as exc:
        main(["run", "--jobs", "0", "--notebooks-dir", str(FIXTURES)])
    assert exc.value.code == 2
    assert "must be an integer >= 1" in capsys.readouterr().err


def test_resolve_notebooks_by_prefix_name_and_path():
    assert resolve_notebooks(["fail"], FIXTURES) == [FIXTURES / "fail.ipynb"]
    assert resolve_notebooks([FIXTURES / "slow.ipynb"], FIXTURES) == [(FIXTURES / "slow.ipynb").resolve()]
    with pytest.raises(ValueError, match="notebook 'nope' not found; available"):
        resolve_notebooks(["nope"], FIXTURES)


def test_cli_list_shows_question_and_parameters(capsys):
    assert main(["list", "--notebooks-dir", str(FIXTURES)]) == 0
    out = capsys.readouterr().out
    assert "param_types  —  Fixture: list, dict and Chinese parameters" in out
    assert "Q: do YAML parameters arrive in the kernel with their types?" in out
    assert "title          = '默认标题'  (str)" in out
    assert "seed       = 7  (int)  # random seed" in out


def test_cli_list_json(capsys):
    import json

    assert main(["list", "fail", "--json", "--notebooks-dir", str(FIXTURES)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows == [{"name": "fail", "title": "Fixture: fails on purpose",
                     "question": "does a failing notebook keep its executed copy and HTML?",
                     "parameters": [{"name": "divisor", "default": 0, "type": "int", "comment": ""}]}]


def test_concurrent_run_folders_never_collide(tmp_path):
    made: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(16)

    def make():
        barrier.wait()  # all threads ask for a folder in the same instant
        run_id, path = runner._new_run_dir(tmp_path, "same-fingerprint")
        with lock:
            made.append(run_id)

    threads = [threading.Thread(target=make) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == len(set(made)) == 16
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(made)
    # run-id = UTC timestamp + short hash
    assert all(len(r) == len("20260101T000000Z-abcdef0") and r[8] == "T" and r[15] == "Z" for r in made)


def test_cli_import_path_is_lean():
    import subprocess
    import sys

    code = ("import sys; from bankcrm_research import cli; cli.build_parser('run'); "
            "bad = [m for m in ('papermill', 'nbconvert', 'nbformat', 'pandas', 'matplotlib') if m in sys.modules]; "
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_none_accepted_only_where_default_or_comment_allows_it():
    from bankcrm_research.run.runner import NotebookInfo

    params = parse_parameters_source(
        'group_column = "channel_group"  # None = no multi-group comparison\nseed = 1\npath = None'
    )
    info = NotebookInfo("nb", FIXTURES / "nb.ipynb", "t", "q", params)
    assert resolve_parameters([info], overrides=["group_column=null", "path=/x.csv"])["nb"] == {
        "group_column": None, "path": "/x.csv"}
    with pytest.raises(ParameterError, match="parameter 'seed' must be int"):
        resolve_parameters([info], overrides=["seed=null"])


def test_question_is_the_paragraph_that_asks_it(tmp_path):
    import nbformat

    md = "# 03 — Drivers\n\n**Question.** Which attributes drive\nsatisfaction — and which first? More text.\n\nOther."
    cell = nbformat.v4.new_code_cell("lang = 'en'")
    cell.metadata["tags"] = ["parameters"]
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(md), cell]), str(tmp_path / "x.ipynb"))
    info = read_notebook_info(tmp_path / "x.ipynb")
    assert info.title == "03 — Drivers"
    assert info.question == "Which attributes drive satisfaction — and which first?"


def test_progress_is_timestamped_lines_off_a_terminal_and_a_bar_on_one():
    import io
    import re

    from bankcrm_research.run.runner import NotebookResult, _Progress

    log = io.StringIO()
    p = _Progress(1, None, log)
    p.start("01_x")
    p.done(NotebookResult("01_x", "failed", 2.5, error={"ename": "ValueError", "first_line": "bad"}))
    lines = log.getvalue().splitlines()
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ bankcrm-research START 01_x$", lines[0])
    assert lines[1].endswith("FAILED      01_x 2.5s  ValueError: bad")

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    bar = _Progress(1, None, tty)
    bar.done(NotebookResult("01_x", "succeeded", 1.0))
    bar.close()
    assert "1/1" in tty.getvalue() and "bankcrm-research" not in tty.getvalue()
