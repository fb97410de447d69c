"""Fixtures for the satisfaction tests: a simulated ACSI-style survey with known truth
(``satisfaction_sim``) and the ECSI ``mobi`` data (skipped when ``../shared/data`` is absent)."""

from __future__ import annotations

import pandas as pd
import pytest
from satisfaction_sim import simulate_survey


@pytest.fixture(scope="session")
def continuous_survey() -> pd.DataFrame:
    return simulate_survey(800, seed=11, likert=False)


@pytest.fixture(scope="session")
def likert_survey() -> pd.DataFrame:
    return simulate_survey(500, seed=5, likert=True)


@pytest.fixture(scope="session")
def mobi_dir(shared_data_dir):  # noqa: ANN001, ANN201
    d = shared_data_dir / "ecsi_mobi"
    if not (d / "mobi.csv").exists():
        pytest.skip("../shared/data/ecsi_mobi/mobi.csv not present")
    return d


@pytest.fixture(scope="session")
def mobi(mobi_dir) -> pd.DataFrame:  # noqa: ANN001
    return pd.read_csv(mobi_dir / "mobi.csv")
