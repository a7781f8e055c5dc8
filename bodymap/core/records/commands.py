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

from typing import Any

from shapely.geometry.base import BaseGeometry

from bodymap.core.chart.frame import View
from bodymap.core.records.model import (
    Consent,
    Drawing,
    Findings,
    InvalidValue,
    Mark,
    Patient,
    Plan,
    Screen,
    Treatment,
    Visit,
    stored,
)
from bodymap.core.records.store import Store, Stored

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

    Each step is made on the version of the record the command last saw (the record the user had on
    screen, then the one its own do or undo left): if someone else changed it since, the store refuses
    the step with Conflict, saying who changed what, and the command stays as it was (the undo stack
    does not move).
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


def _split(record: int | Stored) -> tuple[int, Stored | None]:
    """A record's id, and the record itself when the user's copy was given (not just its id)."""
    if isinstance(record, int):
        return record, None
    return stored(record.id), record


class _Add(Command):
    """Adding a record: do adds it (then restores it on redo), undo soft-deletes it."""

    kind = ""

    def __init__(self) -> None:
        self.id: int | None = None
        self.record: Stored | None = None  # the record as the last step left it

    def _add(self, store: Store) -> Stored:
        raise NotImplementedError

    def _do(self, store: Store) -> None:
        if self.id is None:
            self.record = self._add(store)
            self.id = self.record.id
        else:
            self.record = store.restore(self.kind, self.id, seen=self.record)

    def _undo(self, store: Store) -> None:
        assert self.id is not None, "undo() before do()"
        self.record = store.delete(self.kind, self.id, seen=self.record)


class _Delete(Command):
    kind = ""

    def __init__(self, record: int | Stored):
        self.id, self.record = _split(record)

    def _do(self, store: Store) -> None:
        self.record = store.delete(self.kind, self.id, seen=self.record)

    def _undo(self, store: Store) -> None:
        self.record = store.restore(self.kind, self.id, seen=self.record)


class _Update(Command):
    """Setting some fields of a record, given as the record the user had (or its id: then as stored when
    the command is first done). Repeated edits of the same fields of the same record merge into one step
    (typing in a notes box, dragging a slider), so undo goes back to before the first."""

    kind = ""
    merges = True

    def __init__(self, record: Any, **changes: Any):
        if not changes:
            raise InvalidValue("nothing to change")
        self.id, self.record = _split(record)
        self.changes = changes
        self.before: dict[str, Any] | None = None
        self.text = _FIELD_TEXT.get(next(iter(changes)), "Edit") if len(changes) == 1 else self._many_text

    _many_text = "Edit"

    def _read(self, store: Store) -> Stored:
        raise NotImplementedError

    def _values(self, record: Any) -> dict[str, Any]:
        """The values of the changed fields in a record."""
        return {k: getattr(record, k) for k in self.changes}

    def _write(self, store: Store, values: dict[str, Any], seen: Any) -> Stored:
        raise NotImplementedError

    def _do(self, store: Store) -> None:
        if self.before is None:
            seen = self.record if self.record is not None else self._read(store)
            before = self._values(seen)
            self.record = self._write(store, self.changes, seen)
            self.before = before  # only once the change is made: a refused do() leaves nothing behind
        else:
            self.record = self._write(store, self.changes, self.record)

    def _undo(self, store: Store) -> None:
        assert self.before is not None, "undo() before do()"
        self.record = self._write(store, self.before, self.record)

    def merge(self, other: Command) -> bool:
        if (
            type(other) is type(self)
            and self.merges
            and other.merges
            and other.id == self.id
            and set(other.changes) == set(self.changes)
        ):
            self.changes = dict(other.changes)
            self.record = other.record
            return True
        return False


# --- patients, screens, consents ------------------------------------------------------------------


class CreatePatient(_Add):
    text = "New patient"
    kind = "patient"

    def __init__(self, patient: Patient):
        super().__init__()
        self.patient = patient

    def _add(self, store: Store) -> Stored:
        return store.add_patient(self.patient)


