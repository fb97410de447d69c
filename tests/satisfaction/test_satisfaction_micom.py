"""MICOM steps 2 and 3: c against PLSSEM's own group weights, recovery of planted compositional,
mean and variance differences, reproducibility and input checks.

No R/SmartPLS reference is installable here (cSEM and seminr are not Debian packages), so the
statistic is checked by recomputing it from :class:`PLSSEM` fits (which match R seminr) and the
decisions by recovery on simulated groups.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from satisfaction_sim import acsi_test_model, simulate_survey

from bankcrm_research.satisfaction.micom import MICOM_COLUMNS, micom
from bankcrm_research.satisfaction.pls import PLSSEM
from bankcrm_research.satisfaction.spec import prepare_survey

PERM = 300


@pytest.fixture(scope="module")
def model():  # noqa: ANN201
    return acsi_test_model(scale=(-6, 14))


def _groups(seed: int, *, noise_item: bool = False, mean_shift: float = 0.0, var_scale: float = 1.0) -> pd.DataFrame:
    d = simulate_survey(1000, seed=seed, likert=False)
    b = d["group"] == "branch"
    rng = np.random.default_rng(seed + 100)
    if noise_item:  # PERQ1 measures nothing in the branch group: its weight there collapses
        d.loc[b, "PERQ1"] = 4 + rng.standard_normal(int(b.sum()))
    for it in ("CUSA1", "CUSA2", "CUSA3"):
        d.loc[b, it] += mean_shift
    for it in ("IMAG1", "IMAG2", "IMAG3"):
        d.loc[b, it] = 4 + (d.loc[b, it] - 4) * var_scale
    return d


def _run(d: pd.DataFrame, model, **kw):  # noqa: ANN001, ANN202
    return micom(prepare_survey(d, model, keep=["group"]), model, group_column="group", permutations=PERM, **kw)


def test_c_equals_correlation_of_composites_from_plssem_group_fits(model):  # noqa: ANN001
    """c = cor(Z w_digital, Z w_branch) with Z the pooled standardised items and w from PLSSEM per group."""
    d = _groups(1)
    res = _run(d, model)
    prep = prepare_survey(d, model, keep=["group"])
    x = prep.data[model.items]
    z = ((x - x.mean()) / x.std(ddof=1)).to_numpy()
    fits = {g: PLSSEM(model, bootstrap_reps=0).fit(prep.data[prep.data["group"] == g]) for g in ("digital", "branch")}
    t = res.tidy().set_index("construct")
    for j, c in enumerate(fits["digital"].constructs):
        s1, s2 = z @ fits["digital"].weights[:, j], z @ fits["branch"].weights[:, j]
        assert t.at[c, "c"] == pytest.approx(np.corrcoef(s1, s2)[0, 1], abs=1e-8), c
    assert list(res.tidy().columns) == MICOM_COLUMNS
    assert set(res.tidy()["group_a"]) == {"digital"}  # order of appearance


def test_same_population_is_invariant(model):  # noqa: ANN001
    res = _run(_groups(2), model)
    t = res.tidy()
    assert (t["c"] > 0.99).all()
    assert t["compositional_invariance"].sum() >= 5  # 6 tests at 5%: at most one chance failure
    assert (t["invariance"] == "full").sum() >= 4


def test_noise_item_breaks_compositional_invariance(model):  # noqa: ANN001
    res = _run(_groups(3, noise_item=True), model)
    t = res.tidy().set_index("construct")
    assert not t.at["PERQ", "compositional_invariance"]
    assert t.at["PERQ", "c_p_value"] < 0.01
    assert t.at["PERQ", "invariance"] == "none"
    assert "PERQ" in res.summary()["verdict"].iloc[0] and res.summary()["verdict"].iloc[0].startswith("none for")
    assert res.comparable_pairs() == []


def test_mean_shift_gives_partial_invariance(model):  # noqa: ANN001
    res = _run(_groups(4, mean_shift=0.5), model)
    t = res.tidy().set_index("construct")
    assert t.at["CUSA", "compositional_invariance"]
    assert not t.at["CUSA", "equal_mean"]
    assert t.at["CUSA", "mean_diff"] < t.at["CUSA", "mean_ci_low"]  # branch higher: digital - branch < 0
    assert t.at["CUSA", "invariance"] == "partial"


def test_variance_difference_is_detected(model):  # noqa: ANN001
    res = _run(_groups(5, var_scale=1.6), model)
    t = res.tidy().set_index("construct")
    assert t.at["IMAG", "compositional_invariance"]
    assert not t.at["IMAG", "equal_variance"]
    assert t.at["IMAG", "log_var_ratio"] < 0  # digital variance smaller
    assert t.at["IMAG", "var_p_value"] < 0.01


def test_seeded_and_three_groups(model):  # noqa: ANN001
    d = _groups(6)
    a, b = _run(d, model, seed=1), _run(d, model, seed=1)
    pd.testing.assert_frame_equal(a.tidy(), b.tidy())
    d["group"] = np.array(["a", "b", "c"])[np.arange(len(d)) % 3]
    res = _run(d, model)
    assert len(res.summary()) == 3 and len(res.tidy()) == 18


def test_input_checks(model):  # noqa: ANN001
    d = _groups(7)
    with pytest.raises(ValueError, match="has 1 group"):
        micom(d.assign(group="x"), model, group_column="group", permutations=PERM)
    with pytest.raises(ValueError, match="fewer than 30"):
        micom(d.assign(group=np.r_[["a"] * 10, ["b"] * (len(d) - 10)]), model, group_column="group", permutations=PERM)
    with pytest.raises(ValueError, match="permutations"):
        micom(d, model, group_column="group", permutations=5)
    with pytest.raises(ValueError, match="structural"):
        from bankcrm_research.satisfaction.spec import SurveyModel

        micom(d, SurveyModel(model.measurement, scale=[-6, 14]), group_column="group")
    d2 = d.copy()
    d2.loc[:4, "group"] = None
    with pytest.warns(UserWarning, match="5 rows without"):
        micom(d2, model, group_column="group", permutations=PERM)


def test_plot_marks_quantiles(model):  # noqa: ANN001
    import matplotlib

    matplotlib.use("Agg")
    res = _run(_groups(8), model)
    ax = res.plot()
    assert len(ax.collections) == 2
    assert list(ax.collections[0].get_offsets()[:, 0]) == pytest.approx(list(res.tidy()["c"]))
