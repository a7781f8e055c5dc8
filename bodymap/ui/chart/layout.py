"""Where each view sits in the chart scene. The only place that flips y (body y up -> scene y down).

All views share one scale (DESIGN.md: stature = 1.0 everywhere): front and back side by side, and to
their right one column with the head view at the height of the heads and the soles on the floor line,
so every part of every view is drawn at its true size next to the others."""

from __future__ import annotations

from dataclasses import dataclass

from bodymap.core.chart.frame import View

UNIT = 1000.0  # scene units per stature
MARGIN = 20.0  # scene units of white around the shown views when they are fitted


@dataclass(frozen=True)
class Placement:
    view: View
    origin_x: float  # scene x of the view's midline
    title: str
    half_width: float  # horizontal extent each side of the midline, body units (hit-testing)
    bottom: float  # the view's lowest and highest body y (hit-testing)
    top: float

    def to_scene(self, x: float, y: float) -> tuple[float, float]:
        return self.origin_x + x * UNIT, -y * UNIT

    def to_body(self, sx: float, sy: float) -> tuple[float, float]:
        return (sx - self.origin_x) / UNIT, -sy / UNIT

    def body_length(self, scene_length: float) -> float:
        return scene_length / UNIT

    def holds(self, x: float, y: float) -> bool:
        return abs(x) <= self.half_width and self.bottom <= y <= self.top


PLACEMENTS: dict[View, Placement] = {
    "front": Placement("front", 0.0, "Front", 0.29, -0.05, 1.05),
    "back": Placement("back", 620.0, "Back", 0.29, -0.05, 1.05),
    "head": Placement("head", 1130.0, "Head (sides)", 0.2, 0.76, 1.05),
    "plantar": Placement("plantar", 1130.0, "Soles (from below)", 0.2, -0.05, 0.25),
}


def view_at(sx: float, sy: float, views: tuple[View, ...]) -> tuple[View, float, float] | None:
    """The view under a scene point, with the point in that view's body frame."""
    for v in views:
        p = PLACEMENTS[v]
        x, y = p.to_body(sx, sy)
        if p.holds(x, y):
            return v, x, y
    return None
