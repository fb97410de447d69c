"""Where things live: one place for the bundled data folder, the notebooks and the reports.

The bundled data sit in ``data/`` at the project root (the product card fixes the layout); set
``BANKCRM_DATA_DIR`` to point the package at another copy (e.g. an installed, non-editable package).
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT: Path = Path(__file__).resolve().parents[2]


def _env_dir(name: str, default: Path) -> Path:
    """``$name`` as a Path, or ``default`` when unset or empty.

    An empty value (``BANKCRM_NOTEBOOKS_DIR=``) is treated as unset: ``Path("")`` would silently
    mean the current folder.
    """
    value = os.environ.get(name, "").strip()
    return Path(value) if value else default


def data_dir() -> Path:
    """Folder of the bundled (simulated) default data."""
    return _env_dir("BANKCRM_DATA_DIR", PROJECT_ROOT / "data")


def notebooks_dir() -> Path:
    """Folder of the parameterized notebooks."""
    return _env_dir("BANKCRM_NOTEBOOKS_DIR", PROJECT_ROOT / "notebooks")


def reports_dir() -> Path:
    """Default parent folder of run folders (``reports/<run-id>/``)."""
    return _env_dir("BANKCRM_REPORTS_DIR", PROJECT_ROOT / "reports")
