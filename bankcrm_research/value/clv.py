"""Customer lifetime value: BG/NBD purchase model and Gamma-Gamma spend model.

Both models are fitted by maximum likelihood, hand-written on :mod:`scipy`. The reference Python
implementation, ``lifetimes`` (Davidson-Pilon), has been unmaintained since 2020 and breaks on
current pandas/NumPy; ``pymc-marketing`` is a heavy Bayesian stack. The likelihoods below follow
the papers term by term:

- Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy way: An
  alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275-284 (BG/NBD, eq. 6 and
  10-11; appendix for the conditional expectation).
- Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005b). RFM and CLV: Using iso-value curves for
  customer base analysis. *Journal of Marketing Research* 42(4), 415-430 (Gamma-Gamma spend).
- Fader, P. S. & Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value. Note,
  brucehardie.com (the likelihood and the CDNOW estimates p = 6.25, q = 3.74, gamma = 15.44).

Standard errors come from the inverse of the numerical Hessian of the negative log-likelihood at
the optimum (``statsmodels.tools.numdiff.approx_hess3``), in the natural parameterisation.

The fitted models are validated in ``tests/value/test_clv.py`` against the published CDNOW
estimates (r = 0.243, alpha = 4.414, a = 0.793, b = 2.426).

One cohesive model family, kept in one module on purpose: the two likelihoods share the
maximum-likelihood and Hessian helpers and the ``frequency, recency, T, monetary_value`` input
contract (built by :func:`bankcrm_research.value.rfm.clv_summary`), and
:func:`customer_lifetime_value` is defined only by combining both fitted models; the module reads
top to bottom as the papers do (purchase model, spend model, their product).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from bankcrm_research.data.validate import (
    DataWarning,
    require_columns,
    require_min_rows,
    require_numeric,
    require_positive_int,
)

__all__ = [
    "BGNBD",
    "BGNBDResult",
    "GammaGamma",
    "GammaGammaResult",
    "customer_lifetime_value",
    "clv_by_group",
]

_DAYS_PER_MONTH = 365.25 / 12


def _hessian_se(negll, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Covariance and SEs from the numerical Hessian of ``negll`` at ``theta``.

    Returns ``(cov, se, ok)``; ``ok`` is False when the Hessian is not positive definite (the
    optimum is on a boundary or flat), in which case the SEs are NaN rather than misleading.
    """
    from statsmodels.tools.numdiff import approx_hess3

    hess = approx_hess3(theta, negll)
    try:
        np.linalg.cholesky(hess)
        cov = np.linalg.inv(hess)
        return cov, np.sqrt(np.diag(cov)), True
    except np.linalg.LinAlgError:
        n = len(theta)
        return np.full((n, n), np.nan), np.full(n, np.nan), False


def _fit_positive(negll, x0: Sequence[float]) -> optimize.OptimizeResult:
    """Minimise ``negll`` over positive parameters (optimised on the log scale).

    L-BFGS-B with tight tolerances does the work; Nelder-Mead is the fallback when it stops on a
    non-finite value, and a BFGS step polishes the optimum to gradient precision.
    """
    def f(lp):
        return negll(np.exp(lp))

    start = np.log(np.asarray(x0, float))
    res = optimize.minimize(f, start, method="L-BFGS-B",
                            options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10})
    if not (res.success and np.isfinite(res.fun)):
        res = optimize.minimize(f, res.x if np.isfinite(res.fun) else start, method="Nelder-Mead",
                                options={"maxiter": 5000, "xatol": 1e-9, "fatol": 1e-10})
    polish = optimize.minimize(f, res.x, method="BFGS", options={"gtol": 1e-8, "maxiter": 200})
    best = polish if (np.isfinite(polish.fun) and polish.fun <= res.fun) else res
    converged = bool(res.success or polish.success)
    best.x = np.exp(best.x)
    best.success = converged
    return best


