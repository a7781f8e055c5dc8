"""The body silhouettes: built from figure.json into one shapely polygon per view.

The front/back figure is a trunk contour and a skeleton (arm, leg) with half-widths along it, plus
the digits: five per hand (the thumb and four fingers) and five toes per foot, each a small rounded
limb of its own so the hand and the foot read as a hand and a foot. The soles have their toes too.
The head view is two profiles of the head and neck drawn from one contour.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
from shapely import affinity
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from bodymap.core.data import JsonObject
from bodymap.core.geometry import polygon_parts

from .frame import View, mirror
from .spline import Points, catmull_rom, polyline_length

Spec = JsonObject
STEP = 0.002  # limb bands are sampled every STEP along the axis
# Each profile of the head view is drawn as it is seen from its side (docs/design.md): someone at the
# patient's right sees the face on their right, so the faces turn towards the view's middle, and a
# profile's forward direction (a, to the face) runs to -u in the lateral frame.
PROFILE_FORWARD = -1.0


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

    def tangent_at(self, d: float) -> np.ndarray:
        """The unit direction of the axis at distance d, pointing away from the limb's root."""
        a, b = np.array(self.at(d - 0.001)), np.array(self.at(d + 0.001))
        v = b - a
        return np.asarray(v / np.linalg.norm(v))

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
        # Sampled at the same stations for every cell, so two bands that share a line share its
        # vertices exactly (no slivers between two samplings of one curve).
        lo, hi = min(d0, d1), max(d0, d1)
        inner = np.arange(np.ceil(lo / STEP), np.floor(hi / STEP) + 1) * STEP
        d = np.unique(np.concatenate([[lo], inner[(inner > lo) & (inner < hi)], [hi]]))
        p, n = self.frame_at(d)
        a = p + n * t0
        b = p + n * t1
        return Polygon(np.vstack([a, b[::-1]])).buffer(0)


@dataclass(frozen=True)
class Digit:
    """A finger or a toe: a short straight limb from a base point (buried in the palm or the foot)
    with half-widths at evenly spaced stations and a rounded end."""

    name: str
    base: tuple[float, float]
    direction: tuple[float, float]  # unit vector from the base to the tip
    lateral: tuple[float, float]  # unit vector across the digit, towards the lateral side (+u)
    length: float  # from the base to the very tip
    half_widths: tuple[float, ...]
    tip: float  # the rounded end's length as a fraction of the last half-width (1 = a half circle)
    web: float  # where the digit's region begins, along it from its base

    def point(self, along: float, across: float = 0.0) -> tuple[float, float]:
        b, d, n = np.array(self.base), np.array(self.direction), np.array(self.lateral)
        q = b + along * d + across * n
        return float(q[0]), float(q[1])

    def polygon(self) -> Polygon:
        w = np.array(self.half_widths, float)
        r = w[-1]
        cap = self.tip * r
        s = np.linspace(0.0, self.length - cap, max(4, len(w)))  # its sides are nearly straight
        hw = np.interp(s, np.linspace(0.0, self.length - cap, len(w)), w)
        ang = np.linspace(0.0, np.pi, 15)[1:-1]
        tip = [(self.length - cap + cap * np.sin(a), r * np.cos(a)) for a in ang]
        # The base end tapers back into the palm or the foot, so no corner of it shows at the skin.
        base = [(-0.8 * w[0], -0.45 * w[0]), (-0.8 * w[0], 0.45 * w[0])]
        local = (
            base
            + [(a, h) for a, h in zip(s, hw, strict=True)]
            + tip
            + [(a, -h) for a, h in zip(s[::-1], hw[::-1], strict=True)]
        )
        return Polygon([self.point(a, t) for a, t in local]).buffer(0)


def _unit(v: np.ndarray) -> np.ndarray:
    return np.asarray(v / np.linalg.norm(v))


def _digit(spec: Spec, base: np.ndarray, down: np.ndarray, lateral: np.ndarray) -> Digit:
    """A digit from its spec, its base point and the frame it fans out in (`down` towards the tips)."""
    a = np.radians(float(spec.get("angle", 0.0)))
    direction = _unit(np.cos(a) * down + np.sin(a) * lateral)
    across = np.array([-direction[1], direction[0]])
    if np.dot(across, lateral) < 0:
        across = -across
    return Digit(
        str(spec["name"]),
        (float(base[0]), float(base[1])),
        (float(direction[0]), float(direction[1])),
        (float(across[0]), float(across[1])),
        float(spec["length"]),
        tuple(float(h) for h in spec["half_widths"]),
        float(spec.get("tip", 1.0)),
        float(spec.get("web", 0.0)),
    )


