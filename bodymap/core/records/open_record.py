"""The open patient's record as the window has it: read once when the patient is opened, then kept up to
date from the Changes the store tells (the window's own, with the records as they were written, and
others', Store.news), so that the views read it without asking the database again. Recording a mark
is then three statements in all, a finding two.

It is also the version every change of the window is made on: a form edits the record it shows, and
the store refuses (Conflict) a change to a field someone else changed since.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .model import Consent, Drawing, HistoryEntry, Mark, Patient, Plan, Record, Screen, Visit, VisitRecord
from .store import Change, Store, Stored


class OpenRecord:
    """One patient's whole record (deleted items too), as of the last Change applied."""

    def __init__(self, record: Record):
        self.patient: Patient = record.patient
        self._items: dict[str, dict[int, Any]] = {
            "screen": {s.id: s for s in record.screens if s.id is not None},
            "consent": {c.id: c for c in record.consents if c.id is not None},
            "plan": {p.id: p for p in record.plans if p.id is not None},
            "visit": {vr.visit.id: vr.visit for vr in record.visits if vr.visit.id is not None},
            "mark": {m.id: m for vr in record.visits for m in vr.marks if m.id is not None},
            "drawing": {d.id: d for vr in record.visits for d in vr.drawings if d.id is not None},
        }
        self.history: list[HistoryEntry] = list(record.history)
        self._known = {e.id for e in self.history}
        self._record: Record | None = record

    @classmethod
    def load(cls, store: Store, patient_id: int) -> OpenRecord:
        return cls(store.record(patient_id))

    @property
    def id(self) -> int:
        assert self.patient.id is not None
        return self.patient.id

    # --- following changes --------------------------------------------------------------------------

    def apply(self, change: Change) -> bool:
        """Take in a committed change; True if it was about this patient's record."""
        mine = False
        for record in change.records:
            if self._owns(change.kind, record):
                mine = True
                if change.kind == "patient":
                    assert isinstance(record, Patient)
                    self.patient = record
                else:
                    self._items[change.kind][record.id or 0] = record
        if mine:
            self.history += [e for e in change.history if e.id not in self._known]
            self._known.update(e.id for e in change.history)
            self._record = None
        return mine

    def _owns(self, kind: str, record: Stored) -> bool:
        if isinstance(record, Patient):
            return record.id == self.patient.id
        if isinstance(record, (Mark, Drawing)):
            return record.visit_id in self._items["visit"]
        return record.patient_id == self.patient.id

    # --- reading ------------------------------------------------------------------------------------

    def visits(self, *, include_deleted: bool = False) -> list[Visit]:
        """The visits in the order of care: visit number N is visits()[N - 1]."""
        return self._live("visit", lambda v: (v.visited_on, v.id), include_deleted)

    def visit(self, visit_id: int | None) -> Visit | None:
        return self._items["visit"].get(visit_id or 0)

    def number(self, visit_id: int | None) -> int | None:
        """The visit's number (1 = the first, by date), None if it is not one of the live visits."""
        ids = [v.id for v in self.visits()]
        return ids.index(visit_id) + 1 if visit_id in ids else None

    def marks(self, visit_id: int | None, *, include_deleted: bool = False) -> list[Mark]:
        """A visit's marks in the order they were made."""
        return [m for m in self._live("mark", lambda m: m.id, include_deleted) if m.visit_id == visit_id]

    def mark(self, mark_id: int | None) -> Mark | None:
        return self._items["mark"].get(mark_id or 0)

    def drawings(self, visit_id: int | None, *, include_deleted: bool = False) -> list[Drawing]:
        return [d for d in self._live("drawing", lambda d: d.id, include_deleted) if d.visit_id == visit_id]

    def screens(self) -> list[Screen]:
        return self._live("screen", lambda s: (s.screened_on, s.id), False)

    def consents(self) -> list[Consent]:
        return self._live("consent", lambda c: (c.consented_on, c.id), False)

    def plans(self) -> list[Plan]:
        return self._live("plan", lambda p: (p.planned_on, p.id), False)

    def _live(self, kind: str, key: Callable[[Any], Any], include_deleted: bool) -> list[Any]:
        items = self._items[kind].values()
        return sorted((i for i in items if include_deleted or i.deleted_at is None), key=key)

    def record(self) -> Record:
        """The whole record (deleted items too), as Store.record() reads it."""
        if self._record is None:
            visits = self._live("visit", lambda v: (v.visited_on, v.id), True)
            self._record = Record(
                self.patient,
                tuple(self._live("screen", lambda s: (s.screened_on, s.id), True)),
                tuple(self._live("consent", lambda c: (c.consented_on, c.id), True)),
                tuple(
                    VisitRecord(
                        v,
                        tuple(self.marks(v.id, include_deleted=True)),
                        tuple(self.drawings(v.id, include_deleted=True)),
                    )
                    for v in visits
                ),
                tuple(self._live("plan", lambda p: (p.planned_on, p.id), True)),
                tuple(self.history),
            )
        return self._record

    def visit_record(self, visit_id: int | None) -> VisitRecord | None:
        return next((vr for vr in self.record().visits if vr.visit.id == visit_id), None)


__all__ = ["OpenRecord"]