class UpdatePatient(_Update):
    kind = "patient"
    _many_text = "Edit patient"

    def _read(self, store: Store) -> Stored:
        return store.patient(self.id)

    def _write(self, store: Store, values: dict[str, Any], seen: Any) -> Stored:
        return store.update_patient(self.id, seen=seen, **values)


class RecordScreen(_Add):
    text = "Record precaution screen"
    kind = "screen"

    def __init__(self, screen: Screen):
        super().__init__()
        self.screen = screen

    def _add(self, store: Store) -> Stored:
        return store.add_screen(self.screen)


class RecordConsent(_Add):
    text = "Record consent"
    kind = "consent"

    def __init__(self, consent: Consent):
        super().__init__()
        self.consent = consent

    def _add(self, store: Store) -> Stored:
        return store.add_consent(self.consent)


# --- visits -----------------------------------------------------------------------------------------


class AddVisit(_Add):
    text = "Add visit"
    kind = "visit"

    def __init__(self, visit: Visit):
        super().__init__()
        self.visit = visit

    def _add(self, store: Store) -> Stored:
        return store.add_visit(self.visit)


class UpdateVisit(_Update):
    kind = "visit"
    _many_text = "Edit visit"

    def _read(self, store: Store) -> Stored:
        return store.visit(self.id)

    def _write(self, store: Store, values: dict[str, Any], seen: Any) -> Stored:
        return store.update_visit(self.id, seen=seen, **values)


# --- marks ------------------------------------------------------------------------------------------


class AddMark(_Add):
    text = "Add mark"
    kind = "mark"

    def __init__(self, visit_id: int, view: str, x: float, y: float, findings: Findings | None = None):
        super().__init__()
        self.visit_id, self.view, self.x, self.y, self.findings = visit_id, view, x, y, findings

    def _add(self, store: Store) -> Stored:
        return store.add_mark(self.visit_id, self.view, self.x, self.y, self.findings)


class MoveMark(Command):
    """Move a mark (given as the user had it, or by id). Consecutive moves of the same mark merge: a drag,
    or nudges, undo in one step."""

    text = "Move mark"

    def __init__(self, mark: int | Mark, x: float, y: float):
        self.id, seen = _split(mark)
        self.record: Mark | None = seen if isinstance(seen, Mark) else None
        self.x, self.y = x, y
        self.before: tuple[float, float] | None = None

    def _do(self, store: Store) -> None:
        if self.before is None:
            mark = self.record if self.record is not None else store.mark(self.id)
            self.record = store.move_mark(self.id, self.x, self.y, seen=mark)
            self.before = (mark.x, mark.y)
        else:
            self.record = store.move_mark(self.id, self.x, self.y, seen=self.record)

    def _undo(self, store: Store) -> None:
        assert self.before is not None, "undo() before do()"
        self.record = store.move_mark(self.id, *self.before, seen=self.record)

    def merge(self, other: Command) -> bool:
        if isinstance(other, MoveMark) and other.id == self.id:
            self.x, self.y = other.x, other.y
            self.record = other.record
            return True
        return False


class UpdateMark(_Update):
    """Set any findings of a mark: UpdateMark(12, tenderness=7)."""

    kind = "mark"
    _many_text = "Edit findings"

    def _read(self, store: Store) -> Stored:
        return store.mark(self.id)

    def _values(self, record: Any) -> dict[str, Any]:
        return {k: getattr(record.findings, k) for k in self.changes}

    def _write(self, store: Store, values: dict[str, Any], seen: Any) -> Stored:
        return store.update_mark(self.id, seen=seen, **values)


