"""Does what customers say predict what they do? Satisfaction → retention (and value).

For surveyed customers the satisfaction score (by default the mean of the CUSA items on the 1-7
scale; any other score, such as the ACSI-style 0-100 index of
:func:`bankcrm_research.satisfaction.index.index_scores`, can be passed as a column) is linked to
the customer record and used as a covariate, with controls, in

- a logistic regression of churn (statsmodels ``Logit``): odds ratio per scale point,
- a Cox proportional-hazards model of time to churn (lifelines ``CoxPHFitter``, Efron ties):
  hazard ratio per scale point,
- optionally an OLS regression of customer value (HC1 SEs),

plus the churn rate by satisfaction level (binned, Wilson CIs) for the plot.

The score is measured before the follow-up starts (survey before ``study_start`` in the bundled
data); if your survey falls inside the follow-up, restrict the data to customers still active at
the survey date and measure durations from it, or the estimate mixes cause and effect.

References
----------
Fornell, C., Johnson, M. D., Anderson, E. W., Cha, J. & Bryant, B. E. (1996). The American Customer
Satisfaction Index. *Journal of Marketing* 60(4), 7-18.
Gustafsson, A., Johnson, M. D. & Roos, I. (2005). The effects of customer satisfaction,
relationship commitment dimensions, and triggers on customer retention. *Journal of Marketing*
69(4), 210-218 (satisfaction in a hazard model of churn).
Cox, D. R. (1972). Regression models and life-tables. *JRSS B* 34(2), 187-220.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from bankcrm_research.common.intervals import wilson_interval
from bankcrm_research.data.validate import (
    DataWarning,
    require_columns,
    require_min_rows,
    require_not_constant,
    require_numeric,
    warn_dropped,
)

__all__ = [
    "CUSA_ITEMS",
    "satisfaction_score",
    "link_survey",
    "SatisfactionRetention",
    "SatisfactionRetentionResult",
]

CUSA_ITEMS: tuple[str, ...] = ("CUSA1", "CUSA2", "CUSA3")


def satisfaction_score(
    survey: pd.DataFrame,
    *,
    items: Sequence[str] = CUSA_ITEMS,
    min_items: int = 2,
    name: str = "cusa_score",
) -> pd.Series:
    """Mean of the satisfaction items per respondent (on the items' scale, e.g. 1-7).

    Respondents with fewer than ``min_items`` answered items get NA (counted in a
    :class:`DataWarning`). Reverse-coded items must already be reversed (the bundled survey
    stores them reversed, see ``data/CONTRACT.md``); the CUSA items have none.
    """
    require_columns(survey, list(items), table="survey", param="items")
    require_numeric(survey, list(items), table="survey")
    x = survey[list(items)].astype(float)
    n_ok = x.notna().sum(axis=1)
    score = x.mean(axis=1).where(n_ok >= min_items)
    n_bad = int(score.isna().sum())
    if n_bad:
        warnings.warn(f"survey: {n_bad} of {len(x)} respondents answered fewer than {min_items} of {list(items)}; "
                      f"their {name} is NA.", DataWarning, stacklevel=2)
    return score.rename(name)


def link_survey(
    survey: pd.DataFrame,
    customers: pd.DataFrame,
    *,
    score: pd.Series | str | None = None,
    customer_id: str = "customer_id",
    items: Sequence[str] = CUSA_ITEMS,
    name: str = "cusa_score",
) -> pd.DataFrame:
    """Attach the satisfaction score to the customer records of the respondents.

    Parameters
    ----------
    survey, customers : DataFrame
        Linked by ``customer_id``. Respondents missing from ``customers`` are dropped with a
        warning; a customer answering twice keeps the first answer (warning).
    score : Series, column name or None
        Satisfaction score per respondent; ``None`` = mean of ``items``.

    Returns
    -------
    DataFrame
        The customers' columns plus ``name`` (one row per linked respondent).
    """
    require_columns(survey, [customer_id], table="survey")
    require_columns(customers, [customer_id], table="customers")
    if score is None:
        s = satisfaction_score(survey, items=items, name=name)
    elif isinstance(score, str):
        require_columns(survey, [score], table="survey", param="score")
        s = survey[score].rename(name)
    else:
        s = pd.Series(np.asarray(score, float), index=survey.index, name=name)
    resp = pd.DataFrame({customer_id: survey[customer_id].astype(str).to_numpy(), name: s.to_numpy()})
    dup = resp[customer_id].duplicated()
    warn_dropped(int(dup.sum()), len(resp), "repeat answers of the same customer (kept the first)", table="survey")
    resp = resp.loc[~dup]
    cust = customers.assign(**{customer_id: customers[customer_id].astype(str)})
    if name in cust.columns:
        cust = cust.drop(columns=name)
    merged = resp.merge(cust, on=customer_id, how="inner")
    warn_dropped(len(resp) - len(merged), len(resp), "whose customer_id is not in customers", table="survey")
    return merged


@dataclass(frozen=True)
class SatisfactionRetentionResult:
    """Satisfaction → churn models (frozen).

    ``tidy()`` is the single source of numbers: one row per model and term, log-scale estimates
    (log odds ratio, log hazard ratio; raw coefficient for the value OLS) with SEs, Wald CIs and
    p-values, plus ``exp_*`` columns (odds/hazard ratios).
    """

    score: str
    table: pd.DataFrame
    binned: pd.DataFrame = field(repr=False)
    n: int
    n_events: int
    concordance: float
    ph_test: pd.DataFrame = field(repr=False)

    def tidy(self) -> pd.DataFrame:
        """``model, term, estimate, std_error, ci_low, ci_high, p_value, exp_*`` (one row per model and term)."""
        return self.table.copy()

    def summary(self) -> pd.DataFrame:
        """The score's row of each model (the same in sentences: :attr:`notes`)."""
        t = self.table
        return t[t["term"] == self.score].reset_index(drop=True)

    def effect(self, model: str = "cox") -> pd.Series:
        """The score's row for one model (``"logit"``, ``"cox"`` or ``"ols_value"``)."""
        t = self.table
        row = t[(t["model"] == model) & (t["term"] == self.score)]
        if row.empty:
            raise KeyError(f"no model {model!r} in the result; models: {sorted(t['model'].unique())}")
        return row.iloc[0]

    @property
    def notes(self) -> tuple[str, ...]:
        """One sentence per model for the score's effect, and the sample."""
        lines = []
        for m, what in [("logit", "odds"), ("cox", "hazard")]:
            r = self.effect(m)
            lines.append(
                f"{m}: {what} ratio per point of {self.score} = {r['exp_estimate']:.3f} "
                f"[{r['exp_ci_low']:.3f}, {r['exp_ci_high']:.3f}], p = {r['p_value']:.3g}"
            )
        if (self.table["model"] == "ols_value").any():
            r = self.effect("ols_value")
            lines.append(f"ols_value: {r['estimate']:.3g} per point [{r['ci_low']:.3g}, {r['ci_high']:.3g}]")
        lines.append(f"n = {self.n} surveyed customers, {self.n_events} churned; Cox concordance {self.concordance:.3f}")
        return tuple(lines)

    @property
    def notes_zh(self) -> tuple[str, ...]:
        """:attr:`notes` in simplified Chinese."""
        lines = []
        for m, what in [("logit", "Logit 模型：{score} 每提高一分的优势比"), ("cox", "Cox 模型：{score} 每提高一分的风险比")]:
            r = self.effect(m)
            lines.append(f"{what.format(score=self.score)} = {r['exp_estimate']:.3f} "
                         f"[{r['exp_ci_low']:.3f}, {r['exp_ci_high']:.3f}]，p = {r['p_value']:.3g}")
        if (self.table["model"] == "ols_value").any():
            r = self.effect("ols_value")
            lines.append(f"价值的 OLS 模型：每提高一分 {r['estimate']:.3g} [{r['ci_low']:.3g}, {r['ci_high']:.3g}]")
        lines.append(f"n = {self.n} 名参与问卷的客户，其中 {self.n_events} 人流失；Cox 一致性指数 {self.concordance:.3f}")
        return tuple(lines)

    def plot(self, ax=None):
        """Churn rate by satisfaction level (binned) with 95 % Wilson intervals."""
        import matplotlib.pyplot as plt

        from bankcrm_research.reporting import label

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        b = self.binned
        x = np.arange(len(b))
        ax.errorbar(x, b["churn_rate"], yerr=[b["churn_rate"] - b["ci_low"], b["ci_high"] - b["churn_rate"]],
                    fmt="o-", capsize=3)
        ax.set_xticks(x, b["score_bin"].astype(str), rotation=0)
        ax.set_xlabel(label("satisfaction_score_points") if self.score == "cusa_score" else self.score)
        ax.set_ylabel(label("churn_rate_observed"))
        for xi, n in zip(x, b["n"]):
            ax.annotate(f"n={n}", (xi, 0), xytext=(0, 2), textcoords="offset points", ha="center", fontsize=7)
        ax.set_ylim(bottom=0)
        return ax


class SatisfactionRetention:
    """Satisfaction score → churn (logit and Cox) with controls, and the binned churn curve.

    Parameters
    ----------
    alpha : float
        1 - confidence level of the Wald intervals.
    bins : sequence of float or None
        Bin edges of the score for the churn-rate plot; ``None`` = unit-wide bins centred on the
        scale points (``[1, 1.5), [1.5, 2.5), ...``) merged so each has at least ``min_bin`` customers.
    min_bin : int

    Notes
    -----
    Cox model: :math:`h_i(t) = h_0(t)\\exp(\\beta_s s_i + x_i'\\gamma)`; :math:`\\exp(\\beta_s)` is the
    hazard ratio per scale point of the score. Logit: :math:`\\operatorname{logit} P(\\text{churn}_i)
    = \\alpha + \\theta_s s_i + x_i'\\delta`, ignoring when churn happened. Proportional hazards are
    checked with lifelines' Schoenfeld-residual test (``ph_test``).
    """

    def __init__(self, *, alpha: float = 0.05, bins: Sequence[float] | None = None, min_bin: int = 30) -> None:
        self.alpha = alpha
        self.bins = bins
        self.min_bin = min_bin

    def fit(
        self,
        data: pd.DataFrame,
        *,
        score: str = "cusa_score",
        event: str = "churned",
        duration: str = "duration_months",
        controls: Sequence[str] = ("tenure_months", "n_products", "digital_share", "complaints_12m"),
        categorical: Sequence[str] = ("value_tier",),
        value: str | None = None,
    ) -> SatisfactionRetentionResult:
        """Fit logit and Cox (and OLS of ``value`` if given) on linked survey-customer data."""
        import statsmodels.api as sm
        from lifelines import CoxPHFitter
        from lifelines.statistics import proportional_hazard_test

        cols = [score, event, duration, *controls, *categorical] + ([value] if value else [])
        require_columns(data, cols, table="data", param="columns")
        require_numeric(data, [score, duration, *controls] + ([value] if value else []), table="data")
        df = data[cols].copy()
        miss = df.isna().any(axis=1)
        warn_dropped(int(miss.sum()), len(df), f"with missing values in {cols}", table="data")
        df = df.loc[~miss]
        require_min_rows(df, 50, table="data", what="the satisfaction-retention models")
        require_not_constant(df, [score, *controls], table="data")
        ev = df[event].astype(bool).astype(int)
        if ev.sum() < 10 or ev.sum() > len(ev) - 10:
            raise ValueError(f"data: '{event}' has {int(ev.sum())} events in {len(ev)} rows; logit and Cox need at "
                             f"least 10 events and 10 non-events.")
        if (df[duration] <= 0).any():
            n0 = int((df[duration] <= 0).sum())
            raise ValueError(f"data: {n0} rows have '{duration}' <= 0; durations must be positive (time to churn "
                             f"or censoring).")
        dummies = []
        for c in categorical:
            # reference level = the most frequent one (e.g. 'mass'), so each dummy reads "vs the bulk"
            ref = df[c].astype(str).value_counts().index[0]
            d = pd.get_dummies(df[c].astype(str), prefix=c, dtype=float)
            dummies.append(d.drop(columns=f"{c}_{ref}"))
        X = pd.concat([df[[score, *controls]].astype(float), *dummies], axis=1)
        X = X.loc[:, X.std() > 0]
        z = stats.norm.ppf(1 - self.alpha / 2)
        rows = []

        logit = sm.Logit(ev.to_numpy(), sm.add_constant(X)).fit(disp=0, maxiter=200)
        if not logit.mle_retvals.get("converged", True):
            warnings.warn("satisfaction logit did not converge; check separation.", DataWarning, stacklevel=2)
        for term in X.columns:
            rows.append(self._row("logit", term, logit.params[term], logit.bse[term], logit.pvalues[term], z,
                                  len(df), int(ev.sum())))

        cph = CoxPHFitter(alpha=self.alpha)
        cox_df = X.assign(_T=df[duration].astype(float).to_numpy(), _E=ev.to_numpy())
        cph.fit(cox_df, duration_col="_T", event_col="_E")
        s = cph.summary
        for term in X.columns:
            rows.append(self._row("cox", term, s.loc[term, "coef"], s.loc[term, "se(coef)"], s.loc[term, "p"], z,
                                  len(df), int(ev.sum())))
        try:
            ph = proportional_hazard_test(cph, cox_df, time_transform="rank").summary.reset_index(names="term")
        except Exception as exc:  # diagnostics must not stop the analysis
            warnings.warn(f"proportional-hazards test failed: {exc}", DataWarning, stacklevel=2)
            ph = pd.DataFrame(columns=["term", "test_statistic", "p"])

        if value is not None:
            ols = sm.OLS(df[value].astype(float).to_numpy(), sm.add_constant(X)).fit(cov_type="HC1")
            for term in X.columns:
                rows.append(self._row("ols_value", term, ols.params[term], ols.bse[term], ols.pvalues[term], z,
                                      len(df), int(ev.sum()), ratio=False))

        return SatisfactionRetentionResult(
            score=score,
            table=pd.DataFrame(rows),
            binned=self._binned(df[score].astype(float), ev),
            n=len(df),
            n_events=int(ev.sum()),
            concordance=float(cph.concordance_index_),
            ph_test=ph,
        )

    @staticmethod
    def _row(model, term, est, se, p, z, n, n_events, ratio: bool = True) -> dict:
        est, se = float(est), float(se)
        lo, hi = est - z * se, est + z * se
        # exp() is an odds/hazard ratio only for the log-scale models
        ex = (np.exp(est), np.exp(lo), np.exp(hi)) if ratio else (np.nan, np.nan, np.nan)
        return {
            "model": model, "term": term, "estimate": est, "std_error": se, "ci_low": lo, "ci_high": hi,
            "p_value": float(p), "exp_estimate": ex[0], "exp_ci_low": ex[1], "exp_ci_high": ex[2],
            "n": n, "n_events": n_events,
        }

    def _binned(self, s: pd.Series, ev: pd.Series) -> pd.DataFrame:
        if self.bins is not None:
            edges = np.asarray(self.bins, float)
        else:
            lo, hi = np.floor(s.min()), np.ceil(s.max())
            edges = np.concatenate([[lo], np.arange(lo + 0.5, hi, 1.0), [hi + 1e-9]])
            # merge sparse bins from the ends inwards so every plotted rate rests on >= min_bin customers
            counts = np.histogram(s, bins=edges)[0]
            while len(counts) > 2 and counts.min() < self.min_bin:
                i = int(np.argmin(counts))
                j = i + 1 if i == 0 or (i < len(counts) - 1 and counts[i + 1] < counts[i - 1]) else i - 1
                edges = np.delete(edges, max(i, j))
                counts = np.histogram(s, bins=edges)[0]
        cat = pd.cut(s, edges, right=False, include_lowest=True)
        g = pd.DataFrame({"bin": cat, "e": ev.to_numpy()}).groupby("bin", observed=True)["e"]
        out = pd.DataFrame({"n": g.size(), "n_events": g.sum()})
        out["churn_rate"] = out["n_events"] / out["n"]
        out["ci_low"], out["ci_high"] = wilson_interval(out["n_events"], out["n"], self.alpha)
        out = out.reset_index()
        # the top edge is nudged above the maximum so it is included: show that bin as closed
        last = len(out) - 1
        out.insert(0, "score_bin", [f"[{iv.left:.1f}, {iv.right:.1f}{']' if i == last and self.bins is None else ')'}"
                                    for i, iv in enumerate(out["bin"])])
        out["score_mean"] = s.groupby(cat, observed=True).mean().to_numpy()
        return out.drop(columns="bin")
