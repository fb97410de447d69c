"""IPMA plot: the quadrant annotations follow the display language (labels/satisfaction.yml)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from bankcrm_research.satisfaction.ipma import IPMAResult  # noqa: E402


@pytest.fixture
def ipma_result() -> IPMAResult:
    table = pd.DataFrame({
        "level": ["construct"] * 3, "name": ["IMAG", "PERQ", "PERV"], "construct": ["IMAG", "PERQ", "PERV"],
        "importance": [0.1, 0.3, 0.2], "performance": [60.0, 55.0, 70.0], "quadrant": ["x", "y", "z"],
    })
    return IPMAResult(target="CUSA", table=table)


@pytest.mark.parametrize(("lang", "expected"), [("en", {"fix first", "keep up"}), ("zh", {"优先改进", "继续保持"})])
def test_quadrant_annotations_are_translated(ipma_result, lang, expected):
    fig, ax = plt.subplots()
    try:
        ipma_result.plot(ax=ax, lang=lang)
        texts = {t.get_text() for t in ax.texts}
    finally:
        plt.close(fig)
    assert expected <= texts
    other = {"en": {"优先改进", "继续保持"}, "zh": {"fix first", "keep up"}}[lang]
    assert not (other & texts)
