"""Hansen (1999) fixed-effects panel threshold regression: does an effect change above a threshold?

Model (one threshold; the double-threshold model adds a third regime)::

    y_it = μ_i + θ'z_it + β_1'x_it·1{q_it < γ} + β_2'x_it·1{q_it ≥ γ} + e_it

estimated by least squares after the within transformation, with γ chosen on a grid of quantiles
of ``q`` (Hansen 1999, "Threshold effects in non-dynamic panels: Estimation, testing, and
inference", J. Econometrics 93, 345-368):

* grid: the sorted distinct values of ``q`` at quantiles ``trim, trim + 1/n_grid, ..., 1 - trim``
  (393 points for ``trim = 0.01, n_grid = 400``);
* test of ``m-1`` vs ``m`` thresholds: ``F = (S_{m-1} - S_m) / σ̂²``, ``σ̂² = S_m / (N(T-1))``, with a
  fixed-regressor bootstrap p-value: residuals of the null model are resampled by unit (whole
  time-series blocks), added to its fitted values, and both models are re-estimated (thresholds
  re-searched) on each draw;
* CI for a threshold: ``{γ : LR(γ) < c(α)}``, ``LR(γ) = (S(γ) - S(γ̂)) / σ̂²``,
  ``c(α) = -2 log(1 - sqrt(1 - α))`` (7.35 at 95 %);
* double threshold: sequential search, then the first threshold is refined given the second
  (Bai 1997); grid points within ``trim · n_grid`` grid steps of a fixed threshold are excluded.

``demeaning="hansen"`` drops each unit's last within-demeaned row as Hansen's own code does (his
``tr`` procedure; N(T-1) observations), which reproduces his published numbers; the default
``"within"`` keeps all rows (the textbook FE estimator). Hand-written (no maintained Python
implementation); the search and bootstrap are vectorised over the grid because the candidate
regressors do not change across bootstrap draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from bankcrm_research.common.results import ResultMixin
from bankcrm_research.data.validate import (
    require_choice,
    require_columns,
    require_dataframe,
    require_numeric,
    require_positive_int,
    require_probability,
    warn_dropped,
)

__all__ = ["THRESHOLD_COLUMNS", "ThresholdResult", "panel_threshold", "lr_critical_value"]

THRESHOLD_COLUMNS = ["section", "term", "estimate", "std_error", "ci_low", "ci_high", "statistic", "p_value"]


def lr_critical_value(alpha: float = 0.05) -> float:
    """Hansen's (2000) asymptotic critical value of the threshold LR: ``-2 log(1 - sqrt(1 - alpha))``."""
    alpha = require_probability(alpha, param="alpha")
    return float(-2 * np.log(1 - np.sqrt(1 - alpha)))


@dataclass(frozen=True)
class ThresholdResult(ResultMixin):
    """Thresholds with LR CIs, sequential F tests with bootstrap p-values, regime coefficients."""

    table: pd.DataFrame
    lr_curves: pd.DataFrame
    thresholds: tuple[float, ...]
    n_units: int
    n_periods: int
    notes: tuple[str, ...] = field(default=())

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> pd.DataFrame:
        return self.table[self.table["section"].isin(["threshold", "test", "coefficient"])].copy()

    def plot(self, ax: Any = None, *, lang: str = "en") -> Any:
        """LR(γ) of each search stage with the critical value line (legend and axis in Chinese with ``lang="zh"``)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        zh = lang == "zh"
        stages_zh = {"single": "单门槛", "double: second threshold": "双门槛：第二门槛",
                     "double: refined first threshold": "双门槛：修正后的第一门槛"}
        for stage, g in self.lr_curves.groupby("stage", sort=False):
            ax.plot(g["gamma"], g["lr"], lw=1, label=stages_zh.get(str(stage), str(stage)) if zh else str(stage))
        ax.axhline(self.lr_curves["critical_value"].iloc[0], color="grey", ls="--", lw=0.8,
                   label="临界值" if zh else "critical value")
        ax.set_xlabel("门槛值 γ" if zh else "threshold γ")
        ax.set_ylabel("LR(γ)")
        ax.legend(frameon=False, fontsize=8)
        return ax


class _Panel:
    """Balanced panel in unit-major order with Hansen's within operator."""

    def __init__(self, n: int, t: int, drop_last: bool):
        self.n, self.t, self.drop_last = n, t, drop_last

    def tr(self, a: np.ndarray) -> np.ndarray:
        """Within-demean each unit's series (columns kept); optionally drop the last row per unit."""
        shape = a.shape[1:]
        if a.size == 0:
            return np.empty((self.n * self.rows_per_unit, *shape))
        r = a.reshape(self.n, self.t, *shape)
        r = r - r.mean(axis=1, keepdims=True)
        if self.drop_last:
            r = r[:, :-1]
        return r.reshape(-1, *shape)

    @property
    def rows_per_unit(self) -> int:
        return self.t - 1 if self.drop_last else self.t


