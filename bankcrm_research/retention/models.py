"""Churn models: a logit with odds ratios and gradient-boosted trees, sharing one feature preparation.

* :class:`ChurnLogit` — ``statsmodels`` logit with odds ratios and Wald CIs;
* :class:`ChurnBoosting` — scikit-learn ``HistGradientBoostingClassifier`` (native missing values and
  categorical support).

Both take the training rows and a :class:`~bankcrm_research.retention.features.FeaturePrep` (learned
here when not given) and return frozen results with ``predict_proba`` for held-out rows.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bankcrm_research.data.validate import DataWarning, require_min_rows, require_positive_int, require_probability
from bankcrm_research.retention import metrics as M
from bankcrm_research.retention._labels import term_label, text
from bankcrm_research.retention.features import FeaturePrep, _training_rows
from bankcrm_research.retention.notes_zh import BoostingNotesZh, LogitNotesZh

__all__ = ["ChurnLogit", "ChurnLogitResult", "ChurnBoosting", "ChurnBoostingResult"]


def _fit_rows(
    data: pd.DataFrame, prep: FeaturePrep | None, frame: str, **spec: Any
) -> tuple[pd.DataFrame, FeaturePrep, pd.DataFrame, np.ndarray]:
    """``(rows, prep, X, y)`` of both churn models: :func:`_training_rows` with ``spec``, then
    ``X = prep.<frame>(rows)`` (``"design"``: logit, ``"hgb_frame"``: boosting) and the 0/1 target."""
    data, prep = _training_rows(data, prep, **spec)
    return data, prep, getattr(prep, frame)(data), prep.target_array(data)


@dataclass(frozen=True)
class ChurnLogitResult(LogitNotesZh):
    """Fitted churn logit. ``tidy()`` is the single source of numbers."""

    prep: FeaturePrep
    params_table: pd.DataFrame
    converged: bool
    n_obs: int
    n_events: int
    pseudo_r2: float
    llf: float
    alpha: float
    model: Any = field(repr=False, compare=False)

    def tidy(self) -> pd.DataFrame:
        """``term, coef, std_error, z, p_value, odds_ratio, or_ci_low, or_ci_high``."""
        return self.params_table.copy()

    def summary(self) -> pd.DataFrame:
        """Odds ratios with CIs (fit statistics are in :attr:`notes`)."""
        return self.tidy()[["term", "odds_ratio", "or_ci_low", "or_ci_high", "p_value"]]

    @property
    def notes(self) -> tuple[str, ...]:
        """One sentence of fit statistics and the target mapping."""
        return (
            f"logit, n = {self.n_obs}, events = {self.n_events}, McFadden pseudo-R² = {self.pseudo_r2:.3f}, "
            f"converged = {self.converged}; {self.prep.target_note}",
        )

    def predict_proba(self, df: pd.DataFrame) -> np.ndarray:
        """Predicted churn probability for rows of ``df`` (same preparation as in training)."""
        X = self.prep.design(df)
        return np.asarray(self.model.predict(X.to_numpy()), dtype=float)

    def plot(self, ax: Any = None, *, top: int = 20) -> Any:
        """Forest plot of odds ratios with CIs (log scale)."""
        import matplotlib.pyplot as plt

        t = self.tidy()
        t = t[t["term"] != "const"].copy()
        t["abs"] = np.abs(t["coef"])
        t = t.nlargest(top, "abs").sort_values("coef")
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.3 * len(t) + 1.2))
        y = np.arange(len(t))
        ax.errorbar(t["odds_ratio"], y, xerr=[t["odds_ratio"] - t["or_ci_low"], t["or_ci_high"] - t["odds_ratio"]],
                    fmt="o", capsize=2)
        ax.axvline(1, color="grey", lw=1, ls="--")
        ax.set_xscale("log")
        ax.set_yticks(y, [term_label(x) for x in t["term"]])
        ax.set_xlabel(text("odds_ratio_ci"))
        return ax


@dataclass
class ChurnLogit:
    """Churn logit (statsmodels ``Logit``, Newton–Raphson) with odds ratios and Wald CIs.

    Parameters
    ----------
    alpha : float
        1 − confidence level of the CIs.
    min_level_count : int
        Rare-level threshold of :func:`prepare_features`.
    maxiter : int
        Newton iterations; a fit that does not converge warns (it is not silently used).

    Notes
    -----
    ``logit P(churn=1 | x) = β₀ + xᵀβ``; odds ratio ``exp(β_j)`` with CI ``exp(β_j ± z_{1−α/2}·se_j)``.
    """

    alpha: float = 0.05
    min_level_count: int = 30
    maxiter: int = 100

    def fit(
        self,
        data: pd.DataFrame,
        *,
        target: str,
        features: Sequence[str] | None = None,
        categorical_columns: Sequence[str] | None = None,
        id_column: str | None = None,
        exclude: Sequence[str] = (),
        positive_class: Any = None,
        prep: FeaturePrep | None = None,
    ) -> ChurnLogitResult:
        """Fit on ``data``; ``prep`` reuses an existing preparation (otherwise learned here)."""
        import statsmodels.api as sm
        from scipy import stats

        require_probability(self.alpha, param="alpha")
        data, prep, X, y = _fit_rows(
            data, prep, "design", target=target, features=features, categorical_columns=categorical_columns,
            id_column=id_column, exclude=exclude, positive_class=positive_class, min_level_count=self.min_level_count,
        )
        require_min_rows(data, X.shape[1] + 10, what=f"a logit with {X.shape[1]} parameters")
        model = sm.Logit(y, X.to_numpy())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence is checked and reported below
            try:
                res = model.fit(method="newton", maxiter=self.maxiter, disp=0)
            except np.linalg.LinAlgError:
                res = model.fit(method="bfgs", maxiter=self.maxiter * 10, disp=0)
        converged = bool(res.mle_retvals.get("converged", False))
        if not converged:
            warnings.warn(
                "churn logit did not converge (possible separation: a feature predicts churn perfectly). "
                "Check the leakage audit, merge rare levels (min_level_count) or drop the offending feature.",
                DataWarning,
                stacklevel=2,
            )
        z = stats.norm.ppf(1 - self.alpha / 2)
        params = np.asarray(res.params)
        se = np.asarray(res.bse)
        with np.errstate(over="ignore"):  # near-separated terms give inf odds ratios; shown, not hidden
            table = pd.DataFrame(
                {
                    "term": list(X.columns),
                    "coef": params,
                    "std_error": se,
                    "z": params / se,
                    "p_value": np.asarray(res.pvalues),
                    "odds_ratio": np.exp(params),
                    "or_ci_low": np.exp(params - z * se),
                    "or_ci_high": np.exp(params + z * se),
                }
            )
        return ChurnLogitResult(
            prep=prep, params_table=table, converged=converged, n_obs=int(len(y)), n_events=int(y.sum()),
            pseudo_r2=float(res.prsquared), llf=float(res.llf), alpha=self.alpha, model=res,
        )


# ------------------------------------------------------------------------------------------ boosting
def _threads(n_threads: int | None) -> Any:
    """Context limiting OpenMP/BLAS threads (no-op when ``n_threads`` is None)."""
    import contextlib

    if n_threads is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=require_positive_int(n_threads, param="n_threads"))


@dataclass(frozen=True)
class ChurnBoostingResult(BoostingNotesZh):
    """Fitted gradient-boosting churn model."""

    prep: FeaturePrep
    n_obs: int
    n_events: int
    n_iter: int
    estimator: Any = field(repr=False, compare=False)

    n_threads: int | None = None

    def predict_proba(self, df: pd.DataFrame) -> np.ndarray:
        """Predicted churn probability for rows of ``df``."""
        with _threads(self.n_threads):
            return self.estimator.predict_proba(self.prep.hgb_frame(df))[:, 1]

    def tidy(self) -> pd.DataFrame:
        """Model facts (one row per setting); drivers come from :meth:`permutation_importance`."""
        return pd.DataFrame(
            {"item": ["n_obs", "n_events", "n_iter", "n_features"],
             "value": [self.n_obs, self.n_events, self.n_iter, len(self.prep.features)]}
        )

    def summary(self) -> pd.DataFrame:
        """The model facts of :meth:`tidy` (drivers: :meth:`permutation_importance`)."""
        return self.tidy()

    @property
    def notes(self) -> tuple[str, ...]:
        """One sentence describing the fit and the target mapping."""
        return (f"HistGradientBoostingClassifier: n = {self.n_obs}, events = {self.n_events}, "
                f"{self.n_iter} boosting iterations, {len(self.prep.features)} features; {self.prep.target_note}",)

    def permutation_importance(self, df: pd.DataFrame, *, n_repeats: int = 5, seed: int = 0,
                               max_rows: int | None = 20_000) -> pd.DataFrame:
        """Drop in AUC when each feature is permuted (evaluate on held-out rows)."""
        with _threads(self.n_threads):
            return M.permutation_importance_table(
                self.estimator, self.prep.hgb_frame(df), self.prep.target_array(df),
                n_repeats=n_repeats, seed=seed, max_rows=max_rows,
            )

    def partial_dependence(self, df: pd.DataFrame, features: Sequence[str], *, grid_resolution: int = 20,
                           seed: int = 0) -> pd.DataFrame:
        """Partial dependence of the churn probability (in [0, 1]) on each of ``features``."""
        with _threads(self.n_threads):
            return M.partial_dependence_table(self.estimator, self.prep.hgb_frame(df), features,
                                              grid_resolution=grid_resolution, seed=seed)

    def plot(self, ax: Any = None, *, df: pd.DataFrame | None = None, top: int = 15) -> Any:
        """Permutation importance bar chart (needs held-out rows ``df``)."""
        import matplotlib.pyplot as plt

        if df is None:
            raise ValueError("pass held-out rows: result.plot(df=holdout)")
        imp = self.permutation_importance(df).head(top).iloc[::-1]
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.3 * len(imp) + 1.2))
        ax.barh(imp["feature"], imp["importance_mean"], xerr=imp["importance_sd"])
        ax.set_xlabel(text("permutation_importance"))
        return ax


@dataclass
class ChurnBoosting:
    """Gradient-boosted trees (scikit-learn ``HistGradientBoostingClassifier``).

    Parameters are passed to the estimator. Early stopping (10 % of the training rows held out,
    stop after 10 rounds without improvement in log-loss) is on by default: on weak-signal churn
    data a fixed 200 rounds over-fitted (held-out calibration slope 0.16); it stays deterministic
    given ``seed``. ``n_threads`` caps the OpenMP threads (``threadpoolctl``): on a
    shared, oversubscribed machine spinning OpenMP workers made a 15k-row fit 5x slower than one
    thread; ``None`` uses every core.
    """

    learning_rate: float = 0.1
    max_iter: int = 300
    max_leaf_nodes: int = 15
    min_samples_leaf: int = 50
    l2_regularization: float = 1.0
    early_stopping: bool = True
    seed: int = 0
    min_level_count: int = 30
    n_threads: int | None = None

    def fit(
        self,
        data: pd.DataFrame,
        *,
        target: str,
        features: Sequence[str] | None = None,
        categorical_columns: Sequence[str] | None = None,
        id_column: str | None = None,
        exclude: Sequence[str] = (),
        positive_class: Any = None,
        prep: FeaturePrep | None = None,
    ) -> ChurnBoostingResult:
        from sklearn.ensemble import HistGradientBoostingClassifier

        _, prep, X, y = _fit_rows(
            data, prep, "hgb_frame", target=target, features=features, categorical_columns=categorical_columns,
            id_column=id_column, exclude=exclude, positive_class=positive_class, min_level_count=self.min_level_count,
        )
        est = HistGradientBoostingClassifier(
            learning_rate=self.learning_rate, max_iter=self.max_iter, max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf, l2_regularization=self.l2_regularization,
            early_stopping=self.early_stopping, validation_fraction=0.1, n_iter_no_change=10,
            scoring="loss", categorical_features="from_dtype", random_state=self.seed,
        )
        with _threads(self.n_threads):
            est.fit(X, y)
        return ChurnBoostingResult(prep=prep, n_obs=int(len(y)), n_events=int(y.sum()), n_iter=int(est.n_iter_),
                                   estimator=est, n_threads=self.n_threads)
