"""Converting shapely geometry in the body frame to QPainterPaths in scene coordinates."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF
from PySide6.QtGui import QPainterPath, QPolygonF

from .layout import Placement

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry


def _ring(coords, place: Placement) -> QPolygonF:
    return QPolygonF([QPointF(*place.to_scene(x, y)) for x, y in coords])


def area_path(geom: BaseGeometry, place: Placement) -> QPainterPath:
    """A filled path (odd-even, so holes stay holes) for a Polygon or MultiPolygon."""
    path = QPainterPath()
    path.setFillRule(path.fillRule().OddEvenFill)
    polys = getattr(geom, "geoms", [geom])
    for poly in polys:
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        path.addPolygon(_ring(poly.exterior.coords, place))
        path.closeSubpath()
        for hole in poly.interiors:
            path.addPolygon(_ring(hole.coords, place))
            path.closeSubpath()
    return path


def areas_path(geoms: Iterable[BaseGeometry], place: Placement) -> QPainterPath:
    """One filled path for several areas that may overlap (a muscle's zones): where they overlap it is
    filled once, not once per area (a translucent fill would darken there), and holes stay holes.

    Rings are oriented (outer counter-clockwise, holes clockwise) and filled by winding number, so an
    overlap counts 2 (filled), a hole 0 (empty), a hole of one area under another area 1 (filled)."""
    import shapely

    path = QPainterPath()
    path.setFillRule(path.fillRule().WindingFill)
    for geom in geoms:
        for poly in getattr(shapely.orient_polygons(geom), "geoms", [shapely.orient_polygons(geom)]):
            if poly.geom_type != "Polygon" or poly.is_empty:
                continue
            path.addPolygon(_ring(poly.exterior.coords, place))
            path.closeSubpath()
            for hole in poly.interiors:
                path.addPolygon(_ring(hole.coords, place))
                path.closeSubpath()
    return path


def line_path(coords, place: Placement, closed: bool = False) -> QPainterPath:
    path = QPainterPath()
    pts = [QPointF(*place.to_scene(x, y)) for x, y in coords]
    if not pts:
        return path
    path.moveTo(pts[0])
    for p in pts[1:]:
        path.lineTo(p)
    if closed:
        path.closeSubpath()
    return path
