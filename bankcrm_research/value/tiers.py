"""Value concentration and service by value tier: does service follow value?

:func:`value_concentration` gives the Lorenz curve, the Gini coefficient and the share of value
held by the top 10 % and 20 % of customers, with bootstrap CIs. :func:`value_tiers` cuts customers
into value tiers (by value quantiles or a given tier column) and reports, per tier, size, value
share, relationship-manager coverage and contact frequency with CIs; :func:`service_alignment`
tests whether service rises with value (Spearman rank correlation across customers).

References
----------
Lorenz, M. O. (1905). Methods of measuring the concentration of wealth. *JASA* 9(70), 209-219.
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
*JASA* 22(158), 209-212 (CIs for coverage rates).
Zeithaml, V. A., Rust, R. T. & Lemon, K. N. (2001). The customer pyramid: creating and serving
profitable customers. *California Management Review* 43(4), 118-142.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from bankcrm_research.common.intervals import wilson_interval
from bankcrm_research.data.validate import (
    DataWarning,
    require_columns,
    require_min_rows,
    require_numeric,
    require_positive_int,
    warn_dropped,
)

__all__ = [
    "ValueConcentration",
    "value_concentration",
    "value_tiers",
    "service_alignment",
    "plot_service_by_tier",
    "DEFAULT_TIER_CUTS",
]

#: Default value tiers: (label, lower quantile, upper quantile) of the value distribution.
DEFAULT_TIER_CUTS: tuple[tuple[str, float, float], ...] = (
    ("top_10pct", 0.9, 1.0),
    ("p80_90", 0.8, 0.9),
    ("p50_80", 0.5, 0.8),
    ("bottom_50pct", 0.0, 0.5),
)


def _gini_sorted(v: np.ndarray) -> float:
    """Gini of values sorted ascending: G = 2 sum_i i v_(i) / (n sum v) - (n + 1) / n."""
    n = len(v)
    total = v.sum()
    if total <= 0:
        return np.nan
    i = np.arange(1, n + 1)
    return float(2 * np.sum(i * v) / (n * total) - (n + 1) / n)


def _top_share(v_sorted: np.ndarray, q: float) -> float:
    n = len(v_sorted)
    k = int(np.ceil(q * n))
    return float(v_sorted[n - k:].sum() / v_sorted.sum())


@dataclass(frozen=True)
class ValueConcentration:
    """Lorenz curve and concentration measures (frozen).

    Attributes
    ----------
    lorenz : DataFrame
        ``customer_share, value_share`` (cumulative, from the lowest-value customer), 201 points.
    measures : DataFrame
        ``measure, estimate, ci_low, ci_high`` for ``gini``, ``top_10pct_share``,
        ``top_20pct_share`` (percentile bootstrap CIs).
    """

    value: str
    n_customers: int
    n_negative: int
    lorenz: pd.DataFrame = field(repr=False)
    measures: pd.DataFrame

    def tidy(self) -> pd.DataFrame:
        """``measure, estimate, ci_low, ci_high`` (Gini, top-10 % and top-20 % shares)."""
        return self.measures.copy()

    def summary(self) -> pd.DataFrame:
        """The measures of :meth:`tidy` (in one sentence: :attr:`notes`)."""
        return self.tidy()

    @property
    def notes(self) -> tuple[str, ...]:
        """The concentration in one sentence."""
        m = self.measures.set_index("measure")
        return (
            f"{self.value}: Gini {m.loc['gini', 'estimate']:.3f}; top 10 % hold "
            f"{m.loc['top_10pct_share', 'estimate']:.1%}, top 20 % hold {m.loc['top_20pct_share', 'estimate']:.1%} "
            f"of value (n = {self.n_customers}).",
        )

    @property
    def notes_zh(self) -> tuple[str, ...]:
        """:attr:`notes` in simplified Chinese."""
        m = self.measures.set_index("measure")
        return (
            f"{self.value}：基尼系数 {m.loc['gini', 'estimate']:.3f}；前 10% 的客户持有 "
            f"{m.loc['top_10pct_share', 'estimate']:.1%} 的价值，前 20% 持有 {m.loc['top_20pct_share', 'estimate']:.1%}"
            f"（n = {self.n_customers}）。",
        )

    def plot(self, ax=None):
        """Lorenz curve with the line of equality."""
        import matplotlib.pyplot as plt

        from bankcrm_research.reporting import label

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 5))
        ax.plot(self.lorenz["customer_share"], self.lorenz["value_share"], label=label("lorenz_curve"))
        ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label=label("equality"))
        g = self.measures.set_index("measure").loc["gini", "estimate"]
        ax.set_title(f"{label('gini')} = {g:.3f}")
        ax.set_xlabel(label("cumulative_customer_share"))
        ax.set_ylabel(label("cumulative_value_share"))
        ax.legend(loc="upper left")
        return ax


def value_concentration(
    data: pd.DataFrame,
    *,
    value: str,
    n_bootstrap: int = 200,
    alpha: float = 0.05,
    seed: int = 0,
) -> ValueConcentration:
    """Lorenz curve, Gini and top-decile/quintile value shares.

    Parameters
    ----------
    data : DataFrame
        One row per customer.
    value : str
        Customer value column (AUM, net spend, CLV, ...). Negative values (net refunds) are set
        to 0 with a :class:`DataWarning` count: the Lorenz curve needs non-negative values.
        Missing values are dropped with a warning.
    n_bootstrap : int
        Bootstrap resamples of customers for the percentile CIs (0 = no CI).

    Notes
    -----
    With values sorted ascending :math:`v_{(1)} \\le \\dots \\le v_{(n)}`,

    .. math::
        G = \\frac{2\\sum_i i\\,v_{(i)}}{n\\sum_i v_{(i)}} - \\frac{n+1}{n}

    (0 = everyone equal, 1 = one customer holds everything). The top-q share is the share of total
    value held by the ``ceil(q n)`` highest-value customers.
    """
    require_columns(data, [value], table="data", param="value")
    require_numeric(data, [value], table="data")
    n_bootstrap = require_positive_int(n_bootstrap, param="n_bootstrap", minimum=0)
    v = data[value].to_numpy(float)
    keep = ~np.isnan(v)
    warn_dropped(int((~keep).sum()), len(v), f"with missing '{value}'", table="data")
    v = v[keep]
    require_min_rows(pd.DataFrame({"v": v}), 10, table="data", what="value concentration")
    n_neg = int((v < 0).sum())
    if n_neg:
        warnings.warn(f"data: {n_neg} customers have negative '{value}' (e.g. net refunds or overdrafts); set to 0 for the "
                      f"Lorenz curve and Gini.", DataWarning, stacklevel=2)
        v = np.clip(v, 0, None)
    if v.sum() <= 0:
        raise ValueError(f"data: '{value}' sums to {v.sum()}; concentration needs a positive total value.")
    vs = np.sort(v)
    est = {"gini": _gini_sorted(vs), "top_10pct_share": _top_share(vs, 0.1), "top_20pct_share": _top_share(vs, 0.2)}
    ci = {k: (np.nan, np.nan) for k in est}
    if n_bootstrap:
        rng = np.random.default_rng(seed)
        boots = {k: [] for k in est}
        for _ in range(n_bootstrap):
            b = np.sort(v[rng.integers(0, len(v), len(v))])
            if b.sum() <= 0:
                continue
            boots["gini"].append(_gini_sorted(b))
            boots["top_10pct_share"].append(_top_share(b, 0.1))
            boots["top_20pct_share"].append(_top_share(b, 0.2))
        ci = {k: tuple(np.quantile(x, [alpha / 2, 1 - alpha / 2])) for k, x in boots.items()}
    measures = pd.DataFrame(
        [{"measure": k, "estimate": est[k], "ci_low": ci[k][0], "ci_high": ci[k][1]} for k in est]
    )
    cum = np.concatenate([[0.0], np.cumsum(vs)]) / vs.sum()
    grid = np.linspace(0, 1, 201)
    lorenz = pd.DataFrame({"customer_share": grid,
                           "value_share": np.interp(grid, np.arange(len(vs) + 1) / len(vs), cum)})
    return ValueConcentration(value=value, n_customers=len(v), n_negative=n_neg, lorenz=lorenz, measures=measures)


def _tier_labels(v: pd.Series, cuts: Sequence[tuple[str, float, float]]) -> pd.Series:
    # rank-based quantiles so that ties do not empty a tier boundary unpredictably
    q = v.rank(method="first", pct=True)
    out = pd.Series(pd.NA, index=v.index, dtype="object")
    for name, lo, hi in cuts:
        out[(q > lo) & (q <= hi)] = name
    return pd.Categorical(out, categories=[c[0] for c in cuts], ordered=True)


def value_tiers(
    data: pd.DataFrame,
    *,
    value: str,
    tier: str | None = None,
    rm: str | None = None,
    contacts: Sequence[str] = (),
    cuts: Sequence[tuple[str, float, float]] = DEFAULT_TIER_CUTS,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Size, value and service by value tier (aggregated, safe to share).

    Parameters
    ----------
    data : DataFrame
        One row per customer.
    value : str
        Customer value column used for value shares (and for the tiers when ``tier`` is None).
    tier : str, optional
        Existing tier column (e.g. ``value_tier``); default: quantile tiers from ``cuts``.
    rm : str, optional
        Relationship-manager column; a customer is covered when it is not missing (an id) or True.
    contacts : sequence of str
        Contact/service columns (binary or counts, e.g. ``followup_contact``,
        ``branch_visits_12m``); missing values are ignored per column (the ``n_<col>`` column says
        how many customers each mean uses).

    Returns
    -------
    DataFrame
        ``tier, n_customers, customer_share, customer_share_ci_low, customer_share_ci_high``
        (Wilson), ``value_total, value_share, value_mean`` then
        ``rm_coverage, rm_coverage_ci_low, rm_coverage_ci_high`` (Wilson) and, for each contact
        column, ``<col>_mean, <col>_ci_low, <col>_ci_high, n_<col>`` (t interval).
    """
    require_columns(data, [value, tier, rm, *contacts], table="data", param="columns")
    require_numeric(data, [value], table="data")
    df = data.copy()
    if tier is None:
        df["_tier"] = _tier_labels(df[value], cuts)
        tier_col = "_tier"
    else:
        tier_col = tier
    miss = df[tier_col].isna()
    warn_dropped(int(miss.sum()), len(df), "without a value tier (missing value)", table="data")
    df = df.loc[~miss]
    g = df.groupby(tier_col, observed=True, sort=True)
    out = pd.DataFrame(
        {
            "n_customers": g.size(),
            "value_total": g[value].sum(),
            "value_mean": g[value].mean(),
        }
    )
    out.insert(1, "customer_share", out["n_customers"] / out["n_customers"].sum())
    lo, hi = wilson_interval(out["n_customers"].to_numpy(float), np.full(len(out), float(out["n_customers"].sum())),
                             alpha)
    out.insert(2, "customer_share_ci_low", lo)
    out.insert(3, "customer_share_ci_high", hi)
    out.insert(5, "value_share", out["value_total"] / out["value_total"].sum())
    if rm is not None:
        col = df[rm]
        covered = col.astype("boolean").fillna(False) if pd.api.types.is_bool_dtype(col) else col.notna()
        k = covered.groupby(df[tier_col], observed=True, sort=True).sum().to_numpy(float)
        n = out["n_customers"].to_numpy(float)
        lo, hi = wilson_interval(k, n, alpha)
        out["rm_coverage"] = k / n
        out["rm_coverage_ci_low"], out["rm_coverage_ci_high"] = lo, hi
    for c in contacts:
        x = pd.to_numeric(df[c].astype("float64"), errors="coerce")
        gx = x.groupby(df[tier_col], observed=True, sort=True)
        m, s, nn = gx.mean(), gx.std(ddof=1), gx.count()
        half = stats.t.ppf(1 - alpha / 2, np.maximum(nn - 1, 1)) * s / np.sqrt(nn)
        out[f"{c}_mean"] = m
        out[f"{c}_ci_low"] = m - half
        out[f"{c}_ci_high"] = m + half
        out[f"n_{c}"] = nn.astype(int)
    out = out.reset_index().rename(columns={tier_col: "tier"})
    out["tier"] = out["tier"].astype(str)
    return out


