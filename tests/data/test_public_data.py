"""The real public data shipped in data/public/: checksums as documented, identical to the published
CSVs (when ../shared/data has them), and read the same way from Parquet and from the original CSV."""

from __future__ import annotations

import hashlib
import re

import pandas as pd
import pytest

from bankcrm_research.data.readers import read_bank_marketing, read_ecsi_mobi

FILES = ["bank-full.parquet", "bank-additional-full.parquet", "mobi.csv"]


@pytest.fixture(scope="module")
def public(repo_root):
    return repo_root / "data" / "public"


def test_readme_checksums_match_the_files(public):
    readme = (public / "README.md").read_text(encoding="utf-8")
    for name in FILES:
        digest = hashlib.sha256((public / name).read_bytes()).hexdigest()
        assert re.search(rf"`{re.escape(name)}` \| `{digest}`", readme), f"{name}: README checksum is stale"


def test_row_counts_and_outcome_rates(public):
    full = read_bank_marketing(public / "bank-full.parquet")
    extra = read_bank_marketing(public / "bank-additional-full.parquet")
    assert (len(full), len(extra)) == (45211, 41188)
    assert round(full["y"].mean(), 4) == 0.1170 and round(extra["y"].mean(), 4) == 0.1127
    assert read_ecsi_mobi(public / "mobi.csv").shape[0] == 250


@pytest.mark.shared_data
@pytest.mark.parametrize("name", ["bank-full", "bank-additional-full"])
def test_parquet_equals_the_published_csv(public, shared_data_dir, name):
    csv = shared_data_dir / "bank_marketing" / f"{name}.csv"
    if not csv.exists():
        pytest.skip(f"{csv} not present")
    a = read_bank_marketing(public / f"{name}.parquet")
    b = read_bank_marketing(csv)
    a = a.astype({c: object for c in a.columns if isinstance(a[c].dtype, pd.CategoricalDtype)})
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
