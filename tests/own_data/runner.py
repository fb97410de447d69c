"""Execute one notebook with parameters into a scratch folder and collect what a reader would see."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class NotebookRun:
    out: Path
    metrics: dict[str, Any]
    text: str  # every printed line and rendered Markdown output, in order

    def table(self, name: str) -> pd.DataFrame:
        return pd.read_csv(self.out / "tables" / f"{name}.csv")

    def has_table(self, name: str) -> bool:
        return (self.out / "tables" / f"{name}.csv").exists()

    @property
    def skipped(self) -> dict[str, str]:
        return {k.removeprefix("skipped."): v for k, v in self.metrics.items() if k.startswith("skipped.")}


def run_notebook(name: str, params: dict[str, Any], tmp_path: Path, monkeypatch: Any) -> NotebookRun:
    """Run ``notebooks/<name>.ipynb`` with ``params`` by papermill (outputs under ``tmp_path/out``)."""
    import papermill as pm

    notebook = ROOT / "notebooks" / f"{name}.ipynb"
    out_dir = tmp_path / "out"
    monkeypatch.setenv("BANKCRM_REPORT_DIR", str(out_dir))
    monkeypatch.setenv("BANKCRM_NOTEBOOK", name)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    executed = tmp_path / f"{name}.ipynb"
    pm.execute_notebook(str(notebook), str(executed), parameters=params, kernel_name="python3",
                        cwd=str(notebook.parent), progress_bar=False)
    nb = nbformat.read(executed, as_version=4)
    chunks: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                chunks.append(o.get("text", ""))
            elif "data" in o:
                chunks.append(o["data"].get("text/markdown") or o["data"].get("text/plain", ""))
    metrics_path = out_dir / "metrics.json"
    metrics = json.loads(metrics_path.read_text(encoding="utf-8")) if metrics_path.exists() else {}
    return NotebookRun(out_dir, metrics, "\n".join(chunks))
