"""Planted truth of the simulated default data, and the "truth beside estimate" table.

Every notebook, when it runs on the bundled simulated data, writes
``tables/truth_vs_estimate.csv`` with columns ``quantity, truth, estimate, ci_low, ci_high,
covered, role`` so a reader sees each planted effect beside its estimate and 95 % CI (``role``:
``headline`` estimators vs deliberately naive ``foil`` ones).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from bankcrm_research.data.paths import data_dir

__all__ = ["load_truth", "get_truth", "truth_vs_estimate", "TRUTH_COLUMNS"]

TRUTH_COLUMNS = ["quantity", "truth", "estimate", "ci_low", "ci_high", "covered", "role"]
_INPUT_COLUMNS = TRUTH_COLUMNS[:5]


@lru_cache(maxsize=4)
def _read(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def load_truth(path: str | Path | None = None) -> dict[str, Any]:
    """Load ``truth.json`` (the bundled one when ``path`` is None).

    Raises
    ------
    FileNotFoundError
        When the file does not exist, with a hint to regenerate the data.
    """
    p = Path(path) if path is not None else data_dir() / "truth.json"
    if not p.exists():
        raise FileNotFoundError(
            f"truth file not found: {p}. Regenerate the bundled data with "
            f"`bankcrm-research simulate --out data` or pass the path of your truth.json."
        )
    return _read(str(p.resolve()))


def get_truth(key: str, truth: Mapping[str, Any] | None = None) -> Any:
    """Look up a dotted key such as ``"competition.index_effect.nim.average"``.

    Path segments may themselves contain dots only if they are not split here; use nested
    lookups for such keys (e.g. paths named ``"IMAG->CUSA"`` contain no dots).
    """
    node: Any = load_truth() if truth is None else truth
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            have = list(node) if isinstance(node, Mapping) else type(node).__name__
            raise KeyError(f"truth key '{key}' not found at '{part}'; available here: {have}")
        node = node[part]
    return node


def truth_vs_estimate(rows: Iterable[Mapping[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """Build the truth-beside-estimate table.

    Parameters
    ----------
    rows : iterable of mappings or DataFrame
        Each with ``quantity``, ``truth``, ``estimate``, ``ci_low``, ``ci_high``.

        An optional ``role`` says what the row is for: ``headline`` (an estimator the notebook
        stands behind, expected to cover its truth at the nominal rate) or ``foil`` (a deliberately
        naive estimator shown to miss, e.g. pooled OLS without bank effects or a naive difference in
        means). Rows without a role are foils when their quantity or method names a naive estimator
        (``pooled_ols``, ``naive``, also in a ``method`` or ``model`` column), headline otherwise.

    Returns
    -------
    DataFrame
        Columns ``quantity, truth, estimate, ci_low, ci_high, covered, role`` where ``covered`` is
        ``ci_low <= truth <= ci_high`` (False when the CI is missing).
    """
    df = pd.DataFrame(rows).copy()
    missing = [c for c in _INPUT_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(
            f"truth_vs_estimate needs columns {_INPUT_COLUMNS}; missing {missing}; found {list(df.columns)}."
        )
    for c in _INPUT_COLUMNS[1:]:
        df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    df["covered"] = (df["ci_low"] <= df["truth"]) & (df["truth"] <= df["ci_high"])
    df.loc[df[["ci_low", "ci_high"]].isna().any(axis=1), "covered"] = False
    df["covered"] = df["covered"].astype(bool)
    naive = df["quantity"].astype(str).str.contains(r"pooled_ols|naive", case=False, regex=True)
    for col in ("method", "model"):
        if col in df.columns:
            naive |= df[col].astype(str).str.contains(r"pooled_ols|naive", case=False, regex=True)
    default_role = pd.Series(["foil" if n else "headline" for n in naive], index=df.index)
    df["role"] = df["role"].fillna(default_role) if "role" in df.columns else default_role
    bad = sorted(set(df["role"]) - {"headline", "foil"})
    if bad:
        raise ValueError(f"truth_vs_estimate: role must be 'headline' or 'foil'; found {bad}.")
    extra = [c for c in df.columns if c not in TRUTH_COLUMNS]
    return df[TRUTH_COLUMNS + extra].reset_index(drop=True)
