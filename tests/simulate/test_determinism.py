"""Byte-for-byte reproducibility of the bundled data and independence of the per-table streams."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from bankcrm_research.cli import main
from bankcrm_research.simulate import FILES, banks, write_world
from bankcrm_research.simulate._common import STREAMS

DATA_FILES = [*FILES.values(), "truth.json", "README.md"]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_cli_regenerates_bundled_data_byte_for_byte(repo_root: Path, tmp_path: Path) -> None:
    """`bankcrm-research simulate --seed 20130613 --out DIR` reproduces every committed file in data/."""
    assert main(["simulate", "--seed", "20130613", "--out", str(tmp_path), "--quiet"]) == 0
    for name in DATA_FILES:
        committed, fresh = repo_root / "data" / name, tmp_path / name
        assert committed.exists(), f"data/{name} is not committed"
        assert _sha(fresh) == _sha(committed), (
            f"data/{name} differs from a fresh `bankcrm-research simulate --out data`; regenerate and commit it"
        )


def test_committed_data_size_below_20_mb(repo_root: Path) -> None:
    total = sum((repo_root / "data" / n).stat().st_size for n in DATA_FILES)
    assert total < 20e6


def test_same_seed_same_bytes_different_seed_different_bytes(
    tmp_path: Path, small_world_dir: Path, small_sizes: dict
) -> None:
    again = tmp_path / "again"
    write_world(again, seed=7, **small_sizes)
    for name in DATA_FILES:
        assert _sha(again / name) == _sha(small_world_dir / name), name
    other = tmp_path / "other"
    write_world(other, seed=8, **small_sizes)
    for name in FILES.values():
        assert _sha(other / name) != _sha(small_world_dir / name), name


def test_changing_one_table_leaves_other_tables_unchanged(
    tmp_path: Path, small_world_dir: Path, small_sizes: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per-table SeedSequence streams: a new macro coefficient changes macro_monthly.csv only."""
    monkeypatch.setitem(banks.MACRO, "mmf_to_demand_coef", -0.25)
    out = tmp_path / "changed"
    write_world(out, seed=7, **small_sizes)
    assert _sha(out / "macro_monthly.csv") != _sha(small_world_dir / "macro_monthly.csv")
    for table in ("bank_panel", "internet_finance_indicators", "customers", "transactions", "survey"):
        assert _sha(out / FILES[table]) == _sha(small_world_dir / FILES[table]), table


def test_streams_have_a_fixed_order() -> None:
    # appending is allowed; reordering would change every table's bytes
    assert STREAMS[:6] == ("internet_finance_indicators", "bank_panel", "macro_monthly", "customers", "survey",
                           "transactions")


def test_written_transactions_equal_in_memory_world(small_world, small_world_dir: Path) -> None:
    disk = pd.read_parquet(small_world_dir / FILES["transactions"])
    mem = small_world["transactions"]
    assert len(disk) == len(mem)
    pd.testing.assert_series_equal(disk["amount"], mem["amount"])
    assert (pd.to_datetime(disk["txn_date"]) == mem["txn_date"]).all()
    assert (disk["customer_id"] == mem["customer_id"]).all()


def test_parquet_has_no_pandas_metadata_or_timestamps(repo_root: Path) -> None:
    import pyarrow.parquet as pq

    meta = pq.read_metadata(repo_root / "data" / FILES["transactions"])
    assert meta.metadata is None or b"pandas" not in meta.metadata
    assert meta.num_rows > 500_000
