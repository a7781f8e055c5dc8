"""The chart view: zoom (wheel, pinch, + / - / 0), pan (drag), hover naming and clicks in body terms."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QMouseEvent, QNativeGestureEvent, QPainter, QPixmapCache, QWheelEvent
from PySide6.QtWidgets import QGraphicsView, QPinchGesture

from bodymap.core.chart.frame import View

from .layout import PLACEMENTS, view_at
from .marks_layer import MarkItem
from .scene import ChartScene
from .tools import Gesture, Tool

if TYPE_CHECKING:
    from bodymap.core.chart.hittest import Hit, HitTester

HOVER_TOLERANCE_PX = 8.0  # how near (on screen) the cursor must be to a landmark to name it
DRAG_THRESHOLD_PX = 4.0  # a press that moves less than this is a click, not a pan
ZOOM_STEP = 1.25
PIXMAP_CACHE_KB = 256 * 1024
MIN_ZOOM, MAX_ZOOM = 0.2, 40.0  # relative to the fitted view


class ChartView(QGraphicsView):
    """Shows a ChartScene. Emits what is under the cursor and where the user clicked, in body terms."""

    hovered = Signal(object)  # Hit | None
    pointed = Signal(str, float, float)  # the body point under the cursor (view, x, y)
    clicked = Signal(str, float, float)  # view, x, y in the body frame
    zoomChanged = Signal(float)
    drawn = Signal(str, str, object)  # tool ("brush" / "lasso" / "eraser"), view, shapely geometry
    markClicked = Signal(object)  # mark id: a mark clicked with the Mark tool (not dragged)
    markDragged = Signal(object, float, float)  # mark id, x, y while dragging (preview)
    markDropped = Signal(object, float, float)  # mark id, x, y where it was let go, after a real drag

    def __init__(self, scene: ChartScene, parent=None):
        super().__init__(scene, parent)
        self.chart = scene
        self._press: QPoint | None = None
        self._panning = False
        self._fit_scale = 1.0
        self.last_hit: Hit | None = None
        self.tool = Tool.NAVIGATE
        self.brush_radius = 0.012  # body units: about 2 cm on a 170 cm adult
        self._gesture: Gesture | None = None
        # With the Mark tool, a press on a mark of the open visit selects it, and dragging moves it.
        self._mark_drag: tuple[object, str, QPoint] | None = None  # mark id, view, where pressed
        self._mark_moved = False
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)  # zoom_by anchors itself
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setBackgroundBrush(Qt.GlobalColor.white)
        # The chart's layers are cached as screen-sized pixmaps; Qt's default 10 MB pixmap cache
        # holds about one of them at full HD, so the caches would evict each other every frame.
        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), PIXMAP_CACHE_KB))
        # Pan by dragging, as on a map; scroll bars would only take room from the chart.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.viewport().setMouseTracking(True)  # hover names regions without a button held
        self.viewport().grabGesture(Qt.GestureType.PinchGesture)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.fit()

    # -- hit-testing ---------------------------------------------------------------------------

    def tester(self, view: View) -> HitTester:
        from bodymap.core.chart.hittest import tester_for

        return tester_for(self.chart.body[view])

    def body_point(self, pos: QPoint | QPointF) -> tuple[View, float, float] | None:
        """The view and body-frame point under a viewport position, if it is on a shown view."""
        sp = self.mapToScene(pos.toPoint() if isinstance(pos, QPointF) else pos)
        return view_at(sp.x(), sp.y(), self.chart.shown_views)

    def hit_at(self, pos: QPoint) -> Hit | None:
        return self._hit(self.body_point(pos))

    def _hit(self, where: tuple[View, float, float] | None) -> Hit | None:
        if where is None or self.chart.body is None:  # before the geometry core is attached
            return None
        view, x, y = where
        # The landmark tolerance is in screen pixels; convert it to body units at this zoom.
        tol = PLACEMENTS[view].body_length(HOVER_TOLERANCE_PX / self.transform().m11())
        hit = self.tester(view).hit(x, y, tol)
        return hit if (hit.region or hit.landmark) else None

    def _update_hover(self, pos: QPoint) -> None:
        where = self.body_point(pos)  # once per move: hover is a hot path
        if where is not None:
            self.pointed.emit(*where)
        hit = self._hit(where)
        if hit != self.last_hit:
            self.last_hit = hit
            self.chart.set_hover(hit.region if hit else None)
            self.hovered.emit(hit)

    # -- zoom ------------------------------------------------------------------------------------

    def zoom(self) -> float:
        """The zoom relative to the fitted view (1.0 = fit)."""
        return self.transform().m11() / self._fit_scale

    def zoom_by(self, factor: float, anchor: QPoint | None = None) -> None:
        """Zoom by `factor`, keeping the scene point under `anchor` (default: the centre) in place."""
        target = min(MAX_ZOOM, max(MIN_ZOOM, self.zoom() * factor))
        factor = target / self.zoom()
        if abs(factor - 1.0) < 1e-9:
            return
        anchor = anchor if anchor is not None else self.viewport().rect().center()
        fixed = self.mapToScene(anchor)
        self.scale(factor, factor)
        drift = self.mapFromScene(fixed) - anchor
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + drift.x())
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() + drift.y())
        self._zoomed()

    def zoom_in(self) -> None:
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom_by(1 / ZOOM_STEP)

    def fit(self) -> None:
        """Fit the shown views in the window (key 0)."""
        rect = self.chart.views_rect()
        # Room to pan and to centre any view: half the shown area again on every side.
        self.setSceneRect(
            rect.adjusted(-rect.width() / 2, -rect.height() / 2, rect.width() / 2, rect.height() / 2)
        )
        self.resetTransform()
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        self._fit_scale = self.transform().m11()
        self._zoomed()

    def _zoomed(self) -> None:
        zoom = self.zoom()
        self.chart.set_label_scale(1.0 / zoom)  # titles and R / L keep their size on screen
        self.zoomChanged.emit(zoom)

    def show_views(self, views: tuple[View, ...]) -> None:
        self.chart.set_views(views)
        self.last_hit = None
        self.hovered.emit(None)
        self.fit()

    # -- events ----------------------------------------------------------------------------------

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if abs(self.zoom() - 1.0) < 1e-6:
            self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(ZOOM_STEP**steps, event.position().toPoint())
        event.accept()

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.NativeGesture:
            ng: QNativeGestureEvent = event  # type: ignore[assignment]
            if ng.gestureType() == Qt.NativeGestureType.ZoomNativeGesture:
                self.zoom_by(1.0 + ng.value(), ng.position().toPoint())
                return True
        if event.type() == QEvent.Type.Gesture:
            pinch = event.gesture(Qt.GestureType.PinchGesture)
            if isinstance(pinch, QPinchGesture):
                self.zoom_by(pinch.scaleFactor(), self.mapFromGlobal(pinch.centerPoint().toPoint()))
                return True
        return super().viewportEvent(event)

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif key == Qt.Key.Key_Minus:
            self.zoom_out()
        elif key == Qt.Key.Key_0:
            self.fit()
        elif key == Qt.Key.Key_Escape and self._gesture is not None:
            self._gesture.cancel()
            self._gesture = None
        else:
            super().keyPressEvent(event)

    def set_tool(self, tool: Tool) -> None:
        if self._gesture is not None:
            self._gesture.cancel()
            self._gesture = None
        self.tool = tool
        cursor = Qt.CursorShape.ArrowCursor if tool is Tool.NAVIGATE else Qt.CursorShape.CrossCursor
        self.viewport().setCursor(cursor)

    def mark_under(self, pos: QPoint) -> MarkItem | None:
        """The open visit's mark under a viewport position (within the hover tolerance), if any."""
        r = HOVER_TOLERANCE_PX
        for item in self.items(pos.x() - r, pos.y() - r, 2 * r, 2 * r):
            if isinstance(item, MarkItem) and not item.faint and item.isVisible():
                return item
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.tool is Tool.MARK:
            item = self.mark_under(event.position().toPoint())
            if item is not None:
                self._mark_drag = (item.mark.id, item.mark.view, event.position().toPoint())
                self._mark_moved = False
                event.accept()
                return
        if event.button() == Qt.MouseButton.LeftButton and self.tool not in (Tool.NAVIGATE, Tool.MARK):
            where = self.body_point(event.position().toPoint())
            if where is not None:
                view, x, y = where
                self._gesture = Gesture(self.chart, self.tool, view, self.brush_radius)
                self._gesture.finished.connect(self.drawn.emit)
                self._gesture.add(x, y)
            event.accept()
            return
        if event.button() in (Qt.MouseButton.LeftButton, Qt.MouseButton.MiddleButton):
            self._press = event.position().toPoint()
            self._panning = event.button() == Qt.MouseButton.MiddleButton
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        if self._mark_drag is not None:
            mark_id, view, pressed = self._mark_drag
            if not self._mark_moved and (pos - pressed).manhattanLength() < DRAG_THRESHOLD_PX:
                return  # not a drag yet: a click on a mark moves nothing
            self._mark_moved = True
            sp = self.mapToScene(pos)
            x, y = PLACEMENTS[view].to_body(sp.x(), sp.y())
            self.markDragged.emit(mark_id, x, y)
            return
        if self._gesture is not None:
            sp = self.mapToScene(pos)
            # The gesture stays on the view it started on, even if the cursor strays off the body.
            x, y = PLACEMENTS[self._gesture.view].to_body(sp.x(), sp.y())
            self._gesture.add(x, y)
            self._update_hover(pos)
            return
        if self._press is not None:
            delta = pos - self._press
            if not self._panning and delta.manhattanLength() >= DRAG_THRESHOLD_PX:
                self._panning = True
                self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            if self._panning:
                self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
                self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
                self._press = pos
                return
        self._update_hover(pos)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._mark_drag is not None and event.button() == Qt.MouseButton.LeftButton:
            (mark_id, view, _pressed), self._mark_drag = self._mark_drag, None
            if self._mark_moved:
                sp = self.mapToScene(event.position().toPoint())
                self.markDropped.emit(mark_id, *PLACEMENTS[view].to_body(sp.x(), sp.y()))
            else:
                self.markClicked.emit(mark_id)
            event.accept()
            return
        if self._gesture is not None and event.button() == Qt.MouseButton.LeftButton:
            gesture, self._gesture = self._gesture, None
            gesture.finish()
            event.accept()
            return
        if self._press is not None:
            was_click = not self._panning and event.button() == Qt.MouseButton.LeftButton
            self._press = None
            self._panning = False
            self.viewport().unsetCursor()
            if was_click:
                where = self.body_point(event.position().toPoint())
                if where is not None:
                    self.clicked.emit(*where)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def leaveEvent(self, event) -> None:
        if self.last_hit is not None:
            self.last_hit = None
            self.chart.set_hover(None)
            self.hovered.emit(None)
        super().leaveEvent(event)
