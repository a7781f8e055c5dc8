"""The chart scene: outline, regions, orientation lines, landmarks and labels of every view."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF
from PySide6.QtGui import QBrush, QPainterPath
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsItemGroup,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
)

from bodymap.core.chart.frame import VIEWS, View

from . import style
from .labels import view_labels
from .layout import MARGIN, PLACEMENTS
from .paint import ChartPaint
from .paths import area_path

if TYPE_CHECKING:
    from bodymap.core.chart.body import Body, Region

LANDMARK_SIZE = 5.0  # screen pixels
# The body's own layers never change: paint them once per zoom level, then blit (repaints on hover).
STATIC_CACHE = QGraphicsItem.CacheMode.DeviceCoordinateCache


class ChartScene(QGraphicsScene):
    """Every view of the body in one scene, each a group of layers that can be shown or hidden."""

    def __init__(self, paint: ChartPaint, parent=None, body: Body | None = None):
        super().__init__(parent)
        self.paint = paint
        self.body = body  # the geometry core, attached after the first paint (hover, overlays)
        self._shown_views: tuple[View, ...] = VIEWS
        self._visible_layers = {"outline", "regions", "lines", "labels"}
        self._layers: dict[tuple[View, str], QGraphicsItemGroup] = {}
        self._hover = QGraphicsPathItem()
        self._hover.setZValue(style.Layer.HOVER)
        self._hover.setBrush(style.HOVER_BRUSH)
        self._hover.setPen(style.HOVER_PEN)
        self.addItem(self._hover)
        for view in VIEWS:
            self._build_view(view)
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)

    # -- building --------------------------------------------------------------------------------

    def _layer(self, view: View, name: str, z: float) -> QGraphicsItemGroup:
        group = QGraphicsItemGroup()
        group.setZValue(z)
        self.addItem(group)
        self._layers[(view, name)] = group
        return group

    def _build_view(self, view: View) -> None:
        vp = self.paint.views[view]
        outline = self._layer(view, "outline", style.Layer.OUTLINE)
        item = QGraphicsPathItem(vp.outline)
        item.setBrush(style.SKIN)
        item.setPen(style.OUTLINE_PEN)
        item.setCacheMode(STATIC_CACHE)
        outline.addToGroup(item)

        regions = self._layer(view, "regions", style.Layer.REGIONS)
        item = QGraphicsPathItem(vp.regions)
        item.setPen(style.REGION_PEN)
        item.setCacheMode(STATIC_CACHE)
        regions.addToGroup(item)

        lines = self._layer(view, "lines", style.Layer.LINES)
        item = QGraphicsPathItem(vp.lines)
        item.setPen(style.LINE_PEN)
        item.setCacheMode(STATIC_CACHE)
        lines.addToGroup(item)

        self._layer(view, "landmarks", style.Layer.LANDMARKS)  # filled when first shown

        labels = self._layer(view, "labels", style.Layer.LABELS)
        for label in view_labels(view):
            item = QGraphicsSimpleTextItem(label.text)
            item.setFont(label.font)
            item.setBrush(QBrush(label.color))
            item.setPos(label.x, label.y)
            item.setToolTip(label.tip)
            labels.addToGroup(item)

    # -- what the chart shows --------------------------------------------------------------------

    def set_layer_visible(self, name: str, visible: bool) -> None:
        """Show or hide one layer ("regions", "landmarks", "lines", ...) on every shown view."""
        (self._visible_layers.add if visible else self._visible_layers.discard)(name)
        if name == "landmarks" and visible:
            self._fill_landmarks()
        self._apply_visibility()

    def _fill_landmarks(self) -> None:
        """Create the landmark dots the first time they are shown (not needed for the first paint)."""
        s = LANDMARK_SIZE
        for view in VIEWS:
            group = self._layers[(view, "landmarks")]
            if group.childItems():
                continue
            for x, y, label in self.paint.views[view].landmarks:
                dot = QGraphicsEllipseItem(QRectF(-s / 2, -s / 2, s, s))
                dot.setPos(x, y)
                dot.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
                dot.setBrush(style.LANDMARK_BRUSH)
                dot.setPen(style.LANDMARK_PEN)
                dot.setToolTip(label)
                group.addToGroup(dot)

    def layer_visible(self, name: str) -> bool:
        return name in self._visible_layers

    def set_views(self, views: tuple[View, ...]) -> None:
        """Show only these views (the view switch)."""
        self._shown_views = tuple(views)
        self._apply_visibility()
        self.set_hover(None)

    @property
    def shown_views(self) -> tuple[View, ...]:
        return self._shown_views

    def _apply_visibility(self) -> None:
        for (view, layer), group in self._layers.items():
            group.setVisible(view in self._shown_views and layer in self._visible_layers)

    def views_rect(self, views: tuple[View, ...] | None = None) -> QRectF:
        """The scene rectangle that holds these views with their labels."""
        rect = QRectF()
        for (view, _layer), group in self._layers.items():
            if view in (views or self.shown_views):
                rect = rect.united(group.childrenBoundingRect())
        return rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)

    def set_hover(self, region: Region | None) -> None:
        if region is None:
            self._hover.setPath(QPainterPath())
            return
        self._hover.setPath(area_path(region.geometry, PLACEMENTS[region.view]))
