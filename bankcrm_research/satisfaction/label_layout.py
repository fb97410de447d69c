"""Point labels that do not overlap: a greedy placement for scatter plots (the IPMA maps).

Each label is tried at growing distances from its point in eight directions and kept at the first
position whose box (in display coordinates) overlaps no label placed before, no other point and no
fixed text already on the axes, and lies inside the axes; a thin leader line joins a label moved
away from its point. Greedy and deterministic (no random jitter, no extra dependency); with many
points in a small area the search widens until a free place is found (at most ``max_radius``
points away, after which the last candidate is kept and a leader line drawn).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["place_labels", "label_boxes_overlap"]

_DIRECTIONS = [(1, 1), (1, -1), (-1, 1), (-1, -1), (1, 0), (0, 1), (-1, 0), (0, -1)]


def _ha_va(dx: float, dy: float) -> tuple[str, str]:
    ha = "left" if dx > 0 else "right" if dx < 0 else "center"
    va = "bottom" if dy > 0 else "top" if dy < 0 else "center"
    return ha, va


def place_labels(ax, xs: Sequence[float], ys: Sequence[float], texts: Sequence[str], *,  # noqa: ANN001
                 fontsize: float = 8, step: float = 6.0, max_radius: float = 120.0) -> list:
    """Annotate points ``(xs[i], ys[i])`` with ``texts[i]`` without overlaps; returns the annotations.

    Call after the points, reference lines and fixed texts are drawn: the axis limits are frozen
    first so that later autoscaling cannot move the points under their labels.
    """
    fig = ax.figure
    ax.set_xlim(ax.get_xlim())
    ax.set_ylim(ax.get_ylim())
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    axes_box = ax.get_window_extent(renderer)
    occupied = [t.get_window_extent(renderer) for t in ax.texts if t.get_text()]
    pts = ax.transData.transform(list(zip(xs, ys, strict=True))) if len(xs) else []
    dpi_scale = fig.dpi / 72.0
    half = 3.5 * dpi_scale  # half the marker size in pixels
    from matplotlib.transforms import Bbox

    point_boxes = [Bbox.from_extents(px - half, py - half, px + half, py + half) for px, py in pts]
    placed = []
    for i, (x, y, text) in enumerate(zip(xs, ys, texts, strict=True)):
        others = [b for j, b in enumerate(point_boxes) if j != i]
        radius, chosen = step, None
        while radius <= max_radius and chosen is None:
            for ux, uy in _DIRECTIONS:
                norm = math.hypot(ux, uy)
                dx, dy = radius * ux / norm, radius * uy / norm
                ha, va = _ha_va(dx, dy)
                ann = ax.annotate(text, (x, y), textcoords="offset points", xytext=(dx, dy), ha=ha, va=va,
                                  fontsize=fontsize)
                box = ann.get_window_extent(renderer).padded(1.0)
                inside = (box.x0 >= axes_box.x0 and box.x1 <= axes_box.x1 and box.y0 >= axes_box.y0
                          and box.y1 <= axes_box.y1)
                if inside and not any(box.overlaps(b) for b in occupied + others):
                    chosen = (ann, box, radius)
                    break
                ann.remove()
            radius += step
        if chosen is None:  # crowded beyond max_radius: keep the last try (reported by label_boxes_overlap)
            ann = ax.annotate(text, (x, y), textcoords="offset points", xytext=(radius, radius), fontsize=fontsize)
            chosen = (ann, ann.get_window_extent(renderer), radius)
        ann, box, radius = chosen
        if radius > step:
            ax.annotate("", (x, y), xytext=ann.xyann, textcoords="offset points",
                        arrowprops={"arrowstyle": "-", "color": "grey", "lw": 0.5, "shrinkA": 0, "shrinkB": 2})
        occupied.append(box)
        placed.append(ann)
    return placed


def label_boxes_overlap(ax, annotations: Sequence | None = None) -> list[tuple[str, str]]:  # noqa: ANN001
    """Pairs of non-empty texts on ``ax`` whose bounding boxes intersect (empty when none do)."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = [t for t in (annotations if annotations is not None else ax.texts) if t.get_text()]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    return [(a, b) for i, (a, ba) in enumerate(boxes) for b, bb in boxes[i + 1:] if ba.overlaps(bb)]
