"""Honest validation of churn models: leakage audit, out-of-time split as headline, stratified CV.

:func:`leakage_audit` flags columns named in ``leaky_columns`` and any column whose AUC alone exceeds
a threshold. :func:`validate_models` makes the out-of-time split the headline when a date column (or
rows in time order) exists and reports stratified k-fold CV as secondary, with the fold spread.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from bankcrm_research.data.validate import (
    DataWarning,
    require_columns,
    require_dataframe,
    require_positive_int,
    require_probability,
)
from bankcrm_research.retention import metrics as M
from bankcrm_research.retention._labels import text
from bankcrm_research.retention.features import FeaturePrep, _drop_missing_target, encode_target, prepare_features
from bankcrm_research.retention.models import ChurnBoosting, ChurnLogit

__all__ = ["leakage_audit", "validate_models", "ValidationResult"]


def leakage_audit(
    data: pd.DataFrame,
    *,
    target: str,
    features: Sequence[str] | None = None,
    leaky_columns: Sequence[str] = (),
    id_column: str | None = None,
    positive_class: Any = None,
    threshold: float = 0.9,
    n_bins: int = 20,
    seed: int = 0,
) -> pd.DataFrame:
    """Flag columns that leak the outcome: declared leaky, or too predictive on their own.

    Parameters
    ----------
    leaky_columns : sequence of str
        Columns known only after the outcome (e.g. call ``duration``, ``churn_date``).
    threshold : float
        A column whose single-column AUC exceeds this is flagged (default 0.9: no honest single
        CRM attribute predicts churn that well).

    Returns
    -------
    DataFrame
        ``column, single_auc, declared_leaky, flagged, reason`` sorted by ``single_auc``.

    Notes
    -----
    Single-column AUC is direction-free, ``max(AUC, 1 − AUC)``, taking the better of the raw value
    (numeric columns, missing as its own lowest value) and a 5-fold out-of-fold target-mean
    encoding of ``n_bins`` quantile bins or categorical levels (so non-monotone leaks are caught and
    high-cardinality columns are not rewarded for memorising rows).
    """
    from sklearn.model_selection import StratifiedKFold

    require_dataframe(data)
    require_columns(data, [target, *leaky_columns, *(features or [])])
    require_probability(threshold, param="threshold")
    data = _drop_missing_target(data, target, "customers")
    y, _ = encode_target(data[target], positive_class=positive_class)
    y = y.to_numpy()
    if features is None:
        features = [c for c in data.columns if c not in {target, id_column}]
    folds = list(StratifiedKFold(5, shuffle=True, random_state=seed).split(np.zeros(len(y)), y))
    rows = []
    for col in features:
        s = data[col]
        if s.isna().all() or s.nunique(dropna=True) <= 1:
            rows.append({"column": col, "single_auc": 0.5})
            continue
        aucs = []
        if pd.api.types.is_datetime64_any_dtype(s):
            s = pd.Series(s.astype("int64").where(s.notna()), index=s.index, dtype=float)
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            x = s.astype(float).to_numpy()
            x = np.where(np.isnan(x), np.nanmin(x) - 1, x)
            a = M.roc_auc(y, x)
            aucs.append(max(a, 1 - a))
            try:
                key = pd.qcut(s.astype(float), n_bins, duplicates="drop").astype("string").fillna("__missing__")
            except ValueError:
                key = s.astype("string").fillna("__missing__")
        else:
            key = s.astype("string").fillna("__missing__")
        key = key.to_numpy()
        enc = np.full(len(y), y.mean())
        for tr, te in folds:
            means = pd.Series(y[tr]).groupby(key[tr]).mean()
            enc[te] = pd.Series(key[te]).map(means).fillna(y[tr].mean()).to_numpy()
        a = M.roc_auc(y, enc)
        aucs.append(max(a, 1 - a))
        rows.append({"column": col, "single_auc": float(max(aucs))})
    out = pd.DataFrame(rows)
    out["declared_leaky"] = out["column"].isin(list(leaky_columns))
    out["flagged"] = out["declared_leaky"] | (out["single_auc"] > threshold)
    out["reason"] = np.select(
        [out["declared_leaky"] & (out["single_auc"] > threshold), out["declared_leaky"], out["single_auc"] > threshold],
        ["declared leaky; AUC alone above threshold", "declared leaky", f"AUC alone above {threshold}"],
        default="",
    )
    return out.sort_values("single_auc", ascending=False, ignore_index=True)


# ------------------------------------------------------------------------------------- validation
@dataclass(frozen=True)
class ValidationResult:
    """Honest validation of churn models.

    ``tidy()`` has one row per model × validation scheme (fold-level rows in ``folds``), with the
    headline scheme first: out-of-time when a date (or row time order) exists, else stratified CV.
    """

    metrics: pd.DataFrame
    folds: pd.DataFrame
    holdout_predictions: pd.DataFrame
    headline: str
    notes: tuple[str, ...]
    fitted: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    notes_zh: tuple[str, ...] = field(default=(), repr=False, compare=False)  # :attr:`notes` in Chinese
    train_index: Any = field(default=None, repr=False, compare=False)
    test_index: Any = field(default=None, repr=False, compare=False)

    def tidy(self) -> pd.DataFrame:
        """``model, validation, auc, pr_auc, brier, top_decile_lift, alift, base_rate`` plus spread columns."""
        return self.metrics.copy()

    def summary(self) -> pd.DataFrame:
        """The metrics table of :meth:`tidy` (how each scheme split the rows is in :attr:`notes`)."""
        return self.metrics.copy()

    def plot(self, ax: Any = None) -> Any:
        """Calibration (reliability) curves of the headline holdout predictions."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 5))
        hp = self.holdout_predictions
        for model, g in hp.groupby("model"):
            cal = M.calibration_table(g["y"], g["prob"], n_bins=10)
            ax.plot(cal["mean_predicted"], cal["observed_rate"], marker="o", label=text(str(model)))
        lim = max(hp["prob"].max(), hp["y"].mean() * 2, 0.05)
        ax.plot([0, lim], [0, lim], color="grey", ls="--", lw=1)
        ax.set_xlabel(text("mean_predicted"))
        ax.set_ylabel(text("observed_rate"))
        ax.set_title(f"{text('calibration')} · {text(self.headline)}")
        ax.legend()
        return ax


