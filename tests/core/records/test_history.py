"""Every change keeps its history: who (the therapist in the settings), when, the value before (issue 10)."""

import getpass
import sqlite3
from datetime import date, datetime, timedelta, timezone

import pytest

from bodymap.core.records import Drawing, Findings, Patient, Store, Visit, schema
from bodymap.core.records.commands import AddMark, DeleteMark, MoveMark, UpdateMark
from bodymap.core.records.exchange import export_record
from bodymap.core.records.history import amended_after_visit, default_recorder, describe, history_lines
from bodymap.core.records.importing import MalformedImport, import_record

from .conftest import disc, inside


def steps(store, patient_id):
    return [(e.kind, e.action, e.step, e.before, e.after) for e in store.history(patient_id)]


def test_each_change_keeps_who_when_and_the_value_before(store, patient):
    store.update_patient(patient.id, notes="allergic to latex")
    store.update_patient(patient.id, notes="allergic to latex and nickel")
    added, first, second = store.history(patient.id)
    assert (added.action, added.kind, added.record_id, added.by) == (
        "added",
        "patient",
        patient.id,
        "T. Tester",
    )
    assert first.before == {"notes": ""} and first.after == {"notes": "allergic to latex"}
    assert second.before == {"notes": "allergic to latex"} and second.after == {
        "notes": "allergic to latex and nickel"
    }
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    assert all(now - timedelta(minutes=5) < e.at <= now for e in (added, first, second))
    assert store.patient(patient.id).notes == "allergic to latex and nickel"  # the record is its newest state


def test_a_change_that_changes_nothing_adds_nothing(store, patient):
    before = len(store.history(patient.id))
    store.update_patient(patient.id, notes=patient.notes)
    assert len(store.history(patient.id)) == before


def test_undo_and_redo_record_their_own_entries(store, patient, visit):
    add = AddMark(visit.id, "back", *inside("back", "infraspinous", "right"), Findings(tenderness=5))
    add.do(store)
    set_tenderness = UpdateMark(add.id, tenderness=7)
    set_tenderness.do(store)
    set_tenderness.undo(store)
    set_tenderness.do(store)
    add.undo(store)
    marks = [s for s in steps(store, patient.id) if s[0] == "mark"]
    assert marks == [
        ("mark", "added", "Add mark", None, None),
        ("mark", "changed", "Set tenderness", {"tenderness": 5}, {"tenderness": 7}),
        ("mark", "changed", "Undo Set tenderness", {"tenderness": 7}, {"tenderness": 5}),
        ("mark", "changed", "Redo Set tenderness", {"tenderness": 5}, {"tenderness": 7}),
        ("mark", "deleted", "Undo Add mark", {"deleted_at": None}, marks[-1][4]),
    ]
    assert store.mark(add.id).deleted_at is not None  # soft-deleted: the mark is still there


def test_moves_deletes_and_drawings_are_kept_with_their_values(store, patient, visit):
    add = AddMark(visit.id, "back", *inside("back", "infraspinous", "right"))
    add.do(store)
    x, y = inside("back", "infraspinous", "right")
    MoveMark(add.id, x + 0.01, y).do(store)
    DeleteMark(add.id).do(store)
    first = disc(*inside("back", "suprascapular", "right"), 0.01)
    d = store.add_drawing(Drawing(visit_id=visit.id, symptom="pain", areas={"back": first}))
    store.update_drawing(d.id, areas={"back": disc(*inside("back", "suprascapular", "right"), 0.02)})
    entries = store.history(patient.id)
    move = next(e for e in entries if e.step == "Move mark")
    assert move.before["x"] == pytest.approx(x) and move.after["x"] == pytest.approx(x + 0.01)
    assert describe(move) == f"moved (x {x:.3f} → {x + 0.01:.3f})"
    redrawn = [e for e in entries if e.kind == "drawing" and e.action == "changed"][0]
    assert '"MultiPolygon"' in redrawn.before["area_back"]  # the area before, in full
    assert describe(redrawn) == "area on the back view redrawn"
    assert [e.action for e in entries if e.kind == "mark"] == ["added", "changed", "deleted"]


def test_history_is_only_ever_added_to(db_path, store, patient, visit):
    for i in range(3):
        store.update_visit(visit.id, pain_before=i)
    con = sqlite3.connect(db_path)
    rows = con.execute("SELECT id, kind, action, before, after FROM history ORDER BY id").fetchall()
    store.update_visit(visit.id, pain_after=2)
    again = con.execute("SELECT id, kind, action, before, after FROM history ORDER BY id").fetchall()
    con.close()
    assert again[: len(rows)] == rows and len(again) == len(rows) + 1


