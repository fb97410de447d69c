"""Two-period, two-group DiD estimators for panels with covariates and their influence functions.

The building block of :func:`bankcrm_research.competition.staggered.callaway_santanna`: for one
(cohort, period) cell, the treated cohort ``D = 1`` and its controls ``D = 0``, outcome change
``ΔY = Y_t - Y_b`` and covariates ``X`` (with an intercept) from the base period:

* ``reg`` — outcome regression (Heckman, Ichimura & Todd 1997): ``ATT = E[ΔY - X'β̂₀ | D = 1]`` with
  ``β̂₀`` the OLS of ``ΔY`` on ``X`` among controls;
* ``dr`` — doubly robust (Sant'Anna & Zhao 2020, J. Econometrics 219(1), 101-122, the "traditional"
  panel estimator): inverse-propensity-weighted controls (logit ``p(X)``) applied to the
  outcome-regression residuals.

Both return the estimate and its influence function on the cell's units, written out as in the
DRDID R package (``reg_did_panel``, ``drdid_panel``), so that ``Var(ATT) = mean(ψ²)/n``. Without
covariates both reduce to the unconditional DiD of means.
"""

from __future__ import annotations

import numpy as np

__all__ = ["did_2x2"]


def _logit(X: np.ndarray, d: np.ndarray, max_iter: int = 100, tol: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """Logit MLE by Newton–Raphson: fitted probabilities and the inverse information (X'WX)^-1."""
    beta = np.zeros(X.shape[1])
    for _ in range(max_iter):
        p = 1 / (1 + np.exp(-(X @ beta)))
        w = p * (1 - p)
        info = X.T @ (X * w[:, None])
        step = np.linalg.solve(info, X.T @ (d - p))
        beta += step
        if np.max(np.abs(step)) < tol:
            break
    p = 1 / (1 + np.exp(-(X @ beta)))
    info = X.T @ (X * (p * (1 - p))[:, None])
    return p, np.linalg.inv(info)


def did_2x2(dy: np.ndarray, d: np.ndarray, X: np.ndarray, method: str) -> tuple[float, np.ndarray]:
    """ATT and influence function (length n) for one cell; ``X`` includes the intercept column."""
    n = len(dy)
    c = 1.0 - d
    XtX_c = (X * c[:, None]).T @ X
    beta = np.linalg.solve(XtX_c, (X * c[:, None]).T @ dy)
    out = X @ beta
    resid_c = c * (dy - out)
    lin_ols = (resid_c[:, None] * X) @ np.linalg.inv(XtX_c / n)  # asymptotic linear representation of β̂₀
    w_t = d
    if method == "reg":
        att_t = w_t * dy
        att_c = w_t * out
        eta_t, eta_c = att_t.mean() / w_t.mean(), att_c.mean() / w_t.mean()
        inf_t = (att_t - w_t * eta_t) / w_t.mean()
        inf_c1 = att_c - w_t * eta_c
        inf_c2 = lin_ols @ (w_t[:, None] * X).mean(axis=0)
        inf = inf_t - (inf_c1 + inf_c2) / w_t.mean()
        return float(eta_t - eta_c), inf
    if method != "dr":  # pragma: no cover - validated by the caller
        raise ValueError(method)
    ps, inv_info = _logit(X, d)
    ps = np.minimum(ps, 1 - 1e-6)
    w_c = ps * c / (1 - ps)
    att_t = w_t * (dy - out)
    att_c = w_c * (dy - out)
    eta_t, eta_c = att_t.mean() / w_t.mean(), att_c.mean() / w_c.mean()
    lin_ps = ((d - ps)[:, None] * X) @ (inv_info * n)
    inf_t = (att_t - w_t * eta_t - lin_ols @ (w_t[:, None] * X).mean(axis=0)) / w_t.mean()
    m2 = (w_c * (dy - out - eta_c))[:, None] * X
    inf_c = (att_c - w_c * eta_c + lin_ps @ m2.mean(axis=0)
             - lin_ols @ (w_c[:, None] * X).mean(axis=0)) / w_c.mean()
    return float(eta_t - eta_c), inf_t - inf_c