def _ml_fit(negll, x0: Sequence[float], names: Sequence[str]) -> dict:
    """Maximum-likelihood fit with Hessian standard errors: the fields both result classes share.

    ``params`` and ``std_errors`` by ``names``, ``cov``, ``log_likelihood``, ``converged`` and
    ``hessian_ok`` (see :func:`_fit_positive` and :func:`_hessian_se`).
    """
    res = _fit_positive(negll, x0)
    cov, se, ok = _hessian_se(negll, res.x)
    return dict(params=dict(zip(names, map(float, res.x))), cov=cov, std_errors=dict(zip(names, map(float, se))),
                log_likelihood=-float(res.fun), converged=bool(res.success), hessian_ok=ok)


def _estimates(result, model: str, names: Sequence[str], alpha: float) -> pd.DataFrame:
    """The ``tidy()`` of a fitted model: ``model`` then one row per parameter (estimate, SE, Wald CI)."""
    out = _param_table(names, np.array([result.params[n] for n in names]),
                       np.array([result.std_errors[n] for n in names]), alpha)
    out.insert(0, "model", model)
    return out


def _fit_problems(label: str, converged: bool, hessian_ok: bool) -> list[str]:
    """Sentences for a fit without convergence or a Hessian without standard errors."""
    out = []
    if not converged:
        out.append(f"{label}: the optimiser did not report convergence; check the estimates.")
    if not hessian_ok:
        out.append(f"{label}: the Hessian is not positive definite at the optimum; standard errors are NaN.")
    return out


def _param_table(names: Sequence[str], est: np.ndarray, se: np.ndarray, alpha: float = 0.05) -> pd.DataFrame:
    z = stats.norm.ppf(1 - alpha / 2)
    return pd.DataFrame(
        {
            "parameter": list(names),
            "estimate": est,
            "std_error": se,
            "ci_low": est - z * se,
            "ci_high": est + z * se,
        }
    )


def _check_rft(data: pd.DataFrame, frequency: str, recency: str, T: str) -> pd.DataFrame:
    require_columns(data, [frequency, recency, T], table="data", param="columns")
    require_numeric(data, [frequency, recency, T], table="data")
    df = data[[frequency, recency, T]].astype(float)
    problems = []
    if df.isna().any().any():
        problems.append(f"{int(df.isna().any(axis=1).sum())} rows have missing {frequency}/{recency}/{T}")
    if (df[frequency] < 0).any() or not np.allclose(df[frequency], np.round(df[frequency])):
        problems.append(f"'{frequency}' must be a non-negative whole number of repeat purchases")
    if (df[recency] < 0).any() or (df[recency] > df[T] + 1e-9).any():
        problems.append(f"'{recency}' must lie in [0, {T}] (time of last purchase since the first)")
    if ((df[frequency] == 0) & (df[recency] > 0)).any():
        problems.append(f"customers with {frequency} = 0 must have {recency} = 0")
    if (df[T] <= 0).any():
        problems.append(f"'{T}' must be > 0 (time since the first purchase)")
    if problems:
        raise ValueError(
            "BG/NBD input (frequency, recency, T) is invalid: " + "; ".join(problems)
            + ". Build it with bankcrm_research.value.rfm.clv_summary(...), which follows "
            "the Fader-Hardie definitions (frequency = repeat purchases)."
        )
    return df


