"""The atlas as GeoJSON features: muscles, trigger points, zones and hazards (see chart/geojson.py)."""

from __future__ import annotations

from collections.abc import Iterable

from shapely.geometry import Point

from bodymap.core.chart.frame import PAIRED_SIDES, Side
from bodymap.core.chart.geojson import collection, feature
from bodymap.core.data import JsonObject

from .model import Atlas, Hazard, Muscle


def muscle_features(muscle: Muscle) -> list[JsonObject]:
    """A muscle's outline, trigger points, zones (per side and view) as GeoJSON features."""
    feats = []
    for side in PAIRED_SIDES:
        for view, g in muscle.outlines[side].items():
            feats.append(
                feature(
                    g,
                    kind="muscle",
                    id=muscle.id,
                    name=muscle.name,
                    view=view,
                    side=side,
                    synonyms=list(muscle.synonyms),
                    area=muscle.area,
                )
            )
        for t in muscle.trps(side):
            feats.append(
                feature(
                    Point(t.point),
                    kind="trp",
                    id=t.id,
                    name=t.name,
                    view=t.view,
                    side=side,
                    muscle=muscle.id,
                    trp=t.id,
                    hazards=list(t.hazards),
                )
            )
            for kind in ("essential", "spillover"):
                for view, g in t.zone(kind).items():
                    feats.append(
                        feature(
                            g,
                            kind="zone",
                            id=f"{muscle.id}:{t.id}:{kind}",
                            zone=kind,
                            name=f"{muscle.name} {t.name}: {kind} zone",
                            view=view,
                            side=side,
                            muscle=muscle.id,
                            trp=t.id,
                        )
                    )
    return feats


def hazard_features(hazard: Hazard) -> list[JsonObject]:
    feats = []
    sides: tuple[Side, ...] = ("midline",) if hazard.pairing == "midline" else PAIRED_SIDES
    for side in sides:
        for view, g in hazard.zones["right" if side == "midline" else side].items():
            feats.append(
                feature(
                    g,
                    kind="hazard",
                    id=hazard.id,
                    name=hazard.name,
                    view=view,
                    side=side,
                    at_risk=hazard.at_risk,
                    structures=list(hazard.structures),
                )
            )
    return feats


def atlas_geojson(atlas: Atlas, muscles: Iterable[Muscle] | None = None) -> JsonObject:
    """The atlas (or some muscles of it) as one FeatureCollection; hazards come with the whole atlas."""
    chosen = list(muscles) if muscles is not None else list(atlas.muscles.values())
    feats = [f for m in chosen for f in muscle_features(m)]
    if muscles is None:
        feats += [f for h in atlas.hazards.values() for f in hazard_features(h)]
    return collection(feats, muscles=[m.id for m in chosen])
