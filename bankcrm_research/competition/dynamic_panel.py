"""Dynamic panel GMM for persistent bank outcomes (e.g. NIM): Arellano–Bond and Blundell–Bond.

Model::

    y_it = Σ_l ρ_l y_{i,t-l} + Σ_k Σ_{j ∈ lags_k} β_kj x_{k,i,t-j} + λ_t + μ_i + ε_it

* **difference GMM** (Arellano & Bond 1991, REStud 58(2), 277-297): first differences remove μ_i;
  ``y`` (and any variable listed in ``gmm_instruments``) is instrumented GMM-style by its levels
  lagged ``a..b`` periods, one column per (period, lag) or, with ``collapse=True``, one column per
  lag (Roodman 2009, OBES 71(1)); strictly exogenous regressors instrument themselves in
  differences; period dummies are regressors and instruments.
* **system GMM** (Blundell & Bond 1998, J. Econometrics 87(1), 115-143): adds the level equations
  instrumented by the lag ``a-1`` first difference of each GMM variable.
* one step with ``H`` = tridiagonal (2, -1) for the differenced block (identity for the level block),
  robust SEs; two step with the optimal weight from the one-step residuals and Windmeijer (2005,
  J. Econometrics 126(1)) corrected SEs;
* Arellano–Bond AR(m) tests on the differenced residuals and Hansen's J over-identification test
  (``(Σ Z_i'ê_i)' Ŵ (Σ Z_i'ê_i)``, the weight of the last step), instrument count reported.

Unbalanced panels follow plm's ``pgmm``: every unit gets every equation period and missing rows
are zero-filled, so they contribute nothing. Tested against R ``plm::pgmm`` 2.6 on the
Arellano–Bond EmplUK data (script and outputs in ``tests/reference/competition``).

Hand-written: ``pydynpd`` 0.2.2 fails on numpy 2 (``np.in1d``, scalar conversion) and
``panelbox`` 1.0.2 matches plm's coefficients and Windmeijer SEs but not its instrument count, AR
tests or Hansen-test degrees of freedom.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from bankcrm_research.common.results import ResultMixin
from bankcrm_research.competition.display_names import term_label
from bankcrm_research.data.validate import (
    require_choice,
    require_columns,
    require_dataframe,
    require_numeric,
    require_probability,
)

__all__ = ["GMM_COLUMNS", "GMMResult", "dynamic_panel_gmm"]

GMM_COLUMNS = ["section", "term", "estimate", "std_error", "ci_low", "ci_high", "statistic", "p_value", "df"]


@dataclass(frozen=True)
class GMMResult(ResultMixin):
    """Coefficients (``section = "coefficient"``) and tests (``"test"``: ar1, ar2, hansen_j;
    ``"info"``: n_instruments, n_groups, n_obs)."""

    table: pd.DataFrame
    method: str
    steps: int
    notes: tuple[str, ...] = field(default=())

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> pd.DataFrame:
        t = self.table
        return t[(t["section"] != "coefficient") | ~t["term"].str.startswith("period_")].copy()

    def value(self, term: str) -> float:
        """Estimate (coefficients) or statistic (tests, counts) of one term."""
        row = self.table[self.table["term"] == term]
        if row.empty:
            raise ValueError(f"no term {term!r}; found {list(self.table['term'])}.")
        r = row.iloc[0]
        return float(r["estimate"] if r["section"] == "coefficient" else r["statistic"])

    def plot(self, ax: Any = None, *, lang: str = "en") -> Any:
        """Coefficients (without period effects) with CIs (term names and title in Chinese with ``lang="zh"``)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3))
        c = self.table[(self.table["section"] == "coefficient") & ~self.table["term"].str.startswith("period_")]
        y = np.arange(len(c))[::-1]
        ax.errorbar(c["estimate"], y, xerr=[c["estimate"] - c["ci_low"], c["ci_high"] - c["estimate"]], fmt="o",
                    capsize=3)
        if lang == "zh":
            ax.set_yticks(y, [term_label(str(t), lang) for t in c["term"]])
            ax.set_title(f"{'差分' if self.method == 'difference' else '系统'}GMM（{self.steps}步）", fontsize=9)
        else:
            ax.set_yticks(y, c["term"])
            ax.set_title(f"{self.method} GMM, {self.steps}-step", fontsize=9)
        ax.axvline(0, color="grey", lw=0.8)
        return ax


