"""IPMA bootstrap CIs and the service-attribute level (Ringle & Sarstedt 2016 indicator-level
IPMA aggregated to attributes): aggregation identities, CI alignment with the PLS resamples,
reproducibility, and on the bundled survey the planted top driver (``data/truth.json``)."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from satisfaction_sim import acsi_test_model  # noqa: E402

from bankcrm_research.data.paths import data_dir  # noqa: E402
from bankcrm_research.satisfaction import ACSI_BANK_MODEL  # noqa: E402
from bankcrm_research.satisfaction.ipma import IPMA_CI_COLUMNS, ipma  # noqa: E402
from bankcrm_research.satisfaction.pls import PLSSEM  # noqa: E402
from bankcrm_research.satisfaction.spec import prepare_survey  # noqa: E402
from bankcrm_research.data.truth import get_truth, load_truth  # noqa: E402

# one attribute spans two constructs, one is a single item
ATTRS = {"core": ["PERQ1", "PERQ2"], "single": ["PERQ3"], "value": ["PERV1", "PERV2"], "mixed": ["PERQ4", "IMAG1"]}
BASE_COLUMNS = ["target", "level", "name", "construct", "importance", "performance", "quadrant"]


@pytest.fixture(scope="module")
def setup(likert_survey):  # noqa: ANN001, ANN201
    model = acsi_test_model()
    prep = prepare_survey(likert_survey, model)
    res = PLSSEM(model, bootstrap_reps=150, seed=7).fit(prep)
    return model, prep, res, ipma(res, prep, target="CUSA", attributes=ATTRS)


def test_table_columns_keep_contract_and_append_cis(setup):  # noqa: ANN001
    *_, ip = setup
    assert list(ip.table.columns) == BASE_COLUMNS + IPMA_CI_COLUMNS
    assert list(ip.attributes.columns[:6]) == ["target", "attribute", "items", "constructs", "importance",
                                               "performance"]
    assert ip.attributes.set_index("attribute").loc["mixed", "constructs"] == "PERQ+IMAG"


def test_attribute_is_sum_of_item_importances_and_mean_of_item_performances(setup):  # noqa: ANN001
    *_, ip = setup
    ind = ip.table[ip.table["level"] == "indicator"].set_index("name")
    att = ip.attributes.set_index("attribute")
    for a, items in ATTRS.items():
        assert att.loc[a, "importance"] == pytest.approx(ind.loc[items, "importance"].sum(), rel=1e-12)
        assert att.loc[a, "performance"] == pytest.approx(ind.loc[items, "performance"].mean(), rel=1e-12)
    assert list(att.sort_values("rank").index) == list(att.sort_values("importance", ascending=False).index)


def test_cis_contain_point_estimates_and_are_reproducible(setup):  # noqa: ANN001
    model, prep, res, ip = setup
    for t in (ip.table, ip.attributes):
        assert t[IPMA_CI_COLUMNS].notna().all().all()
        assert (t["importance_ci_low"] <= t["importance"]).all() and (t["importance"] <= t["importance_ci_high"]).all()
        assert (t["performance_ci_low"] <= t["performance"]).all()
        assert (t["performance"] <= t["performance_ci_high"]).all()
    assert ip.bootstrap_reps == 150
    again = ipma(PLSSEM(model, bootstrap_reps=150, seed=7).fit(prep), prep, target="CUSA", attributes=ATTRS)
    pd.testing.assert_frame_equal(again.table, ip.table)
    pd.testing.assert_frame_equal(again.attributes, ip.attributes)
    other = ipma(PLSSEM(model, bootstrap_reps=150, seed=8).fit(prep), prep, target="CUSA", attributes=ATTRS)
    pd.testing.assert_frame_equal(other.table[BASE_COLUMNS], ip.table[BASE_COLUMNS])  # same point estimates
    assert not np.allclose(other.attributes["importance_ci_low"], ip.attributes["importance_ci_low"])


def test_single_resample_equals_ipma_refit_on_those_rows(setup):  # noqa: ANN001
    """With one resample the CI bounds are that resample's map: it must equal the point IPMA of a
    PLS fit on exactly the resampled rows (checks the index/weight alignment)."""
    model, prep, _, _ = setup
    one = PLSSEM(model, bootstrap_reps=1, seed=3).fit(prep)
    ip = ipma(one, prep, target="CUSA", attributes=ATTRS)
    idx = next(one.resample_indices())
    rows = prep.data.iloc[idx].reset_index(drop=True)  # already prepared (reverse-coded)
    ref = ipma(PLSSEM(model, bootstrap_reps=0).fit(rows), rows, target="CUSA", attributes=ATTRS)
    for got, want in ((ip.table, ref.table), (ip.attributes, ref.attributes)):
        np.testing.assert_allclose(got["importance_ci_low"], want["importance"], rtol=1e-9)
        np.testing.assert_allclose(got["importance_ci_high"], want["importance"], rtol=1e-9)
        np.testing.assert_allclose(got["performance_ci_low"], want["performance"], rtol=1e-9)
    assert ref.table["importance_ci_low"].isna().all()  # no resamples: no CI, no error


def test_attribute_items_must_be_ipma_indicators(setup):  # noqa: ANN001
    _, prep, res, ip = setup
    with pytest.raises(ValueError, match=r"attributes: items \['CUSL1', 'XYZ'\] are not indicators"):
        ipma(res, prep, target="CUSA", attributes={"a": ["PERQ1", "CUSL1"], "b": ["XYZ"]})
    with pytest.raises(ValueError, match="no attribute-level IPMA"):
        ipma(res, prep, target="CUSA").tidy("attribute")
    with pytest.raises(ValueError, match="rows but the PLS model was fitted on"):
        ipma(res, prep.data.iloc[:100], target="CUSA")


@pytest.mark.parametrize(("lang", "name"), [("en", "Credit-approval speed"), ("zh", "审批速度")])
def test_attribute_plot_uses_labels_and_whiskers(lang, name):  # noqa: ANN001
    from bankcrm_research.satisfaction.ipma import IPMAResult

    attrs = pd.DataFrame({"target": "CUSA", "attribute": ["speed", "rm"], "items": ["PERQ1", "PERQ7"],
                          "constructs": "PERQ", "importance": [0.15, 0.1], "performance": [60.0, 70.0],
                          "quadrant": ["fix first", "x"], "importance_ci_low": [0.1, 0.05],
                          "importance_ci_high": [0.2, 0.15], "performance_ci_low": [58.0, 68.0],
                          "performance_ci_high": [62.0, 72.0], "rank": [1, 2]})
    res = IPMAResult("CUSA", pd.DataFrame(columns=BASE_COLUMNS + IPMA_CI_COLUMNS), attrs, bootstrap_reps=99)
    fig, ax = plt.subplots()
    try:
        res.plot(ax=ax, level="attribute", lang=lang)
        texts = {t.get_text() for t in ax.texts}
        assert name in texts
        assert len(ax.containers) == 1 and ax.containers[0].has_xerr and ax.containers[0].has_yerr
    finally:
        plt.close(fig)


def test_bundled_top_attribute_is_the_planted_top_driver():
    """Bundled survey, default ACSI model and the notebook's attributes: the most important
    attribute by IPMA equals ``satisfaction.driver_rank[0]`` of ``data/truth.json``, and its
    importance CI lies above the point estimates of the two planted weakest drivers (it overlaps
    the runner-up's: speed 0.148 [0.126, 0.170] with 200 resamples)."""
    if not (data_dir() / "survey.csv").exists():
        pytest.skip("bundled survey not present")
    from bankcrm_research.data.load import load_survey

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prep = prepare_survey(load_survey(), ACSI_BANK_MODEL)
    res = PLSSEM(ACSI_BANK_MODEL, bootstrap_reps=200, seed=20130613).fit(prep)
    drivers = {"speed": ["PERQ1", "PERQ2"], "personalisation": ["PERQ3", "PERQ4"],
               "channel": ["PERQ5", "PERQ6_R"], "rm": ["PERQ7", "PERQ8"]}
    ip = ipma(res, prep, target="CUSA", attributes=drivers)
    att = ip.attributes.set_index("attribute")
    rank = get_truth("satisfaction.driver_rank", load_truth())
    assert att["importance"].idxmax() == rank[0]
    assert att.loc[rank[0], "importance_ci_low"] > att.loc[rank[2:], "importance"].max()
    assert ip.interpret("en").startswith(
        "Most important for Satisfaction: Credit-approval speed, +0.148 points per 1-point gain (95% CI 0.126 to 0.170)")
    assert "审批速度" in ip.interpret("zh") and "Fix first" not in ip.interpret("zh")
