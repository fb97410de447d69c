"""Honest churn models: logit with odds ratios, gradient boosting, leakage audit, out-of-time validation.

Two models share one feature preparation with guard rails, learned on the training rows only:

* :class:`ChurnLogit` — ``statsmodels`` logit with odds ratios and Wald CIs;
* :class:`ChurnBoosting` — scikit-learn ``HistGradientBoostingClassifier`` (native missing values and
  categorical support).

Guard rails (:class:`FeaturePrep`): the target is mapped to 0/1 with a stated positive class
('yes'/'no', 'true'/'false', 1/0, booleans), a one-class target is refused, id columns are refused
as features, all-missing and constant columns are dropped with a warning naming them, rare
categorical levels are merged into ``__other__`` (or into the reference level when still rare),
exact duplicate design columns are dropped with a warning naming them (a category seen in 3 rows
plus two identical dummies made a statsmodels logit run 50 s without converging).

:func:`leakage_audit` flags columns named in ``leaky_columns`` and any column whose AUC alone exceeds
a threshold. :func:`validate_models` makes the out-of-time split the headline when a date column (or
rows in time order) exists and reports stratified k-fold CV as secondary, with the fold spread.
"""

from __future__ import annotations

import csv
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from bankcrm_research.retention import metrics as M
from bankcrm_research.data.validate import (
    DataWarning,
    require_columns,
    require_dataframe,
    require_min_rows,
    require_positive_int,
    require_probability,
    warn_dropped,
)

__all__ = [
    "read_table",
    "encode_target",
    "FeaturePrep",
    "prepare_features",
    "ChurnLogit",
    "ChurnLogitResult",
    "ChurnBoosting",
    "ChurnBoostingResult",
    "leakage_audit",
    "validate_models",
    "ValidationResult",
]

_POSITIVE_WORDS = {"yes", "y", "true", "t", "1", "churn", "churned", "positive", "pos"}
_NEGATIVE_WORDS = {"no", "n", "false", "f", "0", "stay", "stayed", "retained", "negative", "neg"}


def read_table(path: str | Path, *, columns: Mapping[str, str] | None = None, sep: str | None = None) -> pd.DataFrame:
    """Read a user's customer table (CSV with any common delimiter, Parquet or Excel).

    Parameters
    ----------
    path : str or Path
        File to read. ``.parquet``, ``.xlsx``/``.xls`` or delimited text (the delimiter is sniffed
        from the header line unless ``sep`` is given, so the semicolon-separated UCI Bank Marketing
        file reads as is).
    columns : mapping, optional
        ``{canonical_name: user_column}``; user columns are renamed to canonical names.
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"customers file not found: {p}. Check the 'customers_path' parameter.")
    suffix = p.suffix.lower()
    if suffix == ".parquet":
        df = pd.read_parquet(p)
    elif suffix in (".xlsx", ".xls"):
        df = pd.read_excel(p)
    else:
        if sep is None:
            with open(p, encoding="utf-8-sig", errors="replace") as fh:
                head = fh.readline()
            try:
                sep = csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
            except csv.Error:
                sep = ","
        df = pd.read_csv(p, sep=sep, encoding="utf-8-sig")
    if columns:
        require_columns(df, list(columns.values()), table=p.name, param="columns")
        df = df.rename(columns={user: canon for canon, user in columns.items()})
    return df


def encode_target(y: pd.Series, *, positive_class: Any = None, name: str | None = None) -> tuple[pd.Series, str]:
    """Map a binary target to 0/1 and say which value is the positive class.

    Parameters
    ----------
    y : Series
        Booleans, 0/1 numbers or two string labels. Missing values must be removed first.
    positive_class : optional
        The value counted as 1. Needed for strings other than yes/no, true/false, churn/stay.

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
        dropped_columns=dropped, design_columns=(),
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


