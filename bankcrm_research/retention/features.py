"""Churn feature preparation with guard rails, learned on training rows and applied unchanged later.

:func:`encode_target` maps a binary target to 0/1 with a stated positive class ('yes'/'no',
'true'/'false', 1/0, booleans) and refuses a one-class target. :func:`prepare_features` learns a
:class:`FeaturePrep`: id columns are refused as features, all-missing and constant columns are
dropped with a warning naming them, rare categorical levels are merged into ``__other__`` (or into
the reference level when still rare), exact duplicate design columns are dropped with a warning
naming them (a category seen in 3 rows plus two identical dummies made a statsmodels logit run 50 s
without converging). The models in :mod:`~bankcrm_research.retention.models` and the validation in
:mod:`~bankcrm_research.retention.validation` share one preparation per training split.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from bankcrm_research.data.validate import (
    DataWarning,
    require_columns,
    require_dataframe,
    require_positive_int,
    warn_dropped,
)

__all__ = ["encode_target", "FeaturePrep", "prepare_features"]

_POSITIVE_WORDS = {"yes", "y", "true", "t", "1", "churn", "churned", "positive", "pos"}
_NEGATIVE_WORDS = {"no", "n", "false", "f", "0", "stay", "stayed", "retained", "negative", "neg"}
def encode_target(y: pd.Series, *, positive_class: Any = None, name: str | None = None,
                  lang: str = "en") -> tuple[pd.Series, str]:
    """Map a binary target to 0/1 and say which value is the positive class.

    Parameters
    ----------
    y : Series
        Booleans, 0/1 numbers or two string labels. Missing values must be removed first.
    positive_class : optional
        The value counted as 1. Needed for strings other than yes/no, true/false, churn/stay.
    lang : {"en", "zh"}, default "en"
        Language of the sentence.

    Returns
    -------
    (Series of int, str)
        The 0/1 target and a sentence stating the mapping.

    Raises
    ------
    ValueError
        One class only, more than two classes, or strings whose positive class is ambiguous.
    """
    name = name or str(y.name)
    values = pd.unique(y.dropna())
    if len(values) < 2:
        raise ValueError(
            f"target '{name}' has only one class ({values[0]!r} in all {len(y)} rows); a churn model needs "
            f"both churners and non-churners. Check the target column or use a longer observation window."
            if len(values) == 1
            else f"target '{name}' is entirely missing."
        )
    if len(values) > 2:
        raise ValueError(
            f"target '{name}' must be binary; found {len(values)} values, e.g. {list(values)[:5]!r}. "
            f"Recode it to two classes."
        )
    if positive_class is not None:
        if positive_class not in set(values):
            raise ValueError(
                f"The 'positive_class' parameter must be one of the target's values {list(values)!r}. "
                f"Got {positive_class!r} instead."
            )
        pos = positive_class
    elif pd.api.types.is_bool_dtype(y) or set(values) <= {0, 1, True, False}:
        pos = True if pd.api.types.is_bool_dtype(y) else 1
    else:
        words = {str(v).strip().lower(): v for v in values}
        pos_hits = [v for w, v in words.items() if w in _POSITIVE_WORDS]
        neg_hits = [v for w, v in words.items() if w in _NEGATIVE_WORDS]
        if len(pos_hits) == 1 and len(neg_hits) == 1:
            pos = pos_hits[0]
        else:
            raise ValueError(
                f"target '{name}' holds the labels {list(values)!r}; which one is the event? "
                f"Pass positive_class=... (e.g. positive_class={values[0]!r})."
            )
    encoded = (y == pos).astype(int)
    neg = [v for v in values if v != pos][0]
    # numpy scalars print as np.False_; show plain Python values in the note
    pos, neg = (v.item() if hasattr(v, "item") else v for v in (pos, neg))
    if lang == "zh":
        return encoded, f"目标变量 '{name}'：{pos!r} → 1（正类），{neg!r} → 0"
    return encoded, f"target '{name}': {pos!r} -> 1 (positive class), {neg!r} -> 0"


@dataclass(frozen=True)
class FeaturePrep:
    """Feature preparation learned on training rows and applied unchanged to any later rows.

    Build it with :func:`prepare_features`. ``design(df)`` gives the logit design (dummies, median
    imputation plus ``<col>_missing`` indicators, no constant); ``hgb_frame(df)`` gives the boosting
    frame (categoricals as pandas ``category`` with the training levels, NaN kept).
    """

    target: str
    target_note: str
    positive_class: Any
    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    levels: Mapping[str, tuple[str, ...]]
    reference: Mapping[str, str]
    merged_levels: Mapping[str, tuple[str, ...]]
    medians: Mapping[str, float]
    missing_indicators: tuple[str, ...]
    dropped_columns: Mapping[str, str]
    design_columns: tuple[str, ...]
    target_note_zh: str = ""  # :attr:`target_note` in Chinese

    @property
    def features(self) -> list[str]:
        """Input columns used (after dropping)."""
        return list(self.numeric) + list(self.categorical)

    def target_array(self, df: pd.DataFrame) -> np.ndarray:
        """0/1 target of ``df`` with the training mapping."""
        y = df[self.target]
        if self.positive_class is True:
            return y.astype(bool).to_numpy().astype(int)
        return (y == self.positive_class).to_numpy().astype(int)

    def _categorical_codes(self, df: pd.DataFrame, col: str) -> pd.Series:
        s = df[col].astype("string")
        merged = set(self.merged_levels.get(col, ()))
        if merged:
            s = s.where(~s.isin(merged), "__other__" if "__other__" in self.levels[col] else self.reference[col])
        return s

    def iter_design(self, df: pd.DataFrame) -> Any:
        """Yield ``(name, column)`` of every candidate design column, one at a time (low memory)."""
        for col in self.numeric:
            x = pd.to_numeric(df[col], errors="coerce").astype(float)
            if col in self.missing_indicators:
                yield f"{col}_missing", x.isna().to_numpy(dtype=float)
            yield col, x.fillna(self.medians[col]).to_numpy()
        for col in self.categorical:
            s = self._categorical_codes(df, col)
            for level in self.levels[col]:
                if level == self.reference[col]:
                    continue
                yield f"{col}[{level}]", (s == level).fillna(False).to_numpy(dtype=float)

    def design(self, df: pd.DataFrame, *, add_constant: bool = True) -> pd.DataFrame:
        """Logit design matrix (float), columns in ``design_columns`` order."""
        keep = set(self.design_columns)
        parts = {name: v for name, v in self.iter_design(df) if name in keep}
        X = pd.DataFrame(parts, index=df.index)
        X = X[[c for c in self.design_columns if c != "const"]]
        if add_constant:
            X.insert(0, "const", 1.0)
        return X

    def hgb_frame(self, df: pd.DataFrame) -> pd.DataFrame:
        """Boosting input: numerics as float (NaN kept), categoricals as ``category`` with training levels."""
        cols: dict[str, Any] = {}  # one DataFrame construction: column-by-column inserts copied 1M-row blocks
        for col in self.numeric:
            cols[col] = pd.to_numeric(df[col], errors="coerce").astype(float).to_numpy()
        for col in self.categorical:
            s = self._categorical_codes(df, col)
            cols[col] = pd.Categorical(s, categories=list(self.levels[col]))
        return pd.DataFrame(cols, index=df.index)


def _looks_like_id(s: pd.Series) -> bool:
    n = s.notna().sum()
    if n < 20:
        return False
    if pd.api.types.is_float_dtype(s) or pd.api.types.is_bool_dtype(s):
        return False
    return s.nunique(dropna=True) == n


def prepare_features(
    df: pd.DataFrame,
    *,
    target: str,
    features: Sequence[str] | None = None,
    categorical_columns: Sequence[str] | None = None,
    id_column: str | None = None,
    exclude: Sequence[str] = (),
    positive_class: Any = None,
    min_level_count: int = 30,
    table: str = "customers",
) -> FeaturePrep:
    """Learn the feature preparation (with guard rails) on training rows.

    Parameters
    ----------
    df : DataFrame
        Training rows.
    target : str
        Binary target column (see :func:`encode_target`).
    features : sequence of str, optional
        Feature columns; default all columns except target, ``id_column`` and ``exclude``
        (datetime columns are skipped from the default with a note).
    categorical_columns : sequence of str, optional
        Columns treated as categorical; default: non-numeric columns among the features.
    id_column : str, optional
        The customer key; refused as a feature.
    exclude : sequence of str
        Columns never used (e.g. ``leaky_columns``, the date column).
    min_level_count : int
        Levels seen in fewer training rows are merged into ``__other__`` (into the reference level
        when ``__other__`` itself would be rarer than this).

    Raises
    ------
    ValueError
        Id column among the features, one-class target, no usable features.
    """
    require_dataframe(df, param=table)
    require_columns(df, [target, id_column, *(features or []), *(categorical_columns or [])], table=table)
    require_positive_int(min_level_count, param="min_level_count")
    if df[target].isna().any():
        raise ValueError(
            f"target '{target}' has {int(df[target].isna().sum())} missing values; drop those rows first "
            f"(the analysis functions do this with a warning)."
        )
    y01, note = encode_target(df[target], positive_class=positive_class)
    note_zh = encode_target(df[target], positive_class=positive_class, lang="zh")[1]
    pos = positive_class
    if pos is None:
        pos = True if pd.api.types.is_bool_dtype(df[target]) else df[target][y01 == 1].iloc[0]
    excluded = {target, id_column, *exclude} - {None}
    dropped: dict[str, str] = {}
    if features is None:
        features = []
        for c in df.columns:
            if c in excluded:
                continue
            if pd.api.types.is_datetime64_any_dtype(df[c]):
                dropped[c] = "date column (derive numeric features such as months since the date)"
                continue
            features.append(c)
    else:
        features = list(features)
        if id_column is not None and id_column in features:
            raise ValueError(
                f"id column '{id_column}' is listed among the features; an id identifies rows, it does not "
                f"predict churn (and memorises them). Remove it from 'features'."
            )
        overlap = [c for c in features if c in excluded]
        if overlap:
            raise ValueError(
                f"features {overlap} are also the target, the id or excluded (leaky) columns; remove them from 'features'."
            )
    id_like = [c for c in features if (not pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_integer_dtype(df[c]))
               and _looks_like_id(df[c]) and not pd.api.types.is_bool_dtype(df[c])]
    id_like = [c for c in id_like if not pd.api.types.is_integer_dtype(df[c]) or str(c).lower().endswith("id")]
    if id_like:
        raise ValueError(
            f"column{'s' if len(id_like) > 1 else ''} {id_like} look{'s' if len(id_like) == 1 else ''} like an id "
            f"(one distinct value per row); ids are refused as features. Pass id_column=... or drop "
            f"{'them' if len(id_like) > 1 else 'it'} from 'features'."
        )
    cat_given = set(categorical_columns or [])
    numeric, categorical = [], []
    for c in features:
        s = df[c]
        if s.isna().all():
            dropped[c] = "entirely missing"
            continue
        if s.nunique(dropna=True) <= 1 and not s.isna().any():
            dropped[c] = "constant"
            continue
        if pd.api.types.is_datetime64_any_dtype(s):
            raise TypeError(
                f"feature '{c}' is a date; models need numbers. Derive e.g. months since '{c}' and pass that instead."
            )
        if c in cat_given or not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
            categorical.append(c)
        else:
            numeric.append(c)
    if not numeric and not categorical:
        raise ValueError(f"no usable features remain for target '{target}' (dropped: {dropped}).")
    medians = {c: float(pd.to_numeric(df[c], errors="coerce").median()) for c in numeric}
    miss_ind = tuple(c for c in numeric if df[c].isna().any())
    levels: dict[str, tuple[str, ...]] = {}
    reference: dict[str, str] = {}
    merged: dict[str, tuple[str, ...]] = {}
    for c in categorical:
        s = df[c].astype("string").fillna("__missing__")
        counts = s.value_counts()
        rare = tuple(str(v) for v in counts.index[counts < min_level_count])
        keep = [str(v) for v in counts.index[counts >= min_level_count]]
        if not keep:
            dropped[c] = f"every level seen in fewer than {min_level_count} rows"
            continue
        ref = keep[0]  # most frequent level as reference: stable, well-estimated contrasts
        if rare:
            if int(counts[list(rare)].sum()) >= min_level_count:
                keep.append("__other__")
                where = "'__other__'"
            else:
                where = f"the reference level '{ref}'"
            warnings.warn(
                f"{table}.{c}: {len(rare)} rare level{'s' if len(rare) > 1 else ''} (< {min_level_count} rows) "
                f"merged into {where}: {list(rare)[:10]}",
                DataWarning,
                stacklevel=2,
            )
            merged[c] = rare
        if len(keep) < 2:
            dropped[c] = f"only one level with at least {min_level_count} rows"
            continue
        levels[c] = tuple(sorted(keep, key=lambda v: -int(counts.get(v, 0)) if v != "__other__" else 0))
        reference[c] = ref
    categorical = [c for c in categorical if c in levels]
    if dropped:
        warnings.warn(
            f"{table}: feature column{'s' if len(dropped) > 1 else ''} dropped: "
            + "; ".join(f"'{c}' ({why})" for c, why in dropped.items()),
            DataWarning,
            stacklevel=2,
        )
    # Build a provisional design, then drop exact duplicate and constant design columns.
    prep = FeaturePrep(
        target=target, target_note=note, positive_class=pos, numeric=tuple(numeric), categorical=tuple(categorical),
        levels=levels, reference=reference, merged_levels=merged, medians=medians, missing_indicators=miss_ind,
        dropped_columns=dropped, design_columns=(), target_note_zh=note_zh,
    )
    names = []
    for c in numeric:
        if c in miss_ind:
            names.append(f"{c}_missing")
        names.append(c)
    for c in categorical:
        names.extend(f"{c}[{lv}]" for lv in levels[c] if lv != reference[c])
    prep = _replace(prep, design_columns=tuple(["const", *names]))
    # column by column: materialising the whole design of 1M rows for this check cost ~0.5 GiB
    dups, consts, names = _duplicate_and_constant(
        prep.iter_design(df), lambda name: next(v for n, v in prep.iter_design(df) if n == name))
    if dups:
        warnings.warn(
            f"{table}: exact duplicate design column{'s' if len(dups) > 1 else ''} dropped (identical to an "
            f"earlier column): {dups}",
            DataWarning,
            stacklevel=2,
        )
    if consts:
        warnings.warn(f"{table}: constant design columns dropped: {consts}", DataWarning, stacklevel=2)
    keep_cols = [c for c in names if c not in set(dups) | set(consts)]
    return _replace(prep, design_columns=tuple(["const", *keep_cols]))


def _duplicate_and_constant(columns: Any, recompute: Callable[[str], np.ndarray]) -> tuple[list[str], list[str], list[str]]:
    """Scan ``(name, vector)`` pairs once: exact duplicates of an earlier column, constant columns, all names.

    Hashes each column's bytes (``DataFrame.T.duplicated`` factorised every row and took seconds
    on tens of thousands of rows); a hash match is confirmed value by value with ``recompute``.
    """
    import hashlib

    seen: dict[str, list[str]] = {}
    dups, consts, names = [], [], []
    for name, v in columns:
        names.append(name)
        v = np.ascontiguousarray(v, dtype=float)
        finite = v[~np.isnan(v)]
        if finite.size == 0 or np.all(finite == finite[0]):
            consts.append(name)
            continue
        key = hashlib.sha1(v.tobytes()).hexdigest()
        earlier = seen.setdefault(key, [])
        if any(np.array_equal(v, recompute(e), equal_nan=True) for e in earlier):
            dups.append(name)
        else:
            earlier.append(name)
    return dups, consts, names


def _duplicate_columns(X: pd.DataFrame) -> list[str]:
    """Columns of ``X`` identical to an earlier column (see :func:`_duplicate_and_constant`)."""
    dups, _, _ = _duplicate_and_constant(((c, X[c].to_numpy(dtype=float)) for c in X.columns),
                                         lambda c: X[c].to_numpy(dtype=float))
    return dups


def _replace(obj: Any, **changes: Any) -> Any:
    import dataclasses

    return dataclasses.replace(obj, **changes)


def _drop_missing_target(df: pd.DataFrame, target: str, table: str) -> pd.DataFrame:
    n_missing = int(df[target].isna().sum())
    if n_missing:
        warn_dropped(n_missing, len(df), f"with a missing target '{target}'", table=table)
        df = df[df[target].notna()]
    return df


def _training_rows(
    data: pd.DataFrame,
    prep: FeaturePrep | None,
    *,
    target: str,
    min_level_count: int,
    **prep_options: Any,
) -> tuple[pd.DataFrame, FeaturePrep]:
    """Rows with a known target (others dropped with a warning) and the feature preparation.

    ``prep`` is reused when given (e.g. learned on the training fold); otherwise it is learned
    here from these rows with ``prep_options`` (further keyword arguments of :func:`prepare_features`).
    """
    data = _drop_missing_target(require_dataframe(data), target, "customers")
    if prep is None:
        prep = prepare_features(data, target=target, min_level_count=min_level_count, **prep_options)
    return data, prep
