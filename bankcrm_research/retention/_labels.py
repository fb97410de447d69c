"""Figure text of the retention plots in the notebook's language (labels files, ``reporting.label``).

``text(key)`` is the label of ``key`` in the current language (set by ``setup_notebook(lang=...)``);
``term_label("value_tier[affluent]")`` gives "Value tier: Affluent" (design-matrix terms of categories);
``term_label("approval_days_missing")`` names a missing-value indicator.
The label files are read lazily, so importing an analysis module stays light.
"""

from __future__ import annotations

__all__ = ["text", "term_label"]


def text(key: str) -> str:
    """Label of ``key`` in the current language (the key itself when no label exists)."""
    from bankcrm_research.reporting.labels import label

    return label(str(key))


def term_label(term: str) -> str:
    """A model term for a figure: ``var[level]`` -> ``<var label>: <level label>``; else the term's label."""
    name = str(term)
    if name.endswith("]") and "[" in name:
        var, level = name[:-1].split("[", 1)
        return f"{text(var)}: {text(level)}"
    if name.endswith("_missing") and text(name) == name:  # missing-value indicator of a numeric column
        base = name.removesuffix("_missing")
        return text("missing_indicator").format(column=base, label=text(base))
    return text(name)
