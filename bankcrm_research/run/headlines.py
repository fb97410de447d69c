"""Headline numbers for ``index.html``: which keys, their labels, formats, CIs and history.

A notebook's ``metrics.json`` is flat; this module turns it into display rows:

* which keys: the notebook's declared headline keys (metadata ``bankcrm.headline``) in order,
  then keys starting with ``headline``, then the rest, up to :data:`MAX_HEADLINE` (at least every
  declared key); never ``findings.*``, ``skipped.*``, ``auto.*`` or CI bounds;
* label, unit, decimals and kind from the label files (``metric.<key>``, see
  :func:`bankcrm_research.reporting.labels.metric_info`), numbers through
  :func:`~bankcrm_research.reporting.narrative.fmt_number` / ``fmt_p``;
* the 95 % CI from ``<key>.ci_low`` / ``<key>.ci_high`` (:func:`~bankcrm_research.run.ledger.ci_of`);
* history from the run ledger: an inline SVG sparkline (no scripts, no fetches), the change since
  the previous run and flags when the value leaves the previous 95 % CI or the input data changed.
"""

from __future__ import annotations

import html as _html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bankcrm_research.reporting.labels import label, load_labels, metric_info
from bankcrm_research.reporting.narrative import fmt_ci, fmt_number, fmt_p
from bankcrm_research.run.ledger import LedgerRow, ci_of, history

__all__ = ["MAX_HEADLINE", "HeadlineRow", "select_keys", "format_value", "headline_rows", "sparkline_svg",
           "recorded_findings"]

MAX_HEADLINE = 8
_RESERVED = ("findings.", "skipped.", "auto.")


@dataclass(frozen=True)
class HeadlineRow:
    """One displayed headline number."""

    key: str
    label: str
    value: str
    ci: str = ""
    spark: str = ""
    change: str = ""
    flags: tuple[str, ...] = field(default_factory=tuple)


def recorded_findings(metrics: Mapping[str, Any]) -> list[str]:
    """``findings.1``, ``findings.2``, … in numeric order (a malformed suffix sorts last, never fails)."""
    def order(k: str) -> tuple[int, str]:
        tail = k.split(".", 1)[1]
        return (int(tail), "") if tail.isdigit() else (10**9, tail)

    keys = sorted((k for k in metrics if str(k).startswith("findings.") and metrics[k]), key=order)
    return [str(metrics[k]) for k in keys]


def _is_bound(key: str) -> bool:
    return key.endswith((".ci_low", ".ci_high", "_ci_low", "_ci_high"))


def select_keys(metrics: Mapping[str, Any], declared: Sequence[str] = ()) -> tuple[list[str], int]:
    """Keys to show (declared, then ``headline*``, then the rest) and how many were left out."""
    candidates = [k for k in metrics if not str(k).startswith(_RESERVED) and not _is_bound(str(k))]
    rank = {k: i for i, k in enumerate(k for k in declared if k in metrics)}
    ordered = sorted(candidates, key=lambda k: (rank.get(k, len(rank)), not str(k).startswith("headline"), str(k)))
    limit = max(MAX_HEADLINE, len(rank))
    return ordered[:limit], max(0, len(ordered) - limit)


def _num(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    v = float(x)
    return v if math.isfinite(v) else None


def format_value(key: str, value: Any, lang: str) -> str:
    """A metric value for reading: label-file decimals and unit, ``p < 0.001``, shares as %."""
    info = metric_info(key, lang)
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, bool):
        return label("index.yes" if value else "index.no", lang)
    if isinstance(value, str):
        return label(value, lang) if value in load_labels() else value
    v = _num(value)
    if v is None:
        return str(value)
    if info.kind == "p":
        return fmt_p(v)
    if info.kind == "share":
        return f"{fmt_number(v * 100, info.digits)} %"
    text = fmt_number(v, info.digits)
    return f"{text} {info.unit}" if info.unit else text


def _fmt_plain(key: str, v: float, lang: str) -> str:
    info = metric_info(key, lang)
    if info.kind == "share":
        return fmt_number(v * 100, info.digits)
    return fmt_number(v, info.digits)


def _ci_text(key: str, lo: float | None, hi: float | None, lang: str) -> str:
    if lo is None or hi is None:
        return ""
    info = metric_info(key, lang)
    if info.kind == "share":
        return fmt_ci(lo * 100, hi * 100, info.digits) + " %"
    return fmt_ci(lo, hi, info.digits)


def sparkline_svg(values: Sequence[float], *, width: int = 110, height: int = 26, title: str = "") -> str:
    """A tiny inline SVG line of ``values`` (last point marked); empty for fewer than two points."""
    pts = [v for v in values if v is not None and math.isfinite(v)]
    if len(pts) < 2:
        return ""
    lo, hi = min(pts), max(pts)
    span = (hi - lo) or 1.0
    pad = 3
    step = (width - 2 * pad) / (len(pts) - 1)
    coords = [(pad + i * step, pad + (height - 2 * pad) * (1 - (v - lo) / span)) for i, v in enumerate(pts)]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    x_last, y_last = coords[-1]
    tip = f"<title>{_html.escape(title)}</title>" if title else ""
    return (f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img" xmlns="http://www.w3.org/2000/svg">{tip}'
            f'<polyline fill="none" stroke="#3e7cb1" stroke-width="1.5" points="{line}"/>'
            f'<circle cx="{x_last:.1f}" cy="{y_last:.1f}" r="2.5" fill="#1f2933"/></svg>')


def headline_rows(
    notebook: str,
    metrics: Mapping[str, Any],
    declared: Sequence[str] = (),
    *,
    lang: str = "en",
    ledger: Sequence[LedgerRow] = (),
    run_id: str | None = None,
    input_sha256: str | None = None,
) -> tuple[list[HeadlineRow], int]:
    """Display rows of one notebook's headline numbers, and the count of keys left out.

    With ``ledger`` rows, each numeric headline also gets its history (ledger rows up to this
    run, plus this run's value when it is not in the ledger, e.g. a failed run), the change since
    the previous run and the flags ``outside_ci`` / ``input_changed``.
    """
    keys, more = select_keys(metrics, declared)
    rows = []
    for key in keys:
        value = metrics.get(key)
        lo, hi = ci_of(metrics, key)
        spark = change = ""
        flags: list[str] = []
        v = _num(value)
        if v is not None and ledger:
            hist = history(ledger, notebook, key, upto=run_id)
            past = [r for r in hist if r.run_id != run_id]
            series = [r.value for r in past] + [v]
            if past:
                prev = past[-1]
                delta = v - prev.value
                sign = "+" if delta > 0 else "−" if delta < 0 else "±"
                change = f"{sign}{_fmt_plain(key, abs(delta), lang)}"
                if prev.ci_low is not None and prev.ci_high is not None and not prev.ci_low <= v <= prev.ci_high:
                    flags.append("outside_ci")
                if input_sha256 and prev.input_sha256 and prev.input_sha256 != input_sha256:
                    flags.append("input_changed")
            else:
                change = label("index.first_run", lang)
            spark = sparkline_svg(series, title=" → ".join(_fmt_plain(key, s, lang) for s in series))
        rows.append(HeadlineRow(key, metric_info(key, lang).label, format_value(key, value, lang),
                                _ci_text(key, lo, hi, lang), spark, change, tuple(flags)))
    return rows, more
