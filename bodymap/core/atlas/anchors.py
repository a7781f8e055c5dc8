"""Places in anatomical terms: anchors (points relative to landmarks) and zone parts (unions of
regions, discs and bands), turned into geometry on a view for one side of the patient."""

from __future__ import annotations

from functools import cached_property

from shapely.geometry import LineString, Point, Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from bodymap.core.chart.body import Body
from bodymap.core.chart.figure import PROFILE_FORWARD
from bodymap.core.chart.frame import PAIRED_SIDES, Side, View, opposite, place, place_point, x_sign
from bodymap.core.data import JsonObject, Where
from bodymap.core.geometry import polygonal

HALF_PLANE = 5.0
SMOOTH = 0.003  # zones are drawn with rounded corners (about 5 mm), as referral patterns are drawn
ZONE_DETAIL = 5e-5  # a zone's outline follows its shape to within 0.085 mm


class Places:
    """Resolves anchors and zone parts against one Body. Errors name the file, the item and the field."""

    def __init__(self, body: Body):
        self.body = body

    @cached_property
    def _lateral(self) -> dict[tuple[View, str], tuple[float, float]]:
        """Each landmark's position in the lateral frame (u >= 0) on each view where it exists."""
        out: dict[tuple[View, str], tuple[float, float]] = {}
        for view, bv in self.body.views.items():
            for m in bv.landmarks:
                out.setdefault((view, m.id), (abs(m.point[0]), m.point[1]))
        return out

    @cached_property
    def region_views(self) -> dict[str, View]:
        return {r.id: r.view for bv in self.body.views.values() for r in bv.regions}

    def landmark(self, view: View, landmark_id: str, where: Where) -> tuple[float, float]:
        try:
            return self._lateral[(view, landmark_id)]
        except KeyError:
            known = [v for (v, lid) in self._lateral if lid == landmark_id]
            if known:
                raise where.error(
                    f"landmark {landmark_id!r} is not on the {view} view "
                    f"(it is on: {', '.join(sorted(known))})"
                ) from None
            raise where.error(f"unknown landmark {landmark_id!r}") from None

    def anchor(self, spec: object, view: View, where: Where) -> tuple[float, float]:
        """An anchor's point (u, y) in the lateral frame."""
        if isinstance(spec, str):
            spec = {"landmark": spec}
        if not isinstance(spec, dict):
            raise where.error(f"an anchor must be an object, got {spec!r}")
        if "landmark" in spec:
            lm = spec["landmark"]
            u, y = self.anchor(lm, view, where) if isinstance(lm, dict) else self.landmark(view, lm, where)
        elif "between" in spec:
            ends = spec["between"]
            t = spec.get("t")
            if not (isinstance(ends, list) and len(ends) == 2) or not isinstance(t, (int, float)):
                raise where.error("'between' needs two landmarks and a fraction t")
            (u0, y0), (u1, y1) = (self.anchor(e, view, where) for e in ends)
            u, y = u0 + (u1 - u0) * t, y0 + (y1 - y0) * t
        elif "digit" in spec:
            u, y = self._digit(spec, view, where)
        else:
            raise where.error(f"an anchor needs 'landmark', 'between' or 'digit', got {sorted(spec)}")
        off = spec.get("offset", {})
        # On the head view a profile's own directions are forward (to the face) and up; its lateral
        # frame runs away from the view's midline, which is forward or backward as the profile faces.
        across = "forward" if view == "head" else "lateral"
        if not isinstance(off, dict) or set(off) - {across, "up"}:
            raise where.error(f"offset takes only '{across}' and 'up' on the {view} view")
        sign = PROFILE_FORWARD if view == "head" else 1.0
        return u + sign * float(off.get(across, 0.0)), y + float(off.get("up", 0.0))

    def _digit(self, spec: JsonObject, view: View, where: Where) -> tuple[float, float]:
        """A point on a finger's or a toe's axis: `at` 0 at its web, 1 at its tip."""
        figure = self.body.figure
        name, at = spec["digit"], spec.get("at")
        if not isinstance(at, (int, float)) or not 0 <= at <= 1:
            raise where.error("a digit anchor needs 'at' from 0 (its web) to 1 (its tip)")
        digits = {d.name: d for row, _first in figure.digit_rows(view) for d in row}
        if name not in digits:
            raise where.error(f"no digit {name!r} on the {view} view (it has: {', '.join(digits)})")
        d = digits[name]
        a, y = d.point(d.web + float(at) * (d.length - d.web))
        return figure.lateral_u(view, a), y

    def point(self, spec: object, view: View, side: Side, where: Where) -> tuple[float, float]:
        """An anchor placed on `view` for the patient's `side`."""
        u, y = self.anchor(spec, view, where)
        return place_point(u, y, view, side)

    def half(self, view: View, side: Side) -> BaseGeometry:
        """The half of the chart on the patient's `side` (a zone of one side stays on that side)."""
        s = x_sign(view, side)
        return box(0, -1, HALF_PLANE, 2) if s > 0 else box(-HALF_PLANE, -1, 0, 2)

    def zone(self, parts: object, side: Side, where: Where) -> dict[View, BaseGeometry]:
        """The union of a zone's parts, per view, for a trigger point on the patient's `side`."""
        if not isinstance(parts, list):
            raise where.error("a zone must be a list of parts")
        pieces: dict[View, list[BaseGeometry]] = {}
        # Where the zone may lie: the halves of the chart on the sides its parts are on, and the midline
        # regions it names (a zone that names the nose reaches across the midline only there).
        allowed: dict[View, list[BaseGeometry]] = {}
        for i, part in enumerate(parts):
            w = Where(where.file, where.item, f"{where.field}[{i}]")
            rel = part.get("side", "same") if isinstance(part, dict) else None
            if rel not in ("same", "opposite", "both"):
                raise w.error(f"side must be same, opposite or both, got {rel!r}")
            sides = self._sides(side, rel)
            view, geoms, inside = self._part(part, sides, w)
            clipped = unary_union(geoms)
            if not inside:  # regions already lie inside the outline; discs and bands are clipped to it
                clipped = clipped.intersection(self.body[view].outline)
            if clipped.is_empty or clipped.area < 1e-7:
                raise w.error("lies outside the body")
            pieces.setdefault(view, []).append(clipped)
            region = self.body[view].region(part["region"], "midline") if "region" in part else None
            may = allowed.setdefault(view, [])
            may += [self.half(view, s) for s in sides]
            if region is not None and region.side == "midline":
                may.append(region.geometry)
        return {v: self._smooth(unary_union(g), v, unary_union(allowed[v])) for v, g in pieces.items()}

    def _smooth(self, zone: BaseGeometry, view: View, allowed: BaseGeometry) -> BaseGeometry:
        """Round the corners that region cells leave, without leaving the body or the zone's sides."""
        round_: BaseGeometry = (
            zone.buffer(SMOOTH, quad_segs=6).buffer(-2 * SMOOTH, quad_segs=6).buffer(SMOOTH, quad_segs=6)
        )
        round_ = round_.union(zone.buffer(-SMOOTH, quad_segs=6))  # never lose a thin zone entirely
        if round_.area < 0.5 * zone.area:
            round_ = zone  # a sliver: keep it as it was rather than erase it
        # The rounding leaves arcs of many short segments; a zone a few hundredths of a millimetre
        # coarser looks the same at any zoom and paints (and overlays) in a third of the time.
        round_ = round_.simplify(ZONE_DETAIL, preserve_topology=True)
        clipped = round_.intersection(self.body[view].outline).intersection(allowed)
        return polygonal(clipped) if not clipped.is_empty else zone

    @staticmethod
    def _sides(side: Side, rel: str) -> tuple[Side, ...]:
        if side == "midline" or rel == "both":
            return PAIRED_SIDES
        return (side,) if rel == "same" else (opposite(side),)

    def _part(
        self, part: JsonObject, sides: tuple[Side, ...], w: Where
    ) -> tuple[View, list[BaseGeometry], bool]:
        """The part's view, its geometry on each side, and whether that already lies inside the body."""
        if "region" in part:
            rid = part["region"]
            view = self.region_views.get(rid)
            if view is None:
                raise w.error(f"unknown region {rid!r}")
            geoms = []
            for s in sides:
                region = self.body[view].region(rid, s)
                if region is None:  # a region is paired or on the midline: it answers for every side
                    raise w.error(f"region {rid!r} has no {s} side")
                geoms.append(region.geometry)
            return view, geoms, True
        view = part.get("view")
        if view not in self.body.views:
            raise w.error(f"needs a view (front, back or plantar), got {view!r}")
        if "around" in part:
            r = part.get("radius")
            if not isinstance(r, (int, float)) or not 0 < r <= 0.1:
                raise w.error("radius must be a number in (0, 0.1]")
            shape: Polygon = Point(self.anchor(part["around"], view, w)).buffer(r, quad_segs=12)
        elif "along" in part:
            width = part.get("width")
            if not isinstance(width, (int, float)) or not 0 < width <= 0.1:
                raise w.error("width must be a number in (0, 0.1]")
            pts = [self.anchor(a, view, w) for a in part["along"]]
            if len(pts) < 2:
                raise w.error("'along' needs at least two anchors")
            shape = LineString(pts).buffer(width / 2, quad_segs=8)
        else:
            raise w.error(f"a part needs region, around or along, got {sorted(part)}")
        return view, [place(shape, view, s).intersection(self.half(view, s)) for s in sides], False
