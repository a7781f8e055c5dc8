"""The store's ground floor: its database and state, the transactions every read and change runs in,
and telling subscribers what changed. Nothing here knows one kind of record from another beyond the
table it is kept in (write_path.py changes records; store.py is what the rest of bodymap calls).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal, TypeVar, overload

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import damage, database, history, rows, sqlite_file
from .database import Opened, driver_reason
from .model import (
    Consent,
    Drawing,
    HistoryEntry,
    Mark,
    NotFound,
    Patient,
    Plan,
    ReadOnly,
    RecordsError,
    Screen,
    Unreachable,
    Visit,
)
from .placement import Placer
from .schema import TABLES
from .schema import history as history_table

log = logging.getLogger(__name__)

_Where = sa.ColumnElement[bool]  # a WHERE clause
_Order = sa.ColumnElement[Any]  # an ORDER BY column

KINDS = tuple(TABLES)  # patient, screen, consent, visit, mark, drawing, plan
Stored = Patient | Screen | Consent | Visit | Mark | Drawing | Plan  # a record of one of the KINDS
_R = TypeVar("_R", Patient, Screen, Consent, Visit, Mark, Drawing, Plan)  # a record of one of the KINDS
_Edited = TypeVar("_Edited", Patient, Visit, Mark, Drawing, Plan)  # the kinds that update_...() change
FROM_ROW: dict[str, Callable[[Mapping[Any, Any]], Stored]] = {
    "patient": rows.patient_from,
    "screen": rows.screen_from,
    "consent": rows.consent_from,
    "visit": rows.visit_from,
    "mark": rows.mark_from,
    "drawing": rows.drawing_from,
    "plan": rows.plan_from,
}
TO_ROW: dict[str, Callable[[Any], rows.Row]] = {  # each takes a record of its kind
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


def now() -> datetime:
    """The time a change is stamped with (UTC, without a zone, as stored). One place, so a test can
    move the clock (the day after a visit, to amend it)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


KIND_OF: dict[type, str] = {
    Patient: "patient",
    Screen: "screen",
    Consent: "consent",
    Visit: "visit",
    Mark: "mark",
    Drawing: "drawing",
    Plan: "plan",
}


class Transactions:
    """A store's database, its state (read-only, who is recording, the step being made) and its
    transactions (store.Store is the whole of it)."""

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
                log.warning("cannot reach %s: %s", self.where, reason)  # the why, for whoever mends it
                raise Unreachable(f"cannot reach the records server {self.where}") from None
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
                log.warning("cannot reach %s: %s", self.where, reason)  # the why, for whoever mends it
                raise Unreachable(
                    f"cannot reach the records server {self.where}: nothing was written; "
                    "everything written before is safe"
                ) from None
            raise RecordsError(f"the change was not written to {self.where}: {reason}") from None
        except sa.exc.SQLAlchemyError as exc:
            reason = driver_reason(exc)
            if _is_damage(reason):
                self._damaged(reason)
                raise RecordsError(f"nothing was written: {self._read_only}") from None
            if self.server and database.unreachable(exc, reason):
                log.warning("cannot reach %s: %s", self.where, reason)  # the why, for whoever mends it
                raise Unreachable(
                    f"cannot reach the records server {self.where}: nothing was written; "
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
        build = FROM_ROW[kind]
        try:
            return [build(r) for r in conn.execute(q).mappings()]
        except (sa.exc.OperationalError, ValueError, TypeError) as exc:
            if conn.dialect.name != "sqlite" or (
                isinstance(exc, sa.exc.OperationalError) and "decode" not in driver_reason(exc)
            ):
                raise
            log.warning("%s: salvaging unreadable values (%s)", self.where, exc)
            return [build(rows.salvage(TABLES[kind], raw)) for raw in _raw_rows(conn, q)]

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

    def _history(self, conn: Connection, where: _Where) -> list[HistoryEntry]:
        q = sa.select(history_table).where(where).order_by(history_table.c.id)
        return [history.entry_from(r) for r in conn.execute(q).mappings()]


def _raw_rows(conn: Connection, q: sa.Select[Any]) -> list[tuple[Any, ...]]:
    """A query's rows as the driver stores them: text as bytes, nothing converted (Transactions._fetch)."""
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
