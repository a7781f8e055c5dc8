"""GeoJSON FeatureCollections of the body charts (and later the atlas), as docs/design.md describes.

Coordinates are in the body frame (stature 1.0, y up). Every feature's properties carry at least
kind, id, name, view and side.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import shapely
from shapely.geometry import LineString, Point, mapping
from shapely.geometry.base import BaseGeometry

from bodymap.core.data import JsonObject

from .body import Body
from .frame import VIEWS, View

PRECISION = 5  # decimals: 1e-5 of stature is 0.02 mm


def _round(obj: Any) -> Any:
    if isinstance(obj, float):
        return round(obj, PRECISION)
    if isinstance(obj, (list, tuple)):
        return [_round(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    return obj


def feature(geom: BaseGeometry, **properties: Any) -> JsonObject:
    """A GeoJSON feature. Areas are first snapped to the grid the coordinates are written on, so what
    is written is still a valid polygon (rounding alone can make a thin part cross itself)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        geom = shapely.set_precision(geom, 10.0**-PRECISION)
    return {"type": "Feature", "geometry": _round(mapping(geom)), "properties": properties}


def collection(features: Iterable[JsonObject], **meta: Any) -> JsonObject:
    out: JsonObject = {"type": "FeatureCollection", "features": list(features)}
    if meta:
        out["bodymap"] = meta
    return out


def body_features(body: Body, views: Iterable[View] = VIEWS) -> list[JsonObject]:
    feats = []
    for view in views:
        bv = body[view]
        feats.append(
            feature(
                bv.outline,
                kind="outline",
                id=f"outline_{view}",
                name=f"Body outline ({view})",
                view=view,
                side="midline",
            )
        )
        for r in bv.regions:
            feats.append(
                feature(
                    r.geometry,
                    kind="region",
                    id=r.id,
                    name=r.name,
                    view=view,
                    side=r.side,
                    choir=list(r.choir),
                    choir_area=r.choir_area,
                    describes=r.describes,
                )
            )
        for m in bv.landmarks:
            feats.append(
                feature(
                    Point(m.point),
                    kind="landmark",
                    id=m.id,
                    name=m.name,
                    view=view,
                    side=m.side,
                    synonyms=list(m.synonyms),
                )
            )
        for ln in bv.lines:
            feats.append(
                feature(
                    LineString(ln.coords + ((ln.coords[0],) if ln.closed else ())),
                    kind="line",
                    id=ln.id,
                    name=ln.id.replace("_", " "),
                    view=view,
                    side=ln.side,
                )
            )
    return feats


def body_geojson(body: Body, views: Iterable[View] = VIEWS) -> JsonObject:
    views = list(views)
    return collection(
        body_features(body, views),
        frame="stature 1.0, x = 0 midline, +x viewer's right, y up from the soles",
        views=views,
    )