def _lagname(v: str, j: int) -> str:
    return v if j == 0 else f"L{j}.{v}"


def dynamic_panel_gmm(
    data: pd.DataFrame,
    *,
    outcome: str,
    lags: Sequence[int] = (1,),
    regressors: Mapping[str, Sequence[int]] | None = None,
    gmm_instruments: Mapping[str, tuple[int, int | None]] | None = None,
    entity: str = "bank_id",
    time: str = "year",
    method: Literal["difference", "system"] = "difference",
    steps: Literal[1, 2] = 2,
    collapse: bool = False,
    time_effects: bool = True,
    alpha: float = 0.05,
) -> GMMResult:
    """Arellano–Bond difference GMM or Blundell–Bond system GMM.

    Parameters
    ----------
    data : DataFrame
        Long panel with integer, consecutive periods in ``time``.
    outcome : str
    lags : sequence of int
        Lags of ``outcome`` on the right-hand side (e.g. ``(1, 2)``).
    regressors : mapping
        ``{column: lags}``, e.g. ``{"lwage": [0, 1], "lcapital": [0]}``.
    gmm_instruments : mapping
        ``{column: (first_lag, last_lag or None)}`` instrumented GMM-style (the outcome is always
        included, default ``(2, None)``). Regressors not listed are strictly exogenous: they
        instrument themselves (in differences; in system GMM also in levels for the level
        equations, as plm and xtabond2's ``iv()`` do, which is valid only if they are uncorrelated
        with the unit effects — otherwise list them here).
    entity, time : str
    method : {"difference", "system"}
    steps : {1, 2}
    collapse : bool
        One instrument column per lag instead of per (period, lag).
    time_effects : bool
        Period dummies (regressors and instruments).
    alpha : float

    Returns
    -------
    GMMResult

    Notes
    -----
    ``β̂ = (X'Z W Z'X)^{-1} X'Z W Z'y`` with ``W_1 = (Σ_i Z_i'H Z_i)^{-1}`` and
    ``W_2 = (Σ_i Z_i'ê_i ê_i'Z_i)^{-1}``; the Windmeijer-corrected variance is
    ``A_2 + D A_2 + A_2 D' + D V_1 D'`` with ``D_k = A_2 X'Z W_2 [Σ_i Z_i'(x_ik ê_i' + ê_i x_ik')Z_i] W_2 Z'ê_2``.
    """
    require_dataframe(data)
    regressors = {k: list(v) for k, v in (regressors or {}).items()}
    gmm = {outcome: (2, None), **dict(gmm_instruments or {})}
    cols = [outcome, *regressors, *gmm]
    require_columns(data, [*dict.fromkeys(cols), entity, time], param="columns")
    require_numeric(data, list(dict.fromkeys(cols)))
    require_choice(method, ["difference", "system"], param="method")
    require_choice(steps, [1, 2], param="steps")
    alpha = require_probability(alpha, param="alpha")
    lags = sorted(int(v) for v in lags)
    if not lags or lags[0] < 1:
        raise ValueError(f"The 'lags' parameter must list lags >= 1 of {outcome!r}. Got {lags!r} instead.")
    for v, (a, b) in gmm.items():
        if a < 1 or (b is not None and b < a):
            raise ValueError(f"gmm_instruments[{v!r}] must be (first_lag >= 1, last_lag >= first_lag or None). "
                             f"Got {(a, b)!r}.")
    if method == "system" and any(a < 2 for a in [gmm[v][0] for v in gmm]):
        raise ValueError("System GMM needs first_lag >= 2 for every GMM variable (the level equations use the "
                         "first difference at lag first_lag - 1).")
    if data.duplicated([entity, time]).any():
        raise ValueError(f"Rows are not unique by ({entity}, {time}); aggregate duplicates first.")
    periods = np.arange(int(data[time].min()), int(data[time].max()) + 1)
    if not np.allclose(data[time], np.round(data[time])):
        raise TypeError(f"The '{time}' column must hold integer periods (years).")
    units = np.sort(data[entity].unique())
    n, T = len(units), len(periods)
    uidx = {u: i for i, u in enumerate(units)}
    variables = list(dict.fromkeys(cols))
    cube = np.full((n, T, len(variables)), np.nan)
    ui = data[entity].map(uidx).to_numpy()
    ti = (data[time].to_numpy().astype(int) - periods[0])
    cube[ui, ti, :] = data[variables].to_numpy(float)
    V = {v: cube[:, :, j] for j, v in enumerate(variables)}

    def lag(a: np.ndarray, j: int) -> np.ndarray:
        if j == 0:
            return a
        out = np.full_like(a, np.nan)
        out[:, j:] = a[:, :-j]
        return out

    # regressors in levels, (n, T, K)
    names = [_lagname(outcome, j) for j in lags] + [_lagname(v, j) for v, js in regressors.items() for j in js]
    Xl = np.stack([lag(V[outcome], j) for j in lags] + [lag(V[v], j) for v, js in regressors.items() for j in js],
                  axis=2)
    yl = V[outcome]
    Xd, yd = Xl - _lag_cube(Xl), yl - lag(yl, 1)
    valid_d = np.isfinite(yd) & np.isfinite(Xd).all(axis=2)
    eq_t = np.flatnonzero(valid_d.any(axis=0))  # equation periods (grid positions)
    if len(eq_t) < 2:
        raise ValueError("Fewer than two periods have complete differenced equations; the model needs a longer panel.")
    R = len(eq_t)
    # system: level equations for the equation periods and the period before the first one (plm's "ld")
    lv_t = np.concatenate([[eq_t[0] - 1], eq_t]) if eq_t[0] >= 1 else eq_t
    Rl = len(lv_t)
    valid_l = (np.isfinite(yl) & np.isfinite(Xl).all(axis=2))[:, lv_t] if method == "system" else None

    # ------------------------------------------------------------------ instruments (n, rows, cols)
    def gmm_block(v: str, a: int, b: int | None) -> tuple[np.ndarray, np.ndarray | None]:
        lv = V[v]
        d_cols, l_cols = [], []
        max_l = T if b is None else b
        if collapse:
            for l_ in range(a, max_l + 1):
                c = np.zeros((n, R))
                for r, t in enumerate(eq_t):
                    if t - l_ >= 0:
                        c[:, r] = np.nan_to_num(lv[:, t - l_])
                d_cols.append(c)
            if method == "system":
                c = np.zeros((n, Rl))
                for r, t in enumerate(lv_t):
                    if t - a >= 0:
                        c[:, r] = np.nan_to_num(lv[:, t - a + 1] - lv[:, t - a])
                l_cols.append(c)
        else:
            for r, t in enumerate(eq_t):
                for l_ in range(a, max_l + 1):
                    if t - l_ >= 0:
                        c = np.zeros((n, R))
                        c[:, r] = np.nan_to_num(lv[:, t - l_])
                        d_cols.append(c)
            if method == "system":
                for r, t in enumerate(lv_t):
                    if t - a >= 0:
                        c = np.zeros((n, Rl))
                        c[:, r] = np.nan_to_num(lv[:, t - a + 1] - lv[:, t - a])
                        l_cols.append(c)
        D = np.stack(d_cols, axis=2) if d_cols else np.zeros((n, R, 0))
        L = np.stack(l_cols, axis=2) if l_cols else np.zeros((n, Rl, 0))
        return D, L

    zd_parts, zl_parts = [], []
    for v, (a, b) in gmm.items():
        D, L = gmm_block(v, a, b)
        zd_parts.append(D)
        zl_parts.append(L)
    exog = [i for i, nm in enumerate(names) if nm.split(".")[-1] not in gmm and i >= len(lags)]
    # period effects
    if time_effects:
        if method == "difference":
            Td = np.zeros((n, R, R))
            Td[:, np.arange(R), np.arange(R)] = 1.0
            Tl = None
            tnames = [f"period_{periods[t]}" for t in eq_t]
        else:
            # one λ per level period; the differenced rows carry λ_t - λ_{t-1}
            Td = np.zeros((n, R, Rl))
            Tl = np.zeros((n, Rl, Rl))
            Tl[:, np.arange(Rl), np.arange(Rl)] = 1.0
            off = Rl - R
            for r in range(R):
                Td[:, r, r + off] = 1.0
                if r + off - 1 >= 0:
                    Td[:, r, r + off - 1] = -1.0
            tnames = [f"period_{periods[t]}" for t in lv_t]
    else:
        Td, Tl, tnames = np.zeros((n, R, 0)), np.zeros((n, Rl, 0)), []
    # stacked rows: differenced block, then (system) level block; invalid rows are zero-filled
    md = valid_d[:, eq_t][:, :, None].astype(float)
    Xd_e = np.nan_to_num(Xd[:, eq_t]) * md
    yd_e = np.nan_to_num(yd[:, eq_t]) * md[:, :, 0]
    Zd = np.concatenate(zd_parts + [np.nan_to_num(Xd[:, eq_t][:, :, exog])] + [Td], axis=2) * md
    Xd_full = np.concatenate([Xd_e, Td * md], axis=2)
    if method == "system":
        ml = valid_l[:, :, None].astype(float)
        Xl_e = np.nan_to_num(Xl[:, lv_t]) * ml
        yl_e = np.nan_to_num(yl[:, lv_t]) * ml[:, :, 0]
        if not time_effects:  # the level equations need a constant
            Td, Tl, tnames = np.zeros((n, R, 1)), np.ones((n, Rl, 1)), ["constant"]
            Xd_full = np.concatenate([Xd_e, Td], axis=2)
        n_gmm_d = sum(p.shape[2] for p in zd_parts)
        n_gmm_l = sum(p.shape[2] for p in zl_parts)
        # instruments: [GMM diff | GMM level | exog (Δx on diff rows, x on level rows) | time (level rows
        # only, as plm's pgmm)]
        Zd_full = np.concatenate([np.concatenate(zd_parts, axis=2), np.zeros((n, R, n_gmm_l)),
                                  np.nan_to_num(Xd[:, eq_t][:, :, exog]), np.zeros_like(Td)], axis=2) * md
        Zl_full = np.concatenate([np.zeros((n, Rl, n_gmm_d)), np.concatenate(zl_parts, axis=2),
                                  np.nan_to_num(Xl[:, lv_t][:, :, exog]), Tl], axis=2) * ml
        Z = np.concatenate([Zd_full, Zl_full], axis=1)
        X = np.concatenate([Xd_full, np.concatenate([Xl_e, Tl * ml], axis=2)], axis=1)
        y = np.concatenate([yd_e, yl_e], axis=1)
        # plm's "full" first-step matrix: cov(Δε_t, ε_t) = 1, cov(Δε_t, ε_{t-1}) = -1
        H = np.zeros((R + Rl, R + Rl))
        H[:R, :R] = 2 * np.eye(R) - np.eye(R, k=1) - np.eye(R, k=-1)
        H[R:, R:] = np.eye(Rl)
        off = Rl - R
        for r in range(R):
            H[r, R + r + off] = H[R + r + off, r] = 1.0
            if r + off - 1 >= 0:
                H[r, R + r + off - 1] = H[R + r + off - 1, r] = -1.0
        is_diff = np.r_[np.ones(R), np.zeros(Rl)].astype(bool)
    else:
        Z, X, y = Zd, Xd_full, yd_e
        H = 2 * np.eye(R) - np.eye(R, k=1) - np.eye(R, k=-1)
        is_diff = np.ones(R, bool)
    names_all = names + tnames
    # drop all-zero instrument / regressor columns (periods without data)
    zkeep = np.abs(Z).sum(axis=(0, 1)) > 0
    Z = Z[:, :, zkeep]
    xkeep = np.abs(X).sum(axis=(0, 1)) > 0
    X = X[:, :, xkeep]
    names_all = [nm for nm, k in zip(names_all, xkeep) if k]
    Zt_X = np.einsum("nrz,nrk->zk", Z, X, optimize=True)
    Zt_y = np.einsum("nrz,nr->z", Z, y)

    def solve(W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        A = np.linalg.pinv(Zt_X.T @ W @ Zt_X)
        return A @ Zt_X.T @ W @ Zt_y, A

    S1 = np.einsum("nrz,nrw->zw", Z, np.einsum("rs,nsw->nrw", H, Z, optimize=True), optimize=True)
    W1 = np.linalg.pinv(S1)
    b1, A1 = solve(W1)
    e1 = y - np.einsum("nrk,k->nr", X, b1)
    ze1 = np.einsum("nrz,nr->nz", Z, e1)
    S_e1 = ze1.T @ ze1
    V1 = A1 @ Zt_X.T @ W1 @ S_e1 @ W1 @ Zt_X @ A1  # one-step robust
    W2 = np.linalg.pinv(S_e1)
    if steps == 1:
        b, V, e, W_last, A_last = b1, V1, e1, W1, A1
    else:
        b2, A2 = solve(W2)
        e2 = y - np.einsum("nrk,k->nr", X, b2)
        w2_ze2 = W2 @ np.einsum("nrz,nr->z", Z, e2)
        # -∂S/∂β_k at the one-step estimate, S = Σ_i Z_i'e_i e_i'Z_i, applied to W2 Z'ê2, for all k at once
        zx = np.einsum("nrz,nrk->nkz", Z, X, optimize=True)
        dS_w = (np.einsum("nkz,n->kz", zx, ze1 @ w2_ze2, optimize=True)
                + np.einsum("nz,nk->kz", ze1, np.einsum("nkz,z->nk", zx, w2_ze2, optimize=True), optimize=True))
        D = A2 @ Zt_X.T @ W2 @ dS_w.T
        V = A2 + D @ A2 + A2 @ D.T + D @ V1 @ D.T
        b, e, W_last, A_last = b2, e2, W2, A2
    se = np.sqrt(np.diag(V))
    zq = stats.norm.ppf(1 - alpha / 2)
    rows = [{"section": "coefficient", "term": nm, "estimate": bb, "std_error": s, "ci_low": bb - zq * s,
             "ci_high": bb + zq * s, "statistic": bb / s, "p_value": 2 * stats.norm.sf(abs(bb / s))}
            for nm, bb, s in zip(names_all, b, se)]
    # Arellano–Bond AR(m) on the differenced residuals (plm's mtest with the robust vcov)
    ze = np.einsum("nrz,nr->nz", Z, e)
    ze_diff = np.einsum("nrz,nr->nz", Z, e * is_diff[None, :])  # plm's mtest: level residuals set to 0
    for m in (1, 2):
        ed = e[:, is_diff]
        w = np.zeros_like(e)
        w[:, np.flatnonzero(is_diff)[m:]] = ed[:, :-m]
        we = (w * e).sum(axis=1)
        EVE = float((we**2).sum())
        wX = np.einsum("nr,nrk->k", w, X)
        ZVE = np.einsum("nz,n->z", ze_diff, we)
        denom = EVE - 2 * wX @ A_last @ Zt_X.T @ W_last @ ZVE + wX @ V @ wX
        stat = float(we.sum() / np.sqrt(denom)) if denom > 0 else np.nan
        rows.append({"section": "test", "term": f"ar{m}", "statistic": stat, "p_value": 2 * stats.norm.sf(abs(stat))})
    zsum = ze.sum(axis=0)
    J = float(zsum @ W2 @ zsum)  # plm's sargan(): the two-step weight (from the one-step residuals)
    n_instr, n_par = Z.shape[2], X.shape[2]
    rows.append({"section": "test", "term": "hansen_j", "statistic": J, "df": n_instr - n_par,
                 "p_value": float(stats.chi2.sf(J, n_instr - n_par)) if n_instr > n_par else np.nan})
    n_obs = int(valid_d[:, eq_t].sum())
    rows += [{"section": "info", "term": "n_instruments", "statistic": n_instr},
             {"section": "info", "term": "n_groups", "statistic": int((np.abs(X).sum(axis=(1, 2)) > 0).sum())},
             {"section": "info", "term": "n_obs", "statistic": n_obs}]
    table = pd.DataFrame(rows).reindex(columns=GMM_COLUMNS)
    notes = [f"{method.capitalize()} GMM, {steps}-step{' (Windmeijer-corrected SEs)' if steps == 2 else ' (robust SEs)'}, "
             f"{n_instr} instruments{' (collapsed)' if collapse else ''} for {n_par} parameters, "
             f"{n} units, {n_obs} differenced observations."]
    if n_instr > n:
        notes.append(f"More instruments ({n_instr}) than units ({n}): Hansen's J is weakened and two-step SEs can be "
                     f"too small; use collapse=True or fewer lags (Roodman 2009).")
    return GMMResult(table=table, method=method, steps=steps, notes=tuple(notes))


def _lag_cube(a: np.ndarray) -> np.ndarray:
    """One-period lag along axis 1 of an (n, T, K) array (NaN in the first period)."""
    out = np.full_like(a, np.nan)
    out[:, 1:] = a[:, :-1]
    return out
