"""The open visit's own fields: date, therapist, chief complaint, pain before and after, notes, and what
happened since the last visit. Each field saves only itself, when the user finishes with it; a refused
value is said beside the field and the stored value comes back."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QWidget,
)

from bodymap.core.records.model import AFTER_EFFECTS, MAX_SORENESS_HOURS, check_number, check_score

from ..fields import DateField, NotesField, NumberField
from ..text import PlainLabel
from .session import RecordsSession, Shown
from .visit_fields import save_visit_fields


def _hours(value: Any) -> None:
    if value is not None:
        check_number("soreness duration", value, 0, MAX_SORENESS_HOURS, unit=" hours")


class VisitForm(QWidget):
    def __init__(self, session: RecordsSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.visited_on = DateField(required=True, name="visit date")
        self.therapist = QLineEdit()
        self.complaint = QLineEdit()
        self.pain_before = NumberField(lambda v: check_score("pain before", v))
        self.pain_after = NumberField(lambda v: check_score("pain after", v))
        for field in (self.pain_before, self.pain_after):
            field.setToolTip("0-10; empty: not asked. Up / Down to step.")
        self.notes = NotesField("notes on this visit", rows=3)
        self.after: dict[str, QCheckBox] = {
            k: QCheckBox(w[:1].upper() + w[1:]) for k, w in AFTER_EFFECTS.items()
        }
        self.after["pneumothorax"].setText("Pneumothorax?")
        self.after["pneumothorax"].setToolTip("Suspected pneumothorax")
        self.soreness_hours = NumberField(_hours, whole=False, unit="h", width=56)
        self.soreness_hours.setToolTip("How long the soreness lasted, in hours")
        self.after_other = QLineEdit()
        self.after_other.setPlaceholderText("anything else since the last visit")
        self.error = PlainLabel(wrap=True)
        self.error.setStyleSheet("color: #b03a2e")

        form = QFormLayout(self)
        form.setContentsMargins(4, 4, 4, 4)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("Date", self.visited_on)
        form.addRow("Therapist", self.therapist)
        form.addRow("Chief complaint", self.complaint)
        pain = QHBoxLayout()
        pain.addWidget(self.pain_before)
        pain.addWidget(PlainLabel("after"))
        pain.addWidget(self.pain_after)
        pain.addStretch(1)
        form.addRow("Pain before", pain)
        form.addRow("Notes", self.notes)
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        soreness = QHBoxLayout()
        soreness.addWidget(self.after["soreness"])
        soreness.addWidget(self.soreness_hours)
        soreness.addStretch(1)
        grid.addLayout(soreness, 0, 0)
        for i, k in enumerate(("bruising", "bleeding", "fatigue", "infection", "pneumothorax"), 1):
            grid.addWidget(self.after[k], i // 2, i % 2)
        grid.addWidget(self.after_other, 3, 0, 1, 2)
        form.addRow("Since last visit", grid)
        form.addRow(self.error)

        self.visited_on.committed.connect(lambda d: self._save(visited_on=d))
        self.therapist.editingFinished.connect(lambda: self._save_text("therapist", self.therapist))
        self.complaint.editingFinished.connect(lambda: self._save_text("complaint", self.complaint))
        self.pain_before.committed.connect(lambda v: self._save(pain_before=v))
        self.pain_after.committed.connect(lambda v: self._save(pain_after=v))
        self.notes.committed.connect(lambda t: self._save(notes=t))
        for key, box in self.after.items():
            box.clicked.connect(lambda on, k=key: self._save_after(**{k: on}))
        self.soreness_hours.committed.connect(lambda h: self._save_after(soreness_hours=h))
        self.after_other.editingFinished.connect(
            lambda: self._save_after(other=self.after_other.text().strip())
        )
        for field in (self.visited_on, self.pain_before, self.pain_after, self.soreness_hours):
            field.refused.connect(self._refused)
        # Each field's widget, so that a reload while one is being typed in knows which field that is.
        self._fields: list[tuple[str, QWidget]] = [
            ("visited_on", self.visited_on),
            ("therapist", self.therapist),
            ("complaint", self.complaint),
            ("pain_before", self.pain_before),
            ("pain_after", self.pain_after),
            ("notes", self.notes),
            ("after", self.soreness_hours),
            ("after", self.after_other),
        ]
        self.copy = Shown()
        session.visitOpened.connect(lambda _v: self.load(keep_typing=False))
        session.changed.connect(self._changed)
        session.on_commit(self.commit_pending)
        self.load()

    # -- showing -----------------------------------------------------------------------------------

    def load(self, keep_typing: bool = True) -> None:
        """Show the open visit as this window has it; a field being typed in keeps what is typed (unless
        what was typed there was just refused), and its change will be made on the visit as it was when
        the typing began (so that a change someone made to that field meanwhile is never overwritten)."""
        v = self.session.visit()
        self.setEnabled(v is not None)
        self.error.setText("")
        focus = QApplication.focusWidget()
        typing = focus if keep_typing and focus is not None and self.isAncestorOf(focus) else None
        self.copy.show(v, self._typing_field(typing))

        def show(widget, setter) -> None:
            if typing is None or (widget is not typing and not widget.isAncestorOf(typing)):
                setter()

        show(self.visited_on, lambda: self.visited_on.set_value(v.visited_on if v else None))
        show(self.therapist, lambda: self.therapist.setText(v.therapist if v else ""))
        show(self.complaint, lambda: self.complaint.setText(v.complaint if v else ""))
        show(self.pain_before, lambda: self.pain_before.set_value(v.pain_before if v else None))
        show(self.pain_after, lambda: self.pain_after.set_value(v.pain_after if v else None))
        show(self.notes, lambda: self.notes.set_value(v.notes if v else ""))
        after = v.after if v else None
        for key, box in self.after.items():
            box.setChecked(bool(after and getattr(after, key)))
            box.setEnabled(after is not None)
        show(
            self.soreness_hours,
            lambda: self.soreness_hours.set_value(after.soreness_hours if after else None),
        )
        self.soreness_hours.setEnabled(bool(after and after.soreness))
        show(self.after_other, lambda: self.after_other.setText(after.other if after else ""))
        self.after_other.setEnabled(after is not None)

    def _typing_field(self, typing) -> str | None:
        """The visit field the widget being typed in edits (after-effects: "after")."""
        if typing is None:
            return None
        for field, widget in self._fields:
            if widget is typing or widget.isAncestorOf(typing):
                return field
        return None

    def _changed(self, change) -> None:
        if change.kind == "visit" and self.session.visit_id in change.ids:
            self.load()  # an undo, or someone else's change, changed the fields on screen

    # -- saving ------------------------------------------------------------------------------------

    def _save(self, **changes: Any) -> None:
        save_visit_fields(self, **changes)

    def _save_text(self, field: str, edit: QLineEdit) -> None:
        self._save(**{field: edit.text().strip()})

    def _save_after(self, **change: Any) -> None:
        """One after-effect changed: the after-effects as the form shows them, with that one change."""
        seen = self.copy.seen("after")
        if seen is None or seen.after is None:
            return
        if change.get("soreness") is False:
            change["soreness_hours"] = None  # no soreness, so no duration of it
        try:
            new = replace(seen.after, **change)
        except ValueError as exc:
            self._refused(str(exc))
            self.load(keep_typing=False)
            return
        if new != seen.after:
            self._save(after=new)
        else:
            self.copy.done("after")

    def _refused(self, reason: str) -> None:
        self.error.setText(reason[:1].upper() + reason[1:])
        self.session.message.emit(reason)

    def commit_pending(self) -> None:
        """Save what is typed in a text field that was not left yet (before switching, and on close)."""
        v = self.session.visit()
        if v is None:
            return
        for field, edit in (("therapist", self.therapist), ("complaint", self.complaint)):
            self._save_text(field, edit)
        self.notes.commit()
        seen = self.copy.seen("after")
        if (
            seen is not None
            and seen.after is not None
            and seen.after.other != self.after_other.text().strip()
        ):
            self._save_after(other=self.after_other.text().strip())
