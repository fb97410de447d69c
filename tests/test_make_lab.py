"""``make lab``: installs nothing (jupyterlab comes from the pinned lock) and works as root."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _dry_run(*args: str) -> list[str]:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # -o .venv/.installed: treat the environment as built, so only the lab recipe is printed.
    # Also under `make test`: a clean environment keeps the outer make's flags and
    # "Entering directory" lines out of the dry run.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES")}
    proc = subprocess.run(["make", "--no-print-directory", "-n", "-o", ".venv/.installed", "lab", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    return [ln for ln in proc.stdout.splitlines() if ln.strip()]


def test_make_lab_only_starts_jupyterlab():
    lines = _dry_run()
    assert len(lines) == 2, lines  # the jupyterlab presence check, then the command
    assert lines[0].startswith("test -x .venv/bin/jupyter-lab")
    cmd = lines[1]
    assert cmd.startswith(".venv/bin/jupyter lab notebooks/")
    assert "install" not in cmd and "pip" not in cmd and "uv " not in cmd
    assert "--no-browser" in cmd and "--ip=127.0.0.1" in cmd
    assert ("--allow-root" in cmd) == (os.geteuid() == 0)


def test_make_lab_args_are_overridable():
    cmd = _dry_run("LAB_ARGS=--port=8899 --ip=0.0.0.0")[-1]
    assert cmd.endswith("--port=8899 --ip=0.0.0.0") and "127.0.0.1" not in cmd
