"""Pain areas drawn on the chart: an immutable value of one geometry per view, changed by brush
strokes, lasso shapes, the eraser, and growing or shrinking. Each change returns a new value, so an
undo step is simply the value before and after."""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from bodymap.core.chart.body import Body
from bodymap.core.chart.frame import View
from bodymap.core.geometry import polygonal

# About 0.3 mm² on a 170 cm adult: a smaller piece left by a gesture is a slip of the brush, not pain. (The
# records' MIN_STORED_AREA is far smaller: it drops only what clipping to the body leaves.)
MIN_SHADED_AREA = 1e-7


def brush(points: list[tuple[float, float]], radius: float) -> BaseGeometry:
    """The area a round brush of `radius` covers along a stroke."""
    if not points:
        return Polygon()
    if len(points) == 1:
        return Point(points[0]).buffer(radius, quad_segs=8)
    return LineString(points).buffer(radius, quad_segs=8)


def lasso(points: list[tuple[float, float]]) -> BaseGeometry:
    """The area inside a closed freehand outline (self-crossings are resolved, not refused)."""
    if len(points) < 3:
        return Polygon()
    return shapely.make_valid(Polygon(points))


@dataclass(frozen=True)
class PainArea:
    """What the patient shaded, per view, clipped to the body."""

    views: dict[View, BaseGeometry] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.views

    def area(self) -> float:
        return float(sum(g.area for g in self.views.values()))

    def add(self, body: Body, view: View, shape: BaseGeometry) -> PainArea:
        shape = polygonal(shape.intersection(body[view].outline))
        if shape.is_empty or shape.area < MIN_SHADED_AREA:
            return self
        new = dict(self.views)
        new[view] = polygonal(unary_union([self.views.get(view, Polygon()), shape]))
        return PainArea(new)

    def erase(self, view: View, shape: BaseGeometry) -> PainArea:
        if view not in self.views:
            return self
        new = dict(self.views)
        rest = polygonal(self.views[view].difference(shape))
        if rest.is_empty or rest.area < MIN_SHADED_AREA:
            del new[view]
        else:
            new[view] = rest
        return PainArea(new)

    def resized(self, body: Body, distance: float) -> PainArea:
        """Grown (distance > 0) or shrunk (< 0) by a margin, staying inside the body."""
        new: dict[View, BaseGeometry] = {}
        for view, g in self.views.items():
            r = polygonal(g.buffer(distance, quad_segs=8).intersection(body[view].outline))
            if not r.is_empty and r.area >= MIN_SHADED_AREA:
                new[view] = r
        return PainArea(new)

    def as_pain(self) -> dict[View, BaseGeometry]:
        return dict(self.views)
