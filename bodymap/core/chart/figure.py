"""The body silhouette: built from figure.json into one shapely polygon per view."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from bodymap.core.data import JsonObject
from bodymap.core.geometry import polygon_parts

from .frame import mirror
from .spline import Points, catmull_rom, polyline_length


@dataclass(frozen=True)
class Limb:
    """A limb as a smooth skeleton axis with lateral and medial half-widths along it."""

    joints: Points  # (n, 2) joint centres in the lateral frame
    stations: npt.NDArray[np.float64]  # (m, 3) rows of (distance along the axis, lateral half-width, medial)

    @cached_property
    def axis(self) -> Points:
        return catmull_rom(self.joints, samples=40)

    @cached_property
    def length(self) -> float:
        return float(polyline_length(self.axis)[-1])

    def frame_at(self, d: npt.NDArray[np.float64]) -> tuple[Points, Points]:
        """Points on the axis at distances `d` (extended straight past the ends) and their lateral normals."""
        ax = self.axis
        s = polyline_length(ax)
        d = np.atleast_1d(np.asarray(d, dtype=float))
        tang = np.gradient(ax, axis=0)
        tang /= np.linalg.norm(tang, axis=1)[:, None]
        tx = np.interp(np.clip(d, 0, s[-1]), s, tang[:, 0])
        ty = np.interp(np.clip(d, 0, s[-1]), s, tang[:, 1])
        t = np.stack([tx, ty], axis=1)
        t /= np.linalg.norm(t, axis=1)[:, None]
        px = np.interp(np.clip(d, 0, s[-1]), s, ax[:, 0])
        py = np.interp(np.clip(d, 0, s[-1]), s, ax[:, 1])
        p = np.stack([px, py], axis=1)
        # Past either end, continue along the end tangent.
        over = d - np.clip(d, 0, s[-1])
        p = p + over[:, None] * t
        # The lateral normal points away from the midline (+u). The axis runs downward (head to
        # foot), so rotating the tangent by -90 degrees gives +u.
        n = np.stack([-t[:, 1], t[:, 0]], axis=1)
        n *= np.where(n[:, 0:1] < 0, -1.0, 1.0)
        return p, n

    def at(self, d: float, lateral: float = 0.0) -> tuple[float, float]:
        p, n = self.frame_at(np.array([d]))
        q = p[0] + lateral * n[0]
        return float(q[0]), float(q[1])

    def polygon(self) -> Polygon:
        st = self.stations
        p, n = self.frame_at(st[:, 0])
        lat = p + n * st[:, 1:2]
        med = p - n * st[:, 2:3]
        tip, _ = self.frame_at(np.array([st[-1, 0] + 0.6 * min(st[-1, 1], st[-1, 2])]))
        ring = np.vstack([lat, tip, med[::-1]])
        # The first and last control points join straight through the (hidden) shoulder end.
        curve = catmull_rom(ring, samples=10)
        return Polygon(curve).buffer(0)

    def cell(self, d0: float, d1: float, t0: float, t1: float) -> Polygon:
        """The area between distances d0..d1 along the axis and offsets t0..t1 across it (+ = lateral)."""
        d = np.linspace(d0, d1, max(2, int(abs(d1 - d0) / 0.004) + 2))
        p, n = self.frame_at(d)
        a = p + n * t0
        b = p + n * t1
        return Polygon(np.vstack([a, b[::-1]])).buffer(0)


def _thumb(arm: Limb, spec: JsonObject) -> Polygon:
    """The thumb: in anatomical position it hangs beside the index, abducted a little laterally."""
    base, n = arm.frame_at(np.array([spec["base_d"]]))
    p0 = base[0] + n[0] * spec["base_offset"]
    down = np.array([n[0][1], -n[0][0]])
    if down[1] > 0:
        down = -down
    ang = np.radians(spec["angle_deg"])
    direction = np.cos(ang) * down + np.sin(ang) * n[0]
    side = np.array([-direction[1], direction[0]])
    if side[0] < 0:
        side = -side  # +side is lateral
    w, length = spec["width"], spec["length"]
    pts = [
        p0 - side * w * 1.2 - direction * 0.010,
        p0 + direction * length * 0.40 - side * w * 1.0,
        p0 + direction * length * 0.80 - side * w * 0.85,
        p0 + direction * length * 0.97 - side * w * 0.45,
        p0 + direction * length,
        p0 + direction * length * 0.97 + side * w * 0.45,
        p0 + direction * length * 0.75 + side * w * 0.95,
        p0 + direction * length * 0.35 + side * w * 1.15,
        p0 + side * w * 1.3 - direction * 0.012,
    ]
    return Polygon(catmull_rom(np.array(pts), closed=True, samples=8)).buffer(0)


@dataclass(frozen=True)
class Figure:
    """The silhouette and its skeleton, in the lateral frame; built once from figure.json."""

    spec: JsonObject

    @cached_property
    def arm(self) -> Limb:
        a = self.spec["arm"]
        return Limb(np.array(a["joints"], float), np.array(a["stations"], float))

    @cached_property
    def leg_axis(self) -> Limb:
        return Limb(np.array(self.spec["leg"]["axis"], float), np.zeros((0, 3)))

    def leg_cell(self, y0: float, y1: float, t0: float, t1: float) -> Polygon:
        """The leg between heights y0..y1 (extended past the ends) and offsets t0..t1 across its axis."""
        return self.leg_axis.cell(self.leg_distance(max(y0, y1)), self.leg_distance(min(y0, y1)), t0, t1)

    def leg_distance(self, y: float) -> float:
        """Distance along the leg's axis (from its top) of the point at height y."""
        ax = self.leg_axis.axis
        s = polyline_length(ax)
        top, bottom = ax[0, 1], ax[-1, 1]
        if y > top:
            return float(-(y - top))
        if y < bottom:
            return float(s[-1] + (bottom - y))
        return float(np.interp(-y, -ax[:, 1], s))

    def leg_at(self, y: float, across: float = 0.0) -> tuple[float, float]:
        return self.leg_axis.at(self.leg_distance(y), across)

    def joint(self, name: str) -> tuple[float, float]:
        names = self.spec["arm"]["joint_names"]
        u, y = self.spec["arm"]["joints"][names.index(name)]
        return float(u), float(y)

    @cached_property
    def half(self) -> BaseGeometry:
        """The silhouette's u >= 0 half (one side, midline included)."""
        trunk = np.array(self.spec["trunk"], float)
        trunk_curve = catmull_rom(trunk, samples=8)
        trunk_half = Polygon(np.vstack([trunk_curve, [[0.0, trunk[-1, 1]]]])).buffer(0)
        leg = self.spec["leg"]
        lat = catmull_rom(np.array(leg["lateral"], float), samples=8)
        med = catmull_rom(np.array(leg["medial"], float), samples=8)
        leg_poly = Polygon(np.vstack([[[0.0, 0.54]], lat, med, [[0.0, 0.54]]])).buffer(0)
        arm = self.arm.polygon()
        thumb = _thumb(self.arm, self.spec["arm"]["thumb"])
        parts = [trunk_half, leg_poly, arm, thumb]
        whole = unary_union(parts + [mirror(p) for p in parts])
        sm = self.spec["smoothing"]
        # Closing rounds the concave joins (axilla, thumb web, crotch); a light opening the convex ones.
        whole = whole.buffer(sm["close"], quad_segs=8).buffer(-sm["close"], quad_segs=8)
        whole = whole.buffer(-sm["open"], quad_segs=8).buffer(sm["open"], quad_segs=8)
        whole = whole.simplify(0.0001)  # coarser leaves > 30 degree turns at the crotch
        return whole.intersection(box(0.0, -1.0, 2.0, 2.0))

    @cached_property
    def outline(self) -> Polygon:
        """The whole front/back silhouette, exactly mirror-symmetric by construction."""
        return _largest(unary_union([self.half, mirror(self.half)]))

    @cached_property
    def sole(self) -> BaseGeometry:
        """One sole in the plantar view's lateral frame (big toe towards the midline)."""
        p = self.spec["plantar"]
        pts = np.array(p["sole"], float) + [p["center_u"], 0.0]
        return Polygon(catmull_rom(pts, closed=True, samples=8)).buffer(0).simplify(0.0002)

    @cached_property
    def plantar_outline(self) -> BaseGeometry:
        return unary_union([self.sole, mirror(self.sole)])


def _largest(geom: BaseGeometry) -> Polygon:
    if isinstance(geom, Polygon):
        return Polygon(geom.exterior)
    return Polygon(max(polygon_parts(geom), key=lambda g: g.area).exterior)
