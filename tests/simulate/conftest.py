"""Fixtures of the simulator tests: a small world (fast) and the bundled data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from bankcrm_research.simulate import simulate_world, write_world

SMALL = dict(n_customers=3000, n_banks=40, n_transactions=40_000, n_respondents=400, population_draw=20_000)


@pytest.fixture(scope="session")
def small_sizes() -> dict:
    """Sizes of the small test world (keyword arguments of simulate_world/write_world)."""
    return dict(SMALL)


@pytest.fixture(scope="session")
def small_world():
    """A small world in memory (seed 7): enough rows for consistency checks, seconds to build."""
    return simulate_world(seed=7, **SMALL)


@pytest.fixture(scope="session")
def small_world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same small world written to disk."""
    out = tmp_path_factory.mktemp("small_world")
    write_world(out, seed=7, **SMALL)
    return out
