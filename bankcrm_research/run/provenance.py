"""Provenance of a run: input files with SHA-256, package versions, git state, Python and platform.

Everything here is cheap (no analysis libraries imported) because the runner records it for
every run in ``run.json`` and on ``index.html``.
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from bankcrm_research.data.paths import PROJECT_ROOT

__all__ = [
    "sha256_file",
    "describe_inputs",
    "package_versions",
    "git_state",
    "environment_info",
]

_CHUNK = 1 << 20
# Files in data/ that document the data rather than feed an analysis.
_NOT_INPUTS = {".md", ".txt"}


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes (read in 1 MiB chunks; the file is only read)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _files_under(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
    return []


def describe_inputs(
    bundled_dir: str | Path | None,
    parameter_paths: Iterable[tuple[str, str | Path]] = (),
) -> list[dict[str, Any]]:
    """List every input data file with its size and SHA-256.

    Parameters
    ----------
    bundled_dir : path or None
        The bundled data folder (``data/``); every data file in it is listed (documentation
        files such as README.md are skipped; ``truth.json`` is kept: notebooks read it).
    parameter_paths : iterable of (role, path)
        Files or folders named by notebook parameters (``*_path``), e.g.
        ``("01_internet_finance_competition.bank_panel_path", "/data/panel.csv")``.

    Returns
    -------
    list of dict
        ``{"path", "role", "bytes", "sha256"}``, sorted by role then path; a missing path is
        listed with ``sha256: null`` and ``missing: true`` so the record shows what was asked.
    """
    rows: list[dict[str, Any]] = []
    if bundled_dir is not None:
        for f in _files_under(Path(bundled_dir)):
            if f.suffix.lower() in _NOT_INPUTS:
                continue
            rows.append({"path": str(f), "role": "bundled", "bytes": f.stat().st_size,
                         "sha256": sha256_file(f)})
    for role, raw in parameter_paths:
        p = Path(raw)
        files = _files_under(p)
        if not files:
            rows.append({"path": str(p), "role": role, "bytes": None, "sha256": None, "missing": True})
        for f in files:
            rows.append({"path": str(f), "role": role, "bytes": f.stat().st_size,
                         "sha256": sha256_file(f)})
    return sorted(rows, key=lambda r: (r["role"] != "bundled", r["role"], r["path"]))


def _requirement_names(dist: str) -> list[str]:
    try:
        reqs = metadata.requires(dist) or []
    except metadata.PackageNotFoundError:
        return []
    names = []
    for req in reqs:
        if "extra ==" in req:
            continue
        m = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)", req)
        if m:
            names.append(m.group(1))
    return names


def package_versions(extra: Iterable[str] = ("jupyter_client", "ipykernel")) -> dict[str, str | None]:
    """Installed versions of this project and of every runtime dependency it declares."""
    names = ["bankcrm-research", *_requirement_names("bankcrm-research"), *extra]
    out: dict[str, str | None] = {}
    for name in names:
        key = name.lower().replace("_", "-")
        if key in out:
            continue
        try:
            out[key] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[key] = None
    return dict(sorted(out.items()))


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=10,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def git_state(root: str | Path = PROJECT_ROOT) -> dict[str, Any]:
    """Commit, branch and dirty flag of the checkout (all None outside a git checkout).

    ``dirty`` is true when tracked files differ from the commit or untracked, non-ignored files
    exist (e.g. a new notebook): then the commit alone does not reproduce the run.
    """
    root = Path(root)
    commit = _git(["rev-parse", "HEAD"], root)
    if commit is None:
        return {"commit": None, "branch": None, "dirty": None, "changed_files": []}
    status = _git(["status", "--porcelain"], root) or ""
    changed = [line[3:] for line in status.splitlines() if line.strip()]
    return {
        "commit": commit,
        "branch": _git(["rev-parse", "--abbrev-ref", "HEAD"], root),
        "dirty": bool(changed),
        "changed_files": changed[:50],
    }


def environment_info() -> dict[str, Any]:
    """Python version and executable, platform, CPU count."""
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
    }


def jsonable(obj: Any) -> Any:
    """Recursively convert tuples/paths/sets into JSON-friendly values."""
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    return obj
