"""Every command against a real store: do -> undo -> redo restores each state exactly; merging."""

from datetime import date

import pytest
from shapely.geometry import box

from bodymap.core.records import (
    AfterEffects,
    Consent,
    Drawing,
    Findings,
    InvalidValue,
    Patient,
    Screen,
    Visit,
)
from bodymap.core.records.commands import (
    AddDrawing,
    AddMark,
    AddVisit,
    Command,
    CreatePatient,
    DeleteDrawing,
    DeleteMark,
    MoveMark,
    RecordConsent,
    RecordScreen,
    UpdateDrawing,
    UpdateMark,
    UpdatePatient,
    UpdateVisit,
)

from .conftest import disc, inside


def _state(store, patient_id):
    """Everything a user can see of a patient's record (deleted items are not seen), without timestamps."""
    r = store.record(patient_id)

    def plain(obj):
        d = {
            k: v
            for k, v in vars(obj).items()
            if k not in ("created_at", "updated_at", "deleted_at", "version")  # bookkeeping
        }
        if "areas" in d:
            d["areas"] = {v: g.wkt for v, g in d["areas"].items()}
        return d

    def seen(items):
        return [plain(i) for i in items if i.deleted_at is None]

    return (
        plain(r.patient),
        r.patient.deleted_at is None,
        seen(r.screens),
        seen(r.consents),
        [(plain(v.visit), seen(v.marks), seen(v.drawings)) for v in r.visits if v.visit.deleted_at is None],
    )


def _kept(store, patient_id) -> int:
    """How many records the database holds for the patient, deleted or not: undo never removes one."""
    r = store.record(patient_id)
    return 1 + len(r.screens) + len(r.consents) + sum(1 + len(v.marks) + len(v.drawings) for v in r.visits)


def _round_trip(store, patient_id, command: Command):
    before = _state(store, patient_id)
    command.do(store)
    after = _state(store, patient_id)
    assert after != before, f"{command!r} changed nothing"
    held = _kept(store, patient_id)
    command.undo(store)
    assert _state(store, patient_id) == before, f"undo of {command!r}"
    assert _kept(store, patient_id) == held, f"undo of {command!r} removed a record"
    command.do(store)  # redo
    assert _state(store, patient_id) == after, f"redo of {command!r}"
    command.undo(store)
    assert _state(store, patient_id) == before, f"second undo of {command!r}"
    command.do(store)
    return command


def test_create_patient(store):
    cmd = CreatePatient(Patient(given_name="Ann", family_name="Lee", date_of_birth=date(1980, 5, 1)))
    cmd.do(store)
    assert cmd.text == "New patient" and [p.id for p in store.patients()] == [cmd.id]
    cmd.undo(store)
    assert store.patients() == [] and store.find_patients("ann") == []
    assert store.patient(cmd.id).deleted_at is not None  # kept, not gone
    cmd.do(store)
    assert [p.id for p in store.find_patients("ann")] == [cmd.id]


def test_update_patient(store, patient):
    cmd = _round_trip(store, patient.id, UpdatePatient(patient.id, family_name="Lee-Smith", notes="moved"))
    assert cmd.text == "Edit patient" and store.patient(patient.id).family_name == "Lee-Smith"
    assert [p.id for p in store.find_patients("smith")] == [patient.id]
    assert UpdatePatient(patient.id, date_of_birth=date(1981, 1, 1)).text == "Set date of birth"


def test_record_screen_and_consent(store, patient):
    cmd = _round_trip(
        store,
        patient.id,
        RecordScreen(Screen(patient_id=patient.id, screened_on=date(2024, 3, 1), pregnancy=True)),
    )
    assert cmd.text == "Record precaution screen" and store.latest_screen(patient.id).pregnancy
    cmd = _round_trip(
        store, patient.id, RecordConsent(Consent(patient_id=patient.id, consented_on=date(2024, 3, 1)))
    )
    assert cmd.text == "Record consent" and store.latest_consent(patient.id).given


def test_add_and_update_visit(store, patient):
    add = _round_trip(store, patient.id, AddVisit(Visit(patient_id=patient.id, visited_on=date(2024, 3, 1))))
    assert add.text == "Add visit"
    upd = _round_trip(store, patient.id, UpdateVisit(add.id, pain_before=7))
    assert upd.text == "Set pain before"
    upd = _round_trip(
        store, patient.id, UpdateVisit(add.id, after=AfterEffects(soreness=True, soreness_hours=24))
    )
    assert upd.text == "Record after-effects"


