"""Runs: execute the notebook suite into a new run folder (papermill), export HTML, write the index
page and the provenance record. Nothing in the analysis packages imports from here.

``from bankcrm_research.run import run_notebooks`` is the Python entry point behind
``bankcrm-research run``.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # Lazy: `bankcrm-research --help` must not import papermill/nbconvert.
    if name in {"run_notebooks", "RunResult", "NotebookResult", "discover_notebooks"}:
        from bankcrm_research.run import runner

        return getattr(runner, name)
    raise AttributeError(f"module 'bankcrm_research.run' has no attribute {name!r}")
