"""The history of changes to the open patient's record: who changed what, when, and the value before
(core/records/history.py words it), newest first, narrowed by what is typed or to the open visit; and
the report that ends with it (issue 10: a record is amended, never overwritten)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bodymap.core.records.history import history_lines

from ..text import PlainLabel
from .session import RecordsSession


class HistoryView(QDialog):
    def __init__(self, session: RecordsSession, export: Callable[[], object], parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        patient = session.patient()
        self.setWindowTitle(f"History of changes — {patient.name if patient else ''}")
        self.resize(760, 460)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Find: a name, a field, a date…")
        self.filter.setClearButtonEnabled(True)
        self.this_visit = QCheckBox("Only the open visit")
        self.this_visit.setEnabled(session.visit_id is not None)
        self.list = QListWidget()  # items are plain text: a name or note is never read as HTML
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.count = PlainLabel()
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.this_visit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export = QPushButton("Export all visits with this history (PDF)…")
        self.export.clicked.connect(export)
        buttons.addButton(self.export, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.count)
        lay.addWidget(buttons)
        QShortcut(QKeySequence.StandardKey.Find, self, self.filter.setFocus)
        self.filter.textChanged.connect(self._show)
        self.this_visit.toggled.connect(self._read)
        session.changed.connect(self._read)  # a change made meanwhile shows at once
        session.patientOpened.connect(self._patient_opened)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._lines: list[str] = []
        self._read()

    def _patient_opened(self, _patient_id: object) -> None:
        self.close()  # it shows the history of the patient who was open

    def _read(self, *_args: object) -> None:
        s = self.session
        if s.record is None:
            self._lines = []
        else:
            visits = {s.visit_id} if self.this_visit.isChecked() and s.visit_id is not None else None
            self._lines = history_lines(s.record.record(), visits)[::-1]
        self._show()

    def _show(self) -> None:
        words = self.filter.text().casefold().split()
        shown = [line for line in self._lines if all(w in line.casefold() for w in words)]
        self.list.clear()
        self.list.addItems(shown)
        total = len(self._lines)
        self.count.setText(
            f"{total} change{'s' if total != 1 else ''}, newest first"
            if len(shown) == total
            else f"{len(shown)} of {total} changes"
        )

    def keyPressEvent(self, event) -> None:
        # Escape clears the filter first, then closes.
        if event.key() == Qt.Key.Key_Escape and self.filter.text():
            self.filter.clear()
            return
        super().keyPressEvent(event)
