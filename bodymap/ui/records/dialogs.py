"""Dialogs for a patient's details, precaution screen and consent. They return plain core records;
the panel turns them into commands (so they can be undone). Nothing is answered for the user: a new
patient has no date of birth until one is typed, and consent starts unanswered."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
)

from bodymap.core.records.model import (
    PRECAUTION_SOURCES,
    PRECAUTIONS,
    Consent,
    InvalidValue,
    Patient,
    Screen,
    check_text,
)

from ..fields import DateField
from ..text import PlainLabel

SEXES = (("unknown", "Not stated"), ("female", "Female"), ("male", "Male"), ("other", "Other"))


def _date_field(value: date | None, name: str) -> DateField:
    field = DateField(required=True, name=name)
    field.set_value(value)
    return field


def _typed_date(field: DateField) -> date:
    """The date typed in a dialog's field (checked when OK is pressed, not only when the field is left)."""
    from ..fields import parse_date

    try:
        value = parse_date(field.text())
    except ValueError as exc:
        raise InvalidValue(str(exc)) from None
    if value is None:
        raise InvalidValue(f"the {field.name} is required")
    return value


class _Dialog(QDialog):
    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.error = PlainLabel()
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
        self.birth = _date_field(patient.date_of_birth if patient else None, "date of birth")
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
        given, family = self.given.text().strip(), self.family.text().strip()
        check_text("given name", given, required=True)  # the names first, as the form reads
        check_text("family name", family, required=True)
        return Patient(
            given_name=given,
            family_name=family,
            date_of_birth=_typed_date(self.birth),
            sex=self.sex.currentData(),
            contact=self.contact.text().strip(),
            notes=self.notes.toPlainText().strip(),
        )


class ScreenDialog(_Dialog):
    def __init__(self, patient_id: int, previous: Screen | None = None, parent=None):
        super().__init__("Precaution screen", parent)
        self.patient_id = patient_id
        self.on = _date_field(date.today(), "screen date")
        self.form.addRow("Screened on", self.on)
        self.form.addRow(PlainLabel("Tick what applies (each item's source is in its tooltip):"))
        self.boxes: dict[str, QCheckBox] = {}
        grid = QGridLayout()
        for i, (key, words) in enumerate(PRECAUTIONS.items()):
            box = QCheckBox(words[:1].upper() + words[1:])
            box.setChecked(bool(previous and getattr(previous, key)))
            box.setToolTip(f"Source: {PRECAUTION_SOURCES[key]}")
            self.boxes[key] = box
            grid.addWidget(box, i // 2, i % 2)
        self.form.addRow(grid)
        self.other = QLineEdit(previous.other if previous else "")
        self.other.setPlaceholderText("any other precaution")
        self.form.addRow("Other", self.other)

    def build(self) -> Screen:
        return Screen(
            patient_id=self.patient_id,
            screened_on=_typed_date(self.on),
            other=self.other.text().strip(),
            **{k: b.isChecked() for k, b in self.boxes.items()},
        )


class ConsentDialog(_Dialog):
    def __init__(self, patient_id: int, parent=None):
        super().__init__("Consent to dry needling", parent)
        self.patient_id = patient_id
        self.on = _date_field(date.today(), "consent date")
        self.given = QComboBox()
        self.given.addItem("— choose —", None)  # unanswered until the therapist says
        self.given.addItem("Consent given", True)
        self.given.addItem("Consent withdrawn", False)
        self.notes = QLineEdit()
        for label, w in (("Date", self.on), ("Consent", self.given), ("Notes", self.notes)):
            self.form.addRow(label, w)

    def build(self) -> Consent:
        if self.given.currentData() is None:
            raise InvalidValue("say whether consent was given or withdrawn")
        return Consent(
            patient_id=self.patient_id,
            consented_on=_typed_date(self.on),
            given=self.given.currentData(),
            notes=self.notes.text().strip(),
        )
