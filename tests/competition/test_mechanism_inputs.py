"""Notebook 06 inputs resolution and its sentences: auto choices, skipped sections, words that follow the CIs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.competition import mechanism_findings as say
from bankcrm_research.competition.mechanism_inputs import (
    BUNDLED_THRESHOLD,
    auto_adoption_threshold,
    resolve_mechanism_inputs,
)


@pytest.fixture(scope="module")
def bundled():
    return resolve_mechanism_inputs()


def _panel(tmp_path, n_banks=30, years=range(2012, 2020), seed=1, **extra):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_banks):
        lvl = rng.uniform(50, 150)
        for t, y in enumerate(years):
            rows.append({"bank_id": f"B{i:02d}", "year": y, "if_index": lvl + 20 * t + rng.normal(0, 2),
                         "nim": 2 + rng.normal(0, 0.1), **{k: v(rng) for k, v in extra.items()}})
    p = tmp_path / "p.csv"
    pd.DataFrame(rows).to_csv(p, index=False)
    return p


def test_bundled_spec_on_bundled_data(bundled):
    assert bundled.simulated and bundled.index_source == "indicators"
    assert bundled.treatment == "if_index_100" and bundled.adoption_threshold == BUNDLED_THRESHOLD
    assert bundled.adoption_region == "province"
    assert bundled.channels == (("deposit_cost", "nim"), ("npl_ratio", "roa"))
    assert bundled.threshold_variable == "log_assets" and bundled.persistence_outcome == "nim"
    assert dict(bundled.gmm_regressors) == {"if_index_100": [0], "log_assets": [0]}
    assert dict(bundled.gmm_instruments) == {"log_assets": (2, None)}
    assert all(s.runs for s in bundled.sections.values())
    assert bundled.choices == ()  # nothing is "auto" on the bundled data: its spec is used


def test_minimal_user_panel_skips_what_it_lacks(tmp_path):
    inp = resolve_mechanism_inputs(bank_panel_path=_panel(tmp_path))
    assert not inp.simulated and inp.index_source == "panel" and inp.treatment == "if_index"
    assert inp.adoption_region == "bank_id"
    skipped = {k for k, s in inp.sections.items() if not s.runs}
    assert skipped == {"staggered", "channel_deposit_cost_nim", "channel_npl_ratio_roa", "mediation",
                       "mediation_by_type", "threshold", "truth"}
    assert inp.runs("dynamic_gmm") and dict(inp.gmm_regressors) == {"if_index": [0]} and not inp.gmm_instruments
    chosen = {p for p, _, _ in inp.choices}
    assert {"index_column", "index_scale", "threshold_variable", "persistence_outcome", "gmm_regressors"} <= chosen
    assert "nim" in inp.sections["channel_deposit_cost_nim"].reason or "deposit_cost" in inp.sections[
        "channel_deposit_cost_nim"].reason


def test_auto_threshold_and_capital_ratio_fallback(tmp_path):
    p = _panel(tmp_path, capital_ratio=lambda r: r.uniform(10, 16))
    inp = resolve_mechanism_inputs(bank_panel_path=p, event_outcome="nim")
    banks = pd.read_csv(p)
    assert inp.adoption_threshold == pytest.approx(np.round(np.median(banks["if_index"]), 1))
    assert inp.adoption_threshold == auto_adoption_threshold(inp.banks, "if_index", "bank_id")
    assert inp.threshold_variable == "capital_ratio" and inp.runs("threshold") and inp.runs("staggered")
    # cohorts: first year each bank's index reaches the threshold
    g = inp.banks.groupby("bank_id")["adoption_cohort"].first()
    first = banks[banks["if_index"] >= inp.adoption_threshold].groupby("bank_id")["year"].min()
    assert g.reindex(first.index).tolist() == first.tolist()


def test_never_treated_controls_needed(tmp_path):
    inp = resolve_mechanism_inputs(bank_panel_path=_panel(tmp_path), event_outcome="nim", adoption_threshold=60.0,
                                   control_group="never_treated")
    assert not inp.runs("staggered") and "never-treated" in inp.sections["staggered"].reason


def test_refusals(tmp_path):
    p = tmp_path / "no_index.csv"
    pd.DataFrame({"bank_id": ["a", "a"], "year": [2020, 2021], "nim": [2.0, 2.1]}).to_csv(p, index=False)
    with pytest.raises(ValueError, match="no internet-finance index column"):
        resolve_mechanism_inputs(bank_panel_path=p)
    with pytest.raises(ValueError, match="index_scale"):
        resolve_mechanism_inputs(bank_panel_path=_panel(tmp_path), index_scale=-1)
    with pytest.raises(ValueError, match=r"\[mediator, outcome\]"):
        resolve_mechanism_inputs(bank_panel_path=_panel(tmp_path), channels=[["nim"]])


def _med(ind, lo, hi):
    return pd.DataFrame({"term": ["indirect", "total", "share_mediated"], "estimate": [ind, -0.2, 0.4],
                         "ci_low": [lo, -0.3, 0.1], "ci_high": [hi, -0.1, 0.7]})


def test_channel_words_follow_the_ci():
    assert "lowered" in say.channel_sentence(_med(-0.08, -0.1, -0.06), "deposit cost", "NIM", "+100 index points")
    none = say.channel_sentence(_med(0.01, -0.02, 0.04), "deposit cost", "NIM", "+100 index points")
    assert "no clear channel" in none and "includes 0" in none
    assert "没有明确的中介渠道" in say.channel_sentence(_med(0.01, -0.02, 0.04), "存款成本", "净息差", "每1个指数点", "zh")


def test_gmm_caution_when_a_check_fails():
    def tab(hansen_p):
        return pd.DataFrame({"term": ["L1.nim", "x", "ar2", "hansen_j", "n_instruments", "n_groups"],
                             "estimate": [0.5, -0.1, np.nan, np.nan, np.nan, np.nan],
                             "ci_low": [0.4, -0.2, np.nan, np.nan, np.nan, np.nan],
                             "ci_high": [0.6, -0.05, np.nan, np.nan, np.nan, np.nan],
                             "p_value": [0, 0, 0.4, hansen_p, np.nan, np.nan],
                             "statistic": [np.nan, np.nan, 0.5, 3.0, 20, 100]})
    assert "do not reject" in say.gmm_sentence(tab(0.3), 0.4, "L1.nim", "x", "NIM")
    assert "caution" in say.gmm_sentence(tab(0.01), 0.4, "L1.nim", "x", "NIM")
    assert "long-run effect of -0.2" in say.gmm_sentence(tab(0.3), 0.4, "L1.nim", "x", "NIM")


def test_findings_keep_order_and_pad_when_one_section_ran():
    out = say.findings({"gmm": "G.", "staggered": "S."})
    assert out == ["S.", "G."]
    assert len(say.findings({"threshold": "T."})) == 2


def test_truth_sentence_counts_headline_groups_and_explains_foils():
    tve = pd.DataFrame({
        "quantity": ["competition.mediation.m->o.by_type.x.indirect", "competition.mediation.m->o.by_type.x.b",
                     "competition.mediation.m->o.a", "competition.mediation.m->o.b",
                     "competition.staggered.dynamic.0", "competition.staggered.simple"],
        "covered": [True, False, True, False, True, True],
        "role": ["headline", "headline", "headline", "foil", "headline", "headline"]})
    en = say.truth_sentence(tve, "en")
    assert en.startswith("4 of 5 headline 95 % CIs cover")
    assert "within bank types 1/2; pooled path a and total effect 1/1; adoption-timing effects 2/2" in en
    assert "covers 0 of 1" in en and "read the within-type rows" in en
    zh = say.truth_sentence(tve, "zh")
    assert "5 个主要估计" in zh and "有 4 个" in zh and "作为对照" in zh
    no_foil = say.truth_sentence(tve[tve["role"] == "headline"], "en")
    assert "foil" not in no_foil


def test_within_type_channel_sentence_flags_a_pooled_effect_outside_every_type():
    """The pooled indirect effect outside all within-type CIs is called out; inside one, it is not."""
    def tidy(ind: float, lo: float, hi: float, share: float = 0.5) -> pd.DataFrame:
        return pd.DataFrame({"term": ["indirect", "share_mediated"], "estimate": [ind, share],
                             "ci_low": [lo, np.nan], "ci_high": [hi, np.nan]})

    by_type = pd.concat([tidy(-0.09, -0.12, -0.07).assign(bank_type="city"),
                         tidy(-0.06, -0.11, -0.02).assign(bank_type="rural")], ignore_index=True)
    s = say.within_type_channel_sentence(by_type, tidy(-0.16, -0.2, -0.12, 0.72), "bank_type", {"city": "CITY", "rural": "RURAL"},
                                         "deposit cost", "NIM", "+100 index points")
    assert "CITY -0.09" in s and "RURAL -0.06" in s and "2 of 2 exclude zero" in s
    assert "-0.16 (72% mediated), lies outside every within-type interval" in s
    inside = say.within_type_channel_sentence(by_type, tidy(-0.08, -0.1, -0.05), "bank_type", {"city": "CITY", "rural": "RURAL"},
                                              "deposit cost", "NIM", "+100 index points")
    assert "outside" not in inside
    zh = say.within_type_channel_sentence(by_type, tidy(-0.16, -0.2, -0.12, 0.72), "bank_type", {}, "存款成本",
                                          "净息差", "每100个指数点", "zh")
    assert "落在所有类型内区间之外" in zh
    assert say.findings({"channel": "P.", "channel_by_type": "W.", "gmm": "G."}) == ["W.", "G."]


def test_truth_notes_in_both_languages():
    planted = {"mediation": {"deposit_cost->nim": {}}, "serial_correlation": 0.5}
    tve = pd.DataFrame({"quantity": ["competition.mediation.x"], "covered": [True], "role": ["headline"]})
    en = say.truth_notes(planted, tve, [["deposit_cost", "nim"], ["npl_ratio", "roa"]], False)
    assert en[0].startswith("The simulated world plants no channel for npl_ratio→roa") and "ρ = 0.5" in en[1]
    zh = say.truth_notes(planted, tve, [["deposit_cost", "nim"], ["npl_ratio", "roa"]], False, "zh")
    assert "未预设不良贷款率（%）→资产收益率（%）渠道" in zh[0] and len(zh) == 2