def service_alignment(
    data: pd.DataFrame,
    *,
    value: str,
    service: Sequence[str],
) -> pd.DataFrame:
    """Does service follow value? Spearman correlation of each service measure with value.

    Parameters
    ----------
    value : str
        Customer value column.
    service : sequence of str
        Service columns (RM assigned: non-missing id or bool; contact indicators; visit counts).
        Object columns are read as "assigned" (non-missing).

    Returns
    -------
    DataFrame
        ``service, n, spearman_rho, p_value, ci_low, ci_high`` (Fisher-z CI with the
        Bonett-Wright variance ``(1 + rho^2/2)/(n-3)``).
    """
    require_columns(data, [value, *service], table="data", param="service")
    rows = []
    for c in service:
        col = data[c]
        if pd.api.types.is_object_dtype(col) or pd.api.types.is_string_dtype(col):
            x = col.notna().astype(float)
        else:
            x = pd.to_numeric(col.astype("float64"), errors="coerce")
        ok = x.notna() & data[value].notna()
        n = int(ok.sum())
        if n < 10 or x[ok].nunique() < 2:
            rows.append({"service": c, "n": n, "spearman_rho": np.nan, "p_value": np.nan,
                         "ci_low": np.nan, "ci_high": np.nan})
            continue
        rho, p = stats.spearmanr(data.loc[ok, value], x[ok])
        se = np.sqrt((1 + rho**2 / 2) / (n - 3))
        z = np.arctanh(rho)
        rows.append({"service": c, "n": n, "spearman_rho": float(rho), "p_value": float(p),
                     "ci_low": float(np.tanh(z - 1.96 * se)), "ci_high": float(np.tanh(z + 1.96 * se))})
    return pd.DataFrame(rows)


