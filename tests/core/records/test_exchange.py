"""Marks as CSV, a whole record as JSON, and the JSON imported back: all of it, or nothing."""

import copy
import csv
import hashlib
import io
import json
import stat
from datetime import date

import pytest

from bodymap.core.records import (
    AfterEffects,
    Consent,
    Drawing,
    Findings,
    Needle,
    Patient,
    RecordsError,
    Screen,
    Store,
    Treatment,
    Visit,
)
from bodymap.core.records.exchange import CSV_COLUMNS, export_file, export_record, marks_csv
from bodymap.core.records.importing import MalformedImport, import_record

from .conftest import disc, inside, region


@pytest.fixture
def full(store, patient):
    """A patient with a screen, consent, two visits, marks (one deleted) and drawings."""
    store.add_screen(Screen(patient_id=patient.id, screened_on=date(2024, 2, 28), anticoagulant=True))
    store.add_consent(Consent(patient_id=patient.id, consented_on=date(2024, 3, 1)))
    v1 = store.add_visit(
        Visit(
            patient_id=patient.id,
            visited_on=date(2024, 3, 1),
            therapist="J. Brown",
            complaint="neck and shoulder pain",
            pain_before=7,
            pain_after=4,
        )
    )
    v2 = store.add_visit(
        Visit(
            patient_id=patient.id,
            visited_on=date(2024, 3, 8),
            pain_before=4,
            after=AfterEffects(soreness=True, soreness_hours=30, bruising=True),
        )
    )
    store.add_mark(
        v1.id,
        "back",
        *inside("back", "suprascapular", "right"),
        Findings(
            status="active",
            twitch=True,
            familiar_pain=True,
            tenderness=8,
            notes="=SUM(A1) reproduced headache",
        ),
        Treatment(
            muscle="upper_trapezius",
            needle=Needle(0.25, 30),
            depth_mm=15,
            technique="pistoning",
            passes=6,
            twitches=3,
            familiar_pain=True,
            responses=("bleeding",),
            minutes=0.5,
        ),
    )
    gone = store.add_mark(v1.id, "back", *inside("back", "suprascapular", "left"), Findings(status="latent"))
    store.delete("mark", gone.id)
    store.add_mark(
        v2.id, "front", *inside("front", "pectoral", "left"), Findings(ppt_kpa=250.0, referral=False)
    )
    store.add_drawing(
        Drawing(
            visit_id=v1.id,
            symptom="pain",
            intensity=7,
            areas={
                "back": region("back", "suprascapular", "right").geometry,
                "front": disc(*inside("front", "temple", "right"), 0.006),
            },
        )
    )
    store.add_drawing(
        Drawing(
            visit_id=v2.id,
            symptom="tingling",
            intensity=3,
            areas={"front": disc(*inside("front", "volar_forearm_ulnar", "left"), 0.01)},
        )
    )
    return patient


