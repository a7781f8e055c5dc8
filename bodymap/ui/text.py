"""Text that came from a user or a file is shown as plain text, always: a patient called
"<h1>Ann</h1>" is shown with the angle brackets, not as a heading. Qt's labels and message boxes guess
rich text from the content (Qt::mightBeRichText), so every one that can show such text is made here."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QMessageBox, QWidget


class PlainLabel(QLabel):
    """A label that never interprets its text as HTML."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *, wrap: bool = False):
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(wrap)
        self.setText(text)


def tell(parent: QWidget, title: str, text: str, icon=QMessageBox.Icon.Warning) -> QMessageBox:
    """A message the user must see, in a box that does not stop their work (nor a test)."""
    box = QMessageBox(icon, title, "", QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    box.setModal(False)
    box.show()
    return box


def plain_tip(text: str) -> str:
    """A tooltip that shows `text` as written. Qt shows a tooltip as rich text when it looks like HTML,
    and has no plain-text switch: so the text is always escaped and marked up."""
    return f"<p style='white-space:pre-wrap'>{html.escape(text)}</p>" if text else ""


def compact(combo: QComboBox, chars: int = 12) -> QComboBox:
    """A combo box that does not widen its panel to its longest entry (long entries are elided; the
    list that opens shows them whole)."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)
    return combo