# --------------------------------------------------------------------------------------------- logit
@dataclass(frozen=True)
class ChurnLogitResult:
    """Fitted churn logit. ``tidy()`` is the single source of numbers."""

    prep: FeaturePrep
    params_table: pd.DataFrame
    converged: bool
    n_obs: int
    n_events: int
    pseudo_r2: float
    llf: float
    alpha: float
    model: Any = field(repr=False, compare=False)

    def tidy(self) -> pd.DataFrame:
        """``term, coef, std_error, z, p_value, odds_ratio, or_ci_low, or_ci_high``."""
        return self.params_table.copy()

    def summary(self) -> pd.DataFrame:
        """Odds ratios with CIs plus a header line of fit statistics in ``attrs['note']``."""
        out = self.tidy()[["term", "odds_ratio", "or_ci_low", "or_ci_high", "p_value"]]
        out.attrs["note"] = (
            f"logit, n = {self.n_obs}, events = {self.n_events}, McFadden pseudo-R² = {self.pseudo_r2:.3f}, "
            f"converged = {self.converged}; {self.prep.target_note}"
        )
        return out

    def predict_proba(self, df: pd.DataFrame) -> np.ndarray:
        """Predicted churn probability for rows of ``df`` (same preparation as in training)."""
        X = self.prep.design(df)
        return np.asarray(self.model.predict(X.to_numpy()), dtype=float)

    def plot(self, ax: Any = None, *, top: int = 20) -> Any:
        """Forest plot of odds ratios with CIs (log scale)."""
        import matplotlib.pyplot as plt

        t = self.tidy()
        t = t[t["term"] != "const"].copy()
        t["abs"] = np.abs(t["coef"])
        t = t.nlargest(top, "abs").sort_values("coef")
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.3 * len(t) + 1.2))
        y = np.arange(len(t))
        ax.errorbar(t["odds_ratio"], y, xerr=[t["odds_ratio"] - t["or_ci_low"], t["or_ci_high"] - t["odds_ratio"]],
                    fmt="o", capsize=2)
        ax.axvline(1, color="grey", lw=1, ls="--")
        ax.set_xscale("log")
        ax.set_yticks(y, t["term"])
        ax.set_xlabel("odds ratio (95% CI)")
        return ax


@dataclass
class ChurnLogit:
    """Churn logit (statsmodels ``Logit``, Newton–Raphson) with odds ratios and Wald CIs.

    Parameters
    ----------
    alpha : float
        1 − confidence level of the CIs.
    min_level_count : int
        Rare-level threshold of :func:`prepare_features`.
    maxiter : int
        Newton iterations; a fit that does not converge warns (it is not silently used).

    Notes
    -----
    ``logit P(churn=1 | x) = β₀ + xᵀβ``; odds ratio ``exp(β_j)`` with CI ``exp(β_j ± z_{1−α/2}·se_j)``.
    """

    alpha: float = 0.05
    min_level_count: int = 30
    maxiter: int = 100

    def fit(
        self,
        data: pd.DataFrame,
        *,
        target: str,
        features: Sequence[str] | None = None,
        categorical_columns: Sequence[str] | None = None,
        id_column: str | None = None,
        exclude: Sequence[str] = (),
        positive_class: Any = None,
        prep: FeaturePrep | None = None,
    ) -> ChurnLogitResult:
        """Fit on ``data``; ``prep`` reuses an existing preparation (otherwise learned here)."""
        import statsmodels.api as sm
        from scipy import stats

        require_probability(self.alpha, param="alpha")
        data, prep = _training_rows(
            data, prep, target=target, features=features, categorical_columns=categorical_columns,
            id_column=id_column, exclude=exclude, positive_class=positive_class,
            min_level_count=self.min_level_count,
        )
        X = prep.design(data)
        y = prep.target_array(data)
        require_min_rows(data, X.shape[1] + 10, what=f"a logit with {X.shape[1]} parameters")
        model = sm.Logit(y, X.to_numpy())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence is checked and reported below
            try:
                res = model.fit(method="newton", maxiter=self.maxiter, disp=0)
            except np.linalg.LinAlgError:
                res = model.fit(method="bfgs", maxiter=self.maxiter * 10, disp=0)
        converged = bool(res.mle_retvals.get("converged", False))
        if not converged:
            warnings.warn(
                "churn logit did not converge (possible separation: a feature predicts churn perfectly). "
                "Check the leakage audit, merge rare levels (min_level_count) or drop the offending feature.",
                DataWarning,
                stacklevel=2,
            )
        z = stats.norm.ppf(1 - self.alpha / 2)
        params = np.asarray(res.params)
        se = np.asarray(res.bse)
        with np.errstate(over="ignore"):  # near-separated terms give inf odds ratios; shown, not hidden
            table = pd.DataFrame(
                {
                    "term": list(X.columns),
                    "coef": params,
                    "std_error": se,
                    "z": params / se,
                    "p_value": np.asarray(res.pvalues),
                    "odds_ratio": np.exp(params),
                    "or_ci_low": np.exp(params - z * se),
                    "or_ci_high": np.exp(params + z * se),
                }
            )
        return ChurnLogitResult(
            prep=prep, params_table=table, converged=converged, n_obs=int(len(y)), n_events=int(y.sum()),
            pseudo_r2=float(res.prsquared), llf=float(res.llf), alpha=self.alpha, model=res,
        )