def test_amended_after_the_visit(store, patient, visit, monkeypatch):
    # The visit of 2024-03-01 was entered today (late): what is recorded today is part of it; a change
    # on a later day amends it. A visit recorded on its own day is amended by any change on a later one.
    from bodymap.core.records import transactions

    m = store.add_mark(visit.id, "back", *inside("back", "infraspinous", "right"))
    store.update_visit(visit.id, notes="written up the same day")
    assert store.amendments(visit.id) == []
    today = store.add_visit(Visit(patient_id=patient.id, visited_on=date.today()))
    tomorrow = datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(days=1)
    monkeypatch.setattr(transactions, "now", lambda: tomorrow)
    store.update_mark(m.id, tenderness=3)
    store.update_visit(today.id, notes="added the next day")
    assert [(e.kind, describe(e)) for e in store.amendments(visit.id)] == [
        ("mark", "tenderness not recorded → 3")
    ]
    assert [(e.kind, describe(e)) for e in store.amendments(today.id)] == [("visit", "notes edited")]
    assert amended_after_visit(store.visit(visit.id), store.history(patient.id)) == store.amendments(visit.id)


def test_the_json_export_carries_the_history_and_an_import_keeps_it(store, patient, visit, tmp_path, placer):
    m = store.add_mark(visit.id, "back", *inside("back", "infraspinous", "right"))
    with store.step("Set tenderness"):
        store.update_mark(m.id, tenderness=4)
    exported = export_record(store, patient.id)
    entry = exported["visits"][0]["marks"][0]["history"][1]
    assert entry["by"] == "T. Tester" and entry["step"] == "Set tenderness"
    assert entry["before"] == {"tenderness": None} and entry["after"] == {"tenderness": 4}
    with Store.open(tmp_path / "other.sqlite", placer=placer, recorder="B. Other") as other:
        new = import_record(other, exported)
        history = other.history(new.id)
        assert history[-1].action == "imported" and history[-1].by == "B. Other"
        kept = [e for e in history if e.kind == "mark"]
        assert [(e.action, e.by, e.after) for e in kept] == [
            ("added", "T. Tester", None),
            ("changed", "T. Tester", {"tenderness": 4}),
        ]
        assert kept[0].record_id == other.record(new.id).visits[0].marks[0].id  # tied to the new mark


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"at": "2024-01-01T10:00:00", "action": "rewritten"}, "action must be one of added"),
        ({"action": "changed"}, "at is missing"),
        (
            {"at": "2024-01-01T10:00:00", "action": "changed", "before": [1]},
            "history 1, before: must be an object",
        ),
        (
            {"at": "2024-01-01T10:00:00", "action": "changed", "after": {"x": [1, 2]}},
            "must be text, a number",
        ),
        ({"at": "2024-01-01T10:00:00", "action": "changed", "by": "\ud800"}, "lone surrogate"),
        ({"at": "2024-01-01T10:00:00", "action": "changed", "surprise": 1}, "'surprise' is not a field"),
    ],
)
def test_a_malformed_history_entry_names_its_place(store, patient, visit, tmp_path, placer, entry, message):
    store.add_mark(visit.id, "back", *inside("back", "infraspinous", "right"))
    data = export_record(store, patient.id)
    data["visits"][0]["marks"][0]["history"] = [entry]
    with Store.open(tmp_path / "other.sqlite", placer=placer) as other:
        with pytest.raises(MalformedImport) as info:
            import_record(other, data)
    assert "visit 1, mark 1, history 1" in str(info.value) and message in str(info.value)


def test_history_lines_read_as_words(store, patient, visit):
    m = store.add_mark(visit.id, "back", *inside("back", "infraspinous", "right"))
    with store.step("Set tenderness"):
        store.update_mark(m.id, tenderness=6)
    with store.step("Set local twitch response"):
        store.update_mark(m.id, twitch=True)
    lines = history_lines(store.record(patient.id))
    assert lines[-2].endswith("T. Tester: visit 1, mark 1: tenderness not recorded → 6 (Set tenderness)")
    assert lines[-1].endswith(
        "visit 1, mark 1: local twitch response not recorded → yes (Set local twitch response)"
    )


def test_who_is_recording_is_named_in_every_change(tmp_path, placer, monkeypatch):
    # The window names the therapist of its settings (ui/records/session.py); without one, the account.
    with Store.open(tmp_path / "r.sqlite", placer=placer, recorder="J. Brown") as store:
        p = store.add_patient(Patient(given_name="A", family_name="B", date_of_birth=date(1990, 1, 1)))
        store.recorder = "K. Green"  # the settings changed while the records were open
        store.update_patient(p.id, notes="seen by the second therapist")
        assert [e.by for e in store.history(p.id)] == ["J. Brown", "K. Green"]
    monkeypatch.delenv("BODYMAP_RECORDER")
    assert default_recorder() == getpass.getuser()


def test_a_database_from_before_the_history_is_brought_up_to_date(db_path, store, patient, placer):
    store.close()
    con = sqlite3.connect(db_path)
    con.execute("DROP TABLE history")
    for table in ("patients", "screens", "consents", "visits", "marks", "drawings", "plans"):
        con.execute(f"ALTER TABLE {table} DROP COLUMN version")  # added by 0006, after the history
    con.execute(f"UPDATE {schema.VERSION_TABLE} SET version_num = '0004'")
    con.commit()
    con.close()
    with Store.open(db_path, placer=placer) as again:
        again.update_patient(patient.id, notes="after the upgrade")
        assert [e.action for e in again.history(patient.id)] == ["changed"]  # history starts here
