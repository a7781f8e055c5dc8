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
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast, overload

import sqlalchemy as sa
from shapely.geometry import MultiPolygon
from shapely.geometry.base import BaseGeometry
from sqlalchemy.engine import Connection

from bodymap.core.chart.frame import View
from bodymap.core.quoting import point_text

from . import damage, database, history, rows
from .database import Opened, driver_reason, open_engine
from .model import (
    FINDINGS,
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
    Visit,
    VisitRecord,
    check_after_birth,
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
    "visit": rows.visit_row,
    "mark": rows.mark_row,
    "drawing": rows.drawing_row,
    "plan": rows.plan_row,
}


@dataclass(frozen=True)
class Change:
    """What a committed change touched: `kind` is one of KINDS, `ids` the records' ids."""

    kind: str
    ids: tuple[int, ...]


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Store:
    """Patients, visits, marks and drawings in one database (a SQLite file, or a server by URL)."""

    def __init__(self, opened: Opened, placer: Placer | None = None, recorder: str | None = None):
        self._engine = opened.engine
        self._writer = opened.engine.execution_options(writing=True)  # BEGIN IMMEDIATE on SQLite
        self.where = opened.where  # the file, or the URL without its password: for messages and titles
        self._read_only = opened.read_only
        self._check = opened.check
        self._placer = placer
        self._subscribers: list[Callable[[Change], None]] = []
        # Who is recording, named in the history of every change: the window sets the therapist of its
        # settings (and follows them as they change); without one, history.default_recorder().
        self.recorder = history.default_recorder() if recorder is None else recorder
        self._step = ""  # the user's words for the changes being made (see step())

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
    def placer(self) -> Placer:
        if self._placer is None:
            self._placer = Placer()
        return self._placer

    # --- notifications ------------------------------------------------------------------------------

    def subscribe(self, callback: Callable[[Change], None]) -> Callable[[], None]:
        """Call `callback(change)` after each committed change; returns a function that unsubscribes."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    def _emit(self, kind: str, *ids: int) -> None:
        change = Change(kind, tuple(ids))
        for callback in list(self._subscribers):
            try:
                callback(change)
            except Exception:  # the change is committed; one broken view must not hide it from the rest
                log.exception("a subscriber failed on %s", change)

    # --- transactions -------------------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        try:
            with self._engine.connect() as conn:
                yield conn
        except sa.exc.SQLAlchemyError as exc:
            reason = driver_reason(exc)
            if _is_damage(reason):
                self._damaged(reason)
                raise RecordsError(
                    f"cannot read {self.where}: it is damaged ({reason}); {damage.ADVICE}"
                ) from None
            raise RecordsError(f"cannot read {self.where}: {reason}") from None

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """The one way anything is written: one transaction, committed at the end of the block.

        Nothing is written while the records are read-only, or before a big file's page check has
        found it sound (damage.py); a damaged file found on the way stops all writing from then on.
        """
        if self._check is not None:
            self._take_verdict()
        if self._read_only is not None:
            raise ReadOnly(f"nothing was written: {self._read_only}")
        try:
            with self._writer.begin() as conn:
                yield conn
        except sa.exc.OperationalError as exc:
            reason = driver_reason(exc)
            if "locked" in reason or "busy" in reason:
                raise RecordsError(
                    f"the database is busy (another copy of bodymap kept it for more than "
                    f"{database.BUSY_TIMEOUT:g} seconds); nothing was written"
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
            raise RecordsError(f"the change was not written to {self.where}: {reason}") from None
        except sa.exc.SQLAlchemyError as exc:
            reason = driver_reason(exc)
            if _is_damage(reason):
                self._damaged(reason)
                raise RecordsError(f"nothing was written: {self._read_only}") from None
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

    def _insert(self, conn: Connection, kind: str, row: rows.Row, *, log: bool = True) -> int:
        """Insert a record's row; its addition goes into the history (not for an import: its items bring
        their own history)."""
        key = conn.execute(TABLES[kind].insert().values(**row)).inserted_primary_key
        assert key is not None  # an INSERT of one row always has one
        record_id = int(key[0])
        if log:
            self._log(conn, kind, record_id, {**row, "id": record_id}, "added")
        return record_id

    def _log(
        self,
        conn: Connection,
        kind: str,
        record_id: int,
        row: Mapping[Any, Any],
        action: str,
        before: Mapping[str, object] | None = None,
        after: Mapping[str, object] | None = None,
    ) -> None:
        """Add a change to the history, in the transaction that makes it (the only caller is the write
        path: _insert, _edit, _set_deleted)."""
        patient_id, visit_id = self._owner(conn, kind, row)
        conn.execute(
            history_table.insert().values(
                **history.entry_row(
                    patient_id=patient_id,
                    visit_id=visit_id,
                    kind=kind,
                    record_id=record_id,
                    at=_now(),
                    by=self.recorder,
                    action=action,
                    step=self._step,
                    before=before,
                    after=after,
                )
            )
        )

    @staticmethod
    def _owner(conn: Connection, kind: str, row: Mapping[Any, Any]) -> tuple[int, int | None]:
        """The patient and visit a record (as a row) belongs to."""
        if kind == "patient":
            return int(row["id"]), None
        if kind == "visit":
            return int(row["patient_id"]), int(row["id"])
        if "patient_id" in row:  # a screen, a consent, a plan
            return int(row["patient_id"]), None
        visit_id = int(row["visit_id"])  # a mark, a drawing
        patient_id = conn.execute(sa.select(visits.c.patient_id).where(visits.c.id == visit_id)).scalar_one()
        return int(patient_id), visit_id

    @overload
    def _edit(
        self,
        kind: Literal["patient"],
        record_id: int,
        make: Callable[[Patient], Patient],
        check: Callable[[Connection, Patient], None] | None = None,
    ) -> Patient: ...
    @overload
    def _edit(
        self,
        kind: Literal["visit"],
        record_id: int,
        make: Callable[[Visit], Visit],
        check: Callable[[Connection, Visit], None] | None = None,
    ) -> Visit: ...
    @overload
    def _edit(
        self,
        kind: Literal["mark"],
        record_id: int,
        make: Callable[[Mark], Mark],
        check: Callable[[Connection, Mark], None] | None = None,
    ) -> Mark: ...
    @overload
    def _edit(
        self,
        kind: Literal["drawing"],
        record_id: int,
        make: Callable[[Drawing], Drawing],
        check: Callable[[Connection, Drawing], None] | None = None,
    ) -> Drawing: ...
    @overload
    def _edit(
        self,
        kind: Literal["plan"],
        record_id: int,
        make: Callable[[Plan], Plan],
        check: Callable[[Connection, Plan], None] | None = None,
    ) -> Plan: ...
    def _edit(
        self,
        kind: str,
        record_id: int,
        make: Callable[[_Edited], _Edited],
        check: Callable[[Connection, _Edited], None] | None = None,
    ) -> _Edited:
        """Read a record, build its new version with make(current), check it, write it: one transaction."""
        table = TABLES[kind]
        with self._writing() as conn:
            # The record of `kind` is the one `make` was written for (update_patient edits a Patient...).
            current = cast(_Edited, self._get(conn, kind, record_id, for_update=True))
            if current.unreadable:  # its damaged values would be overwritten with stand-ins
                raise ReadOnly(
                    f"this {kind} cannot be changed: its {', '.join(current.unreadable)} cannot be read "
                    f"(the database is damaged); nothing was written; {damage.ADVICE}"
                )
            new = replace(make(current), updated_at=_now())
            if check:
                check(conn, new)
            old_row, row = _TO_ROW[kind](current), _TO_ROW[kind](new)
            conn.execute(table.update().where(table.c.id == record_id).values(**row))
            before, after = history.diff(old_row, row)
            if after:  # the value before is kept: the record is amended, never overwritten
                self._log(conn, kind, record_id, {**row, "id": record_id}, "changed", before, after)
        self._emit(kind, record_id)
        return new

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
            new = replace(new, id=self._insert(conn, "patient", rows.patient_row(new)))
        self._emit("patient", stored(new.id))
        return new

    def update_patient(self, patient_id: int, **changes: Any) -> Patient:
        """Change some fields of a patient (given_name, family_name, date_of_birth, sex, contact, notes)."""
        self._changes(Patient, changes, "patient")

        def check(conn: Connection, new: Patient) -> None:
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

        return self._edit("patient", patient_id, lambda p: replace(p, **changes), check)

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

    def _patient_for(self, conn: Connection, patient_id: int | None, what: str) -> Patient:
        if patient_id is None:
            raise InvalidValue(f"a {what} needs a patient")
        return self._get(conn, "patient", patient_id)

    def add_screen(self, screen: Screen) -> Screen:
        new = replace(screen, id=None, created_at=_now(), deleted_at=None)
        with self._writing() as conn:
            check_after_birth(
                self._patient_for(conn, screen.patient_id, "screen"), screen.screened_on, "screen date"
            )
            new = replace(new, id=self._insert(conn, "screen", rows.screen_row(new)))
        self._emit("screen", stored(new.id))
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
            check_after_birth(
                self._patient_for(conn, consent.patient_id, "consent"), consent.consented_on, "consent date"
            )
            new = replace(new, id=self._insert(conn, "consent", rows.consent_row(new)))
        self._emit("consent", stored(new.id))
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
        now = _now()
        new = replace(visit, id=None, created_at=now, updated_at=now, deleted_at=None)
        with self._writing() as conn:
            check_after_birth(
                self._patient_for(conn, visit.patient_id, "visit"), visit.visited_on, "visit date"
            )
            new = replace(new, id=self._insert(conn, "visit", rows.visit_row(new)))
        self._emit("visit", stored(new.id))
        return new

    def update_visit(self, visit_id: int, **changes: Any) -> Visit:
        """Change some fields of a visit (visited_on, therapist, complaint, pain_before, pain_after,
        notes, after)."""
        self._changes(Visit, changes, "visit")

        def check(conn: Connection, new: Visit) -> None:
            check_after_birth(self._get(conn, "patient", new.patient_id), new.visited_on, "visit date")

        return self._edit("visit", visit_id, lambda v: replace(v, **changes), check)

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
        """Mark a palpated point; its side, region and nearest trigger point are worked out here."""
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
            self._get(conn, "visit", visit_id)
            mark = replace(mark, id=self._insert(conn, "mark", rows.mark_row(mark)))
        self._emit("mark", stored(mark.id))
        return mark

    def move_mark(self, mark_id: int, x: float, y: float) -> Mark:
        """Move a mark on its view (its side, region and nearest trigger point follow)."""
        with self._reading() as conn:
            view = self._get(conn, "mark", mark_id).view
        placed = self.placer.place(view, x, y)
        return self._edit("mark", mark_id, lambda m: replace(m, **_placement(placed)))

    def update_mark(self, mark_id: int, **findings: Any) -> Mark:
        """Change some findings of a mark: status, twitch, familiar_pain, referral, tenderness, ppt_kpa,
        notes."""
        unknown = sorted(set(findings) - set(FINDINGS))
        if unknown:
            raise InvalidValue(f"a mark has no finding {', '.join(unknown)}")
        return self._edit("mark", mark_id, lambda m: replace(m, findings=replace(m.findings, **findings)))

    def treat_mark(self, mark_id: int, treatment: Treatment | None) -> Mark:
        """Record how a mark was needled (a treated point), or None: it was not needled."""
        if treatment is not None and not isinstance(treatment, Treatment):
            raise InvalidValue(f"treatment must be a Treatment, got {type(treatment).__name__}")
        return self._edit("mark", mark_id, lambda m: replace(m, treatment=treatment))

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

    def add_drawing(self, drawing: Drawing) -> Drawing:
        """Add a pain drawing; its areas are clipped to the body outline."""
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
            self._get(conn, "visit", drawing.visit_id)
            new = replace(new, id=self._insert(conn, "drawing", rows.drawing_row(new)))
        self._emit("drawing", stored(new.id))
        return new

    def update_drawing(self, drawing_id: int, **changes: Any) -> Drawing:
        """Change some fields of a drawing (symptom, intensity, areas, notes)."""
        self._changes(Drawing, changes, "drawing")
        if "areas" in changes:
            changes["areas"] = self._clipped(changes["areas"])
        return self._edit("drawing", drawing_id, lambda d: replace(d, **changes))

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
            check_after_birth(self._patient_for(conn, plan.patient_id, "plan"), plan.planned_on, "plan date")
            new = replace(new, id=self._insert(conn, "plan", rows.plan_row(new)))
        self._emit("plan", stored(new.id))
        return new

    def update_plan(self, plan_id: int, **changes: Any) -> Plan:
        """Change some fields of a course plan (planned_on, visits, goal)."""
        self._changes(Plan, changes, "plan")

        def check(conn: Connection, new: Plan) -> None:
            check_after_birth(self._get(conn, "patient", new.patient_id), new.planned_on, "plan date")

        return self._edit("plan", plan_id, lambda p: replace(p, **changes), check)

    def plan(self, plan_id: int) -> Plan:
        with self._reading() as conn:
            return self._get(conn, "plan", plan_id)

    def plans(self, patient_id: int, *, include_deleted: bool = False) -> list[Plan]:
        """A patient's course plans, oldest first."""
        return self._dated("plan", plans.c.patient_id == patient_id, plans.c.planned_on, include_deleted)

    # --- deleting and restoring ---------------------------------------------------------------------

    def delete(self, kind: str, record_id: int) -> None:
        """Soft-delete a record: it disappears from lists but stays in the database, restorable."""
        self._set_deleted(kind, record_id, _now())

    def restore(self, kind: str, record_id: int) -> None:
        """Undo a delete()."""
        self._set_deleted(kind, record_id, None)

    def _set_deleted(self, kind: str, record_id: int, when: datetime | None) -> None:
        if kind not in TABLES:
            raise InvalidValue(f"unknown kind of record {kind!r}; expected one of {', '.join(KINDS)}")
        table = TABLES[kind]
        with self._writing() as conn:
            owners = [
                c for c in (table.c.id, table.c.get("patient_id"), table.c.get("visit_id")) if c is not None
            ]
            q = sa.select(table.c.deleted_at, *owners).where(table.c.id == record_id)
            row = conn.execute(q).mappings().first()
            if row is None:
                raise NotFound(f"there is no {kind} with id {record_id!r}")
            conn.execute(table.update().where(table.c.id == record_id).values(deleted_at=when))
            if row["deleted_at"] != when:
                self._log(
                    conn,
                    kind,
                    record_id,
                    row,
                    "deleted" if when is not None else "restored",
                    {"deleted_at": history.jsonable(row["deleted_at"])},
                    {"deleted_at": history.jsonable(when)},
                )
        self._emit(kind, record_id)

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
            pid = self._insert(conn, "patient", rows.patient_row(patient), log=False)
            # The file's ids (read_record numbers each kind from 1) -> the new rows' ids, for the history.
            new_ids: dict[tuple[str, int | None], tuple[int, int | None]] = {("patient", p.id): (pid, None)}
            stamp = {"created_at": now}
            for sc in record.screens:
                row = rows.screen_row(replace(sc, patient_id=pid, id=None, **_keep(sc, stamp)))
                new_ids[("screen", sc.id)] = (self._insert(conn, "screen", row, log=False), None)
            for co in record.consents:
                row = rows.consent_row(replace(co, patient_id=pid, id=None, **_keep(co, stamp)))
                new_ids[("consent", co.id)] = (self._insert(conn, "consent", row, log=False), None)
            stamps = {"created_at": now, "updated_at": now}
            for pl in record.plans:
                row = rows.plan_row(replace(pl, patient_id=pid, id=None, **_keep(pl, stamps)))
                new_ids[("plan", pl.id)] = (self._insert(conn, "plan", row, log=False), None)
            for visit, ms, ds in prepared:
                row = rows.visit_row(replace(visit, patient_id=pid, id=None, **_keep(visit, stamps)))
                vid = self._insert(conn, "visit", row, log=False)
                new_ids[("visit", visit.id)] = (vid, vid)
                for m in ms:
                    row = rows.mark_row(replace(m, visit_id=vid, id=None, **_keep(m, stamps)))
                    new_ids[("mark", m.id)] = (self._insert(conn, "mark", row, log=False), vid)
                for d in ds:
                    row = rows.drawing_row(replace(d, visit_id=vid, id=None, **_keep(d, stamps)))
                    new_ids[("drawing", d.id)] = (self._insert(conn, "drawing", row, log=False), vid)
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
            self._log(conn, "patient", pid, {"id": pid}, "imported")
        patient = replace(patient, id=pid)
        self._emit("patient", pid)
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


def _keep(record: object, stamps: dict[str, datetime]) -> dict[str, Any]:
    """Imported timestamps are kept (the history is the patient's); missing ones become now."""
    return {k: getattr(record, k) or v for k, v in stamps.items()}


__all__ = ["Store", "Change", "KINDS"]
