"""The chart scene: outline, regions, orientation lines, landmarks and labels of every view."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QFont, QPainterPath
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsItemGroup,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
)

from typing import TYPE_CHECKING

from bodymap.core.frame import VIEWS, View, x_sign

from . import style
from .layout import PLACEMENTS, Placement
from .paint import ChartPaint
from .paths import area_path

if TYPE_CHECKING:
    from bodymap.core.body import Body, Region

LANDMARK_SIZE = 5.0  # screen pixels
# The body's own layers never change: paint them once per zoom level, then blit (repaints on hover).
STATIC_CACHE = QGraphicsItem.CacheMode.DeviceCoordinateCache


def _text(text: str, size: float, color, bold: bool = False) -> QGraphicsSimpleTextItem:
    item = QGraphicsSimpleTextItem(text)
    font = QFont()
    font.setPointSizeF(size)
    font.setBold(bold)
    item.setFont(font)
    item.setBrush(QBrush(color))
    return item


class ChartScene(QGraphicsScene):
    """Every view of the body in one scene, each a group of layers that can be shown or hidden."""

    def __init__(self, paint: ChartPaint, parent=None, body: "Body | None" = None):
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
            self._build_view(view, PLACEMENTS[view])
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)

    # -- building --------------------------------------------------------------------------------

    def _layer(self, view: View, name: str, z: float) -> QGraphicsItemGroup:
        group = QGraphicsItemGroup()
        group.setZValue(z)
        self.addItem(group)
        self._layers[(view, name)] = group
        return group

    def _build_view(self, view: View, place: Placement) -> None:
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
        title = _text(place.title, 22, style.TITLE_COLOR, bold=True)
        tx, ty = place.to_scene(0.0, 1.06 if view != "plantar" else 0.185)  # above the head / the toes
        title.setPos(tx - title.boundingRect().width() / 2, ty - title.boundingRect().height())
        labels.addToGroup(title)
        # R / L at the height of the head (the soles: beside each heel), on the patient's sides.
        label_y = 0.93 if view != "plantar" else 0.17
        label_x = 0.2 if view != "plantar" else 0.06
        for side, letter in (("right", "R"), ("left", "L")):
            t = _text(letter, 26 if view != "plantar" else 13, style.SIDE_COLOR, bold=True)
            sx, sy = place.to_scene(x_sign(view, side) * label_x, label_y)
            t.setPos(sx - t.boundingRect().width() / 2, sy)
            t.setToolTip(f"Patient's {side}")
            labels.addToGroup(t)

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
        return rect.adjusted(-20, -20, 20, 20)

    def set_hover(self, region: "Region | None") -> None:
        if region is None:
            self._hover.setPath(QPainterPath())
            return
        self._hover.setPath(area_path(region.geometry, PLACEMENTS[region.view]))
