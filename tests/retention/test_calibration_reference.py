"""Calibration intercept and slope against a plain statsmodels logit, and parameter recovery.

Reference call: ``statsmodels.api.Logit(y, add_constant(logit(p))).fit()`` (slope) and
``Logit(y, ones, offset=logit(p))`` (calibration-in-the-large) — the same model as R's
``glm(y ~ qlogis(p), binomial)`` and ``glm(y ~ 1, offset = qlogis(p), binomial)``. TOL 1e-8.
"""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from bankcrm_research.retention.metrics import calibration_slope_intercept


def _sample(n: int, seed: int, a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    lp = rng.normal(-1, 1.2, n)  # the model's logit score
    y = rng.binomial(1, 1 / (1 + np.exp(-(a + b * lp))))
    return y, 1 / (1 + np.exp(-lp))


def test_matches_statsmodels_logit():
    y, p = _sample(2000, 1, 0.3, 0.7)
    got = calibration_slope_intercept(y, p)
    lp = np.log(p / (1 - p))
    slope = sm.Logit(y, sm.add_constant(lp)).fit(disp=0).params[1]
    large = sm.Logit(y, np.ones(len(y)), offset=lp).fit(disp=0).params[0]
    assert got["calibration_slope"] == pytest.approx(slope, abs=1e-8)
    assert got["calibration_intercept"] == pytest.approx(large, abs=1e-8)


def test_recovers_planted_miscalibration():
    """y ~ Bernoulli(expit(a + b * lp)): the slope estimates b; with b = 1 the intercept estimates a."""
    y, p = _sample(200_000, 2, 0.0, 0.6)
    assert calibration_slope_intercept(y, p)["calibration_slope"] == pytest.approx(0.6, abs=0.02)
    y, p = _sample(200_000, 3, -0.4, 1.0)
    got = calibration_slope_intercept(y, p)
    assert got["calibration_intercept"] == pytest.approx(-0.4, abs=0.02)
    assert got["calibration_slope"] == pytest.approx(1.0, abs=0.02)


def test_perfect_calibration_gives_zero_and_one():
    y, p = _sample(200_000, 4, 0.0, 1.0)
    got = calibration_slope_intercept(y, p)
    assert got["calibration_intercept"] == pytest.approx(0.0, abs=0.015)
    assert got["calibration_slope"] == pytest.approx(1.0, abs=0.02)
