"""Notebook 03 on researchers' own surveys, by parameters alone (issue 11) and with findings (issue 12).

Shapes: the GBK survey with Chinese item and construct names on a 1–5 scale (``shapes.survey_chinese_headers``,
run in Chinese), the same responses on the second sheet of an Excel workbook (``sheet``), and the real ECSI
``mobi`` survey shipped in ``data/public`` (1–10 scale, the lavaan ECSI model whose CB-SEM solution is
improper). Runs use few resamples to stay fast; the statistics themselves are tested in tests/satisfaction.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from own_data import shapes
from own_data.runner import ROOT, run_notebook

NB = "03_satisfaction_drivers"
FAST = {"bootstrap_reps": 40, "permutations": 19}

# lavaan's ECSI model on mobi (ref_lavaan_mobi.R in ../shared/data/ecsi_mobi/reference), construct names as there
MOBI_MEASUREMENT = {
    "IMAG": [f"IMAG{i}" for i in range(1, 6)],
    "EXPE": [f"CUEX{i}" for i in range(1, 4)],
    "QUAL": [f"PERQ{i}" for i in range(1, 8)],
    "VAL": ["PERV1", "PERV2"],
    "SAT": [f"CUSA{i}" for i in range(1, 4)],
    "LOY": [f"CUSL{i}" for i in range(1, 4)],
    "CUSCO_F": ["CUSCO"],
}
MOBI_STRUCTURAL = [["IMAG", "EXPE"], ["EXPE", "QUAL"], ["EXPE", "VAL"], ["QUAL", "VAL"], ["IMAG", "SAT"],
                   ["EXPE", "SAT"], ["QUAL", "SAT"], ["VAL", "SAT"], ["SAT", "CUSCO_F"], ["IMAG", "LOY"],
                   ["SAT", "LOY"], ["CUSCO_F", "LOY"]]
MOBI_REF = Path(os.environ.get("BANKCRM_SHARED_DATA", ROOT.parent / "shared" / "data")) / "ecsi_mobi" / "reference" / "lavaan_psych"


def _cjk_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum("\u4e00" <= c <= "\u9fff" for c in letters) / max(len(letters), 1)


def _chinese_truth_std_path() -> float:
    """Standardised 满意 -> 忠诚 path of the generator in ``shapes.survey_chinese_headers``.

    Latent model eta = B eta + zeta (形象, 期望, 质量, 满意, 忠诚); Cov(eta) = (I-B)^-1 Psi (I-B)^-T;
    the standardised path is b * sd(满意) / sd(忠诚).
    """
    b = np.zeros((5, 5))
    b[1, 0] = 0.5
    b[2, 1] = 0.4
    b[3, 0], b[3, 1], b[3, 2] = 0.3, 0.2, 0.4
    b[4, 3] = 0.6
    psi = np.diag([1.0, 0.85**2, 0.9**2, 0.7**2, 0.8**2])
    inv = np.linalg.inv(np.eye(5) - b)
    cov = inv @ psi @ inv.T
    return 0.6 * np.sqrt(cov[3, 3] / cov[4, 4])


@pytest.fixture(scope="module")
def chinese_zh(tmp_path_factory):  # noqa: ANN001, ANN201
    """The Chinese GBK survey, run in Chinese, given only path, columns, measurement and structural."""
    tmp = tmp_path_factory.mktemp("nb03_zh")
    path, params, _ = shapes.survey_chinese_headers(tmp)
    with pytest.MonkeyPatch.context() as mp:
        run = run_notebook(NB, {**params, **FAST, "lang": "zh"}, tmp, mp)
    return path, params, run


def test_chinese_survey_runs_by_parameters_alone(chinese_zh):  # noqa: ANN001
    path, params, run = chinese_zh
    n_rows = len(pd.read_csv(path, encoding="gbk"))
    assert run.metrics["n_respondents"] == n_rows  # the user's rows, not the bundled survey's
    assert not run.has_table("truth_vs_estimate")  # no truth on user data
    assert set(run.skipped) >= {"multigroup", "truth"}
    assert "channel_group" in run.skipped["multigroup"] or "分组" in run.skipped["multigroup"]
    auto = {k.removeprefix("auto."): v for k, v in run.metrics.items() if k.startswith("auto.")}
    assert auto["scale"] == "[1, 5]"
    assert auto["reverse_items"] == "[]"
    assert auto["index_construct"] == "忠诚"  # the final endogenous construct
    # 忠诚 has one direct antecedent, so every construct that reaches it drives it
    assert set(eval(auto["drivers"])) == {"形象", "期望", "质量", "满意"}  # noqa: S307 - our own JSON
    assert auto["indirect"] == "[]"
    items = run.table("items")
    assert set(items["item"]) == {i for block in params["measurement"].values() for i in block}
    drivers = run.table("drivers")
    assert set(drivers["driver"]) == {"形象", "期望", "质量", "满意"}
    assert run.table("satisfaction_index")["segment"].tolist() == ["overall"]


def test_chinese_survey_recovers_planted_path(chinese_zh):  # noqa: ANN001
    """The CB-SEM standardised 满意 -> 忠诚 path's 95 % CI covers the generator's value (about 0.65)."""
    _, _, run = chinese_zh
    paths = run.table("paths")
    row = paths[(paths["method"] == "CB-SEM") & (paths["from"] == "满意") & (paths["to"] == "忠诚")].iloc[0]
    truth = _chinese_truth_std_path()
    assert row["ci_low"] <= truth <= row["ci_high"], (truth, row.to_dict())
    assert run.metrics["sem_proper"] is True


def test_chinese_run_is_in_chinese(chinese_zh):  # noqa: ANN001
    _, _, run = chinese_zh
    findings = [v for k, v in run.metrics.items() if k.startswith("findings.")]
    assert 2 <= len(findings) <= 5
    assert _cjk_share(" ".join(findings)) > 0.7, findings
    assert all(_cjk_share(s) > 0.4 for s in findings), findings
    assert "## 数据与缺失值处理" in run.text and "## 主要发现" in run.text
    assert "## Findings" not in run.text
    narrative = "\n".join(line for line in run.text.splitlines() if line.startswith(("- ", "KMO", "验证", "结构", "全部")))
    assert _cjk_share(narrative) > 0.5


def test_chinese_survey_from_second_excel_sheet(tmp_path, monkeypatch):  # noqa: ANN001
    """The same responses on sheet 2 of a workbook whose first sheet holds notes: ``sheet`` reads them."""
    path, params, _ = shapes.survey_chinese_headers(tmp_path)
    responses = pd.read_csv(path, encoding="gbk")
    book = tmp_path / "问卷.xlsx"
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"说明": ["2024 年客户满意度调查", "1 = 非常不满意, 5 = 非常满意"]}).to_excel(
            writer, sheet_name="说明", index=False)
        responses.to_excel(writer, sheet_name="数据", index=False)
    run = run_notebook(NB, {**params, **FAST, "survey_path": str(book), "sheet": "数据"}, tmp_path, monkeypatch)
    assert run.metrics["n_respondents"] == len(responses)
    assert run.metrics["auto.scale"] == "[1, 5]"
    assert run.metrics["auto.index_construct"] == "忠诚"
    assert "## Findings" in run.text
    assert len([k for k in run.metrics if k.startswith("findings.")]) >= 2
    assert not run.has_table("truth_vs_estimate")


@pytest.fixture(scope="module")
def mobi_run(tmp_path_factory):  # noqa: ANN001, ANN201
    tmp = tmp_path_factory.mktemp("nb03_mobi")
    params = {"survey_path": str(ROOT / "data" / "public" / "mobi.csv"), "measurement": MOBI_MEASUREMENT,
              "structural": MOBI_STRUCTURAL, **FAST}
    with pytest.MonkeyPatch.context() as mp:
        return run_notebook(NB, params, tmp, mp)


def test_mobi_runs_with_full_ecsi_model(mobi_run):  # noqa: ANN001
    run = mobi_run
    assert run.metrics["n_respondents"] == 250
    assert run.metrics["auto.scale"] == "[1, 10]"
    assert run.metrics["auto.index_construct"] == "LOY"  # the only construct with no outgoing path
    assert set(eval(run.metrics["auto.drivers"])) == {"IMAG", "SAT", "CUSCO_F"}  # noqa: S307
    assert run.metrics["sem_proper"] is False
    assert re.search(r"improper", run.text, re.IGNORECASE)  # the CB-SEM warning and verdict are shown
    assert "ImproperSolutionWarning" in run.text
    assert any("improper" in v for k, v in run.metrics.items() if k.startswith("findings."))
    assert set(run.skipped) >= {"multigroup", "truth"}


def test_mobi_numbers_match_lavaan_psych(mobi_run):  # noqa: ANN001
    """Against ``ref_lavaan_mobi.R`` (R 4.2, lavaan 0.6-14, semTools, psych): ``psych::alpha`` raw alpha,
    ``semTools::htmt(mm, mobi, htmt2 = FALSE)`` and ``standardizedSolution(sem(paste(mm, sm), mobi))``
    paths; tolerance 1e-3 (the package matches to ~1e-6, tests/satisfaction/test_satisfaction_mobi_reference.py)."""
    if not MOBI_REF.is_dir():
        pytest.skip(f"lavaan references not present at {MOBI_REF}")
    run = mobi_run
    rel = run.table("reliability").set_index("construct")
    ref = pd.read_csv(MOBI_REF / "lavaan_mobi_reliability.csv").set_index("construct")
    np.testing.assert_allclose(rel.loc[ref.index, "alpha"], ref["alpha_psych"], atol=1e-3)
    h = run.table("htmt").set_index("construct")
    ref_h = pd.read_csv(MOBI_REF / "lavaan_mobi_htmt.csv", index_col=0)
    np.testing.assert_allclose(h.loc[ref_h.index, ref_h.columns].to_numpy(), ref_h.to_numpy(), atol=1e-3)
    paths = run.table("paths")
    cb = paths[paths["method"] == "CB-SEM"].set_index(["from", "to"])["estimate"]
    ref_p = pd.read_csv(MOBI_REF / "lavaan_mobi_paths.csv").replace({"CUSCO": "CUSCO_F"})
    for lhs, rhs, est in ref_p[["lhs", "rhs", "est.std"]].itertuples(index=False):
        # lavaan's ``lhs ~ rhs`` is the path rhs -> lhs
        assert abs(cb[(rhs, lhs)] - est) < 1e-3, (rhs, lhs, est, cb[(rhs, lhs)])


@pytest.mark.slow
def test_bundled_default_headlines_unchanged(tmp_path, monkeypatch):  # noqa: ANN001
    """Baseline run (before the own-data change): point headlines are independent of the resamples."""
    run = run_notebook(NB, {"bootstrap_reps": 60, "permutations": 19}, tmp_path, monkeypatch)
    m = run.metrics
    assert m["satisfaction_index"] == pytest.approx(65.53236346957844, abs=1e-9)
    assert m["kmo_overall"] == pytest.approx(0.9194688983888744, abs=1e-12)
    assert m["cfa_cfi"] == pytest.approx(1.0)
    assert m["sem_rmsea"] == pytest.approx(0.0, abs=1e-9)
    assert m["sem_proper"] is True
    assert m["top_driver"] == "speed" and m["ipma_top_attribute"] == "speed"
    assert m["auto.group_column"] == "channel_group" and m["auto.index_construct"] == "CUSA"
    assert run.has_table("truth_vs_estimate") and run.has_table("multigroup")
    assert "multigroup" not in run.skipped


def test_bundled_measurement_with_user_file_fails_clearly(tmp_path, monkeypatch):  # noqa: ANN001
    """A user file with measurement left at the bundled default: stop before analysis, say what to pass."""
    import papermill as pm

    path, params, _ = shapes.survey_chinese_headers(tmp_path)
    with pytest.raises(pm.PapermillExecutionError, match="pass measurement="):
        run_notebook(NB, {"survey_path": str(path), "columns": params["columns"], **FAST}, tmp_path, monkeypatch)


def test_sheet_parameter_exists_with_constraints():
    import nbformat

    nb = nbformat.read(Path(ROOT / "notebooks" / f"{NB}.ipynb"), as_version=4)
    src = next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    for line in ("sheet = None", 'missing_rule = "listwise"  # one of: listwise, mean',
                 "range: >= 1", "range: >= 19"):
        assert line in src, line
    for name in ("reverse_items", "scale", "group_column", "index_construct", "drivers", "indirect"):
        assert re.search(rf"^{name} = None", src, re.MULTILINE), name


def test_mobi_findings_agree_with_the_run_tables(mobi_run):  # noqa: ANN001
    """Issue 12: no findings sentence contradicts the tables of the same run (fit verdict, top-two overlap)."""
    run = mobi_run
    text = " ".join(v for k, v in run.metrics.items() if k.startswith("findings."))
    fit = run.table("fit").set_index("model").loc["SEM"]
    good = fit["cfi"] >= 0.95 and fit["rmsea"] <= 0.06 and fit["srmr"] <= 0.08
    assert ("SEM fit is good" in text) == bool(good)
    key = run.table("drivers").sort_values("rank")
    a, b = key.iloc[0], key.iloc[1]
    overlap = not (a["ci_low"] > b["ci_high"] or b["ci_low"] > a["ci_high"])
    assert ("not clear" in text) == overlap and ("clearly ahead" in text) == (not overlap)
    assert f"{100 * a['share']:.1f} %" in text
    idx = run.table("satisfaction_index").iloc[0]
    assert f"{idx['index']:.1f} of 100" in text
