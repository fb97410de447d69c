"""Publication tables: one DataFrame rendered to HTML, LaTeX, Markdown or CSV text, and the
economics-journal regression table (one column per model, stars, N, R², fixed-effect rows).

HTML is rendered by great-tables (``GT``: stub column, outcome spanners, source notes with the star
legend, its own scoped CSS, no external fonts or scripts), with a stable element id derived from the
table's content so the same numbers give the same HTML; LaTeX by pandas (booktabs, pdflatex-safe).

Numbers are rounded only here, for display; the CSV written by ``save_table`` keeps full
precision (``tidy()`` is the single source of numbers). The regression table is built from plain
tidy DataFrames (coefficients and model statistics), so this module knows no analysis package.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from bankcrm_research.reporting.labels import label

__all__ = ["STARS", "regression_table", "render_regression_table", "round_for_display", "to_publication_table"]

TableFormat = Literal["html", "latex", "markdown", "csv"]


def round_for_display(df: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """Copy of ``df`` with float columns rounded to ``digits`` decimals (other columns untouched)."""
    if not isinstance(digits, int) or isinstance(digits, bool) or digits < 0:
        raise ValueError(f"The 'digits' parameter must be an int >= 0. Got {digits!r} instead.")
    out = df.copy()
    floats = out.select_dtypes(include="floating").columns
    out[floats] = out[floats].round(digits)
    return out


def to_publication_table(
    df: pd.DataFrame,
    fmt: TableFormat = "html",
    *,
    digits: int = 3,
    caption: str | None = None,
    index: bool = False,
    lang: str | None = None,
    relabel: bool = True,
) -> str:
    """Render a results table for a paper or a slide.

    Parameters
    ----------
    df : DataFrame
        Table to render (e.g. a model's ``tidy()``).
    fmt : {"html", "latex", "markdown", "csv"}
        Output format. HTML is a plain ``<table>`` with no external CSS; LaTeX uses booktabs rules.
    digits : int, default 3
        Decimals for float columns.
    caption : str, optional
        Caption (HTML/LaTeX only).
    index : bool, default False
        Include the index.
    lang : {"en", "zh"}, optional
        Language of the column headers when ``relabel`` is true.
    relabel : bool, default True
        Replace column names by their display labels (:func:`label`).

    Returns
    -------
    str
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"to_publication_table expects a pandas DataFrame; got {type(df).__name__}.")
    out = round_for_display(df, digits)
    if relabel:
        out = out.rename(columns={c: label(str(c), lang) for c in out.columns})
    if fmt == "html":
        return _gt_html(out.reset_index() if index else out, caption=caption, css_class="publication-table")
    if fmt == "latex":
        return out.to_latex(index=index, caption=caption, na_rep="", escape=True,
                            float_format=f"%.{digits}f")
    if fmt == "markdown":
        # pandas' to_markdown needs 'tabulate'; a pipe table is simple enough to write directly.
        cols = ([str(out.index.name or "")] if index else []) + [str(c) for c in out.columns]
        lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        for idx, row in out.iterrows():
            cells = ([str(idx)] if index else []) + ["" if pd.isna(v) else str(v) for v in row]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"
    if fmt == "csv":
        return out.to_csv(index=index, lineterminator="\n")
    raise ValueError(
        f"The 'fmt' parameter must be one of ['html', 'latex', 'markdown', 'csv']. Got {fmt!r} instead."
    )


# --------------------------------------------------------------------------- regression tables
STARS: tuple[tuple[float, str], ...] = ((0.01, "***"), (0.05, "**"), (0.10, "*"))


def _stars(p: float) -> str:
    if not np.isfinite(p):
        return ""
    for cut, mark in STARS:
        if p < cut:
            return mark
    return ""


def regression_table(
    coefficients: pd.DataFrame,
    stats: pd.DataFrame,
    *,
    outcome: str | None = None,
    terms: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    digits: int = 4,
) -> pd.DataFrame:
    """Journal-style regression table (strings): coefficient with stars, standard error beneath.

    Layout as in economics journals and pyfixest's ``etable``.

    Parameters
    ----------
    coefficients : DataFrame
        Tidy coefficients with columns ``outcome, model, term, estimate, std_error, p_value``
        (e.g. ``PanelResult.tidy()``).
    stats : DataFrame
        One row per (outcome, model) with ``outcome, model, n_obs, r2, r2_within, entity_fe,
        time_fe, vcov`` (e.g. ``PanelResult.stats``).
    outcome : str, optional
        Which outcome; the first one when None (one table per outcome).
    terms : sequence of str, optional
        Terms to show, in order; all but the intercept when None.
    labels : mapping, optional
        Display names for terms and models (e.g. from :func:`bankcrm_research.reporting.label_map`).
    digits : int
        Decimals shown.

    Returns
    -------
    DataFrame
        Index: row labels (term, ``<term> (se)`` with the standard error, then ``N``, ``R²``,
        ``Within R²``, ``Bank FE``, ``Year FE``, ``SE``); columns: models.
    """
    labels = dict(labels or {})
    tab = coefficients
    outcome = outcome or str(tab["outcome"].iloc[0])
    tab = tab[tab["outcome"] == outcome]
    stats_ = stats[stats["outcome"] == outcome].set_index("model")
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