# --------------------------------------------------------------------------------------------
# BG/NBD
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BGNBDResult:
    """Fitted BG/NBD model (frozen).

    Attributes
    ----------
    params : dict
        ``r, alpha, a, b`` at the maximum-likelihood estimate.
    cov : ndarray
        Covariance of the estimates (inverse Hessian of the negative log-likelihood).
    log_likelihood : float
    n_customers : int
    converged : bool
    """

    params: dict[str, float]
    cov: np.ndarray = field(repr=False)
    std_errors: dict[str, float]
    log_likelihood: float
    n_customers: int
    converged: bool
    hessian_ok: bool

    def tidy(self, alpha: float = 0.05) -> pd.DataFrame:
        """One row per parameter: estimate, std_error and Wald CI."""
        return _estimates(self, "bg_nbd", ["r", "alpha", "a", "b"], alpha)

    def summary(self) -> pd.DataFrame:
        """Parameter table plus the log-likelihood and sample size as attributes."""
        out = self.tidy()
        out.attrs.update(log_likelihood=self.log_likelihood, n_customers=self.n_customers,
                         converged=self.converged)
        return out

    @property
    def notes(self) -> tuple[str, ...]:
        """Fit problems worth printing: no convergence, a Hessian without standard errors."""
        out = [f"BG/NBD fitted on {self.n_customers} customers, log-likelihood {self.log_likelihood:.2f}."]
        return tuple(out + _fit_problems("BG/NBD", self.converged, self.hessian_ok))

    # -- predictions ---------------------------------------------------------------------
    def expected_transactions(self, t: float | np.ndarray, frequency, recency, T) -> np.ndarray:
        """Expected number of transactions in the next ``t`` time units, per customer.

        Notes
        -----
        Fader, Hardie & Lee (2005, eq. 10):

        .. math::
            E[Y(t)\\mid x, t_x, T] = \\frac{\\frac{a+b+x-1}{a-1}\\left[1 -
            \\left(\\frac{\\alpha+T}{\\alpha+T+t}\\right)^{r+x}
            {}_2F_1\\!\\left(r+x, b+x; a+b+x-1; \\tfrac{t}{\\alpha+T+t}\\right)\\right]}
            {1 + \\delta_{x>0}\\frac{a}{b+x-1}\\left(\\frac{\\alpha+T}{\\alpha+t_x}\\right)^{r+x}}
        """
        r, al, a, b = (self.params[k] for k in ("r", "alpha", "a", "b"))
        x, tx, T = (np.asarray(v, float) for v in (frequency, recency, T))
        t = np.asarray(t, float)
        z = t / (al + T + t)
        hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
        numer = (a + b + x - 1) / (a - 1) * (1 - ((al + T) / (al + T + t)) ** (r + x) * hyp)
        return numer / self._alive_denominator(x, tx, T)

    def probability_alive(self, frequency, recency, T) -> np.ndarray:
        """P(alive | x, t_x, T) (Fader, Hardie & Lee 2005, eq. 11)."""
        x, tx, T = (np.asarray(v, float) for v in (frequency, recency, T))
        return 1.0 / self._alive_denominator(x, tx, T)

    def _alive_denominator(self, x, tx, T):
        r, al, a, b = (self.params[k] for k in ("r", "alpha", "a", "b"))
        # log form avoids overflow of ((alpha+T)/(alpha+t_x))^(r+x) for heavy buyers
        log_term = np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + (r + x) * (np.log(al + T) - np.log(al + tx))
        return 1.0 + np.where(x > 0, np.exp(np.minimum(log_term, 700)), 0.0)

    def expected_transactions_new(self, t: float | np.ndarray) -> np.ndarray:
        """E[X(t)] for a customer just acquired (Fader, Hardie & Lee 2005, eq. 9)."""
        r, al, a, b = (self.params[k] for k in ("r", "alpha", "a", "b"))
        t = np.asarray(t, float)
        return (a + b - 1) / (a - 1) * (1 - (al / (al + t)) ** r * special.hyp2f1(r, b, a + b - 1, t / (al + t)))

    def plot(self, ax=None, *, data: pd.DataFrame | None = None, frequency: str = "frequency",
             recency: str = "recency", T: str = "T", max_frequency: int = 7):
        """Observed vs model-implied distribution of repeat purchases (calibration check)."""
        import matplotlib.pyplot as plt

        from bankcrm_research.reporting import label

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        if data is None:
            raise ValueError("BGNBDResult.plot needs the fitted data: pass data=<frequency/recency/T frame>.")
        expected = _bgnbd_expected_counts(self.params, data[T].to_numpy(float), max_frequency)
        obs = np.bincount(np.minimum(data[frequency].astype(int), max_frequency), minlength=max_frequency + 1)
        idx = np.arange(max_frequency + 1)
        ax.bar(idx - 0.2, obs, width=0.4, label=label("observed_customers"))
        ax.bar(idx + 0.2, expected, width=0.4, label="BG/NBD")
        step = max(1, int(np.ceil((max_frequency + 1) / 15)))  # at most ~15 tick labels
        ticks = idx[::step] if idx[-1] in idx[::step] else np.append(idx[::step], idx[-1])
        ax.set_xticks(ticks, [str(i) if i < max_frequency else f"{i}+" for i in ticks])
        ax.set_xlabel(label("repeat_transactions"))
        ax.set_ylabel(label("customers_count"))
        ax.legend()
        return ax


