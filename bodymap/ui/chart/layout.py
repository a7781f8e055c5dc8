"""Where each view sits in the chart scene. The only place that flips y (body y up -> scene y down)."""

from __future__ import annotations

from dataclasses import dataclass

from bodymap.core.chart.frame import View

UNIT = 1000.0  # scene units per stature
MARGIN = 20.0  # scene units of white around the shown views when they are fitted


@dataclass(frozen=True)
class Placement:
    view: View
    origin_x: float  # scene x of the view's midline
    scale: float  # multiple of UNIT (the soles are drawn enlarged)
    title: str

    def to_scene(self, x: float, y: float) -> tuple[float, float]:
        k = UNIT * self.scale
        return self.origin_x + x * k, -y * k

    def to_body(self, sx: float, sy: float) -> tuple[float, float]:
        k = UNIT * self.scale
        return (sx - self.origin_x) / k, -sy / k

    def body_length(self, scene_length: float) -> float:
        return scene_length / (UNIT * self.scale)


# Front and back side by side, the soles (enlarged x2) to their right, feet on one floor line.
PLACEMENTS: dict[View, Placement] = {
    "front": Placement("front", 0.0, 1.0, "Front"),
    "back": Placement("back", 620.0, 1.0, "Back"),
    "plantar": Placement("plantar", 1180.0, 2.0, "Soles (from below) ×2"),
}

# Horizontal extent of each view in body units, for hit-testing which view a scene point is on.
HALF_WIDTH: dict[View, float] = {"front": 0.29, "back": 0.29, "plantar": 0.13}


def view_at(sx: float, sy: float, views: tuple[View, ...]) -> tuple[View, float, float] | None:
    """The view under a scene point, with the point in that view's body frame."""
    for v in views:
        p = PLACEMENTS[v]
        x, y = p.to_body(sx, sy)
        if abs(x) <= HALF_WIDTH[v] and -0.05 <= y <= 1.05:
            return v, x, y
    return None
