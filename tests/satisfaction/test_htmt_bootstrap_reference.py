"""HTMT bootstrap CIs against R semTools on the same resamples (Holzinger & Swineford 1939 data).

Reference: R 4.2.2, semTools 0.5-6, lavaan 0.6-14, run by
``tests/reference/satisfaction/htmt/ref_htmt_boot.R`` on the 301 pupils of
``tests/reference/satisfaction/invariance/holzinger_swineford_1939.csv`` with semTools' own help-page model
``visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9``::

    semTools::htmt(model, data = d, htmt2 = FALSE)            # classic, full sample
    semTools::htmt(model, data = d, htmt2 = TRUE)             # HTMT2, full sample
    semTools::htmt(model, data = d[idx_b, ], htmt2 = FALSE)   # and TRUE, for b = 1..500
    quantile(values_b, c(0.025, 0.975), type = 7, na.rm = TRUE)

where ``idx_b`` (1-based in R) are the rows of ``htmt_resample_indices(301, 500, 20130613)``, written by
``write_htmt_boot_indices.py`` (run it first; the index file is not committed, the test re-generates the
indices and checks them against the checksums R wrote to htmt_boot_meta.csv). ``htmt_table(...,
bootstrap_reps=500, seed=20130613)`` must reproduce the point values, the resample values (7 stored
resamples, plus the mean over all 500 as a checksum of every replicate) and the 2.5 % / 97.5 % bounds.

Tolerance: 1e-10 absolute (the observed agreement is ~3e-16: both sides compute Pearson correlations of the
same rows and the same means of them; R's ``lavCor`` on complete continuous data is the sample correlation).

Conventions. semTools has no bootstrap of its own: the percentile CI here is the usual one (R's default
``quantile`` type 7 = numpy's linear interpolation), and the R script is what a user writes around ``htmt``.
Where they could differ: a resample with a constant item. semTools (lavaan) stops with "some variables have
no values (only missings) or no variance" for the whole matrix; ``htmt_table`` gets NaN only for the pairs
involving that item's construct and drops that resample for those cells only (other cells keep it). No
resample of the reference data has a constant item (R's ``n_valid`` = 500 everywhere), so the comparison is
unaffected; ``test_constant_item_resample_is_dropped_per_cell`` pins down our convention.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.satisfaction.validity import (
    htmt,
    htmt_resample_indices,
    htmt_table,
)

REF = Path(__file__).parents[1] / "reference" / "satisfaction" / "htmt"
DATA = Path(__file__).parents[1] / "reference" / "satisfaction" / "invariance" / "holzinger_swineford_1939.csv"
HS = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}
KEY = ["variant", "construct_1", "construct_2"]
TOL = 1e-10


@pytest.fixture(scope="module")
def meta() -> pd.Series:
    return pd.read_csv(REF / "htmt_boot_meta.csv").set_index("key")["value"]


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    d = pd.read_csv(DATA)
    assert d.shape == (301, 15)
    return d


@pytest.fixture(scope="module")
def reps(meta: pd.Series) -> int:
    return int(meta["B"])


@pytest.fixture(scope="module")
def indices(hs: pd.DataFrame, meta: pd.Series) -> np.ndarray:
    return np.vstack(list(htmt_resample_indices(len(hs), int(meta["B"]), int(meta["seed"]))))


@pytest.fixture(scope="module")
def ours(hs: pd.DataFrame, meta: pd.Series) -> pd.DataFrame:
    return htmt_table(hs, measurement=HS, bootstrap_reps=int(meta["B"]), seed=int(meta["seed"]),
                      alpha=float(meta["alpha"])).set_index(KEY)


def test_r_saw_the_resamples_htmt_table_draws(indices: np.ndarray, meta: pd.Series, hs: pd.DataFrame) -> None:
    assert indices.shape == (500, int(meta["n"])) == (500, len(hs))
    assert int(indices.sum()) == int(meta["index_sum"])
    weights = np.arange(1, len(indices) + 1)[:, None]  # R: sum(idx0 * row(idx0))
    assert int((indices * weights).sum()) == int(float(meta["index_weighted_sum"]))
    assert " ".join(map(str, indices[0, :5])) == meta["index_first5"]
    assert meta["semTools"] == "0.5.6" and meta["quantile_type"] == "7"


def test_point_htmt_and_percentile_cis_match_semtools(ours: pd.DataFrame) -> None:
    ref = pd.read_csv(REF / "htmt_boot_point.csv", float_precision="round_trip").set_index(KEY)
    assert len(ref) == 6 and sorted(ref.index) == sorted(ours.index)
    assert (ref["n_valid"] == 500).all()
    for k in ref.index:
        for col in ("htmt", "ci_low", "ci_high"):
            assert ours.loc[k, col] == pytest.approx(ref.loc[k, col], abs=TOL, rel=0), (k, col)
        assert ours.loc[k, "ci_low"] < ours.loc[k, "htmt"] < ours.loc[k, "ci_high"], k
    # none of the three pairs reaches 0.85: discriminant validity holds on semTools' example, both variants
    assert not ours["exceeds"].any()
    assert (ours["ci_high"] < 0.6).all()


def test_every_resample_value_matches_semtools(hs: pd.DataFrame, indices: np.ndarray) -> None:
    """Stored resamples to 1e-10 each; the mean over all 500 checks every other resample."""
    vals = {
        v: np.stack([htmt(hs.iloc[idx], measurement=HS, variant=v).to_numpy() for idx in indices])
        for v in ("classic", "htmt2")
    }
    pos = {c: i for i, c in enumerate(HS)}
    rep_ref = pd.read_csv(REF / "htmt_boot_replicates.csv", float_precision="round_trip")
    assert sorted(rep_ref["replicate"].unique()) == [1, 2, 3, 4, 5, 250, 500] and len(rep_ref) == 42
    for r in rep_ref.itertuples():
        got = vals[r.variant][r.replicate - 1, pos[r.construct_1], pos[r.construct_2]]
        assert got == pytest.approx(r.value, abs=TOL, rel=0), r
    point = pd.read_csv(REF / "htmt_boot_point.csv", float_precision="round_trip")
    for r in point.itertuples():
        got = vals[r.variant][:, pos[r.construct_1], pos[r.construct_2]]
        assert got.mean() == pytest.approx(r.boot_mean, abs=TOL, rel=0), r
        # and htmt_table's bounds are numpy's linear quantiles of exactly these values
        assert np.quantile(got, [0.025, 0.975]) == pytest.approx([r.ci_low, r.ci_high], abs=TOL, rel=0)


@pytest.mark.filterwarnings("ignore:invalid value encountered in divide:RuntimeWarning")  # the constant x1
def test_constant_item_resample_is_dropped_per_cell() -> None:
    """A resample in which x1 is constant: NaN for visual's pairs only, dropped there (with a warning that
    counts them), kept elsewhere."""
    rng = np.random.default_rng(7)
    n = 20
    f = rng.standard_normal((n, 3))
    x = np.repeat(f, 3, axis=1) + rng.standard_normal((n, 9))
    d = pd.DataFrame(x, columns=[f"x{i}" for i in range(1, 10)])
    d["x1"] = 0.0
    d.loc[0, "x1"] = 1.0  # x1 varies only when row 0 is drawn: ~36 % of resamples miss it
    reps, seed = 200, 11
    with pytest.warns(UserWarning, match=r"2 construct pair\(s\) lost resamples") as rec:
        tab = htmt_table(d, measurement=HS, bootstrap_reps=reps, seed=seed).set_index(KEY)
    vals = np.stack([htmt(d.iloc[idx], measurement=HS).to_numpy() for idx in htmt_resample_indices(n, reps, seed)])
    has_row0 = np.array([0 in idx for idx in htmt_resample_indices(n, reps, seed)])
    assert 40 < (~has_row0).sum() < 120
    # the warning names both of visual's pairs with the exact count dropped
    n_drop = int((~has_row0).sum())
    msg = str(rec[-1].message)
    assert f"('visual', 'textual', {n_drop})" in msg and f"('visual', 'speed', {n_drop})" in msg
    vt, ts = vals[:, 0, 1], vals[:, 1, 2]
    assert np.isnan(vt[~has_row0]).all() and np.isfinite(vt[has_row0]).all() and np.isfinite(ts).all()
    assert tab.loc[("classic", "visual", "textual"), "ci_high"] == pytest.approx(
        np.quantile(vt[has_row0], 0.975), abs=1e-12)
    assert tab.loc[("classic", "textual", "speed"), "ci_low"] == pytest.approx(np.quantile(ts, 0.025), abs=1e-12)
