"""The treated point: how the selected mark was needled, recorded in a few keystrokes.

N (with the chart in focus) opens this form on the selected mark. It starts from the last treated point
of the visit (needle and technique; else the visit's chosen needle, else the last one used) and the
mark's nearest trigger point's muscle, so recording the same needle again is N then Enter. Tab moves
through depth, technique, passes, twitch responses, familiar pain, the patient's responses and time in;
Enter records; Esc leaves the mark as it was. The warnings that apply (a depth beyond the atlas's safe
depth for the muscle, a hazard under the point, a precaution) show in the form as the values are typed,
and stay with the point (beside it on the chart, in the panel and in every export). Nothing here
blocks: the therapist decides."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bodymap.core.records import commands as cmd
from bodymap.core.records.content import in_force
from bodymap.core.records.editing import new_treatment
from bodymap.core.records.model import (
    MAX_DEPTH_MM,
    MAX_MINUTES_IN,
    MAX_PASSES,
    MAX_TWITCHES,
    RESPONSES,
    TECHNIQUES,
    InvalidValue,
    Needle,
    Treatment,
    check_count,
    check_number,
    stored,
)
from bodymap.core.records.safety import needling_warnings

from ..fields import NotesField, NumberField
from ..text import PlainLabel
from .session import RecordsSession

WARNING_STYLE = "background: #fadbd8; color: #78281f; padding: 4px; border-left: 4px solid #c0392b"
NOT_RECORDED = "not recorded"


def select(combo: QComboBox, value: object) -> None:
    """Show the item whose data equals `value` (findData compares Python objects by identity)."""
    index = next((i for i in range(combo.count()) if combo.itemData(i) == value), 0)
    combo.setCurrentIndex(index)


def _depth(v: Any) -> None:
    if v is not None:
        check_number("depth", v, 0, MAX_DEPTH_MM, lo_open=True, unit=" mm")


def _minutes(v: Any) -> None:
    if v is not None:
        check_number("time in", v, 0, MAX_MINUTES_IN, unit=" minutes")


class TreatmentDialog(QDialog):
    """The form of one treated point. `treatment()` is what it says when accepted; `removed` is True
    when the therapist chose "Not needled"."""

    def __init__(self, session: RecordsSession, mark_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.mark_id = session, mark_id
        self.removed = False
        store = session.store
        self.mark = session.mark(mark_id) or store.mark(
            mark_id
        )  # the mark as shown: the change is made on it
        start = self.mark.treatment or new_treatment(store, mark_id, session.settings.value)
        atlas = store.placer.atlas
        row = session.mark_row(mark_id)
        number = row.number if row is not None else 0
        self.setWindowTitle(f"Treated point: mark {number}" if number else "Treated point")

        self.muscle = QComboBox()
        self.muscle.addItem(NOT_RECORDED, None)
        for m in sorted(atlas.muscles.values(), key=lambda m: m.name):
            self.muscle.addItem(m.name, m.id)
        select(self.muscle, start.muscle)
        self.muscle.setToolTip("The muscle needled (at first: the nearest trigger point's)")

        self.needle = QComboBox()
        self.needle.setEditable(True)  # a needle not in the list is typed: 0.30 x 50
        self.needle.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        needles = list(session.settings.value.needles)
        if start.needle is not None and start.needle not in needles:
            needles.append(start.needle)
        self.needle.addItem(NOT_RECORDED, None)
        for n in needles:
            self.needle.addItem(n.label, n)
        select(self.needle, start.needle)
        self.needle.setToolTip("Diameter × length in mm; type one not in the list (0.30 x 50)")

        self.depth = NumberField(_depth, whole=False, unit="mm", width=80)
        self.depth.set_value(start.depth_mm)
        self.depth.setToolTip("How deep the needle went, in mm; empty: not recorded")
        self.technique = QComboBox()
        self.technique.addItem(NOT_RECORDED, None)
        for key, words in TECHNIQUES.items():
            self.technique.addItem(words, key)
        select(self.technique, start.technique)
        self.passes = NumberField(lambda v: check_count("passes", v, MAX_PASSES, lo=1))
        self.passes.set_value(start.passes)
        self.passes.setToolTip("Pistoning: how many passes")
        self.twitches = NumberField(lambda v: check_count("twitch responses", v, MAX_TWITCHES))
        self.twitches.set_value(start.twitches)
        self.twitches.setToolTip("Local twitch responses elicited (Up / Down to count)")
        self.familiar = QComboBox()
        for text, value in ((NOT_RECORDED, None), ("yes", True), ("no", False)):
            self.familiar.addItem(text, value)
        select(self.familiar, start.familiar_pain)
        self.responses = {key: QCheckBox(words) for key, words in RESPONSES.items()}
        for key, box in self.responses.items():
            box.setChecked(key in start.responses)
        self.minutes = NumberField(_minutes, whole=False, unit="min", width=80)
        self.minutes.set_value(start.minutes)
        self.minutes.setToolTip("How long the needle stayed in, in minutes")
        self.notes = NotesField("notes on the treatment", rows=2)
        self.notes.set_value(start.notes)
        self.warnings = PlainLabel(wrap=True)
        self.warnings.setStyleSheet(WARNING_STYLE)
        self.error = PlainLabel(wrap=True)
        self.error.setStyleSheet("color: #b03a2e")

        form = QFormLayout()
        form.addRow("Muscle", self.muscle)
        form.addRow("Needle", self.needle)
        form.addRow("Depth", self.depth)
        technique = QHBoxLayout()
        technique.addWidget(self.technique, 1)
        technique.addWidget(PlainLabel("passes"))
        technique.addWidget(self.passes)
        form.addRow("Technique", technique)
        form.addRow("Twitch responses", self.twitches)
        form.addRow("Familiar pain", self.familiar)
        responses = QVBoxLayout()
        for box in self.responses.values():
            responses.addWidget(box)
        form.addRow("Patient response", responses)
        form.addRow("Time in", self.minutes)
        form.addRow("Notes", self.notes)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.record = QPushButton("Record")
        self.record.setDefault(True)
        self.record.setAutoDefault(True)
        buttons.addButton(self.record, QDialogButtonBox.ButtonRole.AcceptRole)
        self.not_needled = QPushButton("Not needled")
        self.not_needled.setToolTip("The mark was not needled after all: remove the treated point")
        buttons.addButton(self.not_needled, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.not_needled.setVisible(self.mark.treatment is not None)  # after joining: the box shows it
        self.record.setDefault(True)  # after joining the box, which sets defaults of its own
        self.record.clicked.connect(self._record)
        self.not_needled.clicked.connect(self._remove)
        buttons.rejected.connect(self.reject)

        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.warnings)
        lay.addWidget(self.error)
        lay.addWidget(buttons)
        for signal in (
            self.muscle.currentIndexChanged,
            self.needle.currentIndexChanged,
            self.technique.currentIndexChanged,
            self.depth.textChanged,
        ):
            signal.connect(self._update)
        self._update()
        # The depth first: it is what changes from point to point; Enter records with the needle chosen.
        self.depth.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- reading the form --------------------------------------------------------------------------

    def _needle(self) -> Needle | None:
        text = self.needle.currentText().strip()
        data = self.needle.currentData()
        if isinstance(data, Needle) and text == data.label:
            return data
        if text in ("", NOT_RECORDED):
            return None
        return Needle.parse(text)

    def treatment(self) -> Treatment:
        """The treated point as the form says it; InvalidValue (the core's reason) if it cannot be."""
        for field in (self.depth, self.passes, self.twitches, self.minutes):
            field.parse(field.text())  # ValueError: not a number
        technique = self.technique.currentData()
        passes = self.passes.parse(self.passes.text())
        return Treatment(
            muscle=self.muscle.currentData(),
            needle=self._needle(),
            depth_mm=self.depth.parse(self.depth.text()),
            technique=technique,
            passes=passes if technique == "pistoning" else None,
            twitches=self.twitches.parse(self.twitches.text()),  # type: ignore[arg-type]
            familiar_pain=self.familiar.currentData(),
            responses=tuple(k for k, box in self.responses.items() if box.isChecked()),
            minutes=self.minutes.parse(self.minutes.text()),
            notes=self.notes.value(),
        )

    def _update(self) -> None:
        """Passes only for pistoning; the warnings of the point as it would be recorded."""
        self.passes.setEnabled(self.technique.currentData() == "pistoning")
        try:
            t = self.treatment()
        except ValueError as exc:
            self.error.setText(str(exc)[:1].upper() + str(exc)[1:])
            return
        self.error.setText("")
        s = self.session
        visit = s.visit(stored(self.mark.visit_id))
        screens = s.record.screens() if s.record is not None else []
        consents = s.record.consents() if s.record is not None else []
        day = visit.visited_on if visit is not None else None
        screen, _ = in_force(screens, day, "screened_on")
        consent, _ = in_force(consents, day, "consented_on")
        found = needling_warnings(replace(self.mark, treatment=t), screen, consent, s.store.placer.atlas)
        self.warnings.setText("⚠ " + "\n⚠ ".join(w.message for w in found) if found else "")
        self.warnings.setVisible(bool(found))

    # -- buttons -----------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter records from any field (an editable needle list would otherwise keep it), Esc cancels.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.notes.hasFocus():
            self._record()
            return
        super().keyPressEvent(event)

    def _record(self) -> None:
        try:
            self.treatment()
        except (ValueError, InvalidValue) as exc:
            self.error.setText(str(exc)[:1].upper() + str(exc)[1:])
            return
        self.accept()

    def _remove(self) -> None:
        self.removed = True
        self.accept()


def treat(session: RecordsSession, parent: QWidget | None = None) -> bool:
    """Open the treated-point form on the selected mark and record what it says; True if it did."""
    mid = session.mark_id
    if mid is None:
        return False
    before = QApplication.focusWidget()  # the chart, as a rule: the next key acts on the next mark
    dialog = TreatmentDialog(session, mid, parent)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    dialog.deleteLater()
    if before is not None:  # back where the keys were (offscreen platforms do not hand it back)
        before.window().activateWindow()
        QApplication.processEvents()  # the activation is an event of its own
        before.setFocus(Qt.FocusReason.OtherFocusReason)
    if not accepted:
        return False
    if dialog.removed:
        return session.run(cmd.TreatMark(dialog.mark, None))
    treatment = dialog.treatment()
    if not session.run(cmd.TreatMark(dialog.mark, treatment)):
        return False
    if treatment.needle is not None:
        settings = session.settings
        settings.set(settings.value.used(treatment.needle))
    return True
