"""Notebook helpers: plot theme (CJK font), bilingual labels, tables, figures and metrics.

Typical first code cell after the parameters::

    from bankcrm_research.reporting import setup_notebook, label, save_table, save_figure, record_metric, show_table
    setup_notebook(lang=lang, share_safe=share_safe)

Under ``bankcrm-research run`` outputs land in ``reports/<run-id>/<notebook>/``; interactively in
``.bankcrm_outputs/<notebook>/`` beside the notebook (gitignored).
"""

from __future__ import annotations

from bankcrm_research.reporting.dictionary import dictionary_display
from bankcrm_research.reporting.labels import LANGS, current_lang, label, label_map, load_labels
from bankcrm_research.reporting.outputs import (
    ShareSafeWarning,
    is_row_level,
    output_dir,
    read_metrics,
    record_metric,
    save_figure,
    save_table,
    set_share_safe,
    share_safe_enabled,
    show_table,
)
from bankcrm_research.reporting.plotting import setup_plotting
from bankcrm_research.reporting.sections import (
    auto_choices,
    findings,
    record_choice,
    record_findings,
    skip_section,
    skipped_sections,
)
from bankcrm_research.reporting.tables import (
    STARS,
    regression_table,
    render_regression_table,
    round_for_display,
    to_publication_table,
)

__all__ = [
    "LANGS",
    "STARS",
    "auto_choices",
    "findings",
    "record_findings",
    "record_choice",
    "skip_section",
    "skipped_sections",
    "ShareSafeWarning",
    "current_lang",
    "dictionary_display",
    "is_row_level",
    "label",
    "label_map",
    "load_labels",
    "output_dir",
    "read_metrics",
    "record_metric",
    "regression_table",
    "render_regression_table",
    "round_for_display",
    "save_figure",
    "save_table",
    "setup_notebook",
    "setup_plotting",
    "share_safe_enabled",
    "show_table",
    "to_publication_table",
]


def setup_notebook(lang: str = "en", share_safe: bool = False) -> None:
    """Prepare a notebook session: plot theme and CJK font, label language, share-safe mode.

    Parameters
    ----------
    lang : {"en", "zh"}
        Language of labels and figure text.
    share_safe : bool, default False
        Refuse to write or display row-level customer tables (the runner's ``--share-safe``
        turns this on regardless of the notebook's parameter).
    """
    setup_plotting(lang)
    set_share_safe(bool(share_safe))
