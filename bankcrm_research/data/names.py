"""Closest-name suggestions for messages ("column 'age' is missing; did you mean 'Age'?").

Its own module so that ``schemas`` and ``validate`` can both use it without importing each other.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["closest_names"]


def closest_names(name: str, candidates: Iterable[str], n: int = 1) -> list[str]:
    """Return up to ``n`` candidates closest to ``name`` (case-insensitive), best first."""
    candidates = [str(c) for c in candidates]
    lower = {c.lower(): c for c in candidates}
    if name.lower() in lower:
        return [lower[name.lower()]]
    hits = difflib.get_close_matches(name.lower(), list(lower), n=n, cutoff=0.5)
    return [lower[h] for h in hits]
