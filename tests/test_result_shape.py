"""Every public result class in the analysis packages has the one result shape.

``.tidy()`` -> DataFrame, ``.summary()`` -> DataFrame, ``.notes`` -> tuple of sentences (see
``bankcrm_research/common/results.py``). Checked from the annotations of every public class that
defines ``tidy`` in competition/, satisfaction/, retention/ and value/.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import typing
from pathlib import Path

import pandas as pd
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "bankcrm_research"
ANALYSIS_PACKAGES = ("competition", "satisfaction", "retention", "value")


def result_classes() -> list[type]:
    found: dict[str, type] = {}
    for pkg in ANALYSIS_PACKAGES:
        for path in sorted((PACKAGE / pkg).glob("*.py")):
            mod = importlib.import_module(f"bankcrm_research.{pkg}.{path.stem}")
            for name, obj in vars(mod).items():
                if (inspect.isclass(obj) and not name.startswith("_") and obj.__module__ == mod.__name__
                        and callable(getattr(obj, "tidy", None))):
                    found[f"{obj.__module__}.{name}"] = obj
    return [found[k] for k in sorted(found)]


CLASSES = result_classes()


def _returns_frame(func) -> bool:
    hints = typing.get_type_hints(func, globalns=vars(importlib.import_module(func.__module__)))
    return hints.get("return") is pd.DataFrame


def test_there_are_result_classes():
    assert len(CLASSES) >= 15


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: f"{c.__module__.split('.')[-2]}.{c.__name__}")
def test_tidy_and_summary_return_dataframes(cls):
    assert _returns_frame(cls.tidy), f"{cls.__name__}.tidy must be annotated -> pd.DataFrame"
    assert callable(getattr(cls, "summary", None)), f"{cls.__name__} has no summary()"
    assert _returns_frame(cls.summary), f"{cls.__name__}.summary must return a DataFrame (annotated), not text"


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: f"{c.__module__.split('.')[-2]}.{c.__name__}")
def test_notes_is_a_tuple_of_sentences(cls):
    fields = {f.name: f for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else {}
    if "notes" in fields:
        hint = typing.get_type_hints(cls).get("notes")
        assert hint == tuple[str, ...], f"{cls.__name__}.notes must be tuple[str, ...], got {hint}"
        return
    attr = inspect.getattr_static(cls, "notes", None)
    assert isinstance(attr, property), f"{cls.__name__} needs .notes (a tuple[str, ...] field or property)"
    hint = typing.get_type_hints(attr.fget, globalns=vars(importlib.import_module(cls.__module__))).get("return")
    assert hint == tuple[str, ...], f"{cls.__name__}.notes must return tuple[str, ...], got {hint}"
    for legacy in ("note",):
        assert legacy not in fields, f"{cls.__name__} still has a '{legacy}' field; use .notes"