# ------------------------------------------------------------------------------------------ boosting
def _threads(n_threads: int | None) -> Any:
    """Context limiting OpenMP/BLAS threads (no-op when ``n_threads`` is None)."""
    import contextlib

    if n_threads is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=require_positive_int(n_threads, param="n_threads"))


@dataclass(frozen=True)
class ChurnBoostingResult:
    """Fitted gradient-boosting churn model."""

    prep: FeaturePrep
    n_obs: int
    n_events: int
    n_iter: int
    estimator: Any = field(repr=False, compare=False)

    n_threads: int | None = None

    def predict_proba(self, df: pd.DataFrame) -> np.ndarray:
        """Predicted churn probability for rows of ``df``."""
        with _threads(self.n_threads):
            return self.estimator.predict_proba(self.prep.hgb_frame(df))[:, 1]

    def tidy(self) -> pd.DataFrame:
        """Model facts (one row per setting); drivers come from :meth:`permutation_importance`."""
        return pd.DataFrame(
            {"item": ["n_obs", "n_events", "n_iter", "n_features"],
             "value": [self.n_obs, self.n_events, self.n_iter, len(self.prep.features)]}
        )

    def summary(self) -> str:
        return (f"HistGradientBoostingClassifier: n = {self.n_obs}, events = {self.n_events}, "
                f"{self.n_iter} boosting iterations, {len(self.prep.features)} features; {self.prep.target_note}")

    def permutation_importance(self, df: pd.DataFrame, *, n_repeats: int = 5, seed: int = 0,
                               max_rows: int | None = 20_000) -> pd.DataFrame:
        """Drop in AUC when each feature is permuted (evaluate on held-out rows)."""
        with _threads(self.n_threads):
            return M.permutation_importance_table(
                self.estimator, self.prep.hgb_frame(df), self.prep.target_array(df),
                n_repeats=n_repeats, seed=seed, max_rows=max_rows,
            )

    def partial_dependence(self, df: pd.DataFrame, features: Sequence[str], *, grid_resolution: int = 20) -> pd.DataFrame:
        """Partial dependence of churn probability on each of ``features``."""
        with _threads(self.n_threads):
            return M.partial_dependence_table(self.estimator, self.prep.hgb_frame(df), features,
                                          grid_resolution=grid_resolution)

    def plot(self, ax: Any = None, *, df: pd.DataFrame | None = None, top: int = 15) -> Any:
        """Permutation importance bar chart (needs held-out rows ``df``)."""
        import matplotlib.pyplot as plt

        if df is None:
            raise ValueError("pass held-out rows: result.plot(df=holdout)")
        imp = self.permutation_importance(df).head(top).iloc[::-1]
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.3 * len(imp) + 1.2))
        ax.barh(imp["feature"], imp["importance_mean"], xerr=imp["importance_sd"])
        ax.set_xlabel("drop in AUC when permuted")
        return ax