def test_marks_as_csv(store, full):
    rows = list(csv.DictReader(io.StringIO(marks_csv(store, full.id))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 2  # the deleted mark is not exported
    first = rows[0]
    assert (first["visit"], first["view"], first["side"], first["region_id"]) == (
        "1",
        "back",
        "right",
        "suprascapular",
    )
    assert first["status"] == "active" and first["twitch"] == "yes" and first["referral"] == ""
    assert first["needled"] == "yes" and first["tenderness"] == "8"
    assert first["trp_muscle"] and float(first["trp_distance_cm"]) == pytest.approx(
        float(first["trp_distance"]) * 170, abs=0.06
    )
    assert first["notes"] == "'=SUM(A1) reproduced headache"  # a spreadsheet must not run it
    assert rows[1]["ppt_kpa"] == "250" and rows[1]["referral"] == "no" and rows[1]["side"] == "left"
    only_second = list(csv.DictReader(io.StringIO(marks_csv(store, full.id, visit_number=2))))
    assert [r["visit"] for r in only_second] == ["2"]
    with pytest.raises(RecordsError, match="has no visit 3 \\(2 visits\\)"):
        marks_csv(store, full.id, visit_number=3)


def _without_volatile(data):
    data = copy.deepcopy(data)
    data.pop("exported_at")
    return data


def test_json_round_trip_into_another_database(tmp_path, store, full, placer):
    exported = export_record(store, full.id)
    assert exported["format"] == "bodymap-record" and exported["version"] == 3
    assert len(exported["visits"][0]["marks"]) == 2 and exported["visits"][0]["marks"][1]["deleted_at"]
    json.dumps(exported)  # plain JSON
    with Store.open(tmp_path / "other.sqlite", placer=placer) as other:
        other.add_patient(Patient(given_name="Someone", family_name="Else", date_of_birth=date(1990, 1, 1)))
        imported = import_record(other, json.dumps(exported))
        assert imported.uid == full.uid and imported.id != full.id
        again = export_record(other, imported.id)
    # Everything comes back as it was, history included, and the import adds itself to the history.
    imported_entry = again["patient"]["history"].pop()
    assert imported_entry["action"] == "imported" and imported_entry["by"] == "T. Tester"
    assert _without_volatile(again) == _without_volatile(exported)
    assert exported["visits"][0]["marks"][1]["history"][-1]["action"] == "deleted"


def test_import_of_the_same_patient_twice_is_refused(store, full):
    data = export_record(store, full.id)
    with pytest.raises(RecordsError, match="already in these records"):
        import_record(store, data)


def test_export_file_is_atomic_and_private(tmp_path, store, full):
    out = export_file(store, full.id, tmp_path / "ann.json", "json")
    assert json.loads(out.read_text())["patient"]["family_name"] == "Lee"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".ann")] == []  # no temporary left
    csv_out = export_file(store, full.id, tmp_path / "ann.csv", "csv", visit_number=1)
    assert csv_out.read_text().count("\n") == 2
    with pytest.raises(RecordsError, match="unknown export format 'pdf'"):
        export_file(store, full.id, tmp_path / "ann.pdf", "pdf")


def _break(data, path, value):
    """Set data[path] = value, where path is like 'visits.0.marks.0.findings.tenderness'."""
    data = copy.deepcopy(data)
    *parents, last = path.split(".")
    node = data
    for p in parents:
        node = node[int(p)] if isinstance(node, list) else node[p]
    if value is DELETE:
        del node[last]
    else:
        node[int(last) if isinstance(node, list) else last] = value
    return data


DELETE = object()


@pytest.mark.parametrize(
    "path, value, message",
    [
        ("format", "something-else", "the file: format must be 'bodymap-record'"),
        ("version", 4, "the file: version is 4; this bodymap reads versions 1, 2, 3"),
        ("patient.given_name", DELETE, "patient: given_name is missing"),
        ("patient.date_of_birth", "01/05/1980", "patient: date_of_birth must be a date like 2024-03-01"),
        ("patient.shoe_size", 42, "patient: 'shoe_size' is not a field of a bodymap record"),
        ("visits.0.pain_before", 11, "visit 1: pain before must be a whole number from 0 to 10, got 11"),
        ("visits.0.visited_on", "1975-01-01", "visit 1: visited_on 1975-01-01 is before the date of birth"),
        (
            "visits.1.marks.0.findings.tenderness",
            -1,
            "visit 2, mark 1, findings: tenderness must be a whole number from 0 to 10, got -1",
        ),
        ("visits.0.marks.0.x", 0.6, "visit 1, mark 1: the point (0.600,"),
        (
            "visits.0.marks.0.side",
            "left",
            "visit 1, mark 1: side says 'left' but the point lies on the patient's right",
        ),
        (
            "visits.0.marks.0.treatment.depth_mm",
            "deep",
            "visit 1, mark 1, treatment: depth_mm must be a number",
        ),
        (
            "visits.1.drawings.0.areas.front",
            {"type": "Point", "coordinates": [0, 0.5]},
            "visit 2, drawing 1, areas: front must be a GeoJSON Polygon or MultiPolygon, got Point",
        ),
        (
            "visits.1.drawings.0.areas.front",
            {"type": "Polygon", "coordinates": [[[0.5, 0.5], [0.6, 0.5], [0.6, 0.6]]]},
            "visit 2, drawing 1, areas: the drawing does not cover any part of the body",
        ),
        ("visits.1.drawings.0.symptom", "itch", "visit 2, drawing 1: symptom must be one of pain"),
        (
            "visits.1.after.soreness_hours",
            -5,
            "visit 2, after-effects: soreness duration must be from 0 to 720 hours",
        ),
        ("screens.0.anticoagulant", 1, "screen 1: anticoagulant must be true or false, got 1"),
        ("consents", {}, "the file: consents must be a list"),
    ],
)
def test_malformed_import_names_the_problem_and_imports_nothing(
    tmp_path, store, full, placer, path, value, message
):
    data = _break(export_record(store, full.id), path, value)
    target = tmp_path / "target.sqlite"
    with Store.open(target, placer=placer) as other:
        other.add_patient(Patient(given_name="Someone", family_name="Else", date_of_birth=date(1990, 1, 1)))
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    with Store.open(target, placer=placer) as other:
        with pytest.raises(MalformedImport) as info:
            import_record(other, data)
        assert [p.given_name for p in other.patients(include_deleted=True)] == ["Someone"]
    text = str(info.value)
    assert message in text, text
    assert text.endswith("nothing was imported") and "\n" not in text
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before


