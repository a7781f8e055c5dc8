"""The findings of the selected mark: the finding keys (A active, D latent, T twitch, F familiar pain,
X referral), tenderness, pressure-pain threshold, notes, and the needling warnings that apply. N (needled)
records the mark as a treated point (treatment.py).

The keys are actions of the chart: they act only while the chart has the keyboard focus (see
ui/shortcuts.py), so typing in a list or a field never records a finding."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QGridLayout, QGroupBox, QHBoxLayout, QPushButton, QWidget

from bodymap.core.records import commands as cmd
from bodymap.core.records.content import treatment_rows
from bodymap.core.records.editing import toggled
from bodymap.core.records.model import MAX_PPT_KPA, check_number, check_score

from ..fields import NotesField, NumberField
from ..text import PlainLabel
from .session import RecordsSession, Shown
from .treatment import treat

# (field, value or None to toggle, text, button text, key)
FINDING_KEYS = (
    ("status", "active", "Active TrP", "Active", "A"),
    ("status", "latent", "Latent TrP", "Latent", "D"),
    ("twitch", None, "Local twitch response", "Twitch", "T"),
    ("familiar_pain", None, "Familiar pain reproduced", "Familiar", "F"),
    ("referral", None, "Referral reproduced", "Referral", "X"),
)
WARNING_STYLE = "background: #fadbd8; color: #78281f; padding: 4px; border-left: 4px solid #c0392b"


def _ppt(value: Any) -> None:
    if value is not None:
        check_number("pressure-pain threshold", value, 0, MAX_PPT_KPA, lo_open=True, unit=" kPa")


class FindingsBox(QGroupBox):
    warning = Signal(str)  # a needling warning, said when the mark is needled

    def __init__(self, session: RecordsSession, parent: QWidget | None = None):
        super().__init__("Findings of the selected mark", parent)
        self.session = session
        self.actions: list[QAction] = []
        self.buttons: list[QPushButton] = []
        buttons = QGridLayout()
        buttons.setSpacing(2)
        for i, (field, value, text, short, key) in enumerate(FINDING_KEYS):
            act = QAction(f"{text}", self)
            act.setShortcut(QKeySequence(key))
            act.setCheckable(True)
            act.setToolTip(f"{text} ({key}, with the chart in focus)")
            act.triggered.connect(lambda _on=False, f=field, v=value: self.toggle(f, v))
            self.actions.append(act)
            b = QPushButton(f"{short} [{key}]")
            b.setToolTip(act.toolTip())
            b.setCheckable(True)
            b.clicked.connect(act.trigger)
            act.toggled.connect(b.setChecked)
            self.buttons.append(b)
            buttons.addWidget(b, i // 3, i % 3)
        # N: the mark as a treated point (a form that opens with the last needle chosen; Enter records).
        self.treat = QAction("Needled: record the treated point…", self)
        self.treat.setShortcut(QKeySequence("N"))
        self.treat.setCheckable(True)
        self.treat.setToolTip("Record how this mark was needled (N, with the chart in focus; then Enter)")
        self.treat.triggered.connect(lambda _on=False: self.record_treatment())
        self.actions.append(self.treat)
        b = QPushButton("Needled… [N]")
        b.setToolTip(self.treat.toolTip())
        b.setCheckable(True)
        b.clicked.connect(lambda _on=False: self.treat.trigger())
        self.treat.toggled.connect(b.setChecked)
        self.buttons.append(b)
        buttons.addWidget(b, len(FINDING_KEYS) // 3, len(FINDING_KEYS) % 3)
        self.treatment = PlainLabel(wrap=True)  # the treated point in one line
        self.tenderness = NumberField(lambda v: check_score("tenderness", v))
        self.tenderness.setToolTip("Tenderness 0-10; empty: not examined. Up / Down to step.")
        self.ppt = NumberField(_ppt, whole=False, unit="kPa", width=80)
        self.ppt.setToolTip("Pressure-pain threshold in kPa; empty: not measured")
        self.notes = NotesField("notes on this mark", rows=2)
        self.delete = QAction("Delete mark", self)
        self.delete.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.delete.triggered.connect(self.delete_selected)
        delete_button = QPushButton("Delete mark")
        delete_button.setToolTip("Delete the selected mark (Delete, in the chart or the table)")
        delete_button.clicked.connect(self.delete.trigger)
        self.delete_button = delete_button
        self.warnings = PlainLabel(wrap=True)  # the needling warnings of the selected mark
        self.warnings.setStyleSheet(WARNING_STYLE)
        self.warnings.hide()
        self.error = PlainLabel(wrap=True)
        self.error.setStyleSheet("color: #b03a2e")

        lay = QGridLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.setVerticalSpacing(3)
        lay.addLayout(buttons, 0, 0, 1, 2)
        row = QHBoxLayout()
        row.addWidget(PlainLabel("Tenderness"))
        row.addWidget(self.tenderness)
        row.addWidget(PlainLabel("PPT"))
        row.addWidget(self.ppt)
        row.addStretch(1)
        row.addWidget(delete_button)
        lay.addLayout(row, 1, 0, 1, 2)
        lay.addWidget(self.treatment, 2, 0, 1, 2)
        lay.addWidget(self.notes, 3, 0, 1, 2)
        lay.addWidget(self.error, 4, 0, 1, 2)
        lay.addWidget(self.warnings, 5, 0, 1, 2)

        self.tenderness.committed.connect(lambda v: self.set_finding("tenderness", v))
        self.ppt.committed.connect(lambda v: self.set_finding("ppt_kpa", v))
        self.notes.committed.connect(lambda t: self.set_finding("notes", t))
        for field in (self.tenderness, self.ppt):
            field.refused.connect(self._refused)
        self._fields = (("tenderness", self.tenderness), ("ppt_kpa", self.ppt), ("notes", self.notes))
        self.copy = Shown()
        session.markSelected.connect(lambda _m: self.load(keep_typing=False))
        session.visitOpened.connect(lambda _v: self.load(keep_typing=False))
        session.changed.connect(lambda c: self.load() if c.kind in ("mark", "screen", "consent") else None)
        session.on_commit(self.notes.commit)
        self.load()

    def load(self, keep_typing: bool = True) -> None:
        """Show the selected mark as this window has it; a field being typed in keeps what is typed."""
        mid = self.session.mark_id
        m = self.session.mark()
        enabled = m is not None
        self.setEnabled(enabled)
        for act in (*self.actions, self.delete):
            act.setEnabled(enabled)
        focus = QApplication.focusWidget()
        typing = next(
            (
                f
                for f, w in self._fields
                if keep_typing and focus is not None and (w is focus or w.isAncestorOf(focus))
            ),
            None,
        )
        self.copy.show(m, typing)
        f = m.findings if m else None
        self.treat.setChecked(bool(m and m.needled))
        for (field, value, *_rest), act in zip(FINDING_KEYS, self.actions, strict=False):
            current = getattr(f, field) if f else None
            act.setChecked(bool(current == value if value is not None else current))
        if typing != "tenderness":
            self.tenderness.set_value(f.tenderness if f else None)
        if typing != "ppt_kpa":
            self.ppt.set_value(f.ppt_kpa if f else None)
        if typing != "notes":
            self.notes.set_value(f.notes if f else "")
        self.error.setText("")
        text = self.warning_text(mid)
        self.warnings.setText(text)
        self.warnings.setVisible(bool(text))
        self.treatment.setText(self.treatment_text(mid))
        self.treatment.setVisible(bool(m and m.needled))
        title = "Findings of the selected mark"
        row = self.session.mark_row(mid)
        if row is not None:
            title = f"Findings of mark {row.number}"
        self.setTitle(title)

    def warning_text(self, mark_id: int | None) -> str:
        row = self.session.mark_row(mark_id)
        return "⚠ " + "\n⚠ ".join(w.message for w in row.warnings) if row and row.warnings else ""

    def treatment_text(self, mark_id: int | None) -> str:
        row = self.session.mark_row(mark_id)
        for t in treatment_rows([row] if row else [], self.session.store.placer.atlas):
            text = (
                f"Needled: {t.muscle or 'muscle not recorded'}, needle {t.needle}, depth {t.depth}, "
                f"{t.technique}, twitches {t.twitches}, familiar pain {t.familiar_pain}, "
                f"response {t.responses}, time in {t.minutes}"
            )
            return text + (f" (not recorded: {', '.join(t.missing)})" if t.missing else "")
        return ""

    def record_treatment(self) -> None:
        """N: the treated-point form on the selected mark; the warnings that apply are said after."""
        mid = self.session.mark_id
        if mid is None:
            return
        recorded = treat(self.session, self.window())
        self.load()  # the action's check mark follows the record, whatever the form did
        mark = self.session.mark(mid)
        if recorded and mark is not None and mark.needled:
            text = self.warning_text(mid)
            if text:
                self.warning.emit(text)

    def toggle(self, field: str, value: Any = None) -> None:
        """A finding key on the selected mark, as this window shows it."""
        seen = self.copy.seen(field)
        if seen is not None:
            self.set_finding(field, toggled(seen.findings, field, value))

    def set_finding(self, field: str, value: Any) -> None:
        """Set a finding of the selected mark, on the mark as shown (a finding someone changed since is
        not overwritten: the change is refused, saying who)."""
        seen = self.copy.seen(field)
        if seen is None or getattr(seen.findings, field) == value:
            return
        typed = value if isinstance(value, str) else ""  # the notes: kept on the clipboard if refused
        if not self.session.run(cmd.UpdateMark(seen, **{field: value}), typed):
            self.load(keep_typing=False)  # the stored value comes back
        self.copy.done(field)

    def delete_selected(self) -> None:
        mark = self.session.mark()
        if mark is not None and self.session.run(cmd.DeleteMark(mark)):
            self.session.select_mark(None)

    def _refused(self, reason: str) -> None:
        self.error.setText(reason[:1].upper() + reason[1:])
        self.session.message.emit(reason)
