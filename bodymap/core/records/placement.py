"""Where a mark lies on the body, and the part of a drawing that lies on it.

A mark is placed once, when it is made or moved: its patient's side, its region and the nearest atlas
trigger point are stored with it, so a record reads the same even if the atlas changes later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon
from shapely.geometry.base import BaseGeometry

from bodymap.core.chart.body import ON_SKIN
from bodymap.core.chart.frame import Side, View, check_view, side_of
from bodymap.core.pain import STORAGE_GRID, AreaError, clean
from bodymap.core.quoting import point_text, quote

from .checks import finite
from .model import InvalidValue

if TYPE_CHECKING:  # loaded when first needed (see Placer)
    from bodymap.core.atlas import Atlas, TriggerPoint
    from bodymap.core.chart.body import Body, BodyView


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
        from bodymap.core.chart.hittest import tester_for

        self.view = body_view
        self.hits = tester_for(body_view)  # the view's one region index
        self.outline = body_view.outline
        # An area within one grid step of the outline is already on the body (see pain.clean).
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
            if finite(v) is None:  # a whole number of 400 digits too (math.isfinite overflows on it)
                raise InvalidValue(f"the mark's {name} must be a number, got {quote(v)}")
        x, y = float(x), float(y)
        index = self._index(view)
        region = index.hits.region_at(x, y) or index.hits.region_near(x, y, ON_SKIN)
        if region is None:
            raise InvalidValue(f"the point {point_text(x, y)} is outside the body on the {view} view")
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
        """The part of a drawn area that lies on the body, in canonical form (pain.clean): valid, on the
        storage grid, within the vertex budget, idempotent, so that undo, redo and a JSON round trip
        give back exactly the same area. None if nothing is left; InvalidValue naming why if it cannot
        be kept."""
        view = _checked_view(view)
        if not isinstance(geom, BaseGeometry):
            raise InvalidValue(f"the drawing on the {view} view is not a geometry")
        index = self._index(view)
        try:
            return clean(geom, index.outline, index.on_body)
        except AreaError as exc:
            raise InvalidValue(f"the drawing on the {view} view cannot be kept: {exc}") from None


def _checked_view(view: str) -> View:
    try:
        return check_view(view)
    except ValueError as exc:
        raise InvalidValue(str(exc)) from None


def placement_fields(p: MarkPlace) -> dict[str, Any]:
    """A mark's fields that follow from where it is placed (its view, point, side, region and nearest
    trigger point)."""
    return {
        "view": p.view,
        "x": p.x,
        "y": p.y,
        "side": p.side,
        "region_id": p.region_id,
        "trp_muscle": p.trp_muscle,
        "trp_id": p.trp_id,
        "trp_side": p.trp_side,
        "trp_distance": p.trp_distance,
    }
