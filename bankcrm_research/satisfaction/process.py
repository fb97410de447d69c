"""Conditional process analysis on observed scores, as Hayes's PROCESS macro: moderation
(model 1, simple slopes and the Johnson-Neyman region), mediation (model 4, percentile bootstrap
CI of the indirect effect) and moderated mediation (models 7 and 14, index of moderated mediation).

The variables are observed composites (e.g. mean item scores or PLS construct scores), each
equation is OLS, and indirect effects are products of coefficients whose uncertainty comes from a
seeded nonparametric bootstrap of respondents (PROCESS's default since version 3: percentile
intervals). Hand-written (statsmodels has no moderated mediation or JN region); checked against pyprocessmacro.

Reference: Hayes, A. F. (2022). *Introduction to Mediation, Moderation, and Conditional Process
Analysis* (3rd ed.). Guilford. Model templates: models 1, 4, 7, 14.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from bankcrm_research.common.results import ResultMixin
from bankcrm_research.data.validate import require_columns, require_dataframe, require_positive_int, require_probability

__all__ = ["moderation", "mediation", "moderated_mediation", "ModerationResult", "MediationResult", "johnson_neyman"]

Probe = Literal["meansd", "percentiles"]
_COLS = ["section", "term", "w_value", "estimate", "se", "t", "p_value", "ci_low", "ci_high"]


def _ols(X: np.ndarray, y: np.ndarray, *, hc3: bool = False) -> tuple[np.ndarray, np.ndarray, float]:
    """Coefficients, their covariance (classical or HC3) and R² of ``y`` on ``X`` (X has the intercept)."""
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    n, k = X.shape
    xtx_inv = np.linalg.inv(X.T @ X)
    if hc3:
        h = np.einsum("ij,jk,ik->i", X, xtx_inv, X)
        meat = X.T @ (X * (resid / (1 - h))[:, None] ** 2)
        cov = xtx_inv @ meat @ xtx_inv
    else:
        cov = xtx_inv * (resid @ resid) / (n - k)
    r2 = 1 - (resid @ resid) / np.sum((y - y.mean()) ** 2)
    return beta, cov, float(r2)


def _prepare(data: pd.DataFrame, cols: Sequence[str], what: str) -> pd.DataFrame:
    require_dataframe(data)
    cols = list(dict.fromkeys(cols))
    require_columns(data, cols)
    sub = data[cols]
    bad = [c for c in cols if not pd.api.types.is_numeric_dtype(sub[c])]
    if bad:
        raise TypeError(f"{what}: columns {bad} must be numeric scores; found {[str(sub[c].dtype) for c in bad]}; "
                        "code categories as 0/1 or compute composite scores first")
    miss = sub.isna().any(axis=1)
    if miss.any():
        warnings.warn(f"{what}: {int(miss.sum())} rows with missing values in {cols} were left out", UserWarning, stacklevel=3)
        sub = sub[~miss]
    if len(sub) < len(cols) + 10:
        raise ValueError(f"{what}: {len(sub)} complete rows for {len(cols)} variables; need at least {len(cols) + 10}")
    return sub.astype(float)


def _probe_values(w: np.ndarray, probe: Probe) -> np.ndarray:
    """Mean - SD, mean, mean + SD (sample SD), or PROCESS's 16th/50th/84th percentiles at p(n+1)."""
    if probe == "meansd":
        m, s = w.mean(), w.std(ddof=1)
        return np.array([m - s, m, m + s])
    if probe == "percentiles":
        x = np.sort(w)
        n = len(x)
        out = []
        for p in (0.16, 0.50, 0.84):
            pos = min(max(p * (n + 1), 1), n)
            lo = int(np.floor(pos))
            out.append(x[lo - 1] + (pos - lo) * (x[min(lo, n - 1)] - x[lo - 1]))
        return np.array(out)
    raise ValueError(f"probe must be 'meansd' or 'percentiles'; found {probe!r}")


