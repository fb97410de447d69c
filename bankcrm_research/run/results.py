"""Outcomes of a run: :class:`NotebookResult` per notebook, :class:`RunResult` for the run.

Also the run's clock (:func:`utc_now`, :func:`iso`): every timestamp in ``run.json`` and the
progress log is UTC, ISO 8601 to the second.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

__all__ = ["Status", "NotebookResult", "RunResult", "utc_now", "iso"]

Status = Literal["succeeded", "failed", "interrupted", "skipped"]


@dataclass(frozen=True)
class NotebookResult:
    """Outcome of one notebook in a run."""

    name: str
    status: Status
    duration_s: float | None = None
    execution_s: float | None = None
    export_s: float | None = None
    error: Mapping[str, Any] | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    outputs: Mapping[str, Any] = field(default_factory=dict)
    title: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-able record used in ``run.json``."""
        return {
            "name": self.name, "title": self.title, "status": self.status,
            "duration_s": _round(self.duration_s), "execution_s": _round(self.execution_s),
            "export_s": _round(self.export_s), "error": dict(self.error) if self.error else None,
            "parameters": dict(self.parameters), "outputs": dict(self.outputs),
        }


@dataclass(frozen=True)
class RunResult:
    """Outcome of :func:`run_notebooks`."""

    run_id: str
    run_dir: Path
    status: Literal["succeeded", "failed", "interrupted"]
    notebooks: tuple[NotebookResult, ...]
    started: str
    finished: str
    duration_s: float
    latest_updated: bool

    @property
    def ok(self) -> bool:
        """True when every notebook succeeded."""
        return self.status == "succeeded"

    @property
    def exit_code(self) -> int:
        """0 on success, 1 when a notebook failed, 130 when interrupted."""
        return {"succeeded": 0, "failed": 1}.get(self.status, 130)

    @property
    def failed(self) -> tuple[NotebookResult, ...]:
        """Notebooks that did not succeed."""
        return tuple(n for n in self.notebooks if n.status != "succeeded")


def _round(x: float | None) -> float | None:
    return None if x is None else round(float(x), 3)


def utc_now() -> datetime:
    """Now, as a timezone-aware UTC datetime."""
    return datetime.now(timezone.utc)


def iso(dt: datetime) -> str:
    """``2026-01-01T00:00:00Z``: ISO 8601, seconds, ``Z`` for UTC."""
    return dt.isoformat(timespec="seconds").replace("+00:00", "Z")