def _bgnbd_pmf(params: dict[str, float], x: int, t: np.ndarray) -> np.ndarray:
    """P(X(t) = x) under BG/NBD (Fader, Hardie & Lee 2005, eq. 8)."""
    r, al, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    t = np.asarray(t, float)
    log_first = (special.betaln(a, b + x) - special.betaln(a, b) + special.gammaln(r + x) - special.gammaln(r)
                 - special.gammaln(x + 1) + r * np.log(al / (al + t)) + x * np.log(t / (al + t)))
    out = np.exp(log_first)
    if x > 0:
        j = np.arange(x)
        # sum_{j=0}^{x-1} Gamma(r+j)/(Gamma(r) j!) (t/(alpha+t))^j
        log_terms = (special.gammaln(r + j)[None, :] - special.gammaln(r) - special.gammaln(j + 1)[None, :]
                     + j[None, :] * np.log(t / (al + t))[:, None])
        s = np.exp(log_terms).sum(axis=1)
        out = out + np.exp(special.betaln(a + 1, b + x - 1) - special.betaln(a, b)) * (
            1 - (al / (al + t)) ** r * s)
    return out


def _bgnbd_expected_counts(params, T: np.ndarray, max_frequency: int) -> np.ndarray:
    probs = np.array([_bgnbd_pmf(params, x, T).sum() for x in range(max_frequency)])
    return np.append(probs, len(T) - probs.sum())