def _resid(base: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Residuals of ``a`` (2-D, columns) on ``base``."""
    if base.shape[1] == 0:
        return a
    # normal equations with a pseudo-inverse: the base has few columns, so this is fast, and pinv
    # tolerates collinear columns (the projection is unique even when coefficients are not)
    return a - base @ (np.linalg.pinv(base.T @ base) @ (base.T @ a))


class _Search:
    """SSR(γ) over a grid with the base design fixed: vectorised over the grid and over y draws."""

    def __init__(self, panel: _Panel, base: np.ndarray, x: np.ndarray, q: np.ndarray, grid: np.ndarray):
        self.grid = grid
        n_obs, k = x.shape
        # candidate columns tr(x·1{q < γ}) for every γ: (N*, G, k)
        d = (q[:, None] < grid[None, :]).astype(float)
        w = panel.tr(x[:, None, :] * d[:, :, None])
        flat = w.reshape(w.shape[0], -1)
        self.base = base
        self.mw = _resid(base, flat).reshape(w.shape)  # M_B W
        cross = np.einsum("ngi,ngj->gij", self.mw, self.mw)
        # near-singular cells (a regime nearly empty) get a pseudo-inverse
        self.inv = np.linalg.pinv(cross)

    def ssr(self, yt: np.ndarray) -> tuple[np.ndarray, float]:
        """SSR(γ) for every grid point and the SSR of the base model, for one or many y (N*, R)."""
        y2 = yt if yt.ndim == 2 else yt[:, None]
        e0 = _resid(self.base, y2)
        s0 = (e0**2).sum(axis=0)
        mwe = np.einsum("ngi,nr->gri", self.mw, y2)
        red = np.einsum("gri,gij,grj->gr", mwe, self.inv, mwe)
        out = s0[None, :] - red
        return (out[:, 0], float(s0[0])) if yt.ndim == 1 else (out, s0)


def _grid(q: np.ndarray, trim: float, n_grid: int) -> np.ndarray:
    dd = np.unique(q)
    qnt = n_grid * trim
    sq = np.arange(trim, trim + (n_grid - 2 * qnt) / n_grid + 1e-12, 1 / n_grid)
    idx = np.floor(sq * len(dd)).astype(int) - 1  # Hansen's 1-based dd[floor(sq·n)]
    return dd[np.clip(idx, 0, len(dd) - 1)]


def _exclude_near(grid: np.ndarray, fixed: Sequence[float], trim: float, n_grid: int) -> np.ndarray:
    """Hansen's r_est: drop grid indices i (1-based) with nn - qnt <= i < nn + qnt around each fixed γ."""
    keep = np.ones(len(grid), bool)
    i = np.arange(1, len(grid) + 1)
    qnt = n_grid * trim
    for r in fixed:
        nn = int((grid < r).sum())
        keep &= ~((i >= nn - qnt) & (i < nn + qnt))
    return keep


def _regime_columns(panel: _Panel, x: np.ndarray, q: np.ndarray, gammas: Sequence[float]) -> np.ndarray:
    """tr(x·1{q < γ_j}) for each fixed threshold (the nested parameterisation Hansen searches in)."""
    if not gammas:
        return np.empty((panel.n * panel.rows_per_unit, 0))
    return np.hstack([panel.tr(x * (q < g)[:, None]) for g in sorted(gammas)])


def panel_threshold(
    data: pd.DataFrame,
    *,
    outcome: str,
    regime_regressors: Sequence[str],
    threshold_variable: str,
    controls: Sequence[str] = (),
    entity: str = "bank_id",
    time: str = "year",
    n_thresholds: Literal[1, 2] = 1,
    trim: float | Sequence[float] = 0.01,
    n_grid: int = 400,
    n_boot: int = 300,
    alpha: float = 0.05,
    demeaning: Literal["within", "hansen"] = "within",
    time_effects: bool = True,
    seed: int = 0,
) -> ThresholdResult:
    """Hansen (1999) single or double panel threshold model with bootstrap tests and LR CIs.

    Parameters
    ----------
    data : DataFrame
        Balanced long panel (unbalanced units are dropped with a warning).
    outcome : str
    regime_regressors : sequence of str
        ``x``: regressors whose slopes differ by regime (e.g. the internet-finance index).
    threshold_variable : str
        ``q``: e.g. ``log_assets`` or ``capital_ratio``.
    controls : sequence of str
        ``z``: regressors with one slope.
    entity, time : str
    n_thresholds : {1, 2}
    trim : float or (float, float)
        Share of grid quantiles trimmed at each end (and around a fixed threshold), per threshold.
    n_grid : int
        Number of quantiles in the grid (Hansen: 400).
    n_boot : int
        Bootstrap draws for each F test (0 = no test).
    alpha : float
        1 - confidence level of the threshold CI and the coefficient CIs.
    demeaning : {"within", "hansen"}
        See the module docstring.
    time_effects : bool
        Add period dummies to the controls (two-way FE). Hansen's (1999) model has unit effects only
        (``False``); with trending regressors such as an internet-finance index keep ``True``.
    seed : int

    Returns
    -------
    ThresholdResult
        ``section`` = ``threshold`` (γ̂ with LR CI), ``test`` (F statistic, bootstrap p-value,
        ``estimate`` holds the SSR under the alternative), ``critical`` (bootstrap 90/95/99 %
        critical values), ``coefficient`` (regime slopes and controls, White SEs as Hansen).
    """
    require_dataframe(data)
    regime_regressors, controls = list(regime_regressors), list(controls)
    if not regime_regressors:
        raise ValueError("The 'regime_regressors' parameter must name at least one column whose slope may change.")
    cols = [outcome, *regime_regressors, threshold_variable, *controls]
    require_columns(data, [*cols, entity, time], param="columns")
    require_numeric(data, cols)
    require_choice(n_thresholds, [1, 2], param="n_thresholds")
    require_choice(demeaning, ["within", "hansen"], param="demeaning")
    n_grid = require_positive_int(n_grid, param="n_grid", minimum=20)
    n_boot = require_positive_int(n_boot, param="n_boot", minimum=0)
    alpha = require_probability(alpha, param="alpha")
    trims = [float(trim)] * n_thresholds if np.isscalar(trim) else [float(v) for v in trim]  # type: ignore[arg-type]
    if len(trims) != n_thresholds or any(not 0 < v < 0.5 for v in trims):
        raise ValueError(f"The 'trim' parameter must be a number in (0, 0.5) or one per threshold "
                         f"({n_thresholds}). Got {trim!r} instead.")
    df = data[[entity, time, *dict.fromkeys(cols)]]
    n0 = len(df)
    df = df.dropna()
    warn_dropped(n0 - len(df), n0, f"with missing values in {sorted(set(cols))}")
    periods = np.sort(df[time].unique())
    full = df.groupby(entity)[time].transform("nunique") == len(periods)
    n0 = len(df)
    df = df[full]
    warn_dropped(n0 - len(df), n0, "of units not observed in every period (the threshold model needs a balanced panel)")
    df = df.sort_values([entity, time])
    n, t = df[entity].nunique(), len(periods)
    if n < 10 or t < 3:
        raise ValueError(f"The balanced panel has {n} units × {t} periods; the threshold model needs at least "
                         f"10 units and 3 periods.")
    panel = _Panel(n, t, drop_last=demeaning == "hansen")
    y = df[outcome].to_numpy(float)
    x = df[regime_regressors].to_numpy(float)
    z = df[controls].to_numpy(float) if controls else np.empty((len(df), 0))
    if time_effects:
        z = np.hstack([z, (df[time].to_numpy()[:, None] == periods[None, 1:]).astype(float)])
    q = df[threshold_variable].to_numpy(float)
    yt, xt, zt = panel.tr(y), panel.tr(x), panel.tr(z)
    ty = n * panel.rows_per_unit
    grid = _grid(q, trims[0], n_grid)
    base0 = np.hstack([zt, xt])
    crit = lr_critical_value(alpha)
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    curves = []

    def search(fixed: Sequence[float], trim_: float, yvec: np.ndarray, cache: dict | None = None):
        keep = _exclude_near(grid, fixed, trim_, n_grid) if fixed else np.ones(len(grid), bool)
        key = tuple(sorted(fixed))
        if cache is not None and key in cache:
            s = cache[key]
        else:
            s = _Search(panel, np.hstack([base0, _regime_columns(panel, x, q, fixed)]), x, q, grid[keep])
            if cache is not None:
                if len(cache) >= 12:  # each entry holds an N × G × k array: keep a few
                    del cache[next(k for k in cache if k != ())]
                cache[key] = s
        return s

    def boot_test(null_fixed: Sequence[float], trim_: float, s_alt: float, cache: dict) -> tuple[float, float, np.ndarray]:
        """Bootstrap F for (#null_fixed) vs (#null_fixed + 1) thresholds, Hansen's design."""
        base = np.hstack([base0, _regime_columns(panel, x, q, null_fixed)])
        coef = np.linalg.lstsq(base, yt, rcond=None)[0]
        fit = base @ coef
        e = (yt - fit).reshape(n, panel.rows_per_unit)
        s_null = float(((yt - fit) ** 2).sum())
        f_obs = (s_null / s_alt - 1) * ty
        if n_boot == 0:
            return f_obs, np.nan, np.array([])
        single = search([], trims[0], yt, cache)
        # all draws at once: the candidate regressors are fixed, only y changes
        yb = fit[:, None] + np.stack([e[rng.integers(0, n, n)].ravel() for _ in range(n_boot)], axis=1)
        ssr_b, s0_b = single.ssr(yb)
        if not null_fixed:
            draws = (s0_b / ssr_b.min(axis=0) - 1) * ty
        else:
            draws = np.empty(n_boot)
            g1_b = single.grid[np.argmin(ssr_b, axis=0)]
            for g1_ in np.unique(g1_b):  # draws that share a first threshold share the second search
                sel = np.flatnonzero(g1_b == g1_)
                ssr2, _ = search([float(g1_)], trim_, yt, cache).ssr(yb[:, sel])
                draws[sel] = (ssr_b[:, sel].min(axis=0) / ssr2.min(axis=0) - 1) * ty
        return f_obs, float((draws > f_obs).mean()), draws

    cache: dict = {}
    # --- single threshold ---------------------------------------------------------------------
    s1 = search([], trims[0], yt, cache)
    ssr1, s0 = s1.ssr(yt)
    i1 = int(np.argmin(ssr1))
    g1, S1 = float(s1.grid[i1]), float(ssr1[i1])
    lr1 = (ssr1 / S1 - 1) * ty
    curves.append(pd.DataFrame({"stage": "single", "gamma": s1.grid, "lr": lr1}))
    f1, p1, d1 = boot_test([], trims[0], S1, cache)
    thresholds = [g1]
    ci = {"single": (float(s1.grid[lr1 < crit].min()), float(s1.grid[lr1 < crit].max()))}
    rows.append({"section": "test", "term": "single_vs_linear", "estimate": S1, "statistic": f1, "p_value": p1})
    rows += _crit_rows("single_vs_linear", d1)
    if n_thresholds == 2:
        s2 = search([g1], trims[1], yt, cache)
        ssr2, _ = s2.ssr(yt)
        i2 = int(np.argmin(ssr2))
        g2, S2 = float(s2.grid[i2]), float(ssr2[i2])
        lr2 = (ssr2 / S2 - 1) * ty
        curves.append(pd.DataFrame({"stage": "double: second threshold", "gamma": s2.grid, "lr": lr2}))
        # refinement of the first threshold given the second
        s1r = search([g2], trims[1], yt, cache)
        ssr1r, _ = s1r.ssr(yt)
        i1r = int(np.argmin(ssr1r))
        g1r = float(s1r.grid[i1r])
        lr1r = (ssr1r / float(ssr1r[i1r]) - 1) * ty
        curves.append(pd.DataFrame({"stage": "double: refined first threshold", "gamma": s1r.grid, "lr": lr1r}))
        f2, p2, d2 = boot_test([g1], trims[1], S2, cache)
        rows.append({"section": "test", "term": "double_vs_single", "estimate": S2, "statistic": f2, "p_value": p2})
        rows += _crit_rows("double_vs_single", d2)
        thresholds = sorted([g1r, g2])
        ci["double_1"] = (float(s1r.grid[lr1r < crit].min()), float(s1r.grid[lr1r < crit].max()))
        ci["double_2"] = (float(s2.grid[lr2 < crit].min()), float(s2.grid[lr2 < crit].max()))
        rows.append({"section": "threshold", "term": "single", "estimate": g1, "ci_low": ci["single"][0],
                     "ci_high": ci["single"][1]})
        first, second = (g1r, g2)
        rows.append({"section": "threshold", "term": "double_first_refined", "estimate": first,
                     "ci_low": ci["double_1"][0], "ci_high": ci["double_1"][1]})
        rows.append({"section": "threshold", "term": "double_second", "estimate": second,
                     "ci_low": ci["double_2"][0], "ci_high": ci["double_2"][1]})
    else:
        rows.append({"section": "threshold", "term": "single", "estimate": g1, "ci_low": ci["single"][0],
                     "ci_high": ci["single"][1]})
    rows += _coefficients(panel, yt, zt, x, q, thresholds, regime_regressors, controls, alpha, ty, n)
    if time_effects:  # period dummies are nuisance parameters: not reported
        rows = [r for r in rows if not (r["section"] == "coefficient" and r["term"].startswith("_period_"))]
    table = pd.DataFrame(rows).reindex(columns=THRESHOLD_COLUMNS)
    lr = pd.concat(curves, ignore_index=True)
    lr["critical_value"] = crit
    notes = [
        f"Threshold search over {len(grid)} quantiles of {threshold_variable} (trim {trims[0]:g}), "
        f"{n} units × {t} periods, {demeaning} demeaning{' with period effects' if time_effects else ''}; F tests with {n_boot} fixed-regressor bootstrap draws.",
        f"Threshold CI: LR(γ) < {crit:.2f} (Hansen 2000; conservative under heteroskedasticity).",
    ]
    if n_boot and p1 > alpha:
        notes.append(f"The single-threshold test does not reject linearity at {alpha:g} (bootstrap p = {p1:.3f}); "
                     f"the regime slopes are then not distinguishable.")
    return ThresholdResult(table=table, lr_curves=lr, thresholds=tuple(thresholds), n_units=n, n_periods=t,
                           notes=tuple(notes))


def _crit_rows(term: str, draws: np.ndarray) -> list[dict[str, Any]]:
    if draws.size == 0:
        return []
    return [{"section": "critical", "term": f"{term}_{lvl}", "statistic": float(np.quantile(draws, lvl))}
            for lvl in (0.90, 0.95, 0.99)]


def _coefficients(panel, yt, zt, x, q, thresholds, regime_regressors, controls, alpha, ty, n) -> list[dict[str, Any]]:
    """Regime-specific slopes (and controls) with White standard errors, as Hansen reports."""
    cuts = [-np.inf, *sorted(thresholds), np.inf]
    cols, names = [zt], [*controls, *[f"_period_{j}" for j in range(zt.shape[1] - len(controls))]]
    for j in range(len(cuts) - 1):
        d = ((q >= cuts[j]) & (q < cuts[j + 1])).astype(float)
        cols.append(panel.tr(x * d[:, None]))
        lo = "" if j == 0 else f"{cuts[j]:.4g} ≤ "
        hi = "" if j == len(cuts) - 2 else f" < {cuts[j + 1]:.4g}"
        names += [f"{r} [{lo}q{hi}]" for r in regime_regressors]
    X = np.hstack(cols)
    xxi = np.linalg.pinv(X.T @ X)
    beta = xxi @ X.T @ yt
    e = yt - X @ beta
    meat = (X * e[:, None]).T @ (X * e[:, None])
    se = np.sqrt(np.diag(xxi @ meat @ xxi))
    zq = stats.norm.ppf(1 - alpha / 2)
    return [{"section": "coefficient", "term": nm, "estimate": b, "std_error": s, "ci_low": b - zq * s,
             "ci_high": b + zq * s, "statistic": b / s, "p_value": 2 * stats.norm.sf(abs(b / s))}
            for nm, b, s in zip(names, beta, se)]
