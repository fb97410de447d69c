"""Publication tables for panel models: one column per model, stars, N, R², fixed-effect rows.

Rendered from :meth:`PanelResult.tidy` (the single source of numbers), so the HTML, LaTeX and CSV
outputs can never disagree. Layout follows the usual economics-journal table (and pyfixest's
``etable``): coefficient with stars, standard error in parentheses underneath.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["regression_table", "to_html", "to_latex", "STARS"]

STARS: tuple[tuple[float, str], ...] = ((0.01, "***"), (0.05, "**"), (0.10, "*"))


def _stars(p: float) -> str:
    if not np.isfinite(p):
        return ""
    for cut, mark in STARS:
        if p < cut:
            return mark
    return ""


def regression_table(
    result: Any,
    *,
    outcome: str | None = None,
    terms: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    digits: int = 4,
) -> pd.DataFrame:
    """Build the display table (strings) from a :class:`~bankcrm_research.competition.panel.PanelResult`.

    Parameters
    ----------
    result : PanelResult
    outcome : str, optional
        Which outcome; the first one when None (one table per outcome).
    terms : sequence of str, optional
        Terms to show, in order; all but the intercept when None.
    labels : mapping, optional
        Display names for terms and models (e.g. from :func:`bankcrm_research.reporting.label`).
    digits : int
        Decimals shown.

    Returns
    -------
    DataFrame
        Index: row labels (term, blank row with the standard error, then ``N``, ``R²``,
        ``Within R²``, ``Bank FE``, ``Year FE``, ``SE``); columns: models.
    """
    labels = dict(labels or {})
    tab = result.table
    stats_ = result.stats
    outcome = outcome or str(tab["outcome"].iloc[0])
    tab = tab[tab["outcome"] == outcome]
    stats_ = stats_[stats_["outcome"] == outcome].set_index("model")
    models = list(dict.fromkeys(tab["model"]))
    if terms is None:
        terms = [t for t in dict.fromkeys(tab["term"]) if t != "Intercept"]
    rows: dict[str, list[str]] = {}
    for term in terms:
        est_row, se_row = [], []
        for m in models:
            r = tab[(tab["model"] == m) & (tab["term"] == term)]
            if r.empty:
                est_row.append("")
                se_row.append("")
                continue
            r = r.iloc[0]
            est_row.append(f"{r['estimate']:.{digits}f}{_stars(r['p_value'])}")
            se_row.append(f"({r['std_error']:.{digits}f})")
        rows[labels.get(term, term)] = est_row
        rows[f"{labels.get(term, term)} (se)"] = se_row
    rows["N"] = [f"{int(stats_.loc[m, 'n_obs']):,}" for m in models]
    rows["R²"] = [f"{stats_.loc[m, 'r2']:.3f}" for m in models]
    rows["Within R²"] = [
        "" if not np.isfinite(stats_.loc[m, "r2_within"]) else f"{stats_.loc[m, 'r2_within']:.3f}" for m in models
    ]
    rows["Bank FE"] = ["Yes" if stats_.loc[m, "entity_fe"] else "No" for m in models]
    rows["Year FE"] = ["Yes" if stats_.loc[m, "time_fe"] else "No" for m in models]
    rows["SE"] = [str(stats_.loc[m, "vcov"]) for m in models]
    out = pd.DataFrame(rows, index=[labels.get(m, m) for m in models]).T
    out.index.name = labels.get(outcome, outcome)
    return out


def _display_index(df: pd.DataFrame) -> list[str]:
    # the "(se)" rows are shown without a label, as in journal tables
    return ["" if str(i).endswith(" (se)") else str(i) for i in df.index]


def to_html(table: pd.DataFrame, *, notes: str = "") -> str:
    """Render :func:`regression_table` output as a self-contained HTML table."""
    df = table.copy()
    df.index = _display_index(df)
    body = df.to_html(escape=True, border=0, classes="regression-table")
    star_note = "; ".join(f"{m} p &lt; {c:g}" for c, m in STARS)
    return f"{body}\n<p class=\"table-notes\">{html.escape(notes)} {star_note}.</p>"


def to_latex(table: pd.DataFrame, *, notes: str = "") -> str:
    """Render :func:`regression_table` output as a LaTeX ``tabular`` (booktabs rules)."""
    df = table.copy()
    df.index = _display_index(df)
    tex = df.to_latex(escape=True, column_format="l" + "c" * df.shape[1])
    # plain-ASCII LaTeX (compiles with pdflatex): stars as superscripts, R² as math
    tex = re.sub(r"(\d)(\*{1,3})", lambda m: f"{m.group(1)}$^{{{m.group(2)}}}$", tex)
    tex = tex.replace("R²", "$R^2$")
    star_note = "; ".join(f"$^{{{m}}}$ $p<{c:g}$" for c, m in STARS)
    note = notes.replace("%", r"\%").replace("_", r"\_").replace("·", r"$\cdot$")
    return tex + f"% Notes: {note} {star_note}.\n"
