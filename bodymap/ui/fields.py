"""Entry fields that never store what the user did not mean: a number out of range or a date that is
not a date is refused where it is typed, with the reason, and nothing is committed.

The rules come from the core (a `check` callable from bodymap.core.records.model raises InvalidValue
with the message); the fields only parse, show and commit. Each emits `committed(value)` once, when the
user finishes (Enter, or leaving the field) with a valid value that differs from the stored one, and
`refused(reason)` otherwise."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QSizePolicy,
    QToolButton,
    QToolTip,
    QWidget,
    QWidgetAction,
)

ERROR_STYLE = "QLineEdit { border: 2px solid #c0392b; background: #fdecea; }"
NOT_SET = "—"  # shown for a value not examined / not asked


def _say(widget: QWidget, reason: str) -> None:
    """Show the reason beside the field (as a tooltip balloon at its corner) and keep it on the field."""
    widget.setToolTip(reason)
    QToolTip.showText(widget.mapToGlobal(widget.rect().bottomLeft()), reason, widget)


class NumberField(QLineEdit):
    """A number, or nothing ("—": not examined). Up / Down step whole numbers."""

    committed = Signal(object)  # int | float | None
    refused = Signal(str)

    def __init__(
        self,
        check: Callable[[Any], Any],
        *,
        whole: bool = True,
        unit: str = "",
        width: int = 64,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.check, self.whole, self.unit = check, whole, unit
        self._value: int | float | None = None
        self.setPlaceholderText(NOT_SET)
        self.setMaximumWidth(width)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.editingFinished.connect(self._finish)

    def value(self) -> int | float | None:
        """The stored value this field shows (not the text being typed)."""
        return self._value

    def set_value(self, value: int | float | None) -> None:
        """Show a stored value (no signal)."""
        self._value = value
        self.setText("" if value is None else f"{value:g}")
        self._clear_error()

    def parse(self, text: str) -> int | float | None:
        """The typed text as a value; ValueError with the reason if it is not a number (the range is
        the core's to check)."""
        text = text.strip().replace(",", ".")
        if self.unit and text.endswith(self.unit.strip()):
            text = text[: -len(self.unit.strip())].strip()
        if text in ("", NOT_SET, "-"):
            return None
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        if self.whole:
            if number != int(number):
                raise ValueError(f"{text} is not a whole number")
            return int(number)
        return number

    def _finish(self) -> None:
        try:
            value = self.parse(self.text())
            self.check(value)
        except ValueError as exc:  # InvalidValue is a ValueError: the core's own message
            self._refuse(str(exc))
            return
        self._clear_error()
        if value != self._value:
            self._value = value
            self.committed.emit(value)

    def _refuse(self, reason: str) -> None:
        typed = self.text().strip()
        reason = f"{reason[:1].upper()}{reason[1:]}; {typed!r} was not recorded" if typed else reason
        self.setStyleSheet(ERROR_STYLE)
        _say(self, reason)
        self.refused.emit(reason)

    def _clear_error(self) -> None:
        if self.styleSheet():
            self.setStyleSheet("")
            self.setToolTip("")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and self.whole:
            step = 1 if key == Qt.Key.Key_Up else -1
            try:
                current = self.parse(self.text())
            except ValueError:
                current = self._value
            candidate = (current if current is not None else (-1 if step > 0 else 1)) + step
            try:
                self.check(candidate)
            except ValueError:
                return  # at the end of the range: stay
            self.setText(f"{candidate:g}")
            self._finish()
            return
        if key == Qt.Key.Key_Escape:
            self.set_value(self._value)  # give up what was typed
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        if self.styleSheet():
            self.set_value(self._value)  # a refused entry leaves the stored value showing


ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
COMPACT_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")


def parse_date(text: str) -> date | None:
    """A typed date: 1975-06-14 (or 19750614); None for nothing typed; ValueError with the reason."""
    if not text.strip():
        return None
    m = ISO_DATE.match(text) or COMPACT_DATE.match(text)
    if not m:
        raise ValueError(f"{text.strip()!r} is not a date: type it as year-month-day, e.g. 1975-06-14")
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError as exc:
        raise ValueError(f"{text.strip()!r} is not a date ({exc})") from None


class DateField(QWidget):
    """A date typed whole (1975-06-14) or picked from a calendar; empty when not known."""

    committed = Signal(object)  # date | None
    refused = Signal(str)

    def __init__(self, *, required: bool = False, name: str = "date", parent: QWidget | None = None):
        super().__init__(parent)
        self.required, self.name = required, name
        self._value: date | None = None
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("yyyy-mm-dd")
        self.edit.setMaximumWidth(110)
        self.button = QToolButton()
        self.button.setText("▾")
        self.button.setToolTip("Pick the date from a calendar")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.calendar = QCalendarWidget()
        menu = QMenu(self.button)
        holder = QWidgetAction(menu)
        holder.setDefaultWidget(self.calendar)
        menu.addAction(holder)
        self.button.setMenu(menu)
        self.calendar.clicked.connect(self._picked)
        self.calendar.activated.connect(self._picked)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.edit)
        lay.addWidget(self.button)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)  # as wide as a date
        self.setFocusProxy(self.edit)
        self.edit.editingFinished.connect(self._finish)

    def value(self) -> date | None:
        return self._value

    def text(self) -> str:
        return self.edit.text()

    def set_value(self, value: date | None) -> None:
        self._value = value
        self.edit.setText(value.isoformat() if value else "")
        if value:
            self.calendar.setSelectedDate(QDate(value.year, value.month, value.day))
        self._clear_error()

    def _picked(self, qdate: QDate) -> None:
        self.button.menu().hide()
        self.edit.setText(date(qdate.year(), qdate.month(), qdate.day()).isoformat())
        self._finish()

    def _finish(self) -> None:
        try:
            value = parse_date(self.edit.text())
            if value is None and self.required:
                raise ValueError(f"the {self.name} is required")
        except ValueError as exc:
            reason = str(exc)
            self.edit.setStyleSheet(ERROR_STYLE)
            _say(self.edit, reason[:1].upper() + reason[1:])
            self.refused.emit(reason)
            return
        self._clear_error()
        if value != self._value:
            self._value = value
            self.committed.emit(value)

    def _clear_error(self) -> None:
        if self.edit.styleSheet():
            self.edit.setStyleSheet("")
            self.edit.setToolTip("")


class NotesField(QPlainTextEdit):
    """Multi-line notes, committed when the field is left (or with Ctrl+Enter)."""

    committed = Signal(str)

    def __init__(self, placeholder: str = "", rows: int = 3, parent: QWidget | None = None):
        super().__init__(parent)
        self._value = ""
        self.setPlaceholderText(placeholder)
        self.setTabChangesFocus(True)  # Tab moves on, as in the other fields
        height = self.fontMetrics().lineSpacing() * rows + 12
        self.setMinimumHeight(min(height, 40))
        self.setMaximumHeight(height)

    def value(self) -> str:
        return self._value

    def set_value(self, text: str) -> None:
        self._value = text
        if self.toPlainText() != text:
            self.setPlainText(text)

    def commit(self) -> None:
        """Commit what is typed, if it changed (also called when the window closes)."""
        text = self.toPlainText().strip()
        if text != self._value:
            self._value = text
            self.committed.emit(text)

    def focusOutEvent(self, event) -> None:
        self.commit()
        super().focusOutEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.commit()
            return
        super().keyPressEvent(event)