@dataclass
class ChurnBoosting:
    """Gradient-boosted trees (scikit-learn ``HistGradientBoostingClassifier``).

    Parameters are passed to the estimator. Early stopping (10 % of the training rows held out,
    stop after 10 rounds without improvement in log-loss) is on by default: on weak-signal churn
    data a fixed 200 rounds over-fitted (held-out calibration slope 0.16); it stays deterministic
    given ``seed``. ``n_threads`` caps the OpenMP threads (``threadpoolctl``): on a
    shared, oversubscribed machine spinning OpenMP workers made a 15k-row fit 5x slower than one
    thread; ``None`` uses every core.
    """

    learning_rate: float = 0.1
    max_iter: int = 300
    max_leaf_nodes: int = 15
    min_samples_leaf: int = 50
    l2_regularization: float = 1.0
    early_stopping: bool = True
    seed: int = 0
    min_level_count: int = 30
    n_threads: int | None = None

    def fit(
        self,
        data: pd.DataFrame,
        *,
        target: str,
        features: Sequence[str] | None = None,
        categorical_columns: Sequence[str] | None = None,
        id_column: str | None = None,
        exclude: Sequence[str] = (),
        positive_class: Any = None,
        prep: FeaturePrep | None = None,
    ) -> ChurnBoostingResult:
        from sklearn.ensemble import HistGradientBoostingClassifier

        data, prep = _training_rows(
            data, prep, target=target, features=features, categorical_columns=categorical_columns,
            id_column=id_column, exclude=exclude, positive_class=positive_class,
            min_level_count=self.min_level_count,
        )
        X = prep.hgb_frame(data)
        y = prep.target_array(data)
        est = HistGradientBoostingClassifier(
            learning_rate=self.learning_rate, max_iter=self.max_iter, max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf, l2_regularization=self.l2_regularization,
            early_stopping=self.early_stopping, validation_fraction=0.1, n_iter_no_change=10,
            scoring="loss", categorical_features="from_dtype", random_state=self.seed,
        )
        with _threads(self.n_threads):
            est.fit(X, y)
        return ChurnBoostingResult(prep=prep, n_obs=int(len(y)), n_events=int(y.sum()), n_iter=int(est.n_iter_),
                                   estimator=est, n_threads=self.n_threads)


# ---------------------------------------------------------------------------------------- leakage
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
    note: str
    fitted: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    train_index: Any = field(default=None, repr=False, compare=False)
    test_index: Any = field(default=None, repr=False, compare=False)

    def tidy(self) -> pd.DataFrame:
        """``model, validation, auc, pr_auc, brier, top_decile_lift, alift, base_rate`` plus spread columns."""
        return self.metrics.copy()

    def summary(self) -> pd.DataFrame:
        out = self.metrics.copy()
        out.attrs["note"] = self.note
        return out

    def plot(self, ax: Any = None) -> Any:
        """Calibration (reliability) curves of the headline holdout predictions."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 5))
        hp = self.holdout_predictions
        for model, g in hp.groupby("model"):
            cal = M.calibration_table(g["y"], g["prob"], n_bins=10)
            ax.plot(cal["mean_predicted"], cal["observed_rate"], marker="o", label=str(model))
        lim = max(hp["prob"].max(), hp["y"].mean() * 2, 0.05)
        ax.plot([0, lim], [0, lim], color="grey", ls="--", lw=1)
        ax.set_xlabel("mean predicted probability")
        ax.set_ylabel("observed rate")
        ax.set_title(f"calibration ({self.headline})")
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
    note_parts = []
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
            else:
                pos = np.arange(len(data))
                test = pd.Series(pos >= int(round(len(data) * (1 - test_fraction))))
                train = ~test
                desc = f"out-of-time: row order as time, train on the first {1 - test_fraction:.0%}, test on the rest"
            tr, te = data[train.to_numpy()], data[test.to_numpy()]
            note_parts.append(desc + f" (n_train = {len(tr)}, n_test = {len(te)})")
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
    if not metric_rows:
        raise ValueError("no validation scheme ran; pass schemes=('cv',) or a date_column for 'out_of_time'.")
    headline = "out_of_time" if has_time and "out_of_time" in schemes else f"cv{cv_folds}"
    if not has_time:
        note_parts.append("no date column: out-of-time validation not possible, CV is the headline "
                          "(optimistic if the data are dated)")
    metrics = pd.DataFrame(metric_rows)
    cols = ["model", "validation", *M.METRIC_COLUMNS]
    metrics = metrics[cols + [c for c in metrics.columns if c not in cols]]
    metrics["headline"] = metrics["validation"] == headline
    metrics = metrics.sort_values(["headline", "validation", "model"], ascending=[False, True, True],
                                  ignore_index=True)
    folds = pd.DataFrame(fold_rows)
    hp = pd.concat(preds, ignore_index=True) if preds else pd.DataFrame(columns=["model", "validation", "y", "prob"])
    return ValidationResult(metrics=metrics, folds=folds, holdout_predictions=hp, headline=headline,
                            note="; ".join(note_parts), fitted=fitted, train_index=split.get("train"),
                            test_index=split.get("test"))
