"""Measuring the shape of a region or a zone: corners, steps, thin parts, how ragged its border is."""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.polygon import orient


def interior_angles(poly: Polygon) -> list[tuple[float, tuple[float, float]]]:
    """(interior angle in degrees, vertex) at every vertex of every ring of a polygon."""
    poly = orient(shapely.remove_repeated_points(poly, 1e-9), 1.0)
    out = []
    for k, ring in enumerate([poly.exterior, *poly.interiors]):
        p = np.asarray(ring.coords)[:-1]
        a = np.roll(p, 1, axis=0) - p
        b = np.roll(p, -1, axis=0) - p
        cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
        between = np.degrees(np.arctan2(np.abs(cross), (a * b).sum(axis=1)))
        convex = cross < 0 if k == 0 else cross > 0  # the exterior runs counter-clockwise, holes clockwise
        interior = np.where(convex, between, 360.0 - between)
        out += [(float(x), (float(u), float(v))) for x, (u, v) in zip(interior, p, strict=True)]
    return out


def steps(
    poly: Polygon,
    sharp: float = 45.0,
    near: float = 0.006,
    skin: shapely.Geometry | None = None,
    least: float = 0.0003,
    near_skin: float = 1e-6,
) -> list[tuple[float, float]]:
    """The steps of a staircase: a sharp turn one way followed within `near` (about 1 cm) but not
    closer than `least` (0.5 mm: a jog nobody can see at any zoom the chart allows) by a sharp turn the
    other way. Returns where each step starts. A step whose middle lies within `near_skin` of `skin` (a
    zone that reaches the edge of the body and follows it for a moment) is the body's shape, not a step."""
    found = []
    for ring in [poly.exterior, *poly.interiors]:
        p = np.asarray(shapely.remove_repeated_points(ring, 1e-9).coords)[:-1]
        a = p - np.roll(p, 1, axis=0)
        b = np.roll(p, -1, axis=0) - p
        turn = np.degrees(np.arctan2(a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0], (a * b).sum(axis=1)))
        seg = np.linalg.norm(b, axis=1)
        at = np.concatenate([[0.0], np.cumsum(seg)])[:-1]
        total = seg.sum()
        corners = np.where(np.abs(turn) > sharp)[0]
        for i in corners:
            for j in corners:
                gap = (at[j] - at[i]) % total
                if least <= gap < near and np.sign(turn[i]) != np.sign(turn[j]):
                    middle = shapely.LinearRing(p).interpolate((at[i] + gap / 2) % total)
                    if skin is None or middle.distance(skin) > near_skin:
                        found.append((float(p[i][0]), float(p[i][1])))
    return found


def thin_share(geom: shapely.Geometry, thickness: float) -> float:
    """The share of an area that lies in parts thinner than `thickness` (what an opening removes)."""
    r = thickness / 2
    return 1.0 - geom.buffer(-r).buffer(r).area / geom.area


def roundness(geom: shapely.Geometry) -> float:
    """4 pi area / perimeter^2: 1 for a disc, small for a long thin or ragged shape."""
    return 4 * math.pi * geom.area / geom.length**2


def raggedness(geom: shapely.Geometry) -> float:
    """Perimeter / the perimeter of the convex hull: a staircase or a frayed edge raises it."""
    return geom.length / geom.convex_hull.length
