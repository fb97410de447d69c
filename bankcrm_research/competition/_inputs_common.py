"""What the resolved inputs of notebooks 01 and 06 share: announcing auto choices and the index unit.

:class:`~bankcrm_research.competition.inputs.CompetitionInputs` and
:class:`~bankcrm_research.competition.mechanism_inputs.MechanismInputs` both carry ``choices``,
``index_scale`` and ``lang``; each names its unit in its own words (``_UNIT_WORDS``), so each
notebook's text stays as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


def _t(lang: str, en: str, zh: str) -> str:
    """The text in the report's language (Chinese for ``"zh"``, else English)."""
    return zh if lang == "zh" else en


def sheet_for(sheet: Any, table: str) -> Any:
    """``sheet`` may be one value (the panel's workbook) or ``{table: sheet}``."""
    if isinstance(sheet, Mapping):
        return sheet.get(table)
    return sheet if table == "bank_panel" else None


class _IndexInputs:
    """Base of the frozen input dataclasses: :meth:`announce` and :meth:`unit`.

    ``_UNIT_WORDS`` is ``(en_one, en_many, zh_one, zh_many)``: the unit at scale 1 and the template
    for any other scale (``{s:g}`` is the scale).
    """

    _UNIT_WORDS: ClassVar[tuple[str, str, str, str]]
    choices: tuple[tuple[str, Any, str], ...]
    index_scale: float
    lang: str

    def announce(self) -> None:
        """Show and record every auto choice (``auto.<param>`` in metrics.json)."""
        from bankcrm_research.reporting import record_choice

        for param, value, sentence in self.choices:
            record_choice(param, value, sentence)

    def unit(self, lang: str | None = None) -> str:
        """Unit of the index effects at ``index_scale`` in ``lang`` (default: the inputs' language)."""
        lang = lang or self.lang
        s = self.index_scale
        en_one, en_many, zh_one, zh_many = self._UNIT_WORDS
        if lang == "zh":
            return zh_one if s == 1 else zh_many.format(s=s)
        return en_one if s == 1 else en_many.format(s=s)