def _stable_id(df: pd.DataFrame, prefix: str) -> str:
    """An HTML id from the table's content (great-tables would draw a random one)."""
    import hashlib

    digest = hashlib.sha1(df.to_csv().encode("utf-8")).hexdigest()[:10]  # an id, not security
    return f"{prefix}-{digest}"


def _gt_html(
    df: pd.DataFrame,
    *,
    caption: str | None = None,
    css_class: str,
    stub: Sequence[str] | None = None,
    stubhead: str = "",
    notes: str = "",
) -> str:
    """Render ``df`` with great-tables: columns (a two-level header becomes spanners), optional stub
    column of row labels, caption as the title, ``notes`` as a source note; missing cells as an em
    dash. Column ids are positional so duplicated or non-string headers are safe."""
    from great_tables import GT, loc, style

    flat = df.copy()
    ids = [f"c{i}" for i in range(df.shape[1])]
    flat.columns = ids
    two_level = isinstance(df.columns, pd.MultiIndex)
    col_labels = [str(c[-1]) if two_level else str(c) for c in df.columns]
    if stub is not None:
        flat.insert(0, "_stub", list(stub))
    flat = flat.reset_index(drop=True)
    gt = GT(flat, rowname_col="_stub" if stub is not None else None, id=_stable_id(df, css_class))
    gt = gt.cols_label(**dict(zip(ids, col_labels, strict=True)))
    if two_level:
        for group in dict.fromkeys(df.columns.get_level_values(0)):
            members = [i for i, c in zip(ids, df.columns, strict=True) if c[0] == group]
            gt = gt.tab_spanner(label=str(group), columns=members)
    if stub is not None:
        gt = gt.tab_stubhead(label=stubhead)
        gt = gt.cols_align("center", columns=ids)
    if caption:
        gt = gt.tab_header(title=caption)
    if notes:
        gt = gt.tab_source_note(notes)
    gt = gt.sub_missing(columns=ids, missing_text="—")
    # numbers and labels on one line; a wide table scrolls horizontally instead of wrapping
    nowrap = [loc.body(), loc.column_labels()] + ([loc.stub()] if stub is not None else [])
    gt = gt.tab_style(style.text(whitespace="nowrap"), locations=nowrap)
    return f'<div class="{css_class}">{gt.as_raw_html()}</div>'


def _display_index(df: pd.DataFrame) -> list[str]:
    # the "(se)" rows are shown without a label, as in journal tables
    return ["" if str(i).endswith(" (se)") else str(i) for i in df.index]


def render_regression_table(
    table: pd.DataFrame, fmt: Literal["html", "latex"] = "html", *, notes: str | Sequence[str] = ""
) -> str:
    """Render :func:`regression_table` output with its notes and the star legend.

    ``html`` is a self-contained great-tables table (row labels in the stub, the outcome as stub
    head, outcomes as spanners for a combined table, notes and star legend as a source note);
    ``latex`` a plain-ASCII ``tabular`` (booktabs rules,
    stars as superscripts, compiles with pdflatex). ``notes`` (a string or sentences, joined with
    spaces) go under the table.
    """
    note_text = notes if isinstance(notes, str) else " ".join(notes)
    df = table.copy()
    df.index = _display_index(df)
    if fmt == "html":
        star_note = "; ".join(f"{m} p < {c:g}" for c, m in STARS)
        body = table.reset_index(drop=True)
        body = body.mask(body == "")  # empty cells show as an em dash
        return _gt_html(body, css_class="regression-table", stub=_display_index(table),
                        stubhead=str(table.index.name or ""), notes=f"{note_text} {star_note}.".strip())
    if fmt == "latex":
        tex = df.to_latex(escape=True, column_format="l" + "c" * df.shape[1])
        # plain-ASCII LaTeX (compiles with pdflatex): stars as superscripts, R² as math
        tex = re.sub(r"(\d)(\*{1,3})", lambda m: f"{m.group(1)}$^{{{m.group(2)}}}$", tex)
        tex = tex.replace("R²", "$R^2$")
        star_note = "; ".join(f"$^{{{m}}}$ $p<{c:g}$" for c, m in STARS)
        note = note_text.replace("%", r"\%").replace("_", r"\_").replace("·", r"$\cdot$")
        return tex + f"% Notes: {note} {star_note}.\n"
    raise ValueError(f"The 'fmt' parameter must be one of ['html', 'latex']. Got {fmt!r} instead.")
