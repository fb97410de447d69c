"""Shared pytest fixtures.

``shared_data_dir`` points at the real public datasets in ``../shared/data`` (beside the project
checkout). They are never copied into the repository, so tests that use them skip cleanly with a
reason when the folder is absent (a user's fresh clone still passes).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("BANKCRM_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The project checkout's root folder."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    """``../shared/data`` or skip the test with a reason."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real public datasets not present at {SHARED_DATA} (../shared/data); skipping")
    return SHARED_DATA
