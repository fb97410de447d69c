"""Plot theme: seaborn style plus a CJK font so ``--lang zh`` figures show Chinese, not boxes.

The CJK font is Noto Sans CJK SC (SIL Open Font License), taken from the font files bundled in
the ``mplfonts`` wheel and registered with :func:`matplotlib.font_manager.FontManager.addfont`.
We deliberately do **not** call mplfonts' global ``init`` (it copies fonts into matplotlib's data
folder and rewrites the user's matplotlibrc) and do not use its SimHei (no redistribution licence).
matplotlib is imported inside the functions so importing this module stays cheap.
"""

from __future__ import annotations

import importlib.util
import math
import re
from pathlib import Path
from typing import Any

from bankcrm_research.reporting.labels import _check_lang, current_lang, set_lang

__all__ = ["setup_plotting", "cjk_font_path", "millions_axis", "million_label", "month_axis", "CJK_FONT_NAME",
           "FIGURE_DPI"]

CJK_FONT_NAME = "Noto Sans CJK SC"
_CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"
FIGURE_DPI = 150
# Fixed SVG hash salt and no "Software"/date metadata: identical inputs give identical files.
_RC_DETERMINISTIC = {"svg.hashsalt": "bankcrm-research", "savefig.dpi": FIGURE_DPI}


def cjk_font_path() -> Path | None:
    """Path of the Noto Sans CJK SC font file shipped inside the ``mplfonts`` package.

    Located through the import system without importing ``mplfonts`` (its ``__init__`` pulls in
    helpers we do not want to run). Returns None when the package is not installed.
    """
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "fonts" / _CJK_FONT_FILE
        if candidate.is_file():
            return candidate
    return None


def _register_cjk_font() -> bool:
    from matplotlib import font_manager

    if any(f.name == CJK_FONT_NAME for f in font_manager.fontManager.ttflist):
        return True
    path = cjk_font_path()
    if path is None:
        return False
    font_manager.fontManager.addfont(str(path))
    return True


def setup_plotting(lang: str = "en") -> None:
    """Apply the suite's plot theme.

    Seaborn ``whitegrid`` theme, then the CJK font: for ``lang="zh"`` Noto Sans CJK SC is the
    first sans-serif family; for ``lang="en"`` DejaVu Sans comes first and Noto Sans CJK SC is
    the per-glyph fallback (matplotlib >= 3.6), so Chinese province or product names in English
    figures still render. ``axes.unicode_minus`` is off because CJK fonts lack U+2212.

    Parameters
    ----------
    lang : {"en", "zh"}
        Label language; also becomes the default of :func:`bankcrm_research.reporting.label`.

    Warns
    -----
    UserWarning
        When ``mplfonts`` (the font source) is not installed; Chinese text would show as boxes.
    """
    import matplotlib as mpl
    import seaborn as sns

    _check_lang(lang)
    set_lang(lang)
    sns.set_theme(style="whitegrid", context="notebook", palette="colorblind")
    has_cjk = _register_cjk_font()
    if not has_cjk:
        import warnings

        warnings.warn(
            "the CJK font Noto Sans CJK SC was not found (package 'mplfonts' missing); Chinese "
            "labels will render as boxes. Install the project environment with `make env`.",
            UserWarning,
            stacklevel=2,
        )
    latin = ["DejaVu Sans"]
    cjk = [CJK_FONT_NAME] if has_cjk else []
    families = cjk + latin if lang == "zh" else latin + cjk
    # A list of concrete families (not the generic "sans-serif") enables matplotlib's per-glyph
    # fallback from the first family to the next.
    mpl.rcParams["font.family"] = families
    mpl.rcParams["font.sans-serif"] = families + [
        f for f in mpl.rcParams["font.sans-serif"] if f not in families
    ]
    mpl.rcParams["axes.unicode_minus"] = False
    mpl.rcParams["figure.figsize"] = (7.0, 4.2)
    mpl.rcParams.update(_RC_DETERMINISTIC)


