"""Covariate design matrices shared by the propensity model (:mod:`.causal`) and the Cox models
(:mod:`.survival`).

Categorical covariates are dummy-coded against their most frequent level (as in the churn logit,
so hazard ratios and odds ratios read against the same reference customer); dummy columns are
named ``column[level]``, the patsy/statsmodels spelling.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from bankcrm_research.retention.features import _duplicate_columns


def covariate_dummies(df: pd.DataFrame, covariates: Sequence[str], categorical: Sequence[str]) -> pd.DataFrame:
    """Numeric covariates as float plus ``column[level]`` dummies of the categorical ones.

    A covariate is categorical when listed in ``categorical`` or when it is neither numeric nor
    boolean; the reference level (dropped dummy) is its most frequent value.
    """
    X = df[list(covariates)].copy()
    cats = [c for c in covariates if c in set(categorical) or not (
        pd.api.types.is_numeric_dtype(X[c]) or pd.api.types.is_bool_dtype(X[c]))]
    for c in covariates:
        if c not in cats:
            X[c] = X[c].astype(float)
    if cats:
        for c in cats:
            order = X[c].astype("string").value_counts().index.tolist()
            X[c] = pd.Categorical(X[c].astype("string"), categories=order)
        X = pd.get_dummies(X, columns=cats, prefix_sep="[", drop_first=True, dtype=float)
        X.columns = [f"{c}]" if "[" in c else c for c in X.columns]
    return X


def drop_degenerate(X: pd.DataFrame) -> tuple[pd.DataFrame, list[str], list[str]]:
    """``X`` without constant columns and exact duplicates of an earlier column.

    Returns ``(X, constant, duplicates)`` so the caller decides whether dropping them is worth a
    warning (it is in a reported Cox model; the propensity model only needs a full-rank design).
    """
    constant = [c for c in X.columns if X[c].nunique() <= 1]
    X = X.drop(columns=constant)
    duplicates = _duplicate_columns(X)
    return X.drop(columns=duplicates), constant, duplicates
