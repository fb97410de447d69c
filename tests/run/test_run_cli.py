"""``bankcrm-research run`` / ``list``: flags in, exit codes and messages out."""

from __future__ import annotations

from pathlib import Path

import pytest

from bankcrm_research.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"


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


def test_cli_import_path_is_lean():
    import subprocess
    import sys

    code = ("import sys; from bankcrm_research import cli; cli.build_parser('run'); "
            "bad = [m for m in ('papermill', 'nbconvert', 'nbformat', 'pandas', 'matplotlib') if m in sys.modules]; "
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.fixture
def fake_kernel(monkeypatch):
    """Record what each notebook would receive instead of starting a kernel."""
    from bankcrm_research.run import execute
    from bankcrm_research.run.results import NotebookResult

    received: dict[str, dict] = {}

    def _fake(info, params, run_dir, **kw):
        received[info.name] = dict(params)
        return NotebookResult(info.name, "succeeded", 0.0, 0.0, parameters=dict(params), title=info.title)

    monkeypatch.setattr(execute, "execute_one", _fake)
    return received


def test_cli_out_of_range_value_exits_before_any_kernel(tmp_path, capsys, no_kernels):
    code = main(["run", "ok_metrics", "-p", "n=-5", "--output-dir", str(tmp_path), "--notebooks-dir", str(FIXTURES)])
    err = capsys.readouterr().err
    assert code == 2
    assert "parameter 'n' must be >= 1; got -5 (declared in the parameters cell: 'range: >= 1')" in err
    assert "n = 200  (int)  # sample size; range: >= 1" in err  # the listing shows the range
    assert list(tmp_path.iterdir()) == []


def test_cli_paths_resolve_against_cwd_and_config_folder_and_dates_stay_strings(tmp_path, monkeypatch, fake_kernel):
    cfg_dir = tmp_path / "cfg"
    cfg_dir.mkdir()
    (cfg_dir / "run.yml").write_text("notebooks:\n  param_types:\n    customers_path: crm.csv\n", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    args = ["run", "param_types", "--output-dir", str(tmp_path / "reports"), "--notebooks-dir", str(FIXTURES),
            "--no-progress"]
    assert main([*args, "-c", "../cfg/run.yml", "-p", "as_of_date=1997-09-30"]) == 0
    assert fake_kernel["param_types"] == {"customers_path": str(cfg_dir / "crm.csv"), "as_of_date": "1997-09-30"}
    assert main([*args, "-c", "../cfg/run.yml", "-p", "customers_path=in/crm.csv"]) == 0  # -p wins, from cwd
    assert fake_kernel["param_types"] == {"customers_path": str(work / "in" / "crm.csv")}


def test_run_help_says_where_relative_paths_resolve(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "-p values against the current working directory" in out
    assert "config-file values against the folder of the config file" in out


def test_relative_output_dir_is_the_callers_folder(tmp_path, monkeypatch):
    """`--output-dir reports/x` from the project root must not land under notebooks/ (the kernels' cwd)."""
    from bankcrm_research.run.runner import run_notebooks

    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"
    monkeypatch.chdir(tmp_path)
    result = run_notebooks(["ok_metrics"], output_dir="rel/reports", notebooks_folder=fixtures, progress=False)
    assert result.run_dir.is_absolute() and result.run_dir.parent == tmp_path / "rel" / "reports"
    assert (result.run_dir / "ok_metrics" / "metrics.json").exists()
