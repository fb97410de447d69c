"""Publication tables: one DataFrame rendered to HTML, LaTeX, Markdown or CSV text.

Numbers are rounded only here, for display; the CSV written by ``save_table`` keeps full
precision (``tidy()`` is the single source of numbers).
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from bankcrm_research.reporting.labels import label

__all__ = ["to_publication_table", "round_for_display"]

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
        html = out.to_html(index=index, border=0, na_rep="")
        if caption:
            from html import escape

            head, sep, rest = html.partition(">")  # end of the opening <table ...> tag
            html = f"{head}{sep}\n  <caption>{escape(caption)}</caption>{rest}"
        return html
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
