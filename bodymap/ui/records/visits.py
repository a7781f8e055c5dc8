"""Choosing the open patient's visit, and starting a new one. Visits are numbered by date, so a changed
date can renumber them: the choice follows the visit (its id), not its row."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from bodymap.core.records import commands as cmd
from bodymap.core.records.editing import new_visit

from .session import RecordsSession


class VisitBar(QWidget):
    def __init__(self, session: RecordsSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.visits = QComboBox()
        self.visits.setMinimumContentsLength(18)
        self.visits.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.new_visit = QPushButton("New visit")
        self.new_visit.setToolTip("Start today's visit for this patient")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(QLabel("Visit"))
        lay.addWidget(self.visits, 1)
        lay.addWidget(self.new_visit)
        self.visits.activated.connect(self._picked)
        self.new_visit.clicked.connect(self.create_visit)
        session.patientOpened.connect(lambda _p: self.refresh())
        session.visitOpened.connect(lambda _v: self.refresh())
        session.changed.connect(lambda c: self.refresh() if c.kind == "visit" else None)
        self.refresh()

    def refresh(self) -> None:
        s = self.session
        self.visits.blockSignals(True)
        self.visits.clear()
        if s.patient_id is not None:
            for n, v in enumerate(s.visits(), 1):
                who = f" — {v.therapist}" if v.therapist else ""
                self.visits.addItem(f"Visit {n} — {v.visited_on.isoformat()}{who}", v.id)
        index = self.visits.findData(s.visit_id) if s.visit_id is not None else -1
        if s.patient_id is not None and not self.visits.count():
            self.visits.addItem("no visits yet: start one", None)
            index = 0
        self.visits.setCurrentIndex(index)
        self.visits.blockSignals(False)
        self.visits.setEnabled(self.visits.count() > 0 and s.patient_id is not None)
        self.new_visit.setEnabled(s.patient_id is not None)

    def count(self) -> int:
        """How many visits the patient has."""
        return sum(self.visits.itemData(i) is not None for i in range(self.visits.count()))

    def _picked(self, index: int) -> None:
        visit_id = self.visits.itemData(index)
        if visit_id is not None:
            self.session.open_visit(visit_id)

    def create_visit(self) -> None:
        s = self.session
        if s.patient_id is None:
            return
        command = cmd.AddVisit(new_visit(s.store, s.patient_id, date.today(), s.settings.value.therapist))
        if s.run(command):
            s.open_visit(command.id)
