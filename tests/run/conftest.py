"""Shared fixtures of the run/ tests."""

from __future__ import annotations

import pytest

from bankcrm_research.run import execute


@pytest.fixture
def no_kernels(monkeypatch):
    """Fail loudly if anything tries to execute a notebook."""

    def _boom(*args, **kwargs):
        raise AssertionError("a kernel was started although the parameters were invalid")

    monkeypatch.setattr(execute, "execute_one", _boom)
