"""Bilingual (English / simplified Chinese) display labels for variables, constructs and metrics.

Labels live in YAML files ``bankcrm_research/reporting/labels/<area>.yml``, one per area
(``common.yml``, ``competition.yml``, ``satisfaction.yml``, ...), each a mapping
``key: {en: "...", zh: "..."}``. All files are merged; a key defined twice with different text is
an error (caught by ``tests/reporting/test_labels.py``), so areas cannot silently override each
other. Unknown keys come back unchanged, so a notebook never fails for a missing label.

Metric labels (the run's ``index.html``)
----------------------------------------
A headline number recorded with ``record_metric(key, value)`` is labelled by the entry
``metric.<key>``; each notebook keeps its entries in ``labels/metrics_NN.yml`` (NN = the
notebook's number), e.g.::

    metric.did_estimate: {en: "DiD effect on demand-deposit share", zh: "双重差分：活期存款占比效应",
                          unit_en: "pp", unit_zh: "个百分点", digits: 3}
    metric.pretrend_p_value: {en: "Joint pre-trend test", zh: "平行趋势联合检验", kind: p}

Fields: ``en`` and ``zh`` (required, the label); ``unit_en`` / ``unit_zh`` (optional unit shown
after the value; ``unit_zh`` defaults to ``unit_en``); ``digits`` (optional int >= 0, fixed
decimals; default: 3 significant digits via ``reporting.narrative.fmt_number``); ``kind``
(optional: ``p`` formats the value as a p-value, ``p < 0.001``; ``share`` shows a 0-1 share as a
percentage). :func:`metric_info` reads them; a key without an entry gets a humanised label
(:func:`humanize_key`: known parts labelled, ``_`` as spaces), so the index never shows nothing.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, NamedTuple

from bankcrm_research.reporting import _env

__all__ = [
    "current_translation",
    "LANGS", "label", "label_map", "load_labels", "labels_dir", "current_lang", "MetricInfo",
    "metric_info", "humanize_key", "METRIC_PREFIX",
]

LANGS: tuple[str, ...] = ("en", "zh")
Lang = Literal["en", "zh"]

_state: dict[str, str | None] = {"lang": None}

METRIC_PREFIX = "metric."
_OPTIONAL_FIELDS = ("unit_en", "unit_zh", "digits", "kind")
_KINDS = ("number", "p", "share")


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


def _check_optional(key: str, entry: Mapping[str, Any], file: str) -> list[str]:
    problems = []
    unknown = sorted(set(map(str, entry)) - set(LANGS) - set(_OPTIONAL_FIELDS))
    if unknown:
        problems.append(f"label '{key}' in {file} has unknown field(s) {unknown}; allowed: "
                        f"{list(LANGS) + list(_OPTIONAL_FIELDS)}")
    for f in ("unit_en", "unit_zh"):
        if f in entry and not isinstance(entry[f], str):
            problems.append(f"label '{key}' in {file}: {f} must be a string; found {entry[f]!r}")
    d = entry.get("digits")
    if "digits" in entry and (not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 10):
        problems.append(f"label '{key}' in {file}: digits must be an int in [0, 10]; found {d!r}")
    if "kind" in entry and entry["kind"] not in _KINDS:
        problems.append(f"label '{key}' in {file}: kind must be one of {list(_KINDS)}; found {entry['kind']!r}")
    return problems


@lru_cache(maxsize=8)
def _load(folder: str, strict: bool) -> dict[str, dict[str, str]]:
    return _load_full(folder, strict)[0]


@lru_cache(maxsize=8)
def _load_full(folder: str, strict: bool) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, Any]]]:
    import yaml  # lazy: keeps ``import bankcrm_research.reporting`` light

    extras: dict[str, dict[str, Any]] = {}
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
            bad = _check_optional(key, entry, path.name)
            if bad:
                problems.extend(bad)
            extra = {f: entry[f] for f in _OPTIONAL_FIELDS if f in entry} if not bad else {}
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
            if extra:
                extras[key] = extra
    if problems:
        if strict:
            raise ValueError("invalid label files:\n  " + "\n  ".join(problems))
        # A notebook must not fail over a label: warn, keep the valid entries.
        warnings.warn("; ".join(problems), UserWarning, stacklevel=3)
    return merged, extras


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


def current_translation(key: str, english: str, lang: str) -> str:
    """``english`` in ``lang`` through the entry ``key``, but only while that entry's ``en`` text is
    ``english`` word for word; otherwise ``english`` itself.

    For texts whose English lives elsewhere (a notebook's parameter comments, the schemas'
    descriptions): an English text edited without its translation then shows in English rather than
    as a stale translation.
    """
    entry = load_labels().get(str(key))
    return entry[lang] if entry is not None and lang in entry and entry["en"] == english else english


def label_map(keys: Iterable[str], lang: str | None = None) -> dict[str, str]:
    """``{key: label(key, lang)}`` for renaming columns: ``df.rename(columns=label_map(df.columns))``."""
    return {k: label(k, lang) for k in keys}


class MetricInfo(NamedTuple):
    """How a metric is shown: label, unit (may be empty), fixed decimals (None: automatic), kind."""

    label: str
    unit: str
    digits: int | None
    kind: str  # "number", "p" or "share"
    labelled: bool  # False when the label was humanised from the key


def humanize_key(key: str, lang: str | None = None) -> str:
    """A readable label for a metric key without a ``metric.<key>`` entry.

    Each dot-separated part is looked up as a plain label key (``demand_deposit_share`` ->
    "Demand-deposit share"), otherwise its underscores become spaces; parts are joined with " · "
    and a leading ``headline`` part is dropped.

    Examples
    --------
    >>> humanize_key("granger_p_dlog_mmf_aum_to_dlog_demand_deposits", "en")
    'Granger p dlog mmf aum to dlog demand deposits'
    """
    lang = _check_lang(lang) if lang is not None else current_lang()
    labels = load_labels()
    parts = [p for p in str(key).split(".") if p]
    if len(parts) > 1 and parts[0] == "headline":
        parts = parts[1:]
    out = []
    for part in parts:
        entry = labels.get(part)
        out.append(entry[lang] if entry else part.replace("_", " ").strip())
    text = " · ".join(p for p in out if p) or str(key)
    return text[:1].upper() + text[1:]


_P_KEY = ("p_value", "pvalue", "p")


def _looks_like_p(key: str) -> bool:
    tokens = [t for part in key.lower().split(".") for t in part.split("_")]
    last = key.lower().split(".")[-1]
    return last in _P_KEY or last.endswith(("_p_value", "_pvalue")) or (
        "p" in tokens and ("granger" in tokens or tokens[-1] == "p"))


def metric_info(key: str, lang: str | None = None) -> MetricInfo:
    """Label, unit, decimals and kind of a headline metric (entry ``metric.<key>``; see module docs).

    Without an entry the label is :func:`humanize_key`; without an explicit ``kind`` keys that name a
    p-value (``*_p_value``, ``*.p``, ``granger_p_*``) get ``kind="p"``.
    """
    lang = _check_lang(lang) if lang is not None else current_lang()
    texts, extras = _load_full(str(labels_dir()), False)
    full = METRIC_PREFIX + str(key)
    entry = texts.get(full)
    if entry is None:
        return MetricInfo(humanize_key(key, lang), "", None, "p" if _looks_like_p(str(key)) else "number", False)
    extra = extras.get(full, {})
    unit = extra.get(f"unit_{lang}", extra.get("unit_en", "")) or ""
    kind = extra.get("kind") or ("p" if _looks_like_p(str(key)) else "number")
    return MetricInfo(entry[lang], unit, extra.get("digits"), kind, True)
