"""Sentences rendered from results, in English or Chinese: the words a findings paragraph needs.

Every sentence a notebook states as a finding is built here from numbers (never typed into markdown), so
it stays true on any data: an estimate with its unit and 95 % CI and the direction in words; whether a
test rejects; a comparison of two estimates. Conditional claims follow the test: :func:`effect` says
"no clear effect" when the CI covers zero, :func:`verdict` says "rejects" only when p < alpha.

Formatting rules (also used by the tables): :func:`fmt_number` chooses decimals by magnitude and
uses thousands separators (3 significant digits below 1); :func:`fmt_p` writes ``p < 0.001`` instead of ``0.000``; :func:`stars` gives
the usual ``*``/``**``/``***`` at 0.10/0.05/0.01 (the legend is :data:`STARS_LEGEND`).
"""

from __future__ import annotations

import math
from typing import Literal

__all__ = [
    "STARS_LEGEND",
    "fmt_number",
    "fmt_p",
    "fmt_ci",
    "stars",
    "direction",
    "effect",
    "verdict",
    "compare",
    "bullet_list",
]

Lang = Literal["en", "zh"]
STARS_LEGEND = {"en": "* p < 0.10, ** p < 0.05, *** p < 0.01", "zh": "* p < 0.10，** p < 0.05，*** p < 0.01"}


def fmt_number(x: float | int | None, digits: int | None = None) -> str:
    """A number for reading: ``1,234``, ``12.3``, ``0.123``, ``0.00123``, ``1.3e+09`` only when huge.

    ``digits`` forces the decimals; ``None`` picks 3 significant digits (at least 0 decimals for
    |x| >= 100, thousands separators always). Missing values give an em dash.
    """
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    if isinstance(x, bool):
        return str(x)
    v = float(x)
    if digits is not None:
        return f"{v:,.{digits}f}"
    a = abs(v)
    if a >= 1e12:
        return f"{v:.3g}"
    if float(v).is_integer():
        return f"{int(v):,}"
    if a >= 100:
        return f"{v:,.0f}"
    if a >= 1:
        return f"{v:,.{max(0, 2 - int(math.floor(math.log10(a))))}f}"
    if a < 1e-6:
        return "0" if a == 0 else f"{v:.2e}"
    return f"{v:.3g}"


def fmt_p(p: float | None) -> str:
    """``p = 0.034``, ``p < 0.001``; em dash when missing."""
    if p is None or not math.isfinite(float(p)):
        return "—"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def stars(p: float | None) -> str:
    """Significance stars at 0.10 / 0.05 / 0.01 (empty for p >= 0.10 or missing)."""
    if p is None or not math.isfinite(float(p)):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.10 else ""


def fmt_ci(low: float | None, high: float | None, digits: int | None = None) -> str:
    """``[0.12, 0.34]``."""
    return f"[{fmt_number(low, digits)}, {fmt_number(high, digits)}]"


_DIR = {
    "en": {"up": "raises", "down": "lowers", "none": "has no clear effect on"},
    "zh": {"up": "提高", "down": "降低", "none": "对其没有明确影响："},
}


def direction(low: float, high: float) -> Literal["up", "down", "none"]:
    """``up`` when the whole CI is above zero, ``down`` when below, else ``none``."""
    if low > 0:
        return "up"
    if high < 0:
        return "down"
    return "none"


def effect(cause: str, outcome: str, estimate: float, low: float, high: float, *, unit: str = "",
           per: str = "", lang: Lang = "en", digits: int | None = None) -> str:
    """One sentence: what ``cause`` does to ``outcome``, with estimate, unit and 95 % CI.

    Examples
    --------
    >>> effect("the index", "NIM", -0.004, -0.006, -0.002, unit="pp", per="index point")
    'One index point more of the index lowers NIM by 0.004 pp (95 % CI [-0.006, -0.002]).'
    """
    d = direction(low, high)
    est, ci = fmt_number(abs(estimate) if d != "none" else estimate, digits), fmt_ci(low, high, digits)
    u = f" {unit}" if unit else ""
    if lang == "zh":
        lead = f"{cause}每增加一{per}，" if per else f"{cause}"
        if d == "none":
            return f"{cause}对{outcome}没有明确影响：估计值 {est}{u}（95% 置信区间 {ci}，包含 0）。"
        return f"{lead}{outcome}{_DIR['zh'][d]} {est}{u}（95% 置信区间 {ci}）。"
    lead = f"One {per} more of {cause}" if per else cause[:1].upper() + cause[1:]
    if d == "none":
        return f"{lead} has no clear effect on {outcome}: {est}{u} (95 % CI {ci} includes 0)."
    return f"{lead} {_DIR['en'][d]} {outcome} by {est}{u} (95 % CI {ci})."


def verdict(name: str, p: float, *, null: str, alpha: float = 0.05, lang: Lang = "en") -> str:
    """One sentence on a test: rejects the null at ``alpha`` or not, with the p-value."""
    if lang == "zh":
        verdict = "拒绝" if p < alpha else "不能拒绝"
        return f"{name}{verdict}原假设（{null}），{fmt_p(p)}。"
    verdict = "rejects" if p < alpha else "does not reject"
    return f"The {name} {verdict} {null} ({fmt_p(p)})."


def compare(what: str, a_name: str, a: float, b_name: str, b: float, *, unit: str = "", lang: Lang = "en",
            digits: int | None = None) -> str:
    """``what`` is higher for ``a_name`` than for ``b_name`` (or the reverse), with both values."""
    u = f" {unit}" if unit else ""
    hi_name, hi, lo_name, lo = (a_name, a, b_name, b) if a >= b else (b_name, b, a_name, a)
    if lang == "zh":
        return f"{hi_name}的{what}（{fmt_number(hi, digits)}{u}）高于{lo_name}（{fmt_number(lo, digits)}{u}）。"
    return (f"{what[:1].upper() + what[1:]} is higher for {hi_name} ({fmt_number(hi, digits)}{u}) than for "
            f"{lo_name} ({fmt_number(lo, digits)}{u}).")


def bullet_list(sentences: list[str]) -> str:
    """Markdown bullets."""
    return "\n".join(f"- {s}" for s in sentences if s)
