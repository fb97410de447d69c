"""The data dictionary as a reader sees it: in Chinese runs, Chinese meanings and units.

``data.overview.dictionary_frame`` builds the dictionary from the schemas in English, and notebook 00
saves it as ``data_dictionary.csv`` unchanged (a contract file that users' scripts read). For display,
:func:`dictionary_display` swaps in the translations of ``reporting/labels/dictionary.yml``:

* ``meaning``: entry ``dict.<table>.<column>``, used only while its ``en`` equals the row's meaning word for
  word, so a description edited in ``data/schemas.py`` without its translation shows in English rather
  than as a stale translation (``tests/reporting/test_dictionary_zh.py`` names the entry to update);
* ``unit``: entries ``dict_unit.<slug>``, matched on the English unit text the same way;
* ``table``, ``column``, ``type`` and ``allowed`` stay as they are: names, codes and ranges.
"""

from __future__ import annotations

import pandas as pd

from bankcrm_research.reporting.labels import _check_lang, current_lang, current_translation, load_labels

__all__ = ["DICT_PREFIX", "UNIT_PREFIX", "dictionary_display"]

DICT_PREFIX = "dict."
UNIT_PREFIX = "dict_unit."
_NEEDED = ("table", "column", "meaning")


def dictionary_display(frame: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """The data dictionary ready for ``show_table``: in Chinese, translated meanings and units.

    Parameters
    ----------
    frame : DataFrame
        The dictionary from ``data.overview.dictionary_frame``: columns ``table``, ``column``, ``meaning``
        (and usually ``unit``, ``type``, ``allowed``, ``key``, ``required``).
    lang : {"en", "zh"}, optional
        Display language; the notebook's language by default.

    Returns
    -------
    DataFrame
        ``frame`` itself for English; for Chinese a copy whose ``meaning`` (and ``unit``) cells are the
        translations of ``labels/dictionary.yml`` wherever the stored English text still equals the cell,
        the English cell otherwise. ``frame`` is not modified.

    Raises
    ------
    TypeError
        When ``frame`` is not a DataFrame.
    ValueError
        When ``frame`` lacks ``table``, ``column`` or ``meaning``, or ``lang`` is not "en"/"zh".
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"dictionary_display: 'frame' must be a pandas DataFrame (from "
                        f"overview.dictionary_frame); found {type(frame).__name__}.")
    missing = [c for c in _NEEDED if c not in frame.columns]
    if missing:
        raise ValueError(f"dictionary_display: 'frame' lacks column(s) {missing}; expected the output of "
                         f"overview.dictionary_frame (columns {list(_NEEDED)} at least); found {list(frame.columns)}.")
    lang = _check_lang(lang) if lang is not None else current_lang()
    if lang == "en":
        return frame
    out = frame.copy()
    out["meaning"] = [current_translation(f"{DICT_PREFIX}{t}.{c}", m, lang) if isinstance(m, str) else m
                      for t, c, m in zip(out["table"], out["column"], out["meaning"], strict=True)]
    if "unit" in out.columns:
        units = {e["en"]: e[lang] for k, e in load_labels().items() if k.startswith(UNIT_PREFIX)}
        out["unit"] = out["unit"].map(lambda u: units.get(u, u) if isinstance(u, str) else u)
    return out
