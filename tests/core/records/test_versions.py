"""Several people on one database (two stores on two connections: two windows, two therapists): every
change names the version it was made on, and no one's edit is ever silently overwritten."""

from datetime import date

import pytest

from bodymap.core.records import Conflict, Drawing, Findings, Visit
from bodymap.core.records.commands import AddMark, DeleteMark, Stroke, UpdateMark, UpdateVisit

from .conftest import disc, inside


@pytest.fixture
def mine(store):
    store.recorder = "A. Adams"
    return store


def test_every_record_has_a_version_that_each_change_moves_on(mine, patient, visit):
    assert patient.version == visit.version == 1
    edited = mine.update_visit(visit.id, notes="tender neck")
    assert edited.version == 2 == mine.visit(visit.id).version
    mark = mine.add_mark(visit.id, "back", *inside("back", "infraspinous", "right"))
    assert mark.version == 1
    assert mine.delete("mark", mark.id).version == 2
    assert mine.restore("mark", mark.id).version == 3 == mine.mark(mark.id).version
    entries = [e for e in mine.history(patient.id) if e.kind == "mark"]
    assert [(e.action, e.version) for e in entries] == [("added", 1), ("deleted", 2), ("restored", 3)]


def test_a_stale_copy_keeps_the_other_persons_edit_of_another_field(mine, other, visit):
    theirs = other.update_visit(visit.id, pain_after=2, seen=other.visit(visit.id))
    mine_now = mine.update_visit(visit.id, notes="better after needling", seen=visit)  # made on version 1
    stored = other.visit(visit.id)
    assert (stored.pain_after, stored.notes) == (2, "better after needling")  # both kept
    assert stored.version == 3 and mine_now == stored and theirs.version == 2


def test_a_change_to_a_field_someone_changed_since_is_refused_saying_who_what_and_when(mine, other, visit):
    other.update_visit(visit.id, pain_after=2, seen=other.visit(visit.id))
    with pytest.raises(Conflict) as refused:
        mine.update_visit(visit.id, pain_after=4, seen=visit)
    text = str(refused.value)
    assert "B. Brown changed the visit at" in text and "pain after not recorded → 2" in text
    assert "nothing was written" in text
    assert [e.by for e in refused.value.entries] == ["B. Brown"]
    assert mine.visit(visit.id).pain_after == 2  # theirs stays


def test_undo_and_redo_never_set_back_someone_elses_work(mine, other, visit):
    add = AddMark(visit.id, "back", *inside("back", "infraspinous", "right"), Findings(tenderness=5))
    add.do(mine)
    edit = UpdateMark(add.record, tenderness=7)
    edit.do(mine)
    other.update_mark(add.id, tenderness=9, seen=other.mark(add.id))
    with pytest.raises(Conflict, match=r"B\. Brown changed the mark at .*tenderness 7 → 9"):
        edit.undo(mine)
    assert mine.mark(add.id).findings.tenderness == 9
    with pytest.raises(Conflict, match="B. Brown changed the mark"):
        add.undo(mine)  # undoing the addition would take their finding away with the mark
    assert mine.mark(add.id).deleted_at is None
    # Another field: my undo of my tenderness is refused, but a change to the notes made on my copy is not.
    UpdateMark(edit.record, notes="taut band").do(mine)
    assert mine.mark(add.id).findings == Findings(tenderness=9, notes="taut band")


def test_a_redo_over_someone_elses_change_is_refused(mine, other, visit):
    edit = UpdateVisit(visit, complaint="neck and shoulder")
    edit.do(mine)
    edit.undo(mine)
    other.update_visit(visit.id, complaint="headache", seen=other.visit(visit.id))
    with pytest.raises(Conflict, match="B. Brown changed the visit .*chief complaint edited"):
        edit.do(mine)
    assert mine.visit(visit.id).complaint == "headache"


def test_my_own_steps_in_order_never_conflict(mine, visit):
    add = AddMark(visit.id, "back", *inside("back", "infraspinous", "right"))
    add.do(mine)
    first = UpdateMark(add.record, tenderness=5)
    first.do(mine)
    second = UpdateMark(first.record, status="active")
    second.do(mine)
    first.undo(mine)  # out of order, on another field: still mine, still fine
    second.undo(mine)
    add.undo(mine)
    add.do(mine)
    assert mine.mark(add.id).findings == Findings()


