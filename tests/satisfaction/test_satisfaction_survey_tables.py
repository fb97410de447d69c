"""Thesis tables: item descriptives and the construct correlation table against psych/lavaan on
mobi (``tests/reference/satisfaction/survey_tables``, made by
``tests/reference/satisfaction/method_bias/ref_method_bias_mobi.R``), and by hand."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from bankcrm_research.satisfaction.sem import CBSEM, ImproperSolutionWarning
from bankcrm_research.satisfaction.spec import SurveyModel, prepare_survey
from bankcrm_research.satisfaction.survey_tables import construct_table, item_descriptives, significance_stars

REF = Path(__file__).resolve().parents[1] / "reference" / "satisfaction"
BLOCKS = {"IMAG": [f"IMAG{i}" for i in range(1, 6)], "EXPE": [f"CUEX{i}" for i in range(1, 4)],
          "QUAL": [f"PERQ{i}" for i in range(1, 8)], "VAL": ["PERV1", "PERV2"],
          "SAT": [f"CUSA{i}" for i in range(1, 4)], "LOY": [f"CUSL{i}" for i in range(1, 4)]}
TOL = 1e-6


@pytest.fixture(scope="module")
def mobi_tables(mobi):  # noqa: ANN001, ANN201
    model = SurveyModel(BLOCKS, scale=[1, 10])
    prep = prepare_survey(mobi, model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ImproperSolutionWarning)
        cfa = CBSEM(model, kind="CFA").fit(prep)
    return prep, cfa, construct_table(prep, measurement=BLOCKS, cfa=cfa)


def test_item_descriptives_match_psych_describe_type2(mobi_tables):  # noqa: ANN001
    """``psych::describe(x, type = 2)`` (SPSS's skewness and kurtosis), TOL 1e-6."""
    prep, _, _ = mobi_tables
    ref = pd.read_csv(REF / "survey_tables" / "psych_describe_mobi_reference.csv").set_index("item")
    got = item_descriptives(prep, measurement=BLOCKS).set_index("item")
    for col in ("n", "mean", "sd", "min", "max", "skewness", "kurtosis"):
        assert got[col].to_numpy() == pytest.approx(ref.loc[got.index, col].to_numpy(), abs=TOL), col


def test_correlations_and_p_match_psych_corr_test(mobi_tables):  # noqa: ANN001
    """``psych::corr.test(scores, adjust = "none")`` on mean-item scores: r and p, TOL 1e-6 (p relative)."""
    _, _, tab = mobi_tables
    ref = pd.read_csv(REF / "survey_tables" / "psych_corr_test_mobi_reference.csv")
    got = tab.correlations.merge(ref, on=["construct_a", "construct_b"], suffixes=("", "_ref"))
    assert len(got) == 15
    assert got["r"].to_numpy() == pytest.approx(got["r_ref"].to_numpy(), abs=TOL)
    assert got["p_value"].to_numpy() == pytest.approx(got["p_value_ref"].to_numpy(), rel=1e-5)


def test_diagonal_is_sqrt_ave_of_lavaan_loadings(mobi_tables):  # noqa: ANN001
    """AVE = mean(std.all loading^2) of ``cfa(mm, mobi, std.lv = TRUE)``; diagonal = sqrt(AVE), TOL 1e-5."""
    _, _, tab = mobi_tables
    ref = pd.read_csv(REF / "survey_tables" / "lavaan_ave_mobi_reference.csv").set_index("construct")["ave"]
    c = tab.constructs.set_index("construct")
    assert c["ave"].to_numpy() == pytest.approx(ref.loc[c.index].to_numpy(), abs=1e-5)
    assert c["sqrt_ave"].to_numpy() == pytest.approx(np.sqrt(ref.loc[c.index].to_numpy()), abs=1e-5)
    m = tab.matrix()
    assert np.diag(m.to_numpy()) == pytest.approx(c["sqrt_ave"].to_numpy())
    assert np.isnan(m.loc["IMAG", "EXPE"]) and m.loc["EXPE", "IMAG"] == pytest.approx(0.500466, abs=1e-6)


def test_fornell_larcker_flags_and_printed_table(mobi_tables):  # noqa: ANN001
    """IMAG sqrt(AVE) 0.596 < r(IMAG, QUAL) 0.728: not met; VAL 0.849 > all its r: met."""
    _, _, tab = mobi_tables
    c = tab.constructs.set_index("construct")
    assert not c.at["IMAG", "fornell_larcker_met"] and c.at["VAL", "fornell_larcker_met"]
    s = tab.summary()
    assert list(s.columns) == ["construct", "mean", "sd", "alpha", "cr", "ave", "1", "2", "3", "4", "5", "6"]
    assert s.at[0, "1"] == "(0.60)" and s.at[1, "1"] == "0.50***" and s.at[0, "2"] == ""
    assert "IMAG" in tab.notes[1] and "VAL" not in tab.notes[1]
    assert tab.tidy().query("statistic == 'sqrt_ave'")["r"].to_numpy() == pytest.approx(c["sqrt_ave"].to_numpy())


def test_stars_and_hand_computed_p():
    rng = np.random.default_rng(1)
    x = pd.DataFrame(rng.normal(size=(60, 4)), columns=["a1", "a2", "b1", "b2"])
    x["b1"] += 0.8 * x["a1"]
    tab = construct_table(x, measurement={"A": ["a1", "a2"], "B": ["b1", "b2"]})
    row = tab.correlations.iloc[0]
    sa, sb = x[["a1", "a2"]].mean(axis=1), x[["b1", "b2"]].mean(axis=1)
    r = np.corrcoef(sa, sb)[0, 1]
    t = r * np.sqrt(58 / (1 - r**2))
    assert row["r"] == pytest.approx(r, rel=1e-12)
    assert row["p_value"] == pytest.approx(2 * stats.t.sf(abs(t), 58), rel=1e-9)
    assert row["stars"] == significance_stars(row["p_value"])
    assert tab.constructs["sqrt_ave"].isna().all()  # no CFA: no diagonal
    assert [significance_stars(p) for p in (0.2, 0.04, 0.009, 0.0009, np.nan)] == ["", "*", "**", "***", ""]


def test_input_checks():
    x = pd.DataFrame({"a1": [1.0, 2, 3, np.nan], "a2": [2.0, 3, 4, 5]})
    with pytest.raises(ValueError, match="missing values"):
        construct_table(x, measurement={"A": ["a1", "a2"]})
    with pytest.raises(ValueError, match="star_levels"):
        construct_table(x.fillna(1), measurement={"A": ["a1", "a2"]}, star_levels=(0.01, 0.05))
    with pytest.raises(ValueError, match="a3"):
        item_descriptives(x, measurement={"A": ["a1", "a3"]})


def test_plot_annotates_lower_triangle(mobi_tables):  # noqa: ANN001
    import matplotlib

    matplotlib.use("Agg")
    _, _, tab = mobi_tables
    ax = tab.plot()
    assert len(ax.texts) == 6 + 15
    assert ax.texts[0].get_text() == f"{tab.constructs['sqrt_ave'].iloc[0]:.2f}"
