"""Every change to a record as a named, reversible command.

A gesture in a view becomes a command; `do(store)` makes the change and commits it, `undo(store)`
commits its reverse, and `do` again is redo. The Qt undo stack in ui/ only wraps these: its redo()
calls do(), its undo() calls undo(), its mergeWith() calls merge(), its text is `text`.

Commands never delete anything: undoing an addition soft-deletes the record and redoing it restores
the same record (same id), so history stays and ids held by views stay valid.

Validation happens in do(): a command whose do() raises changed nothing and must not be pushed.
The adapter should call do() first and push the command only if it succeeded (skipping the push's
first redo), so an impossible value never sits on the undo stack.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bodymap.core.records.model import (
    Consent,
    Drawing,
    Findings,
    InvalidValue,
    Patient,
    Plan,
    Screen,
    Treatment,
    Visit,
    editable,
    stored,
)
from bodymap.core.records.store import Store

# Menu texts of single-field edits: "Undo Set tenderness".
_FIELD_TEXT = {
    "status": "Set trigger point status",
    "twitch": "Set local twitch response",
    "familiar_pain": "Set familiar pain",
    "referral": "Set referral",
    "tenderness": "Set tenderness",
    "ppt_kpa": "Set pressure-pain threshold",
    "needled": "Set needled",
    "notes": "Edit notes",
    "given_name": "Edit given name",
    "family_name": "Edit family name",
    "date_of_birth": "Set date of birth",
    "sex": "Set sex",
    "contact": "Edit contact",
    "visited_on": "Set visit date",
    "therapist": "Set therapist",
    "complaint": "Edit chief complaint",
    "pain_before": "Set pain before",
    "pain_after": "Set pain after",
    "after": "Record after-effects",
    "symptom": "Set symptom",
    "intensity": "Set intensity",
    "areas": "Draw",
    "positioned": "Check positioning",
    "skin_prepared": "Check skin preparation",
    "needle": "Choose needle",
    "reactions": "Record immediate reactions",
    "advice_given": "Record aftercare advice",
    "next_visit": "Set next visit",
    "visits": "Set visits planned",
    "goal": "Edit goal",
    "planned_on": "Set plan date",
}


class Command:
    """A reversible change. `text` is the menu text ("Add mark"); do/undo commit through the store.

    Every change keeps its history (records/history.py), named by the user's step: the first do() is
    `text`, a later one "Redo <text>", an undo "Undo <text>", so an undo is a change like any other,
    with its own entry, and nothing is lost by undoing.
    """

    text = ""
    _done = False

    def do(self, store: Store) -> None:
        with store.step(f"Redo {self.text}" if self._done else self.text):
            self._do(store)
        self._done = True

    def undo(self, store: Store) -> None:
        with store.step(f"Undo {self.text}"):
            self._undo(store)

    def _do(self, store: Store) -> None:
        raise NotImplementedError

    def _undo(self, store: Store) -> None:
        raise NotImplementedError

    def merge(self, other: Command) -> bool:
        """Absorb `other` (already done, and done right after this one) into this step; True if it did."""
        return False

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.text!r}>"


class _Add(Command):
    """Adding a record: do adds it (then restores it on redo), undo soft-deletes it."""

    kind = ""

    def __init__(self) -> None:
        self.id: int | None = None

    def _add(self, store: Store) -> int:
        raise NotImplementedError

    def _do(self, store: Store) -> None:
        if self.id is None:
            self.id = self._add(store)
        else:
            store.restore(self.kind, self.id)

    def _undo(self, store: Store) -> None:
        assert self.id is not None, "undo() before do()"
        store.delete(self.kind, self.id)


class _Delete(Command):
    kind = ""

    def __init__(self, record_id: int):
        self.id = record_id

    def _do(self, store: Store) -> None:
        store.delete(self.kind, self.id)

    def _undo(self, store: Store) -> None:
        store.restore(self.kind, self.id)


class _Update(Command):
    """Setting some fields of a record. Repeated edits of the same fields of the same record merge into
    one step (typing in a notes box, dragging a slider), so undo goes back to before the first."""

    kind = ""
    merges = True

    def __init__(self, record_id: int, **changes: Any):
        if not changes:
            raise InvalidValue("nothing to change")
        self.id = record_id
        self.changes = changes
        self.before: dict[str, Any] | None = None
        self.text = _FIELD_TEXT.get(next(iter(changes)), "Edit") if len(changes) == 1 else self._many_text

    _many_text = "Edit"

    def _read(self, store: Store) -> dict[str, Any]:
        raise NotImplementedError

    def _write(self, store: Store, values: dict[str, Any]) -> None:
        raise NotImplementedError

    def _do(self, store: Store) -> None:
        if self.before is None:
            current = self._read(store)
            before = {k: current[k] for k in self.changes if k in current}
            self._write(store, self.changes)
            self.before = before  # only once the change is made: a refused do() leaves nothing behind
        else:
            self._write(store, self.changes)

    def _undo(self, store: Store) -> None:
        assert self.before is not None, "undo() before do()"
        self._write(store, self.before)

    def merge(self, other: Command) -> bool:
        if (
            type(other) is type(self)
            and self.merges
            and other.merges
            and other.id == self.id
            and set(other.changes) == set(self.changes)
        ):
            self.changes = dict(other.changes)
            return True
        return False


def _fields(record: object, names: Iterable[str]) -> dict[str, Any]:
    return {n: getattr(record, n) for n in names}


# --- patients, screens, consents ------------------------------------------------------------------


class CreatePatient(_Add):
    text = "New patient"
    kind = "patient"

    def __init__(self, patient: Patient):
        super().__init__()
        self.patient = patient

    def _add(self, store: Store) -> int:
        return stored(store.add_patient(self.patient).id)


class UpdatePatient(_Update):
    kind = "patient"
    _many_text = "Edit patient"

    def _read(self, store: Store) -> dict[str, Any]:
        return _fields(store.patient(self.id), editable(Patient))

    def _write(self, store: Store, values: dict[str, Any]) -> None:
        store.update_patient(self.id, **values)


class RecordScreen(_Add):
    text = "Record precaution screen"
    kind = "screen"

    def __init__(self, screen: Screen):
        super().__init__()
        self.screen = screen

    def _add(self, store: Store) -> int:
        return stored(store.add_screen(self.screen).id)


class RecordConsent(_Add):
    text = "Record consent"
    kind = "consent"

    def __init__(self, consent: Consent):
        super().__init__()
        self.consent = consent

    def _add(self, store: Store) -> int:
        return stored(store.add_consent(self.consent).id)


# --- visits -----------------------------------------------------------------------------------------


class AddVisit(_Add):
    text = "Add visit"
    kind = "visit"

    def __init__(self, visit: Visit):
        super().__init__()
        self.visit = visit

    def _add(self, store: Store) -> int:
        return stored(store.add_visit(self.visit).id)


class UpdateVisit(_Update):
    kind = "visit"
    _many_text = "Edit visit"

    def _read(self, store: Store) -> dict[str, Any]:
        return _fields(store.visit(self.id), editable(Visit))

    def _write(self, store: Store, values: dict[str, Any]) -> None:
        store.update_visit(self.id, **values)


# --- marks ------------------------------------------------------------------------------------------


class AddMark(_Add):
    text = "Add mark"
    kind = "mark"

    def __init__(self, visit_id: int, view: str, x: float, y: float, findings: Findings | None = None):
        super().__init__()
        self.visit_id, self.view, self.x, self.y, self.findings = visit_id, view, x, y, findings

    def _add(self, store: Store) -> int:
        return stored(store.add_mark(self.visit_id, self.view, self.x, self.y, self.findings).id)


class MoveMark(Command):
    """Move a mark. Consecutive moves of the same mark merge: a drag, or nudges, undo in one step."""

    text = "Move mark"

    def __init__(self, mark_id: int, x: float, y: float):
        self.id, self.x, self.y = mark_id, x, y
        self.before: tuple[float, float] | None = None

    def _do(self, store: Store) -> None:
        if self.before is None:
            mark = store.mark(self.id)
            store.move_mark(self.id, self.x, self.y)
            self.before = (mark.x, mark.y)
        else:
            store.move_mark(self.id, self.x, self.y)

    def _undo(self, store: Store) -> None:
        assert self.before is not None, "undo() before do()"
        store.move_mark(self.id, *self.before)

    def merge(self, other: Command) -> bool:
        if isinstance(other, MoveMark) and other.id == self.id:
            self.x, self.y = other.x, other.y
            return True
        return False


class UpdateMark(_Update):
    """Set any findings of a mark: UpdateMark(12, tenderness=7)."""

    kind = "mark"
    _many_text = "Edit findings"

    def _read(self, store: Store) -> dict[str, Any]:
        return _fields(store.mark(self.id).findings, self.changes)

    def _write(self, store: Store, values: dict[str, Any]) -> None:
        store.update_mark(self.id, **values)


class TreatMark(Command):
    """Record how a mark was needled (a treated point), change it, or (None) say it was not needled."""

    def __init__(self, mark_id: int, treatment: Treatment | None):
        self.id, self.treatment = mark_id, treatment
        self.before: Treatment | None = None
        self.done = False
        self.text = "Record treated point" if treatment is not None else "Not needled"

    def do(self, store: Store) -> None:
        if not self.done:
            before = store.mark(self.id).treatment
            store.treat_mark(self.id, self.treatment)
            self.before, self.done = before, True
        else:
            store.treat_mark(self.id, self.treatment)

    def undo(self, store: Store) -> None:
        assert self.done, "undo() before do()"
        store.treat_mark(self.id, self.before)


class DeleteMark(_Delete):
    text = "Delete mark"
    kind = "mark"


# --- course plans -----------------------------------------------------------------------------------


class RecordPlan(_Add):
    text = "Plan course"
    kind = "plan"

    def __init__(self, plan: Plan):
        super().__init__()
        self.plan = plan

    def _add(self, store: Store) -> int:
        return stored(store.add_plan(self.plan).id)


class UpdatePlan(_Update):
    kind = "plan"
    _many_text = "Edit course plan"

    def _read(self, store: Store) -> dict[str, Any]:
        return _fields(store.plan(self.id), editable(Plan))

    def _write(self, store: Store, values: dict[str, Any]) -> None:
        store.update_plan(self.id, **values)


# --- drawings ---------------------------------------------------------------------------------------


class AddDrawing(_Add):
    text = "Add drawing"
    kind = "drawing"

    def __init__(self, drawing: Drawing):
        super().__init__()
        self.drawing = drawing

    def _add(self, store: Store) -> int:
        return stored(store.add_drawing(self.drawing).id)


class UpdateDrawing(_Update):
    kind = "drawing"
    _many_text = "Edit drawing"

    def __init__(self, record_id: int, **changes: Any):
        super().__init__(record_id, **changes)
        # Each stroke that changes the area is its own undo step; intensity and notes edits merge.
        self.merges = "areas" not in changes

    def _read(self, store: Store) -> dict[str, Any]:
        return _fields(store.drawing(self.id), editable(Drawing))

    def _write(self, store: Store, values: dict[str, Any]) -> None:
        store.update_drawing(self.id, **values)


class DeleteDrawing(_Delete):
    text = "Delete drawing"
    kind = "drawing"


__all__ = [
    "Command",
    "CreatePatient",
    "UpdatePatient",
    "RecordScreen",
    "RecordConsent",
    "AddVisit",
    "UpdateVisit",
    "AddMark",
    "MoveMark",
    "UpdateMark",
    "TreatMark",
    "DeleteMark",
    "RecordPlan",
    "UpdatePlan",
    "AddDrawing",
    "UpdateDrawing",
    "DeleteDrawing",
]
