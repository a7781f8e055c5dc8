"""The records session: the open database (with its lock), the open patient, visit and selected mark,
and the patient's own undo history.

Every record change the window makes runs through `run()`, on the undo stack of the patient on
screen. Each patient has a stack of their own in the window's QUndoGroup; opening a patient makes
theirs the active one, so Undo never reaches a record that is not on screen (and coming back to a
patient brings their history back). Widgets listen to the signals and read the store; none of them
keeps a copy of the truth or an id of its own."""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoGroup, QUndoStack

from bodymap.core.records import Store
from bodymap.core.records import commands as cmd
from bodymap.core.records.content import MarkRow, in_force, mark_rows
from bodymap.core.records.history import default_recorder
from bodymap.core.records.model import NotFound, Patient, RecordsError
from bodymap.core.records.placement import Placer
from bodymap.core.records.store import Change
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


class RecordsSession(QObject):
    patientOpened = Signal(object)  # the patient id now open, or None
    visitOpened = Signal(object)  # the visit id now open, or None
    markSelected = Signal(object)  # the selected mark's id, or None
    changed = Signal(object)  # a committed Change (from this window's commands or their undo)
    message = Signal(str)  # one line for the status bar: a refused value, what was done

    def __init__(
        self,
        store: Store,
        lock: RecordsLock | None,
        undo: QUndoGroup,
        parent: QObject | None = None,
        settings: ClinicSettings | None = None,
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
        self.refused = ""  # why the last change was refused, for the field that asked for it
        self._rows: list[MarkRow] | None = None  # the open visit's marks in words, until something changes
        self._pending: list[Callable[[], None]] = []  # fields that commit what is being typed
        self._unsubscribe = store.subscribe(self._store_changed)

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
        if store.read_only is None:  # the first start of the day: a backup, on a thread of its own
            from bodymap.core.records.upkeep import start_daily_backup

            start_daily_backup(store.where)
        return cls(store, lock, undo, parent, settings)

    def _name_recorder(self, settings: Settings) -> None:
        self.store.recorder = settings.therapist or default_recorder()

    def close(self) -> None:
        """Commit what is being typed, then let go of the database and its lock."""
        self.commit_pending()
        self._unsubscribe()
        self.store.close()
        if self.lock is not None:
            self.lock.release()

    # -- what is open ------------------------------------------------------------------------------

    def open_patient(self, patient_id: int | None) -> None:
        """Open a patient (None: none): their history becomes the window's, their latest visit opens."""
        self.commit_pending()
        self.patient_id = patient_id
        self.visit_id = None
        self.mark_id = None
        self.undo.setActiveStack(history(self.undo, patient_id))
        self.patientOpened.emit(patient_id)
        visits = self.store.visits(patient_id) if patient_id is not None else []
        self.open_visit(visits[-1].id if visits else None)

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

    def visit_number(self, visit_id: int | None = None) -> int | None:
        """The number of the visit (1 = the patient's first, by date)."""
        visit_id = self.visit_id if visit_id is None else visit_id
        if self.patient_id is None or visit_id is None:
            return None
        ids = [v.id for v in self.store.visits(self.patient_id)]
        return ids.index(visit_id) + 1 if visit_id in ids else None

    def mark_rows(self) -> list[MarkRow]:
        """The open visit's marks in words, with the needling warnings under the screen and consent in
        force on its date; worked out once per change, however many parts show them."""
        if self._rows is None:
            self._rows = []
            if self.visit_id is not None and self.patient_id is not None:
                store = self.store
                visit = store.visit(self.visit_id)
                screen, _later = in_force(store.screens(self.patient_id), visit.visited_on, "screened_on")
                consent, _later = in_force(store.consents(self.patient_id), visit.visited_on, "consented_on")
                self._rows = mark_rows(
                    store.marks(self.visit_id), store.placer.body, store.placer.atlas, screen, consent
                )
        return self._rows

    def mark_row(self, mark_id: int | None) -> MarkRow | None:
        return next((r for r in self.mark_rows() if r.mark.id == mark_id), None)

    def patient(self) -> Patient | None:
        return self.store.patient(self.patient_id) if self.patient_id is not None else None

    # -- changes -----------------------------------------------------------------------------------

    def run(self, command: cmd.Command) -> bool:
        """Carry out a record command on the open patient's history; a refused value is said, not
        recorded."""
        try:
            run(self.undo.activeStack(), self.store, command)
            return True
        except ValueError as exc:  # InvalidValue, NotFound, RecordsError: one line, nothing written
            self.refused = str(exc)
            self.message.emit(self.refused)
            return False

    def create_patient(self, patient: Patient) -> int | None:
        """Add a patient and open them; the addition is the first step of *their* history, so undoing it
        happens only while they are on screen."""
        command = cmd.CreatePatient(patient)
        try:
            command.do(self.store)
        except ValueError as exc:
            self.message.emit(str(exc))
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

    def _store_changed(self, change: Change) -> None:
        self._rows = None
        # An undo can take away what is open: a deleted patient, visit or mark closes.
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
        try:
            getter = {"patient": self.store.patient, "visit": self.store.visit, "mark": self.store.mark}[kind]
            return getter(record_id).deleted_at is not None
        except NotFound:
            return True
