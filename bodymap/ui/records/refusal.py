"""The line above the patient's record that says what stands in the way of the user's work, and what
they can do about it: a change someone else's work stood in the way of (who changed what and when,
with Reload), or a records server that cannot be reached (reconnecting by itself). It stays until it no
longer matters (Reload, its ×, another patient opened, the server back), unlike the status bar's lines,
which go after a few seconds (and are cut short by the status bar's other parts); it never takes the
keyboard."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QToolButton, QWidget

from ..text import PlainLabel
from .session import RecordsSession


class RefusalBar(QFrame):
    def __init__(self, session: RecordsSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.setObjectName("records_refusal")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # Pale amber: it asks for attention without looking like a failure of the app.
        self.setStyleSheet("#records_refusal { background: #fff4d6; border: 1px solid #d9a400; }")
        self.text = PlainLabel("")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reload = QPushButton("&Reload")
        self.reload.setToolTip("Show the record as stored now, with the other person's change")
        self.reload.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.reload.clicked.connect(session.reload)
        self.dismiss = QToolButton()
        self.dismiss.setText("×")
        self.dismiss.setToolTip("Hide this line")
        self.dismiss.setAutoRaise(True)
        self.dismiss.clicked.connect(lambda: self.say("", False))
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 3, 3, 3)
        lay.addWidget(self.text, 1)
        lay.addWidget(self.reload)
        lay.addWidget(self.dismiss)
        self._offline = False
        session.refusal.connect(self._refused)
        session.connection.connect(self._connection)
        self.setVisible(False)

    def say(self, line: str, reload: bool) -> None:
        """Show `line` ("" hides it), with the Reload button if `reload`."""
        self.text.setText(line)
        self.reload.setVisible(reload)
        self.setVisible(bool(line))

    def _refused(self, line: str, reload: bool) -> None:
        if self._offline and not line:
            return  # a change written meanwhile does not mean the server is back: the watcher says so
        self.say(line, reload)

    def _connection(self, up: bool, why: str) -> None:
        self._offline = not up
        if up:
            self.say("", False)
        else:
            self.say(
                f"{why[:1].upper()}{why[1:]}. Changes cannot be saved until it is back; reconnecting…", False
            )
