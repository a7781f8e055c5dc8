"""The clinic's settings (core/settings.py) kept in QSettings under "clinic/": the therapist's name, the
clinic's name and contact line, the needle list and the last needle used. The window and the command
line read them through `load`; a stored value that cannot be read falls back to its default (logged)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from bodymap.core.records.model import InvalidValue, Needle
from bodymap.core.settings import Settings, check_typed_location

from .text import PlainLabel, plain_tip, tell

log = logging.getLogger(__name__)
GROUP = "clinic"


def load(store: QSettings | None = None) -> Settings:
    qs = store or QSettings()
    values = {key: qs.value(f"{GROUP}/{key}") for key in Settings().stored() if qs.contains(f"{GROUP}/{key}")}
    settings, problems = Settings.from_stored(values)
    for problem in problems:
        log.warning("clinic settings: %s; the default is used", problem)
    return settings


def save(settings: Settings, store: QSettings | None = None) -> None:
    qs = store or QSettings()
    for key, value in settings.stored().items():
        qs.setValue(f"{GROUP}/{key}", value)
    qs.sync()


class ClinicSettings(QObject):
    """The settings of this window, saved as they change; `changed` after each change."""

    changed = Signal(object)  # the new Settings

    def __init__(self, store: QSettings | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store or QSettings()
        self.value = load(self.store)

    def set(self, settings: Settings) -> None:
        if settings == self.value:
            return
        self.value = settings
        save(settings, self.store)
        self.changed.emit(settings)


class SettingsDialog(QDialog):
    """The clinic's settings: therapist, clinic name, contact line (printed on the aftercare sheet), the
    needles kept, one per line as gauge × length in mm, and where the records are (a clinic's server).
    A value that cannot be read is said and nothing is saved."""

    def __init__(self, settings: ClinicSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Clinic settings")
        self.settings = settings
        value = settings.value
        self.therapist = QLineEdit(value.therapist)
        self.therapist.setPlaceholderText("the name new visits carry")
        self.clinic = QLineEdit(value.clinic)
        self.contact = QLineEdit(value.contact)
        self.contact.setPlaceholderText("phone and hours, printed on the patient's aftercare sheet")
        self.records = QLineEdit(value.records)
        self.records.setPlaceholderText("this computer's file (or a clinic's server URL)")
        self.records.setToolTip(
            plain_tip(
                "Where the patient records are, from the next start: a file, or a clinic's PostgreSQL "
                "server, postgresql+psycopg://name@server/bodymap (docs/clinic.md). Empty: the file "
                "in this computer's data folder. bodymap --db and $BODYMAP_DB come first."
            )
        )
        self.needles = QPlainTextEdit("\n".join(n.label for n in value.needles))
        self.needles.setToolTip("One needle per line: diameter × length in mm (0.25 x 30)")
        self.error = PlainLabel(wrap=True)
        self.error.setStyleSheet("color: #b03a2e")
        form = QFormLayout()
        form.addRow("Therapist", self.therapist)
        form.addRow("Clinic", self.clinic)
        form.addRow("Contact line", self.contact)
        form.addRow("Needles", self.needles)
        form.addRow("Records", self.records)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(buttons)

    def read(self) -> Settings:
        """The settings as typed; InvalidValue with the reason."""
        needles = tuple(
            Needle.parse(line) for line in self.needles.toPlainText().splitlines() if line.strip()
        )
        return Settings(
            therapist=self.therapist.text().strip(),
            clinic=self.clinic.text().strip(),
            contact=self.contact.text().strip(),
            needles=needles,
            last_needle=self.settings.value.last_needle,
            records=check_typed_location(self.records.text()),
        )

    def save(self) -> None:
        try:
            value = self.read()
        except InvalidValue as exc:
            self.error.setText(str(exc)[:1].upper() + str(exc)[1:] + "; nothing was saved")
            return
        moved = value.records != self.settings.value.records
        self.settings.set(value)
        self.accept()
        if moved:  # the records open where they are at the start; this window keeps the ones it has
            tell(
                self.parentWidget() or self,
                "Clinic settings",
                f"The records will be opened from {value.records or 'the file in the data folder'} "
                "at the next start of bodymap.",
                QMessageBox.Icon.Information,
            )
