"""The result of :func:`bankcrm_research.competition.panel.fit_panel_models`: tidy coefficients,
model statistics, publication tables (via :mod:`bankcrm_research.reporting.tables`) and a
coefficient plot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bankcrm_research.common.results import ResultMixin
from bankcrm_research.competition.display_names import note_text, notes_text

__all__ = ["PanelResult"]


@dataclass(frozen=True)
class PanelResult(ResultMixin):
    """Fitted panel models: tidy coefficients, model statistics and the underlying fits.

    Attributes
    ----------
    table : DataFrame
        Tidy coefficients (see :data:`~bankcrm_research.competition.panel.PANEL_COLUMNS`) plus ``t_stat``, ``n_clusters``,
        ``p_value_wild`` (NaN when the bootstrap was not run).
    stats : DataFrame
        One row per (outcome, model): ``n_obs, r2, r2_within, n_clusters, entity_fe, time_fe,
        vcov``.
    fits : tuple
        ``((outcome, model), pyfixest Feols)`` pairs, for further tests.
    notes : tuple of str
        Sentences on the standard-error convention and any bootstrap details.
    """

    table: pd.DataFrame
    stats: pd.DataFrame
    fits: tuple[tuple[tuple[str, str], Any], ...] = field(repr=False)
    notes: tuple[str, ...] = ()

    def tidy(self) -> pd.DataFrame:
        """Tidy coefficient table (a copy; the single source of numbers)."""
        return self.table.copy()

    def summary(self, *, outcome: str | None = None, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
        """Publication-style table: one column per model, stars, N, R², FE rows
        (:func:`bankcrm_research.reporting.tables.regression_table`)."""
        from bankcrm_research.reporting.tables import regression_table

        return regression_table(self.table, self.stats, outcome=outcome, labels=labels)

    def to_html(self, *, outcome: str | None = None, labels: Mapping[str, str] | None = None) -> str:
        """Publication table as an HTML string."""
        from bankcrm_research.reporting.tables import render_regression_table

        return render_regression_table(self.summary(outcome=outcome, labels=labels), "html", notes=self.notes)

    def to_latex(self, *, outcome: str | None = None, labels: Mapping[str, str] | None = None) -> str:
        """Publication table as a LaTeX tabular."""
        from bankcrm_research.reporting.tables import render_regression_table

        return render_regression_table(self.summary(outcome=outcome, labels=labels), "latex", notes=self.notes)

    def combined_table(
        self,
        *,
        outcomes: Sequence[str] | None = None,
        term: str | None = None,
        labels: Mapping[str, str] | None = None,
        lang: str = "en",
    ) -> pd.DataFrame:
        """All outcomes in one journal table: columns (outcome, model), rows = term (SE), N, R², FE rows.

        Built column block by column block from
        :func:`bankcrm_research.reporting.tables.regression_table`; ``term`` (default: every
        non-intercept term) restricts the coefficient rows. Row labels of the statistics are
        translated for ``lang="zh"``.
        """
        from bankcrm_research.reporting.tables import regression_table

        labels = dict(labels or {})
        outcomes = list(outcomes) if outcomes is not None else list(dict.fromkeys(self.table["outcome"]))
        terms = None if term is None else [term]
        blocks = []
        for o in outcomes:
            t = regression_table(self.table, self.stats, outcome=o, terms=terms, labels=labels)
            t.columns = pd.MultiIndex.from_product([[labels.get(o, o)], list(t.columns)])
            t.index.name = None
            blocks.append(t)
        out = pd.concat(blocks, axis=1).fillna("")
        if lang == "zh":
            rows = {"N": "观测数", "Within R²": "组内 R²", "Bank FE": "银行固定效应", "Year FE": "年份固定效应",
                    "SE": "标准误"}
            out = out.rename(index=rows).replace({"Yes": "是", "No": "否"})
            if "标准误" in out.index:
                out.loc["标准误"] = [note_text(str(v), lang) for v in out.loc["标准误"]]
        return out

    def render_combined(
        self,
        fmt: str = "html",
        *,
        outcomes: Sequence[str] | None = None,
        term: str | None = None,
        labels: Mapping[str, str] | None = None,
        lang: str = "en",
        notes: Sequence[str] = (),
    ) -> str:
        """:meth:`combined_table` rendered as HTML or LaTeX with notes and the star legend."""
        from bankcrm_research.reporting.tables import render_regression_table

        table = self.combined_table(outcomes=outcomes, term=term, labels=labels, lang=lang)
        return render_regression_table(table, fmt, notes=[*notes, *notes_text(self.notes, lang)])  # type: ignore[arg-type]

    def plot(
        self,
        ax: Any = None,
        *,
        terms: Sequence[str] | None = None,
        outcome: str | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> Any:
        """Coefficient plot: estimate and CI of each term by model.

        With one term, models are the rows (the usual "same coefficient, different estimators"
        figure); with several, terms are the rows and models are offset markers with a legend.
        ``labels`` maps term and model names to display names.
        """
        import matplotlib.pyplot as plt

        labels = dict(labels or {})
        tab = self.table
        outcome = outcome if outcome is not None else str(tab["outcome"].iloc[0])
        tab = tab[(tab["outcome"] == outcome) & (tab["term"] != "Intercept")]
        if terms is not None:
            tab = tab[tab["term"].isin(terms)]
        term_order = list(dict.fromkeys(tab["term"]))
        models = list(dict.fromkeys(tab["model"]))
        if ax is None:
            n_rows = len(models) if len(term_order) == 1 else len(term_order) * max(len(models), 1) / 2
            _, ax = plt.subplots(figsize=(6, 0.8 + 0.45 * n_rows))
        if len(term_order) == 1:
            sub = tab.set_index("model").reindex(models)
            est = sub["estimate"].to_numpy(float)
            pos = np.arange(len(models))
            ax.errorbar(est, pos, xerr=[est - sub["ci_low"].to_numpy(float), sub["ci_high"].to_numpy(float) - est],
                        fmt="o", capsize=3)
            ax.set_yticks(pos)
            ax.set_yticklabels([labels.get(m, m) for m in models])
            ax.set_xlabel(f"{labels.get(term_order[0], term_order[0])} (95% CI)")
        else:
            step = 0.8 / max(len(models), 1)
            for m_i, model in enumerate(models):
                sub = tab[tab["model"] == model].set_index("term").reindex(term_order)
                pos = np.arange(len(term_order)) + (m_i - (len(models) - 1) / 2) * step
                est = sub["estimate"].to_numpy(float)
                ax.errorbar(
                    est, pos,
                    xerr=[est - sub["ci_low"].to_numpy(float), sub["ci_high"].to_numpy(float) - est],
                    fmt="o", capsize=3, label=labels.get(model, model),
                )
            ax.set_yticks(np.arange(len(term_order)))
            ax.set_yticklabels([labels.get(t, t) for t in term_order])
            ax.set_xlabel("estimate (95% CI)")
            ax.legend(frameon=False, fontsize="small")
        ax.axvline(0, color="grey", lw=0.8, ls="--")
        ax.invert_yaxis()
        return ax