class TreatMark(Command):
    """Record how a mark was needled (a treated point), change it, or (None) say it was not needled."""

    def __init__(self, mark: int | Mark, treatment: Treatment | None):
        self.id, seen = _split(mark)
        self.record: Mark | None = seen if isinstance(seen, Mark) else None
        self.treatment = treatment
        self.before: Treatment | None = None
        self.done = False
        self.text = "Record treated point" if treatment is not None else "Not needled"

    def do(self, store: Store) -> None:
        if not self.done:
            mark = self.record if self.record is not None else store.mark(self.id)
            self.record = store.treat_mark(self.id, self.treatment, seen=mark)
            self.before, self.done = mark.treatment, True
        else:
            self.record = store.treat_mark(self.id, self.treatment, seen=self.record)

    def undo(self, store: Store) -> None:
        assert self.done, "undo() before do()"
        self.record = store.treat_mark(self.id, self.before, seen=self.record)


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

    def _add(self, store: Store) -> Stored:
        return store.add_plan(self.plan)


class UpdatePlan(_Update):
    kind = "plan"
    _many_text = "Edit course plan"

    def _read(self, store: Store) -> Stored:
        return store.plan(self.id)

    def _write(self, store: Store, values: dict[str, Any], seen: Any) -> Stored:
        return store.update_plan(self.id, seen=seen, **values)


# --- drawings ---------------------------------------------------------------------------------------


class AddDrawing(_Add):
    text = "Add drawing"
    kind = "drawing"

    def __init__(self, drawing: Drawing):
        super().__init__()
        self.drawing = drawing

    def _add(self, store: Store) -> Stored:
        return store.add_drawing(self.drawing)


class UpdateDrawing(_Update):
    kind = "drawing"
    _many_text = "Edit drawing"

    def __init__(self, record_id: int, **changes: Any):
        super().__init__(record_id, **changes)
        # Each stroke that changes the area is its own undo step; intensity and notes edits merge.
        self.merges = "areas" not in changes

    def _read(self, store: Store) -> Stored:
        return store.drawing(self.id)

    def _write(self, store: Store, values: dict[str, Any], seen: Any) -> Stored:
        return store.update_drawing(self.id, seen=seen, **values)


class DeleteDrawing(_Delete):
    text = "Delete drawing"
    kind = "drawing"


class Stroke(Command):
    """A brush or lasso stroke (or the eraser's) on the visit's drawing of a symptom. It is applied to the
    drawing as stored when it is written (Store.draw), so two people drawing on one drawing both keep
    their strokes; its undo takes away what this stroke added (or gives back what it erased), never
    what others drew meanwhile. The first stroke of a symptom adds its drawing, with `intensity`."""

    def __init__(
        self,
        visit_id: int,
        symptom: str,
        tool: str,
        view: View,
        shape: BaseGeometry,
        intensity: int | None = None,
    ):
        self.visit_id, self.symptom, self.view, self.shape = visit_id, symptom, view, shape
        self.erase = tool == "eraser"
        self.intensity = intensity
        self.text = "Erase" if self.erase else "Draw"
        self.drawing_id: int | None = None  # the drawing it drew on
        self.added: BaseGeometry | None = None
        self.removed: BaseGeometry | None = None
        self.emptied = False  # it erased all of the drawing (which went)

    def _do(self, store: Store) -> None:
        drawn = store.draw(
            self.visit_id,
            self.symptom,
            self.view,
            self.shape,
            erase=self.erase,
            intensity=self.intensity,
            revive=self.drawing_id,
        )
        self.added, self.removed = drawn.added, drawn.removed
        self.emptied = drawn.drawing is not None and drawn.drawing.deleted_at is not None
        if drawn.drawing is not None:
            self.drawing_id = drawn.drawing.id

    def _undo(self, store: Store) -> None:
        v, symptom, view = self.visit_id, self.symptom, self.view
        if self.added is not None:
            store.draw(v, symptom, view, self.added, erase=True, on=self.drawing_id)
        if self.removed is not None:  # an eraser stroke that took all of it away brings the drawing back
            revive, on = (self.drawing_id, None) if self.emptied else (None, self.drawing_id)
            store.draw(v, symptom, view, self.removed, revive=revive, on=on)


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
    "Stroke",
]
