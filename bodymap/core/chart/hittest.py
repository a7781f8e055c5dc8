"""Hit-testing on the body charts: which region is under a point, which landmark is near it, which
regions an area touches.

Pure functions over shapely STRtrees, so hover stays well under a millisecond. Tolerances are in
body units; the view converts its screen-pixel tolerance at its edge. Each view's regions are indexed
once per process (`tester_for`), and every part that asks (the chart's hover, placing marks, the pain
extent) asks that one index.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely import STRtree

from .body import BodyView, Landmark, Region


@dataclass(frozen=True)
class Hit:
    region: Region | None
    landmark: Landmark | None
    landmark_distance: float | None = None

    def describe(self) -> str:
        """A one-line description for the status bar: region and side, and the landmark if near."""
        parts = []
        if self.region:
            parts.append(self.region.label)
        if self.landmark:
            parts.append(f"near {self.landmark.label}")
        return " — ".join(parts)


class HitTester:
    """Answers 'what is here?' for one view."""

    def __init__(self, view: BodyView):
        self.view = view
        self.regions = list(view.regions)
        self.tree = STRtree([r.geometry for r in self.regions])
        for r in self.regions:
            shapely.prepare(r.geometry)  # makes the exact covered_by test fast
        self._landmarks = list(view.landmarks)
        self._points = np.array([m.point for m in self._landmarks], dtype=float).reshape(-1, 2)

    def region_at(self, x: float, y: float) -> Region | None:
        """The region that covers the point, or None outside the body."""
        pt = shapely.Point(x, y)
        # query() evaluates predicate(pt, region): the point is covered by the region.
        for i in self.tree.query(pt, predicate="covered_by"):
            return self.regions[int(i)]
        return None

    def region_near(self, x: float, y: float, max_distance: float) -> Region | None:
        """The region nearest a point just off the body (within `max_distance`), or None."""
        found = self.tree.query_nearest(shapely.Point(x, y), max_distance=max_distance)
        return self.regions[int(found[0])] if len(found) else None

    def landmark_near(self, x: float, y: float, tolerance: float) -> tuple[Landmark, float] | None:
        """The nearest landmark within `tolerance` of the point, with its distance."""
        if not len(self._points):
            return None
        d = np.hypot(self._points[:, 0] - x, self._points[:, 1] - y)
        i = int(np.argmin(d))
        if d[i] > tolerance:
            return None
        return self._landmarks[i], float(d[i])

    def hit(self, x: float, y: float, tolerance: float = 0.0) -> Hit:
        near = self.landmark_near(x, y, tolerance) if tolerance > 0 else None
        return Hit(self.region_at(x, y), near[0] if near else None, near[1] if near else None)


_TESTERS: dict[int, tuple[BodyView, HitTester]] = {}


def tester_for(view: BodyView) -> HitTester:
    """The one HitTester of a body view (built on first use; a Body lives as long as the process)."""
    found = _TESTERS.get(id(view))
    if found is None or found[0] is not view:
        found = _TESTERS[id(view)] = (view, HitTester(view))
    return found[1]
