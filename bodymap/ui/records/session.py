"""The records session: the open database (with its lock), the open patient, visit and selected mark,
the patient's own undo history, and the window's copy of the patient's record.

Every record change the window makes runs through `run()`, on the undo stack of the patient on
screen. Each patient has a stack of their own in the window's QUndoGroup; opening a patient makes
theirs the active one, so Undo never reaches a record that is not on screen (and coming back to a
patient brings their history back).

Widgets read the open patient's record from `record` (core/records/open_record.py: read once when the
patient opens, then kept up to date from each change the store tells, the window's own and, through the
watcher, those others make: another window on the same server, another therapist), never from the
database, and build their changes on the records they show: each change names the version it was made
on, and one made on a field someone changed since is refused with who changed what and when (`refusal`,
with an offer to reload). A server that goes away is said once, the window reconnects by itself, and
says when it is back (`connection`)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoGroup, QUndoStack

from bodymap.core.records import Store
from bodymap.core.records import commands as cmd
from bodymap.core.records.content import MarkRow, in_force, mark_rows
from bodymap.core.records.history import default_recorder, told
from bodymap.core.records.model import (
    Conflict,
    Drawing,
    Mark,
    NotFound,
    Patient,
    RecordsError,
    Unreachable,
    Visit,
)
from bodymap.core.records.open_record import OpenRecord
from bodymap.core.records.placement import Placer
from bodymap.core.records.store import Change
from bodymap.core.records.watch import Watcher
from bodymap.core.settings import Settings

from ..settings import ClinicSettings
from ..undo import StoreCommand, run
from .lock import RecordsLock

NO_PATIENT = None  # the history of what is done while no patient is open (the lookup's drawing)


def history(group: QUndoGroup, key: int | None) -> QUndoStack:
    """The undo stack of patient `key` (NO_PATIENT: no patient open) in the group, made on first use."""
    for stack in group.stacks():
        if stack.property("patient") == key:
            return stack
    stack = QUndoStack(group)
    stack.setProperty("patient", key)
    group.addStack(stack)
    return stack


class Shown:
    """What a form shows of one record, and the version each field's change is made on: the record shown,
    except for a field being typed in when the record changed under it (someone else's change came
    in), whose change is made on the record as it was when the typing began. So a change to that very
    field made meanwhile is refused with who made it, instead of being overwritten by what is typed."""

    def __init__(self) -> None:
        self.record: Any = None
        self._typing: dict[str, Any] = {}

    def show(self, record: Any, typing: str | None) -> None:
        """The form shows `record` now; `typing` is the field being typed in (None: none)."""
        same = record is not None and self.record is not None and record.id == self.record.id
        base = self._typing.get(typing or "", self.record) if same else None
        self._typing = {typing: base} if typing is not None and base is not None else {}
        self.record = record

    def seen(self, field: str) -> Any:
        """The record a change of `field` is made on."""
        return self._typing.get(field, self.record)

    def done(self, field: str) -> None:
        """The field's change was made (or refused): its next one is made on the record shown."""
        self._typing.pop(field, None)


