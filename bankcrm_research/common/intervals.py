"""Confidence intervals shared by the analysis packages.

* :func:`wilson_interval` — Wilson (1927) score interval of a binomial proportion, used for the
  customer shares of value tiers (``value.tiers``) and the churn rate by satisfaction level
  (``value.satisfaction_link``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bankcrm_research.data.validate import require_probability

__all__ = ["wilson_interval"]


def wilson_interval(k: Any, n: Any, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    r"""Wilson score interval of a binomial proportion ``k / n`` (elementwise).

    Parameters
    ----------
    k : array-like
        Successes (events, customers in the group).
    n : array-like
        Trials, same shape as ``k`` (or broadcastable). Where ``n = 0`` the bounds are NaN.
    alpha : float
        1 − confidence level (0.05: a 95 % interval).

    Returns
    -------
    (ndarray, ndarray)
        Lower and upper bounds, within [0, 1] and always containing :math:`\hat p = k / n`.

    Notes
    -----
    With :math:`\hat p = k/n` and :math:`z = \Phi^{-1}(1 - \alpha/2)`,

    .. math::

        \frac{\hat p + \frac{z^2}{2n}}{1 + \frac{z^2}{n}} \pm
        \frac{z}{1 + \frac{z^2}{n}} \sqrt{\frac{\hat p (1 - \hat p)}{n} + \frac{z^2}{4 n^2}},

    the inversion of the score test of :math:`p = p_0`. Unlike the Wald interval it stays inside
    [0, 1] and keeps near-nominal coverage for small ``n`` or proportions near 0 or 1 (Brown, Cai &
    DasGupta 2001). Bounds are clipped so that rounding noise never excludes :math:`\hat p`.
    Same numbers as ``statsmodels.stats.proportion.proportion_confint(k, n, alpha, method="wilson")``
    and R ``prop.test(k, n, correct = FALSE)$conf.int``.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
    *Journal of the American Statistical Association* 22(158), 209-212.
    Brown, L. D., Cai, T. T. & DasGupta, A. (2001). Interval estimation for a binomial proportion.
    *Statistical Science* 16(2), 101-133.

    Examples
    --------
    >>> lo, hi = wilson_interval(3, 10)
    >>> round(float(lo), 4), round(float(hi), 4)
    (0.1078, 0.6032)
    """
    from scipy import stats

    require_probability(alpha, param="alpha")
    k, n = np.asarray(k, float), np.asarray(n, float)
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):  # n = 0 gives NaN bounds, documented above
        p = np.where(n > 0, k / np.maximum(n, 1), np.nan)
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    # clip rounding noise so the interval always contains p and stays in [0, 1]
    return np.clip(np.minimum(centre - half, p), 0, 1), np.clip(np.maximum(centre + half, p), 0, 1)
