"""Single-key shortcuts act only where the user is working.

A finding key (A, T, N...), a tool key (M, B...) or a view key (1-5) pressed while typing in a list, a
table, a field or a dialog is typing, never a command: those actions belong to the chart and fire only
while it has the keyboard focus (Qt.WidgetWithChildrenShortcut on the chart's own actions). Shortcuts
with Ctrl or Alt stay window-wide."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier
)


def is_single_key(sequence: QKeySequence) -> bool:
    """A shortcut that typing produces: a character key (letters, digits, signs, space) without Ctrl,
    Alt or Meta. F1 or Ctrl+Z are not typing."""
    if sequence.count() == 0:
        return False
    combo = sequence[0]
    text_key = Qt.Key.Key_Space.value <= combo.key().value <= Qt.Key.Key_ydiaeresis.value
    return text_key and not (combo.keyboardModifiers() & MODIFIERS)


def scope(actions: Iterable[QAction], *widgets: QWidget) -> None:
    """Let `actions` fire only while one of `widgets` (or a child of it) has the keyboard focus."""
    for action in actions:
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        for widget in widgets:
            widget.addAction(action)
