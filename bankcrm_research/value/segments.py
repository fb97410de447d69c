"""Behavioural customer segments: clustering, choice of k, profiles and bootstrap stability.

:class:`BehaviouralSegmentation` clusters standardised behavioural features (built by
:func:`behavioural_features` from the per-customer RFM table of :func:`~bankcrm_research.value.rfm.rfm`
and customer attributes) with scikit-learn's K-means or Gaussian mixture, chooses k by silhouette
(K-means) or BIC (mixture), and measures stability by the bootstrap adjusted Rand index
(Hennig 2007; Lange et al. 2004). :func:`transaction_rates` gives transactions per month by segment
or tier with exact Poisson CIs.

References
----------
Hennig, C. (2007). Cluster-wise assessment of cluster stability. *Computational Statistics &
Data Analysis* 52(1), 258-271.
Lange, T., Roth, V., Braun, M. L. & Buhmann, J. M. (2004). Stability-based validation of
clustering solutions. *Neural Computation* 16(6), 1299-1323.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from bankcrm_research.data.validate import (
    DataWarning,
    require_choice,
    require_columns,
    require_min_rows,
    require_not_constant,
    require_numeric,
    require_positive_int,
)

__all__ = ["behavioural_features", "BehaviouralSegmentation", "SegmentationResult", "transaction_rates"]


def behavioural_features(
    rfm_customers: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    extra: Sequence[str] = ("n_products", "digital_share", "tenure_months", "branch_visits_12m"),
    customer_id: str = "customer_id",
) -> pd.DataFrame:
    """Customer-level behavioural features for clustering.

    RFM measures are log-transformed (``log1p``; monetary floored at 0) because they are heavily
    right-skewed and K-means/Gaussian mixtures are dominated by a few large customers otherwise.
    ``extra`` columns (products, channel mix, tenure, ...) come from ``customers`` joined on the id;
    customers missing from ``customers`` or with missing features are dropped with a warning.

    Returns
    -------
    DataFrame
        Indexed by customer id: ``log_recency_days, log_frequency, log_monetary`` + ``extra``.
    """
    require_columns(rfm_customers, [customer_id, "recency_days", "frequency", "monetary"], table="rfm_customers")
    feats = pd.DataFrame(
        {
            "log_recency_days": np.log1p(rfm_customers["recency_days"].to_numpy(float)),
            "log_frequency": np.log1p(rfm_customers["frequency"].to_numpy(float)),
            "log_monetary": np.log1p(np.clip(rfm_customers["monetary"].to_numpy(float), 0, None)),
        },
        index=pd.Index(rfm_customers[customer_id].astype(str), name=customer_id),
    )
    if customers is not None and extra:
        require_columns(customers, [customer_id, *extra], table="customers", param="extra")
        require_numeric(customers, list(extra), table="customers")
        ext = customers.assign(**{customer_id: customers[customer_id].astype(str)}).set_index(customer_id)[list(extra)]
        feats = feats.join(ext.astype(float), how="left")
    bad = feats.isna().any(axis=1)
    if bad.any():
        warnings.warn(
            f"behavioural_features: dropped {int(bad.sum())} of {len(feats)} customers "
            f"({bad.mean():.1%}) with missing features (not in customers, or NA).", DataWarning, stacklevel=2,
        )
        feats = feats.loc[~bad]
    return feats


@dataclass(frozen=True)
class SegmentationResult:
    """Behavioural segmentation (frozen).

    Attributes
    ----------
    method : {"kmeans", "gmm"}
    n_segments : int
        Chosen (or given) number of segments.
    labels : Series
        Segment 1..k per customer (1 = highest mean of ``order_by``), indexed like the input.
    selection : DataFrame
        ``k, silhouette, bic, inertia, chosen``: the curve k was chosen from.
    profiles : DataFrame
        One row per segment: ``segment, n_customers, customer_share`` then the mean of every
        feature (original units) and ``z_<feature>`` (standardised means, for the heatmap).
    stability : DataFrame
        ``n_bootstrap, ari_mean, ari_ci_low, ari_ci_high``: bootstrap adjusted Rand index of the
        refitted partition against the full-data partition.
    n_fit : int
        Customers the models were fitted on (all, or the ``max_fit_rows`` subsample).
    """

    method: str
    n_segments: int
    features: tuple[str, ...]
    labels: pd.Series = field(repr=False)
    selection: pd.DataFrame = field(repr=False)
    profiles: pd.DataFrame = field(repr=False)
    stability: pd.DataFrame = field(repr=False)
    criterion: str
    n_fit: int

    def tidy(self) -> pd.DataFrame:
        """Segment profiles (aggregated, safe to share)."""
        return self.profiles.copy()

    def summary(self) -> pd.DataFrame:
        """One row: ``method, n_segments, criterion, n_fit`` and the bootstrap stability columns."""
        head = pd.DataFrame([{"method": self.method, "n_segments": self.n_segments, "criterion": self.criterion,
                              "n_fit": self.n_fit}])
        return pd.concat([head, self.stability.reset_index(drop=True)], axis=1)

    @property
    def notes(self) -> tuple[str, ...]:
        """How k was chosen and how stable the partition is, in one sentence."""
        s = self.stability.iloc[0]
        return (
            f"{self.method}: k = {self.n_segments} chosen by {self.criterion}; "
            f"bootstrap adjusted Rand index {s['ari_mean']:.3f} "
            f"[{s['ari_ci_low']:.3f}, {s['ari_ci_high']:.3f}] over {int(s['n_bootstrap'])} resamples.",
        )

    @property
    def notes_zh(self) -> tuple[str, ...]:
        """:attr:`notes` in simplified Chinese."""
        s = self.stability.iloc[0]
        method = {"kmeans": "K-means", "gmm": "高斯混合模型"}.get(self.method, self.method)
        chosen = {"silhouette": "按轮廓系数选定", "bic": "按 BIC 选定", "given": "由参数指定"}.get(
            self.criterion, f"按 {self.criterion} 选定")
        return (
            f"{method}：{chosen} k = {self.n_segments}；{int(s['n_bootstrap'])} 次自助重抽样的调整兰德指数 "
            f"{s['ari_mean']:.3f} [{s['ari_ci_low']:.3f}, {s['ari_ci_high']:.3f}]。",
        )

    def plot(self, ax=None, *, kind: Literal["selection", "profiles"] = "selection"):
        """``kind="selection"``: silhouette/BIC by k; ``kind="profiles"``: heatmap of z-means."""
        import matplotlib.pyplot as plt

        from bankcrm_research.reporting import label

        require_choice(kind, ["selection", "profiles"], param="kind")
        if kind == "selection":
            if ax is None:
                _, ax = plt.subplots(figsize=(6, 4))
            sel = self.selection
            col = "silhouette" if self.criterion == "silhouette" else "bic"
            ax.plot(sel["k"], sel[col], marker="o")
            ax.axvline(self.n_segments, color="grey", linestyle="--")
            ax.set_xlabel(label("n_segments"))
            ax.set_ylabel(label(col))
            return ax
        import seaborn as sns

        z = self.profiles.set_index("segment")[[f"z_{f}" for f in self.features]]
        # customer columns have area-specific keys (feature_<name>) to avoid clashing label files
        # (a user's own column without a label keeps its name)
        z.columns = [label(f) if label(f) != f else label(f"feature_{f}").removeprefix("feature_")
                     for f in self.features]
        if ax is None:
            _, ax = plt.subplots(figsize=(1.0 * len(self.features) + 2, 0.5 * len(z) + 2))
        with warnings.catch_warnings():
            # seaborn 0.13 calls a colormap method matplotlib has scheduled for deprecation
            warnings.simplefilter("ignore", PendingDeprecationWarning)
            sns.heatmap(z, annot=True, fmt=".2f", cmap="RdBu_r", center=0, ax=ax, cbar_kws={"label": "z"})
        ax.set_ylabel(label("behavioural_segment"))
        return ax


class BehaviouralSegmentation:
    """K-means or Gaussian-mixture segments on standardised behavioural features.

    Parameters
    ----------
    method : {"kmeans", "gmm"}
    n_segments : int or None
        Number of segments; ``None`` chooses k in ``k_range`` by the largest silhouette (K-means)
        or the smallest BIC (Gaussian mixture).
    k_range : tuple of int
        Smallest and largest k tried when choosing.
    n_bootstrap : int
        Bootstrap resamples for the stability index (0 = skip).
    silhouette_sample : int
        Silhouette is computed on a random subsample of this size (it is O(n^2)).
    max_fit_rows : int or None
        With more customers than this, the models of the k-selection curve and of the bootstrap
        are fitted on a random subsample of this size (the final model too), and every customer
        is then assigned by ``predict``; keeps the run time flat for large banks. ``None`` = all.
    order_by : str or None
        Feature whose segment mean orders the labels (segment 1 = highest); default the
        monetary feature if present, else the first feature.
    seed : int

    Notes
    -----
    Stability: for b = 1..B draw a bootstrap sample, refit with the same k, assign all customers
    with the refitted model and compute the adjusted Rand index against the full-data labels
    (Lange et al. 2004, *Neural Computation* 16(6); Hennig 2007). Values above ~0.8 indicate a
    stable partition.
    """

    def __init__(
        self,
        *,
        method: Literal["kmeans", "gmm"] = "kmeans",
        n_segments: int | None = None,
        k_range: tuple[int, int] = (2, 8),
        n_bootstrap: int = 20,
        silhouette_sample: int = 2000,
        max_fit_rows: int | None = 5000,
        order_by: str | None = None,
        seed: int = 0,
    ) -> None:
        self.max_fit_rows = max_fit_rows
        self.method = method
        self.n_segments = n_segments
        self.k_range = k_range
        self.n_bootstrap = n_bootstrap
        self.silhouette_sample = silhouette_sample
        self.order_by = order_by
        self.seed = seed

    def _model(self, k: int, seed: int):
        from sklearn.cluster import KMeans
        from sklearn.mixture import GaussianMixture

        if self.method == "kmeans":
            return KMeans(n_clusters=k, n_init=4, random_state=seed)
        return GaussianMixture(n_components=k, covariance_type="full", n_init=1, random_state=seed)

    def fit(self, data: pd.DataFrame, *, features: Sequence[str] | None = None) -> SegmentationResult:
        """Fit on ``data[features]`` (default: all columns).

        BLAS/OpenMP are limited to one thread during the fits: the matrices are small, and
        multi-threaded K-means/EM on a shared 2-core machine is up to 50x slower from
        oversubscription.
        """
        # import before limiting: threadpoolctl only sees libraries (OpenMP) already loaded
        import sklearn.cluster  # noqa: F401
        import sklearn.mixture  # noqa: F401
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):
            return self._fit(data, features)

    def _fit(self, data: pd.DataFrame, features: Sequence[str] | None) -> SegmentationResult:
        from sklearn.metrics import adjusted_rand_score, silhouette_score
        from sklearn.mixture import GaussianMixture
        from sklearn.preprocessing import StandardScaler

        require_choice(self.method, ["kmeans", "gmm"], param="method")
        features = list(data.columns) if features is None else list(features)
        require_columns(data, features, table="data", param="features")
        require_numeric(data, features, table="data")
        require_not_constant(data, features, table="data")
        k_lo, k_hi = (require_positive_int(k, param="k_range", minimum=2) for k in self.k_range)
        if k_hi < k_lo:
            raise ValueError(f"The 'k_range' parameter must be (low, high) with low <= high. Got {self.k_range!r}.")
        if self.n_segments is not None:
            require_positive_int(self.n_segments, param="n_segments", minimum=2)
        n_bootstrap = require_positive_int(self.n_bootstrap, param="n_bootstrap", minimum=0)
        df = data[features].astype(float)
        if df.isna().any().any():
            raise ValueError(
                f"data: {int(df.isna().any(axis=1).sum())} rows have missing feature values; impute or drop them "
                f"first (behavioural_features drops them with a warning)."
            )
        require_min_rows(df, 10 * (k_hi if self.n_segments is None else self.n_segments), table="data",
                         what="segmentation (10 customers per segment)")
        X = StandardScaler().fit_transform(df.to_numpy())
        rng = np.random.default_rng(self.seed)
        n = len(X)
        sil_idx = rng.choice(n, size=min(n, self.silhouette_sample), replace=False)
        n_fit = n if self.max_fit_rows is None else min(n, require_positive_int(self.max_fit_rows,
                                                                                  param="max_fit_rows", minimum=50))
        fit_idx = np.sort(rng.choice(n, size=n_fit, replace=False)) if n_fit < n else np.arange(n)
        X_fit = X[fit_idx]

        ks = [self.n_segments] if self.n_segments is not None else list(range(k_lo, k_hi + 1))
        rows, fitted = [], {}
        for k in ks:
            model = self._model(k, self.seed).fit(X_fit)
            lab = model.predict(X)
            fitted[k] = (model, lab)
            sil = silhouette_score(X[sil_idx], lab[sil_idx]) if len(np.unique(lab[sil_idx])) > 1 else np.nan
            # BIC is defined for the mixture; K-means has no likelihood, its curve is silhouette/inertia
            bic = model.bic(X_fit) if isinstance(model, GaussianMixture) else np.nan
            inertia = getattr(model, "inertia_", np.nan)
            rows.append({"k": k, "silhouette": sil, "bic": bic, "inertia": inertia})
        selection = pd.DataFrame(rows)
        criterion = "given" if self.n_segments is not None else ("silhouette" if self.method == "kmeans" else "bic")
        if self.n_segments is not None:
            k_best = self.n_segments
        elif self.method == "kmeans":
            k_best = int(selection.loc[selection["silhouette"].idxmax(), "k"])
        else:
            k_best = int(selection.loc[selection["bic"].idxmin(), "k"])
        selection["chosen"] = selection["k"] == k_best
        model, lab = fitted[k_best]

        # order labels by the segment mean of order_by (segment 1 = highest) for determinism
        order_by = self.order_by or next((f for f in features if "monetary" in f), features[0])
        require_columns(data, [order_by], table="data", param="order_by")
        means = pd.Series(data[order_by].to_numpy(float)).groupby(lab).mean().sort_values(ascending=False)
        remap = {old: new for new, old in enumerate(means.index, start=1)}
        labels = pd.Series(np.vectorize(remap.get)(lab), index=data.index, name="segment")

        # stability by bootstrap ARI
        aris = []
        for b in range(n_bootstrap):
            idx = rng.integers(0, n, size=n_fit)
            mb = self._model(k_best, self.seed + 1 + b).fit(X[idx])
            aris.append(adjusted_rand_score(lab, mb.predict(X)))
        aris = np.asarray(aris)
        stability = pd.DataFrame(
            [{
                "n_bootstrap": n_bootstrap,
                "ari_mean": float(aris.mean()) if len(aris) else np.nan,
                "ari_ci_low": float(np.quantile(aris, 0.025)) if len(aris) else np.nan,
                "ari_ci_high": float(np.quantile(aris, 0.975)) if len(aris) else np.nan,
            }]
        )

        zdf = pd.DataFrame(X, columns=[f"z_{f}" for f in features], index=data.index)
        prof = pd.concat([df, zdf], axis=1).groupby(labels.to_numpy()).mean()
        prof.insert(0, "n_customers", labels.value_counts().sort_index().to_numpy())
        prof.insert(1, "customer_share", prof["n_customers"] / n)
        prof = prof.rename_axis("segment").reset_index()
        return SegmentationResult(
            method=self.method,
            n_segments=k_best,
            features=tuple(features),
            labels=labels,
            selection=selection,
            profiles=prof,
            stability=stability,
            criterion=criterion,
            n_fit=n_fit,
        )


# --------------------------------------------------------------------------------------------
# Transaction rates
# --------------------------------------------------------------------------------------------


def transaction_rates(
    data: pd.DataFrame,
    *,
    count: str,
    exposure: str,
    group: str,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Transactions per unit of exposure by group, with exact Poisson (Garwood) CIs.

    Parameters
    ----------
    data : DataFrame
        One row per customer; customers without transactions must be present with ``count = 0``
        (leaving them out inflates the rate).
    count : str
        Transactions of the customer in the window.
    exposure : str
        Time the customer was observed (e.g. ``duration_months``), > 0.
    group : str
        Grouping column (e.g. ``value_tier``).

    Returns
    -------
    DataFrame
        ``group, n_customers, n_transactions, exposure, rate, ci_low, ci_high``.

    Notes
    -----
    :math:`\\hat\\lambda = \\sum_i y_i / \\sum_i e_i`; with :math:`Y = \\sum_i y_i`, the exact CI is
    :math:`[\\chi^2_{2Y, \\alpha/2} / 2,\\ \\chi^2_{2Y+2, 1-\\alpha/2} / 2] / \\sum_i e_i`
    (Garwood 1936, *Biometrika* 28). Valid when customers within a group share one rate; with
    heterogeneous rates the interval is too narrow (use the BG/NBD model instead).
    """
    from scipy import stats

    require_columns(data, [count, exposure, group], table="data")
    require_numeric(data, [count, exposure], table="data")
    bad = data[[count, exposure]].isna().any(axis=1) | (data[exposure] <= 0)
    if bad.any():
        warnings.warn(f"transaction_rates: dropped {int(bad.sum())} of {len(data)} rows with missing "
                      f"{count}/{exposure} or {exposure} <= 0.", DataWarning, stacklevel=2)
    d = data.loc[~bad]
    g = d.groupby(group, observed=True)
    out = pd.DataFrame({"n_customers": g.size(), "n_transactions": g[count].sum(), "exposure": g[exposure].sum()})
    y = out["n_transactions"].to_numpy(float)
    out["rate"] = y / out["exposure"]
    lo = np.where(y > 0, stats.chi2.ppf(alpha / 2, 2 * y) / 2, 0.0)
    hi = stats.chi2.ppf(1 - alpha / 2, 2 * y + 2) / 2
    out["ci_low"] = lo / out["exposure"]
    out["ci_high"] = hi / out["exposure"]
    return out.reset_index().rename(columns={group: "group"})
