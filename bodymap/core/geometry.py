"""Small shapely helpers shared by the chart, the atlas, the lookup and the records."""

from __future__ import annotations

from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union


def polygon_parts(geom: BaseGeometry) -> list[Polygon]:
    """The non-empty polygons of a geometry. An intersection or a difference of two areas can leave
    stray lines and points beside its area (a GeometryCollection); they are dropped."""
    if isinstance(geom, Polygon):
        return [] if geom.is_empty else [geom]
    if isinstance(geom, MultiPolygon):
        return [p for p in geom.geoms if not p.is_empty]
    return [p for part in getattr(geom, "geoms", ()) for p in polygon_parts(part)]


def polygonal(geom: BaseGeometry) -> Polygon | MultiPolygon:
    """Only the area of a geometry, as one Polygon or MultiPolygon (an empty Polygon when it has none).
    An area comes back as it is."""
    if isinstance(geom, (Polygon, MultiPolygon)):
        return geom
    parts = polygon_parts(geom)
    if not parts:
        return Polygon()
    whole = unary_union(parts)
    return whole if isinstance(whole, (Polygon, MultiPolygon)) else Polygon()