def test_add_move_update_delete_mark(store, patient, visit):
    add = _round_trip(store, patient.id, AddMark(visit.id, "back", *inside("back", "infraspinous", "right")))
    assert add.text == "Add mark"
    move = _round_trip(store, patient.id, MoveMark(add.id, *inside("back", "infraspinous", "left")))
    assert move.text == "Move mark" and store.mark(add.id).side == "left"
    upd = _round_trip(store, patient.id, UpdateMark(add.id, tenderness=7))
    assert upd.text == "Set tenderness"
    upd = _round_trip(store, patient.id, UpdateMark(add.id, status="active", twitch=True, ppt_kpa=310.5))
    assert upd.text == "Edit findings"
    delete = _round_trip(store, patient.id, DeleteMark(add.id))
    assert delete.text == "Delete mark" and store.marks(visit.id) == []
    delete.undo(store)
    assert [m.id for m in store.marks(visit.id)] == [add.id]  # the same mark, findings and all
    assert store.mark(add.id).findings == Findings(status="active", twitch=True, ppt_kpa=310.5, tenderness=7)


def test_add_update_delete_drawing(store, patient, visit):
    area = disc(*inside("back", "lumbar", "right"), 0.02)
    add = _round_trip(
        store,
        patient.id,
        AddDrawing(Drawing(visit_id=visit.id, symptom="pain", intensity=5, areas={"back": area})),
    )
    assert add.text == "Add drawing"
    drawn = store.drawing(add.id).areas["back"]
    upd = _round_trip(store, patient.id, UpdateDrawing(add.id, intensity=8))
    assert upd.text == "Set intensity"
    grown = area.union(disc(*inside("back", "sacral", "midline"), 0.015))
    stroke = UpdateDrawing(add.id, areas={"back": grown})
    stroke.do(store)
    assert stroke.text == "Draw" and store.drawing(add.id).areas["back"].area > area.area * 1.2
    stroke.undo(store)
    assert store.drawing(add.id).areas["back"].equals_exact(drawn, 0)  # exactly the area before the stroke
    delete = _round_trip(store, patient.id, DeleteDrawing(add.id))
    assert delete.text == "Delete drawing"


def test_consecutive_moves_of_one_mark_merge_into_one_step(store, visit):
    start = inside("back", "infraspinous", "right")
    add = AddMark(visit.id, "back", *start)
    add.do(store)
    first = MoveMark(add.id, start[0] + 0.002, start[1])
    first.do(store)
    for i in range(2, 6):  # a drag: the undo stack does the move, then asks the last step to merge it
        step = MoveMark(add.id, start[0] + 0.002 * i, start[1])
        step.do(store)
        assert first.merge(step)
    assert store.mark(add.id).x == pytest.approx(start[0] + 0.010)
    first.undo(store)
    assert (store.mark(add.id).x, store.mark(add.id).y) == pytest.approx(start)
    first.do(store)
    assert store.mark(add.id).x == pytest.approx(start[0] + 0.010)
    other = AddMark(visit.id, "back", *start)
    other.do(store)
    assert not first.merge(MoveMark(other.id, *start))  # another mark: a new step
    assert not first.merge(UpdateMark(add.id, tenderness=3))


def test_edits_of_one_field_of_one_mark_merge(store, visit):
    add = AddMark(visit.id, "back", *inside("back", "infraspinous", "right"), Findings(tenderness=2))
    add.do(store)
    first = UpdateMark(add.id, tenderness=3)
    first.do(store)
    for t in (4, 5, 6):  # a slider
        nxt = UpdateMark(add.id, tenderness=t)
        nxt.do(store)
        assert first.merge(nxt)
    assert store.mark(add.id).findings.tenderness == 6
    first.undo(store)
    assert store.mark(add.id).findings.tenderness == 2
    assert not first.merge(UpdateMark(add.id, notes="x"))  # another field
    assert not first.merge(UpdateMark(add.id + 1, tenderness=1))  # another mark
    notes = UpdatePatient(1, notes="a")
    assert notes.merge(UpdatePatient(1, notes="ab"))  # typing
    assert not UpdateDrawing(1, areas={}).merge(UpdateDrawing(1, areas={}))  # each stroke is a step


def test_a_refused_command_changes_nothing_and_can_be_dropped(store, patient, visit):
    add = AddMark(visit.id, "front", 0.6, 0.6)  # off the body
    with pytest.raises(InvalidValue):
        add.do(store)
    assert add.id is None and store.marks(visit.id, include_deleted=True) == []
    upd = UpdateVisit(visit.id, pain_after=11)
    with pytest.raises(InvalidValue):
        upd.do(store)
    assert upd.before is None and store.visit(visit.id).pain_after is None
    with pytest.raises(InvalidValue, match="nothing to change"):
        UpdateMark(1)


def test_drawing_commands_clip_like_the_store(store, visit):
    add = AddDrawing(
        Drawing(visit_id=visit.id, symptom="numbness", areas={"front": box(-0.6, 0.0, 0.6, 1.0)})
    )
    add.do(store)
    assert store.drawing(add.id).areas["front"].area < 0.2
