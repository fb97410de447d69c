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