class BGNBD:
    """Beta-geometric/negative-binomial (BG/NBD) model of repeat purchasing.

    Parameters
    ----------
    alpha : float
        Level for the Wald confidence intervals in :meth:`BGNBDResult.tidy` (0.05 = 95 %).

    Notes
    -----
    Individual log-likelihood (Fader, Hardie & Lee 2005, eq. 6), with frequency ``x`` (repeat
    purchases), recency ``t_x`` (time of last purchase since the first) and age ``T``:

    .. math::
        \\ell = \\ln\\frac{\\Gamma(r+x)\\alpha^r}{\\Gamma(r)} + \\ln\\frac{B(a, b+x)}{B(a,b)}
        + \\ln\\left[(\\alpha+T)^{-(r+x)} + \\delta_{x>0}\\frac{a}{b+x-1}(\\alpha+t_x)^{-(r+x)}\\right]

    Transactions follow Poisson(lambda) while alive, lambda ~ Gamma(r, alpha); after each
    transaction the customer drops out with probability p ~ Beta(a, b). Hand-written because no
    maintained light library offers it (``lifetimes`` is abandoned since 2020).

    Examples
    --------
    >>> # In R: BTYD::bgnbd.EstimateParameters(cal.cbs)  (CDNOW: 0.243, 4.414, 0.793, 2.426)
    >>> fit = BGNBD().fit(cdnow, frequency="x", recency="t_x", T="T")  # doctest: +SKIP
    """

    def __init__(self, *, alpha: float = 0.05) -> None:
        self.alpha = alpha

    @staticmethod
    def negative_log_likelihood(params: Sequence[float], x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> float:
        """Sum of the negative individual log-likelihoods at ``params = (r, alpha, a, b)``."""
        r, al, a, b = params
        if min(params) <= 0:
            return np.inf
        a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(al)
        a2 = special.gammaln(a + b) + special.gammaln(b + x) - special.gammaln(b) - special.gammaln(a + b + x)
        a3 = -(r + x) * np.log(al + T)
        a4 = np.where(
            x > 0,
            np.log(a) - np.log(b + np.maximum(x, 1) - 1) - (r + x) * np.log(al + tx),
            -np.inf,
        )
        ll = a1 + a2 + np.logaddexp(a3, a4)
        total = -float(np.sum(ll))
        return total if np.isfinite(total) else np.inf

    def fit(self, data: pd.DataFrame, *, frequency: str = "frequency", recency: str = "recency",
            T: str = "T", x0: Sequence[float] = (1.0, 1.0, 1.0, 1.0)) -> BGNBDResult:
        """Fit by maximum likelihood.

        Parameters
        ----------
        data : DataFrame
            One row per customer.
        frequency, recency, T : str
            Columns with repeat purchases ``x``, recency ``t_x`` and age ``T`` (same time unit).
        x0 : sequence of 4 floats
            Starting values for ``r, alpha, a, b``.
        """
        df = _check_rft(data, frequency, recency, T)
        require_min_rows(df, 20, table="data", what="the BG/NBD model")
        x, tx, TT = (df[c].to_numpy(float) for c in (frequency, recency, T))
        if (x > 0).sum() < 5:
            raise ValueError(
                f"data: only {(x > 0).sum()} customers made a repeat purchase; the BG/NBD dropout "
                "process cannot be estimated. Use a longer calibration window."
            )
        # scale alpha's start to the time unit so that weeks and days both converge
        x0 = np.asarray(x0, float)
        x0[1] = max(x0[1], float(np.mean(TT)) / 10)

        def negll(p):
            return self.negative_log_likelihood(p, x, tx, TT)

        fit = _ml_fit(negll, x0, ["r", "alpha", "a", "b"])
        if not fit["hessian_ok"]:
            import warnings

            warnings.warn("BG/NBD: the Hessian is not positive definite at the optimum; standard errors "
                          "are NaN (parameters may be on a boundary, e.g. no dropout).", DataWarning,
                          stacklevel=2)
        return BGNBDResult(**fit, n_customers=len(df))


# --------------------------------------------------------------------------------------------
# Gamma-Gamma
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GammaGammaResult:
    """Fitted Gamma-Gamma spend model (frozen): ``p, q, gamma`` with Hessian SEs."""

    params: dict[str, float]
    cov: np.ndarray = field(repr=False)
    std_errors: dict[str, float]
    log_likelihood: float
    n_customers: int
    converged: bool
    hessian_ok: bool
    frequency_spend_corr: float = np.nan

    def tidy(self, alpha: float = 0.05) -> pd.DataFrame:
        """One row per parameter plus the implied population mean spend ``p*gamma/(q-1)``."""
        return _estimates(self, "gamma_gamma", ["p", "q", "gamma"], alpha)

    def summary(self) -> pd.DataFrame:
        """Parameter table plus the log-likelihood, sample size, mean spend and correlation as attributes."""
        out = self.tidy()
        out.attrs.update(log_likelihood=self.log_likelihood, n_customers=self.n_customers,
                         population_mean_spend=self.population_mean_spend(),
                         frequency_spend_corr=self.frequency_spend_corr)
        return out

    @property
    def notes(self) -> tuple[str, ...]:
        """The frequency-spend correlation (the model assumes none) and any fit problems."""
        out = [f"Correlation of repeat frequency and mean spend: {self.frequency_spend_corr:.2f} "
               f"(Gamma-Gamma assumes independence)"]
        return tuple(out + _fit_problems("Gamma-Gamma", self.converged, self.hessian_ok))

    def population_mean_spend(self) -> float:
        """E[Z] = p gamma / (q - 1) (infinite when q <= 1)."""
        p, q, g = (self.params[k] for k in ("p", "q", "gamma"))
        return p * g / (q - 1) if q > 1 else np.inf

    def conditional_expected_spend(self, frequency, monetary_value) -> np.ndarray:
        """E[M | x, z̄] = (q-1)/(px+q-1) * p*gamma/(q-1) + px/(px+q-1) * z̄ (Fader & Hardie 2013, eq. 5).

        Customers with ``x = 0`` get the population mean.
        """
        p, q, g = (self.params[k] for k in ("p", "q", "gamma"))
        x = np.asarray(frequency, float)
        z = np.asarray(monetary_value, float)
        return (p * (g + x * z)) / (p * x + q - 1)

    def plot(self, ax=None, *, data: pd.DataFrame | None = None, monetary_value: str = "monetary_value",
             frequency: str = "frequency"):
        """Observed distribution of mean spend (repeaters) vs the model's implied density."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        if data is None:
            raise ValueError("GammaGammaResult.plot needs the fitted data: pass data=...")
        z = data.loc[data[frequency] > 0, monetary_value].to_numpy(float)
        ax.hist(z, bins=50, density=True, alpha=0.6, label="observed mean spend")
        p, q, g = (self.params[k] for k in ("p", "q", "gamma"))
        # marginal of z-bar for the median frequency, as a visual check
        xm = float(np.median(data.loc[data[frequency] > 0, frequency]))
        grid = np.linspace(max(z.min(), 1e-9), np.quantile(z, 0.99), 300)
        dens = np.exp(_gg_log_density(grid, np.full_like(grid, xm), p, q, g))
        ax.plot(grid, dens, label=f"Gamma-Gamma (x = {xm:g})")
        ax.set_xlabel("mean spend per transaction")
        ax.set_ylabel("density")
        ax.legend()
        return ax


def _gg_log_density(z, x, p, q, g):
    """log f(z̄ | x; p, q, gamma) (Fader & Hardie 2013, eq. 4)."""
    return (special.gammaln(p * x + q) - special.gammaln(p * x) - special.gammaln(q) + q * np.log(g)
            + p * x * np.log(x) + (p * x - 1) * np.log(z) - (p * x + q) * np.log(g + x * z))


class GammaGamma:
    """Gamma-Gamma model of average spend per transaction.

    Notes
    -----
    For a customer with ``x`` transactions of mean value ``z̄``: ``z̄ | nu ~ Gamma(p x, nu x)``,
    ``nu ~ Gamma(q, gamma)``, so (Fader & Hardie 2013, eq. 4)

    .. math::
        f(\\bar z\\mid p,q,\\gamma,x) = \\frac{\\Gamma(px+q)}{\\Gamma(px)\\Gamma(q)}
        \\frac{\\gamma^q x^{px} \\bar z^{px-1}}{(\\gamma + x\\bar z)^{px+q}}

    Fitted on customers with ``x > 0`` and positive mean spend; the model assumes spend is
    independent of the purchase process (check the correlation of ``x`` and ``z̄``).
    Hand-written (see the module docstring for why).
    """

    def __init__(self, *, alpha: float = 0.05) -> None:
        self.alpha = alpha

    @staticmethod
    def negative_log_likelihood(params: Sequence[float], x: np.ndarray, z: np.ndarray) -> float:
        p, q, g = params
        if min(params) <= 0:
            return np.inf
        total = -float(np.sum(_gg_log_density(z, x, p, q, g)))
        return total if np.isfinite(total) else np.inf

    def fit(self, data: pd.DataFrame, *, frequency: str = "frequency",
            monetary_value: str = "monetary_value", x0: Sequence[float] = (1.0, 1.0, 1.0)) -> GammaGammaResult:
        """Fit by maximum likelihood on customers with ``frequency > 0``.

        Customers with ``frequency = 0`` (no repeat purchase) or non-positive mean spend carry no
        information on spend per transaction and are excluded with a :class:`DataWarning` count.
        """
        require_columns(data, [frequency, monetary_value], table="data", param="columns")
        require_numeric(data, [frequency, monetary_value], table="data")
        keep = (data[frequency] > 0) & (data[monetary_value] > 0)
        from bankcrm_research.data.validate import warn_dropped

        warn_dropped(int((~keep).sum()), len(data),
                     "with frequency = 0 or non-positive mean spend (Gamma-Gamma uses repeat buyers)",
                     table="data")
        df = data.loc[keep, [frequency, monetary_value]].astype(float)
        require_min_rows(df, 10, table="data (repeat buyers)", what="the Gamma-Gamma model")
        x = df[frequency].to_numpy()
        z = df[monetary_value].to_numpy()
        x0 = np.asarray(x0, float)
        x0[2] = max(x0[2], float(np.mean(z)))

        def negll(p):
            return self.negative_log_likelihood(p, x, z)

        fit = _ml_fit(negll, x0, ["p", "q", "gamma"])
        # the model assumes spend per transaction independent of purchase frequency
        corr = float(np.corrcoef(x, z)[0, 1]) if np.std(x) > 0 else np.nan
        if abs(corr) > 0.3:
            import warnings

            warnings.warn(
                f"Gamma-Gamma assumes mean spend independent of frequency; their correlation is {corr:.2f}. "
                "Expected spend (and CLV) of frequent buyers may be biased; fit by segment or report it.",
                DataWarning, stacklevel=2,
            )
        return GammaGammaResult(**fit, n_customers=len(df), frequency_spend_corr=corr)


# --------------------------------------------------------------------------------------------
# CLV
# --------------------------------------------------------------------------------------------


def customer_lifetime_value(
    data: pd.DataFrame,
    bgnbd: BGNBDResult,
    gamma_gamma: GammaGammaResult,
    *,
    horizon_months: int = 12,
    discount_rate: float = 0.10,
    time_unit_days: float = 7.0,
    margin: float = 1.0,
    frequency: str = "frequency",
    recency: str = "recency",
    T: str = "T",
    monetary_value: str = "monetary_value",
    customer_id: str | None = "customer_id",
) -> pd.DataFrame:
    """Expected transactions, P(alive) and discounted CLV per customer.

    Parameters
    ----------
    data : DataFrame
        One row per customer with frequency, recency, T (in units of ``time_unit_days`` days) and
        the mean spend per repeat transaction.
    bgnbd, gamma_gamma : fitted results
    horizon_months : int
        Prediction horizon in months.
    discount_rate : float
        ANNUAL discount rate (e.g. 0.10); converted to monthly ``(1+d)^(1/12) - 1``.
    time_unit_days : float
        Length of the time unit of frequency/recency/T in days (7 = weeks).
    margin : float
        Profit margin applied to spend (1 = revenue CLV).

    Returns
    -------
    DataFrame
        ``customer_id`` (if present), ``expected_transactions`` (over the horizon),
        ``p_alive``, ``expected_spend``, ``clv``.

    Notes
    -----
    Monthly discounting of the incremental expected transactions (as in Fader, Hardie & Lee 2005b):

    .. math::
        CLV = m\\,E[M] \\sum_{i=1}^{H} \\frac{E[Y(t_i)] - E[Y(t_{i-1})]}{(1+d_m)^i},
        \\quad t_i = i \\cdot \\text{month}
    """
    horizon_months = require_positive_int(horizon_months, param="horizon_months")
    if not isinstance(discount_rate, (int, float)) or not (0 <= discount_rate < 1):
        raise ValueError(f"The 'discount_rate' parameter must be an annual rate in [0, 1). Got {discount_rate!r} instead.")
    require_columns(data, [frequency, recency, T, monetary_value], table="data", param="columns")
    x, tx, TT = (data[c].to_numpy(float) for c in (frequency, recency, T))
    d_m = (1 + discount_rate) ** (1 / 12) - 1
    month = _DAYS_PER_MONTH / time_unit_days
    prev = np.zeros(len(data))
    clv_txn = np.zeros(len(data))
    for i in range(1, horizon_months + 1):
        cum = bgnbd.expected_transactions(i * month, x, tx, TT)
        clv_txn += (cum - prev) / (1 + d_m) ** i
        prev = cum
    spend = gamma_gamma.conditional_expected_spend(x, np.where(x > 0, data[monetary_value].to_numpy(float), 0.0))
    out = pd.DataFrame(
        {
            "expected_transactions": prev,
            "p_alive": bgnbd.probability_alive(x, tx, TT),
            "expected_spend": spend,
            "clv": margin * spend * clv_txn,
        },
        index=data.index,
    )
    if customer_id is not None and customer_id in data.columns:
        out.insert(0, "customer_id", data[customer_id].to_numpy())
    return out


def clv_by_group(clv: pd.DataFrame, group: pd.Series | np.ndarray, *, name: str = "group") -> pd.DataFrame:
    """Aggregate per-customer CLV to groups (safe to share: no row-level data).

    Returns
    -------
    DataFrame
        ``<name>, n_customers, mean_expected_transactions, mean_p_alive, mean_clv, total_clv,
        clv_share`` sorted by ``total_clv`` descending.
    """
    df = clv.assign(**{name: np.asarray(group)})
    g = df.groupby(name, observed=True)
    out = pd.DataFrame(
        {
            "n_customers": g.size(),
            "mean_expected_transactions": g["expected_transactions"].mean(),
            "mean_p_alive": g["p_alive"].mean(),
            "mean_clv": g["clv"].mean(),
            "total_clv": g["clv"].sum(),
        }
    ).reset_index()
    out["clv_share"] = out["total_clv"] / out["total_clv"].sum()
    return out.sort_values("total_clv", ascending=False).reset_index(drop=True)
