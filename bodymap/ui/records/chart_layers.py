"""The open visit on the chart: its marks (the selected one ringed, a needled one with a warning
flagged), its pain drawings, and the previous visit faintly when asked (V)."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence

from bodymap.core.records.metrics import union_areas

from ..chart.marks_layer import MarksLayer
from ..chart.pain_layer import PainLayer
from ..chart.scene import ChartScene
from .session import RecordsSession


class RecordsChartLayers:
    def __init__(self, scene: ChartScene, session: RecordsSession):
        self.scene, self.session = scene, session
        self.marks = MarksLayer(scene)
        self.pain = PainLayer(scene)
        self.show_previous = QAction("Show the previous visit faintly", scene)
        self.show_previous.setShortcut(QKeySequence("V"))
        self.show_previous.setCheckable(True)
        self.show_previous.setToolTip("Show the previous visit's marks and drawing faintly (V)")
        self.show_previous.toggled.connect(lambda _on: self.refresh_previous())
        session.visitOpened.connect(lambda _v: self.refresh())
        session.markSelected.connect(self.marks.set_selected)
        session.changed.connect(self._changed)
        self.refresh()

    def _changed(self, change) -> None:
        if change.kind in ("mark", "screen", "consent"):
            self.refresh_marks()
        elif change.kind == "drawing":
            self.refresh_drawings()
        elif change.kind == "visit":
            self.refresh()  # a date change can change which visit is the previous one

    def refresh(self) -> None:
        self.refresh_marks()
        self.refresh_drawings()
        self.refresh_previous()

    def refresh_marks(self) -> None:
        rows = self.session.mark_rows()
        warnings = {r.mark.id: "⚠ " + r.warning_text for r in rows if r.warnings}
        self.marks.set_marks([r.mark for r in rows], self.session.mark_id, warnings)

    def refresh_drawings(self) -> None:
        vid = self.session.visit_id
        self.pain.set_pain(union_areas(self.session.drawings()) if vid is not None else {})

    def previous_visit_id(self) -> int | None:
        s = self.session
        if s.patient_id is None or s.visit_id is None:
            return None
        ids = [v.id for v in s.visits()]
        i = ids.index(s.visit_id) if s.visit_id in ids else 0
        return ids[i - 1] if i > 0 else None

    def refresh_previous(self) -> None:
        prev = self.previous_visit_id() if self.show_previous.isChecked() else None
        s = self.session
        self.marks.set_previous(s.marks(prev) if prev else [])
        self.pain.set_previous(union_areas(s.drawings(prev)) if prev else {})

    def mark_at(self, view: str, x: float, y: float, tolerance: float) -> int | None:
        """The open visit's mark nearest a body point within `tolerance`, for clicking and dragging."""
        found = self.marks.mark_at(view, x, y, tolerance)
        return found.id if found is not None else None

    def preview_move(self, mark_id: int, x: float, y: float) -> None:
        """Show a mark where it is being dragged (it is saved when dropped)."""
        from ..chart.layout import PLACEMENTS

        for item in self.marks.items:
            if item.mark.id == mark_id:
                item.setPos(*PLACEMENTS[item.mark.view].to_scene(x, y))
