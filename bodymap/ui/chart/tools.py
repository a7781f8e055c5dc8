"""Drawing tools on the chart: brush, lasso and eraser. A gesture is previewed while the mouse is
down and reported once, on release, as a shape in the body frame (so undo sees one step)."""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QObject, QPointF, Signal
from PySide6.QtGui import QBrush, QColor, QPainterPath
from PySide6.QtWidgets import QGraphicsPathItem

from . import style
from .layout import PLACEMENTS, UNIT


class Tool(Enum):
    NAVIGATE = "navigate"  # click reports a point; drag pans
    MARK = "mark"  # click marks a palpated point; dragging a mark moves it
    BRUSH = "brush"
    LASSO = "lasso"
    ERASER = "eraser"


# How the user picks each tool: menu and toolbar label, key, tip.
TOOL_CHOICES = (
    (Tool.NAVIGATE, "Point", "P", "Click a point; drag to pan"),
    (Tool.MARK, "Mark", "M", "Mark a palpated point on the open visit; drag a mark to move it"),
    (Tool.BRUSH, "Brush", "B", "Shade a pain area"),
    (Tool.LASSO, "Lasso", "S", "Outline a pain area"),
    (Tool.ERASER, "Eraser", "E", "Erase part of the pain area"),
)


class Gesture(QObject):
    """One stroke or lasso in progress on one view."""

    finished = Signal(str, str, object)  # tool value, view, shapely geometry

    def __init__(self, scene, tool: Tool, view: str, radius: float):
        super().__init__()
        self.scene, self.tool, self.view, self.radius = scene, tool, view, radius
        self.points: list[tuple[float, float]] = []
        self.preview = QGraphicsPathItem()
        self.preview.setZValue(style.Layer.HOVER)
        color = QColor("#555555") if tool is Tool.ERASER else QColor("#c0392b")
        fill = QColor(color)
        fill.setAlphaF(0.35)
        self.preview.setBrush(QBrush(fill))
        self.preview.setPen(style.cosmetic(color, 1.2))
        scene.addItem(self.preview)

    def add(self, x: float, y: float) -> None:
        self.points.append((x, y))
        place = PLACEMENTS[self.view]
        path = QPainterPath()
        if self.tool is Tool.LASSO:
            path.moveTo(QPointF(*place.to_scene(*self.points[0])))
            for p in self.points[1:]:
                path.lineTo(QPointF(*place.to_scene(*p)))
            path.closeSubpath()
        else:
            k = UNIT
            for p in self.points:
                sx, sy = place.to_scene(*p)
                path.addEllipse(QPointF(sx, sy), self.radius * k, self.radius * k)
        self.preview.setPath(path)

    def finish(self) -> None:
        from bodymap.core.pain import brush, lasso

        self.scene.removeItem(self.preview)
        shape = lasso(self.points) if self.tool is Tool.LASSO else brush(self.points, self.radius)
        if not shape.is_empty:
            self.finished.emit(self.tool.value, self.view, shape)

    def cancel(self) -> None:
        self.scene.removeItem(self.preview)
