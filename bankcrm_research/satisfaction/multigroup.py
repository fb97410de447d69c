"""Multi-group comparison of PLS path coefficients (permutation test, Chin & Dibbern 2010)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from bankcrm_research.data.validate import require_columns, require_positive_int
from bankcrm_research.satisfaction import _pls_engine as engine
from bankcrm_research.satisfaction.spec import PreparedSurvey, SurveyModel

__all__ = ["multigroup_paths"]


def multigroup_paths(
    data: PreparedSurvey | pd.DataFrame,
    *,
    model: SurveyModel,
    group_column: str,
    groups: Sequence[str] | None = None,
    permutations: int = 1000,
    seed: int = 20130613,
    min_group_size: int = 30,
) -> pd.DataFrame:
    """Compare PLS path coefficients between two groups with a permutation test.

    Parameters
    ----------
    group_column : str
        Column holding the group (e.g. ``"channel_group"``: digital / branch).
    groups : two labels, optional
        Which groups to compare; default: the two largest.
    permutations : int
        Label permutations for the test.

    Returns
    -------
    DataFrame
        from, to, group_1, group_2, n_1, n_2, path_1, path_2, difference (1 - 2), p_value
        (two-sided permutation), significant_05.

    Notes
    -----
    Permutation test (Chin & Dibbern 2010): group labels are shuffled ``permutations`` times,
    the model is re-estimated in both pseudo-groups and
    :math:`p = (1 + \\#\\{|d^{perm}| \\ge |d|\\}) / (1 + P)`. Measurement invariance (MICOM,
    Henseler, Ringle & Sarstedt 2016) is a prerequisite for reading the differences as
    structural; check the loadings per group. Uses the PLS engine of :mod:`.pls`
    (path weighting, Mode A).
    """
    frame = data.data if isinstance(data, PreparedSurvey) else data
    require_columns(frame, [group_column], param="group_column")
    require_positive_int(permutations, param="permutations", minimum=19)
    sub = model.sub_model(model.structural_constructs)
    labels = frame[group_column]
    if groups is None:
        groups = list(labels.value_counts().index[:2])
    if len(groups) != 2:
        raise ValueError(f"groups must name exactly two groups; found {list(groups)}")
    keep = labels.isin(groups).to_numpy()
    x = frame.loc[keep, sub.items].to_numpy(float)
    g = (labels[keep] == groups[0]).to_numpy()
    n1, n2 = int(g.sum()), int((~g).sum())
    if min(n1, n2) < min_group_size:
        raise ValueError(
            f"group sizes {groups[0]}={n1}, {groups[1]}={n2}: each needs at least {min_group_size} respondents "
            "for a multi-group comparison; merge groups or collect more data"
        )
    lay = engine.make_layout(sub.items, sub.measurement, sub.constructs, sub.structural, consistent=False)
    pos = [(sub.constructs.index(a), sub.constructs.index(b)) for a, b in sub.structural]

    def paths_of(mask: np.ndarray) -> np.ndarray:
        f = engine.pls_core(engine.corr_of(x[mask]), lay)
        return np.array([f.paths[i, j] for i, j in pos])

    p1, p2 = paths_of(g), paths_of(~g)
    diff = p1 - p2
    rng = np.random.default_rng(seed)
    exceed = np.zeros(len(pos))
    done = 0
    for _ in range(permutations):
        gp = rng.permutation(g)
        try:
            d = paths_of(gp) - paths_of(~gp)
        except np.linalg.LinAlgError:
            continue
        exceed += np.abs(d) >= np.abs(diff) - 1e-12
        done += 1
    pval = (1 + exceed) / (1 + done)
    return pd.DataFrame(
        {
            "from": [a for a, _ in sub.structural],
            "to": [b for _, b in sub.structural],
            "group_1": str(groups[0]),
            "group_2": str(groups[1]),
            "n_1": n1,
            "n_2": n2,
            "path_1": p1,
            "path_2": p2,
            "difference": diff,
            "p_value": pval,
            "significant_05": pval < 0.05,
        }
    )
