"""Which needling hazards lie under a point: the one answer the atlas (a trigger point's hazards), the
records (a needled mark's warnings) and the chart (hover over the hazard layer) all use."""

from __future__ import annotations

from collections.abc import Iterable

import shapely
from shapely.geometry import Point

from bodymap.core.chart.frame import PAIRED_SIDES, Side, View

from .model import Hazard

# A point this close to a hazard zone (about 3.4 mm on a 170 cm adult) is over it: the zones are drawn
# on a chart, not measured on this patient, and a needle placed by that chart can be off by as much.
HAZARD_TOLERANCE = 0.002


def hazards_at(
    hazards: Iterable[Hazard], view: View, x: float, y: float, sides: Iterable[Side] = PAIRED_SIDES
) -> list[Hazard]:
    """The hazards, in the order given, whose zone on `view` lies under the point (x, y) or within
    HAZARD_TOLERANCE of it. `sides` limits the zones looked at to those of the patient's sides given
    (a midline hazard has the same zone on both)."""
    pt = Point(x, y)
    sides = tuple(sides)
    return [
        h
        for h in hazards
        if any(view in h.zones[s] and shapely.dwithin(h.zones[s][view], pt, HAZARD_TOLERANCE) for s in sides)
    ]
