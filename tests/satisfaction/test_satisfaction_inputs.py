"""``satisfaction.inputs``: what notebook 03 analyses when parameters are left at None (own-data contract)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.satisfaction.inputs import BUNDLED_DRIVERS, final_constructs, resolve_survey_inputs
from bankcrm_research.satisfaction.spec import ACSI_BANK_MODEL, SurveyModel

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from own_data import shapes  # noqa: E402

BUNDLED_M = {k: list(v) for k, v in ACSI_BANK_MODEL.measurement.items()}
BUNDLED_S = [list(p) for p in ACSI_BANK_MODEL.structural]


@pytest.fixture
def chinese(tmp_path):  # noqa: ANN001, ANN201
    return shapes.survey_chinese_headers(tmp_path)


def _choices(inputs) -> dict:  # noqa: ANN001
    return {p: v for p, v, _ in inputs.choices}


def test_bundled_survey_gets_the_bundled_spec():
    inp = resolve_survey_inputs(None, measurement=BUNDLED_M, structural=BUNDLED_S)
    assert inp.simulated
    assert list(inp.model.reverse_items) == ["CUEX3_R", "PERQ6_R", "CUSL2_R"]
    assert inp.model.scale == (1.0, 7.0)
    assert inp.group_column == "channel_group" and inp.group_skip is None
    assert inp.index_construct == "CUSA"
    assert inp.drivers == BUNDLED_DRIVERS
    assert inp.indirect == [["PERQ", "PERV", "CUSA", "CUSL"]]
    assert set(_choices(inp)) == {"reverse_items", "scale", "group_column", "index_construct", "drivers", "indirect"}


def test_given_values_are_used_and_not_reported_as_auto():
    inp = resolve_survey_inputs(None, measurement=BUNDLED_M, structural=BUNDLED_S, reverse_items=["CUEX3_R"],
                                scale=[1, 7], index_construct="CUSL", drivers={"a": ["PERQ1"], "b": ["PERQ2"]},
                                indirect=[])
    assert inp.model.reverse_items == ("CUEX3_R",)
    assert inp.index_construct == "CUSL" and inp.drivers == {"a": ["PERQ1"], "b": ["PERQ2"]}
    assert set(_choices(inp)) == {"group_column"}


def test_user_file_auto_rules(chinese):  # noqa: ANN001
    path, params, _ = chinese
    inp = resolve_survey_inputs(path, measurement=params["measurement"], structural=params["structural"],
                                columns=params["columns"], lang="zh")
    assert not inp.simulated
    assert inp.model.reverse_items == () and inp.model.scale == (1.0, 5.0)
    assert inp.group_column is None and inp.group_skip is not None
    assert inp.index_construct == "忠诚"
    assert list(inp.drivers) == ["形象", "期望", "质量", "满意"]  # fewer than two direct: every ancestor
    assert inp.indirect == []
    assert len(inp.survey) == 400
    assert all(any("\u4e00" <= c <= "\u9fff" for c in sentence) for _, _, sentence in inp.choices)


def test_drivers_are_the_direct_antecedents_when_two_or_more(chinese):  # noqa: ANN001
    path, params, _ = chinese
    inp = resolve_survey_inputs(path, measurement=params["measurement"], structural=params["structural"],
                                columns=params["columns"], index_construct="满意")
    assert list(inp.drivers) == ["形象", "期望", "质量"]
    assert inp.drivers["质量"] == ["质量1", "质量2", "质量3", "质量4"]


def test_several_final_constructs_pick_most_incoming_paths():
    m = SurveyModel({"A": ["a1", "a2"], "B": ["b1", "b2"], "C": ["c1", "c2"], "D": ["d1", "d2"]},
                    [["A", "C"], ["A", "D"], ["B", "D"]])
    assert final_constructs(m) == ["D", "C"]


def test_bundled_measurement_with_user_file_is_a_clear_error(chinese):  # noqa: ANN001
    path, params, _ = chinese
    with pytest.raises(ValueError, match=r"measurement is still the bundled model's default.*pass measurement="):
        resolve_survey_inputs(path, measurement=BUNDLED_M, structural=BUNDLED_S, columns=params["columns"])


def test_given_but_missing_group_column_names_closest(chinese, tmp_path):  # noqa: ANN001
    path, params, _ = chinese
    df = pd.read_csv(path, encoding="gbk").assign(渠道分组=lambda d: np.where(np.arange(len(d)) % 2, "线上", "网点"))
    p2 = tmp_path / "with_group.csv"
    df.to_csv(p2, index=False, encoding="gbk")
    with pytest.raises(ValueError, match="渠道分组"):
        resolve_survey_inputs(p2, measurement=params["measurement"], structural=params["structural"],
                              columns=params["columns"], group_column="渠道")
    inp = resolve_survey_inputs(p2, measurement=params["measurement"], structural=params["structural"],
                                columns=params["columns"], group_column="渠道分组")
    assert inp.group_column == "渠道分组" and inp.group_skip is None


def test_given_but_missing_index_construct(chinese):  # noqa: ANN001
    path, params, _ = chinese
    with pytest.raises(ValueError, match="closest: '满意'"):
        resolve_survey_inputs(path, measurement=params["measurement"], structural=params["structural"],
                              columns=params["columns"], index_construct="满意度")


def test_workbook_needs_sheet_and_reads_second_sheet(chinese, tmp_path):  # noqa: ANN001
    path, params, _ = chinese
    book = tmp_path / "survey.xlsx"
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"notes": ["wave 1", "scale 1-5"]}).to_excel(writer, sheet_name="notes", index=False)
        pd.read_csv(path, encoding="gbk").to_excel(writer, sheet_name="responses", index=False)
    kw = {"measurement": params["measurement"], "structural": params["structural"], "columns": params["columns"]}
    with pytest.raises(ValueError, match="responses"):
        resolve_survey_inputs(book, **kw)
    inp = resolve_survey_inputs(book, sheet="responses", **kw)
    assert len(inp.survey) == 400 and inp.model.scale == (1.0, 5.0)
    assert resolve_survey_inputs(book, sheet=1, **kw).model.scale == (1.0, 5.0)


def test_scale_read_from_a_ten_point_survey(repo_root):  # noqa: ANN001
    mobi = repo_root / "data" / "public" / "mobi.csv"
    m = {"IMAG": [f"IMAG{i}" for i in range(1, 6)], "SAT": ["CUSA1", "CUSA2", "CUSA3"], "LOY": ["CUSL1", "CUSL2", "CUSL3"]}
    inp = resolve_survey_inputs(mobi, measurement=m, structural=[["IMAG", "SAT"], ["SAT", "LOY"], ["IMAG", "LOY"]])
    assert inp.model.scale == (1.0, 10.0)
    assert inp.index_construct == "LOY" and set(inp.drivers) == {"IMAG", "SAT"}