class RecordsSession(QObject):
    patientOpened = Signal(object)  # the patient id now open, or None
    visitOpened = Signal(object)  # the visit id now open, or None
    markSelected = Signal(object)  # the selected mark's id, or None
    changed = Signal(object)  # a committed Change (this window's, or someone else's: change.mine)
    message = Signal(str)  # one line for the status bar: a refused value, what was done, others' changes
    refusal = Signal(str, bool)  # why a change was refused ("" once it no longer matters); True: reload
    connection = Signal(bool, str)  # the server went away (False, why) or came back (True, where)
    _news = Signal(object)  # history ids from the watcher's thread
    _status = Signal(bool, str)

    def __init__(
        self,
        store: Store,
        lock: RecordsLock | None,
        undo: QUndoGroup,
        parent: QObject | None = None,
        settings: ClinicSettings | None = None,
        watch: bool = True,
    ):
        super().__init__(parent)
        self.store, self.lock, self.undo = store, lock, undo
        self.settings = settings or ClinicSettings(parent=self)  # the clinic's (needles, contact line)
        # Who is recording, for the history of every change: the therapist of the settings, as they change.
        self._name_recorder(self.settings.value)
        self.settings.changed.connect(self._name_recorder)
        self.patient_id: int | None = None
        self.visit_id: int | None = None
        self.mark_id: int | None = None
        self.record: OpenRecord | None = None  # the open patient's record, as this window has it
        self.refused = ""  # why the last change was refused, for the field that asked for it
        self.online = True  # False while a server cannot be reached
        self._rows: list[MarkRow] | None = None  # the open visit's marks in words, until something changes
        self._pending: list[Callable[[], None]] = []  # fields that commit what is being typed
        self._quiet = False  # others' changes are being taken in without a status line (_take_news)
        self._unsubscribe = store.subscribe(self._store_changed)
        self._news.connect(self._take_news)  # queued: emitted on the watcher's thread
        self._status.connect(self._connection)
        self.watcher: Watcher | None = None
        if watch:
            self.watcher = Watcher(store, self._news.emit, self._status.emit)
            self.watcher.start()

    @classmethod
    def open(
        cls,
        location: str | os.PathLike | None,
        placer: Placer,
        undo: QUndoGroup,
        parent: QObject | None = None,
        settings: ClinicSettings | None = None,
    ) -> RecordsSession:
        """Open the records (the user's database, or `location`), holding their lock file.
        RecordsError in one line if another window has them or the database cannot be opened; the
        database is then left exactly as it was."""
        lock = RecordsLock(location)
        busy = lock.acquire()
        if busy is not None:
            raise RecordsError(busy)
        try:
            store = Store.open(location, placer=placer)
        except RecordsError:
            lock.release()
            raise
        if store.read_only is None and not store.server:  # the first start of the day: a backup
            from bodymap.core.records.upkeep import start_daily_backup

            start_daily_backup(store.where)
        return cls(store, lock, undo, parent, settings)

    def _name_recorder(self, settings: Settings) -> None:
        self.store.recorder = settings.therapist or default_recorder()

    def close(self) -> None:
        """Commit what is being typed, then let go of the database and its lock."""
        self.commit_pending()
        if self.watcher is not None:
            self.watcher.stop()
        self._unsubscribe()
        self.store.close()
        if self.lock is not None:
            self.lock.release()

    # -- what is open ------------------------------------------------------------------------------

    def open_patient(self, patient_id: int | None) -> None:
        """Open a patient (None: none): their history becomes the window's, their latest visit opens."""
        self.commit_pending()
        self.refusal.emit("", False)  # a refused change of the patient before no longer matters
        record = self._load(patient_id)
        self.patient_id = patient_id if record is not None else None
        self.record = record
        self.visit_id = None
        self.mark_id = None
        self._rows = None
        self.undo.setActiveStack(history(self.undo, self.patient_id))
        self.patientOpened.emit(self.patient_id)
        visits = record.visits() if record is not None else []
        self.open_visit(visits[-1].id if visits else None)

    def _load(self, patient_id: int | None) -> OpenRecord | None:
        if patient_id is None:
            return None
        try:
            return OpenRecord.load(self.store, patient_id)
        except RecordsError as exc:
            self.refuse(exc)
            return None

    def reload(self) -> None:
        """Read the open patient's record again (after a refused change, or the server coming back) and
        show it: every part shows the record as stored, what is open stays open."""
        self.refusal.emit("", False)
        if self.patient_id is None:
            return
        record = self._load(self.patient_id)
        if record is None:
            return
        self.record = record
        self._rows = None
        if self.record.visit(self.visit_id) is None or self.record.visit(self.visit_id).deleted_at:
            self.visit_id = None
        if self.record.mark(self.mark_id) is None or self.record.mark(self.mark_id).deleted_at:
            self.mark_id = None
        self.patientOpened.emit(self.patient_id)
        self.visitOpened.emit(self.visit_id)
        self.markSelected.emit(self.mark_id)

    def open_visit(self, visit_id: int | None) -> None:
        if visit_id is not None and visit_id == self.visit_id:
            return
        self.commit_pending()
        self.visit_id = visit_id
        self._rows = None
        self.mark_id = None
        self.visitOpened.emit(visit_id)
        self.markSelected.emit(None)

    def select_mark(self, mark_id: int | None) -> None:
        if mark_id == self.mark_id:
            return
        self.commit_pending()
        self.mark_id = mark_id
        self.markSelected.emit(mark_id)

    # -- reading the open record (the window's copy: no database reads) ----------------------------

    def patient(self) -> Patient | None:
        return self.record.patient if self.record is not None else None

    def visits(self) -> list[Visit]:
        """The open patient's visits in the order of care."""
        return self.record.visits() if self.record is not None else []

    def visit(self, visit_id: int | None = None) -> Visit | None:
        """The open visit (or another of the patient's), as this window has it."""
        if self.record is None:
            return None
        return self.record.visit(self.visit_id if visit_id is None else visit_id)

    def marks(self, visit_id: int | None = None) -> list[Mark]:
        if self.record is None:
            return []
        return self.record.marks(self.visit_id if visit_id is None else visit_id)

    def mark(self, mark_id: int | None = None) -> Mark | None:
        if self.record is None:
            return None
        return self.record.mark(self.mark_id if mark_id is None else mark_id)

    def drawings(self, visit_id: int | None = None) -> list[Drawing]:
        if self.record is None:
            return []
        return self.record.drawings(self.visit_id if visit_id is None else visit_id)

    def visit_number(self, visit_id: int | None = None) -> int | None:
        """The number of the visit (1 = the patient's first, by date)."""
        if self.record is None:
            return None
        return self.record.number(self.visit_id if visit_id is None else visit_id)

    def mark_rows(self) -> list[MarkRow]:
        """The open visit's marks in words, with the needling warnings under the screen and consent in
        force on its date; worked out once per change, however many parts show them."""
        if self._rows is None:
            self._rows = []
            visit = self.visit()
            if visit is not None and self.record is not None:
                screen, _later = in_force(self.record.screens(), visit.visited_on, "screened_on")
                consent, _later = in_force(self.record.consents(), visit.visited_on, "consented_on")
                placer = self.store.placer
                self._rows = mark_rows(self.marks(), placer.body, placer.atlas, screen, consent)
        return self._rows

    def mark_row(self, mark_id: int | None) -> MarkRow | None:
        return next((r for r in self.mark_rows() if r.mark.id == mark_id), None)

    # -- changes -----------------------------------------------------------------------------------

    def run(self, command: cmd.Command, typed: str = "") -> bool:
        """Carry out a record command on the open patient's history; a refused change is said (with who
        changed what, if someone did), not recorded. `typed`: the text the user typed for it (notes), put
        on the clipboard if someone else's change or an outage refuses it, so that it is not lost."""
        try:
            run(self.undo.activeStack(), self.store, command)
        except ValueError as exc:  # InvalidValue, Conflict, NotFound, RecordsError: nothing written
            self.refuse(exc, command.text, typed)
            return False
        return True  # a refusal's line stays until Reload, its ×, or another patient

    def refuse(self, exc: Exception, what: str = "", typed: str = "") -> None:
        """Say why a change (`what`: its words, "Set tenderness") was refused: in the status bar, and for a
        change someone else's stood in the way of, with the offer to reload; a server that is away starts
        the reconnecting. Text the user typed for it (`typed`) goes on the clipboard."""
        reason = str(exc)
        self.refused = reason
        line = f"{what} not saved: {reason}" if what and isinstance(exc, (Conflict, Unreachable)) else reason
        if typed.strip() and isinstance(exc, (Conflict, Unreachable)):
            from PySide6.QtGui import QGuiApplication

            QGuiApplication.clipboard().setText(typed)
            line += ". What you typed is on the clipboard (Ctrl+V pastes it)"
        if isinstance(exc, Conflict) and exc.entries:
            # The change that stood in the way, shown now rather than when the watcher tells it: the
            # field the user changed shows what is stored, with the line saying whose it is.
            self._take_news([e.id for e in exc.entries if e.id is not None], quiet=True)
        self.message.emit(line)
        if isinstance(exc, Unreachable):
            self._connection(False, reason)
            if self.watcher is not None:
                self.watcher.check()
        elif isinstance(exc, Conflict):
            self.refusal.emit(line, True)

    def create_patient(self, patient: Patient) -> int | None:
        """Add a patient and open them; the addition is the first step of *their* history, so undoing it
        happens only while they are on screen."""
        command = cmd.CreatePatient(patient)
        try:
            command.do(self.store)
        except ValueError as exc:
            self.refuse(exc, command.text)
            return None
        self.open_patient(command.id)

        self.undo.activeStack().push(StoreCommand(self.store, command))
        return command.id

    def on_commit(self, commit: Callable[[], None]) -> None:
        """Register a field's commit (what is being typed), run before anything else changes and on close."""
        self._pending.append(commit)

    def commit_pending(self) -> None:
        for commit in self._pending:
            commit()

    # -- following the store -----------------------------------------------------------------------

    def _store_changed(self, change: Change) -> None:
        if self.record is not None and self.record.apply(change):
            self._rows = None
            if not change.mine and not self._quiet:
                lines = [told(e) for e in change.history]
                if lines:
                    self.message.emit(
                        lines[-1] if len(lines) == 1 else f"{lines[-1]} (and {len(lines) - 1} more)"
                    )
        # A change (an undo here, a delete elsewhere) can take away what is open: it closes.
        if (
            change.kind == "patient"
            and self.patient_id in change.ids
            and self._gone("patient", self.patient_id)
        ):
            self.open_patient(None)
        elif change.kind == "visit" and self.visit_id in change.ids and self._gone("visit", self.visit_id):
            self.open_visit(None)
        elif change.kind == "mark" and self.mark_id in change.ids and self._gone("mark", self.mark_id):
            self.select_mark(None)
        self.changed.emit(change)

    def _gone(self, kind: str, record_id: int) -> bool:
        if self.record is not None:
            found = {
                "patient": self.record.patient,
                "visit": self.visit(record_id),
                "mark": self.mark(record_id),
            }[kind]
            return found is None or found.deleted_at is not None
        try:
            getter = {"patient": self.store.patient, "visit": self.store.visit, "mark": self.store.mark}[kind]
            return getter(record_id).deleted_at is not None
        except NotFound:
            return True

    def _take_news(self, ids: list[int], quiet: bool = False) -> None:
        """Others committed changes (the watcher's history ids): the store reads them and tells us
        (`quiet`: without a line in the status bar, which has a better one to say)."""
        self._quiet = quiet
        try:
            self.store.news(ids)
        except RecordsError as exc:  # the server went away again meanwhile: the watcher says so
            self.message.emit(str(exc))
        finally:
            self._quiet = False

    def _connection(self, up: bool, why: str) -> None:
        if up == self.online:
            return
        self.online = up
        if up:
            self.reload()  # what was announced while away is lost: read the open record again
            self.message.emit("Connected again to the records server: the record is up to date.")
            self.connection.emit(True, self.store.where)
        else:
            self.message.emit(f"{why[:1].upper()}{why[1:]}. Reconnecting…")
            self.connection.emit(False, why)
