"""Sections that cannot run say why; choices made by *auto* are shown and recorded.

A notebook running on a researcher's own file may lack what a section needs (no date column, no
treatment, no bank type). The section is then skipped with one sentence — what is missing and how to
supply it — shown in the notebook and recorded in ``metrics.json`` under ``skipped.<section>``, which
the run's ``index.html`` lists. What *auto* chose for a parameter is likewise shown and recorded under
``auto.<parameter>`` (the runner copies both into ``run.json``).
"""

from __future__ import annotations

import json
from typing import Any

from bankcrm_research.reporting.labels import current_lang
from bankcrm_research.reporting.outputs import drop_metrics, read_metrics, record_metric

__all__ = ["skip_section", "record_choice", "record_findings", "findings", "skipped_sections", "auto_choices"]

_SKIP = {
    "en": "**Skipped: {title}.** {reason} To run it: {fix}",
    "zh": "**已跳过：{title}。** {reason} 如需运行：{fix}",
}
_RECORD = {"en": "{title}: {reason} To run it: {fix}", "zh": "{title}：{reason} 如需运行：{fix}"}
_AUTO = {"en": "*Auto:* {sentence}", "zh": "*自动选择：* {sentence}"}


def _md(text: str) -> str:
    """Text shown as Markdown: ``<column>`` must stay visible, not vanish as an HTML tag."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _display_markdown(text: str) -> None:
    try:
        from IPython.display import Markdown, display
    except ImportError:  # pragma: no cover - IPython is always there under Jupyter
        print(text)
        return
    display(Markdown(text))


def skip_section(key: str, title: str, reason: str, fix: str, *, show: bool = True) -> None:
    """Skip a section: say why in one sentence and record it (``metrics.json`` ``skipped.<key>``).

    Parameters
    ----------
    key : str
        Stable short name of the section (``"out_of_time"``, ``"followup_effect"``).
    title : str
        Human title of the section in the notebook's language.
    reason : str
        What is missing (e.g. "The customers file has no date column.").
    fix : str
        How to supply it (e.g. "set date_column='<column>'").
    """
    if not key or not isinstance(key, str):
        raise ValueError(f"skip_section needs a non-empty string key; got {key!r}.")
    lang = current_lang()
    text = _SKIP.get(lang, _SKIP["en"]).format(title=_md(title), reason=_md(reason.strip()), fix=_md(fix.strip()))
    record_metric(f"skipped.{key}", _RECORD.get(lang, _RECORD["en"]).format(title=title, reason=reason.strip(),
                                                                         fix=fix.strip()))
    if show:
        _display_markdown(text)


def record_choice(param: str, value: Any, sentence: str, *, show: bool = True) -> None:
    """Show and record what *auto* chose for a parameter (``metrics.json`` ``auto.<param>``).

    ``value`` is stored as JSON text so lists and dicts fit the flat metrics file.
    """
    stored = value if isinstance(value, (str, int, float, bool)) or value is None else json.dumps(
        value, ensure_ascii=False, sort_keys=True, default=str)
    record_metric(f"auto.{param}", stored)
    if show:
        _display_markdown(_AUTO.get(current_lang(), _AUTO["en"]).format(sentence=_md(sentence)))


def record_findings(sentences: list[str], *, show: bool = True) -> None:
    """The notebook's closing findings: 2–5 sentences rendered from this run's numbers.

    Stored as ``findings.1``, ``findings.2``, … in ``metrics.json`` (the run's ``index.html`` opens with
    them) and shown as a bullet list. Calling it again replaces the earlier list.
    """
    clean = [str(s).strip() for s in sentences if s and str(s).strip()]
    if not clean:
        raise ValueError("record_findings needs at least one non-empty sentence.")
    drop_metrics("findings.")
    for i, sentence in enumerate(clean, start=1):
        record_metric(f"findings.{i}", sentence)
    if show:
        _display_markdown("\n".join(f"- {_md(s)}" for s in clean))


def findings(metrics: dict[str, Any] | None = None) -> list[str]:
    """The recorded findings sentences in order (this notebook's metrics by default)."""
    m = read_metrics() if metrics is None else metrics
    keys = sorted((k for k in m if k.startswith("findings.") and m[k]), key=lambda k: int(k.split(".")[1]))
    return [str(m[k]) for k in keys]


def skipped_sections(metrics: dict[str, Any] | None = None) -> dict[str, str]:
    """``{section: sentence}`` of the skipped sections in a metrics mapping (this notebook's by default)."""
    m = read_metrics() if metrics is None else metrics
    return {k.removeprefix("skipped."): str(v) for k, v in m.items() if k.startswith("skipped.")}


def auto_choices(metrics: dict[str, Any] | None = None) -> dict[str, Any]:
    """``{parameter: value}`` of what auto chose, from a metrics mapping (this notebook's by default)."""
    m = read_metrics() if metrics is None else metrics
    return {k.removeprefix("auto."): v for k, v in m.items() if k.startswith("auto.")}
