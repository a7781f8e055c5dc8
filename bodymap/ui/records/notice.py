"""What the therapist must know about the open record before trusting what they see, in one strip above
its tabs: the records are read-only (and why: a read-only disk, damage found), some stored values could
not be read (named; those items refuse changes), the open visit was amended after its day (issue 10).
Hidden when there is nothing to say."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from bodymap.core.records.history import amended_line

from ..text import PlainLabel, plain_tip
from .session import RecordsSession

SHOWN_UNREADABLE = 3  # values named in the strip; the tooltip names them all

# A big file's page check runs on a thread after opening (core/records/damage.py): damage it finds
# makes the records read-only a moment later, so the strip looks again until the check has spoken.
LOOK_AGAIN_MS = 1500


class RecordNotice(PlainLabel):
    def __init__(self, session: RecordsSession, parent: QWidget | None = None):
        super().__init__("", parent, wrap=True)
        self.session = session
        self.setObjectName("recordNotice")
        self.setStyleSheet(
            "#recordNotice { background: #fff4e0; color: #5a3800; border: 1px solid #e0b060;"
            " border-radius: 3px; padding: 3px 6px; }"
        )
        self._unreadable: list[str] = []
        session.patientOpened.connect(lambda _p: self._read_patient())
        session.visitOpened.connect(lambda _v: self.refresh())
        session.changed.connect(lambda _c: self.refresh())
        session.message.connect(lambda _m: self.refresh())  # a refused change may have found damage
        self._look = QTimer(self)
        self._look.setInterval(LOOK_AGAIN_MS)
        self._look.timeout.connect(self.refresh)
        self._look.start()
        self._read_patient()

    def _read_patient(self) -> None:
        s = self.session
        self._unreadable = s.record.record().unreadable() if s.record is not None else []
        self.refresh()

    def lines(self) -> list[str]:
        """The strip's lines, most serious first."""
        s = self.session
        out = []
        read_only = s.store.read_only
        if read_only:
            out.append(f"Read-only: {read_only}. You can look and export; changes are refused.")
        if self._unreadable:
            n = len(self._unreadable)
            named = "; ".join(self._unreadable[:SHOWN_UNREADABLE]) + ("; …" if n > SHOWN_UNREADABLE else "")
            out.append(
                f"{n} stored value{'s' if n != 1 else ''} could not be read and {'are' if n != 1 else 'is'}"
                f" left out: {named}. Those items refuse changes; run bodymap check."
            )
        visit = s.visit()
        if visit is not None and s.record is not None:
            amended = amended_line(visit, s.record.history)
            if amended:
                out.append(amended + " (File → History of changes)")
        return out

    def refresh(self) -> None:
        if not self.session.store.checking:
            self._look.stop()  # the page check (if there was one) has spoken
        lines = self.lines()
        self.setText("\n".join(lines))
        self.setToolTip(plain_tip("\n".join(self._unreadable)) if self._unreadable else "")
        self.setVisible(bool(lines))
