"""The trigger-point atlas: muscles, trigger points, referral zones, hazards, conditions.

model.py holds the values and the name search, loading.py builds and validates them from data/atlas/,
anchors.py turns anatomical descriptions (landmarks, regions) into geometry, hazards.py says which
hazards lie under a point, geojson.py writes them out.
"""

from bodymap.core.names import normalise

from .hazards import HAZARD_TOLERANCE, hazards_at
from .loading import atlas_needs_building, build_atlas, load_atlas
from .model import AREAS, Atlas, Citation, Condition, Hazard, Muscle, TriggerPoint

__all__ = [
    "AREAS",
    "HAZARD_TOLERANCE",
    "Atlas",
    "Citation",
    "Condition",
    "Hazard",
    "Muscle",
    "TriggerPoint",
    "normalise",
    "hazards_at",
    "atlas_needs_building",
    "build_atlas",
    "load_atlas",
]