def test_edits_to_a_deleted_record_are_refused_with_the_reason(mine, other, visit):
    mark = mine.add_mark(visit.id, "back", *inside("back", "infraspinous", "right"))
    DeleteMark(other.mark(mark.id)).do(other)
    for change in (
        lambda: mine.update_mark(mark.id, tenderness=6, seen=mark),
        lambda: mine.update_mark(mark.id, tenderness=6),
        lambda: mine.move_mark(mark.id, *inside("back", "infraspinous", "left"), seen=mark),
        lambda: mine.delete("mark", mark.id, seen=mark),
    ):
        with pytest.raises(Conflict, match=r"B\. Brown deleted the mark at \d\d:\d\d; nothing was written"):
            change()
    other.delete("visit", visit.id, seen=other.visit(visit.id))
    with pytest.raises(Conflict, match="B. Brown deleted the visit"):
        mine.add_mark(visit.id, "back", *inside("back", "infraspinous", "left"))
    with pytest.raises(Conflict, match="B. Brown deleted the visit"):
        mine.draw(visit.id, "pain", "back", disc(*inside("back", "lumbar", "right")))


def test_strokes_apply_to_the_drawing_as_stored_and_undo_takes_back_only_their_own(mine, other, visit):
    left, right = (
        disc(*inside("back", "lumbar", "left"), 0.02),
        disc(*inside("back", "lumbar", "right"), 0.02),
    )
    a = Stroke(visit.id, "pain", "brush", "back", left, intensity=6)
    b = Stroke(visit.id, "pain", "brush", "back", right)
    a.do(mine)
    b.do(other)  # drawn on the same drawing, not a second one
    (drawing,) = mine.drawings(visit.id)
    assert drawing.intensity == 6 and _covers(drawing, left) and _covers(drawing, right)
    a.undo(mine)  # takes away the left stroke only
    (drawing,) = mine.drawings(visit.id)
    assert not drawing.areas["back"].intersects(left.buffer(-0.002)) and _covers(drawing, right)
    a.do(mine)
    b.undo(other)
    (drawing,) = mine.drawings(visit.id)
    assert _covers(drawing, left) and not drawing.areas["back"].intersects(right.buffer(-0.002))


def test_the_first_stroke_undone_and_redone_brings_back_the_same_drawing(mine, visit):
    stroke = Stroke(visit.id, "ache", "lasso", "back", disc(*inside("back", "lumbar", "left"), 0.02))
    stroke.do(mine)
    first = stroke.drawing_id
    stroke.undo(mine)
    assert mine.drawings(visit.id) == []
    stroke.do(mine)
    assert [d.id for d in mine.drawings(visit.id)] == [first]
    eraser = Stroke(visit.id, "ache", "eraser", "back", disc(*inside("back", "lumbar", "left"), 0.05))
    eraser.do(mine)
    assert mine.drawings(visit.id) == []  # all of it erased: the drawing goes
    eraser.undo(mine)
    assert [d.id for d in mine.drawings(visit.id)] == [first]


def test_one_drawing_per_symptom(mine, visit):
    area = {"back": disc(*inside("back", "lumbar", "left"))}
    first = mine.add_drawing(Drawing(visit_id=visit.id, symptom="pain", areas=area))
    with pytest.raises(ValueError, match="already has a drawing of pain"):
        mine.add_drawing(Drawing(visit_id=visit.id, symptom="pain", areas=area))
    mine.delete("drawing", first.id)
    again = mine.add_drawing(Drawing(visit_id=visit.id, symptom="pain", areas=area))
    with pytest.raises(ValueError, match="already has a drawing of pain"):
        mine.restore("drawing", first.id)
    ache = mine.add_drawing(Drawing(visit_id=visit.id, symptom="ache", areas=area))
    with pytest.raises(ValueError, match="already has a drawing of pain"):
        mine.update_drawing(ache.id, symptom="pain")
    assert [d.id for d in mine.drawings(visit.id)] == [again.id, ache.id]


def test_only_the_first_visit_by_date_leaves_the_after_effects_unasked(mine, patient, visit):
    later = mine.add_visit(Visit(patient_id=patient.id, visited_on=date(2024, 3, 8)))
    assert visit.after is None and later.after is not None and later.after.present == ()


def _covers(drawing, shape) -> bool:
    return drawing.areas["back"].buffer(1e-5).covers(shape.buffer(-0.002))
