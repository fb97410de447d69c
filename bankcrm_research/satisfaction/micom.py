"""MICOM: measurement invariance of composite models (Henseler, Ringle & Sarstedt 2016), the
check that must precede a PLS-SEM multi-group comparison.

Step 1 (configural invariance) holds by design when both groups use the same items, the same
data treatment and the same PLS settings — this function guarantees it by fitting one model.
Step 2 (compositional invariance): per construct, the correlation ``c`` between the composite
scores built with group 1's weights and with group 2's weights (both on the pooled standardised
data) must not be significantly below 1 — permutation test of the group labels, one-sided.
Step 3 (equal composite means and variances): with the pooled weights, the group difference in
composite mean and in log composite variance must lie inside the permutation interval.

* Step 2 fails -> no invariance: do not compare the groups' paths.
* Step 2 holds -> **partial** invariance: path coefficients may be compared (multi-group analysis,
  e.g. :func:`~.drivers.multigroup_paths`).
* Steps 2 and 3 hold -> **full** invariance: the groups may also be pooled.

Reference: Henseler, J., Ringle, C. M. & Sarstedt, M. (2016). Testing measurement invariance of
composites using partial least squares. *International Marketing Review* 33(3), 405-431.
Hand-written on the project's PLS engine (:mod:`._pls_engine`); in R: ``cSEM::testMICOM`` and
SmartPLS's MICOM procedure (not available here as a reference; checked by recovery in the tests).
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bankcrm_research.common.results import ResultMixin
from bankcrm_research.data.validate import require_columns, require_dataframe, require_positive_int, require_probability
from bankcrm_research.satisfaction import _pls_engine as engine
from bankcrm_research.satisfaction.spec import PreparedSurvey, SurveyModel

__all__ = ["micom", "MICOMResult"]

MICOM_COLUMNS = [
    "group_a", "group_b", "construct", "n_a", "n_b",
    "c", "c_quantile", "c_p_value", "compositional_invariance",
    "mean_diff", "mean_ci_low", "mean_ci_high", "mean_p_value", "equal_mean",
    "log_var_ratio", "var_ci_low", "var_ci_high", "var_p_value", "equal_variance", "invariance",
]


@dataclass(frozen=True)
class MICOMResult(ResultMixin):
    """Steps 2 and 3 of MICOM per pair of groups and construct (columns :data:`MICOM_COLUMNS`)."""

    table: pd.DataFrame
    group_column: str
    permutations: int
    alpha: float
    seed: int

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> pd.DataFrame:
        """One row per pair of groups: constructs with compositional invariance, full invariance, verdict."""
        rows = []
        for (a, b), t in self.table.groupby(["group_a", "group_b"], sort=False):
            comp = bool(t["compositional_invariance"].all())
            full = bool((t["invariance"] == "full").all())
            failed = ", ".join(t.loc[~t["compositional_invariance"], "construct"])
            verdict = ("full: paths may be compared and the data pooled" if full else
                       "partial: paths may be compared (multi-group analysis), not pooled" if comp else
                       f"none for {failed}: compare only paths between the other constructs")
            rows.append({"group_a": a, "group_b": b, "n_constructs": len(t),
                         "compositional_invariance": int(t["compositional_invariance"].sum()),
                         "full_invariance": int((t["invariance"] == "full").sum()), "verdict": verdict})
        return pd.DataFrame(rows)

    def comparable_pairs(self) -> list[tuple[str, str]]:
        """Pairs of groups with (at least partial) invariance for every construct."""
        s = self.summary()
        return [(r.group_a, r.group_b) for r in s.itertuples() if not r.verdict.startswith("none")]

    @property
    def notes(self) -> tuple[str, ...]:
        out = [f"MICOM across {self.group_column} ({self.permutations} permutations, alpha {self.alpha:g}); "
               "step 1 (configural) holds by design: same items, data treatment and PLS settings."]
        for r in self.summary().itertuples():
            out.append(f"{r.group_a} vs {r.group_b}: compositional invariance for {r.compositional_invariance} of "
                       f"{r.n_constructs} constructs, full invariance for {r.full_invariance}; verdict {r.verdict}.")
        k = self.table.groupby(["group_a", "group_b"]).size().max()
        out.append(f"Each construct is tested at alpha {self.alpha:g} without multiplicity correction (as Henseler et al. "
                   f"2016): with {k} constructs about {k * self.alpha:.1f} failure(s) per pair are expected by chance.")
        return tuple(out)

    def plot(self, ax=None):  # noqa: ANN001, ANN201
        """Step 2: c per construct beside its permutation quantile (first pair of groups)."""
        import matplotlib.pyplot as plt

        first = self.table.iloc[0]
        t = self.table[(self.table["group_a"] == first.group_a) & (self.table["group_b"] == first.group_b)]
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.35 * len(t) + 1.2))
        y = np.arange(len(t))[::-1]
        ax.scatter(t["c"], y, label="c (observed)", zorder=3)
        ax.scatter(t["c_quantile"], y, marker="|", s=200, color="C3", label=f"{self.alpha:.0%} permutation quantile")
        ax.set_yticks(y, t["construct"])
        ax.set_xlabel(f"correlation of composites, {first.group_a} vs {first.group_b} weights")
        ax.legend()
        return ax


def _weights(x: np.ndarray, lay: engine.Layout, scheme: str) -> np.ndarray:
    fit = engine.pls_core(engine.corr_of(x), lay, scheme=scheme)
    return fit.weights


def _scores(z: np.ndarray, w: np.ndarray) -> np.ndarray:
    return z @ w


def _c_stat(z: np.ndarray, w1: np.ndarray, w2: np.ndarray) -> np.ndarray:
    s1, s2 = _scores(z, w1), _scores(z, w2)
    s1, s2 = s1 - s1.mean(axis=0), s2 - s2.mean(axis=0)
    return (s1 * s2).sum(axis=0) / np.sqrt((s1**2).sum(axis=0) * (s2**2).sum(axis=0))


def _mean_var(scores: np.ndarray, in_a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a, b = scores[in_a], scores[~in_a]
    return a.mean(axis=0) - b.mean(axis=0), np.log(a.var(axis=0, ddof=1)) - np.log(b.var(axis=0, ddof=1))


def micom(
    data: pd.DataFrame | PreparedSurvey,
    model: SurveyModel,
    *,
    group_column: str,
    permutations: int = 1000,
    alpha: float = 0.05,
    seed: int = 20130613,
    scheme: str = "path",
    min_group_size: int = 30,
) -> MICOMResult:
    """MICOM steps 2 and 3 for every pair of groups in ``group_column``.

    Parameters
    ----------
    data : DataFrame or PreparedSurvey
        Complete item data with the group column (``prepare_survey(..., keep=[group_column])``).
    model : SurveyModel
        Only constructs on a structural path are used (as :class:`~.pls.PLSSEM`).
    permutations : int
        Permutations of the group labels (Henseler et al. use 5,000; 1,000 is the default here).
    alpha : float
        Step 2: invariance when ``c`` is above the ``alpha`` quantile of the permutation ``c``.
        Step 3: equal when the difference lies inside the central 1 - alpha permutation interval.
    seed : int
        Seed of ``numpy.random.default_rng`` for the permutations.

    Notes
    -----
    Items are standardised on the pooled sample (n - 1 SD). Step 2:
    :math:`c = \\mathrm{cor}(Z w^{(a)}, Z w^{(b)})` with :math:`w^{(g)}` the Mode A weights
    estimated in group g and Z the pooled standardised items; p-value = share of permutations with
    :math:`c_u \\le c`. Step 3 with the pooled weights: mean difference
    :math:`\\bar\\xi_a - \\bar\\xi_b` and :math:`\\log(s^2_a / s^2_b)`; p-value = share of
    permutations with an absolute value at least the observed one.
    """
    frame = data.data if isinstance(data, PreparedSurvey) else data
    require_dataframe(frame)
    require_positive_int(permutations, param="permutations", minimum=100)
    require_probability(alpha, param="alpha")
    if not model.structural:
        raise ValueError("MICOM needs the PLS path model: pass a SurveyModel with structural=[[from, to], ...]")
    sub_model = model.sub_model(model.structural_constructs)
    items = sub_model.items
    require_columns(frame, [*items, group_column])
    d = frame[[*items, group_column]]
    miss = d[group_column].isna()
    if miss.any():
        warnings.warn(f"micom: {int(miss.sum())} rows without a {group_column!r} value were left out", UserWarning,
                      stacklevel=2)
        d = d[~miss]
    if d[items].isna().any().any():
        raise ValueError("the items have missing values; run prepare_survey() (listwise or mean rule) first")
    groups = list(pd.unique(d[group_column]))
    if len(groups) < 2:
        raise ValueError(f"group_column {group_column!r} has {len(groups)} group(s); MICOM compares 2 or more")
    sizes = d[group_column].value_counts()
    small = {str(g): int(sizes[g]) for g in groups if sizes[g] < min_group_size}
    if small:
        raise ValueError(f"groups {small} have fewer than {min_group_size} respondents; merge them or lower min_group_size")
    constructs = sub_model.constructs
    lay = engine.make_layout(items, sub_model.measurement, constructs, sub_model.structural, consistent=False)
    rng = np.random.default_rng(seed)
    rows = []
    for ga, gb in itertools.combinations(groups, 2):
        pair = d[d[group_column].isin([ga, gb])]
        x = pair[items].to_numpy(float)
        z = engine.corr_standardise(x)
        in_a = (pair[group_column] == ga).to_numpy()
        c_obs = _c_stat(z, _weights(x[in_a], lay, scheme), _weights(x[~in_a], lay, scheme))
        w_pooled = _weights(x, lay, scheme)
        pooled_scores = _scores(z, w_pooled)
        m_obs, v_obs = _mean_var(pooled_scores, in_a)
        c_perm = np.empty((permutations, len(constructs)))
        m_perm = np.empty_like(c_perm)
        v_perm = np.empty_like(c_perm)
        for u in range(permutations):
            lab = rng.permutation(in_a)
            c_perm[u] = _c_stat(z, _weights(x[lab], lay, scheme), _weights(x[~lab], lay, scheme))
            m_perm[u], v_perm[u] = _mean_var(pooled_scores, lab)
        c_q = np.quantile(c_perm, alpha, axis=0)
        for j, c in enumerate(constructs):
            comp = bool(c_obs[j] >= c_q[j])
            m_lo, m_hi = np.quantile(m_perm[:, j], [alpha / 2, 1 - alpha / 2])
            v_lo, v_hi = np.quantile(v_perm[:, j], [alpha / 2, 1 - alpha / 2])
            eq_m = bool(m_lo <= m_obs[j] <= m_hi)
            eq_v = bool(v_lo <= v_obs[j] <= v_hi)
            rows.append({
                "group_a": str(ga), "group_b": str(gb), "construct": c, "n_a": int(in_a.sum()), "n_b": int((~in_a).sum()),
                "c": float(c_obs[j]), "c_quantile": float(c_q[j]), "c_p_value": float(np.mean(c_perm[:, j] <= c_obs[j])),
                "compositional_invariance": comp,
                "mean_diff": float(m_obs[j]), "mean_ci_low": float(m_lo), "mean_ci_high": float(m_hi),
                "mean_p_value": float(np.mean(np.abs(m_perm[:, j]) >= abs(m_obs[j]))), "equal_mean": eq_m,
                "log_var_ratio": float(v_obs[j]), "var_ci_low": float(v_lo), "var_ci_high": float(v_hi),
                "var_p_value": float(np.mean(np.abs(v_perm[:, j]) >= abs(v_obs[j]))), "equal_variance": eq_v,
                "invariance": "full" if comp and eq_m and eq_v else "partial" if comp else "none",
            })
    return MICOMResult(pd.DataFrame(rows, columns=MICOM_COLUMNS), group_column, permutations, alpha, seed)
