"""Observed eigenvalues of :func:`parallel_analysis` against psych on mobi.

``tests/reference/satisfaction/parallel/psych_parallel_observed_mobi_reference.csv`` from
``ref_parallel_mobi.R`` there: ``eigen(cor(x))$values`` = ``fa.parallel(x)$pc.values`` and
``fa.parallel(x, SMC = TRUE)$fa.values`` (eigenvalues of the correlation matrix with squared
multiple correlations on the diagonal). psych's default ``SMC = FALSE`` reports eigenvalues of the
one-factor minres reduced matrix instead, which differ after the first few (both columns are kept in
the CSV). The random part depends on R's RNG and is not compared. TOL 1e-8.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.satisfaction.validity import parallel_analysis

REF = Path(__file__).resolve().parents[1] / "reference" / "satisfaction" / "parallel" / "psych_parallel_observed_mobi_reference.csv"


@pytest.fixture(scope="module")
def pa(mobi):  # noqa: ANN001, ANN201
    x = mobi.drop(columns="CUSCO")
    return parallel_analysis(x, items=list(x.columns), reps=50, seed=1)


def test_observed_eigenvalues_match_psych(pa):  # noqa: ANN001
    ref = pd.read_csv(REF)
    assert pa["eigen_pc"].to_numpy() == pytest.approx(ref["psych_pc_values"].to_numpy(), abs=1e-8)
    assert pa["eigen_fa"].to_numpy() == pytest.approx(ref["psych_fa_values_smc"].to_numpy(), abs=1e-8)
    assert pa["eigen_pc"].sum() == pytest.approx(23.0)  # trace of a 23-item correlation matrix
    # psych's default (SMC = FALSE) differs: documented, not matched
    assert not np.allclose(pa["eigen_fa"].to_numpy(), ref["psych_fa_values"].to_numpy(), atol=1e-3)


def test_random_eigenvalues_are_the_stated_quantile():
    """The reference line is the ``quantile`` of eigenvalues of independent normal data of the same
    n x p (Horn 1965; Glorfeld 1995 for the 95th percentile): compared with an independent Monte Carlo
    of 2,000 draws (another seed), and a higher quantile lies above a lower one."""
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.standard_normal((400, 10)), columns=[f"i{k}" for k in range(10)])
    hi = parallel_analysis(x, items=list(x.columns), reps=200, quantile=0.95, seed=3)
    lo = parallel_analysis(x, items=list(x.columns), reps=200, quantile=0.50, seed=3)
    assert (hi["random_pc"].to_numpy() > lo["random_pc"].to_numpy()).all()
    mc_rng = np.random.default_rng(99)
    first = np.array([np.linalg.eigvalsh(np.corrcoef(mc_rng.standard_normal((400, 10)).T))[-1] for _ in range(2000)])
    assert lo["random_pc"].iloc[0] == pytest.approx(np.quantile(first, 0.50), abs=0.01)
    assert hi["random_pc"].iloc[0] == pytest.approx(np.quantile(first, 0.95), abs=0.02)
    assert hi.attrs["n_factors_pc"] <= 1
