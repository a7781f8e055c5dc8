"""The shape language of cells.json: smooth curves and blobs, limb bands and digits.

Region boundaries are drawn the way anatomy draws them: smooth curves through a few points
(centripetal Catmull-Rom splines, which pass through every point), bands along a limb's axis, and the
digits of the figure. Straight boxes and polygons remain for the few boundaries that are straight.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from .figure import Figure
from .frame import View
from .spline import catmull_rom

FAR = 3.0  # beyond the body in every direction
SAMPLES = 12  # spline points per segment: smooth at any zoom the chart allows

Points = list[tuple[float, float]]
# On the head view u is `a`, forwards from the ear canal: 'ahead' of a curve is its face side.
ALIASES = {"ahead": "lateral", "behind": "medial"}


def _points(
    value: Any, where: Callable[[str], Exception], least: int, figure: Figure, frame: Any = None
) -> Points:
    """Points [u, y]; with frame "arm" [distance along the arm's axis, offset across it (+ lateral)],
    with frame "leg" [height, offset across the leg's axis]."""
    if not isinstance(value, list) or len(value) < least:
        raise where(f"needs at least {least} points [u, y], got {value!r}")
    try:
        pts = [(float(u), float(y)) for u, y in value]
    except (TypeError, ValueError):
        raise where(f"points must be [u, y] pairs, got {value!r}") from None
    if frame is None:
        return pts
    if frame == "arm":
        return [figure.arm.at(d, t) for d, t in pts]
    if frame == "leg":
        return [figure.leg_at(y, t) for y, t in pts]
    raise where(f"frame must be arm or leg, got {frame!r}")


def _curve(pts: Points) -> Points:
    """A smooth open curve through the points (two points: the straight segment)."""
    if len(pts) < 3:
        return pts
    return [(float(u), float(y)) for u, y in catmull_rom(np.array(pts), samples=SAMPLES)]


def _beyond(pts: Points, side: str) -> Polygon:
    """The area on one side of a smooth curve extended straight out past both of its ends: 'above' or
    'below' a curve that runs across (left to right), 'medial' or 'lateral' of one that runs down."""
    c = _curve(pts)
    across = side in ("above", "below")
    # Either way round: a curve across runs left to right, one down runs from top to bottom.
    if (across and c[0][0] > c[-1][0]) or (not across and c[0][1] < c[-1][1]):
        c = c[::-1]
    if across:
        y_end = FAR if side == "above" else -FAR
        ring = [(-FAR, c[0][1]), *c, (FAR, c[-1][1]), (FAR, y_end), (-FAR, y_end)]
    else:
        u_end = -FAR if side == "medial" else FAR
        ring = [(c[0][0], FAR), *c, (c[-1][0], -FAR), (u_end, -FAR), (u_end, FAR)]
    return Polygon(ring).buffer(0)


def _ellipse(value: Any, where: Callable[[str], Exception]) -> Polygon:
    if not isinstance(value, list) or len(value) not in (4, 5):
        raise where(f"an ellipse is [u, y, ru, ry] or [u, y, ru, ry, degrees], got {value!r}")
    u, y, ru, ry = (float(v) for v in value[:4])
    a = np.radians(float(value[4])) if len(value) == 5 else 0.0
    t = np.linspace(0, 2 * np.pi, 96, endpoint=False)
    x, z = ru * np.cos(t), ry * np.sin(t)
    return Polygon(np.stack([u + x * np.cos(a) - z * np.sin(a), y + x * np.sin(a) + z * np.cos(a)], axis=1))


def build_cell(
    spec: Any, figure: Figure, where: Callable[[str], Exception], view: View = "front"
) -> BaseGeometry:
    """Turn one cell spec into a shapely geometry in the view's own authoring frame."""
    extras = {"across", "frame"}
    if not isinstance(spec, dict) or len(spec.keys() - extras) != 1:
        raise where(f"a cell needs exactly one shape, got {spec!r}")
    kind = next(iter(spec.keys() - extras))
    value = spec[kind]
    frame = spec.get("frame")
    kind = ALIASES.get(kind, kind)
    if kind == "box":
        return box(*value)
    if kind == "poly":
        return Polygon(_points(value, where, 3, figure, frame)).buffer(0)
    if kind == "blob":
        pts = _points(value, where, 3, figure, frame)
        return Polygon(catmull_rom(np.array(pts), closed=True, samples=SAMPLES)).buffer(0)
    if kind == "ellipse":
        return _ellipse(value, where)
    if kind in ("above", "below", "medial", "lateral"):
        return _beyond(_points(value, where, 2, figure, frame), kind)
    if kind == "arm":
        t0, t1 = spec.get("across", [-0.2, 0.2])
        return figure.arm.cell(value[0], value[1], t0, t1)
    if kind == "leg":
        t0, t1 = spec.get("across", [-0.2, 0.2])
        return figure.leg_cell(value[0], value[1], t0, t1)
    if kind in ("finger", "toe"):
        try:
            return figure.digit_sector(view, str(value))
        except KeyError:
            raise where(f"no {kind} {value!r} on the {view} view") from None
    if kind in ("all", "any", "minus"):
        if not isinstance(value, list) or not value:
            raise where(f"{kind} needs a list of cells")
        geoms = [build_cell(s, figure, where, view) for s in value]
        if kind == "any":
            return unary_union(geoms)
        out = geoms[0]
        for g in geoms[1:]:
            out = out.intersection(g) if kind == "all" else out.difference(g)
        return out
    raise where(f"unknown cell shape {kind!r}")
