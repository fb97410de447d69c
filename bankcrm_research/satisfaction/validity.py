"""Validity of the measurement model: HTMT (classic and HTMT2) with bootstrap CIs,
Fornell-Larcker, KMO, Bartlett's sphericity test, exploratory factor analysis and parallel analysis.

Which HTMT? ``variant="classic"`` is Henseler, Ringle & Sarstedt (2015), arithmetic means of
correlations, what seminr and SmartPLS report and ``semTools::htmt(..., htmt2 = FALSE)``;
``variant="htmt2"`` is Roemer, Schuberth & Henseler (2021), geometric means, the default of
``semTools::htmt`` since 0.5-6. Tables are labelled with the variant.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from factor_analyzer import FactorAnalyzer

from bankcrm_research.common.results import ResultMixin
from bankcrm_research.common.factor import kmo_bartlett_stats
from bankcrm_research.data.validate import require_columns, require_dataframe, require_positive_int

__all__ = [
    "htmt",
    "htmt_from_corr",
    "htmt_table",
    "htmt_resample_indices",
    "fornell_larcker",
    "kmo_bartlett",
    "parallel_analysis",
    "exploratory_factor_analysis",
    "EFAResult",
]

HTMTVariant = Literal["classic", "htmt2"]


def _blocks(measurement: Mapping[str, Sequence[str]], items: list[str]) -> list[np.ndarray]:
    pos = {it: i for i, it in enumerate(items)}
    return [np.array([pos[i] for i in its], dtype=np.intp) for its in measurement.values()]


def htmt_from_corr(
    r: np.ndarray, blocks: Sequence[np.ndarray], *, variant: HTMTVariant = "classic", absolute: bool = True
) -> np.ndarray:
    """HTMT matrix from an item correlation matrix and item-index blocks (diagonal = 1).

    Notes
    -----
    Classic: :math:`HTMT_{ij} = \\bar r_{ij} / \\sqrt{\\bar r_{ii} \\bar r_{jj}}` with
    :math:`\\bar r_{ij}` the mean heterotrait-heteromethod correlation and :math:`\\bar r_{ii}` the
    mean off-diagonal monotrait-heteromethod correlation (Henseler, Ringle & Sarstedt 2015,
    *JAMS* 43, 115-135). HTMT2 replaces the arithmetic by geometric means (Roemer, Schuberth &
    Henseler 2021, *Industrial Management & Data Systems* 121(12), 2637-2650). A single-item block
    has monotrait mean 1 (seminr's convention). ``absolute=True`` uses :math:`|r|` as semTools.
    Hand-written: neither factor_analyzer nor pingouin has it.
    """
    r = np.abs(r) if absolute else r
    k = len(blocks)
    if variant == "classic":
        agg = np.mean
    elif variant == "htmt2":
        with np.errstate(divide="ignore", invalid="ignore"):
            agg = lambda x: float(np.exp(np.mean(np.log(x))))  # noqa: E731  geometric mean
    else:
        raise ValueError(f"variant must be 'classic' or 'htmt2'; found {variant!r}")
    mono = np.ones(k)
    for a, idx in enumerate(blocks):
        if len(idx) > 1:
            sub = r[np.ix_(idx, idx)]
            mono[a] = agg(sub[np.triu_indices(len(idx), 1)])
    out = np.eye(k)
    for a in range(k):
        for b in range(a + 1, k):
            with np.errstate(divide="ignore", invalid="ignore"):
                out[a, b] = out[b, a] = agg(r[np.ix_(blocks[a], blocks[b])].ravel()) / np.sqrt(mono[a] * mono[b])
    return out


def htmt(
    data: pd.DataFrame,
    *,
    measurement: Mapping[str, Sequence[str]],
    variant: HTMTVariant = "classic",
    absolute: bool = True,
) -> pd.DataFrame:
    """Heterotrait-monotrait ratio of correlations, a square construct x construct DataFrame.

    Parameters
    ----------
    data : DataFrame
        Complete item responses.
    measurement : mapping
        ``{construct: [items]}``.
    variant : {"classic", "htmt2"}
        See the module docstring.
    absolute : bool
        Use absolute correlations (semTools' default).

    Notes
    -----
    See :func:`htmt_from_corr`. In R: ``semTools::htmt(model, data, htmt2 = FALSE)`` (classic) or
    ``htmt2 = TRUE``. Values above 0.85 (strict) or 0.90 (liberal) signal a discriminant-validity
    problem (Henseler et al. 2015).
    """
    require_dataframe(data)
    items = [i for its in measurement.values() for i in its]
    require_columns(data, items)
    r = np.corrcoef(data[items].to_numpy(float).T)
    names = list(measurement)
    out = htmt_from_corr(r, _blocks(measurement, items), variant=variant, absolute=absolute)
    frame = pd.DataFrame(out, index=pd.Index(names, name="construct"), columns=names)
    frame.attrs["variant"] = variant
    return frame


def htmt_resample_indices(n: int, reps: int, seed: int) -> Iterator[np.ndarray]:
    """Row indices (0-based) of :func:`htmt_table`'s bootstrap resamples, in order.

    Resample ``b`` is the ``b``-th draw ``numpy.random.default_rng(seed).integers(0, n, size=n)``
    (with replacement); re-generating them lets a reference implementation see the same resamples.
    """
    rng = np.random.default_rng(seed)
    for _ in range(reps):
        yield rng.integers(0, n, size=n)


def htmt_table(
    data: pd.DataFrame,
    *,
    measurement: Mapping[str, Sequence[str]],
    bootstrap_reps: int = 500,
    seed: int = 20130613,
    alpha: float = 0.05,
    threshold: float = 0.85,
) -> pd.DataFrame:
    """Tidy HTMT (classic and HTMT2) per construct pair with percentile bootstrap CIs.

    Returns
    -------
    DataFrame
        construct_1, construct_2, variant, htmt, ci_low, ci_high, exceeds (upper CI bound above
        ``threshold``: discriminant validity not established; Franke & Sarstedt 2019).

    Notes
    -----
    Respondents are resampled with ``numpy.random.default_rng(seed)`` (the row indices are
    :func:`htmt_resample_indices`); each resample's item correlation matrix gives both variants
    (absolute correlations, as semTools). A resample where a ratio is NaN (a constant item in
    the resample) is dropped for that cell, with a warning giving the count per pair. CIs are the
    ``alpha / 2`` and ``1 - alpha / 2`` quantiles of the resample values with numpy's default
    (linear) interpolation, R's ``quantile(type = 7)``. Point values, resample values and CI
    bounds are checked to 1e-10 against ``semTools::htmt`` run in R on the same resamples of the
    Holzinger & Swineford (1939) data (tests/satisfaction/test_htmt_bootstrap_reference.py).
    """
    require_positive_int(bootstrap_reps, param="bootstrap_reps")
    items = [i for its in measurement.values() for i in its]
    require_columns(data, items)
    x = data[items].to_numpy(float)
    blocks = _blocks(measurement, items)
    names = list(measurement)
    est = {v: htmt_from_corr(np.corrcoef(x.T), blocks, variant=v) for v in ("classic", "htmt2")}
    boot = {v: np.full((bootstrap_reps, len(names), len(names)), np.nan) for v in est}
    from bankcrm_research.satisfaction._pls_engine import corr_of

    for b, idx in enumerate(htmt_resample_indices(len(x), bootstrap_reps, seed)):
        r = corr_of(x[idx])
        for v in est:
            boot[v][b] = htmt_from_corr(r, blocks, variant=v)
    # a pair's NaN resamples (a constant item drawn) are dropped for that pair only: say how many
    n_nan = np.isnan(boot["classic"]).sum(axis=0)
    bad = [(names[a], names[c], int(n_nan[a, c])) for a in range(len(names)) for c in range(a + 1, len(names))
           if n_nan[a, c]]
    if bad:
        warnings.warn(
            f"htmt_table: {len(bad)} construct pair(s) lost resamples in which an item was constant "
            f"(pair, resamples dropped of {bootstrap_reps}): {bad[:5]}; their CIs use the remaining resamples",
            stacklevel=2,
        )
    rows = []
    for v in est:
        lo = np.nanquantile(boot[v], alpha / 2, axis=0)
        hi = np.nanquantile(boot[v], 1 - alpha / 2, axis=0)
        for a in range(len(names)):
            for c in range(a + 1, len(names)):
                rows.append(
                    {
                        "construct_1": names[a],
                        "construct_2": names[c],
                        "variant": v,
                        "htmt": est[v][a, c],
                        "ci_low": lo[a, c],
                        "ci_high": hi[a, c],
                        "exceeds": bool(hi[a, c] > threshold),
                    }
                )
    return pd.DataFrame(rows)


def fornell_larcker(latent_cor: pd.DataFrame, ave: Mapping[str, float]) -> pd.DataFrame:
    """Fornell-Larcker table: sqrt(AVE) on the diagonal, latent correlations off it.

    Parameters
    ----------
    latent_cor : DataFrame
        Construct correlation matrix (e.g. ``CBSEMResult.latent_cor``).
    ave : mapping
        AVE per construct.

    Returns
    -------
    DataFrame
        Square table plus a column ``criterion_met``: sqrt(AVE) exceeds every absolute
        correlation of that construct (Fornell & Larcker 1981).
    """
    names = list(latent_cor.index)
    tab = latent_cor.copy().astype(float)
    met = []
    for c in names:
        root = float(np.sqrt(ave[c])) if np.isfinite(ave.get(c, np.nan)) else np.nan
        tab.loc[c, c] = root
        others = latent_cor.loc[c].drop(c).abs()
        met.append(bool(np.isfinite(root) and (others < root).all()))
    tab["criterion_met"] = met
    tab.index.name = "construct"
    return tab


def kmo_bartlett(data: pd.DataFrame, *, items: Sequence[str]) -> pd.DataFrame:
    """Kaiser-Meyer-Olkin sampling adequacy (overall and per item) and Bartlett's test.

    Returns
    -------
    DataFrame
        Tidy rows ``statistic, item, value``: ``kmo`` (item = "overall" or the item name),
        ``bartlett_chisq``, ``bartlett_df``, ``bartlett_p``.

    Notes
    -----
    factor_analyzer's ``calculate_kmo`` and ``calculate_bartlett_sphericity``. Bartlett:
    :math:`\\chi^2 = -(n - 1 - (2p + 5)/6)\\ln|R|`, df = p(p-1)/2. In R:
    ``psych::KMO(data)`` and ``psych::cortest.bartlett(cor(data), n = nrow(data))``.
    KMO >= 0.8 is "meritorious" (Kaiser 1974).
    """
    require_dataframe(data)
    require_columns(data, items)
    x = data[list(items)].astype(float)
    kmo_items, kmo_all, chisq, p = kmo_bartlett_stats(x)
    k = len(items)
    rows = [{"statistic": "kmo", "item": "overall", "value": float(kmo_all)}]
    rows += [{"statistic": "kmo", "item": it, "value": float(v)} for it, v in zip(items, kmo_items, strict=True)]
    rows += [
        {"statistic": "bartlett_chisq", "item": "overall", "value": float(chisq)},
        {"statistic": "bartlett_df", "item": "overall", "value": float(k * (k - 1) / 2)},
        {"statistic": "bartlett_p", "item": "overall", "value": float(p)},
    ]
    return pd.DataFrame(rows)


def parallel_analysis(
    data: pd.DataFrame,
    *,
    items: Sequence[str],
    reps: int = 100,
    quantile: float = 0.95,
    seed: int = 20130613,
) -> pd.DataFrame:
    """Horn's (1965) parallel analysis for the number of factors.

    Eigenvalues of the observed correlation matrix are compared with the ``quantile`` of
    eigenvalues from ``reps`` random normal data sets of the same size; factors are retained
    while the observed eigenvalue exceeds the random one. Both the principal-component
    eigenvalues and the common-factor eigenvalues (correlation matrix with squared multiple
    correlations on the diagonal) are reported, as ``psych::fa.parallel``.

    Returns
    -------
    DataFrame
        factor, eigen_pc, random_pc, eigen_fa, random_fa, retain_pc, retain_fa; ``attrs``
        hold ``n_factors_pc`` and ``n_factors_fa``.

    Notes
    -----
    Hand-written (factor_analyzer has no parallel analysis). Horn, J. L. (1965). A rationale and
    test for the number of factors in factor analysis. *Psychometrika* 30, 179-185.
    """
    require_positive_int(reps, param="reps", minimum=10)
    x = data[list(items)].to_numpy(float)
    n, p = x.shape

    def eig_pair(r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pc = np.sort(np.linalg.eigvalsh(r))[::-1]
        smc = 1 - 1 / np.diag(np.linalg.pinv(r))
        rf = r.copy()
        np.fill_diagonal(rf, smc)
        fa = np.sort(np.linalg.eigvalsh(rf))[::-1]
        return pc, fa

    obs_pc, obs_fa = eig_pair(np.corrcoef(x.T))
    rng = np.random.default_rng(seed)
    sims_pc = np.empty((reps, p))
    sims_fa = np.empty((reps, p))
    for b in range(reps):
        sims_pc[b], sims_fa[b] = eig_pair(np.corrcoef(rng.standard_normal((n, p)).T))
    rand_pc = np.quantile(sims_pc, quantile, axis=0)
    rand_fa = np.quantile(sims_fa, quantile, axis=0)
    keep_pc = np.cumprod(obs_pc > rand_pc).astype(bool)
    keep_fa = np.cumprod(obs_fa > rand_fa).astype(bool)
    out = pd.DataFrame(
        {
            "factor": np.arange(1, p + 1),
            "eigen_pc": obs_pc,
            "random_pc": rand_pc,
            "eigen_fa": obs_fa,
            "random_fa": rand_fa,
            "retain_pc": keep_pc,
            "retain_fa": keep_fa,
        }
    )
    out.attrs["n_factors_pc"] = int(keep_pc.sum())
    out.attrs["n_factors_fa"] = int(keep_fa.sum())
    return out


@dataclass(frozen=True)
class EFAResult(ResultMixin):
    """Exploratory factor analysis: loadings, communalities and the parallel-analysis table."""

    loadings: pd.DataFrame  # item x factor
    communalities: pd.Series
    variance: pd.DataFrame  # SS loadings, proportion, cumulative
    parallel: pd.DataFrame
    n_factors: int
    rotation: str
    method: str

    def tidy(self) -> pd.DataFrame:
        """Long table: item, factor, loading, communality."""
        long = self.loadings.reset_index(names="item").melt(id_vars="item", var_name="factor", value_name="loading")
        long["communality"] = long["item"].map(self.communalities)
        return long

    def summary(self) -> pd.DataFrame:
        """Loadings (blanked below 0.3) with communalities, for reading."""
        tab = self.loadings.where(self.loadings.abs() >= 0.3).round(2)
        tab["communality"] = self.communalities.round(2)
        return tab

    def plot(self, ax=None, *, lang: str | None = None):  # noqa: ANN001, ANN201 - matplotlib types are optional
        """Scree plot with the parallel-analysis reference line (text in ``lang``, "en"/"zh")."""
        import matplotlib.pyplot as plt

        from bankcrm_research.reporting.labels import label

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        pa = self.parallel
        ax.plot(pa["factor"], pa["eigen_fa"], "o-", label=label("efa_observed", lang))
        ax.plot(pa["factor"], pa["random_fa"], "--", label=label("efa_random", lang))
        ax.axvline(self.n_factors + 0.5, color="grey", lw=0.8)
        ax.set_xlabel(label("factor", lang))
        ax.set_ylabel(label("eigenvalue", lang))
        ax.legend()
        return ax


def exploratory_factor_analysis(
    data: pd.DataFrame,
    *,
    items: Sequence[str],
    n_factors: int | None = None,
    rotation: Literal["varimax", "oblimin", "promax", None] = "varimax",
    method: Literal["minres", "ml", "principal"] = "minres",
    parallel_reps: int = 100,
    seed: int = 20130613,
) -> EFAResult:
    """Exploratory factor analysis (factor_analyzer) with the number of factors from parallel analysis.

    Parameters
    ----------
    n_factors : int, optional
        ``None`` = the common-factor parallel-analysis count (:func:`parallel_analysis`).
    rotation, method :
        Passed to ``factor_analyzer.FactorAnalyzer``.

    Notes
    -----
    In R: ``psych::fa(data, nfactors, rotate = "varimax", fm = "minres")``. Factor order and
    signs are arbitrary: compare solutions up to column permutation and sign.
    """
    require_dataframe(data)
    require_columns(data, items)
    x = data[list(items)].astype(float)
    pa = parallel_analysis(data, items=items, reps=parallel_reps, seed=seed)
    k = pa.attrs["n_factors_fa"] if n_factors is None else require_positive_int(n_factors, param="n_factors")
    k = max(k, 1)
    fa = FactorAnalyzer(n_factors=k, rotation=rotation if k > 1 else None, method=method, svd_method="lapack")
    with warnings.catch_warnings():
        # factor_analyzer 0.5.1 calls a renamed scikit-learn argument; harmless FutureWarning
        warnings.simplefilter("ignore", FutureWarning)
        fa.fit(x)
    cols = [f"F{i + 1}" for i in range(k)]
    loadings = pd.DataFrame(fa.loadings_, index=list(items), columns=cols)
    comm = pd.Series(fa.get_communalities(), index=list(items), name="communality")
    ss, prop, cum = fa.get_factor_variance()
    var = pd.DataFrame({"ss_loadings": ss, "proportion": prop, "cumulative": cum}, index=cols)
    return EFAResult(loadings, comm, var, pa, k, str(rotation), method)
