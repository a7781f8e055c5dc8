"""Dialogs for a patient's details, precaution screen and consent. They return plain core records;
the panel turns them into commands (so they can be undone)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
)

from bodymap.core.records.model import PRECAUTIONS, Consent, Patient, Screen

SEXES = (("unknown", "Not stated"), ("female", "Female"), ("male", "Male"), ("other", "Other"))


def to_date(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def to_qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _date_edit(value: date) -> QDateEdit:
    edit = QDateEdit(to_qdate(value))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


class _Dialog(QDialog):
    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.error = QLabel()
        self.error.setStyleSheet("color: #b03a2e")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(self.form)
        lay.addWidget(self.error)
        lay.addWidget(buttons)
        self.result_value = None

    def _accept(self) -> None:
        try:
            self.result_value = self.build()
        except ValueError as exc:  # the core's validation message, shown where the user is looking
            self.error.setText(str(exc))
            return
        self.accept()

    def build(self):  # pragma: no cover - overridden
        raise NotImplementedError


class PatientDialog(_Dialog):
    def __init__(self, patient: Patient | None = None, parent=None):
        super().__init__("Edit patient" if patient else "New patient", parent)
        self.patient = patient
        self.given = QLineEdit(patient.given_name if patient else "")
        self.family = QLineEdit(patient.family_name if patient else "")
        self.birth = _date_edit(patient.date_of_birth if patient else date(1980, 1, 1))
        self.sex = QComboBox()
        for key, label in SEXES:
            self.sex.addItem(label, key)
        self.sex.setCurrentIndex(max(0, self.sex.findData(patient.sex if patient else "unknown")))
        self.contact = QLineEdit(patient.contact if patient else "")
        self.contact.setPlaceholderText("optional")
        self.notes = QPlainTextEdit(patient.notes if patient else "")
        for label, w in (
            ("Given name", self.given),
            ("Family name", self.family),
            ("Date of birth", self.birth),
            ("Sex", self.sex),
            ("Contact", self.contact),
            ("Notes", self.notes),
        ):
            self.form.addRow(label, w)

    def build(self) -> Patient:
        return Patient(
            given_name=self.given.text().strip(),
            family_name=self.family.text().strip(),
            date_of_birth=to_date(self.birth.date()),
            sex=self.sex.currentData(),
            contact=self.contact.text().strip(),
            notes=self.notes.toPlainText().strip(),
        )


class ScreenDialog(_Dialog):
    def __init__(self, patient_id: int, previous: Screen | None = None, parent=None):
        super().__init__("Precaution screen", parent)
        self.patient_id = patient_id
        self.on = _date_edit(date.today())
        self.form.addRow("Screened on", self.on)
        self.boxes: dict[str, QCheckBox] = {}
        for key, words in PRECAUTIONS.items():
            box = QCheckBox(words.capitalize())
            box.setChecked(bool(previous and getattr(previous, key)))
            self.boxes[key] = box
            self.form.addRow(box)
        self.other = QLineEdit(previous.other if previous else "")
        self.other.setPlaceholderText("any other precaution")
        self.form.addRow("Other", self.other)

    def build(self) -> Screen:
        return Screen(
            patient_id=self.patient_id,
            screened_on=to_date(self.on.date()),
            other=self.other.text().strip(),
            **{k: b.isChecked() for k, b in self.boxes.items()},
        )


class ConsentDialog(_Dialog):
    def __init__(self, patient_id: int, parent=None):
        super().__init__("Consent to dry needling", parent)
        self.patient_id = patient_id
        self.on = _date_edit(date.today())
        self.given = QComboBox()
        self.given.addItem("Consent given", True)
        self.given.addItem("Consent withdrawn", False)
        self.notes = QLineEdit()
        for label, w in (("Date", self.on), ("Consent", self.given), ("Notes", self.notes)):
            self.form.addRow(label, w)

    def build(self) -> Consent:
        return Consent(
            patient_id=self.patient_id,
            consented_on=to_date(self.on.date()),
            given=self.given.currentData(),
            notes=self.notes.text().strip(),
        )


def precautions_text(screen: Screen | None, consent: Consent | None) -> tuple[str, bool]:
    """The one-line precautions banner and whether it needs attention."""
    if screen is None:
        items, warn = ["no precaution screen on record"], True
    else:
        items = [p[:1].upper() + p[1:] for p in screen.precautions]
        warn = bool(items)
        items = items or [f"no precautions (screened {screen.screened_on.isoformat()})"]
    if consent is None:
        items.append("no consent to dry needling on record")
        warn = True
    elif not consent.given:
        items.append(f"consent withdrawn {consent.consented_on.isoformat()}")
        warn = True
    else:
        items.append(f"consent {consent.consented_on.isoformat()}")
    return "Precautions: " + "; ".join(items), warn
