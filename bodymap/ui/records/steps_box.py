"""The needling session's four steps on the open visit: where it stands (the steps bar above the tabs)
and the fields of Preparation and Post-treatment (the Session tab).

The bar shows each step done (✓) or what it still misses, in orange; a click on a step opens the tab
where its items are recorded. Nothing is forced: any step can be recorded in any order (core/records/
steps.py). Each field saves only itself, when the user finishes with it, through the records session."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from bodymap.core.records.model import Needle
from bodymap.core.records.steps import STEPS, visit_steps

from ..fields import DateField
from ..text import PlainLabel
from .session import RecordsSession, Shown
from .treatment import select
from .visit_fields import save_visit_fields

DONE = "color: #1e8449"
MISSING = "color: #b9770e"


def _heading(text: str) -> PlainLabel:
    label = PlainLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


class StepsBar(QWidget):
    """One button per step: "✓ Assessment", or "Preparation: consent, skin preparation"."""

    stepClicked = Signal(str)  # the step's name

    def __init__(self, session: RecordsSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.buttons: dict[str, QPushButton] = {}
        # Two by two: four steps side by side would widen a narrow Patient panel (800 x 600, a laptop).
        lay = QGridLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        for i, name in enumerate(STEPS):
            b = QPushButton(name)
            b.setFlat(True)
            b.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            b.clicked.connect(lambda _on=False, n=name: self.stepClicked.emit(n))
            self.buttons[name] = b
            lay.addWidget(b, i // 2, i % 2)
        session.visitOpened.connect(lambda _v: self.load())
        session.changed.connect(lambda _c: self.load())
        self.load()

    def load(self) -> None:
        vid, open_record = self.session.visit_id, self.session.record
        self.setVisible(vid is not None)
        if vid is None or open_record is None:
            return
        vr = open_record.visit_record(vid)
        if vr is None:
            return
        for step in visit_steps(open_record.record(), vr):
            b = self.buttons[step.name]
            if step.complete:
                b.setText(f"✓ {step.name}")
                b.setStyleSheet(DONE)
                b.setToolTip(f"{step.name}: " + ", ".join(step.done))
            else:
                b.setText(f"{step.name} ({len(step.missing)})")
                b.setStyleSheet(MISSING)
                b.setToolTip(f"{step.name}, still missing: " + ", ".join(step.missing))


class SessionForm(QWidget):
    """Preparation (positioned, skin prepared, needle chosen) and Post-treatment (immediate reactions,
    aftercare advice given, next visit) of the open visit."""

    handout = Signal()  # "Aftercare sheet…": the window prints or saves the patient's sheet

    def __init__(self, session: RecordsSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.positioned = QCheckBox("Patient positioned and supported")
        self.skin = QCheckBox("Skin cleaned")
        self.needle = QComboBox()
        self.needle.setToolTip("The needle laid out for this visit; a treated point starts with it")
        self.reactions = QLineEdit()
        self.reactions.setPlaceholderText("immediate reactions after needling (none, faint, bleeding...)")
        none = QPushButton("None")
        none.setToolTip("No immediate reaction")
        none.clicked.connect(lambda: (self.reactions.setText("none"), self._save(reactions="none")))
        self.advice = QCheckBox("Aftercare advice given")
        sheet = QPushButton("Aftercare sheet…")
        sheet.setToolTip("Print or save the patient's aftercare sheet for this visit (Ctrl+Shift+H)")
        sheet.clicked.connect(self.handout.emit)
        self.next_visit = DateField(name="next visit")
        self.steps = PlainLabel(wrap=True)
        self.error = PlainLabel(wrap=True)
        self.error.setStyleSheet("color: #b03a2e")
        self.copy = Shown()

        form = QFormLayout(self)
        form.setContentsMargins(4, 4, 4, 4)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(_heading("Preparation"))
        form.addRow(self.positioned)
        form.addRow(self.skin)
        form.addRow("Needle", self.needle)
        form.addRow(_heading("Post-treatment"))
        reactions = QHBoxLayout()
        reactions.addWidget(self.reactions, 1)
        reactions.addWidget(none)
        form.addRow("Reactions", reactions)
        advice = QHBoxLayout()
        advice.addWidget(self.advice)
        advice.addStretch(1)
        advice.addWidget(sheet)
        form.addRow(advice)
        form.addRow("Next visit", self.next_visit)
        form.addRow(self.steps)
        form.addRow(self.error)

        self.positioned.clicked.connect(lambda on: self._save(positioned=on))
        self.skin.clicked.connect(lambda on: self._save(skin_prepared=on))
        self.advice.clicked.connect(lambda on: self._save(advice_given=on))
        self.needle.activated.connect(lambda _i: self._save(needle=self.needle.currentData()))
        self.reactions.editingFinished.connect(lambda: self._save(reactions=self.reactions.text().strip()))
        self.next_visit.committed.connect(lambda d: self._save(next_visit=d))
        self.next_visit.refused.connect(self._say)
        session.visitOpened.connect(lambda _v: self.load())
        session.changed.connect(lambda _c: self.load())
        session.settings.changed.connect(lambda _s: self.load())
        session.on_commit(lambda: self._save(reactions=self.reactions.text().strip()))
        self.load()

    def load(self, keep_typing: bool = True) -> None:
        v = self.session.visit()
        typing = keep_typing and self.reactions.hasFocus()
        self.copy.show(v, "reactions" if typing else None)
        self.setEnabled(v is not None)
        self.positioned.setChecked(bool(v and v.positioned))
        self.skin.setChecked(bool(v and v.skin_prepared))
        self.advice.setChecked(bool(v and v.advice_given))
        if not typing:
            self.reactions.setText(v.reactions if v else "")
        self.next_visit.set_value(v.next_visit if v else None)
        self.needle.clear()
        self.needle.addItem("not chosen", None)
        needles: list[Needle] = list(self.session.settings.value.needles)
        if v is not None and v.needle is not None and v.needle not in needles:
            needles.append(v.needle)
        for n in needles:
            self.needle.addItem(n.label, n)
        select(self.needle, v.needle if v else None)
        self.steps.setText(self._missing())

    def _missing(self) -> str:
        vid, open_record = self.session.visit_id, self.session.record
        if vid is None or open_record is None:
            return ""
        vr = open_record.visit_record(vid)
        if vr is None:
            return ""
        lines = [
            f"{s.name}: ✓" if s.complete else f"{s.name}: still missing {', '.join(s.missing)}"
            for s in visit_steps(open_record.record(), vr)
        ]
        return "\n".join(lines)

    def _save(self, **changes: Any) -> None:
        save_visit_fields(self, **changes)

    def _say(self, reason: str) -> None:
        self.error.setText(reason[:1].upper() + reason[1:])
        self.session.message.emit(reason)
