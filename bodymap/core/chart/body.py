"""The body charts: outline, named surface regions, landmarks and orientation lines for each view.

Everything is built from the data in data/body/ in the lateral frame and then placed on each view
for the patient's right and left (see frame.py for the laterality rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from bodymap.core.cache import cached
from bodymap.core.data import DataError, JsonObject, load_json, require
from bodymap.core.geometry import polygon_parts, polygonal
from bodymap.core.names import NameIndex

from .cells import build_cell
from .figure import Figure
from .frame import PAIRED_SIDES, VIEWS, Side, View, check_view, mirror, place, place_point
from .spline import catmull_rom

# A point a person gives (a mark tapped, a spot clicked for the lookup) this close outside the outline,
# about 3.4 mm on a 170 cm adult, is on the skin: the outline is a drawing, and so is their aim.
ON_SKIN = 0.002


@dataclass(frozen=True)
class Region:
    """A named surface region on one view and one side of the patient."""

    id: str
    name: str
    view: View
    side: Side
    choir: tuple[int, ...]
    choir_area: str
    describes: str
    geometry: BaseGeometry = field(repr=False, compare=False)

    @property
    def key(self) -> str:
        return f"{self.view}:{self.id}:{self.side}"

    @property
    def label(self) -> str:
        return self.name if self.side == "midline" else f"{self.name} ({self.side})"


@dataclass(frozen=True)
class Landmark:
    """A standard palpation landmark on one view and side."""

    id: str
    name: str
    synonyms: tuple[str, ...]
    view: View
    side: Side
    point: tuple[float, float]
    note: str = ""

    @property
    def label(self) -> str:
        return self.name if self.side == "midline" else f"{self.name} ({self.side})"


@dataclass(frozen=True)
class Line:
    """A light orientation line (clavicle, spine, gluteal fold, ...)."""

    id: str
    view: View
    side: Side
    coords: tuple[tuple[float, float], ...]
    closed: bool = False


@dataclass(frozen=True)
class BodyView:
    view: View
    outline: BaseGeometry = field(repr=False)
    regions: tuple[Region, ...] = field(repr=False)
    landmarks: tuple[Landmark, ...] = field(repr=False)
    lines: tuple[Line, ...] = field(repr=False)

    @cached_property
    def _regions(self) -> dict[tuple[str, Side], Region]:
        return {(r.id, r.side): r for r in self.regions}

    @cached_property
    def _landmarks(self) -> dict[tuple[str, Side], Landmark]:
        return {(m.id, m.side): m for m in self.landmarks}

    def region(self, region_id: str, side: Side) -> Region | None:
        """The region `region_id` on `side`. A midline region answers for any side, and a point on the
        midline of a paired region (the forehead's centre) is named by either half."""
        found = self._regions.get((region_id, side)) or self._regions.get((region_id, "midline"))
        if found is None and side == "midline":
            found = self._regions.get((region_id, "right"))
        return found

    def landmark(self, landmark_id: str, side: Side) -> Landmark | None:
        return self._landmarks.get((landmark_id, side)) or self._landmarks.get((landmark_id, "midline"))

    def contains(self, x: float, y: float, tolerance: float = 0.0) -> bool:
        """Whether a point is on the body: inside the outline, or within `tolerance` of it (ON_SKIN for
        a point given by a person: a tap or a click on the edge of the skin is on the skin)."""
        pt = Point(x, y)
        return (
            self.outline.covers(pt) if tolerance <= 0 else bool(shapely.dwithin(self.outline, pt, tolerance))
        )


@dataclass(frozen=True)
class Body:
    figure: Figure = field(repr=False)
    views: dict[View, BodyView] = field(repr=False)

    @cached_property
    def landmark_names(self) -> NameIndex:
        """Landmark ids by id, name or synonym ("mastoid_process", "Mastoid process", "TMJ")."""
        names: dict[str, tuple[str, ...]] = {}
        for bv in self.views.values():
            for m in bv.landmarks:
                names.setdefault(m.id, (m.name, *m.synonyms))
        return NameIndex(names.items())

    def landmark_sides(self, landmark_id: str) -> dict[Side, list[Landmark]]:
        """A landmark's instances on every view, by the patient's side."""
        out: dict[Side, list[Landmark]] = {}
        for bv in self.views.values():
            for m in bv.landmarks:
                if m.id == landmark_id:
                    out.setdefault(m.side, []).append(m)
        return out

    def __getitem__(self, view: str) -> BodyView:
        return self.views[check_view(view)]


# --- building -------------------------------------------------------------------------------------


# A stray piece of a region smaller than this (about 0.6 cm^2 on a 170 cm adult) is a crumb left where
# two cells' curves run close together; larger ones are authoring errors that the tests report.
CRUMB = 2e-5


def _despike_ring(coords: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The ring without needles: a vertex where the boundary runs out and straight back (an artefact of
    overlaying curves that share a point) is dropped. A needle has no area, so nothing moves."""
    pts = coords[:-1]
    changed = True
    while changed and len(pts) > 3:
        changed = False
        for i in range(len(pts)):
            a, b, c = np.array(pts[i - 1]), np.array(pts[i]), np.array(pts[(i + 1) % len(pts)])
            u, v = a - b, c - b
            lu, lv = float(np.hypot(*u)), float(np.hypot(*v))
            cross = abs(float(u[0] * v[1] - u[1] * v[0]))
            # Out and back: the two edges leave the vertex in almost the same direction (< 0.5 degree)
            # and enclose no area to speak of (a needle, not a thin wedge of the region).
            if lu < 1e-12 or lv < 1e-12 or (float(u @ v) > 0 and cross < min(0.009 * lu * lv, 1e-11)):
                del pts[i]
                changed = True
                break
    return [*pts, pts[0]]


def _despike(geom: BaseGeometry) -> BaseGeometry:
    polys = []
    for p in polygon_parts(geom):
        shell = _despike_ring([(c[0], c[1]) for c in p.exterior.coords])
        holes = [_despike_ring([(c[0], c[1]) for c in r.coords]) for r in p.interiors]
        q = Polygon(shell, [h for h in holes if len(h) > 3])
        polys.append(q if q.is_valid else q.buffer(0))
    return unary_union(polys) if len(polys) != 1 else polys[0]


def _one_piece_each(pieces: dict[str, BaseGeometry]) -> dict[str, BaseGeometry]:
    """Give each region one piece: a crumb split off a region's main piece joins the neighbour it
    shares the longest border with, so the partition stays exact."""
    out = dict(pieces)
    for rid, geom in pieces.items():
        parts = sorted(polygon_parts(geom), key=lambda g: g.area, reverse=True)
        if len(parts) < 2:
            continue
        keep = [parts[0]]
        for crumb in parts[1:]:
            if crumb.area >= CRUMB:
                keep.append(crumb)
                continue
            near = crumb.buffer(1e-6)
            # The neighbour with the longest shared border that it joins into one piece, else (a crumb
            # only touching the skin elsewhere) the nearest one.
            ranked = sorted(
                (o for o in out if o != rid),
                key=lambda o: (near.intersection(out[o].boundary).length, -crumb.distance(out[o])),
                reverse=True,
            )
            joined = [(o, unary_union([out[o], crumb])) for o in ranked[:3]]
            best, whole = next(((o, g) for o, g in joined if isinstance(g, Polygon)), joined[0])
            out[best] = whole
        out[rid] = unary_union(keep)
    return out


class _Places:
    """Resolves the position notations of the body data ([u, y], {'arm': ...}, {'leg': ...}) into the
    lateral frame. [u, y] is in the view's own frame: on the soles per sole, on the head view per
    profile (see Figure.lateral_u)."""

    def __init__(self, figure: Figure, file: str, view: View):
        self.figure, self.file, self.view = figure, file, view

    def point(self, spec: object, item: str) -> tuple[float, float]:
        if isinstance(spec, list) and len(spec) == 2:
            return self.figure.lateral_u(self.view, float(spec[0])), float(spec[1])
        if isinstance(spec, dict) and "arm" in spec:
            d, t = spec["arm"]
            return self.figure.arm.at(d, t)
        if isinstance(spec, dict) and "leg" in spec:
            y, t = spec["leg"]
            return self.figure.leg_at(y, t)
        raise DataError(self.file, f"cannot read the position {spec!r}", item)


def _build_regions(
    figure: Figure, view: View, info: dict[str, JsonObject], choir: JsonObject
) -> list[Region]:
    file = "body/cells.json"
    spec = load_json(file)
    half = figure.half_of(view)
    pieces: dict[str, BaseGeometry] = {}
    remaining = half
    for part in require(spec, view, list, file, None):
        pname = part.get("part", "?")

        def where(msg: str, _p: str = pname) -> DataError:
            return DataError(file, msg, f"{view} part {_p}")

        def cell_of(c: object, region: str | None = None, _p: str = pname) -> BaseGeometry:
            g = build_cell(c, figure, lambda m: DataError(file, m, f"{view} {region or _p}"), view)
            return figure.to_lateral(view, g)

        pgeom = (
            remaining if part["cell"] == "rest" else polygonal(remaining.intersection(cell_of(part["cell"])))
        )
        remaining = polygonal(remaining.difference(pgeom))
        left = pgeom
        for rid, cell in part["regions"]:
            if rid not in info:
                raise where(f"region {rid!r} is not in regions.json")
            if info[rid]["view"] != view:
                raise where(f"region {rid!r} belongs to the {info[rid]['view']} view")
            piece = left if cell == "rest" else polygonal(left.intersection(cell_of(cell, rid)))
            left = polygonal(left.difference(piece))
            pieces[rid] = piece
        if not left.is_empty and left.area > 1e-9:
            raise where(f"leaves {left.area:.2e} unassigned; its last region must take the rest")
    pieces = {rid: _despike(g) for rid, g in _one_piece_each(pieces).items()}
    regions: list[Region] = []
    for rid, piece in pieces.items():
        meta = info[rid]
        area = meta["choir"]
        if piece.is_empty or piece.area < 1e-7:
            raise DataError(file, "is empty: its cell covers nothing left in its part", f"{view} {rid}")
        codes = choir[view][area] if area in choir[view] else None
        if codes is None:
            raise DataError(
                "body/regions.json", f"CHOIR area {area!r} does not exist on the {view} view", rid, "choir"
            )
        if meta["pairing"] == "midline":
            geom = unary_union([piece, mirror(piece)])
            regions.append(
                Region(
                    rid,
                    meta["name"],
                    view,
                    "midline",
                    tuple(sorted(codes.values())),
                    area,
                    meta["describes"],
                    geom,
                )
            )
        else:
            for side in PAIRED_SIDES:
                regions.append(
                    Region(
                        rid,
                        meta["name"],
                        view,
                        side,
                        (codes[side],),
                        area,
                        meta["describes"],
                        place(piece, view, side),
                    )
                )
    return regions


def _build_landmarks(figure: Figure, view: View) -> list[Landmark]:
    file = "body/landmarks.json"
    places = _Places(figure, file, view)
    out = []
    for m in load_json(file)["landmarks"]:
        if view not in m["at"]:
            continue
        u, y = places.point(m["at"][view], m["id"])
        sides: tuple[Side, ...] = {
            "paired": PAIRED_SIDES,
            "midline": ("midline",),
            "right": ("right",),
            "left": ("left",),
        }[m["pairing"]]
        if view == "head":
            sides = PAIRED_SIDES  # each profile shows its own side of every landmark, midline ones too
        for side in sides:
            x, yy = place_point(u, y, view, side)
            out.append(
                Landmark(m["id"], m["name"], tuple(m["synonyms"]), view, side, (x, yy), m.get("note", ""))
            )
    return out


def _ring(center: tuple[float, float], ru: float, ry: float) -> list[tuple[float, float]]:
    t = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    return [(center[0] + ru * np.cos(a), center[1] + ry * np.sin(a)) for a in t]


def _build_lines(figure: Figure, view: View, outline: BaseGeometry) -> list[Line]:
    file = "body/lines.json"
    places = _Places(figure, file, view)
    out = []
    for spec in load_json(file)["lines"]:
        if spec["view"] != view:
            continue
        # Rings and curves are drawn in the view's own frame, then moved into the lateral frame.
        if "circle" in spec:
            *c, r = spec["circle"]
            center = places.point(c[0] if len(c) == 1 else c, spec["id"])
            pts = _ring(center, r, r)
        elif "ellipse" in spec:
            c, ru, ry = spec["ellipse"]
            pts = _ring(places.point(c, spec["id"]), ru, ry)
        else:
            pts = [places.point(p, spec["id"]) for p in spec["points"]]
            if len(pts) > 2:  # drawn as smooth curves through the given points
                pts = [
                    tuple(p) for p in catmull_rom(np.array(pts), closed=bool(spec.get("closed")), samples=8)
                ]
        closed = bool(spec.get("closed"))
        if not closed:
            # Orientation lines stop at the skin (the outline is mirror-symmetric, so the lateral
            # frame can use it as it is).
            clipped = LineString(pts).intersection(outline)
            if clipped.geom_type != "LineString" or clipped.is_empty:
                raise DataError(file, "does not lie on the body as one line", spec["id"])
            pts = [(c[0], c[1]) for c in clipped.coords]
        sides: tuple[Side, ...] = ("midline",) if spec["pairing"] == "midline" else PAIRED_SIDES
        for side in sides:
            coords = tuple(place_point(u, y, view, side) if side != "midline" else (u, y) for u, y in pts)
            out.append(Line(spec["id"], view, side, coords, closed))
    return out


def build_body() -> Body:
    """Build every view from the data files (about a tenth of a second; use load_body())."""
    figure = Figure(load_json("body/figure.json"))
    info = {r["id"]: r for r in load_json("body/regions.json")["regions"]}
    choir = load_json("body/choir.json")
    views: dict[View, BodyView] = {}
    for view in VIEWS:
        outline = figure.outline_of(view)
        views[view] = BodyView(
            view,
            outline,
            tuple(_build_regions(figure, view, info, choir)),
            tuple(_build_landmarks(figure, view)),
            tuple(_build_lines(figure, view, outline)),
        )
    return Body(figure, views)


@lru_cache(maxsize=1)
def load_body() -> Body:
    """The body charts, built once per process (from the checked disk cache when the data is unchanged)."""
    return cached("body", build_body)