def _smooth(geom: BaseGeometry, close: float, open_: float = 0.0) -> BaseGeometry:
    """Closing rounds the concave joins (axilla, webs, crotch); opening rounds the convex corners."""
    g = geom.buffer(close, quad_segs=8).buffer(-close, quad_segs=8)
    if open_:
        g = g.buffer(-open_, quad_segs=8).buffer(open_, quad_segs=8)
    return g


def _join_finely(body: BaseGeometry, digits: BaseGeometry, close: float) -> BaseGeometry:
    """`body` with the `digits` joined to it: the webs between and beside them rounded by a closing of
    radius `close`, nothing else of the body changed."""
    joined = unary_union([body, digits])
    webs = _smooth(joined, close).difference(joined).intersection(digits.buffer(3 * close))
    return unary_union([joined, webs]).simplify(0.00002)


@dataclass(frozen=True)
class Figure:
    """The silhouettes and their skeleton, in the lateral frame; built once from figure.json."""

    spec: Spec

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
        x, y = self.spec["arm"]["joints"][names.index(name)]
        return float(x), float(y)

    # -- digits ------------------------------------------------------------------------------------

    def _hand_digit(self, spec: Spec) -> Digit:
        d, t = spec["base"]
        _, n = self.arm.frame_at(np.array([d]))
        return _digit(spec, np.array(self.arm.at(d, t)), self.arm.tangent_at(d), n[0])

    @cached_property
    def thumb(self) -> Digit:
        """The thumb (lateral frame): in anatomical position it hangs beside the index, abducted a
        little laterally, its nail facing laterally."""
        return self._hand_digit(self.spec["hand"]["thumb"])

    @cached_property
    def fingers(self) -> dict[str, Digit]:
        """The four fingers of one hand (lateral frame), palm forward: index lateral, little medial."""
        return {f["name"]: self._hand_digit(f) for f in self.spec["hand"]["fingers"]}

    def digit_rows(self, view: View) -> list[tuple[list[Digit], float]]:
        """The digits of one hand or foot on `view`, in rows of neighbours that share the dividers
        between them, each with the side its first digit is on (+1: the row runs from lateral to
        medial, as the fingers; -1: from medial to lateral, as the toes)."""
        if view == "plantar":
            return [(list(self.sole_toes.values()), -1.0)]
        rows = [([self.thumb], 1.0), (list(self.fingers.values()), 1.0)]
        return rows + [(list(self.toes.values()), -1.0)] if view == "front" else rows

    def digit_sector(self, view: View, name: str) -> Polygon:
        """The part of the plane that belongs to digit `name` from its web on: bounded by the dividers
        halfway between it and its neighbours in its row (or, at the row's ends, by a line just outside
        the digit), so the digits of a row partition what they cover and meet the palm (or the sole)
        along one smooth line through their webs."""
        found = [(row, first) for row, first in self.digit_rows(view) if name in (d.name for d in row)]
        if not found:
            raise KeyError(name)
        row, first = found[0]
        i = [d.name for d in row].index(name)
        dig = row[i]

        def outer(sign: float) -> tuple[np.ndarray, np.ndarray]:
            w = np.array(dig.half_widths)
            reach = float(np.interp(dig.web, np.linspace(0.0, dig.length, len(w)), w)) + 0.002
            return np.array(dig.point(dig.web, sign * reach)), np.array(dig.direction)

        def facing(d: Digit, other: Digit, along: float) -> Points:
            """The point of d's edge that faces `other`, `along` from d's base."""
            toward = float(np.sign(np.dot(np.array(other.base) - np.array(d.base), np.array(d.lateral))))
            w = np.array(d.half_widths)
            half = float(np.interp(along, np.linspace(0.0, d.length, len(w)), w))
            return np.array(d.point(along, toward * half))

        def divider(other: Digit) -> tuple[Points, Points]:
            # Down the middle of the slot between the two: from halfway between their facing edges at
            # the web to halfway between them where the shorter one ends.
            end = 0.8 * min(dig.length, other.length)
            start = (facing(dig, other, dig.web) + facing(other, dig, other.web)) / 2
            tip = (facing(dig, other, end) + facing(other, dig, end)) / 2
            return start, _unit(tip - start)

        a = divider(row[i - 1]) if i > 0 else outer(first)
        b = divider(row[i + 1]) if i + 1 < len(row) else outer(-first)
        far = 0.2
        ring = [a[0], a[0] + far * a[1], b[0] + far * b[1], b[0]]
        return Polygon(ring).buffer(0)

    @cached_property
    def toes(self) -> dict[str, Digit]:
        """The five toes of one foot on the front view (lateral frame): the big toe medial."""
        down, lateral = np.array([0.0, -1.0]), np.array([1.0, 0.0])
        return {
            t["name"]: _digit(t, np.array(t["base"], float), down, lateral) for t in self.spec["foot"]["toes"]
        }

    @cached_property
    def sole_toes(self) -> dict[str, Digit]:
        """The five toes of one sole in the sole's own frame (x lateral, y from the heel)."""
        up, lateral = np.array([0.0, 1.0]), np.array([1.0, 0.0])
        return {
            t["name"]: _digit(t, np.array(t["base"], float), up, lateral)
            for t in self.spec["plantar"]["toes"]
        }

    # -- the front / back silhouette ---------------------------------------------------------------

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
        parts = [trunk_half, leg_poly, self.arm.polygon(), self.thumb.polygon()]
        sm = self.spec["smoothing"]
        whole = _smooth(unary_union(parts + [mirror(p) for p in parts]), sm["close"], sm["open"])
        whole = whole.simplify(0.0001)  # coarser leaves > 30 degree turns at the crotch
        # The fingers and toes join with a finer closing (a coarse one would fill the gaps between them),
        # applied only around them, so the rest of the outline keeps its vertices as they are.
        one_side = unary_union([d.polygon() for d in (*self.fingers.values(), *self.toes.values())])
        whole = _join_finely(whole, unary_union([one_side, mirror(one_side)]), sm["fine_close"])
        return whole.intersection(box(0.0, -1.0, 2.0, 2.0))

    @cached_property
    def outline(self) -> Polygon:
        """The whole front/back silhouette, exactly mirror-symmetric by construction."""
        return _largest(unary_union([self.half, mirror(self.half)]))

    # -- the soles -----------------------------------------------------------------------------------

    @cached_property
    def sole_local(self) -> BaseGeometry:
        """One sole with its toes in its own frame (x lateral, y from the heel)."""
        p = self.spec["plantar"]
        body = Polygon(catmull_rom(np.array(p["sole"], float), closed=True, samples=8)).buffer(0)
        toes = unary_union([t.polygon() for t in self.sole_toes.values()])
        return _join_finely(body, toes, self.spec["smoothing"]["fine_close"])

    @cached_property
    def sole(self) -> BaseGeometry:
        """One sole in the plantar view's lateral frame (big toe towards the midline)."""
        return self.to_lateral("plantar", self.sole_local)

    @cached_property
    def plantar_outline(self) -> BaseGeometry:
        return unary_union([self.sole, mirror(self.sole)])

    # -- the head view: two profiles ----------------------------------------------------------------

    @cached_property
    def profile_local(self) -> BaseGeometry:
        """One profile of the head and neck in its own frame (a = forwards from the ear canal, y up)."""
        pts = np.array(self.spec["profile"]["contour"], float)
        return Polygon(catmull_rom(pts, closed=True, samples=10)).buffer(0).simplify(0.00002)

    @cached_property
    def profile(self) -> BaseGeometry:
        """One profile in the head view's lateral frame."""
        return self.to_lateral("head", self.profile_local)

    @cached_property
    def head_outline(self) -> BaseGeometry:
        return unary_union([self.profile, mirror(self.profile)])

    # -- frames --------------------------------------------------------------------------------------

    def lateral_u(self, view: View, a: float) -> float:
        """The lateral-frame u of a point authored at `a` in the view's own frame.

        The soles are authored per sole (x lateral from the sole's centre line); the profiles per head
        (a forwards from the ear canal). Each sits `center_u` away from the view's midline."""
        if view == "plantar":
            return float(self.spec["plantar"]["center_u"]) + a
        if view == "head":
            return float(self.spec["profile"]["center_u"]) + PROFILE_FORWARD * a
        return a

    def to_lateral(self, view: View, geom: BaseGeometry) -> BaseGeometry:
        """Move a geometry authored in the view's own frame into its lateral frame."""
        if view == "plantar":
            return affinity.translate(geom, xoff=self.lateral_u(view, 0.0))
        if view == "head":
            turned = affinity.scale(geom, xfact=PROFILE_FORWARD, yfact=1.0, origin=(0.0, 0.0))
            return affinity.translate(turned, xoff=self.lateral_u(view, 0.0))
        return geom

    def half_of(self, view: View) -> BaseGeometry:
        """One side's share of the view in the lateral frame: what the view's regions partition."""
        if view == "plantar":
            return self.sole
        if view == "head":
            return self.profile
        return self.half

    def outline_of(self, view: View) -> BaseGeometry:
        if view == "plantar":
            return self.plantar_outline
        if view == "head":
            return self.head_outline
        return self.outline


def _largest(geom: BaseGeometry) -> Polygon:
    if isinstance(geom, Polygon):
        return Polygon(geom.exterior)
    return Polygon(max(polygon_parts(geom), key=lambda g: g.area).exterior)