def test_a_failure_while_writing_rolls_everything_back(tmp_path, store, full, placer, monkeypatch):
    # Everything checks out, then the database fails half-way through: the transaction leaves nothing.
    data = export_record(store, full.id)
    with Store.open(tmp_path / "t.sqlite", placer=placer) as other:
        import bodymap.core.records.rows as rows

        real = rows.drawing_row
        calls = []

        def failing(d):
            calls.append(d)
            if len(calls) == 2:
                return {**real(d), "symptom": "not-a-symptom"}  # the CHECK constraint refuses it
            return real(d)

        monkeypatch.setattr(rows, "drawing_row", failing)
        with pytest.raises(RecordsError):
            import_record(other, data)
        monkeypatch.undo()
        assert other.patients(include_deleted=True) == []
        assert len(calls) == 2


def test_not_json_at_all(tmp_path, store):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"format": "bodymap-record", "version": 1,, }')
    with pytest.raises(
        MalformedImport,
        match=r"not valid JSON \(Expecting property name enclosed in double quotes "
        r"at line 1, column 43\); nothing was imported",
    ):
        import_record(store, bad)
    bad.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(MalformedImport, match="nothing was imported"):
        import_record(store, bad)
    with pytest.raises(MalformedImport, match="the file: must be an object, got a list"):
        import_record(store, "[1, 2]")
    with pytest.raises(MalformedImport, match="cannot be read"):
        import_record(store, tmp_path / "missing.json")
    assert store.patients(include_deleted=True) == []


def test_a_line_break_in_a_note_cannot_start_a_row_or_a_formula(store, visit):
    # Issue 10: a note "ok\r=cmd|' /C calc'!A0" was written unquoted: a spreadsheet read a third row
    # that started with a formula.
    m = store.add_mark(visit.id, "back", *inside("back", "infraspinous", "right"))
    store.update_mark(m.id, notes="ok\r=cmd|' /C calc'!A0")
    store.add_mark(visit.id, "back", *inside("back", "infraspinous", "left"), Findings(notes="@SUM(1)\nx"))
    text = marks_csv(store, visit.patient_id)
    assert "\"ok\r=cmd|' /C calc'!A0\"" in text  # quoted: the line break stays inside its cell
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == 2
    assert rows[0]["notes"] == "ok\r=cmd|' /C calc'!A0" and rows[1]["notes"] == "'@SUM(1)\nx"
    assert text.endswith("\r\n") and text.count("\r\n") == 3  # RFC 4180 rows


def test_drawings_round_trip_byte_for_byte(tmp_path, store, visit, placer):
    # A drawing exported, imported and exported again used to change (1,871 -> 1,869 polygons).
    import numpy as np
    from shapely.geometry import Polygon

    x, y = inside("back", "infraspinous", "right")
    t = np.linspace(0, 4 * np.pi, 10_000, endpoint=False)
    r = 0.04 + 0.01 * np.sin(t * 37 / 2) + 0.004 * (t > 2 * np.pi)  # a wobbly lasso, drawn twice round
    store.add_drawing(
        Drawing(
            visit_id=visit.id,
            symptom="ache",
            areas={"back": Polygon(np.c_[x + r * np.cos(t), y + r * np.sin(t)])},
        )
    )
    first = export_record(store, visit.patient_id)
    with Store.open(tmp_path / "other.sqlite", placer=placer) as other:
        again = export_record(other, import_record(other, json.dumps(first)).id)
    with Store.open(tmp_path / "third.sqlite", placer=placer) as third:
        third_time = export_record(third, import_record(third, json.dumps(again)).id)
    dump = [json.dumps(x["visits"][0]["drawings"], sort_keys=True) for x in (first, again, third_time)]
    assert dump[0] == dump[1] == dump[2]
