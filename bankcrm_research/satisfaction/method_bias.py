"""Common-method-bias checks for a single-source survey: Harman's single-factor test and a CFA
with an unmeasured latent method construct (ULMC), with a plain verdict.

When every construct is measured by the same respondents with the same scale in one
questionnaire, part of the item covariance may come from the method (response styles,
consistency motif) rather than the constructs. Reviewers ask for both checks; neither proves the
absence of bias (Podsakoff et al. 2003), so the verdict is worded as evidence, not proof.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bankcrm_research.common.results import ResultMixin
from bankcrm_research.data.validate import require_columns, require_dataframe
from bankcrm_research.satisfaction import _cfa_engine as eng
from bankcrm_research.satisfaction.spec import PreparedSurvey

__all__ = ["common_method_bias", "harman_single_factor", "CommonMethodBiasResult", "METHOD_FACTOR"]

METHOD_FACTOR = "METHOD"


def harman_single_factor(data: pd.DataFrame, *, items: Sequence[str]) -> pd.DataFrame:
    """Harman's single-factor test: variance share of one unrotated component / factor of all items.

    Returns
    -------
    DataFrame
        Rows ``statistic, value``: ``first_component_share`` (first eigenvalue of the item
        correlation matrix / number of items: the "% of variance" of the first unrotated
        principal component in SPSS's *Total Variance Explained* table), ``first_eigenvalue``,
        ``one_factor_efa_share`` (sum of squared loadings of a one-factor minres EFA / number of
        items), ``n_items``, ``n``.

    Notes
    -----
    A first component explaining 50% or more of the variance is the usual flag (Podsakoff,
    MacKenzie, Lee & Podsakoff 2003, *Journal of Applied Psychology* 88(5), 879-903). In R:
    ``eigen(cor(x))$values[1] / ncol(x)`` and ``psych::fa(x, nfactors = 1, fm = "minres",
    rotate = "none")$Vaccounted["Proportion Var", 1]``.
    """
    from factor_analyzer import FactorAnalyzer

    require_dataframe(data)
    items = list(items)
    require_columns(data, items)
    if len(items) < 3:
        raise ValueError(f"harman_single_factor needs at least 3 items; found {len(items)}")
    x = data[items].astype(float)
    if x.isna().any().any():
        raise ValueError("the items have missing values; run prepare_survey() (listwise or mean rule) first")
    ev = np.sort(np.linalg.eigvalsh(np.corrcoef(x.to_numpy().T)))[::-1]
    fa = FactorAnalyzer(n_factors=1, rotation=None, method="minres", svd_method="lapack")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        fa.fit(x)
    ss = float(np.sum(fa.loadings_[:, 0] ** 2))
    p = len(items)
    return pd.DataFrame(
        {
            "statistic": ["first_component_share", "first_eigenvalue", "one_factor_efa_share", "n_items", "n"],
            "value": [float(ev[0] / p), float(ev[0]), ss / p, float(p), float(len(x))],
        }
    )


def _ulmc_spec(measurement: Mapping[str, Sequence[str]], items: list[str], cov: np.ndarray, *, method: bool) -> eng.CFASpec:
    """std.lv CFA (factor variances 1, correlations free); ``method`` adds an orthogonal factor on every item."""
    traits = list(measurement)
    latents = [*traits, METHOD_FACTOR] if method else traits
    spec = eng.CFASpec(observed=items, latents=latents, n_groups=1, meanstructure=False)
    pos = {it: i for i, it in enumerate(items)}
    blocks = [[pos[i] for i in its] for its in measurement.values()]
    lam_std, sd = eng.start_values(cov, blocks)
    shrink = 0.9 if method else 1.0
    for j, b in enumerate(blocks):
        spec.add(0, "psi", j, j, free=False, value=1.0)
        for k in range(j):
            spec.add(0, "psi", j, k, free=True, value=0.3)
        for i in b:
            spec.add(0, "lambda", i, j, free=True, value=shrink * lam_std[i] * sd[i])
            if len(b) == 1:  # single-item construct: error variance fixed at 0 (as sem.py / lavaan)
                spec.add(0, "theta", i, i, free=False, value=0.0)
            else:
                spec.add(0, "theta", i, i, free=True, value=max(1 - lam_std[i] ** 2, 0.1) * sd[i] ** 2)
    if method:
        m = len(traits)
        spec.add(0, "psi", m, m, free=False, value=1.0)  # orthogonal to every trait: covariances stay 0
        for i in range(len(items)):
            spec.add(0, "lambda", i, m, free=True, value=0.3 * sd[i])
    return spec


@dataclass(frozen=True)
class CommonMethodBiasResult(ResultMixin):
    """Harman's test and the ULMC comparison.

    Attributes
    ----------
    harman : DataFrame
        :func:`harman_single_factor` output.
    fit : DataFrame
        model ("trait" | "trait_plus_method"), chisq, df, cfi, tli, rmsea, srmr, converged.
    items : DataFrame
        item, construct, trait_loading (std, trait-only CFA), trait_loading_with_method,
        method_loading (std), substantive_variance, method_variance.
    """

    harman: pd.DataFrame
    fit: pd.DataFrame
    items: pd.DataFrame
    harman_threshold: float
    cfi_tol: float
    rmsea_tol: float
    method_share_threshold: float
    problems: tuple[str, ...] = ()

    def _h(self, stat: str) -> float:
        return float(self.harman.set_index("statistic").at[stat, "value"])

    @property
    def delta_cfi(self) -> float:
        return float(self.fit["cfi"].iloc[1] - self.fit["cfi"].iloc[0])

    @property
    def delta_rmsea(self) -> float:
        return float(self.fit["rmsea"].iloc[1] - self.fit["rmsea"].iloc[0])

    @property
    def method_variance_share(self) -> float:
        """Mean squared standardised method loading (share of item variance due to the method)."""
        return float(self.items["method_variance"].mean())

    @property
    def substantive_variance_share(self) -> float:
        """Mean squared standardised trait loading in the model with the method factor."""
        return float(self.items["substantive_variance"].mean())

    @property
    def ulmc_proper(self) -> bool:
        """False when the method-factor CFA is improper or did not converge (its numbers are not interpretable)."""
        return not self.problems

    @property
    def verdict(self) -> str:
        """``"no evidence"``, ``"some evidence"`` or ``"serious"`` common-method bias (see notes).

        When the ULMC model is improper only Harman's test decides (``"serious"`` or ``"no evidence"``).
        """
        harman_flag = self._h("first_component_share") >= self.harman_threshold
        if not self.ulmc_proper:
            return "serious" if harman_flag else "no evidence"
        fit_flag = self.delta_cfi > self.cfi_tol or self.delta_rmsea < -self.rmsea_tol
        share_flag = self.method_variance_share >= self.method_share_threshold
        if harman_flag or (fit_flag and share_flag):
            return "serious"
        if fit_flag or share_flag:
            return "some evidence"
        return "no evidence"

    def tidy(self) -> pd.DataFrame:
        """Rows ``check, statistic, value, threshold, flagged``."""
        rows = [
            ("harman", "first_component_share", self._h("first_component_share"), self.harman_threshold,
             self._h("first_component_share") >= self.harman_threshold),
            ("harman", "one_factor_efa_share", self._h("one_factor_efa_share"), self.harman_threshold,
             self._h("one_factor_efa_share") >= self.harman_threshold),
        ]
        for model, r in zip(("trait", "trait_plus_method"), self.fit.itertuples(), strict=True):
            for stat in ("chisq", "df", "cfi", "rmsea", "srmr"):
                rows.append((f"ulmc_{model}", stat, float(getattr(r, stat)), np.nan, False))
        rows += [
            ("ulmc", "delta_cfi", self.delta_cfi, self.cfi_tol, self.delta_cfi > self.cfi_tol),
            ("ulmc", "delta_rmsea", self.delta_rmsea, -self.rmsea_tol, self.delta_rmsea < -self.rmsea_tol),
            ("ulmc", "method_variance_share", self.method_variance_share, self.method_share_threshold,
             self.method_variance_share >= self.method_share_threshold),
            ("ulmc", "substantive_variance_share", self.substantive_variance_share, np.nan, False),
        ]
        return pd.DataFrame(rows, columns=["check", "statistic", "value", "threshold", "flagged"])

    def summary(self) -> pd.DataFrame:
        t = self.tidy()
        return t[~t["check"].str.startswith("ulmc_") | t["statistic"].isin(["cfi", "rmsea"])].reset_index(drop=True)

    @property
    def notes(self) -> tuple[str, ...]:
        share = self._h("first_component_share")
        if not self.ulmc_proper:
            return (
                f"Harman's single-factor test: the first unrotated component explains {share:.1%} of the item variance "
                f"(one-factor EFA {self._h('one_factor_efa_share'):.1%}); "
                + ("at or above" if share >= self.harman_threshold else "below") + f" the {self.harman_threshold:.0%} flag.",
                "The CFA with an unmeasured method factor is improper (" + "; ".join(self.problems[:3])
                + "), so its ΔCFI and method-variance share are not interpretable; this happens when a construct is "
                "weakly measured or when there is little common method variance to find.",
                "Verdict (Harman's test only): "
                + ("serious common-method bias is likely." if self.verdict == "serious"
                   else "no evidence of serious common-method bias; this does not prove its absence."),
            )
        out = [
            f"Harman's single-factor test: the first unrotated component explains {share:.1%} of the item variance "
            f"(one-factor EFA {self._h('one_factor_efa_share'):.1%}); "
            + ("at or above" if share >= self.harman_threshold else "below") + f" the {self.harman_threshold:.0%} flag.",
            f"Unmeasured latent method factor: ΔCFI = {self.delta_cfi:+.3f}, ΔRMSEA = {self.delta_rmsea:+.3f}; "
            f"the method factor accounts for {self.method_variance_share:.1%} of item variance on average against "
            f"{self.substantive_variance_share:.1%} for the constructs.",
            {
                "no evidence": "Verdict: no evidence of serious common-method bias (neither check is flagged); "
                "this does not prove its absence.",
                "some evidence": "Verdict: some evidence of common-method variance (one ULMC criterion is flagged); "
                "report it and interpret path sizes with caution.",
                "serious": "Verdict: serious common-method bias is likely; path estimates may be inflated — "
                "consider a marker variable or procedural remedies in the next wave.",
            }[self.verdict],
        ]
        return tuple(out)

    def plot(self, ax=None):  # noqa: ANN001, ANN201
        """Per-item substantive vs method variance (squared standardised loadings)."""
        import matplotlib.pyplot as plt

        it = self.items
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.25 * len(it) + 1.2))
        y = np.arange(len(it))[::-1]
        ax.barh(y + 0.2, it["substantive_variance"], height=0.4, label="construct")
        ax.barh(y - 0.2, it["method_variance"], height=0.4, label="method")
        ax.set_yticks(y, it["item"])
        ax.set_xlabel("share of item variance (squared std. loading)")
        ax.legend()
        return ax


def common_method_bias(
    data: pd.DataFrame | PreparedSurvey,
    *,
    measurement: Mapping[str, Sequence[str]],
    harman_threshold: float = 0.5,
    cfi_tol: float = 0.01,
    rmsea_tol: float = 0.015,
    method_share_threshold: float = 0.25,
) -> CommonMethodBiasResult:
    """Harman's single-factor test and the unmeasured latent method construct (ULMC) CFA.

    Parameters
    ----------
    data : DataFrame or PreparedSurvey
        Complete, reverse-coded item data.
    measurement : mapping
        ``{construct: [items]}``.
    harman_threshold : float
        Flag when the first component explains at least this share (0.50).
    cfi_tol, rmsea_tol : float
        The method factor "improves fit materially" when ΔCFI > cfi_tol or ΔRMSEA < -rmsea_tol.
    method_share_threshold : float
        Flag when the mean method variance reaches this share (0.25, the median method variance
        in Williams, Cote & Buckley 1989).

    Notes
    -----
    The method factor is identified only when method loadings vary across items; a method factor
    with one common loading is absorbed by the free construct correlations, so it is not offered.
    Trait model: CFA with factor variances fixed at 1 (``std.lv = TRUE``) and free factor
    correlations. Method model: the same plus a factor ``METHOD`` with variance 1, a free loading
    on every item and zero covariances with the constructs (Podsakoff et al. 2003; Liang, Saraf,
    Hu & Xue 2007, *MIS Quarterly* 31(1), 59-87, who compare the mean substantive variance
    :math:`\\overline{\\lambda_{trait}^2}` with the mean method variance
    :math:`\\overline{\\lambda_{method}^2}`, standardised loadings). Verdict: *serious* when
    Harman's share reaches the threshold or the method factor both improves fit materially and
    carries at least ``method_share_threshold`` of the variance; *some evidence* when only one ULMC
    criterion holds; *no evidence* otherwise.

    In R (lavaan): ``cfa(mm, x, std.lv = TRUE)`` and
    ``cfa(paste(mm, "METHOD =~", paste(items, collapse = "+"), paste("METHOD ~~ 0*", traits)),
    x, std.lv = TRUE)``; see ``tests/reference/satisfaction/method_bias/``.
    """
    frame = data.data if isinstance(data, PreparedSurvey) else data
    require_dataframe(frame)
    items = [i for its in measurement.values() for i in its]
    require_columns(frame, items)
    if len(measurement) < 1 or len(items) < 3:
        raise ValueError("common_method_bias needs at least one construct and 3 items in measurement")
    x = frame[items].astype(float)
    if x.isna().any().any():
        raise ValueError("the items have missing values; run prepare_survey() (listwise or mean rule) first")
    harman = harman_single_factor(x, items=items)
    gm = eng.moments(x.to_numpy())
    # an empirically under-identified method model wanders for long; 3000 iterations are plenty for a proper one
    fits = [eng.fit_cfa(_ulmc_spec(measurement, items, gm.cov, method=m), [gm], max_iter=3000) for m in (False, True)]
    fit = pd.DataFrame(
        [
            {"model": name, "chisq": f.fit["chisq"], "df": f.fit["df"], "cfi": f.fit["cfi"], "tli": f.fit["tli"],
             "rmsea": f.fit["rmsea"], "srmr": f.fit["srmr"], "converged": f.converged}
            for name, f in zip(("trait", "trait_plus_method"), fits, strict=True)
        ]
    )
    traits = list(measurement)
    std0, std1 = fits[0].std_lambda(), fits[1].std_lambda()
    construct = {i: c for c, its in measurement.items() for i in its}
    rows = []
    for i, it in enumerate(items):
        j = traits.index(construct[it])
        rows.append(
            {
                "item": it,
                "construct": construct[it],
                "trait_loading": float(std0[i, j]),
                "trait_loading_with_method": float(std1[i, j]),
                "method_loading": float(std1[i, len(traits)]),
                "substantive_variance": float(std1[i, j] ** 2),
                "method_variance": float(std1[i, len(traits)] ** 2),
            }
        )
    return CommonMethodBiasResult(harman, fit, pd.DataFrame(rows), harman_threshold, cfi_tol, rmsea_tol,
                                  method_share_threshold, _improper(fits[1], items, traits))


def _improper(fitted: eng.CFAFit, items: list[str], traits: list[str]) -> tuple[str, ...]:
    """Why the method-factor model cannot be interpreted (empty when it is proper)."""
    out = []
    if not fitted.converged:
        out.append("the optimiser did not converge")
    theta = np.diag(fitted.matrices[0]["theta"])
    out += [f"negative residual variance of {items[i]} ({theta[i]:.3g})" for i in np.flatnonzero(theta < -1e-6)]
    std = fitted.std_lambda()
    out += [f"standardised loading of {items[i]} beyond 1" for i in sorted(set(np.argwhere(np.abs(std) > 1 + 1e-6)[:, 0]))]
    psi = fitted.matrices[0]["psi"][: len(traits), : len(traits)]
    bad = [(a, b) for a in range(len(traits)) for b in range(a) if abs(psi[a, b]) > 1 + 1e-6]
    out += [f"construct correlation {traits[a]}-{traits[b]} beyond 1 ({psi[a, b]:.2f})" for a, b in bad]
    return tuple(out)
