"""Chinese display of notebooks 01 and 06 beyond their sentences: table cells, estimator notes, intros."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from bankcrm_research.competition import display_names as names
from bankcrm_research.competition.mechanism_findings import display_frame as mechanism_frame
from bankcrm_research.reporting.labels import label, load_labels

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")

# One example of every note template the strand writes (staggered.py, threshold.py, dynamic_panel.py,
# panel.py), built as those modules build them; the notebook test checks the real notes of a run.
NOTES = [
    "3 units adopt after the last period and count as never treated.",
    "2 units treated from the first period have no pre-period and were dropped.",
    "43 group-time cells have no control units (every unit is treated by then) and are not estimated, "
    "e.g. (2012,2017), (2012,2018), (2012,2019).",
    "Dynamic effects balanced at e ≤ 3: cohorts [2012.0, 2013.0] only.",
    "Conditional parallel trends given ['log_assets'] (doubly robust).",
    "Conditional parallel trends given ['log_assets'] (outcome regression).",
    "Callaway–Sant'Anna with not-yet-treated controls, varying base period, 114 units × 16 periods; SEs from the "
    "influence function clustered by bank_id.",
    "Callaway–Sant'Anna with never-treated controls, universal base period, 114 units × 16 periods; SEs from the "
    "influence function clustered by province.",
    "No never-treated units: cohort 2017 serves as the control; periods ≥ 2017 dropped.",
    "4 cohort × event-time cells were collinear and dropped.",
    "Sun–Abraham: 40 cohort × event-time coefficients (reference e = -1), CRV1 errors clustered by bank_id, "
    "t(113) intervals.",
    "Threshold search over 361 quantiles of log_assets (trim 0.05), 114 units × 16 periods, within demeaning with "
    "period effects; F tests with 300 fixed-regressor bootstrap draws.",
    "Threshold search over 361 quantiles of q (trim 0.01), 565 units × 15 periods, hansen demeaning; F tests with "
    "0 fixed-regressor bootstrap draws.",
    "Threshold CI: LR(γ) < 7.35 (Hansen 2000; conservative under heteroskedasticity).",
    "The single-threshold test does not reject linearity at 0.05 (bootstrap p = 0.412); the regime slopes are then "
    "not distinguishable.",
    "Difference GMM, 2-step (Windmeijer-corrected SEs), 43 instruments (collapsed) for 17 parameters, 150 units, "
    "1959 differenced observations.",
    "System GMM, 1-step (robust SEs), 160 instruments for 18 parameters, 150 units, 1959 differenced observations.",
    "More instruments (160) than units (150): Hansen's J is weakened and two-step SEs can be too small; use "
    "collapse=True or fewer lags (Roodman 2009).",
    "Standard errors clustered by bank_id (CRV1, small-sample factor G/(G-1)·(N-1)/(N-K), t with G-1 df; G = 150).",
    "Wild cluster bootstrap (WCR, 999 reps) p-values in p_value_wild.",
    "CRV1 by bank_id",
    "clustered by bank_id (linearmodels)",
]


@pytest.mark.parametrize("note", NOTES)
def test_every_note_template_has_a_chinese_rendering(note):
    zh = names.note_text(note, "zh")
    assert zh != note and CJK.search(zh), zh
    # numbers and variable names survive the translation
    for token in re.findall(r"\d+(?:\.\d+)?|bank_id|log_assets|province", note):
        assert token in zh, (token, zh)
    assert names.note_text(note, "en") == note


def test_notes_follow_their_variants():
    assert "逐期变动基期" in names.note_text(NOTES[6], "zh") and "统一基期" in names.note_text(NOTES[7], "zh")
    assert "尚未处理单位" in names.note_text(NOTES[6], "zh") and "从未处理单位" in names.note_text(NOTES[7], "zh")
    assert "双重稳健" in names.note_text(NOTES[4], "zh") and "结果回归" in names.note_text(NOTES[5], "zh")
    assert "（含时期效应）" in names.note_text(NOTES[11], "zh") and "含时期效应" not in names.note_text(NOTES[12], "zh")
    sys_gmm = names.note_text(NOTES[16], "zh")
    assert sys_gmm.startswith("系统GMM，1步") and "稳健标准误" in sys_gmm and "折叠" not in sys_gmm


def test_an_unknown_note_stays_in_english_rather_than_vanishing():
    assert names.note_text("A brand-new note.", "zh") == "A brand-new note."


@pytest.mark.parametrize("value, expected", [
    ("twoway_fe_by_bank_type", "双向固定效应（分银行类型）"),
    ("equality", "斜率相等检验"),  # value.equality wins over the Lorenz-curve label 'equality'
    ("threshold", "门槛"),
    ("city_commercial", "城市商业银行"),
    ("placebo_2010", "安慰剂（2010年）"),
    ("crv1_t149", "CRV1 聚类标准误，t(149)"),
    ("cluster_bootstrap_499", "银行聚类自助法（499 次）"),
    ("L1.nim", "净息差（%）（滞后1期）"),
    ("single_vs_linear_0.95", "单门槛 vs 线性（95% 临界值）"),
    ("twoway_fe_within_joint_stock", "双向固定效应（股份制商业银行内部）"),
    ("competition.index_effect.nim.state_owned", "指数效应 · 净息差（%） · 国有大型商业银行"),
    ("competition.staggered.dynamic.-2", "交错采纳 · 动态 · e=-2"),
    ("competition.mediation.deposit_cost->nim.b", "中介渠道 · 存款成本（%）→净息差（%） · 路径b"),
])
def test_cell_values_in_chinese(value, expected):
    assert names.value_name(value, "zh") == expected
    assert names.value_name(value, "en") == value


def test_display_frame_translates_name_columns_only_in_chinese():
    df = pd.DataFrame({"outcome": ["nim"], "model": ["did_twoway_fe"], "term": ["exposure_x_post"],
                       "estimate": [-0.07], "note": ["kept"]})
    zh = names.display_frame(df, "zh")
    assert zh.loc[0, ["outcome", "model", "term"]].tolist() == ["净息差（%）", "双重差分（双向固定效应）", "敞口 × 2013年后"]
    assert zh.loc[0, "estimate"] == -0.07 and zh.loc[0, "note"] == "kept"
    pd.testing.assert_frame_equal(names.display_frame(df, "en"), df)
    assert df.loc[0, "model"] == "did_twoway_fe"  # the input is not modified
    six = mechanism_frame(pd.DataFrame({"mediator": ["deposit_cost"], "term": ["indirect"], "ci_method": ["crv1_t11"]}), "zh")
    assert six.iloc[0].tolist() == ["存款成本（%）", "间接效应", "CRV1 聚类标准误，t(11)"]


def test_truth_note():
    planted = {"index_effect_note": "total effects: nim's includes the deposit-cost channel (competition.mediation)"}
    assert names.truth_note(planted, "en") == ("Planted index effects are total effects: nim's includes the "
                                               "deposit-cost channel (competition.mediation).")
    assert "总效应" in names.truth_note(planted, "zh")
    assert names.truth_note({}, "zh") is None


@pytest.mark.parametrize("notebook, key", [("01_internet_finance_competition", "nb01_intro"),
                                          ("06_competition_mechanisms", "nb06_intro")])
def test_label_intro_is_the_notebooks_first_cell_and_has_a_chinese_version(notebook, key):
    """The English intro label must stay a copy of the notebook's introduction (edit both together)."""
    first = nbformat.read(ROOT / "notebooks" / f"{notebook}.ipynb", as_version=4).cells[0]
    assert first.cell_type == "markdown" and label(key, "en") == first.source
    zh = label(key, "zh")
    assert zh.startswith("# " + notebook[:2]) and len(CJK.findall(zh)) > 200


def test_label_files_of_notebooks_01_and_06_are_complete():
    labels = load_labels(strict=True)
    keys = [k for k in labels if k.startswith(("nb01_", "nb06_text", "value."))]
    assert len(keys) > 50
    for k in keys:
        assert CJK.search(labels[k]["zh"]) or re.fullmatch(r"[A-Za-z–' χ²]+", labels[k]["zh"]), k