def johnson_neyman(b1: float, b3: float, v11: float, v33: float, v13: float, t_crit: float) -> np.ndarray:
    """Values of W where the conditional effect ``b1 + b3 W`` is exactly significant.

    Solves :math:`(b_1 + b_3 W)^2 = t^2_{crit}(v_{11} + 2Wv_{13} + W^2 v_{33})`, a quadratic in W
    (Johnson & Neyman 1936; Hayes & Matthes 2009). Returns 0, 1 or 2 sorted real roots.
    """
    t2 = t_crit**2
    a = b3**2 - t2 * v33
    b = 2 * (b1 * b3 - t2 * v13)
    c = b1**2 - t2 * v11
    if abs(a) < 1e-15:
        return np.array([-c / b]) if abs(b) > 1e-15 else np.array([])
    disc = b * b - 4 * a * c
    if disc < 0:
        return np.array([])
    r = np.sqrt(disc)
    return np.sort(np.array([(-b - r) / (2 * a), (-b + r) / (2 * a)]))


@dataclass(frozen=True)
class ModerationResult(ResultMixin):
    """Hayes model 1: ``y = b0 + b1 x + b2 w + b3 x w (+ covariates)``."""

    x: str
    w: str
    y: str
    n: int
    coefficients: pd.DataFrame
    conditional: pd.DataFrame
    jn_boundaries: tuple[float, ...]
    w_range: tuple[float, float]
    r2: float
    r2_change: float
    alpha: float
    _vcov: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0)))
    _jn_share: tuple[float, ...] = ()

    def tidy(self) -> pd.DataFrame:
        """Coefficients, conditional effects at the probe values and the JN boundaries (long)."""
        coef = self.coefficients.assign(section="coefficient", w_value=np.nan)
        cond = self.conditional.assign(section="conditional_effect", term=f"{self.x} | {self.w}")
        jn = pd.DataFrame({"section": "johnson_neyman", "term": "boundary", "w_value": list(self.jn_boundaries)})
        return pd.concat([coef, cond, jn], ignore_index=True).reindex(columns=_COLS)

    def summary(self) -> pd.DataFrame:
        return self.tidy()[lambda t: t["section"] != "johnson_neyman"].reset_index(drop=True)

    def effect_at(self, w_values: Sequence[float] | np.ndarray) -> pd.DataFrame:
        """Conditional effect of x, its SE and CI at any values of w."""
        return _conditional_table(self.coefficients, self._vcov, np.asarray(w_values, float), self.n, self.alpha)

    @property
    def notes(self) -> tuple[str, ...]:
        c = self.coefficients.set_index("term")
        inter = c.loc[f"{self.x}:{self.w}"]
        out = [f"Interaction {self.x} x {self.w} on {self.y}: b = {inter.estimate:.3f}, p = {inter.p_value:.3g} "
               f"(R² change {self.r2_change:.3f}, n = {self.n})."]
        if self.jn_boundaries:
            b = ", ".join(f"{v:.3f}" for v in self.jn_boundaries)
            out.append(f"Johnson-Neyman: the effect of {self.x} changes significance (alpha {self.alpha:g}) at "
                       f"{self.w} = {b}, inside the observed range [{self.w_range[0]:.3f}, {self.w_range[1]:.3f}].")
        else:
            sig = bool((self.effect_at([self.w_range[0]])["p_value"] < self.alpha).iloc[0])
            out.append(f"Johnson-Neyman: no boundary inside the observed range of {self.w}; the effect of {self.x} is "
                       + ("significant" if sig else "not significant") + " over the whole range.")
        return tuple(out)

    def plot(self, ax=None):  # noqa: ANN001, ANN201
        """Conditional effect of x across w with its confidence band and the JN boundaries."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        grid = np.linspace(*self.w_range, 200)
        e = self.effect_at(grid)
        ax.plot(grid, e["estimate"], color="C0", label=f"effect of {self.x}")
        ax.fill_between(grid, e["ci_low"], e["ci_high"], color="C0", alpha=0.2, label=f"{1 - self.alpha:.0%} CI")
        ax.axhline(0, color="black", lw=0.6)
        for b in self.jn_boundaries:
            ax.axvline(b, color="C3", ls="--", lw=0.8)
        ax.set_xlabel(self.w)
        ax.set_ylabel(f"conditional effect of {self.x} on {self.y}")
        ax.legend()
        return ax


def _conditional_table(coef: pd.DataFrame, vcov: np.ndarray, w: np.ndarray, n: int, alpha: float) -> pd.DataFrame:
    b1, b3 = coef["estimate"].iloc[1], coef["estimate"].iloc[3]
    v11, v33, v13 = vcov[1, 1], vcov[3, 3], vcov[1, 3]
    est = b1 + b3 * w
    se = np.sqrt(v11 + w**2 * v33 + 2 * w * v13)
    df = n - vcov.shape[0]
    t = est / se
    tc = stats.t.ppf(1 - alpha / 2, df)
    return pd.DataFrame({"w_value": w, "estimate": est, "se": se, "t": t, "p_value": 2 * stats.t.sf(np.abs(t), df),
                         "ci_low": est - tc * se, "ci_high": est + tc * se})


def _coef_table(names: list[str], beta: np.ndarray, cov: np.ndarray, df: int, alpha: float) -> pd.DataFrame:
    """OLS coefficient table with t-based p-values and CIs."""
    se = np.sqrt(np.diag(cov))
    t = beta / se
    tc = stats.t.ppf(1 - alpha / 2, df)
    return pd.DataFrame({"term": names, "estimate": beta, "se": se, "t": t, "p_value": 2 * stats.t.sf(np.abs(t), df),
                         "ci_low": beta - tc * se, "ci_high": beta + tc * se})


def moderation(
    data: pd.DataFrame,
    *,
    x: str,
    w: str,
    y: str,
    covariates: Sequence[str] = (),
    center: bool = False,
    probe: Probe = "meansd",
    alpha: float = 0.05,
    hc3: bool = False,
) -> ModerationResult:
    """Hayes model 1: does ``w`` moderate the effect of ``x`` on ``y``?

    Parameters
    ----------
    data : DataFrame
        One row per respondent with numeric scores.
    x, w, y : str
        Focal predictor, moderator, outcome.
    covariates : sequence of str
        Added to the equation.
    center : bool
        Mean-centre x and w before forming the product (PROCESS ``center = 1``); probe values
        are then in the centred metric.
    probe : {"meansd", "percentiles"}
        Mean and ±1 SD of w (PROCESS 2, ``moments = 1``) or its 16th/50th/84th percentiles (PROCESS 3+).
    alpha : float
        1 - confidence level.
    hc3 : bool
        HC3 heteroskedasticity-consistent standard errors (PROCESS ``hc = 3``).

    Notes
    -----
    :math:`\\theta_{X\\to Y}(W) = b_1 + b_3 W`, :math:`se = \\sqrt{V_{11} + W^2 V_{33} + 2WV_{13}}`,
    t with n - k df. The R² change is that of adding the product term. The Johnson-Neyman
    boundaries are the roots of :func:`johnson_neyman` inside the observed range of w.
    In Python: ``pyprocessmacro.Process(data, model=1, x=x, m=w, y=y)`` (its model 1 calls the
    moderator ``m``).
    """
    require_probability(alpha, param="alpha")
    d = _prepare(data, [x, w, y, *covariates], "moderation")
    xv, wv, yv = d[x].to_numpy(), d[w].to_numpy(), d[y].to_numpy()
    if center:
        xv, wv = xv - xv.mean(), wv - wv.mean()
    cov_m = d[list(covariates)].to_numpy() if covariates else np.empty((len(d), 0))
    X = np.column_stack([np.ones(len(d)), xv, wv, xv * wv, cov_m])
    names = ["constant", x, w, f"{x}:{w}", *covariates]
    beta, vcov, r2 = _ols(X, yv, hc3=hc3)
    _, _, r2_reduced = _ols(np.delete(X, 3, axis=1), yv)
    n = len(d)
    coef = _coef_table(names, beta, vcov, n - X.shape[1], alpha)
    cond = _conditional_table(coef, vcov, _probe_values(wv, probe), n, alpha)
    tc = stats.t.ppf(1 - alpha / 2, n - X.shape[1])
    roots = johnson_neyman(beta[1], beta[3], vcov[1, 1], vcov[3, 3], vcov[1, 3], tc)
    lo, hi = float(wv.min()), float(wv.max())
    inside = tuple(float(r) for r in roots if lo <= r <= hi)
    return ModerationResult(x, w, y, n, coef, cond, inside, (lo, hi), r2, r2 - r2_reduced, alpha, vcov)


@dataclass(frozen=True)
class MediationResult(ResultMixin):
    """Hayes model 4, 7 or 14: paths, direct effect, (conditional) indirect effects and the index.

    Attributes
    ----------
    paths : DataFrame
        equation (the outcome: m or y), term, estimate, se, t, p_value, ci_low, ci_high (OLS).
    effects : DataFrame
        effect ("indirect", "direct", "total", "index_of_moderated_mediation"), w_value, estimate,
        boot_se, ci_low, ci_high (bootstrap percentile for indirect effects and the index; OLS t
        interval for the direct and total effects).
    boot_draws : DataFrame
        The bootstrap draws of the coefficients that indirect effects are built from.
    """

    model: int
    x: str
    m: str
    y: str
    w: str | None
    n: int
    paths: pd.DataFrame
    effects: pd.DataFrame
    boot_draws: pd.DataFrame
    boot: int
    seed: int | None
    alpha: float
    w_range: tuple[float, float] = (np.nan, np.nan)

    def tidy(self) -> pd.DataFrame:
        """The effects table (single source of the headline numbers) followed by the path coefficients."""
        p = self.paths.assign(section="path", effect=lambda t: t["equation"] + " ~ " + t["term"], w_value=np.nan,
                              boot_se=np.nan)
        e = self.effects.assign(section="effect")
        cols = ["section", "effect", "w_value", "estimate", "se", "boot_se", "p_value", "ci_low", "ci_high"]
        return pd.concat([e, p], ignore_index=True).reindex(columns=cols)

    def summary(self) -> pd.DataFrame:
        return self.effects.copy()

    def _conditional(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Point and bootstrap draws of the conditional indirect effect at w (models 7, 14)."""
        pe = self.paths.set_index(["equation", "term"])["estimate"]
        bd = self.boot_draws
        if self.model == 7:
            a1, a3, b = pe[(self.m, self.x)], pe[(self.m, f"{self.x}:{self.w}")], pe[(self.y, self.m)]
            point = (a1 + a3 * w) * b
            draws = (bd["a1"].to_numpy()[:, None] + bd["a3"].to_numpy()[:, None] * w) * bd["b"].to_numpy()[:, None]
        else:
            a, b1, b3 = pe[(self.m, self.x)], pe[(self.y, self.m)], pe[(self.y, f"{self.m}:{self.w}")]
            point = a * (b1 + b3 * w)
            draws = bd["a"].to_numpy()[:, None] * (bd["b1"].to_numpy()[:, None] + bd["b3"].to_numpy()[:, None] * w)
        return point, draws

    @property
    def notes(self) -> tuple[str, ...]:
        e = self.effects
        lv = f"{1 - self.alpha:.0%}"
        out = []
        if self.model == 4:
            ind = e[e["effect"] == "indirect"].iloc[0]
            sig = not (ind.ci_low <= 0 <= ind.ci_high)
            out.append(f"Indirect effect of {self.x} on {self.y} through {self.m}: {ind.estimate:.3f} "
                       f"({lv} percentile bootstrap CI [{ind.ci_low:.3f}, {ind.ci_high:.3f}], {self.boot} resamples); "
                       + ("the CI excludes 0: mediation is supported." if sig else "the CI includes 0: no evidence of mediation."))
        else:
            idx = e[e["effect"] == "index_of_moderated_mediation"].iloc[0]
            sig = not (idx.ci_low <= 0 <= idx.ci_high)
            where = f"{self.x} -> {self.m}" if self.model == 7 else f"{self.m} -> {self.y}"
            out.append(f"Index of moderated mediation (model {self.model}, {self.w} moderating {where}): "
                       f"{idx.estimate:.3f} ({lv} CI [{idx.ci_low:.3f}, {idx.ci_high:.3f}]); "
                       + ("the indirect effect depends on " + self.w + "." if sig
                          else f"no evidence that the indirect effect depends on {self.w}."))
        d = e[e["effect"] == "direct"].iloc[0]
        out.append(f"Direct effect of {self.x} on {self.y}: {d.estimate:.3f} (p = {d.p_value:.3g}); n = {self.n}.")
        return tuple(out)

    def plot(self, ax=None):  # noqa: ANN001, ANN201
        """Model 4: indirect, direct and total effects with CIs. Models 7/14: the conditional indirect
        effect across w with its bootstrap percentile band."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        q = (self.alpha / 2, 1 - self.alpha / 2)
        if self.model == 4:
            e = self.effects.set_index("effect").loc[["indirect", "direct", "total"]]
            y = np.arange(3)[::-1]
            ax.errorbar(e["estimate"], y, xerr=[e["estimate"] - e["ci_low"], e["ci_high"] - e["estimate"]], fmt="o")
            ax.set_yticks(y, e.index)
            ax.axvline(0, color="black", lw=0.6)
            ax.set_xlabel(f"effect of {self.x} on {self.y}")
            return ax
        grid = np.linspace(*self.w_range, 100)
        point, draws = self._conditional(grid)
        ax.plot(grid, point, color="C0", label="conditional indirect effect")
        ax.fill_between(grid, *np.quantile(draws, q, axis=0), color="C0", alpha=0.2, label="bootstrap CI")
        ax.axhline(0, color="black", lw=0.6)
        ax.set_xlabel(self.w)
        ax.set_ylabel(f"indirect effect of {self.x} via {self.m}")
        ax.legend()
        return ax


def _boot_row(effect: str, w_value: float, estimate: float, draws: np.ndarray, alpha: float) -> dict[str, float | str]:
    """An effects-table row with the bootstrap SE and percentile CI of ``draws``."""
    lo, hi = np.quantile(draws, [alpha / 2, 1 - alpha / 2])
    return {"effect": effect, "w_value": w_value, "estimate": estimate, "se": np.nan, "boot_se": float(draws.std(ddof=1)),
            "p_value": np.nan, "ci_low": float(lo), "ci_high": float(hi)}


def mediation(
    data: pd.DataFrame,
    *,
    x: str,
    m: str,
    y: str,
    covariates: Sequence[str] = (),
    boot: int = 5000,
    seed: int | None = 20130613,
    alpha: float = 0.05,
) -> MediationResult:
    """Hayes model 4: the indirect effect of ``x`` on ``y`` through ``m``.

    Notes
    -----
    :math:`M = i_M + aX`, :math:`Y = i_Y + c'X + bM`; indirect :math:`ab`, total :math:`c = c' + ab`
    (the OLS coefficient of Y on X alone, same covariates). The CI of :math:`ab` is the percentile
    interval of ``boot`` nonparametric bootstrap resamples of rows (seeded). Covariates enter both
    equations. In Python: ``pyprocessmacro.Process(data, model=4, x=x, m=[m], y=y, percent=True)``.
    """
    return _process(4, data, x=x, m=m, y=y, w=None, covariates=covariates, boot=boot, seed=seed, alpha=alpha,
                    probe="meansd")


def moderated_mediation(
    data: pd.DataFrame,
    *,
    x: str,
    m: str,
    y: str,
    w: str,
    model: Literal[7, 14] = 7,
    covariates: Sequence[str] = (),
    probe: Probe = "meansd",
    boot: int = 5000,
    seed: int | None = 20130613,
    alpha: float = 0.05,
) -> MediationResult:
    """Hayes model 7 (``w`` moderates x -> m) or 14 (``w`` moderates m -> y).

    Notes
    -----
    Model 7: :math:`M = i + a_1X + a_2W + a_3XW`, :math:`Y = i + c'X + bM`; conditional indirect
    effect :math:`(a_1 + a_3W)b`, index of moderated mediation :math:`a_3b`.
    Model 14: :math:`M = i + aX`, :math:`Y = i + c'X + b_1M + b_2W + b_3MW`; conditional indirect
    :math:`a(b_1 + b_3W)`, index :math:`ab_3` (Hayes 2015, *Multivariate Behavioral Research*
    50(1), 1-22). Percentile bootstrap CIs (seeded). In Python:
    ``pyprocessmacro.Process(data, model=7, x=x, m=[m], w=w, y=y, percent=True)``; model 14 names
    the moderator ``v`` there.
    """
    if model not in (7, 14):
        raise ValueError(f"model must be 7 or 14; found {model!r}")
    return _process(model, data, x=x, m=m, y=y, w=w, covariates=covariates, boot=boot, seed=seed, alpha=alpha,
                    probe=probe)


def _process(model: int, data: pd.DataFrame, *, x: str, m: str, y: str, w: str | None, covariates: Sequence[str],
             boot: int, seed: int | None, alpha: float, probe: Probe) -> MediationResult:
    require_probability(alpha, param="alpha")
    require_positive_int(boot, param="boot", minimum=100)
    cols = [x, m, y, *([w] if w else []), *covariates]
    if len(set(cols)) != len(cols):
        raise ValueError(f"x, m, y, w and covariates must be distinct columns; found {cols}")
    d = _prepare(data, cols, f"model {model}")
    n = len(d)
    one = np.ones(n)
    cv = d[list(covariates)].to_numpy() if covariates else np.empty((n, 0))
    xv, mv, yv = d[x].to_numpy(), d[m].to_numpy(), d[y].to_numpy()
    wv = d[w].to_numpy() if w else None
    if model == 7:
        Xm = np.column_stack([one, xv, wv, xv * wv, cv])
        m_names = ["constant", x, w, f"{x}:{w}", *covariates]
        Xy = np.column_stack([one, xv, mv, cv])
        y_names = ["constant", x, m, *covariates]
    elif model == 14:
        Xm = np.column_stack([one, xv, cv])
        m_names = ["constant", x, *covariates]
        Xy = np.column_stack([one, xv, mv, wv, mv * wv, cv])
        y_names = ["constant", x, m, w, f"{m}:{w}", *covariates]
    else:
        Xm = np.column_stack([one, xv, cv])
        m_names = ["constant", x, *covariates]
        Xy = np.column_stack([one, xv, mv, cv])
        y_names = ["constant", x, m, *covariates]
    bm, vm, _ = _ols(Xm, mv)
    by, vy, _ = _ols(Xy, yv)
    paths = pd.concat([_coef_table(m_names, bm, vm, n - Xm.shape[1], alpha).assign(equation=m),
                       _coef_table(y_names, by, vy, n - Xy.shape[1], alpha).assign(equation=y)], ignore_index=True)
    paths = paths[["equation", "term", "estimate", "se", "t", "p_value", "ci_low", "ci_high"]]

    def coefs(bm_: np.ndarray, by_: np.ndarray) -> dict[str, float]:
        if model == 7:
            return {"a1": bm_[1], "a3": bm_[3], "b": by_[2]}
        if model == 14:
            return {"a": bm_[1], "b1": by_[2], "b3": by_[4]}
        return {"a": bm_[1], "b": by_[2]}

    draws = []
    for idx in np.random.default_rng(seed).integers(0, n, size=(boot, n)):
        b1_, *_ = np.linalg.lstsq(Xm[idx], mv[idx], rcond=None)
        b2_, *_ = np.linalg.lstsq(Xy[idx], yv[idx], rcond=None)
        draws.append(coefs(b1_, b2_))
    bd = pd.DataFrame(draws)
    point = coefs(bm, by)
    tc = stats.t.ppf(1 - alpha / 2, n - Xy.shape[1])
    direct = {"effect": "direct", "w_value": np.nan, "estimate": by[1], "se": np.sqrt(vy[1, 1]), "boot_se": np.nan,
              "p_value": 2 * stats.t.sf(abs(by[1] / np.sqrt(vy[1, 1])), n - Xy.shape[1]),
              "ci_low": by[1] - tc * np.sqrt(vy[1, 1]), "ci_high": by[1] + tc * np.sqrt(vy[1, 1])}
    rows = []
    w_range = (np.nan, np.nan)
    if model == 4:
        ab = point["a"] * point["b"]
        ab_draws = (bd["a"] * bd["b"]).to_numpy()
        rows.append(_boot_row("indirect", np.nan, ab, ab_draws, alpha))
        rows.append(direct)
        Xt = np.column_stack([one, xv, cv])
        bt, vt, _ = _ols(Xt, yv)
        se_t = np.sqrt(vt[1, 1])
        tct = stats.t.ppf(1 - alpha / 2, n - Xt.shape[1])
        rows.append({"effect": "total", "w_value": np.nan, "estimate": bt[1], "se": se_t, "boot_se": np.nan,
                     "p_value": 2 * stats.t.sf(abs(bt[1] / se_t), n - Xt.shape[1]),
                     "ci_low": bt[1] - tct * se_t, "ci_high": bt[1] + tct * se_t})
    else:
        if model == 7:
            index, index_draws = point["a3"] * point["b"], (bd["a3"] * bd["b"]).to_numpy()
        else:
            index, index_draws = point["a"] * point["b3"], (bd["a"] * bd["b3"]).to_numpy()
        w_range = (float(wv.min()), float(wv.max()))
        result = MediationResult(model, x, m, y, w, n, paths, pd.DataFrame(), bd, boot, seed, alpha, w_range)
        probes = _probe_values(wv, probe)
        pt, dr = result._conditional(probes)
        for k, wval in enumerate(probes):
            rows.append(_boot_row("conditional_indirect", wval, pt[k], dr[:, k], alpha))
        rows.append(_boot_row("index_of_moderated_mediation", np.nan, index, index_draws, alpha))
        rows.append(direct)
    effects = pd.DataFrame(rows)[["effect", "w_value", "estimate", "se", "boot_se", "p_value", "ci_low", "ci_high"]]
    return MediationResult(model, x, m, y, w, n, paths, effects, bd, boot, seed, alpha, w_range)
