"""The parameter names of notebooks 01 and 02 are a contract (issue 4); keep them."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

NB = Path(__file__).resolve().parents[2] / "notebooks"
REQUIRED = {
    "01_internet_finance_competition": {
        "panel_path", "indicators_path", "columns", "outcomes", "controls", "bank_type_column", "shock_year",
        "cluster", "winsorize", "bootstrap_reps", "seed", "lang", "share_safe",
    },
    "02_deposit_migration": {"macro_path", "columns", "shock_year", "seed", "lang", "share_safe"},
}


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_parameters_cell_names(name):
    nb = nbformat.read(NB / f"{name}.ipynb", as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1
    tree = ast.parse(cells[0].source)
    names = {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)}
    assert REQUIRED[name] <= names, REQUIRED[name] - names
    # plain literals only (papermill/the runner inject values)
    for node in tree.body:
        ast.literal_eval(node.value)
    # default run = bundled simulated data
    values = {t.id: ast.literal_eval(node.value) for node in tree.body for t in node.targets}
    assert all(values[p] is None for p in ("panel_path", "indicators_path", "macro_path") if p in values)
