"""Plot theme: the CJK font is registered from mplfonts' bundled file and renders Chinese glyphs."""

from __future__ import annotations

import hashlib
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from bankcrm_research import reporting  # noqa: E402
from bankcrm_research.reporting import _env  # noqa: E402
from bankcrm_research.reporting.plotting import CJK_FONT_NAME, cjk_font_path  # noqa: E402


@pytest.fixture
def report_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(_env.REPORT_DIR, str(tmp_path))
    yield tmp_path
    plt.close("all")
    matplotlib.rcdefaults()


def test_font_comes_from_mplfonts_and_is_not_simhei():
    path = cjk_font_path()
    assert path is not None and path.name == "NotoSansCJKsc-Regular.otf"
    assert "mplfonts" in str(path)


def test_zh_figure_renders_chinese_without_missing_glyphs(report_dir):
    reporting.setup_plotting("zh")
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    assert matplotlib.rcParams["font.sans-serif"][0] == CJK_FONT_NAME
    found = font_manager.findfont(font_manager.FontProperties(family=matplotlib.rcParams["font.sans-serif"][0]))
    assert found.endswith("NotoSansCJKsc-Regular.otf")
    fig, ax = plt.subplots()
    ax.set_title(reporting.label("demand_deposit_share", "zh"))
    ax.set_xlabel(reporting.label("year", "zh"))
    ax.plot([2012, 2013, 2014], [-0.1, 0.2, 0.3])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" would fail the test
        path = reporting.save_figure(fig, "zh_demo")
    assert path == report_dir / "figures" / "zh_demo.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_english_theme_keeps_cjk_fallback(report_dir):
    reporting.setup_plotting("en")
    assert matplotlib.rcParams["font.sans-serif"][:2] == ["DejaVu Sans", CJK_FONT_NAME]
    fig, ax = plt.subplots()
    ax.set_title("Deposits in 北京")  # a Chinese province name inside an English figure
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reporting.save_figure(fig, "mixed")


def test_same_figure_gives_byte_identical_png(report_dir):
    reporting.setup_plotting("zh")
    digests = []
    for name in ("a", "b"):
        fig, ax = plt.subplots()
        ax.bar(["国有", "股份制"], [1.0, 2.0])
        digests.append(hashlib.sha256(reporting.save_figure(fig, name).read_bytes()).hexdigest())
    assert digests[0] == digests[1]
    assert b"Software" not in (report_dir / "figures" / "a.png").read_bytes()


def test_setup_plotting_rejects_unknown_language():
    with pytest.raises(ValueError, match="'lang' parameter must be one of"):
        reporting.setup_plotting("de")


@pytest.mark.parametrize("lang, given, expected", [
    ("en", "Assets under management (CNY)", "Assets under management (CNY million)"),
    ("zh", "管理资产（元）", "管理资产（百万元）"),
    ("en", "Expected profit", "Expected profit (million)"),
    ("zh", "交易笔数", "交易笔数（百万）"),
])
def test_million_label_puts_the_unit_in_the_label(lang, given, expected):
    from bankcrm_research.reporting.plotting import million_label

    assert million_label(given, lang) == expected


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_large_axis_has_no_offset_text_and_says_million(report_dir, lang):
    """Issue 12: the "1e6" offset of an AUM axis collided with its label (notebook 04 partial dependence).
    millions_axis shows millions with the unit in the label; no offset text is drawn."""
    from bankcrm_research.reporting.plotting import millions_axis

    reporting.setup_notebook(lang=lang)
    try:
        fig, ax = plt.subplots()
        ax.plot([0.0, 1.2e6, 3.5e6], [0.07, 0.055, 0.055])
        ax.set_xlabel(reporting.label("aum", lang))
        fig.canvas.draw()
        assert ax.xaxis.get_offset_text().get_text() == "1e6"  # the bug, without the fix
        assert millions_axis(ax, "x", lang=lang) is True
        fig.canvas.draw()
        assert ax.xaxis.get_offset_text().get_text() == ""
        assert ax.get_xlabel() == {"en": "Assets under management (CNY million)", "zh": "管理资产（百万元）"}[lang]
        ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        assert "1" in ticks and "3" in ticks and not any("e" in t for t in ticks)
        # a small or narrow axis keeps its label and gets plain numbers, never an offset
        fig2, ax2 = plt.subplots()
        ax2.plot([0, 1], [1_000_000, 1_000_010])
        ax2.set_ylabel("n")
        assert millions_axis(ax2, "y", lang=lang) is False
        fig2.canvas.draw()
        assert ax2.yaxis.get_offset_text().get_text() == "" and ax2.get_ylabel() == "n"
        with pytest.raises(ValueError, match="'axis' parameter"):
            millions_axis(ax2, "z")
    finally:
        reporting.setup_notebook(lang="en")


def test_month_axis_speaks_the_report_language(report_dir):
    import pandas as pd

    from bankcrm_research.reporting.plotting import month_axis

    months = pd.date_range("2020-01-01", "2023-12-01", freq="MS")
    texts = {}
    for lang in ("en", "zh"):
        reporting.setup_notebook(lang=lang)
        fig, ax = plt.subplots()
        pd.Series(range(len(months)), index=months).plot(ax=ax, x_compat=True)
        month_axis(ax, lang=lang)
        fig.canvas.draw()
        texts[lang] = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        assert ax.xaxis.get_offset_text().get_text() == ""
    reporting.setup_notebook(lang="en")
    assert "2021" in texts["en"] and "2021年" in texts["zh"]
    assert not any(m in t for t in texts["zh"] for m in ("Jan", "Apr", "Jul", "Oct"))
