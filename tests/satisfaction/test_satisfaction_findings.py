"""Findings sentences of notebook 03 follow their rules, and IPMA point labels never overlap (issue 12)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from bankcrm_research.satisfaction import findings as say  # noqa: E402
from bankcrm_research.satisfaction.ipma import IPMAResult  # noqa: E402
from bankcrm_research.satisfaction.label_layout import label_boxes_overlap, place_labels  # noqa: E402


class _Fit:
    def __init__(self, cfi, rmsea, srmr, proper=True, kind="SEM"):  # noqa: ANN001
        self.fit = {"cfi": cfi, "tli": cfi, "rmsea": rmsea, "srmr": srmr}
        self.proper, self.kind = proper, kind


@pytest.mark.parametrize(("cfi", "rmsea", "srmr", "overall"), [
    (0.97, 0.05, 0.05, "good"), (0.95, 0.06, 0.08, "good"), (0.93, 0.05, 0.05, "acceptable"),
    (0.97, 0.07, 0.05, "acceptable"), (0.97, 0.05, 0.09, "acceptable"), (0.89, 0.05, 0.05, "poor"),
    (0.97, 0.09, 0.05, "poor"), (0.97, 0.05, 0.11, "poor"),
])
def test_fit_verdict_thresholds(cfi, rmsea, srmr, overall):  # noqa: ANN001
    assert say.fit_verdict({"cfi": cfi, "rmsea": rmsea, "srmr": srmr})[0] == overall
    assert f"fit is {overall}" in say.fit_sentence(_Fit(cfi, rmsea, srmr))


def test_improper_solution_is_said_in_both_languages():
    assert "improper" in say.fit_sentence(_Fit(0.97, 0.05, 0.05, proper=False))
    assert "不恰当" in say.fit_sentence(_Fit(0.97, 0.05, 0.05, proper=False), lang="zh")


def test_reliability_and_validity_verdicts():
    rel = pd.DataFrame({"construct": ["A", "B", "C"], "alpha": [0.85, 0.65, np.nan], "rho_c": [0.88, 0.72, 0.9],
                        "ave": [0.6, 0.55, 0.45]})
    s = say.reliability_sentence(rel)
    assert "B (0.650)" in s and "C (0.450)" in s and "A" not in s.replace("AVE", "")
    ok = rel.assign(alpha=[0.8, 0.8, 0.8], ave=[0.6, 0.6, 0.6])
    assert say.reliability_sentence(ok).startswith("All 3 constructs are reliable")
    h = pd.DataFrame({"construct_1": ["A", "A"], "construct_2": ["B", "C"], "htmt": [0.8, 0.5],
                      "ci_low": [0.75, 0.4], "ci_high": [0.9, 0.6], "exceeds": [True, False]})
    assert "not established for 1 pair" in say.validity_sentence(h)
    assert say.validity_sentence(h.assign(exceeds=False)).startswith("Discriminant validity holds")


def _key(a_ci, b_ci):  # noqa: ANN001, ANN202
    return pd.DataFrame({"driver": ["speed", "rm"], "share": [0.4, 0.3], "ci_low": [a_ci[0], b_ci[0]],
                         "ci_high": [a_ci[1], b_ci[1]], "rank": [1, 2], "r2": [0.3, 0.3]})


def test_top_driver_clear_only_when_cis_do_not_overlap():
    overlap = say.driver_sentence(_key((0.3, 0.5), (0.2, 0.35)), "CUSA")
    assert "not clear" in overlap and "40.0 %" in overlap and "[30.0, 50.0] %" in overlap
    clear = say.driver_sentence(_key((0.36, 0.5), (0.2, 0.35)), "CUSA")
    assert "clearly ahead" in clear
    assert "明显领先" in say.driver_sentence(_key((0.36, 0.5), (0.2, 0.35)), "CUSA", lang="zh")
    assert say.cis_overlap(0, 1, 1, 2) and not say.cis_overlap(0, 1, 1.01, 2)


def test_index_sentence_compares_segments_by_ci():
    idx = pd.DataFrame({"segment": ["overall", "a", "b"], "n": [10, 5, 5], "index": [60.0, 65.0, 55.0],
                        "ci_low": [58.0, 63.0, 53.0], "ci_high": [62.0, 67.0, 57.0]})
    assert "do not overlap" in say.index_sentence(idx, "CUSA")
    assert "no clear difference" in say.index_sentence(idx.assign(ci_low=[50.0] * 3, ci_high=[70.0] * 3), "CUSA")
    assert say.index_sentence(idx.iloc[:1], "CUSA").endswith(".")


def test_display_frame_translates_headers_names_and_quadrants():
    t = pd.DataFrame({"name": ["CUSA"], "importance": [0.1], "quadrant": ["fix first (high importance, low performance)"]})
    zh = say.display_frame(t, "zh")
    assert list(zh.columns) == ["名称", "重要性（总效应）", "象限"]
    assert zh.iloc[0].tolist()[0] == "满意度" and zh.iloc[0, 2].startswith("优先改进")


def test_crowded_labels_do_not_overlap():
    """Twenty points in a tight cluster: every label box is disjoint from every other."""
    rng = np.random.default_rng(1)
    x, y = rng.normal(0, 0.01, 20), rng.normal(0, 0.01, 20)
    fig, ax = plt.subplots(figsize=(6.5, 5))
    try:
        ax.scatter(x, y)
        ax.set_xlim(-0.2, 0.2)
        ax.set_ylim(-0.2, 0.2)
        anns = place_labels(ax, x, y, [f"PERQ{i}_R" for i in range(20)])
        assert label_boxes_overlap(ax, anns) == []
    finally:
        plt.close(fig)


def test_naive_labels_would_overlap():
    """The check itself catches the old layout (every label at +5, +5 points)."""
    fig, ax = plt.subplots()
    try:
        for i, (x, y) in enumerate([(0.0, 0.0), (0.001, 0.001)]):
            ax.annotate(f"ITEM{i}", (x, y), textcoords="offset points", xytext=(5, 5))
        assert label_boxes_overlap(ax) != []
    finally:
        plt.close(fig)


def test_item_level_ipma_labels_do_not_overlap():
    rng = np.random.default_rng(7)
    n = 26
    table = pd.DataFrame({"level": ["indicator"] * n, "name": [f"ITEM{i}" for i in range(n)], "construct": "X",
                          "importance": rng.uniform(0.05, 0.07, n), "performance": rng.uniform(65, 67, n),
                          "quadrant": "x"})
    fig, ax = plt.subplots(figsize=(6.5, 5))
    try:
        IPMAResult(target="CUSA", table=table).plot(ax=ax, level="indicator", lang="en")
        point_labels = [t for t in ax.texts if t.get_text().startswith("ITEM")]
        assert len(point_labels) == n
        assert label_boxes_overlap(ax) == []  # also clear of the quadrant notes
    finally:
        plt.close(fig)
