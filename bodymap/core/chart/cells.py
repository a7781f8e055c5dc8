"""The little shape language of cells.json: boxes, polygons, ellipses, half-planes and limb bands."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from .figure import Figure

FAR = 3.0  # beyond the body in every direction


def _half_plane(line: list[list[float]], above: bool) -> Polygon:
    pts = [(float(u), float(y)) for u, y in line]
    y_end = FAR if above else -FAR
    ring = [(-FAR, pts[0][1])] + pts + [(FAR, pts[-1][1]), (FAR, y_end), (-FAR, y_end)]
    return Polygon(ring).buffer(0)


def build_cell(spec: object, figure: Figure, where: Callable[[str], Exception]) -> BaseGeometry:
    """Turn one cell spec into a shapely geometry in the lateral frame."""
    if not isinstance(spec, dict) or len(spec.keys() - {"across"}) != 1:
        raise where(f"a cell needs exactly one shape, got {spec!r}")
    kind = next(iter(spec.keys() - {"across"}))
    value = spec[kind]
    if kind == "box":
        return box(*value)
    if kind == "poly":
        return Polygon(value).buffer(0)
    if kind == "ellipse":
        u, y, ru, ry = value
        t = np.linspace(0, 2 * np.pi, 48, endpoint=False)
        return Polygon(np.stack([u + ru * np.cos(t), y + ry * np.sin(t)], axis=1))
    if kind in ("above", "below"):
        return _half_plane(value, above=(kind == "above"))
    if kind == "arm":
        t0, t1 = spec.get("across", [-0.2, 0.2])
        return figure.arm.cell(value[0], value[1], t0, t1)
    if kind == "leg":
        t0, t1 = spec.get("across", [-0.2, 0.2])
        return figure.leg_cell(value[0], value[1], t0, t1)
    if kind == "all":
        geoms = [build_cell(s, figure, where) for s in value]
        out = geoms[0]
        for g in geoms[1:]:
            out = out.intersection(g)
        return out
    if kind == "any":
        return unary_union([build_cell(s, figure, where) for s in value])
    raise where(f"unknown cell shape {kind!r}")
