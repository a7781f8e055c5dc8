"""Where a mark lies on the body, and the part of a drawing that lies on it.

A mark is placed once, when it is made or moved: its patient's side, its region and the nearest atlas
trigger point are stored with it, so a record reads the same even if the atlas changes later.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry import MultiPolygon, Point
from shapely.geometry.base import BaseGeometry

from bodymap.core.chart.frame import Side, View, check_view, side_of
from bodymap.core.geometry import polygon_parts

from .model import InvalidValue

if TYPE_CHECKING:  # loaded when first needed (see Placer)
    from bodymap.core.atlas import Atlas, TriggerPoint
    from bodymap.core.chart.body import Body, BodyView

# A mark this close outside the outline (about 1.7 mm on a 170 cm adult) still counts as on the body:
# a tap on the edge of the skin is on the skin.
EDGE_TOLERANCE = 0.001
# Drawn areas are stored snapped to a millionth of stature (0.17 mm): finer is noise, and longer text. (The
# lookup's OVERLAY_GRID is another thing: a finer snap that keeps its overlays of many zones robust.)
STORAGE_GRID = 1e-6
# A clipped drawing smaller than this (0.003 mm²) is what clipping and the grid leave, not drawing. Far
# below pain.MIN_SHADED_AREA, the least a gesture shades: any area a file brings in is kept.
MIN_STORED_AREA = 1e-9


@dataclass(frozen=True)
class MarkPlace:
    view: View
    x: float
    y: float
    side: Side  # the patient's side of the point
    region_id: str
    trp_muscle: str | None
    trp_id: str | None
    trp_side: Side | None
    trp_distance: float | None  # body units


class _ViewIndex:
    """Regions and trigger points of one view, indexed for answers in well under a millisecond."""

    def __init__(self, body_view: BodyView, trps: list[TriggerPoint]):
        from bodymap.core.chart.hittest import HitTester

        self.view = body_view
        self.hits = HitTester(body_view)
        self.regions = list(body_view.regions)
        self.tree = STRtree([r.geometry for r in self.regions])
        self.outline = body_view.outline
        # An area within one grid step of the outline is already on the body (see Placer.clip).
        self.on_body = self.outline.buffer(STORAGE_GRID)
        shapely.prepare(self.on_body)
        self.trps = list(trps)
        self.points = np.array([t.point for t in self.trps], dtype=float).reshape(-1, 2)
        self.sides = np.array([t.side for t in self.trps])


class Placer:
    """Places marks and clips drawings with the body charts and the atlas (loaded when first needed)."""

    def __init__(self, body: Body | None = None, atlas: Atlas | None = None):
        self._body, self._atlas = body, atlas
        self._views: dict[View, _ViewIndex] = {}

    @property
    def body(self) -> Body:
        if self._body is None:
            from bodymap.core.chart.body import load_body

            self._body = load_body()
        return self._body

    @property
    def atlas(self) -> Atlas:
        if self._atlas is None:
            from bodymap.core.atlas import load_atlas

            self._atlas = load_atlas()
        return self._atlas

    def _index(self, view: View) -> _ViewIndex:
        if view not in self._views:
            trps = [t for t in self.atlas.trigger_points() if t.view == view]
            self._views[view] = _ViewIndex(self.body[view], trps)
        return self._views[view]

    def place(self, view: str, x: float, y: float) -> MarkPlace:
        """The side, region and nearest trigger point of a point; InvalidValue if it is off the body."""
        view = _checked_view(view)
        for name, v in (("x", x), ("y", y)):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise InvalidValue(f"the mark's {name} must be a number, got {v!r}")
        x, y = float(x), float(y)
        index = self._index(view)
        region = index.hits.region_at(x, y)
        if region is None:
            near = index.tree.query_nearest(Point(x, y), max_distance=EDGE_TOLERANCE)
            if not len(near):
                raise InvalidValue(f"the point ({x:.3f}, {y:.3f}) is outside the body on the {view} view")
            region = index.regions[int(near[0])]
        side = side_of(view, x)
        trp, distance = self._nearest_trp(index, x, y, side)
        return MarkPlace(
            view,
            x,
            y,
            side,
            region.id,
            trp.muscle if trp else None,
            trp.id if trp else None,
            trp.side if trp else None,
            distance,
        )

    @staticmethod
    def _nearest_trp(
        index: _ViewIndex, x: float, y: float, side: Side
    ) -> tuple[TriggerPoint | None, float | None]:
        if not len(index.points):
            return None, None
        d = np.hypot(index.points[:, 0] - x, index.points[:, 1] - y)
        # Prefer the mark's own side (trigger points are mirrored, so the same-side one is the nearest
        # anyway except exactly on the midline); a midline mark takes the nearest of either side.
        if side in ("right", "left") and (index.sides == side).any():
            d = np.where(index.sides == side, d, np.inf)
        i = int(np.argmin(d))
        return index.trps[i], float(d[i])

    def clip(self, view: str, geom: BaseGeometry) -> MultiPolygon | None:
        """The part of a drawn area that lies on the body, as a MultiPolygon on the storage grid (None if
        nothing is left)."""
        view = _checked_view(view)
        if not isinstance(geom, BaseGeometry):
            raise InvalidValue(f"the drawing on the {view} view is not a geometry")
        coords = shapely.get_coordinates(geom)
        if len(coords) and not np.isfinite(coords).all():
            raise InvalidValue(f"the drawing on the {view} view has coordinates that are not numbers")
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        index = self._index(view)
        # Clipping is idempotent, so that undo, redo and a JSON round trip give back exactly the same
        # area: an area already on the body (as a clipped one is) is not cut again, and the result is
        # snapped to the grid, in canonical vertex order, with the coordinates its GeoJSON text reads back.
        if not index.on_body.covers(geom):
            geom = geom.intersection(index.outline)
        if geom.is_empty:
            return None
        parts = polygon_parts(shapely.normalize(shapely.set_precision(geom, STORAGE_GRID)))
        clipped = MultiPolygon(parts)
        if not parts or clipped.area < MIN_STORED_AREA:
            return None
        stored = shapely.from_geojson(shapely.to_geojson(clipped))
        assert isinstance(stored, MultiPolygon)  # GeoJSON gives back the type it was written from
        return stored


def _checked_view(view: str) -> View:
    try:
        return check_view(view)
    except ValueError as exc:
        raise InvalidValue(str(exc)) from None
