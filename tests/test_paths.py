"""Folder locations from environment variables (``bankcrm_research.data.paths``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bankcrm_research.data import paths

CASES = [
    ("BANKCRM_DATA_DIR", paths.data_dir, "data"),
    ("BANKCRM_NOTEBOOKS_DIR", paths.notebooks_dir, "notebooks"),
    ("BANKCRM_REPORTS_DIR", paths.reports_dir, "reports"),
]


@pytest.mark.parametrize(("var", "func", "default"), CASES)
@pytest.mark.parametrize("value", ["", "   "])
def test_empty_variable_is_unset(monkeypatch, var, func, default, value):
    monkeypatch.setenv(var, value)
    assert func() == paths.PROJECT_ROOT / default
    assert func() != Path("")


@pytest.mark.parametrize(("var", "func", "default"), CASES)
def test_unset_variable_gives_project_folder(monkeypatch, var, func, default):
    monkeypatch.delenv(var, raising=False)
    assert func() == paths.PROJECT_ROOT / default


@pytest.mark.parametrize(("var", "func", "default"), CASES)
def test_set_variable_is_used(monkeypatch, tmp_path, var, func, default):
    monkeypatch.setenv(var, str(tmp_path))
    assert func() == tmp_path