def plot_service_by_tier(tiers: pd.DataFrame, ax=None, *, measures: Sequence[str] | None = None):
    """Bars of value share beside service measures (with CIs) per tier, from :func:`value_tiers`.

    ``measures`` defaults to ``rm_coverage`` and every ``<col>_mean`` column that is a rate in
    [0, 1]; counts are left out because they are on another scale.
    """
    import matplotlib.pyplot as plt

    from bankcrm_research.reporting import label

    if measures is None:
        cand = ["rm_coverage"] + [c for c in tiers.columns if c.endswith("_mean") and c != "value_mean"]
        measures = [c for c in cand if c in tiers.columns and tiers[c].between(0, 1).all()]
    cols = ["value_share", *measures]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    x = np.arange(len(tiers))
    width = 0.8 / len(cols)
    for j, c in enumerate(cols):
        base = c[: -len("_mean")] if c.endswith("_mean") else c
        lo, hi = f"{base}_ci_low", f"{base}_ci_high"
        yerr = None
        if lo in tiers.columns and hi in tiers.columns:
            yerr = [tiers[c] - tiers[lo], tiers[hi] - tiers[c]]
        # area key service_<col> first (avoids clashing with other areas' label files)
        name = next((label(k) for k in (f"service_{base}", base) if label(k) != k), base.replace("_", " "))
        ax.bar(x + (j - (len(cols) - 1) / 2) * width, tiers[c], width=width, yerr=yerr, capsize=2, label=name)
    ax.set_xticks(x, [label(t) for t in tiers["tier"]])
    ax.set_ylabel(label("share"))
    ax.legend(fontsize=8)
    return ax
