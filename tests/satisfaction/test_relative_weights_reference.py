"""Relative weights (Johnson 2000) against R rwa 0.1.0 (Martin Chan), computed by
``tests/reference/satisfaction/relative_weights/ref_rwa.R`` (the test needs no R)::

    rwa::rwa(df, outcome, predictors, applysigns = FALSE, sort = FALSE, bootstrap = FALSE)
    lm(outcome ~ predictors, data = as.data.frame(scale(df)))   # standardised OLS betas

on two datasets with correlated predictors: R's ``mtcars`` (mpg on cyl, disp, hp, drat, wt, qsec; |r| up to
0.90; written to ``mtcars_rw.csv``) and the seeded ``dominance/dominance_sim.csv`` (satisfaction on quality,
value, convenience, rm_service; r 0.1-0.5). rwa's ``Raw.RelWeight`` is our ``raw_weight``, its ``rsquare``
our ``r2`` (= sum of raw weights), its ``Rescaled.RelWeight`` (percent) 100 x our ``share``.

Tolerance: 1e-10 absolute on raw weights, R², shares (as fractions) and standardised betas. Both sides do one
symmetric eigendecomposition of the same correlation matrix in double precision (R's LAPACK dsyevr, numpy's
dsyevd); observed agreement is ~1e-15. rwa's bootstrap CIs use R's RNG and are not compared.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from bankcrm_research.satisfaction.drivers import relative_weights

HERE = Path(__file__).resolve().parents[1] / "reference" / "satisfaction"
REF = HERE / "relative_weights"
TOL = 1e-10
DATASETS = {
    "mtcars": (REF / "mtcars_rw.csv", "mpg", ["cyl", "disp", "hp", "drat", "wt", "qsec"], "mtcars_rw_sha256"),
    "dominance": (HERE / "dominance" / "dominance_sim.csv", "satisfaction",
                  ["quality", "value", "convenience", "rm_service"], "dominance_sim_sha256"),
}


@pytest.fixture(scope="module")
def ref() -> pd.DataFrame:
    return pd.read_csv(REF / "rwa_reference.csv")


@pytest.fixture(scope="module", params=list(DATASETS))
def case(request, ref):  # noqa: ANN001, ANN201
    path, outcome, predictors, sha_key = DATASETS[request.param]
    meta = pd.read_csv(REF / "rwa_meta.csv").set_index("key")["value"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == meta[sha_key], (
        f"{path.name} changed since the R reference was computed: re-run "
        "`Rscript tests/reference/satisfaction/relative_weights/ref_rwa.R`"
    )
    data = pd.read_csv(path)
    got = relative_weights(data, predictors=predictors, outcome=outcome, bootstrap_reps=0)
    r = ref[ref["dataset"] == request.param].reset_index(drop=True)
    assert len(data) == int(r["n"].iloc[0])
    return got, r


def test_raw_weights_match_rwa(case):  # noqa: ANN001
    got, r = case
    assert got["driver"].tolist() == r["driver"].tolist()
    assert got["raw_weight"].to_numpy() == pytest.approx(r["raw_weight"].to_numpy(), abs=TOL, rel=0)


def test_raw_weights_sum_to_rwa_rsquare(case):  # noqa: ANN001
    got, r = case
    r2 = float(r["rsquare"].iloc[0])
    assert float(got["raw_weight"].sum()) == pytest.approx(r2, abs=TOL, rel=0)
    assert got["r2"].to_numpy() == pytest.approx([r2] * len(got), abs=TOL, rel=0)
    # rwa's raw weights sum to its rsquare too (the decomposition is exact)
    assert float(r["raw_weight"].sum()) == pytest.approx(r2, abs=TOL, rel=0)


def test_shares_match_rwa_rescaled_weights(case):  # noqa: ANN001
    got, r = case
    assert got["share"].to_numpy() == pytest.approx(r["rescaled_pct"].to_numpy() / 100, abs=TOL, rel=0)
    assert float(got["share"].sum()) == pytest.approx(1.0, abs=TOL)
    ranks = r["rescaled_pct"].rank(ascending=False, method="min").astype(int)
    assert got["rank"].tolist() == ranks.tolist()


def test_std_beta_matches_lm_on_standardised_data(case):  # noqa: ANN001
    got, r = case
    assert got["std_beta"].to_numpy() == pytest.approx(r["std_beta"].to_numpy(), abs=TOL, rel=0)


def test_mtcars_weight_matters_most():
    """A reading that could fail: in mtcars, weight (wt) carries the largest share of R² (27 %), qsec the least."""
    path, outcome, predictors, _ = DATASETS["mtcars"]
    got = relative_weights(pd.read_csv(path), predictors=predictors, outcome=outcome, bootstrap_reps=0)
    order = got.sort_values("share", ascending=False)["driver"].tolist()
    assert order[0] == "wt" and order[-1] == "qsec"
