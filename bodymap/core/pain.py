"""Pain areas drawn on the chart: an immutable value of one geometry per view, changed by brush
strokes, lasso shapes, the eraser, and growing or shrinking. Each change returns a new value, so an
undo step is simply the value before and after.

`clean()` turns any drawn or imported area into its canonical form, in bounded time: the form the
records store and the lookup ranks (see its docstring).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np
import shapely
import shapely.errors
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from bodymap.core.chart.body import Body
from bodymap.core.chart.frame import View
from bodymap.core.geometry import polygonal

# About 0.3 mm² on a 170 cm adult: a smaller piece left by a gesture is a slip of the brush, not pain. (The
# MIN_STORED_AREA of a cleaned drawing is far smaller: it drops only what clipping to the body leaves.)
MIN_SHADED_AREA = 1e-7

# --- the canonical form of a drawn area ---------------------------------------------------------------

# Drawn areas are stored snapped to a millionth of stature (0.17 mm): finer is noise, and longer text. (The
# lookup's OVERLAY_GRID is another thing: a finer snap that keeps its overlays of many zones robust.)
STORAGE_GRID = 1e-6
_SCALE = 1_000_000.0  # 1 / STORAGE_GRID, as GEOS's precision model rounds: round(x * scale) / scale
# A cleaned drawing smaller than this (0.003 mm²) is what clipping and the grid leave, not drawing. Far
# below MIN_SHADED_AREA, the least a gesture shades: any area a file brings in is kept.
MIN_STORED_AREA = 1e-9
SPECK = 1e-6  # 3 mm² on a 170 cm adult: dropped from a drawing only to bring it within the budget
MAX_VERTICES = 100_000  # the most a drawing may bring (far beyond any hand-drawn one)
VERTEX_BUDGET = 2_000  # the most a cleaned area keeps per view: ranking it stays well under 50 ms
MAX_TOLERANCE = 1e-3  # simplify by at most 1.7 mm to meet the budget
REACH = 1e3  # coordinates beyond this (1,700 km) are clamped: GEOS's arithmetic overflows near 1e308
# A self-crossing outline is repaired in time proportional to its crossings (10-20 µs each); an
# outline that still crosses itself more often than this after simplification is refused, not
# computed for minutes. A hand-drawn lasso crosses itself a handful of times.
MAX_CROSSINGS = 5_000
REPAIR_VERTICES = 2_000  # a much-crossing outline is first simplified to at most this many vertices
# A drawing with more vertices than this is first simplified (as lines, by at most MAX_TOLERANCE) to
# about this many: the budget keeps fewer anyway, and every later step is then quick.
EARLY_VERTICES = 10_000


class AreaError(ValueError):
    """A drawn area that cannot be kept, in one line: it names the problem, never echoes the data."""


def clean(geom: BaseGeometry, outline: BaseGeometry, on_body: BaseGeometry) -> MultiPolygon | None:
    """A drawn area in canonical form, or None if nothing of it lies on `outline`.

    The canonical form: valid (a self-crossing outline encloses everything it goes around, so a
    figure-eight keeps both loops and a loop drawn twice has no hole), clipped to the body outline,
    snapped to the storage grid (STORAGE_GRID) with at most VERTEX_BUDGET vertices, in GEOS's normal vertex
    order, with the coordinates its GeoJSON text reads back as. Cleaning is idempotent, so a stored
    area, undone and redone, or exported and imported, comes back byte for byte.

    `on_body` is the outline grown by one grid step (prepared, kept by the caller): an area it covers
    is already on the body and is not cut again, which is what makes cleaning idempotent (cutting a
    snapped area again would add vertices where its edges cross the outline).

    Raises AreaError for what cannot be kept: coordinates that are not numbers, more than
    MAX_VERTICES vertices, an outline crossing itself more than MAX_CROSSINGS times, or detail beyond
    the vertex budget even when simplified by MAX_TOLERANCE. Any input of up to MAX_VERTICES vertices
    is answered within a second.
    """
    if not isinstance(geom, BaseGeometry) or geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise AreaError("a drawn area must be a polygon or multipolygon")
    if geom.is_empty:
        return None
    count = shapely.get_num_coordinates(geom) - len(shapely.get_rings(shapely.get_parts(geom)))
    if count > MAX_VERTICES:
        raise AreaError(f"the drawing has {count:,} vertices; at most {MAX_VERTICES:,} can be kept")
    coords = shapely.get_coordinates(geom)
    if not np.isfinite(coords).all():
        raise AreaError("the drawing has coordinates that are not numbers")
    if np.abs(coords).max() > REACH:
        geom = shapely.transform(geom, lambda c: np.clip(c, -REACH, REACH))
    # Snapped to the grid first (cheap, and it merges vertices closer than a grid step), then repaired.
    snapped = shapely.transform(geom, lambda c: np.round(c * _SCALE) / _SCALE)
    tolerance = STORAGE_GRID
    if count > EARLY_VERTICES:
        snapped, tolerance = _simplified_rings(snapped, EARLY_VERTICES)
    try:
        geom = repair(snapped, tolerance)
    except shapely.errors.GEOSException:
        # Rounding can make two near-coincident edges of a valid area cross in a way GEOS cannot
        # repair ("side location conflict"): repair first, then snap-round, which keeps it valid.
        geom = polygonal(shapely.set_precision(repair(geom, tolerance), STORAGE_GRID))
    if geom.is_empty:
        return None
    if not on_body.covers(geom):
        geom = _cut(geom, outline)
    out = _on_grid(geom)
    if out is not None and shapely.get_num_coordinates(out) > VERTEX_BUDGET:
        out = _within_budget(out, outline, on_body)
    if out is None or out.area < MIN_STORED_AREA:
        return None
    return out


def repair(geom: BaseGeometry, tolerance: float = STORAGE_GRID) -> BaseGeometry:
    """A valid polygonal version of a possibly self-crossing area, in bounded time (AreaError if the
    outline crosses itself too often to repair). `tolerance`: how far it has been simplified already."""
    # GEOS's own checks (is_valid, is_simple) are quick on valid input but can take seconds on an
    # outline with thousands of crossings, so crossings are counted first, and the count stops early.
    crossed = crossings(geom, MAX_CROSSINGS)
    if crossed == 0 and geom.is_valid:
        return geom
    if (
        crossed > MAX_CROSSINGS
        and shapely.get_num_coordinates(geom) > REPAIR_VERTICES
        and tolerance < MAX_TOLERANCE
    ):
        geom, _ = _simplified_rings(geom, REPAIR_VERTICES, tolerance)
        crossed = crossings(geom, MAX_CROSSINGS)
    if crossed > MAX_CROSSINGS:
        raise AreaError(
            f"the outline crosses itself more than {MAX_CROSSINGS:,} times; draw the area again "
            "without scribbling over it"
        )
    # "structure" keeps everything a ring goes around (the union of its loops): the area a person
    # means when a lasso crosses itself. The default ("linework") makes holes where loops overlap,
    # and takes minutes where this takes milliseconds.
    return polygonal(shapely.make_valid(geom, method="structure", keep_collapsed=False))


def crossings(geom: BaseGeometry, cap: int) -> int:
    """How many pairs of edges of the area's rings meet, other than neighbours; counting stops past `cap`.

    Bounding boxes first (an STRtree), then the exact test on the pairs whose boxes meet, batch by batch:
    the first batches are small, so a scribble whose every edge crosses thousands stops the count at
    once, and a long outline that crosses itself rarely is counted in a few big batches.
    """
    rings = shapely.get_rings(shapely.get_parts(geom))
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    along = ring[:-1] == ring[1:]  # consecutive vertices of one ring make an edge
    if not along.any():
        return 0
    starts = np.flatnonzero(along)
    segments: np.ndarray = np.asarray(
        shapely.linestrings(np.stack([coords[starts], coords[starts + 1]], axis=1))
    )
    owner = ring[starts]
    # Neighbours share an end point: the next edge of the same ring, and a ring's last and first edges.
    first = np.searchsorted(owner, owner, side="left")
    last = np.searchsorted(owner, owner, side="right") - 1
    tree = shapely.STRtree(segments)
    found, lo, step = 0, 0, 1
    while lo < len(segments) and found <= cap:
        left, right = tree.query(segments[lo : lo + step])
        left = left + lo
        lo, step = lo + step, min(step * 4, 65_536)
        keep = left < right
        left, right = left[keep], right[keep]
        same = owner[left] == owner[right]
        neighbours = same & ((right == left + 1) | ((left == first[left]) & (right == last[left])))
        left, right = left[~neighbours], right[~neighbours]
        for at in range(0, len(left), 8192):  # in slices, so that the count stops soon past the cap
            pairs = slice(at, at + 8192)
            found += int(shapely.intersects(segments[left[pairs]], segments[right[pairs]]).sum())
            if found > cap:
                break
    return found


def _simplified_rings(
    geom: BaseGeometry, budget: int, tolerance: float = STORAGE_GRID
) -> tuple[BaseGeometry, float]:
    """An area with its rings simplified (Douglas-Peucker, as lines, from `tolerance` up to MAX_TOLERANCE)
    to about `budget` vertices, and the tolerance that took. The result may cross itself: repair() follows.

    GEOS's own polygon simplifier repairs its result with buffer(0), which costs as much as the repair
    it is meant to make cheaper; simplifying the rings as lines does not.
    """
    polygons = shapely.get_parts(geom)
    holes = shapely.get_num_interior_rings(polygons)
    rings = shapely.get_rings(polygons)
    owner = np.repeat(np.arange(len(polygons)), holes + 1)
    coords_, index = shapely.get_coordinates(rings, return_index=True)
    lines: np.ndarray = np.asarray(shapely.linestrings(coords_, indices=index))
    while True:
        simple = shapely.simplify(lines, tolerance, preserve_topology=False)
        if shapely.get_num_coordinates(simple).sum() <= budget or tolerance >= MAX_TOLERANCE:
            break
        tolerance *= 4
    coords = [shapely.get_coordinates(s) for s in simple]
    parts: list[Polygon] = []
    for p in range(len(polygons)):
        mine = [c for c, o in zip(coords, owner, strict=True) if o == p] if len(polygons) > 1 else coords
        if len(mine[0]) < 4:
            continue  # the shell collapsed to a line: no area
        parts.append(Polygon(mine[0], [h for h in mine[1:] if len(h) >= 4]))
    return (MultiPolygon(parts) if parts else Polygon()), tolerance


def _simplified(geom: BaseGeometry, budget: int) -> BaseGeometry:
    """A valid area simplified (topology kept) with a tolerance growing from one grid step until at
    most `budget` vertices remain, or the tolerance reaches MAX_TOLERANCE."""
    tolerance = STORAGE_GRID
    while True:
        simpler = shapely.simplify(geom, tolerance, preserve_topology=True)
        if shapely.get_num_coordinates(simpler) <= budget or tolerance >= MAX_TOLERANCE:
            return simpler
        tolerance *= 4


def _within_budget(geom: MultiPolygon, outline: BaseGeometry, on_body: BaseGeometry) -> MultiPolygon | None:
    """The area simplified to the vertex budget (and cut to the outline again where simplifying moved an
    edge off it); if specks (pieces under SPECK, as a scribble leaves by the hundred) still hold it
    over, without them; AreaError if even that is too much.

    Simplifying aims below the budget, leaving room for the vertices the second cut adds, so that the
    result is within the budget and on the body and cleaning it again leaves it as it is.
    """
    simpler = _simplified(geom, VERTEX_BUDGET * 3 // 4)
    if not simpler.is_valid:  # the topology-preserving simplifier can still let two rings touch
        simpler = polygonal(shapely.make_valid(simpler, method="structure", keep_collapsed=False))
    if not on_body.covers(simpler):
        simpler = _cut(simpler, outline)
    out = _on_grid(simpler)
    if out is not None and shapely.get_num_coordinates(out) > VERTEX_BUDGET:
        parts = shapely.get_parts(out)
        out = _multi(MultiPolygon(list(parts[shapely.area(parts) >= SPECK])))
    if out is not None and shapely.get_num_coordinates(out) > VERTEX_BUDGET:
        raise AreaError(
            f"the drawing is too detailed to keep ({shapely.get_num_coordinates(out):,} vertices "
            f"after simplifying; at most {VERTEX_BUDGET:,})"
        )
    return out


def _cut(geom: BaseGeometry, outline: BaseGeometry) -> BaseGeometry:
    """The part of a valid area on the body; snap-rounded if the plain overlay fails on near-coincident
    edges (GEOS's "side location conflict")."""
    try:
        return polygonal(geom.intersection(outline))
    except shapely.errors.GEOSException:
        return polygonal(shapely.intersection(geom, outline, grid_size=STORAGE_GRID))


def _on_grid(geom: BaseGeometry) -> MultiPolygon | None:
    """On the storage grid, in GEOS's normal order, with the coordinates its GeoJSON text reads back as,
    as a MultiPolygon (None if no area is left).

    Snap-rounding is not always idempotent (an edge can pass within half a grid step of another vertex,
    which a second snap then joins; and whether it does can hang on the last bit of a coordinate, which
    text does not keep), so it is repeated on the text's coordinates until nothing changes: the
    canonical form is a fixed point of it, and cleaning a clean area, read back from its text, changes
    nothing.
    """
    out = geom
    for _ in range(4):
        if out.is_empty:
            return None
        again = _reread(polygonal(shapely.normalize(shapely.set_precision(out, STORAGE_GRID))))
        if shapely.equals_exact(again, out, 0.0):
            break
        out = again
    return _multi(out)


def _reread(geom: BaseGeometry) -> BaseGeometry:
    # -0.0 + 0.0 is 0.0: a vertex on the midline reads the same however it was reached.
    return shapely.from_geojson(shapely.to_geojson(shapely.transform(geom, lambda c: c + 0.0)))


def _multi(geom: BaseGeometry) -> MultiPolygon | None:
    if geom.is_empty:
        return None
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    if isinstance(geom, MultiPolygon):
        return geom
    return None


def brush(points: list[tuple[float, float]], radius: float) -> BaseGeometry:
    """The area a round brush of `radius` covers along a stroke."""
    if not points:
        return Polygon()
    if len(points) == 1:
        return Point(points[0]).buffer(radius, quad_segs=8)
    return LineString(points).buffer(radius, quad_segs=8)


def lasso(points: list[tuple[float, float]]) -> BaseGeometry:
    """The area inside a closed freehand outline: where it crosses itself, everything it goes around
    (repair()). An outline scribbled over itself past repair gives nothing."""
    if len(points) < 3:
        return Polygon()
    try:
        return repair(Polygon(points))
    except AreaError:
        return Polygon()


class PainArea(Mapping[View, BaseGeometry]):
    """Where it hurts, per view: one (Multi)Polygon in the body frame for each view with something
    drawn. The one form pain takes everywhere: what the lookup ranks, a visit's pain drawing
    (records.Drawing.areas), the union of a visit's drawings (records.metrics.union_areas), a student's
    drawn answer. Immutable: every change returns a new value, so an undo step is the value before and
    after."""

    __slots__ = ("_views",)

    def __init__(self, views: Mapping[View, BaseGeometry] | None = None):
        from bodymap.core.chart.frame import VIEWS

        given = views or {}
        self._views: dict[View, BaseGeometry] = {v: given[v] for v in VIEWS if v in given}

    def __getitem__(self, view: View) -> BaseGeometry:
        return self._views[view]

    def __iter__(self) -> Iterator[View]:
        return iter(self._views)

    def __len__(self) -> int:
        return len(self._views)

    def __repr__(self) -> str:
        return f"PainArea({', '.join(f'{v}: {g.geom_type}' for v, g in self._views.items())})"

    @property
    def views(self) -> dict[View, BaseGeometry]:
        """A plain dict of it (for code that keeps one)."""
        return dict(self._views)

    @property
    def is_empty(self) -> bool:
        return not self._views

    def area(self) -> float:
        return float(sum(g.area for g in self._views.values()))

    def add(self, body: Body, view: View, shape: BaseGeometry) -> PainArea:
        shape = polygonal(shape.intersection(body[view].outline))
        if shape.is_empty or shape.area < MIN_SHADED_AREA:
            return self
        new = dict(self._views)
        new[view] = polygonal(unary_union([self._views.get(view, Polygon()), shape]))
        return PainArea(new)

    def erase(self, view: View, shape: BaseGeometry) -> PainArea:
        if view not in self._views:
            return self
        new = dict(self._views)
        rest = polygonal(self._views[view].difference(shape))
        if rest.is_empty or rest.area < MIN_SHADED_AREA:
            del new[view]
        else:
            new[view] = rest
        return PainArea(new)

    def resized(self, body: Body, distance: float) -> PainArea:
        """Grown (distance > 0) or shrunk (< 0) by a margin, staying inside the body."""
        new: dict[View, BaseGeometry] = {}
        for view, g in self._views.items():
            r = polygonal(g.buffer(distance, quad_segs=8).intersection(body[view].outline))
            if not r.is_empty and r.area >= MIN_SHADED_AREA:
                new[view] = r
        return PainArea(new)