def _default_models(seed: int) -> dict[str, Any]:
    return {"logit": ChurnLogit(), "boosting": ChurnBoosting(seed=seed)}


def _model(spec: Any) -> Any:
    """A model settings object, or the result of calling a factory; settings objects keep no fit state."""
    if isinstance(spec, type) or not hasattr(spec, "fit"):
        return spec()  # a class or a factory
    return spec


def _fit_on(model: Any, rows: pd.DataFrame, split: Any, preps: dict[tuple[Any, int], FeaturePrep],
            kw: Mapping[str, Any]) -> Any:
    """Fit ``model`` on ``rows`` (the training rows of ``split``).

    The feature preparation depends only on the rows and ``min_level_count``, so our two models
    learn it once per split and share it (``preps`` caches it) instead of each re-learning it on
    every fold; other models are fitted as given.
    """
    if not isinstance(model, (ChurnLogit, ChurnBoosting)):
        return model.fit(rows, **kw)
    key = (split, model.min_level_count)
    if key not in preps:
        preps[key] = prepare_features(rows, min_level_count=model.min_level_count, **kw)
    return model.fit(rows, prep=preps[key], **kw)


def validate_models(
    data: pd.DataFrame,
    *,
    target: str,
    features: Sequence[str] | None = None,
    categorical_columns: Sequence[str] | None = None,
    id_column: str | None = None,
    date_column: str | None = None,
    rows_in_time_order: bool = False,
    leaky_columns: Sequence[str] = (),
    positive_class: Any = None,
    models: Mapping[str, Any] | None = None,
    cv_folds: int = 5,
    test_fraction: float = 0.2,
    horizon_months: float | None = None,
    schemes: Sequence[Literal["out_of_time", "cv"]] = ("out_of_time", "cv"),
    seed: int = 0,
) -> ValidationResult:
    """Validate churn models out of time (headline) and by stratified k-fold CV (secondary).

    Parameters
    ----------
    date_column : str, optional
        When the score date is known, the latest ``test_fraction`` of rows (by date) form the test
        set and the model is fitted on earlier rows only: the honest analogue of deployment.
    rows_in_time_order : bool
        Use the row order as time when there is no date column (e.g. UCI Bank Marketing, which is
        stored in date order May 2008 – Nov 2010).
    horizon_months : float, optional
        Outcome window length: training rows whose window (date + horizon) reaches past the test
        cutoff are dropped, so no training label uses information from the test period.
    leaky_columns : sequence of str
        Never used as features.
    models : mapping name -> model, optional
        Model settings objects (anything with ``fit(data, target=..., ...)`` returning a result with
        ``predict_proba``) or zero-argument factories of them. Default
        ``{"logit": ChurnLogit(), "boosting": ChurnBoosting(seed=seed)}``.
    cv_folds : int
        Folds of the stratified CV (shuffled with ``seed``).

    Returns
    -------
    ValidationResult
        Metrics per model and scheme; CV rows carry ``auc_sd, auc_min, auc_max`` across folds.
        ``fitted`` holds the models fitted on the headline training rows (for CV: the last fold) and
        ``train_index``/``test_index`` the labels of those rows in ``data``, for drivers and profit
        curves on the same held-out rows.
    """
    from sklearn.model_selection import StratifiedKFold

    require_dataframe(data)
    require_columns(data, [target, id_column, date_column, *leaky_columns, *(features or [])])
    require_positive_int(cv_folds, param="cv_folds", minimum=2)
    require_probability(test_fraction, param="test_fraction")
    data = _drop_missing_target(data, target, "customers")
    labels = data.index  # splits below are positional; no reset_index copy (1M rows: ~0.25 GiB)
    encode_target(data[target], positive_class=positive_class)  # one-class / ambiguity errors up front
    models = dict(models or _default_models(seed))
    exclude = [*leaky_columns] + ([date_column] if date_column else [])
    kw = dict(target=target, features=features, categorical_columns=categorical_columns, id_column=id_column,
              exclude=exclude, positive_class=positive_class)
    metric_rows, fold_rows, preds = [], [], []
    fitted: dict[str, Any] = {}
    split: dict[str, Any] = {}
    preps: dict[tuple[Any, int], FeaturePrep] = {}
    has_time = date_column is not None or rows_in_time_order
    note_parts, zh_parts = [], []
    with warnings.catch_warnings():
        # preparation warnings (rare levels etc.) repeat per fold; they are raised once on the full data
        warnings.simplefilter("ignore", DataWarning)
        if "out_of_time" in schemes and has_time:
            if date_column is not None:
                dates = pd.to_datetime(data[date_column])
                if dates.isna().any():
                    raise ValueError(f"date column '{date_column}' has {int(dates.isna().sum())} missing dates.")
                cutoff = dates.quantile(1 - test_fraction)
                test = dates >= cutoff
                train = ~test
                if horizon_months is not None:
                    train &= dates + pd.DateOffset(months=int(horizon_months)) <= cutoff
                desc = f"out-of-time: train on {date_column} < {cutoff.date()}, test on the latest {test_fraction:.0%}"
                desc_zh = f"跨时间验证：以 {date_column} < {cutoff.date()} 的样本训练，在最新的 {test_fraction:.0%} 上检验"
            else:
                pos = np.arange(len(data))
                test = pd.Series(pos >= int(round(len(data) * (1 - test_fraction))))
                train = ~test
                desc = f"out-of-time: row order as time, train on the first {1 - test_fraction:.0%}, test on the rest"
                desc_zh = f"跨时间验证：以行顺序为时间，用前 {1 - test_fraction:.0%} 训练，在其余样本上检验"
            tr, te = data[train.to_numpy()], data[test.to_numpy()]
            note_parts.append(desc + f" (n_train = {len(tr)}, n_test = {len(te)})")
            zh_parts.append(desc_zh + f"（训练 {len(tr)} 行，检验 {len(te)} 行）")
            split = {"train": labels[train.to_numpy()], "test": labels[test.to_numpy()]}
            for name, factory in models.items():
                res = _fit_on(_model(factory), tr, "out_of_time", preps, kw)
                fitted[name] = res
                p = res.predict_proba(te)
                yt = res.prep.target_array(te)
                m = M.classification_metrics(yt, p)
                metric_rows.append({"model": name, "validation": "out_of_time", **m, "n_train": len(tr),
                                    "n_test": len(te)})
                preds.append(pd.DataFrame({"model": name, "validation": "out_of_time", "y": yt, "prob": p}))
        if "cv" in schemes:
            yall, _ = encode_target(data[target], positive_class=positive_class)
            skf = StratifiedKFold(cv_folds, shuffle=True, random_state=seed)
            for name, factory in models.items():
                fm = []
                oof = np.full(len(data), np.nan)
                for k, (tr_i, te_i) in enumerate(skf.split(np.zeros(len(data)), yall)):
                    tr, te = data.iloc[tr_i], data.iloc[te_i]
                    res = _fit_on(_model(factory), tr, ("cv", k), preps, kw)
                    p = res.predict_proba(te)
                    oof[te_i] = p
                    if not has_time and k == cv_folds - 1:
                        fitted[name] = res
                        split = {"train": labels[tr_i], "test": labels[te_i]}
                    m = M.classification_metrics(res.prep.target_array(te), p)
                    fm.append(m)
                    fold_rows.append({"model": name, "validation": f"cv{cv_folds}", "fold": k + 1, **m})
                fm_df = pd.DataFrame(fm)
                row = {"model": name, "validation": f"cv{cv_folds}", **fm_df.mean().to_dict(),
                       "n_train": int(len(data) * (cv_folds - 1) / cv_folds), "n_test": int(len(data) / cv_folds),
                       "auc_sd": float(fm_df["auc"].std(ddof=1)), "auc_min": float(fm_df["auc"].min()),
                       "auc_max": float(fm_df["auc"].max())}
                metric_rows.append(row)
                if not has_time:
                    preds.append(pd.DataFrame({"model": name, "validation": f"cv{cv_folds}",
                                               "y": yall.to_numpy(), "prob": oof}))
            note_parts.append(f"stratified {cv_folds}-fold CV (shuffled, seed {seed}): mean over folds, "
                              f"auc_sd/min/max = fold spread")
            zh_parts.append(f"分层 {cv_folds} 折交叉验证（随机打乱，种子 {seed}）：各折均值，auc_sd/min/max 为各折离散程度")
    if not metric_rows:
        raise ValueError("no validation scheme ran; pass schemes=('cv',) or a date_column for 'out_of_time'.")
    headline = "out_of_time" if has_time and "out_of_time" in schemes else f"cv{cv_folds}"
    if not has_time:
        note_parts.append("no date column: out-of-time validation not possible, CV is the headline "
                          "(optimistic if the data are dated)")
        zh_parts.append("没有日期列：无法做跨时间验证，以交叉验证为主要结果（若数据有时间先后则偏乐观）")
    metrics = pd.DataFrame(metric_rows)
    cols = ["model", "validation", *M.METRIC_COLUMNS]
    metrics = metrics[cols + [c for c in metrics.columns if c not in cols]]
    metrics["headline"] = metrics["validation"] == headline
    metrics = metrics.sort_values(["headline", "validation", "model"], ascending=[False, True, True],
                                  ignore_index=True)
    folds = pd.DataFrame(fold_rows)
    hp = pd.concat(preds, ignore_index=True) if preds else pd.DataFrame(columns=["model", "validation", "y", "prob"])
    return ValidationResult(metrics=metrics, folds=folds, holdout_predictions=hp, headline=headline,
                            notes=tuple(note_parts), notes_zh=tuple(zh_parts), fitted=fitted, train_index=split.get("train"),
                            test_index=split.get("test"))
