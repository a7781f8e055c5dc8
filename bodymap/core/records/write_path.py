"""The one write path of the records: every record is added, changed, deleted and restored here, in one
transaction with its history row, made on the version the user had (see the comment on WritePath).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import damage, history, rows, transactions
from .model import (
    SYMPTOMS,
    Conflict,
    Drawing,
    HistoryEntry,
    InvalidValue,
    Mark,
    Patient,
    ReadOnly,
    Visit,
    editable,
    stored,
)
from .schema import TABLES, drawings, visits
from .schema import history as history_table
from .transactions import _R, KIND_OF, KINDS, TO_ROW, Stored, Transactions, _Edited

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


class WritePath(Transactions):
    """Adding, changing, deleting and restoring records (store.Store is the whole of it)."""

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
        # The values go as parameters, not into the statement: one cached statement per table, instead
        # of a new statement (with a bound literal per column) built and keyed for every row.
        key = conn.execute(TABLES[kind].insert(), row).inserted_primary_key
        assert key is not None  # an INSERT of one row always has one
        return int(key[0])

    def _add(self, conn: Connection, kind: str, record: _R, patient_id: int) -> _R:
        """Insert a new record at version 1, and its addition into the history."""
        new = replace(record, version=1)
        new = replace(new, id=self._insert_row(conn, kind, {**TO_ROW[kind](new), "version": 1}))
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
        owner = patient_id if patient_id is not None else _patient_of(kind, record)
        row = history.entry_row(
            patient_id=owner or 0,
            visit_id=visit_id,
            kind=kind,
            record_id=stored(record.id),
            at=transactions.now(),
            by=self.recorder,
            action=action,
            step=self._step,
            before=before,
            after=after,
            version=record.version,
        )
        statement = history_table.insert()
        if owner is None:  # a mark or drawing: its visit's patient, found by the INSERT itself
            statement = statement.values(
                patient_id=sa.select(visits.c.patient_id).where(visits.c.id == visit_id).scalar_subquery()
            )
            del row["patient_id"]  # a parameter would stand in for the statement's own value
        key = conn.execute(statement, row).inserted_primary_key
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
        table, to_row = TABLES[kind], TO_ROW[kind]
        with self._writing() as conn:
            before: _Edited | None = None
            if seen is not None and seen.version and seen.deleted_at is None:
                check_readable(kind, seen)
                new = _stamped(make(seen))
                columns = changed_columns(to_row(seen), to_row(new))
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
                check_readable(kind, current)
                if seen is not None:
                    mine = changed_columns(to_row(seen), to_row(make(seen)))
                    theirs = changed_columns(to_row(seen), to_row(current))
                    if (set(mine) & set(theirs)) - history.DERIVED:
                        raise self._conflict(conn, current, seen)
                new = _stamped(make(current))
                columns = changed_columns(to_row(current), to_row(new))
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
        kind = KIND_OF[type(current)]
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

    @staticmethod
    def _changes(record_class: type[DataclassInstance], changes: dict[str, Any], what: str) -> None:
        unknown = sorted(set(changes) - set(editable(record_class)))
        if unknown:
            raise InvalidValue(f"a {what} has no editable {', '.join(unknown)}")


def changed_columns(before: rows.Row, after: rows.Row) -> rows.Row:
    """The columns of a row whose values differ, with their new values (what an UPDATE writes)."""
    return {k: v for k, v in after.items() if k not in ("created_at",) and before.get(k) != v}


def _stamped(record: _Edited) -> _Edited:
    """A record about to be written, with the time it was last changed."""
    return replace(record, updated_at=transactions.now())


def check_readable(kind: str, record: Stored) -> None:
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
