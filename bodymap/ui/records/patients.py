"""Finding and opening a patient, their details, precaution screen and consent.

The list always highlights the patient that is open (and only them): the session says who is open,
the list follows, whatever opened them (a click, a new patient, an import, an undo)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bodymap.core.records import commands as cmd
from bodymap.core.records.content import precaution_summary

from ..text import PlainLabel
from .dialogs import ConsentDialog, PatientDialog, ScreenDialog
from .session import RecordsSession

LIST_ROWS = 4  # patients shown without scrolling: the list must not push the marks off screen


def patient_line(p) -> str:
    return f"{p.family_name}, {p.given_name} — born {p.date_of_birth.isoformat()}"


class PatientsBox(QWidget):
    bannerChanged = Signal(str, bool)  # the precautions line and whether it calls for care

    def __init__(self, session: RecordsSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find patient by name…")
        self.search.setClearButtonEnabled(True)
        self.patients = QListWidget()
        row_h = self.patients.fontMetrics().height() + 4
        self.patients.setMaximumHeight(row_h * LIST_ROWS + 6)
        self.new_patient = QPushButton("New patient…")
        self.edit_patient = QPushButton("Edit…")
        self.screen_button = QPushButton("Screen…")
        self.screen_button.setToolTip("Record the precaution screen for dry needling")
        self.consent_button = QPushButton("Consent…")
        self.banner = PlainLabel(wrap=True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(3)
        lay.addWidget(self.search)
        lay.addWidget(self.patients)
        grid = QGridLayout()
        for i, w in enumerate((self.new_patient, self.edit_patient, self.screen_button, self.consent_button)):
            grid.addWidget(w, 0, i)
        lay.addLayout(grid)
        lay.addWidget(self.banner)

        self.search.textChanged.connect(self.refresh)
        self.patients.itemClicked.connect(self._picked)
        self.patients.currentItemChanged.connect(lambda item, _old: self._picked(item))
        self.new_patient.clicked.connect(self.create_patient)
        self.edit_patient.clicked.connect(self.edit_current)
        self.screen_button.clicked.connect(self.record_screen)
        self.consent_button.clicked.connect(self.record_consent)
        session.patientOpened.connect(self._opened)
        session.changed.connect(self._changed)
        self.refresh()
        self._opened(session.patient_id)

    # -- listing -------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """List the patients the search finds, the open one highlighted."""
        store, text = self.session.store, self.search.text().strip()
        found = store.find_patients(text) if text else store.patients()[:200]
        self.patients.blockSignals(True)
        self.patients.clear()
        for p in found:
            item = QListWidgetItem(patient_line(p))
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            self.patients.addItem(item)
        self._highlight()
        self.patients.blockSignals(False)

    def _highlight(self) -> None:
        """Make the open patient the list's current (and only selected) row; none if they are not listed."""
        self.patients.blockSignals(True)
        self.patients.clearSelection()
        self.patients.setCurrentItem(None)
        for row in range(self.patients.count()):
            item = self.patients.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == self.session.patient_id:
                self.patients.setCurrentItem(item)
                item.setSelected(True)
                self.patients.scrollToItem(item)
        self.patients.blockSignals(False)

    def _picked(self, item: QListWidgetItem | None) -> None:
        if item is not None and item.data(Qt.ItemDataRole.UserRole) != self.session.patient_id:
            self.session.open_patient(item.data(Qt.ItemDataRole.UserRole))

    def _opened(self, patient_id: int | None) -> None:
        if patient_id is not None and all(
            self.patients.item(r).data(Qt.ItemDataRole.UserRole) != patient_id
            for r in range(self.patients.count())
        ):
            self.search.blockSignals(True)
            self.search.clear()  # the open patient must be in the list: show them
            self.search.blockSignals(False)
            self.refresh()
        self._highlight()
        self._show_banner()
        for w in (self.edit_patient, self.screen_button, self.consent_button):
            w.setEnabled(patient_id is not None)

    def _changed(self, change) -> None:
        if change.kind == "patient":
            self.refresh()
        if change.kind in ("patient", "screen", "consent"):
            self._show_banner()

    def _show_banner(self) -> None:
        pid = self.session.patient_id
        if pid is None:
            self.banner.setText("")
            self.banner.setStyleSheet("")
            self.bannerChanged.emit("", False)
            return
        record = self.session.record
        screens, consents = (record.screens(), record.consents()) if record is not None else ([], [])
        text, warn = precaution_summary(screens[-1] if screens else None, consents[-1] if consents else None)
        self.banner.setText(text)
        self.banner.setStyleSheet(
            "background: #fdebd0; color: #7e3b00; padding: 3px; border-radius: 3px"
            if warn
            else "background: #e9f5ec; color: #1e5631; padding: 3px"
        )
        self.bannerChanged.emit(text, warn)

    # -- dialogs -------------------------------------------------------------------------------------

    def create_patient(self) -> None:
        dialog = PatientDialog(parent=self)
        if dialog.exec() and dialog.result_value is not None:
            self.session.create_patient(dialog.result_value)

    def edit_current(self) -> None:
        p = self.session.patient()
        if p is None:
            return
        dialog = PatientDialog(p, parent=self)
        if dialog.exec() and dialog.result_value is not None:
            new = dialog.result_value
            changes = {
                k: getattr(new, k)
                for k in ("given_name", "family_name", "date_of_birth", "sex", "contact", "notes")
                if getattr(new, k) != getattr(p, k)
            }
            if changes:
                self.session.run(cmd.UpdatePatient(p, **changes))

    def record_screen(self) -> None:
        pid = self.session.patient_id
        if pid is None:
            return
        screens = self.session.record.screens() if self.session.record is not None else []
        dialog = ScreenDialog(pid, screens[-1] if screens else None, parent=self)
        if dialog.exec() and dialog.result_value is not None:
            self.session.run(cmd.RecordScreen(dialog.result_value))

    def record_consent(self) -> None:
        pid = self.session.patient_id
        if pid is None:
            return
        dialog = ConsentDialog(pid, parent=self)
        if dialog.exec() and dialog.result_value is not None:
            self.session.run(cmd.RecordConsent(dialog.result_value))
