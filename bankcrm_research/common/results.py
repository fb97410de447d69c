"""The one result shape every analysis result follows (DESIGN.md "One result shape").

A fitted model or a multi-table statistic returns a frozen result object with

* ``.tidy()`` -> ``pandas.DataFrame``: the single source of numbers (one row per term/quantity,
  stable snake_case columns, unrounded);
* ``.summary()`` -> ``pandas.DataFrame``: the reader's view (derived from ``tidy()``; may add fit
  statistics or reshape, never new numbers computed elsewhere);
* ``.notes`` -> ``tuple[str, ...]``: plain sentences a notebook can print (warnings about the fit,
  what was dropped and why, which variant was used); empty when there is nothing to say. A result
  whose notes a report shows may also have ``.notes_zh``: the same sentences in simplified Chinese
  (same numbers); :func:`notes_in` picks the language (the English ``.notes`` stay unchanged);
* ``.plot(ax=None)`` where a figure exists: draws on ``ax`` (a new figure when ``None``) and returns
  the axes; matplotlib is imported inside the method, never at module import.

One-off statistics are plain functions ``f(df, *, cols...) -> DataFrame`` and need no object.
``tests/test_result_shape.py`` checks every public class with a ``tidy`` method in the analysis
packages against this contract.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import pandas as pd

__all__ = ["Result", "ResultMixin", "notes_in"]


@runtime_checkable
class Result(Protocol):
    """Structural type of a result object (see module docstring)."""

    @property
    def notes(self) -> tuple[str, ...]: ...

    def tidy(self) -> pd.DataFrame: ...

    def summary(self) -> pd.DataFrame: ...


class ResultMixin:
    """Defaults for result classes: ``summary()`` is ``tidy()``; ``notes`` is empty.

    Subclasses (usually frozen dataclasses) override what they need. ``notes`` is a property so a
    dataclass field named ``notes`` of type ``tuple[str, ...]`` also satisfies the contract.
    """

    def tidy(self) -> pd.DataFrame:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def summary(self) -> pd.DataFrame:
        return self.tidy()

    @property
    def notes(self) -> tuple[str, ...]:
        return ()

    def _repr_html_(self) -> Any:  # a result shown in a notebook cell shows its summary table
        return self.summary()._repr_html_()


def notes_in(result: Any, lang: str = "en") -> tuple[str, ...]:
    """A result's ``notes`` in the report's language.

    ``lang="zh"`` gives ``result.notes_zh`` when the result has it (the same sentences and numbers in
    simplified Chinese), else the English ``result.notes``; any other language gives ``result.notes``.

    Examples
    --------
    >>> class R:
    ...     notes = ("n = 3",)
    ...     notes_zh = ("样本量 3",)
    >>> notes_in(R(), "zh"), notes_in(R(), "en")
    (('样本量 3',), ('n = 3',))
    """
    if lang == "zh":
        zh = getattr(result, "notes_zh", None)
        if zh is not None:
            return tuple(zh)
    return tuple(result.notes)
