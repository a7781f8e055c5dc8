"""Where the chart's gestures go, decided in one place by what the user chose, never by which panel
happens to be visible:

- a click with the Point tool asks the lookup about that spot, shows where it was made, and brings
  the lookup's answer into view;
- a click with the Mark tool marks a palpated point on the open visit; a click on a mark selects it,
  dragging it moves it;
- a brush, lasso or eraser stroke draws on what the lookup ranks (its "Rank" choice): the open
  visit's pain drawing of the chosen symptom, or the lookup's own drawing."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QPointF, QRectF, Signal
from PySide6.QtGui import QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from bodymap.core.records import commands as cmd
from bodymap.core.records.editing import stroke

from .chart.layout import PLACEMENTS
from .chart.scene import ChartScene
from .chart.tools import Tool
from .chart.view import ChartView
from .lookup_panel import VISIT, LookupPanel

POINT_SIZE = 9.0  # screen pixels: the crosshair where the Point tool was clicked


class PointMarker(QGraphicsPathItem):
    """A crosshair of constant screen size where the lookup's point is."""

    def __init__(self) -> None:
        path = QPainterPath()
        s = POINT_SIZE
        path.addEllipse(QRectF(-s / 2, -s / 2, s, s))
        for a, b in (
            ((-s, 0), (-s / 3, 0)),
            ((s / 3, 0), (s, 0)),
            ((0, -s), (0, -s / 3)),
            ((0, s / 3), (0, s)),
        ):
            path.moveTo(QPointF(*a))
            path.lineTo(QPointF(*b))
        super().__init__(path)
        pen = QPen(QColor("#1f3a93"), 2.0)
        pen.setCosmetic(True)
        self.setPen(pen)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setToolTip("The point the lookup ranks (Point tool)")


class GestureRouter(QObject):
    lookupWanted = Signal()  # bring the lookup's answer into view
    message = Signal(str)

    def __init__(self, chart: ChartView, scene: ChartScene, lookup: LookupPanel):
        super().__init__(chart)
        self.chart, self.scene, self.lookup = chart, scene, lookup
        self.session = None  # the records session, once the records are open
        self.drawing_box = None
        self.chart_layers = None
        self.point: PointMarker | None = None
        # Parts that may take the chart's clicks and strokes before anyone else (an open study card).
        self.claims: list[Callable[[], bool]] = []
        chart.clicked.connect(self.clicked)
        chart.drawn.connect(self.drawn)

    def attach_records(self, session, drawing_box, chart_layers) -> None:
        self.session, self.drawing_box, self.chart_layers = session, drawing_box, chart_layers
        self.chart.markClicked.connect(session.select_mark)
        self.chart.markDragged.connect(chart_layers.preview_move)
        self.chart.markDropped.connect(self.move_mark)

    def move_mark(self, mark_id: int, x: float, y: float) -> None:
        """A mark dropped where it was dragged: moved, on the mark as shown; refused, it goes back."""
        s = self.session
        mark = s.mark(mark_id) if s is not None else None
        if mark is not None and not s.run(cmd.MoveMark(mark, x, y)):
            self.chart_layers.refresh_marks()

    # -- clicks ------------------------------------------------------------------------------------

    def claimed(self) -> bool:
        return any(claim() for claim in self.claims)

    def clicked(self, view: str, x: float, y: float) -> None:
        if self.claimed():
            return
        if self.chart.tool is Tool.MARK:
            self.add_mark(view, x, y)
        elif self.chart.tool is Tool.NAVIGATE:
            self.show_point(view, x, y)
            self.lookup.set_point(view, x, y)
            self.lookupWanted.emit()

    def show_point(self, view: str, x: float, y: float) -> None:
        if self.point is not None and self.point.scene() is not None:
            self.scene.removeItem(self.point)
        self.point = PointMarker()
        self.point.setPos(*PLACEMENTS[view].to_scene(x, y))  # type: ignore[index]
        self.point.setParentItem(self.scene.layer(view, "point"))  # type: ignore[arg-type]

    def add_mark(self, view: str, x: float, y: float) -> None:
        s = self.session
        if s is None:
            self.message.emit("Patient records are not open.")
            return
        if s.visit_id is None:
            self.message.emit("Open a patient and a visit first (New visit) to mark points.")
            return
        command = cmd.AddMark(s.visit_id, view, x, y)
        if s.run(command):
            s.select_mark(command.id)
            m = s.mark(command.id)
            region = s.store.placer.body[m.view].region(m.region_id, m.side)
            self.message.emit(
                f"Marked {region.label if region else m.side}: now A / D, T, F, X, N for the findings"
            )

    # -- strokes -----------------------------------------------------------------------------------

    def draws_on_visit(self) -> bool:
        return self.session is not None and self.session.visit_id is not None and self.lookup.ranks() == VISIT

    def target_text(self) -> str:
        """Where the drawing tools draw now, in words (for the status bar)."""
        if self.claimed():
            return "Drawing the answer to the study card"
        if self.draws_on_visit():
            symptom = self.drawing_box.symptom.currentText().lower()
            return f"Drawing on visit {self.session.visit_number()}: {symptom}"
        return "Drawing on the lookup's own drawing (not recorded)"

    def drawn(self, tool: str, view: str, shape) -> None:
        if self.claimed():
            return
        if self.draws_on_visit():
            s = self.session
            command = stroke(
                s.drawings(),
                s.store.placer.body,
                s.visit_id,
                self.drawing_box.current_symptom(),
                tool,
                view,
                shape,
                self.drawing_box.current_intensity(),
            )
            if command is not None:
                s.run(command)
        else:
            self.lookup.apply_gesture(tool, view, shape)