def million_label(text: str, lang: str | None = None) -> str:
    """An axis label with "million" added to its unit.

    ``"Assets under management (CNY)"`` -> ``"Assets under management (CNY million)"``;
    ``"管理资产（元）"`` -> ``"管理资产（百万元）"``; a label without a unit gets ``(million)`` / ``（百万）``.
    """
    lang = _check_lang(lang) if lang is not None else current_lang()
    if lang == "zh":
        m = re.fullmatch(r"(.*)（([^（）]*)）", text, flags=re.DOTALL)
        return f"{m[1]}（百万{m[2]}）" if m else f"{text}（百万）"
    m = re.fullmatch(r"(.*)\(([^()]*)\)", text, flags=re.DOTALL)
    return f"{m[1]}({m[2]} million)" if m else f"{text} (million)".strip()


def millions_axis(ax: Any, axis: str = "x", *, lang: str | None = None, threshold: float = 1e6) -> bool:
    """Show an axis's numbers without matplotlib's offset text (the "1e6" in the corner).

    Call it after plotting and after setting the axis label. When the data on the axis reach
    ``threshold`` in absolute value, tick labels show the values in millions and the label's unit says
    so (:func:`million_label`: "AUM (CNY)" becomes "AUM (CNY million)"); otherwise the tick labels are
    plain numbers (no offset, no scientific notation). Either way no offset text is drawn, so nothing
    can collide with the axis label. The data are not changed.

    Parameters
    ----------
    ax : matplotlib Axes
    axis : {"x", "y"}
    lang : {"en", "zh"}, optional
        Language of the unit word; the notebook's language by default.
    threshold : float, default 1e6

    Returns
    -------
    bool
        True when the axis was switched to millions.
    """
    from matplotlib.ticker import FuncFormatter, ScalarFormatter

    if axis not in ("x", "y"):
        raise ValueError(f"The 'axis' parameter must be 'x' or 'y'. Got {axis!r} instead.")
    target = ax.xaxis if axis == "x" else ax.yaxis
    lim = ax.dataLim
    ends = (lim.x0, lim.x1) if axis == "x" else (lim.y0, lim.y1)
    finite = [v for v in ends if math.isfinite(v)]
    top = max((abs(v) for v in finite), default=0.0)
    # a narrow range far from zero (1,000,000 to 1,000,010) reads better as plain numbers than as millions
    narrow = len(finite) == 2 and top > 0 and abs(finite[1] - finite[0]) < 1e-3 * top
    if top < threshold or narrow:
        fmt = target.get_major_formatter()
        if isinstance(fmt, ScalarFormatter):
            fmt.set_useOffset(False)
            fmt.set_scientific(False)
        return False
    target.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v / 1e6:.6g}"))
    target.set_label_text(million_label(target.get_label_text(), lang))
    return True


_DATE_FORMATS = {  # matplotlib ConciseDateFormatter levels: years, months, days, hours, minutes, seconds
    "en": {"formats": ["%Y", "%b", "%d", "%H:%M", "%H:%M", "%S.%f"],
           "zero_formats": ["", "%Y", "%b", "%b-%d", "%H:%M", "%H:%M"]},
    "zh": {"formats": ["%Y年", "%m月", "%d日", "%H:%M", "%H:%M", "%S.%f"],
           "zero_formats": ["", "%Y年", "%m月", "%m月%d日", "%H:%M", "%H:%M"]},
}


def month_axis(ax: Any, axis: str = "x", *, lang: str | None = None) -> None:
    """Date ticks in the report's language ("2021", "Jul" or "2021年", "07月"), without an offset text.

    pandas' own date ticks are English month names whatever the language; plot with matplotlib
    (``ax.plot``) or with pandas' ``x_compat=True`` so that the axis holds matplotlib dates, then call
    this. The year shows at each January.
    """
    import matplotlib.dates as mdates

    if axis not in ("x", "y"):
        raise ValueError(f"The 'axis' parameter must be 'x' or 'y'. Got {axis!r} instead.")
    lang = _check_lang(lang) if lang is not None else current_lang()
    target = ax.xaxis if axis == "x" else ax.yaxis
    locator = mdates.AutoDateLocator()
    target.set_major_locator(locator)
    target.set_major_formatter(mdates.ConciseDateFormatter(locator, offset_formats=[""] * 6, **_DATE_FORMATS[lang]))
