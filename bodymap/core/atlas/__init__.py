"""The trigger-point atlas: muscles, trigger points, referral zones, hazards, conditions.

model.py holds the values and the name search, loading.py builds and validates them from data/atlas/,
anchors.py turns anatomical descriptions (landmarks, regions) into geometry, geojson.py writes them out.
"""

from .loading import atlas_needs_building, build_atlas, load_atlas
from .model import AREAS, Atlas, Citation, Condition, Hazard, Muscle, TriggerPoint, normalise

__all__ = [
    "AREAS",
    "Atlas",
    "Citation",
    "Condition",
    "Hazard",
    "Muscle",
    "TriggerPoint",
    "normalise",
    "atlas_needs_building",
    "build_atlas",
    "load_atlas",
]
