"""Answers to study cards, and reading them from files (`bodymap study score CARD --answer FILE`).

- A drawing: a pain area (core/pain.py): per view, the area the student shaded, clipped to the body.
- A point: the view and the body-frame point the student clicked.
- A choice: the muscles (ids) the student picked.

Files: a GeoJSON Feature or FeatureCollection in the body frame with `properties.view` (as for
`bodymap lookup --area`): polygons for a drawing, one Point for a point; or a JSON list of muscle ids
or names for reverse and name cards.
"""

from __future__ import annotations

from dataclasses import dataclass

from shapely.geometry import Point, shape

from bodymap.core.atlas import Atlas
from bodymap.core.chart.frame import VIEWS, View
from bodymap.core.lookup import LookupInputError, pain_from_geojson
from bodymap.core.pain import PainArea


class AnswerError(ValueError):
    """An answer that cannot be read or does not fit the card (one line for the user)."""


@dataclass(frozen=True)
class PointAnswer:
    view: View
    x: float
    y: float


@dataclass(frozen=True)
class Choice:
    muscles: frozenset[str]


Answer = PainArea | PointAnswer | Choice  # a drawing is a pain area, as the records and the lookup keep it


def drawing_from_geojson(obj: object) -> PainArea:
    try:
        return pain_from_geojson(obj)
    except LookupInputError as exc:
        raise AnswerError(str(exc)) from None
    except (KeyError, TypeError, AttributeError):
        raise AnswerError("not a GeoJSON Feature or FeatureCollection of polygons") from None


def point_from_geojson(obj: object) -> PointAnswer:
    if not isinstance(obj, dict) or obj.get("type") not in ("Feature", "FeatureCollection"):
        raise AnswerError("expected a GeoJSON Feature or FeatureCollection with one Point")
    feats = obj.get("features") if obj["type"] == "FeatureCollection" else [obj]
    if not isinstance(feats, list) or len(feats) != 1 or not isinstance(feats[0], dict):
        raise AnswerError("a point answer is exactly one GeoJSON Point feature")
    f = feats[0]
    props = f.get("properties") or {}
    view = props.get("view") if isinstance(props, dict) else None
    if view not in VIEWS:
        raise AnswerError(f"properties.view must be one of {', '.join(VIEWS)}, got {view!r}")
    try:
        g = shape(f["geometry"])
    except Exception:  # noqa: BLE001 - shapely raises several kinds for bad GeoJSON
        raise AnswerError("the feature's geometry is not valid GeoJSON") from None
    if not isinstance(g, Point) or g.is_empty:
        raise AnswerError(f"a point answer must be a Point, not {g.geom_type}")
    x, y = float(g.x), float(g.y)
    if not (abs(x) < 10 and abs(y) < 10):  # the body frame is about 1 unit across; NaN fails too
        raise AnswerError(f"the point ({x}, {y}) is far outside the body frame (stature = 1.0)")
    return PointAnswer(view, x, y)


def choice_from_json(obj: object, atlas: Atlas) -> Choice:
    """A JSON list of muscle ids, names or synonyms (a group name counts as all its muscles)."""
    if not isinstance(obj, list) or not all(isinstance(n, str) for n in obj):
        raise AnswerError('a reverse or name answer is a JSON list of muscle ids or names, e.g. ["masseter"]')
    found: set[str] = set()
    for n in obj:
        ms = atlas.find(n)
        if not ms:
            close = [m.name for m in atlas.suggest(n)]
            hint = f"; did you mean: {', '.join(close)}?" if close else ""
            raise AnswerError(f"no muscle called {n!r} in the atlas{hint}")
        found |= {m.id for m in ms}
    return Choice(frozenset(found))
