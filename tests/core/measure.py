"""Measuring the silhouette the way docs/reference/anthropometry.md defines its widths."""

from __future__ import annotations

from shapely.geometry import LineString


def segments_at(outline, y: float) -> list[tuple[float, float]]:
    """The x-intervals where the horizontal line at height y crosses the body, left to right."""
    cut = LineString([(-2, y), (2, y)]).intersection(outline)
    parts = getattr(cut, "geoms", [cut])
    return sorted(
        (min(p.coords[0][0], p.coords[-1][0]), max(p.coords[0][0], p.coords[-1][0]))
        for p in parts
        if p.geom_type == "LineString" and not p.is_empty
    )


def width_at(outline, y: float) -> float:
    """Overall width at height y."""
    segs = segments_at(outline, y)
    return segs[-1][1] - segs[0][0]


def midline_width(outline, y: float) -> float | None:
    """Width of the piece that contains the midline at height y (the trunk, arms excluded)."""
    for a, b in segments_at(outline, y):
        if a <= 0 <= b:
            return b - a
    return None


def limb_width(outline, y: float, x_center: float) -> float | None:
    """Width of the piece at height y that contains x_center (one thigh, knee, calf, ankle...)."""
    for a, b in segments_at(outline, y):
        if a <= x_center <= b:
            return b - a
    return None


def frange(a: float, b: float, n: int = 60):
    return [a + (b - a) * i / (n - 1) for i in range(n)]
