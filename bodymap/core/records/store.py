"""The store: every read and change of the records, each change committed when it is made.

There is no save. Each method that changes something runs one write transaction, commits, and then
tells subscribers what changed (`Change(kind, ids)`), so views refresh from the store and never keep
their own copy of the truth. Nothing is ever deleted: delete() sets deleted_at and restore() clears it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast, overload

import sqlalchemy as sa
from shapely.geometry import MultiPolygon
from shapely.geometry.base import BaseGeometry
from sqlalchemy.engine import Connection

from bodymap.core.chart.frame import View
from bodymap.core.geometry import polygonal
from bodymap.core.pain import MIN_SHADED_AREA, PainArea
from bodymap.core.quoting import point_text

from . import damage, database, history, rows, sqlite_file
from .database import Opened, driver_reason, open_engine
from .model import (
    FINDINGS,
    SYMPTOMS,
    AfterEffects,
    Conflict,
    Consent,
    Drawing,
    Findings,
    HistoryEntry,
    InvalidValue,
    Mark,
    NotFound,
    Patient,
    Plan,
    ReadOnly,
    Record,
    RecordsError,
    Screen,
    Treatment,
    Unreachable,
    Visit,
    VisitRecord,
    check_after_birth,
    check_choice,
    editable,
    stored,
)
from .paths import default_database
from .placement import MarkPlace, Placer
from .schema import TABLES, consents, drawings, marks, patients, plans, screens, visits
from .schema import history as history_table

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

log = logging.getLogger(__name__)

_Where = sa.ColumnElement[bool]  # a WHERE clause
_Order = sa.ColumnElement[Any]  # an ORDER BY column

KINDS = tuple(TABLES)  # patient, screen, consent, visit, mark, drawing, plan
Stored = Patient | Screen | Consent | Visit | Mark | Drawing | Plan  # a record of one of the KINDS
_R = TypeVar("_R", Patient, Screen, Consent, Visit, Mark, Drawing, Plan)  # a record of one of the KINDS
_Edited = TypeVar("_Edited", Patient, Visit, Mark, Drawing, Plan)  # the kinds that update_...() change
_FROM_ROW: dict[str, Callable[[Mapping[Any, Any]], Stored]] = {
    "patient": rows.patient_from,
    "screen": rows.screen_from,
    "consent": rows.consent_from,
    "visit": rows.visit_from,
    "mark": rows.mark_from,
    "drawing": rows.drawing_from,
    "plan": rows.plan_from,
}
_TO_ROW: dict[str, Callable[[Any], rows.Row]] = {  # each takes a record of its kind
    "patient": rows.patient_row,
    "screen": rows.screen_row,
    "consent": rows.consent_row,
    "visit": rows.visit_row,
    "mark": rows.mark_row,
    "drawing": rows.drawing_row,
    "plan": rows.plan_row,
}


@dataclass(frozen=True)
class Change:
    """What a committed change touched: `kind` is one of KINDS, `ids` the records' ids.

    `records` are the records as the change left them and `history` the entries it added (so a view can
    follow without reading them again); `mine` is False for a change someone else made (another window,
    another therapist: Store.news), which the store learns of after it was committed."""

    kind: str
    ids: tuple[int, ...]
    records: tuple[Stored, ...] = field(default=(), compare=False)
    history: tuple[HistoryEntry, ...] = field(default=(), compare=False)
    mine: bool = field(default=True, compare=False)


@dataclass(frozen=True)
class Drawn:
    """What a stroke did to a drawing (Store.draw): the drawing after it (None if the stroke changed
    nothing on a visit without one), and the area it added and took away on its view (None: nothing)."""

    drawing: Drawing | None
    added: BaseGeometry | None
    removed: BaseGeometry | None


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Store:
    """Patients, visits, marks and drawings in one database (a SQLite file, or a server by URL)."""

    def __init__(self, opened: Opened, placer: Placer | None = None, recorder: str | None = None):
        self._engine = opened.engine
        self._writer = opened.engine.execution_options(writing=True)  # BEGIN IMMEDIATE on SQLite
        self.server = opened.engine.dialect.name != "sqlite"  # a database server (PostgreSQL), not a file
        self.where = opened.where  # the file, or the URL without its password: for messages and titles
        self._read_only = opened.read_only
        self._check = opened.check
        self._placer = placer
        self._subscribers: list[Callable[[Change], None]] = []
        # Who is recording, named in the history of every change: the window sets the therapist of its
        # settings (and follows them as they change); without one, history.default_recorder().
        self.recorder = history.default_recorder() if recorder is None else recorder
        self._step = ""  # the user's words for the changes being made (see step())
        self._logged: list[HistoryEntry] = []  # the history entries of the transaction being written
        self._written: set[int] = set()  # the ids of the history entries this store wrote (news() skips them)

    @classmethod
    def open(
        cls,
        location: str | os.PathLike[str] | None = None,
        *,
        placer: Placer | None = None,
        read_only: bool = False,
        recorder: str | None = None,
    ) -> Store:
        """Open (creating and migrating as needed) the database at a path or URL; by default the user's own.

        Raises RecordsError, in one line and having changed nothing, if it is not a usable bodymap
        database (damaged, someone else's, newer). With read_only, or where the file cannot be written,
        it only reads: `read_only` then says why, and every change is refused with that reason.
        """
        default = location is None
        opened = open_engine(
            default_database() if location is None else os.fspath(location),
            default_location=default,
            read_only=read_only,
        )
        return cls(opened, placer, recorder)

    @contextmanager
    def step(self, words: str) -> Iterator[None]:
        """Name the user's step ("Set tenderness", "Undo Set tenderness") in the history of the changes
        made inside the block. The commands do this; a change made without it has no step words."""
        outer, self._step = self._step, words
        try:
            yield
        finally:
            self._step = outer

    @property
    def read_only(self) -> str | None:
        """Why changes are refused (a read-only disk, damage found), or None while they are accepted."""
        if self._read_only is None and self._check is not None and self._check.done:
            self._take_verdict()
        return self._read_only

    @property
    def checking(self) -> bool:
        """Whether a big file's page check is still running: `read_only` may yet say it is damaged."""
        return self.read_only is None and self._check is not None

    def _take_verdict(self) -> None:
        """The page check of a big file has finished (or is waited for): damage stops all writing."""
        assert self._check is not None
        problems = self._check.problems()
        self._check = None
        if problems:
            self._damaged(problems[0])

    def _damaged(self, what: str) -> None:
        log.error("%s is damaged: %s", self.where, what)
        self._read_only = damage.described(self.where, [what])

    def close(self) -> None:
        if self._check is not None:
            self._check.cancel()
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def engine(self) -> sa.Engine:
        """The database engine (for tools that watch it: the tests count its statements)."""
        return self._engine

    @property
    def placer(self) -> Placer:
        if self._placer is None:
            self._placer = Placer()
        return self._placer

    # --- notifications ------------------------------------------------------------------------------

    def subscribe(self, callback: Callable[[Change], None]) -> Callable[[], None]:
        """Call `callback(change)` after each committed change; returns a function that unsubscribes."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    def _emit(self, kind: str, record_id: int, record: Stored | None = None) -> None:
        logged, self._logged = tuple(self._logged), []
        self._tell(Change(kind, (record_id,), (record,) if record is not None else (), logged))

    def _tell(self, change: Change) -> None:
        for callback in list(self._subscribers):
            try:
                callback(change)
            except Exception:  # the change is committed; one broken view must not hide it from the rest
                log.exception("a subscriber failed on %s", change)

    def news(self, history_ids: Iterable[int]) -> list[Change]:
        """What others changed (another window, another therapist; watch.py says when): the changes with
        these history ids that this store did not make, one Change per record (`mine` False) with the
        record as it is now, told to the subscribers too. Two queries, and one per kind of record."""
        wanted = sorted(set(history_ids) - self._written)
        if not wanted:
            return []
        with self._reading() as conn:
            entries = self._history(conn, history_table.c.id.in_(wanted))
            ids: dict[str, set[int]] = {}
            for e in entries:
                ids.setdefault(e.kind, set()).add(e.record_id)
            now: dict[tuple[str, int], Stored] = {}
            for kind, record_ids in ids.items():
                table = TABLES[kind]
                for r in self._fetch(conn, sa.select(table).where(table.c.id.in_(record_ids)), kind):
                    now[(kind, stored(r.id))] = r
        grouped: dict[tuple[str, int], list[HistoryEntry]] = {}
        for e in entries:
            grouped.setdefault((e.kind, e.record_id), []).append(e)
        changes = [
            Change(kind, (record_id,), (now[(kind, record_id)],), tuple(es), mine=False)
            for (kind, record_id), es in grouped.items()
            if (kind, record_id) in now
        ]
        for change in changes:
            self._tell(change)
        return changes

    def last_change(self) -> int:
        """The id of the newest history entry (0: none): where watching for others' changes starts."""
        with self._reading() as conn:
            return int(conn.execute(sa.select(sa.func.max(history_table.c.id))).scalar() or 0)

    # --- transactions -------------------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        try:
            with self._engine.connect() as conn, database.deadline(conn):
                yield conn
        except sa.exc.SQLAlchemyError as exc:
            reason = driver_reason(exc)
            if _is_damage(reason):
                self._damaged(reason)
                raise RecordsError(
                    f"cannot read {self.where}: it is damaged ({reason}); {damage.ADVICE}"
                ) from None
            if self.server and database.unreachable(exc, reason):
                raise Unreachable(f"cannot reach the records server {self.where} ({reason})") from None
            raise RecordsError(f"cannot read {self.where}: {reason}") from None

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """The one way anything is written: one transaction, committed at the end of the block.

        Nothing is written while the records are read-only, or before a big file's page check has
        found it sound (damage.py); a damaged file found on the way stops all writing from then on. A
        server that cannot be reached, or does not answer in time, gives one line (Unreachable): nothing
        was written, and what was written before is safe.
        """
        if self._check is not None:
            self._take_verdict()
        if self._read_only is not None:
            raise ReadOnly(f"nothing was written: {self._read_only}")
        self._logged = []
        try:
            with self._writer.begin() as conn, database.deadline(conn):
                yield conn
        except sa.exc.OperationalError as exc:
            reason = driver_reason(exc)
            if "locked" in reason or "busy" in reason:
                raise RecordsError(
                    f"the database is busy (another copy of bodymap kept it for more than "
                    f"{sqlite_file.BUSY_TIMEOUT:g} seconds); nothing was written"
                ) from None
            if "disk is full" in reason or "database or disk is full" in reason:
                raise RecordsError(
                    f"the disk holding {self.where} is full: the change was not written, and everything "
                    "written before is safe; free some space and try again"
                ) from None
            if "readonly" in reason or "read-only" in reason:
                self._read_only = f"{self.where} cannot be written ({reason})"
                raise ReadOnly(f"nothing was written: {self._read_only}") from None
            if _is_damage(reason):
                self._damaged(reason)
                raise RecordsError(f"nothing was written: {self._read_only}") from None
            if "lock timeout" in reason:
                raise RecordsError(
                    f"someone else's change to this record took more than {database.LOCK_TIMEOUT:g} "
                    "seconds; nothing was written; try again"
                ) from None
            if "statement timeout" in reason:
                raise RecordsError(
                    f"the records server {self.where} took more than {database.STATEMENT_TIMEOUT:g} "
                    "seconds; nothing was written"
                ) from None
            if self.server and database.unreachable(exc, reason):
                raise Unreachable(
                    f"cannot reach the records server {self.where} ({reason}): nothing was written; "
                    "everything written before is safe"
                ) from None
            raise RecordsError(f"the change was not written to {self.where}: {reason}") from None
        except sa.exc.SQLAlchemyError as exc:
            reason = driver_reason(exc)
            if _is_damage(reason):
                self._damaged(reason)
                raise RecordsError(f"nothing was written: {self._read_only}") from None
            if self.server and database.unreachable(exc, reason):
                raise Unreachable(
                    f"cannot reach the records server {self.where} ({reason}): nothing was written; "
                    "everything written before is safe"
                ) from None
            raise RecordsError(f"the change was not written to {self.where}: {reason}") from None

    @overload
    def _get(
        self, conn: Connection, kind: Literal["patient"], record_id: int | None, *, for_update: bool = False
    ) -> Patient: ...
    @overload
    def _get(
        self, conn: Connection, kind: Literal["visit"], record_id: int | None, *, for_update: bool = False
    ) -> Visit: ...
    @overload
    def _get(
        self, conn: Connection, kind: Literal["mark"], record_id: int | None, *, for_update: bool = False
    ) -> Mark: ...
    @overload
    def _get(
        self, conn: Connection, kind: Literal["drawing"], record_id: int | None, *, for_update: bool = False
    ) -> Drawing: ...
    @overload
    def _get(
        self, conn: Connection, kind: Literal["plan"], record_id: int | None, *, for_update: bool = False
    ) -> Plan: ...
    @overload
    def _get(
        self, conn: Connection, kind: str, record_id: int | None, *, for_update: bool = False
    ) -> Stored: ...
    def _get(self, conn: Connection, kind: str, record_id: int | None, *, for_update: bool = False) -> Stored:
        """The record of `kind` with this id; NotFound if there is none (nor for None: never stored)."""
        table = TABLES[kind]
        q = sa.select(table).where(table.c.id == record_id)
        if for_update:
            # A server (PostgreSQL) locks the row for the read-modify-write; SQLite has no FOR UPDATE and
            # needs none, since BEGIN IMMEDIATE already holds the only write lock.
            q = q.with_for_update()
        found: list[Stored] = self._fetch(conn, q, kind)
        if not found:
            raise NotFound(f"there is no {kind} with id {record_id!r}")
        return found[0]

    def _fetch(self, conn: Connection, q: sa.Select[Any], kind: str) -> list[Any]:
        """The records a query selects (whole rows of the kind's table).

        A value that the driver cannot convert (text that is no longer UTF-8, a date that no longer
        parses: a damaged file) fails the whole query; it is then read again raw and salvaged row by row
        (rows.salvage), so the rest of the record reads and the damaged value is named in `unreadable`.
        """
        build = _FROM_ROW[kind]
        try:
            return [build(r) for r in conn.execute(q).mappings()]
        except (sa.exc.OperationalError, ValueError, TypeError) as exc:
            if conn.dialect.name != "sqlite" or (
                isinstance(exc, sa.exc.OperationalError) and "decode" not in driver_reason(exc)
            ):
                raise
            log.warning("%s: salvaging unreadable values (%s)", self.where, exc)
            return [build(rows.salvage(TABLES[kind], raw)) for raw in _raw_rows(conn, q)]

    # --- the write path -----------------------------------------------------------------------------
    # Everything is written by _add, _update, _set_deleted and draw, inside _writing(): one transaction
    # that writes the record's row with its next version, and the change's history row.
    #
    # A change names the version it was made on: `seen`, the record as the user had it. While the row
    # is still at that version (almost always), the UPDATE's WHERE says so and the user's copy is the
    # value before, so nothing is read. If someone changed the row since, it is read and locked: the
    # change goes ahead if none of the columns it writes was changed meanwhile (two people editing
    # different fields of one visit both keep their edit), else Conflict says who changed what and when.
    # A deleted record is never changed. Rules that span records (no visit before birth, one drawing per
    # symptom) are checked after locking the row they hang on, the patient or the visit: on PostgreSQL
    # with SELECT ... FOR UPDATE, always patient before visit before the record itself, so that two
    # writers never wait for each other in a circle; on SQLite BEGIN IMMEDIATE lets one writer in at a
    # time.

    def _insert_row(self, conn: Connection, kind: str, row: rows.Row) -> int:
        key = conn.execute(TABLES[kind].insert().values(**row)).inserted_primary_key
        assert key is not None  # an INSERT of one row always has one
        return int(key[0])

    def _add(self, conn: Connection, kind: str, record: _R, patient_id: int) -> _R:
        """Insert a new record at version 1, and its addition into the history."""
        new = replace(record, version=1)
        new = replace(new, id=self._insert_row(conn, kind, {**_TO_ROW[kind](new), "version": 1}))
        self._log(conn, kind, new, "added", patient_id=patient_id)
        return new

    def _log(
        self,
        conn: Connection,
        kind: str,
        record: Stored,
        action: str,
        before: Mapping[str, object] | None = None,
        after: Mapping[str, object] | None = None,
        *,
        patient_id: int | None = None,
    ) -> None:
        """Add a change to the history, in the transaction that makes it; the store's own emit() takes the
        entry along to the views (Change.history)."""
        visit_id = _visit_of(kind, record)
        owner: Any = patient_id if patient_id is not None else _patient_of(kind, record)
        if owner is None:  # a mark or drawing: its visit's patient, found by the INSERT itself
            owner = sa.select(visits.c.patient_id).where(visits.c.id == visit_id).scalar_subquery()
        row = history.entry_row(
            patient_id=0,
            visit_id=visit_id,
            kind=kind,
            record_id=stored(record.id),
            at=_now(),
            by=self.recorder,
            action=action,
            step=self._step,
            before=before,
            after=after,
            version=record.version,
        )
        key = conn.execute(history_table.insert().values({**row, "patient_id": owner})).inserted_primary_key
        assert key is not None
        self._logged.append(history.entry_from({**row, "id": int(key[0])}))
        self._written.add(int(key[0]))

    def _update(
        self,
        kind: str,
        record_id: int,
        make: Callable[[_Edited], _Edited],
        seen: _Edited | None = None,
        guard: Callable[[Connection, _Edited], None] | None = None,
    ) -> _Edited:
        """Change a record: its new version is make(record), made on `seen` (the user's copy; None: on
        what is stored now). guard(conn, new) checks the rules that span records, having locked what they
        hang on; it runs before anything is written."""
        if seen is not None and seen.id != record_id:
            raise InvalidValue(f"the {kind} given is not {kind} {record_id}")
        table, to_row = TABLES[kind], _TO_ROW[kind]
        with self._writing() as conn:
            before: _Edited | None = None
            if seen is not None and seen.version and seen.deleted_at is None:
                _readable(kind, seen)
                new = _stamped(make(seen))
                columns = _changed(to_row(seen), to_row(new))
                if not columns:
                    return seen
                if guard:
                    guard(conn, new)
                q = table.update().where(
                    table.c.id == record_id, table.c.version == seen.version, table.c.deleted_at.is_(None)
                )
                if conn.execute(q.values(**columns, version=seen.version + 1)).rowcount == 1:
                    before = seen
            if before is None:  # no copy given, or the row changed since: read it, and see
                current = cast(_Edited, self._get(conn, kind, record_id, for_update=True))
                if current.deleted_at is not None:
                    raise self._conflict(conn, current, seen)
                _readable(kind, current)
                if seen is not None:
                    mine = _changed(to_row(seen), to_row(make(seen)))
                    theirs = _changed(to_row(seen), to_row(current))
                    if (set(mine) & set(theirs)) - history.DERIVED:
                        raise self._conflict(conn, current, seen)
                new = _stamped(make(current))
                columns = _changed(to_row(current), to_row(new))
                if not columns:
                    return current
                if guard:
                    guard(conn, new)
                q = table.update().where(table.c.id == record_id)
                conn.execute(q.values(**columns, version=current.version + 1))
                before = current
            new = replace(new, version=before.version + 1)
            was, now = history.diff(to_row(before), to_row(new))
            if now:  # the value before is kept: the record is amended, never overwritten
                self._log(conn, kind, new, "changed", was, now)
        self._emit(kind, record_id, new)
        return new

    def _set_deleted(self, kind: str, record_id: int, when: datetime | None, seen: Stored | None) -> Stored:
        """Delete (`when`: now) or restore (None) a record, made on the version `seen` (None: on what is
        stored now; deleting what is deleted then does nothing)."""
        if kind not in TABLES:
            raise InvalidValue(f"unknown kind of record {kind!r}; expected one of {', '.join(KINDS)}")
        table = TABLES[kind]
        with self._writing() as conn:
            current = self._get(conn, kind, record_id, for_update=True)
            already = (current.deleted_at is None) == (when is None)
            if seen is not None and current.version != seen.version:
                # Changed since the version the user had: by someone else (another therapist's changes,
                # or their delete or restore), the change is refused; the user's own steps since (an
                # edit undone before its addition is undone) do not stand in the way.
                if already or any(e.by != self.recorder for e in self._since(conn, kind, current, seen)):
                    raise self._conflict(conn, current, seen)
            if already:
                return current
            if when is None and isinstance(current, Drawing):
                self._one_drawing_per_symptom(conn, current)
            q = table.update().where(table.c.id == record_id)
            conn.execute(q.values(deleted_at=when, version=current.version + 1))
            new = replace(current, deleted_at=when, version=current.version + 1)
            self._log(
                conn,
                kind,
                new,
                "deleted" if when is not None else "restored",
                {"deleted_at": history.jsonable(current.deleted_at)},
                {"deleted_at": history.jsonable(when)},
            )
        self._emit(kind, record_id, new)
        return new

    def _since(self, conn: Connection, kind: str, current: Stored, seen: Stored) -> list[HistoryEntry]:
        """The changes to a record since the version `seen`, oldest first."""
        h = history_table
        where = (h.c.kind == kind) & (h.c.record_id == current.id) & (h.c.version > seen.version)
        return self._history(conn, where)

    def _conflict(self, conn: Connection, current: Stored, seen: Stored | None) -> Conflict:
        """Why a change made on `seen` cannot be made on `current`, in words from the history: who
        deleted it, or who changed what since."""
        kind = _KIND[type(current)]
        h = history_table
        entries = self._history(conn, (h.c.kind == kind) & (h.c.record_id == current.id))
        since = [e for e in entries if seen is not None and (e.version or 0) > seen.version]
        if current.deleted_at is not None:
            gone = [e for e in entries if e.action == "deleted"]
            if gone:
                return Conflict(f"{history.told(gone[-1])}; nothing was written", since or gone[-1:])
            return Conflict(f"{history.KIND_WORDS[kind]} was deleted; nothing was written", since)
        if current.deleted_at is None and seen is not None and seen.deleted_at is not None:
            restored = [e for e in entries if e.action == "restored"]
            if restored:
                return Conflict(f"{history.told(restored[-1])}; nothing was written", since or restored[-1:])
        return Conflict(history.conflict_text(since), since)

    def _lock_patient(self, conn: Connection, patient_id: int | None, what: str) -> Patient:
        """The live patient a record belongs to, locked until the transaction ends (the rules that span a
        patient's records are checked while no one else can change them)."""
        if patient_id is None:
            raise InvalidValue(f"a {what} needs a patient")
        patient = self._get(conn, "patient", patient_id, for_update=True)
        if patient.deleted_at is not None:
            raise self._conflict(conn, patient, None)
        return patient

    def _lock_visit(self, conn: Connection, visit_id: int | None, what: str) -> Visit:
        """The live visit a mark or drawing belongs to, locked until the transaction ends."""
        if visit_id is None:
            raise InvalidValue(f"a {what} needs a visit")
        visit = self._get(conn, "visit", visit_id, for_update=True)
        if visit.deleted_at is not None:
            raise self._conflict(conn, visit, None)
        return visit

    @staticmethod
    def _changes(record_class: type[DataclassInstance], changes: dict[str, Any], what: str) -> None:
        unknown = sorted(set(changes) - set(editable(record_class)))
        if unknown:
            raise InvalidValue(f"a {what} has no editable {', '.join(unknown)}")

    # --- patients -----------------------------------------------------------------------------------

    def add_patient(self, patient: Patient) -> Patient:
        now = _now()
        new = replace(
            patient,
            id=None,
            uid=patient.uid or uuid.uuid4().hex,
            created_at=now,
            updated_at=now,
            deleted_at=None,
        )
        with self._writing() as conn:
            new = replace(new, version=1)
            new = replace(new, id=self._insert_row(conn, "patient", {**rows.patient_row(new), "version": 1}))
            self._log(conn, "patient", new, "added")
        self._emit("patient", stored(new.id), new)
        return new

    def update_patient(self, patient_id: int, *, seen: Patient | None = None, **changes: Any) -> Patient:
        """Change some fields of a patient (given_name, family_name, date_of_birth, sex, contact, notes),
        made on `seen` (the patient as the user had it; see _update)."""
        self._changes(Patient, changes, "patient")

        def guard(conn: Connection, new: Patient) -> None:
            if "date_of_birth" not in changes:
                return
            self._get(conn, "patient", patient_id, for_update=True)  # no visit is added meanwhile
            for table, column, what in (
                (visits, visits.c.visited_on, "a visit"),
                (screens, screens.c.screened_on, "a screen"),
                (consents, consents.c.consented_on, "a consent"),
                (plans, plans.c.planned_on, "a course plan"),
            ):
                first = conn.execute(
                    sa.select(sa.func.min(column)).where(table.c.patient_id == patient_id)
                ).scalar()
                if first is not None and first < new.date_of_birth:
                    raise InvalidValue(
                        f"date of birth {new.date_of_birth.isoformat()} is after {what} "
                        f"on {first.isoformat()}"
                    )

        return self._update("patient", patient_id, lambda p: replace(p, **changes), seen, guard)

    def patient(self, patient_id: int) -> Patient:
        with self._reading() as conn:
            return self._get(conn, "patient", patient_id)

    def patients(self, *, include_deleted: bool = False) -> list[Patient]:
        """Every patient, by family then given name."""
        q = sa.select(patients).order_by(patients.c.sort_key, patients.c.id)
        if not include_deleted:
            q = q.where(patients.c.deleted_at.is_(None))
        with self._reading() as conn:
            return self._fetch(conn, q, "patient")

    def find_patients(self, text: str, *, limit: int = 50) -> list[Patient]:
        """Patients whose given or family names have words starting with each typed word.

        Case and accents do not matter ("jo", "JÖ" and "jo" all find Jöns); "an le" finds Ann Lee.
        """
        q = sa.select(patients).where(patients.c.deleted_at.is_(None))
        for word in rows.name_words(text):
            # name_words() leaves only letters and digits, so a typed word needs no LIKE escaping.
            q = q.where(patients.c.name_key.like(f"% {word}%"))
        q = q.order_by(patients.c.sort_key, patients.c.id).limit(limit)
        with self._reading() as conn:
            return self._fetch(conn, q, "patient")

    def patient_by_uid(self, uid: str) -> Patient:
        """The patient with this uid (the id that stays the same in every database: the JSON's uid)."""
        with self._reading() as conn:
            found: list[Patient] = self._fetch(
                conn, sa.select(patients).where(patients.c.uid == uid), "patient"
            )
        if not found:
            raise NotFound(f"there is no patient with uid {uid!r}")
        return found[0]

    def visit_summary(self) -> dict[int, tuple[int, date | None]]:
        """Per patient id: the number of visits (deleted ones left out) and the date of the last one."""
        q = (
            sa.select(visits.c.patient_id, sa.func.count(), sa.func.max(visits.c.visited_on))
            .where(visits.c.deleted_at.is_(None))
            .group_by(visits.c.patient_id)
        )
        with self._reading() as conn:
            return {int(pid): (int(n), last) for pid, n, last in conn.execute(q)}

    # --- screens and consents -----------------------------------------------------------------------

    def add_screen(self, screen: Screen) -> Screen:
        new = replace(screen, id=None, created_at=_now(), deleted_at=None)
        with self._writing() as conn:
            patient = self._lock_patient(conn, screen.patient_id, "screen")
            check_after_birth(patient, screen.screened_on, "screen date")
            new = self._add(conn, "screen", new, stored(patient.id))
        self._emit("screen", stored(new.id), new)
        return new

    def screens(self, patient_id: int, *, include_deleted: bool = False) -> list[Screen]:
        """A patient's precaution screens, oldest first."""
        return self._dated(
            "screen", screens.c.patient_id == patient_id, screens.c.screened_on, include_deleted
        )

    def latest_screen(self, patient_id: int) -> Screen | None:
        found = self.screens(patient_id)
        return found[-1] if found else None

    def add_consent(self, consent: Consent) -> Consent:
        new = replace(consent, id=None, created_at=_now(), deleted_at=None)
        with self._writing() as conn:
            patient = self._lock_patient(conn, consent.patient_id, "consent")
            check_after_birth(patient, consent.consented_on, "consent date")
            new = self._add(conn, "consent", new, stored(patient.id))
        self._emit("consent", stored(new.id), new)
        return new

    def consents(self, patient_id: int, *, include_deleted: bool = False) -> list[Consent]:
        """A patient's consents (and withdrawals), oldest first."""
        return self._dated(
            "consent", consents.c.patient_id == patient_id, consents.c.consented_on, include_deleted
        )

    def latest_consent(self, patient_id: int) -> Consent | None:
        found = self.consents(patient_id)
        return found[-1] if found else None

    @overload
    def _dated(
        self, kind: Literal["screen"], where: _Where, order: _Order, include_deleted: bool
    ) -> list[Screen]: ...
    @overload
    def _dated(
        self, kind: Literal["consent"], where: _Where, order: _Order, include_deleted: bool
    ) -> list[Consent]: ...
    @overload
    def _dated(
        self, kind: Literal["visit"], where: _Where, order: _Order, include_deleted: bool
    ) -> list[Visit]: ...
    @overload
    def _dated(
        self, kind: Literal["mark"], where: _Where, order: _Order, include_deleted: bool
    ) -> list[Mark]: ...
    @overload
    def _dated(
        self, kind: Literal["drawing"], where: _Where, order: _Order, include_deleted: bool
    ) -> list[Drawing]: ...
    @overload
    def _dated(
        self, kind: Literal["plan"], where: _Where, order: _Order, include_deleted: bool
    ) -> list[Plan]: ...
    def _dated(self, kind: str, where: _Where, order: _Order, include_deleted: bool) -> Sequence[Stored]:
        table = TABLES[kind]
        q = sa.select(table).where(where).order_by(order, table.c.id)
        if not include_deleted:
            q = q.where(table.c.deleted_at.is_(None))
        with self._reading() as conn:
            return self._fetch(conn, q, kind)

    # --- visits -------------------------------------------------------------------------------------

    def add_visit(self, visit: Visit) -> Visit:
        """Add a visit. Visit numbers follow the date order, and only the first visit by date leaves the
        after-effects of a last visit unasked: a later one added with after=None asks them, starting
        from "nothing reported" (two people adding a patient's first visit at once: one of the two is the
        second). Decided with the patient locked, so every window numbers the visits alike."""
        now = _now()
        new = replace(visit, id=None, created_at=now, updated_at=now, deleted_at=None)
        with self._writing() as conn:
            patient = self._lock_patient(conn, visit.patient_id, "visit")
            check_after_birth(patient, visit.visited_on, "visit date")
            if new.after is None:
                earlier = conn.execute(
                    sa.select(sa.func.count())
                    .select_from(visits)
                    .where(
                        visits.c.patient_id == patient.id,
                        visits.c.deleted_at.is_(None),
                        visits.c.visited_on <= visit.visited_on,
                    )
                ).scalar()
                if earlier:
                    new = replace(new, after=AfterEffects())
            new = self._add(conn, "visit", new, stored(patient.id))
        self._emit("visit", stored(new.id), new)
        return new

    def update_visit(self, visit_id: int, *, seen: Visit | None = None, **changes: Any) -> Visit:
        """Change some fields of a visit (visited_on, therapist, complaint, pain_before, pain_after,
        notes, after...), made on `seen` (the visit as the user had it; see _update)."""
        self._changes(Visit, changes, "visit")

        def guard(conn: Connection, new: Visit) -> None:
            if "visited_on" in changes:
                patient = self._get(conn, "patient", new.patient_id, for_update=True)
                check_after_birth(patient, new.visited_on, "visit date")

        return self._update("visit", visit_id, lambda v: replace(v, **changes), seen, guard)

    def visit(self, visit_id: int) -> Visit:
        with self._reading() as conn:
            return self._get(conn, "visit", visit_id)

    def visits(self, patient_id: int, *, include_deleted: bool = False) -> list[Visit]:
        """A patient's visits in the order of care (by date); visit number N is visits(...)[N - 1]."""
        return self._dated("visit", visits.c.patient_id == patient_id, visits.c.visited_on, include_deleted)

    # --- marks --------------------------------------------------------------------------------------

    def add_mark(
        self,
        visit_id: int,
        view: str,
        x: float,
        y: float,
        findings: Findings | None = None,
        treatment: Treatment | None = None,
    ) -> Mark:
        """Mark a palpated point; its side, region and nearest trigger point are worked out here.

        Three statements: the visit's patient (and whether the visit is still there), the mark, its
        history row."""
        placed = self.placer.place(view, x, y)
        now = _now()
        mark = Mark(
            visit_id=visit_id,
            **_placement(placed),
            findings=findings or Findings(),
            treatment=treatment,
            created_at=now,
            updated_at=now,
        )
        with self._writing() as conn:
            owner = conn.execute(
                sa.select(visits.c.patient_id, visits.c.deleted_at).where(visits.c.id == visit_id)
            ).first()
            if owner is None:
                raise NotFound(f"there is no visit with id {visit_id!r}")
            if owner.deleted_at is not None:
                raise self._conflict(conn, self._get(conn, "visit", visit_id), None)
            mark = self._add(conn, "mark", mark, int(owner.patient_id))
        self._emit("mark", stored(mark.id), mark)
        return mark

    def move_mark(self, mark_id: int, x: float, y: float, *, seen: Mark | None = None) -> Mark:
        """Move a mark on its view (its side, region and nearest trigger point follow)."""
        view = seen.view if seen is not None else self.mark(mark_id).view
        placed = self.placer.place(view, x, y)
        return self._update("mark", mark_id, lambda m: replace(m, **_placement(placed)), seen)

    def update_mark(self, mark_id: int, *, seen: Mark | None = None, **findings: Any) -> Mark:
        """Change some findings of a mark: status, twitch, familiar_pain, referral, tenderness, ppt_kpa,
        notes. Made on `seen` (the mark as the user had it), this is two statements: the UPDATE of the
        row at that version, and the history row."""
        unknown = sorted(set(findings) - set(FINDINGS))
        if unknown:
            raise InvalidValue(f"a mark has no finding {', '.join(unknown)}")
        return self._update(
            "mark", mark_id, lambda m: replace(m, findings=replace(m.findings, **findings)), seen
        )

    def treat_mark(self, mark_id: int, treatment: Treatment | None, *, seen: Mark | None = None) -> Mark:
        """Record how a mark was needled (a treated point), or None: it was not needled."""
        if treatment is not None and not isinstance(treatment, Treatment):
            raise InvalidValue(f"treatment must be a Treatment, got {type(treatment).__name__}")
        return self._update("mark", mark_id, lambda m: replace(m, treatment=treatment), seen)

    def mark(self, mark_id: int) -> Mark:
        with self._reading() as conn:
            return self._get(conn, "mark", mark_id)

    def marks(self, visit_id: int, *, include_deleted: bool = False) -> list[Mark]:
        """A visit's marks in the order they were made."""
        return self._dated("mark", marks.c.visit_id == visit_id, marks.c.id, include_deleted)

    # --- drawings -----------------------------------------------------------------------------------

    def _clipped(self, areas: Mapping[View, BaseGeometry]) -> dict[View, MultiPolygon]:
        out = {}
        for view, geom in areas.items():
            clipped = self.placer.clip(view, geom)
            if clipped is not None:
                out[view] = clipped
        if not out:
            raise InvalidValue("the drawing does not cover any part of the body")
        return out

    def _one_drawing_per_symptom(self, conn: Connection, drawing: Drawing) -> None:
        """Refuse a second live drawing of one symptom on a visit (the visit locked first)."""
        self._lock_visit(conn, drawing.visit_id, "drawing")
        other = conn.execute(
            sa.select(drawings.c.id).where(
                drawings.c.visit_id == drawing.visit_id,
                drawings.c.symptom == drawing.symptom,
                drawings.c.deleted_at.is_(None),
                drawings.c.id != (drawing.id or 0),
            )
        ).first()
        if other is not None:
            raise InvalidValue(
                f"this visit already has a drawing of {SYMPTOMS.get(drawing.symptom, drawing.symptom)}: "
                "draw on it"
            )

    def add_drawing(self, drawing: Drawing) -> Drawing:
        """Add a pain drawing; its areas are clipped to the body outline. One drawing per symptom."""
        now = _now()
        new = replace(
            drawing,
            id=None,
            areas=self._clipped(drawing.areas),
            created_at=now,
            updated_at=now,
            deleted_at=None,
        )
        with self._writing() as conn:
            self._one_drawing_per_symptom(conn, new)
            new = self._add(conn, "drawing", new, self._patient_of_visit(conn, drawing.visit_id))
        self._emit("drawing", stored(new.id), new)
        return new

    def _patient_of_visit(self, conn: Connection, visit_id: int | None) -> int:
        return int(conn.execute(sa.select(visits.c.patient_id).where(visits.c.id == visit_id)).scalar_one())

    def update_drawing(self, drawing_id: int, *, seen: Drawing | None = None, **changes: Any) -> Drawing:
        """Change some fields of a drawing (symptom, intensity, areas, notes)."""
        self._changes(Drawing, changes, "drawing")
        if "areas" in changes:
            changes["areas"] = self._clipped(changes["areas"])

        def guard(conn: Connection, new: Drawing) -> None:
            if "symptom" in changes:
                self._one_drawing_per_symptom(conn, new)

        return self._update("drawing", drawing_id, lambda d: replace(d, **changes), seen, guard)

    def draw(
        self,
        visit_id: int,
        symptom: str,
        view: View,
        shape: BaseGeometry,
        *,
        erase: bool = False,
        intensity: int | None = None,
        revive: int | None = None,
        on: int | None = None,
    ) -> Drawn:
        """Apply one stroke (brush or lasso: add `shape`; eraser: take it away) to the visit's drawing of
        `symptom`, as it is stored when the stroke is written: two people drawing on one drawing both
        keep their strokes. The first stroke of a symptom adds its drawing (with `intensity`), or brings
        back the drawing `revive` (the one this stroke added before it was undone); erasing all of it
        deletes the drawing. Says what the stroke added and took away, so that its undo takes away only
        that. `on`: the drawing an undo takes its stroke back from; refused (Conflict) if someone deleted
        it since."""
        check_choice("symptom", symptom, tuple(SYMPTOMS))
        body = self.placer.body
        with self._writing() as conn:
            visit = self._lock_visit(conn, visit_id, "drawing")
            found: list[Drawing] = self._fetch(
                conn,
                sa.select(drawings).where(
                    drawings.c.visit_id == visit_id,
                    drawings.c.symptom == symptom,
                    drawings.c.deleted_at.is_(None),
                ),
                "drawing",
            )
            live = found[0] if found else None
            if on is not None and (live is None or live.id != on):
                raise self._conflict(conn, self._get(conn, "drawing", on), None)
            if live is not None:
                _readable("drawing", live)
            before = PainArea(dict(live.areas)) if live is not None else PainArea()
            after = before.erase(view, shape) if erase else before.add(body, view, shape)
            area = after.views.get(view)
            clipped = self.placer.clip(view, area) if area is not None else None
            old = before.views.get(view)
            if _same(old, clipped):
                return Drawn(live, None, None)
            added = _part(clipped, old)
            removed = _part(old, clipped)
            areas: dict[View, BaseGeometry] = dict(live.areas) if live is not None else {}
            if clipped is None:
                areas.pop(view, None)
            else:
                areas[view] = clipped
            now = _now()
            if live is None:
                new = self._start_drawing(conn, visit, symptom, areas, intensity, revive)
            elif not areas:  # all of it erased: the drawing goes (its undo brings it back)
                new = replace(live, deleted_at=now, updated_at=now, version=live.version + 1)
                conn.execute(
                    drawings.update()
                    .where(drawings.c.id == live.id)
                    .values(deleted_at=now, updated_at=now, version=new.version)
                )
                self._log(
                    conn,
                    "drawing",
                    new,
                    "deleted",
                    {"deleted_at": None},
                    {"deleted_at": history.jsonable(now)},
                    patient_id=visit.patient_id,
                )
            else:
                new = replace(live, areas=areas, updated_at=now, version=live.version + 1)
                columns = _changed(rows.drawing_row(live), rows.drawing_row(new))
                conn.execute(
                    drawings.update().where(drawings.c.id == live.id).values(**columns, version=new.version)
                )
                was, now_ = history.diff(rows.drawing_row(live), rows.drawing_row(new))
                self._log(conn, "drawing", new, "changed", was, now_, patient_id=visit.patient_id)
        self._emit("drawing", stored(new.id), new)
        return Drawn(new, added, removed)

    def _start_drawing(
        self,
        conn: Connection,
        visit: Visit,
        symptom: str,
        areas: Mapping[View, BaseGeometry],
        intensity: int | None,
        revive: int | None,
    ) -> Drawing:
        """The first stroke of a symptom on a visit: a new drawing, or the one it made before it was
        undone, brought back with this area."""
        now = _now()
        if revive is not None:
            old = self._get(conn, "drawing", revive, for_update=True)
            if old.visit_id == visit.id and old.symptom == symptom and old.deleted_at is not None:
                new = replace(old, areas=areas, deleted_at=None, updated_at=now, version=old.version + 1)
                columns = _changed(rows.drawing_row(old), rows.drawing_row(new))
                conn.execute(
                    drawings.update().where(drawings.c.id == old.id).values(**columns, version=new.version)
                )
                was, then = history.diff(rows.drawing_row(old), rows.drawing_row(new))
                self._log(conn, "drawing", new, "restored", was, then, patient_id=visit.patient_id)
                return new
        new = Drawing(
            visit_id=visit.id,
            symptom=symptom,
            areas=areas,
            intensity=intensity,
            created_at=now,
            updated_at=now,
        )
        return self._add(conn, "drawing", new, stored(visit.patient_id))

    def drawing(self, drawing_id: int) -> Drawing:
        with self._reading() as conn:
            return self._get(conn, "drawing", drawing_id)

    def drawings(self, visit_id: int, *, include_deleted: bool = False) -> list[Drawing]:
        return self._dated("drawing", drawings.c.visit_id == visit_id, drawings.c.id, include_deleted)

    # --- course plans -------------------------------------------------------------------------------

    def add_plan(self, plan: Plan) -> Plan:
        now = _now()
        new = replace(plan, id=None, created_at=now, updated_at=now, deleted_at=None)
        with self._writing() as conn:
            patient = self._lock_patient(conn, plan.patient_id, "plan")
            check_after_birth(patient, plan.planned_on, "plan date")
            new = self._add(conn, "plan", new, stored(patient.id))
        self._emit("plan", stored(new.id), new)
        return new

    def update_plan(self, plan_id: int, *, seen: Plan | None = None, **changes: Any) -> Plan:
        """Change some fields of a course plan (planned_on, visits, goal)."""
        self._changes(Plan, changes, "plan")

        def guard(conn: Connection, new: Plan) -> None:
            if "planned_on" in changes:
                patient = self._get(conn, "patient", new.patient_id, for_update=True)
                check_after_birth(patient, new.planned_on, "plan date")

        return self._update("plan", plan_id, lambda p: replace(p, **changes), seen, guard)

    def plan(self, plan_id: int) -> Plan:
        with self._reading() as conn:
            return self._get(conn, "plan", plan_id)

    def plans(self, patient_id: int, *, include_deleted: bool = False) -> list[Plan]:
        """A patient's course plans, oldest first."""
        return self._dated("plan", plans.c.patient_id == patient_id, plans.c.planned_on, include_deleted)

    # --- deleting and restoring ---------------------------------------------------------------------

    def delete(self, kind: str, record_id: int, *, seen: Stored | None = None) -> Stored:
        """Soft-delete a record: it disappears from lists but stays in the database, restorable. Made on
        `seen` (the record as the user had it), it is refused if someone changed the record since."""
        return self._set_deleted(kind, record_id, _now(), seen)

    def restore(self, kind: str, record_id: int, *, seen: Stored | None = None) -> Stored:
        """Undo a delete()."""
        return self._set_deleted(kind, record_id, None, seen)

    # --- whole records (export and import) ----------------------------------------------------------

    def record(self, patient_id: int) -> Record:
        """A patient's whole record, deleted items included (with deleted_at), in a few queries."""
        with self._reading() as conn:
            patient = self._get(conn, "patient", patient_id)
            scr: list[Screen] = self._fetch(
                conn,
                sa.select(screens)
                .where(screens.c.patient_id == patient_id)
                .order_by(screens.c.screened_on, screens.c.id),
                "screen",
            )
            con: list[Consent] = self._fetch(
                conn,
                sa.select(consents)
                .where(consents.c.patient_id == patient_id)
                .order_by(consents.c.consented_on, consents.c.id),
                "consent",
            )
            vis: list[Visit] = self._fetch(
                conn,
                sa.select(visits)
                .where(visits.c.patient_id == patient_id)
                .order_by(visits.c.visited_on, visits.c.id),
                "visit",
            )
            pla: list[Plan] = self._fetch(
                conn,
                sa.select(plans)
                .where(plans.c.patient_id == patient_id)
                .order_by(plans.c.planned_on, plans.c.id),
                "plan",
            )
            ids = sa.select(visits.c.id).where(visits.c.patient_id == patient_id)
            by_visit: dict[int, tuple[list[Mark], list[Drawing]]] = {stored(v.id): ([], []) for v in vis}
            for m in self._fetch(
                conn, sa.select(marks).where(marks.c.visit_id.in_(ids)).order_by(marks.c.id), "mark"
            ):
                by_visit[m.visit_id][0].append(m)
            for d in self._fetch(
                conn,
                sa.select(drawings).where(drawings.c.visit_id.in_(ids)).order_by(drawings.c.id),
                "drawing",
            ):
                by_visit[d.visit_id][1].append(d)
            changes = self._history(conn, history_table.c.patient_id == patient_id)
        return Record(
            patient,
            tuple(scr),
            tuple(con),
            tuple(
                VisitRecord(v, tuple(by_visit[stored(v.id)][0]), tuple(by_visit[stored(v.id)][1]))
                for v in vis
            ),
            tuple(pla),
            tuple(changes),
        )

    # --- history ------------------------------------------------------------------------------------

    def history(self, patient_id: int) -> list[HistoryEntry]:
        """Every change to a patient's record (the patient, screens, consents, visits, marks, drawings),
        oldest first."""
        with self._reading() as conn:
            return self._history(conn, history_table.c.patient_id == patient_id)

    def visit_history(self, visit_id: int) -> list[HistoryEntry]:
        """Every change to a visit, its marks and its drawings, oldest first."""
        with self._reading() as conn:
            return self._history(conn, history_table.c.visit_id == visit_id)

    def amendments(self, visit_id: int) -> list[HistoryEntry]:
        """The changes to a visit, its marks and drawings made after the day of the visit (local time)."""
        return history.amended_after_visit(self.visit(visit_id), self.visit_history(visit_id))

    def _history(self, conn: Connection, where: _Where) -> list[HistoryEntry]:
        q = sa.select(history_table).where(where).order_by(history_table.c.id)
        return [history.entry_from(r) for r in conn.execute(q).mappings()]

    def add_record(self, record: Record) -> Patient:
        """Add a whole record (an import) in one transaction: all of it, or on any error none of it.

        Marks are placed again and drawings clipped again here, so the stored context always matches
        this version's body and atlas; a mark whose side disagrees with its point is refused.
        """
        now = _now()
        p = record.patient
        patient = replace(
            p,
            id=None,
            uid=p.uid or uuid.uuid4().hex,
            created_at=p.created_at or now,
            updated_at=p.updated_at or now,
        )
        for s in record.screens:
            check_after_birth(patient, s.screened_on, "screen date")
        for c in record.consents:
            check_after_birth(patient, c.consented_on, "consent date")
        for pl in record.plans:
            check_after_birth(patient, pl.planned_on, "plan date")
        prepared = []
        for n, vr in enumerate(record.visits, 1):
            check_after_birth(patient, vr.visit.visited_on, f"visit {n}: visit date")
            placed_marks = []
            for m in vr.marks:
                placed = self.placer.place(m.view, m.x, m.y)
                if placed.side != m.side:
                    raise InvalidValue(
                        f"visit {n}: a mark at {point_text(m.x, m.y)} on the {m.view} view says "
                        f"{m.side} but lies on the patient's {placed.side}"
                    )
                placed_marks.append(replace(m, **_placement(placed)))
            clipped = [replace(d, areas=self._clipped(d.areas)) for d in vr.drawings]
            prepared.append((vr.visit, placed_marks, clipped))
        with self._writing() as conn:
            clash = conn.execute(sa.select(patients.c.id).where(patients.c.uid == patient.uid)).scalar()
            if clash is not None:
                raise RecordsError(
                    f"{patient.name} (born {patient.date_of_birth.isoformat()}) is already in these records"
                )
            pid = self._insert_row(conn, "patient", rows.patient_row(patient))
            # The file's ids (read_record numbers each kind from 1) -> the new rows' ids, for the history.
            new_ids: dict[tuple[str, int | None], tuple[int, int | None]] = {("patient", p.id): (pid, None)}
            stamp = {"created_at": now}
            for sc in record.screens:
                row = rows.screen_row(replace(sc, patient_id=pid, id=None, **_keep(sc, stamp)))
                new_ids[("screen", sc.id)] = (self._insert_row(conn, "screen", row), None)
            for co in record.consents:
                row = rows.consent_row(replace(co, patient_id=pid, id=None, **_keep(co, stamp)))
                new_ids[("consent", co.id)] = (self._insert_row(conn, "consent", row), None)
            stamps = {"created_at": now, "updated_at": now}
            for pl in record.plans:
                row = rows.plan_row(replace(pl, patient_id=pid, id=None, **_keep(pl, stamps)))
                new_ids[("plan", pl.id)] = (self._insert_row(conn, "plan", row), None)
            for visit, ms, ds in prepared:
                row = rows.visit_row(replace(visit, patient_id=pid, id=None, **_keep(visit, stamps)))
                vid = self._insert_row(conn, "visit", row)
                new_ids[("visit", visit.id)] = (vid, vid)
                for m in ms:
                    row = rows.mark_row(replace(m, visit_id=vid, id=None, **_keep(m, stamps)))
                    new_ids[("mark", m.id)] = (self._insert_row(conn, "mark", row), vid)
                for d in ds:
                    row = rows.drawing_row(replace(d, visit_id=vid, id=None, **_keep(d, stamps)))
                    new_ids[("drawing", d.id)] = (self._insert_row(conn, "drawing", row), vid)
            # The record's own history comes with it, then the import itself is added.
            for e in record.history:
                record_id, visit_id = new_ids[(e.kind, e.record_id)]
                conn.execute(
                    history_table.insert().values(
                        **history.entry_row(
                            patient_id=pid,
                            visit_id=visit_id,
                            kind=e.kind,
                            record_id=record_id,
                            at=e.at,
                            by=e.by,
                            action=e.action,
                            step=e.step,
                            before=e.before,
                            after=e.after,
                        )
                    )
                )
            patient = replace(patient, id=pid, version=1)
            self._log(conn, "patient", patient, "imported")
        self._emit("patient", pid, patient)
        return patient

    # --- upkeep -------------------------------------------------------------------------------------

    def integrity_problems(self) -> list[str]:
        """SQLite's own check of the file (slow on big files: for a maintenance menu, not for open)."""
        if self._engine.dialect.name != "sqlite":
            return []
        with self._reading() as conn:
            found = [r[0] for r in conn.exec_driver_sql("PRAGMA quick_check")]
        return [] if found == ["ok"] else found


def _raw_rows(conn: Connection, q: sa.Select[Any]) -> list[tuple[Any, ...]]:
    """A query's rows as the driver stores them: text as bytes, nothing converted (see Store._fetch)."""
    compiled = q.compile(dialect=conn.dialect)
    params = tuple(compiled.params[name] for name in compiled.positiontup or ())
    driver = conn.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    before = driver.text_factory
    driver.text_factory = bytes
    try:
        return [tuple(r) for r in driver.execute(str(compiled), params).fetchall()]
    finally:
        driver.text_factory = before


def _is_damage(reason: str) -> bool:
    """Whether the driver's message means the file is damaged (SQLite's SQLITE_CORRUPT, SQLITE_NOTADB)."""
    return "malformed" in reason or "not a database" in reason or "corrupt" in reason


def _placement(p: MarkPlace) -> dict[str, Any]:
    return {
        "view": p.view,
        "x": p.x,
        "y": p.y,
        "side": p.side,
        "region_id": p.region_id,
        "trp_muscle": p.trp_muscle,
        "trp_id": p.trp_id,
        "trp_side": p.trp_side,
        "trp_distance": p.trp_distance,
    }


_KIND: dict[type, str] = {
    Patient: "patient",
    Screen: "screen",
    Consent: "consent",
    Visit: "visit",
    Mark: "mark",
    Drawing: "drawing",
    Plan: "plan",
}


def _changed(before: rows.Row, after: rows.Row) -> rows.Row:
    """The columns of a row whose values differ, with their new values (what an UPDATE writes)."""
    return {k: v for k, v in after.items() if k not in ("created_at",) and before.get(k) != v}


def _stamped(record: _Edited) -> _Edited:
    """A record about to be written, with the time it was last changed."""
    return replace(record, updated_at=_now())


def _readable(kind: str, record: Stored) -> None:
    """Refuse to change a record with values that could not be read: they would be overwritten with
    stand-ins."""
    if record.unreadable:
        raise ReadOnly(
            f"this {kind} cannot be changed: its {', '.join(record.unreadable)} cannot be read "
            f"(the database is damaged); nothing was written; {damage.ADVICE}"
        )


def _visit_of(kind: str, record: Stored) -> int | None:
    """The visit a record belongs to, for its history (None: not a visit's)."""
    if isinstance(record, Visit):
        return record.id
    if isinstance(record, (Mark, Drawing)):
        return record.visit_id
    return None


def _patient_of(kind: str, record: Stored) -> int | None:
    """The patient a record belongs to, when the record says (a mark or drawing says only its visit)."""
    if isinstance(record, Patient):
        return record.id
    if isinstance(record, (Mark, Drawing)):
        return None
    return record.patient_id


def _same(a: BaseGeometry | None, b: BaseGeometry | None) -> bool:
    if a is None or b is None:
        return a is b
    return bool(a.equals(b))


def _part(a: BaseGeometry | None, b: BaseGeometry | None) -> BaseGeometry | None:
    """The part of area `a` outside `b` (what a stroke added or took away), or None if there is none."""
    if a is None:
        return None
    rest = a if b is None else polygonal(a.difference(b))
    return None if rest.is_empty or rest.area < MIN_SHADED_AREA else rest


def _keep(record: object, stamps: dict[str, datetime]) -> dict[str, Any]:
    """Imported timestamps are kept (the history is the patient's); missing ones become now."""
    return {k: getattr(record, k) or v for k, v in stamps.items()}


__all__ = ["Store", "Change", "Drawn", "KINDS"]
