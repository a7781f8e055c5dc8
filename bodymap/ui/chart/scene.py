"""The chart scene: every view of the body, each a stack of named layers in one fixed z-order.

Every item on the chart, the body's own (outline, regions, lines, landmarks, labels) and what other
parts draw on it (atlas zones, hazards, marks, pain drawings, the lookup's point), lives in the layer
of the view it belongs to: `scene.layer(view, name)`. A layer shows exactly when its view is shown and
the layer is switched on, so no part has to follow the view switch to stay right; parts that build
their items lazily per view listen to `viewsChanged`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Signal
from PySide6.QtGui import QBrush, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
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
# Layers that are the body itself: they decide the rectangle a view occupies.
BODY_LAYERS = ("outline", "regions", "lines")


class LayerItem(QGraphicsItem):
    """A layer of one view: paints nothing itself; its children are the layer's items. Hiding it hides
    them, and its z value places the whole layer in the chart's z-order (style.Layer)."""

    def __init__(self, view: View, name: str):
        super().__init__()
        self.view, self.name = view, name
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.setZValue(style.Layer[name.upper()])

    def boundingRect(self) -> QRectF:
        return QRectF()

    def paint(self, painter, option, widget=None) -> None:  # pragma: no cover - ItemHasNoContents
        pass


class BodyPath(QGraphicsPathItem):
    """A path of the body itself (outline, regions, lines): it never changes, so its bounding rectangle
    is worked out once, from its points grown by its pen. Qt's own strokes the whole path for it (~17 ms
    for a chart's paths, in every new window)."""

    def __init__(self, path: QPainterPath, pen: QPen):
        super().__init__(path)
        self.setPen(pen)
        grow = pen.widthF() / 2  # how far a round-joined stroke (style.cosmetic) reaches beyond its points
        empty = path.isEmpty()  # (a null rectangle: it adds nothing to a view's, not the origin)
        self._bounds = QRectF() if empty else path.controlPointRect().adjusted(-grow, -grow, grow, grow)

    def boundingRect(self) -> QRectF:
        return self._bounds


class ChartScene(QGraphicsScene):
    """Every view of the body in one scene, each a stack of layers that can be shown or hidden."""

    viewsChanged = Signal(tuple)  # the views now shown

    def __init__(self, paint: ChartPaint, parent=None, body: Body | None = None):
        super().__init__(parent)
        self.paint = paint
        self.body = body  # the geometry core, attached after the first paint (hover, overlays)
        self._shown_views: tuple[View, ...] = VIEWS
        self._visible_layers = set(style.Layer.__members__.keys()) - {"LANDMARKS"}
        self._visible_layers = {n.lower() for n in self._visible_layers}
        self._layers: dict[tuple[View, str], LayerItem] = {}
        self._labels: list[QGraphicsSimpleTextItem] = []
        self._hover = QGraphicsPathItem()
        self._hover.setZValue(style.Layer.HOVER)
        self._hover.setBrush(style.HOVER_BRUSH)
        self._hover.setPen(style.HOVER_PEN)
        self.addItem(self._hover)
        for view in VIEWS:
            self._build_view(view)
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)

    # -- layers ------------------------------------------------------------------------------------

    def layer(self, view: View, name: str) -> LayerItem:
        """The layer `name` (a style.Layer, lower case) of `view`, made on first use. Put an item in it
        with `item.setParentItem(scene.layer(view, name))`."""
        key = (view, name)
        found = self._layers.get(key)
        if found is None:
            found = self._layers[key] = LayerItem(view, name)
            found.setVisible(view in self._shown_views and name in self._visible_layers)
            self.addItem(found)
        return found

    def _add(self, view: View, name: str, item: QGraphicsItem) -> None:
        item.setParentItem(self.layer(view, name))

    def _build_view(self, view: View) -> None:
        vp = self.paint.views[view]
        for name, path, pen in (
            ("outline", vp.outline, style.OUTLINE_PEN),
            ("regions", vp.regions, style.REGION_PEN),
            ("lines", vp.lines, style.LINE_PEN),
        ):
            item = BodyPath(path, pen)
            if name == "outline":
                item.setBrush(style.SKIN)
            item.setCacheMode(STATIC_CACHE)
            self._add(view, name, item)
        self.layer(view, "landmarks")  # filled when first shown
        for label in view_labels(view):
            item = QGraphicsSimpleTextItem(label.text)
            item.setFont(label.font)
            item.setBrush(QBrush(label.color))
            item.setPos(label.x, label.y)
            item.setToolTip(label.tip)
            # Titles and R / L are not anatomy: they keep their size when the chart is zoomed
            # (set_label_scale), scaling about their own centre.
            item.setTransformOriginPoint(label.width / 2, label.height / 2)
            self._labels.append(item)
            self._add(view, "labels", item)

    def set_label_scale(self, scale: float) -> None:
        """Scale the titles and R / L (1 / the view's zoom keeps them one size on screen)."""
        for item in self._labels:
            item.setScale(scale)

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
            group = self.layer(view, "landmarks")
            if group.childItems():
                continue
            for x, y, label in self.paint.views[view].landmarks:
                dot = QGraphicsEllipseItem(QRectF(-s / 2, -s / 2, s, s))
                dot.setPos(x, y)
                dot.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
                dot.setBrush(style.LANDMARK_BRUSH)
                dot.setPen(style.LANDMARK_PEN)
                dot.setToolTip(label)
                dot.setParentItem(group)

    def layer_visible(self, name: str) -> bool:
        return name in self._visible_layers

    def set_views(self, views: tuple[View, ...]) -> None:
        """Show only these views (the view switch); every layer of every other view hides."""
        self._shown_views = tuple(views)
        self._apply_visibility()
        self.set_hover(None)
        self.viewsChanged.emit(self._shown_views)

    @property
    def shown_views(self) -> tuple[View, ...]:
        return self._shown_views

    def _apply_visibility(self) -> None:
        for (view, layer), item in self._layers.items():
            item.setVisible(view in self._shown_views and layer in self._visible_layers)

    def views_rect(self, views: tuple[View, ...] | None = None) -> QRectF:
        """The scene rectangle that holds these views (the body and its titles and R / L)."""
        rect = QRectF()
        for (view, layer), item in self._layers.items():
            if view in (views or self.shown_views) and (layer in BODY_LAYERS or layer == "labels"):
                for child in item.childItems():
                    # Labels count at their unscaled size, as in the first frame (first_frame.py).
                    rect = rect.united(
                        child.mapRectToScene(child.boundingRect())
                        if layer != "labels"
                        else QRectF(child.pos(), child.boundingRect().size())
                    )
        return rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)

    def set_hover(self, region: Region | None) -> None:
        if region is None:
            self._hover.setPath(QPainterPath())
            return
        self._hover.setPath(area_path(region.geometry, PLACEMENTS[region.view]))
