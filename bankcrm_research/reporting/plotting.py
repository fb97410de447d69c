"""Plot theme: seaborn style plus a CJK font so ``--lang zh`` figures show Chinese, not boxes.

The CJK font is Noto Sans CJK SC (SIL Open Font License), taken from the font files bundled in
the ``mplfonts`` wheel and registered with :func:`matplotlib.font_manager.FontManager.addfont`.
We deliberately do **not** call mplfonts' global ``init`` (it copies fonts into matplotlib's data
folder and rewrites the user's matplotlibrc) and do not use its SimHei (no redistribution licence).
matplotlib is imported inside the functions so importing this module stays cheap.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from bankcrm_research.reporting.labels import _check_lang, set_lang

__all__ = ["setup_plotting", "cjk_font_path", "CJK_FONT_NAME", "FIGURE_DPI"]

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
