"""The store: every read and change of the records, each change committed when it is made.

Store is what the rest of bodymap calls; it is built in floors: transactions.py (the database, its
transactions, telling subscribers), write_path.py (the one way a record is added, changed, deleted or
restored), drawing_store.py (drawings and their strokes), whole_record.py (a whole record for exports and
imports), and here every other kind of record.

There is no save. Each method that changes something runs one write transaction, commits, and then
tells subscribers what changed (`Change(kind, ids)`), so views refresh from the store and never keep
their own copy of the truth. Nothing is ever deleted: delete() sets deleted_at and restore() clears it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import history, rows, transactions, whole_record
from .database import open_engine
from .drawing_store import Drawings, Drawn
from .model import (
    FINDINGS,
    AfterEffects,
    Consent,
    Findings,
    HistoryEntry,
    InvalidValue,
    Mark,
    NotFound,
    Patient,
    Plan,
    Record,
    Screen,
    Treatment,
    Visit,
    check_after_birth,
    stored,
)
from .paths import default_database
from .placement import Placer, placement_fields
from .schema import TABLES, consents, marks, patients, plans, screens, visits
from .schema import history as history_table
from .transactions import KINDS, Change, Stored


class Store(Drawings):
    """Patients, visits, marks and drawings in one database (a SQLite file, or a server by URL)."""

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

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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

    # --- patients -----------------------------------------------------------------------------------

    def add_patient(self, patient: Patient) -> Patient:
        now = transactions.now()
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
        new = replace(screen, id=None, created_at=transactions.now(), deleted_at=None)
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
        new = replace(consent, id=None, created_at=transactions.now(), deleted_at=None)
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

    # --- visits -------------------------------------------------------------------------------------

    def add_visit(self, visit: Visit) -> Visit:
        """Add a visit. Visit numbers follow the date order, and only the first visit by date leaves the
        after-effects of a last visit unasked: a later one added with after=None asks them, starting
        from "nothing reported" (two people adding a patient's first visit at once: one of the two is the
        second). Decided with the patient locked, so every window numbers the visits alike."""
        now = transactions.now()
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
        now = transactions.now()
        mark = Mark(
            visit_id=visit_id,
            **placement_fields(placed),
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
        return self._update("mark", mark_id, lambda m: replace(m, **placement_fields(placed)), seen)

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

    # --- course plans -------------------------------------------------------------------------------

    def add_plan(self, plan: Plan) -> Plan:
        now = transactions.now()
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
        return self._set_deleted(kind, record_id, transactions.now(), seen)

    def restore(self, kind: str, record_id: int, *, seen: Stored | None = None) -> Stored:
        """Undo a delete()."""
        return self._set_deleted(kind, record_id, None, seen)

    # --- whole records (export and import) ----------------------------------------------------------

    def record(self, patient_id: int) -> Record:
        """A patient's whole record, deleted items included (with deleted_at), in a few queries."""
        return whole_record.read(self, patient_id)

    def add_record(self, record: Record) -> Patient:
        """Add a whole record (an import) in one transaction: all of it, or on any error none of it
        (whole_record.add)."""
        return whole_record.add(self, record)

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

    # --- upkeep -------------------------------------------------------------------------------------

    def integrity_problems(self) -> list[str]:
        """SQLite's own check of the file (slow on big files: for a maintenance menu, not for open)."""
        if self._engine.dialect.name != "sqlite":
            return []
        with self._reading() as conn:
            found = [r[0] for r in conn.exec_driver_sql("PRAGMA quick_check")]
        return [] if found == ["ok"] else found


__all__ = ["Store", "Change", "Drawn", "KINDS", "Stored"]
