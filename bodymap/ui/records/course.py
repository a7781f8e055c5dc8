"""The course of care: every visit of the patient compared (pain before and after, extent, overlap with
the previous visit, trigger points), as a chart and in words. Recomputed once per burst of changes,
after the keystroke that caused them has been answered."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

from bodymap.core.records.metrics import CourseRow, course_of_care

from ..text import PlainLabel
from .course_chart import CourseChart
from .session import RecordsSession


def course_lines(rows: list[CourseRow]) -> str:
    lines = []
    for r in rows:
        ext = f"{r.extent.chart_share * 100:.1f} %" if r.extent else "—"
        ov = f"{r.overlap:.2f}" if r.overlap is not None else "—"
        before = "—" if r.pain_before is None else r.pain_before
        after = "—" if r.pain_after is None else r.pain_after
        lines.append(
            f"Visit {r.number} ({r.visited_on.isoformat()}): pain {before}→{after}, extent {ext}, "
            f"overlap {ov}, active TrPs {r.active_trps}"
        )
    return "\n".join(lines)


class CourseBox(QWidget):
    def __init__(self, session: RecordsSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.chart = CourseChart()
        self.chart.setMinimumHeight(150)
        self.text = PlainLabel(wrap=True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.chart, 1)
        lay.addWidget(self.text)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._when_seen)
        self._stale = False
        session.patientOpened.connect(lambda _p: self._timer.start())
        session.changed.connect(
            lambda c: self._timer.start() if c.kind in ("visit", "mark", "drawing") else None
        )
        self.load()

    def _when_seen(self) -> None:
        # The whole record is read: only when the course is on screen (a finding key costs nothing more).
        if self.isVisible():
            self.load()
        else:
            self._stale = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self.load()

    def load(self) -> None:
        self._stale = False
        pid = self.session.patient_id
        rows = course_of_care(self.session.store, pid) if pid is not None else []
        self.chart.set_rows(rows)
        self.text.setText(("Course of care\n" + course_lines(rows)) if rows else "")
