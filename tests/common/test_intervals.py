"""Wilson score interval against statsmodels and R, edge cases."""

from __future__ import annotations

import numpy as np
import pytest

from bankcrm_research.common.intervals import wilson_interval

RTOL = 1e-12  # same closed form, floating-point noise only


def test_wilson_matches_statsmodels_and_r():
    """statsmodels: ``proportion_confint(k, n, alpha=a, method="wilson")``.

    R: ``prop.test(3, 10, correct = FALSE)$conf.int`` = 0.1077913 0.6032219.
    """
    from statsmodels.stats.proportion import proportion_confint

    k = np.array([0, 1, 3, 17, 50, 99, 100])
    n = np.array([10, 10, 10, 40, 100, 100, 100])
    for alpha in (0.05, 0.1, 0.01):
        lo, hi = wilson_interval(k, n, alpha)
        ref_lo, ref_hi = proportion_confint(k, n, alpha=alpha, method="wilson")
        np.testing.assert_allclose(lo, ref_lo, rtol=RTOL, atol=1e-15)
        np.testing.assert_allclose(hi, ref_hi, rtol=RTOL, atol=1e-15)
    lo, hi = wilson_interval(3, 10)
    assert float(lo) == pytest.approx(0.1077913, abs=5e-8)
    assert float(hi) == pytest.approx(0.6032219, abs=5e-8)


def test_wilson_contains_the_proportion_and_stays_in_unit_interval():
    k = np.array([0, 5, 10])
    lo, hi = wilson_interval(k, np.full(3, 10.0))
    p = k / 10
    assert (lo <= p).all() and (p <= hi).all()
    assert lo[0] == 0 and hi[-1] == 1
    assert (0 <= lo).all() and (hi <= 1).all()


def test_wilson_zero_trials_gives_nan_and_bad_alpha_is_refused():
    lo, hi = wilson_interval(np.array([0.0, 2.0]), np.array([0.0, 4.0]))
    assert np.isnan(lo[0]) and np.isnan(hi[0]) and np.isfinite(lo[1])
    with pytest.raises(ValueError, match="'alpha' parameter"):
        wilson_interval(1, 2, alpha=1.5)
