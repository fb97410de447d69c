"""Causal effect of a follow-up contact on churn: naive contrast, propensity score, IPW and AIPW.

The question: did contacting fund holders after the market fall reduce 12-month churn? Contacts
were not random (relationship managers call valuable, engaged customers first), so the naive
difference in churn rates is confounded. This module estimates the average treatment effect (ATE,
a risk difference) by

* the naive difference in means (Wald CI);
* inverse probability weighting with normalised (Hájek) weights;
* augmented IPW (doubly robust; Robins, Rotnitzky & Zhao 1994; Glynn & Quinn 2010),

with a logit propensity score (statsmodels), an overlap check, a stated trimming rule, covariate
balance as standardised mean differences before/after weighting (Austin 2009, 2011), and
percentile bootstrap CIs with a seeded generator (the propensity and outcome models are re-fitted
in every bootstrap sample). The identifying assumptions (no unmeasured confounding given the
covariates, overlap, consistency) are assumptions, not results.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bankcrm_research.retention._design import covariate_dummies, drop_degenerate
from bankcrm_research.retention._labels import term_label, text
from bankcrm_research.data.validate import (
    DataWarning,
    require_columns,
    require_dataframe,
    require_min_rows,
    require_positive_int,
    require_probability,
    warn_dropped,
)

__all__ = ["propensity_scores", "standardized_mean_difference", "TreatmentEffect", "TreatmentEffectResult", "ipw_ate", "aipw_ate"]


def _to01(s: pd.Series, name: str) -> np.ndarray:
    vals = set(pd.unique(s.dropna()))
    if not vals <= {0, 1, True, False}:
        raise ValueError(f"column '{name}' must be binary 0/1 or True/False; found {sorted(map(str, vals))[:5]}. "
                         f"Recode it first.")
    return s.astype(float).to_numpy()


def standardized_mean_difference(x: np.ndarray, t: np.ndarray, w: np.ndarray | None = None) -> float:
    """Standardised mean difference of ``x`` between treated (t=1) and controls, optionally weighted.

    Notes
    -----
    ``SMD = (x̄₁ − x̄₀) / sqrt((s₁² + s₀²) / 2)``; means use weights ``w`` when given, the denominator
    always uses the *unweighted* variances so before/after values are comparable (Austin 2009,
    Stat Med 28:3083; |SMD| < 0.1 is the usual balance threshold).
    """
    x = np.asarray(x, float)
    t = np.asarray(t, float)
    w = np.ones_like(x) if w is None else np.asarray(w, float)
    m1 = np.average(x[t == 1], weights=w[t == 1])
    m0 = np.average(x[t == 0], weights=w[t == 0])
    sd = np.sqrt((x[t == 1].var(ddof=1) + x[t == 0].var(ddof=1)) / 2)
    return float((m1 - m0) / sd) if sd > 0 else 0.0


def _design(df: pd.DataFrame, covariates: Sequence[str], categorical: Sequence[str]) -> pd.DataFrame:
    # constant and duplicate columns only break the propensity fit; they carry no information
    X, _, _ = drop_degenerate(covariate_dummies(df, covariates, categorical))
    return X


def _logit_prob(X: np.ndarray, y: np.ndarray, X_new: np.ndarray | None = None, *, max_iter: int = 25) -> np.ndarray:
    """Maximum-likelihood logit by Newton–Raphson, returning fitted probabilities.

    The same estimator as ``statsmodels.Logit(...).fit(method="newton")`` (the reported propensity
    model uses statsmodels); written out in NumPy because the bootstrap re-fits it hundreds of times
    and statsmodels' per-fit overhead dominated the run time. A 1e-8 ridge keeps the Hessian
    invertible under quasi-separation.
    """
    Xc = np.column_stack([np.ones(len(X)), X])
    Xn = Xc if X_new is None else np.column_stack([np.ones(len(X_new)), X_new])
    # scale columns for numerical stability; coefficients are not reported, only probabilities
    scale = Xc.std(axis=0)
    scale[0] = 1.0
    scale[scale == 0] = 1.0
    Xs = Xc / scale
    beta = np.zeros(Xs.shape[1])
    for _ in range(max_iter):
        eta = np.clip(Xs @ beta, -30, 30)
        p = 1 / (1 + np.exp(-eta))
        W = p * (1 - p)
        H = (Xs * W[:, None]).T @ Xs + 1e-8 * np.eye(Xs.shape[1])
        step = np.linalg.solve(H, Xs.T @ (y - p))
        beta += step
        if np.max(np.abs(step)) < 1e-8:
            break
    eta = np.clip((Xn / scale) @ beta, -30, 30)
    return 1 / (1 + np.exp(-eta))


def propensity_scores(
    data: pd.DataFrame,
    *,
    treatment: str,
    covariates: Sequence[str],
    categorical_columns: Sequence[str] = (),
    table: str = "customers",
) -> pd.Series:
    """Logit propensity score ``P(treatment = 1 | covariates)`` for rows with complete data.

    Returns
    -------
    Series
        Indexed like the complete rows of ``data`` (rows with missing values are dropped with a warning).
    """
    require_dataframe(data, param=table)
    require_columns(data, [treatment, *covariates], table=table)
    sub = data[list(dict.fromkeys([treatment, *covariates]))]
    n0 = len(sub)
    sub = sub.dropna()
    warn_dropped(n0 - len(sub), n0, f"with a missing {treatment} or covariate", table=table)
    t = _to01(sub[treatment], treatment)
    X = _design(sub, covariates, categorical_columns)
    return pd.Series(_logit_prob(X.to_numpy(float), t), index=sub.index, name="propensity")


def ipw_ate(y: np.ndarray, t: np.ndarray, e: np.ndarray) -> float:
    """Hájek (normalised) IPW estimate of the ATE.

    Notes
    -----
    ``τ̂ = Σ tᵢyᵢ/eᵢ / Σ tᵢ/eᵢ − Σ (1−tᵢ)yᵢ/(1−eᵢ) / Σ (1−tᵢ)/(1−eᵢ)`` (Hirano, Imbens & Ridder 2003).
    """
    w1 = t / e
    w0 = (1 - t) / (1 - e)
    return float(np.sum(w1 * y) / np.sum(w1) - np.sum(w0 * y) / np.sum(w0))


def aipw_ate(y: np.ndarray, t: np.ndarray, e: np.ndarray, mu1: np.ndarray, mu0: np.ndarray) -> tuple[float, float]:
    """Augmented IPW (doubly robust) ATE and its influence-function standard error.

    Notes
    -----
    ``ψᵢ = μ₁(xᵢ) − μ₀(xᵢ) + tᵢ(yᵢ − μ₁(xᵢ))/eᵢ − (1 − tᵢ)(yᵢ − μ₀(xᵢ))/(1 − eᵢ)``,
    ``τ̂ = mean(ψ)``, ``se = sd(ψ)/√n`` (Robins et al. 1994; Glynn & Quinn 2010, Political Analysis 18:36).
    Consistent if either the propensity or the outcome model is correct.
    """
    psi = mu1 - mu0 + t * (y - mu1) / e - (1 - t) * (y - mu0) / (1 - e)
    return float(psi.mean()), float(psi.std(ddof=1) / np.sqrt(len(psi)))


@dataclass(frozen=True)
class TreatmentEffectResult:
    """Estimates of the effect of ``treatment`` on ``outcome``.

    ``tidy()`` holds one row per method (and per segment when ``by`` was given).
    """

    estimates: pd.DataFrame
    balance: pd.DataFrame
    propensity: pd.DataFrame
    propensity_model: pd.DataFrame
    trim: float
    n_trimmed: int
    n_boot: int
    treatment: str
    outcome: str
    notes: tuple[str, ...] = field(default=())
    notes_zh: tuple[str, ...] = field(default=(), repr=False, compare=False)  # :attr:`notes` in Chinese

    def tidy(self) -> pd.DataFrame:
        """``segment, method, estimate, std_error, ci_low, ci_high, n, n_treated, ci_method``."""
        return self.estimates.copy()

    def summary(self) -> pd.DataFrame:
        """The estimates of :meth:`tidy` (how they were made is in :attr:`notes`)."""
        return self.tidy()

    def balance_table(self) -> pd.DataFrame:
        """``covariate, smd_before, smd_after`` (IPW weights; |SMD| < 0.1 = balanced)."""
        return self.balance.copy()

    def plot(self, ax: Any = None) -> Any:
        """Overlap plot: propensity-score histograms of treated and controls (before trimming)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        bins = np.linspace(0, 1, 41)
        for val, lab in ((1, text("fig04_treated")), (0, text("fig04_control"))):
            ps = self.propensity.loc[self.propensity["treated"] == val, "propensity"]
            ax.hist(ps, bins=bins, alpha=0.5, density=True, label=f"{lab} (n = {len(ps)})")
        for x in (self.trim, 1 - self.trim):
            ax.axvline(x, color="grey", ls="--", lw=1)
        ax.set_xlabel(text("propensity"))
        ax.set_ylabel(text("fig04_density"))
        ax.set_title(f"{text(self.treatment)} · {text('overlap_title')}")
        ax.legend()
        return ax

    def plot_balance(self, ax: Any = None) -> Any:
        """Love plot of |SMD| before and after weighting."""
        import matplotlib.pyplot as plt

        b = self.balance.assign(abs_before=lambda d: d["smd_before"].abs()).sort_values("abs_before")
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.3 * len(b) + 1.2))
        y = np.arange(len(b))
        ax.scatter(b["smd_before"].abs(), y, label=text("fig04_before_weighting"))
        ax.scatter(b["smd_after"].abs(), y, marker="x", label=text("fig04_after_ipw"))
        ax.axvline(0.1, color="grey", ls="--", lw=1)
        ax.set_yticks(y, [term_label(c) for c in b["covariate"]])
        ax.set_xlabel(text("abs_smd"))
        ax.legend()
        return ax


