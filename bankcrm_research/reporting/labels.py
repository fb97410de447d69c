"""Bilingual (English / simplified Chinese) display labels for variables and constructs.

Labels live in YAML files ``bankcrm_research/reporting/labels/<area>.yml``, one per area
(``common.yml``, ``competition.yml``, ``satisfaction.yml``, ...), each a mapping
``key: {en: "...", zh: "..."}``. All files are merged; a key defined twice with different text is
an error (caught by ``tests/reporting/test_labels.py``), so areas cannot silently override each
other. Unknown keys come back unchanged, so a notebook never fails for a missing label.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Literal

from bankcrm_research.reporting import _env

__all__ = ["LANGS", "label", "label_map", "load_labels", "labels_dir", "current_lang"]

LANGS: tuple[str, ...] = ("en", "zh")
Lang = Literal["en", "zh"]

_state: dict[str, str | None] = {"lang": None}


def labels_dir() -> Path:
    """Folder holding the ``<area>.yml`` label files."""
    return Path(__file__).resolve().parent / "labels"


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(
            f"The 'lang' parameter must be one of {list(LANGS)}. Got {lang!r} instead; "
            f"use lang='en' for English or lang='zh' for simplified Chinese."
        )
    return lang


def set_lang(lang: str) -> None:
    """Set the default language used by :func:`label` when ``lang`` is not given."""
    _state["lang"] = _check_lang(lang)


def current_lang() -> str:
    """Language in effect: set by :func:`set_lang`/``setup_notebook``, else ``BANKCRM_LANG``, else en."""
    lang = _state["lang"] or os.environ.get(_env.LANG, "en") or "en"
    return lang if lang in LANGS else "en"


def _label_files(folder: Path) -> list[Path]:
    # common.yml first: shared keys are defined there and win over an area's duplicate.
    files = sorted(folder.glob("*.yml"), key=lambda p: (p.name != "common.yml", p.name))
    return files


@lru_cache(maxsize=8)
def _load(folder: str, strict: bool) -> dict[str, dict[str, str]]:
    import yaml  # lazy: keeps ``import bankcrm_research.reporting`` light

    merged: dict[str, dict[str, str]] = {}
    origin: dict[str, str] = {}
    problems: list[str] = []
    for path in _label_files(Path(folder)):
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        if not isinstance(data, Mapping):
            problems.append(
                f"label file {path.name} must be a mapping 'key: {{en: ..., zh: ...}}'; "
                f"found a {type(data).__name__}"
            )
            continue
        for key, entry in data.items():
            key = str(key)
            if not isinstance(entry, Mapping) or not all(
                isinstance(entry.get(lang), str) and entry.get(lang) for lang in LANGS
            ):
                problems.append(
                    f"label '{key}' in {path.name} must have non-empty text for every language "
                    f"{list(LANGS)}; found {entry!r}. Write it as `{key}: {{en: \"...\", zh: \"...\"}}`."
                )
                continue
            entry = {lang: str(entry[lang]) for lang in LANGS}
            if key in merged:
                if merged[key] != entry:
                    problems.append(
                        f"label '{key}' is defined differently in {origin[key]} and {path.name}: "
                        f"{merged[key]} vs {entry}. Keep one definition (shared keys go in common.yml)."
                    )
                continue  # first definition wins (common.yml is read first)
            merged[key] = entry
            origin[key] = path.name
    if problems:
        if strict:
            raise ValueError("invalid label files:\n  " + "\n  ".join(problems))
        # A notebook must not fail over a label: warn, keep the valid entries.
        warnings.warn("; ".join(problems), UserWarning, stacklevel=3)
    return merged


def load_labels(folder: str | Path | None = None, *, strict: bool = False) -> dict[str, dict[str, str]]:
    """All labels merged from ``<folder>/*.yml`` as ``{key: {"en": ..., "zh": ...}}``.

    Parameters
    ----------
    folder : path, optional
        Folder of label files; the package's ``labels/`` by default.
    strict : bool, default False
        Raise on malformed entries and on keys defined differently in two files (the tests use
        this). Otherwise such entries are reported with a warning and the first definition wins.

    Raises
    ------
    ValueError
        With ``strict=True``, listing every malformed or conflicting entry.
    """
    return _load(str(Path(folder) if folder is not None else labels_dir()), strict)


def label(key: str, lang: str | None = None) -> str:
    """Display label of a variable or construct in English or Chinese.

    Parameters
    ----------
    key : str
        Canonical name, e.g. ``"demand_deposit_share"`` (see ``data/CONTRACT.md``).
    lang : {"en", "zh"}, optional
        Language; defaults to the notebook's language (``setup_notebook(lang=...)``).

    Returns
    -------
    str
        The label, or ``key`` itself when no label is defined (never raises for unknown keys).

    Examples
    --------
    >>> label("demand_deposit_share", "zh")
    '活期存款占比'
    """
    lang = _check_lang(lang) if lang is not None else current_lang()
    entry = load_labels().get(str(key))
    return entry[lang] if entry else str(key)


def label_map(keys: Iterable[str], lang: str | None = None) -> dict[str, str]:
    """``{key: label(key, lang)}`` for renaming columns: ``df.rename(columns=label_map(df.columns))``."""
    return {k: label(k, lang) for k in keys}
