"""Pain drawings on the chart: the current drawing, what no candidate explains, and a faint earlier
drawing for comparison."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QGraphicsPathItem

from . import style
from .layout import PLACEMENTS
from .paths import area_path
from .scene import ChartScene

PAIN = QColor("#1f3a93")  # dark blue hatching: it must stay visible over the (red-first) zone colours


class PainLayer:
    """A pain area, what no candidate explains and a previous drawing, each in its view's layer of the
    same name ("pain", "unexplained", "previous"), so each shows exactly when its view does."""

    def __init__(self, scene: ChartScene, z: float = 0.0):
        self.scene, self.z = scene, z  # z: the order among other pain layers' items in the same layer
        self._items: dict[str, list[QGraphicsPathItem]] = {"pain": [], "unexplained": [], "previous": []}

    def _set(self, key: str, views: dict, brush: QBrush, pen, z: float, tip: str) -> None:
        for item in self._items[key]:
            self.scene.removeItem(item)
        self._items[key] = []
        for view, g in views.items():
            item = QGraphicsPathItem(area_path(g, PLACEMENTS[view]))
            item.setBrush(brush)
            item.setPen(pen)
            item.setZValue(z)
            item.setToolTip(tip)
            item.setParentItem(self.scene.layer(view, key))
            self._items[key].append(item)

    def set_pain(
        self,
        views: dict,
        brush: QBrush | None = None,
        pen=None,
        z: float | None = None,
        tip: str = "Pain drawing",
    ) -> None:
        """Show a pain area; the defaults are the chart's dark-blue hatch (reports pass their own)."""
        self._set(
            "pain",
            views,
            brush if brush is not None else QBrush(PAIN, Qt.BrushStyle.BDiagPattern),
            pen if pen is not None else style.cosmetic(PAIN, 1.8),
            self.z if z is None else z,
            tip,
        )

    def set_unexplained(self, views: dict) -> None:
        self._set(
            "unexplained",
            views,
            QBrush(QColor(255, 196, 0), Qt.BrushStyle.Dense4Pattern),
            style.cosmetic("#b58900", 1.6, Qt.PenStyle.DashLine),
            self.z + 0.5,
            "No listed candidate refers pain here",
        )

    def set_previous(self, views: dict) -> None:
        fill = QColor(90, 90, 90, 40)
        self._set(
            "previous",
            views,
            QBrush(fill),
            style.cosmetic("#8a8a8a", 1.0, Qt.PenStyle.DotLine),
            self.z - 0.5,
            "Previous visit's drawing",
        )

    def item_count(self, key: str) -> int:
        return len(self._items[key])