@dataclass
class TreatmentEffect:
    """ATE of a binary treatment on a binary (or numeric) outcome by propensity-score methods.

    Parameters
    ----------
    trim : float
        Trimming rule: units with an estimated propensity outside ``[trim, 1 − trim]`` are dropped
        before IPW/AIPW (default 0.02). Crump, Hotz, Imbens & Mitnik (2009) suggest 0.1, which
        targets the ATE of the overlap population instead; the count dropped is warned and reported.
        ``trim = 0`` keeps every unit.
    n_boot : int
        Bootstrap replications for the CIs of IPW and AIPW (percentile intervals).
    alpha : float
        1 − confidence level.
    seed : int
        Seed of the bootstrap generator (``numpy.random.default_rng``).
    """

    trim: float = 0.02
    n_boot: int = 200
    alpha: float = 0.05
    seed: int = 0

    def fit(
        self,
        data: pd.DataFrame,
        *,
        treatment: str,
        outcome: str,
        covariates: Sequence[str],
        categorical_columns: Sequence[str] = (),
        by: str | None = None,
        table: str = "customers",
    ) -> TreatmentEffectResult:
        """Estimate naive, IPW and AIPW effects (overall and, with ``by``, per segment).

        Rows with a missing treatment, outcome or covariate are dropped with a warning (for the
        follow-up question, customers who were not fund holders at the fall have NA treatment).
        """
        from scipy import stats

        require_dataframe(data, param=table)
        require_columns(data, [treatment, outcome, *covariates, by], table=table)
        if not 0 <= self.trim < 0.5:
            raise ValueError(f"The 'trim' parameter must be in [0, 0.5). Got {self.trim!r} instead.")
        require_positive_int(self.n_boot, param="n_boot", minimum=10)
        require_probability(self.alpha, param="alpha")
        cols = list(dict.fromkeys([treatment, outcome, *covariates] + ([by] if by else [])))
        sub = data[cols]
        n0 = len(sub)
        sub = sub.dropna()
        warn_dropped(n0 - len(sub), n0, f"with a missing {treatment}, {outcome} or covariate", table=table)
        t = _to01(sub[treatment], treatment)
        y = sub[outcome].astype(float).to_numpy()
        if t.min() == t.max():
            raise ValueError(f"treatment '{treatment}' has only one value ({int(t[0])}) after dropping missing rows; "
                             f"an effect needs treated and untreated customers.")
        X = _design(sub, covariates, categorical_columns)
        require_min_rows(sub, X.shape[1] + 20, table=table, what="a propensity model")
        Xv = X.to_numpy(float)
        e = _logit_prob(Xv, t)
        ps_frame = pd.DataFrame({"treated": t.astype(int), "propensity": e})
        keep = (e >= self.trim) & (e <= 1 - self.trim) if self.trim > 0 else np.ones(len(e), bool)
        n_trim = int((~keep).sum())
        notes = [f"propensity: logit of {treatment} on {list(X.columns)}",
                 f"trimming rule: drop units with propensity outside [{self.trim}, {1 - self.trim}] "
                 f"({n_trim} of {len(e)} dropped)",
                 f"CIs: naive = Wald; IPW and AIPW = percentile bootstrap, {self.n_boot} replications, seed {self.seed}"]
        notes_zh = [f"倾向得分：{treatment} 对 {list(X.columns)} 的 logit 模型",
                    f"截断规则：删除倾向得分在 [{self.trim}, {1 - self.trim}] 之外的样本（{len(e)} 个中删除 {n_trim} 个）",
                    f"置信区间：简单差值 = Wald；IPW 与 AIPW = 百分位自助法，{self.n_boot} 次重复，种子 {self.seed}"]
        if n_trim:
            warn_dropped(n_trim, len(e), f"with propensity outside [{self.trim}, {1 - self.trim}] (trimming rule)",
                         table=table)
        # propensity model table (statsmodels) for the report
        import statsmodels.api as sm

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pm = sm.Logit(t, sm.add_constant(X, has_constant="add")).fit(method="newton", maxiter=50, disp=0)
        ps_model = pd.DataFrame({"term": pm.params.index, "coef": pm.params.to_numpy(), "std_error": pm.bse.to_numpy(),
                                 "p_value": pm.pvalues.to_numpy()})
        # balance before / after weighting (on the trimmed sample, weights from the full-sample propensity)
        w = np.where(t == 1, 1 / e, 1 / (1 - e))
        bal = pd.DataFrame(
            {
                "covariate": list(X.columns),
                "smd_before": [standardized_mean_difference(Xv[:, j], t) for j in range(Xv.shape[1])],
                "smd_after": [standardized_mean_difference(Xv[keep, j], t[keep], w[keep]) for j in range(Xv.shape[1])],
            }
        )
        z = stats.norm.ppf(1 - self.alpha / 2)
        rng = np.random.default_rng(self.seed)
        rows = []
        seg_values = [None] if by is None else [None, *sorted(sub[by].astype(str).unique())]
        segs = sub[by].astype(str).to_numpy() if by else None
        for seg in seg_values:
            mask = np.ones(len(t), bool) if seg is None else segs == seg
            rows.extend(self._estimate(y[mask], t[mask], Xv[mask], e[mask], keep[mask], z, rng,
                                       "all" if seg is None else seg))
        est = pd.DataFrame(rows)
        return TreatmentEffectResult(estimates=est, balance=bal, propensity=ps_frame, propensity_model=ps_model,
                                     trim=self.trim, n_trimmed=n_trim, n_boot=self.n_boot, treatment=treatment,
                                     outcome=outcome, notes=tuple(notes), notes_zh=tuple(notes_zh))

    def _estimate(self, y, t, X, e_full, keep, z, rng, segment):  # noqa: ANN001 - internal
        n = len(y)
        rows = []
        if n < 20 or t.min() == t.max():
            warnings.warn(f"segment '{segment}': too few rows or one treatment arm only; skipped", DataWarning,
                          stacklevel=3)
            return rows
        m1, m0 = y[t == 1].mean(), y[t == 0].mean()
        se_naive = np.sqrt(y[t == 1].var(ddof=1) / (t == 1).sum() + y[t == 0].var(ddof=1) / (t == 0).sum())
        rows.append({"segment": segment, "method": "naive", "estimate": m1 - m0, "std_error": se_naive,
                     "ci_low": m1 - m0 - z * se_naive, "ci_high": m1 - m0 + z * se_naive, "n": n,
                     "n_treated": int(t.sum()), "ci_method": "wald"})
        yk, tk, Xk = y[keep], t[keep], X[keep]
        binary = set(np.unique(yk)) <= {0.0, 1.0}

        def fit_all(yy, tt, XX):  # noqa: ANN001, ANN202
            e = np.clip(_logit_prob(XX, tt), 1e-6, 1 - 1e-6)
            if binary:
                mu1 = _logit_prob(XX[tt == 1], yy[tt == 1], XX)
                mu0 = _logit_prob(XX[tt == 0], yy[tt == 0], XX)
            else:
                Xc = np.column_stack([np.ones(len(XX)), XX])
                b1 = np.linalg.lstsq(Xc[tt == 1], yy[tt == 1], rcond=None)[0]
                b0 = np.linalg.lstsq(Xc[tt == 0], yy[tt == 0], rcond=None)[0]
                mu1, mu0 = Xc @ b1, Xc @ b0
            return ipw_ate(yy, tt, e), aipw_ate(yy, tt, e, mu1, mu0)

        ipw, (aipw, aipw_se) = fit_all(yk, tk, Xk)
        boots = np.empty((self.n_boot, 2))
        nk = len(yk)
        for b in range(self.n_boot):
            idx = rng.integers(0, nk, nk)
            if tk[idx].min() == tk[idx].max():
                boots[b] = np.nan
                continue
            bi, (ba, _) = fit_all(yk[idx], tk[idx], Xk[idx])
            boots[b] = (bi, ba)
        q = [100 * self.alpha / 2, 100 * (1 - self.alpha / 2)]
        for j, (name, val) in enumerate((("ipw", ipw), ("aipw", aipw))):
            bj = boots[:, j][~np.isnan(boots[:, j])]
            lo, hi = np.percentile(bj, q)
            rows.append({"segment": segment, "method": name, "estimate": val, "std_error": float(bj.std(ddof=1)),
                         "ci_low": float(lo), "ci_high": float(hi), "n": nk, "n_treated": int(tk.sum()),
                         "ci_method": "bootstrap_percentile"})
        rows[-1]["if_std_error"] = aipw_se
        return rows
