"""Run history for scheduled runs: ``<output_dir>/ledger.csv``, one row per run × headline metric.

Every *successful* run appends its headline numbers (the keys a notebook declares in its metadata
``bankcrm.headline``, else its ``headline*`` keys; numeric values only) with the run id, the UTC
finish time, the git commit and one SHA-256 digest of all input files. ``index.html`` reads the
ledger back to plot each headline's history and to flag a change: the new value lies outside the
previous run's 95 % CI, or the input data changed (digest differs).

The file is append-only. An append is one ``write`` of all of a run's rows on a descriptor opened
with ``O_APPEND`` and held under an exclusive ``flock`` (POSIX), so runs finishing at the same time
never interleave rows or write the header twice. Readers skip malformed lines.

Columns (:data:`COLUMNS`): ``run_id, finished_utc, git_commit, input_sha256, notebook, metric,
value, ci_low, ci_high``. CIs come from ``<metric>.ci_low`` / ``<metric>.ci_high`` in the same
``metrics.json`` (see :func:`ci_of`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "COLUMNS",
    "LEDGER_NAME",
    "LedgerRow",
    "input_digest",
    "ci_of",
    "headline_keys",
    "ledger_rows",
    "append_ledger",
    "read_ledger",
    "history",
]

LEDGER_NAME = "ledger.csv"
COLUMNS = ("run_id", "finished_utc", "git_commit", "input_sha256", "notebook", "metric", "value",
           "ci_low", "ci_high")
_RESERVED = ("findings.", "skipped.", "auto.")


@dataclass(frozen=True)
class LedgerRow:
    """One run × headline metric."""

    run_id: str
    finished_utc: str
    git_commit: str
    input_sha256: str
    notebook: str
    metric: str
    value: float
    ci_low: float | None = None
    ci_high: float | None = None

    def as_list(self) -> list[str]:
        def num(x: float | None) -> str:
            return "" if x is None else repr(float(x))

        return [self.run_id, self.finished_utc, self.git_commit, self.input_sha256, self.notebook,
                self.metric, num(self.value), num(self.ci_low), num(self.ci_high)]


def input_digest(inputs: Iterable[Mapping[str, Any]]) -> str:
    """One SHA-256 over the run's input files (role and content hash, not their location).

    Moving the data folder keeps the digest; changing any byte of any input changes it.
    """
    parts = sorted(f"{i.get('role', '')}:{i.get('sha256') or 'missing'}" for i in inputs)
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _number(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    v = float(x)
    return v if math.isfinite(v) else None


def ci_of(metrics: Mapping[str, Any], key: str) -> tuple[float | None, float | None]:
    """The 95 % CI recorded for ``key``: ``<key>.ci_low``/``<key>.ci_high``.

    Also accepted, for keys named ``<stem>_estimate`` / ``<stem>.estimate``: ``<stem>_ci_low`` /
    ``<stem>.ci_low`` (and ``_ci_high``). Returns ``(None, None)`` when either bound is missing.
    """
    candidates = [(f"{key}.ci_low", f"{key}.ci_high")]
    for sep in ("_", "."):
        if key.endswith(f"{sep}estimate"):
            stem = key[: -len("estimate") - 1]
            candidates.append((f"{stem}{sep}ci_low", f"{stem}{sep}ci_high"))
    for lo_key, hi_key in candidates:
        lo, hi = _number(metrics.get(lo_key)), _number(metrics.get(hi_key))
        if lo is not None and hi is not None:
            return lo, hi
    return None, None


def headline_keys(metrics: Mapping[str, Any], declared: Sequence[str] = ()) -> list[str]:
    """Headline metric keys of one notebook, in display order.

    The keys declared in the notebook's metadata ``bankcrm.headline`` that were recorded; when
    none were declared, the recorded keys starting with ``headline``. CI bounds and the
    ``findings.``/``skipped.``/``auto.`` entries are never headlines.
    """
    keys = [k for k in declared if k in metrics]
    if not declared:
        keys = sorted(k for k in metrics if str(k).startswith("headline"))
    return [k for k in keys if not k.startswith(_RESERVED) and not k.endswith((".ci_low", ".ci_high"))]


def ledger_rows(run: Mapping[str, Any], metrics: Mapping[str, Mapping[str, Any]],
                headlines: Mapping[str, Sequence[str]] | None = None) -> list[LedgerRow]:
    """The rows a finished run contributes (numeric headline values of succeeded notebooks)."""
    digest = input_digest(run.get("inputs") or [])
    commit = (run.get("git") or {}).get("commit") or ""
    rows = []
    for nb in run.get("notebooks", []):
        if nb.get("status") != "succeeded":
            continue
        m = metrics.get(nb["name"]) or {}
        for key in headline_keys(m, (headlines or {}).get(nb["name"], ())):
            value = _number(m.get(key))
            if value is None:
                continue
            lo, hi = ci_of(m, key)
            rows.append(LedgerRow(str(run.get("run_id", "")), str(run.get("finished") or ""), commit, digest,
                                  nb["name"], key, value, lo, hi))
    return rows


def append_ledger(folder: str | Path, rows: Sequence[LedgerRow]) -> Path:
    """Append ``rows`` to ``<folder>/ledger.csv`` atomically (header written once, when new)."""
    path = Path(folder) / LEDGER_NAME
    if not rows:
        return path
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for row in rows:
        writer.writerow(row.as_list())
    body = buf.getvalue().encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - Windows: O_APPEND alone
            pass
        if os.fstat(fd).st_size == 0:
            body = (",".join(COLUMNS) + "\n").encode("utf-8") + body
        view = memoryview(body)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        os.fsync(fd)
    finally:
        os.close(fd)  # releases the lock
    return path


def read_ledger(folder: str | Path) -> list[LedgerRow]:
    """All well-formed rows of ``<folder>/ledger.csv`` in file order (empty when absent)."""
    path = Path(folder) / LEDGER_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return []
    out = []
    for rec in csv.DictReader(io.StringIO(text)):
        try:
            value = float(rec["value"])
            lo = float(rec["ci_low"]) if rec.get("ci_low") else None
            hi = float(rec["ci_high"]) if rec.get("ci_high") else None
            out.append(LedgerRow(rec["run_id"], rec["finished_utc"], rec["git_commit"], rec["input_sha256"],
                                 rec["notebook"], rec["metric"], value, lo, hi))
        except (KeyError, TypeError, ValueError):
            continue
    return out


def history(rows: Sequence[LedgerRow], notebook: str, metric: str, *, upto: str | None = None) -> list[LedgerRow]:
    """Rows of one notebook × metric in ledger order, one per run, ending at run ``upto`` if given."""
    seen: dict[str, LedgerRow] = {}
    for r in rows:
        if r.notebook == notebook and r.metric == metric:
            seen[r.run_id] = r
            if upto is not None and r.run_id == upto:
                break
    return list(seen.values())
