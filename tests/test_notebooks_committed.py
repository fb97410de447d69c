"""Committed notebooks: no outputs, one literal parameters cell, no function definitions, python3.

These rules keep diffs reviewable, make every notebook runnable by papermill with parameters,
and keep logic in the tested package instead of in notebook cells.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from bankcrm_research.run.runner import read_notebook_info

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _ids(paths):
    return [p.stem for p in paths]


def test_there_are_notebooks():
    if not NOTEBOOKS:
        pytest.skip("no notebooks committed yet in notebooks/")
    assert all(p.stem[:2].isdigit() for p in NOTEBOOKS), "notebooks are named NN_topic.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_no_outputs_or_execution_counts(path):
    dirty = [i for i, c in enumerate(_cells(path)) if c.get("cell_type") == "code"
             and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs/execution counts; clear them before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_exactly_one_parameters_cell_of_literals(path):
    info = read_notebook_info(path)  # raises unless exactly one tagged cell of literal assignments
    names = {p.name for p in info.parameters}
    assert {"lang", "share_safe"} <= names, f"{path.name}: parameters must include lang and share_safe"
    assert info.title, f"{path.name}: the first markdown cell needs a '# Title'"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_no_function_or_class_definitions(path):
    found = []
    for i, cell in enumerate(_cells(path)):
        if cell.get("cell_type") != "code":
            continue
        # IPython magics are not Python; blank them before parsing.
        src = "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln for ln in _source(cell).splitlines())
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                found.append(f"cell {i}: {type(node).__name__} at line {node.lineno}")
    assert not found, f"{path.name}: move logic into the package: {found}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_kernel_is_python3(path):
    meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    assert meta.get("kernelspec", {}).get("name") == "python3"
