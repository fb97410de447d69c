"""Run configuration files: shape checks and path values relative to the config file's folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from bankcrm_research.run.config import load_config
from bankcrm_research.run.notebooks import ParameterError, read_notebook_info
from bankcrm_research.run.params import resolve_parameters

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"


def _write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "run.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_relative_paths_in_a_config_resolve_against_its_folder(tmp_path, monkeypatch):
    cfg_path = _write(tmp_path / "cfg", "all:\n  customers_path: data/crm.csv\n"
                                        "notebooks:\n  param_types:\n    customers_path: ../crm2.csv\n"
                                        "    title: data/not_a_path.csv\n")
    monkeypatch.chdir(tmp_path)  # the caller's folder must not matter for config values
    cfg = load_config("cfg/run.yml")
    assert cfg["all"] == {"customers_path": str(tmp_path / "cfg" / "data" / "crm.csv")}
    assert cfg["notebooks"]["param_types"] == {"customers_path": str(tmp_path / "crm2.csv"),
                                               "title": "data/not_a_path.csv"}
    info = read_notebook_info(FIXTURES / "param_types.ipynb")
    out = resolve_parameters([info], config=load_config(cfg_path))
    assert out["param_types"]["customers_path"] == str(tmp_path / "crm2.csv")


def test_config_dates_become_iso_strings(tmp_path):
    cfg = load_config(_write(tmp_path, "notebooks:\n  param_types:\n    as_of_date: 1997-09-30\n"))
    info = read_notebook_info(FIXTURES / "param_types.ipynb")
    assert resolve_parameters([info], config=cfg)["param_types"] == {"as_of_date": "1997-09-30"}


@pytest.mark.parametrize("text, message", [
    ("- a\n- b\n", "expected a mapping with 'all' and/or 'notebooks'"),
    ("everything: {}\n", "unknown top-level keys ['everything']"),
    ("all: [1, 2]\n", "'all' must be a mapping"),
    ("notebooks:\n  param_types: 3\n", "'notebooks.param_types' must be a mapping"),
])
def test_malformed_configs_are_refused(tmp_path, text, message):
    with pytest.raises(ParameterError, match="config .*run.yml: ") as err:
        load_config(_write(tmp_path, text))
    assert message in str(err.value)


def test_range_check_applies_to_config_values(tmp_path):
    cfg = load_config(_write(tmp_path, "notebooks:\n  param_types:\n    ratio: 20\n"))
    info = read_notebook_info(FIXTURES / "param_types.ipynb")
    with pytest.raises(ParameterError, match=r"from config 'notebooks.param_types'.*must be in \[0, 10\]; got 20"):
        resolve_parameters([info], config=cfg)


def test_config_may_select_notebooks_and_name_the_run(tmp_path):
    cfg = tmp_path / "public.yml"
    cfg.write_text("title: Real public data\nnotebooks_to_run: [00, 03_satisfaction_drivers]\n"
                   "notebooks:\n  03_satisfaction_drivers: {survey_path: ../data/mobi.csv}\n", encoding="utf-8")
    out = load_config(cfg)
    assert out["title"] == "Real public data"
    assert out["notebooks_to_run"] == ["00", "03_satisfaction_drivers"]
    assert out["notebooks"]["03_satisfaction_drivers"]["survey_path"] == str((tmp_path.parent / "data" / "mobi.csv").resolve())


@pytest.mark.parametrize("text", ["notebooks_to_run: 03\n", "title: [a]\n", "colour: red\n"])
def test_config_rejects_bad_selection_title_or_keys(tmp_path, text):
    cfg = tmp_path / "bad.yml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError):
        load_config(cfg)
