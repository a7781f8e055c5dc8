"""Patients, screens, consents, visits, marks and drawings through the store; find as you type; soft
delete."""

from datetime import date

import pytest
from shapely.geometry import box

from bodymap.core.chart.frame import side_of
from bodymap.core.records import (
    AfterEffects,
    Change,
    Consent,
    Drawing,
    Findings,
    Patient,
    Screen,
    Store,
    Visit,
)

from .conftest import disc, inside, region


def _patient(store, given, family, born=date(1970, 1, 1)):
    return store.add_patient(Patient(given_name=given, family_name=family, date_of_birth=born))


def test_patient_round_trip(store):
    p = store.add_patient(
        Patient(
            given_name="Ann",
            family_name="Lee",
            date_of_birth=date(1980, 5, 1),
            sex="female",
            contact="ann@example.org",
            notes="prefers mornings",
        )
    )
    assert p.id and len(p.uid) == 32 and p.created_at == p.updated_at
    assert store.patient(p.id) == p
    edited = store.update_patient(p.id, contact="+44 20 7946 0000", notes="")
    assert edited.contact == "+44 20 7946 0000" and edited.updated_at >= p.updated_at
    assert store.patient(p.id) == edited


def test_find_as_you_type(store):
    ann = _patient(store, "Ann", "Lee")
    jons = _patient(store, "Jöns", "Ångström")
    obrien = _patient(store, "Siobhán", "O'Brien-Murphy")
    mary = _patient(store, "Mary Ann", "van der Berg")
    found = lambda text: [p.id for p in store.find_patients(text)]  # noqa: E731
    # Sorted by family name, accents aside: Ångström, Lee, van der Berg.
    assert found("a") == [jons.id, ann.id, mary.id]
    assert found("AN") == [jons.id, ann.id, mary.id]
    assert found("jo") == [jons.id]  # accents do not matter...
    assert found("JÖN") == [jons.id]  # ...either way
    assert found("angst") == [jons.id]
    assert found("obr") == [obrien.id]  # the apostrophe joins
    assert found("o'b") == [obrien.id]
    assert found("murph") == [obrien.id]  # a hyphen separates
    assert found("siob") == [obrien.id]
    assert found("berg") == [mary.id]
    assert found("ann lee") == [ann.id]  # every word must match
    assert found("lee ann") == [ann.id]
    assert found("ann b") == [mary.id]
    assert found("nn") == []  # prefixes of words, not any substring
    assert found("%") == [p.id for p in store.patients()]  # LIKE's wildcards are not searched for
    assert found("") == [p.id for p in store.patients()]


def test_find_leaves_out_deleted_patients_and_honours_the_limit(store):
    ids = [_patient(store, f"Sam{i}", "Smith").id for i in range(5)]
    store.delete("patient", ids[0])
    assert [p.id for p in store.find_patients("sam")] == ids[1:]
    assert len(store.find_patients("smi", limit=2)) == 2
    assert [p.id for p in store.patients(include_deleted=True)] == ids


def test_screens_and_consents_are_dated_history(store, patient):
    store.add_screen(Screen(patient_id=patient.id, screened_on=date(2024, 1, 5)))
    later = store.add_screen(
        Screen(
            patient_id=patient.id,
            screened_on=date(2024, 3, 1),
            anticoagulant=True,
            other="pacemaker check due",
        )
    )
    assert store.latest_screen(patient.id) == later
    assert later.precautions == ("anticoagulant or antiplatelet medication", "pacemaker check due")
    assert len(store.screens(patient.id)) == 2
    given = store.add_consent(Consent(patient_id=patient.id, consented_on=date(2024, 3, 1)))
    assert store.latest_consent(patient.id) == given
    withdrawn = store.add_consent(
        Consent(
            patient_id=patient.id, consented_on=date(2024, 4, 1), given=False, notes="prefers manual therapy"
        )
    )
    assert store.latest_consent(patient.id) == withdrawn
    assert store.latest_screen(999) is None


def test_visits_in_order_of_care(store, patient):
    second = store.add_visit(Visit(patient_id=patient.id, visited_on=date(2024, 3, 8)))
    first = store.add_visit(Visit(patient_id=patient.id, visited_on=date(2024, 3, 1)))
    assert [v.id for v in store.visits(patient.id)] == [first.id, second.id]
    after = AfterEffects(soreness=True, soreness_hours=36, bruising=True, other="headache that evening")
    edited = store.update_visit(second.id, after=after, pain_after=3, complaint="neck pain, better")
    assert store.visit(second.id) == edited and edited.after == after
    assert store.visit(first.id).after is None


def test_a_mark_knows_where_it_is(store, visit):
    # Patient's right pectoral region on the front view lies at x < 0 (the viewer's left).
    x, y = inside("front", "pectoral", "right")
    assert x < 0
    mark = store.add_mark(
        visit.id, "front", x, y, Findings(status="active", tenderness=6, familiar_pain=True)
    )
    assert (mark.view, mark.side, mark.region_id) == ("front", "right", "pectoral")
    assert mark.trp_muscle and mark.trp_side == "right" and mark.trp_distance >= 0
    assert mark.trp_distance_cm == pytest.approx(mark.trp_distance * 170)
    assert store.mark(mark.id) == mark
    # On the back, the patient's right is x > 0.
    bx, by = inside("back", "infraspinous", "right")
    assert bx > 0 and store.add_mark(visit.id, "back", bx, by).side == "right"


def test_nearest_trigger_point_is_the_atlas_one_under_the_finger(store, visit, placer):
    trp = next(t for t in placer.atlas.trigger_points("left") if t.muscle == "infraspinatus")
    mark = store.add_mark(visit.id, trp.view, trp.point[0] + 0.001, trp.point[1])
    assert (mark.trp_muscle, mark.trp_id, mark.trp_side) == ("infraspinatus", trp.id, "left")
    assert mark.trp_distance == pytest.approx(0.001, abs=1e-9)
    assert mark.side == "left" == side_of(trp.view, trp.point[0])


def test_moving_a_mark_updates_where_it_is(store, visit):
    mark = store.add_mark(visit.id, "back", *inside("back", "infraspinous", "right"), Findings(tenderness=3))
    moved = store.move_mark(mark.id, *inside("back", "infraspinous", "left"))
    assert moved.side == "left" and moved.trp_side == "left" and moved.findings == mark.findings
    assert store.mark(mark.id) == moved


def test_soft_delete_and_restore(store, visit):
    mark = store.add_mark(visit.id, "front", *inside("front", "pectoral", "left"))
    store.delete("mark", mark.id)
    assert store.marks(visit.id) == []
    kept = store.marks(visit.id, include_deleted=True)
    assert [m.id for m in kept] == [mark.id] and kept[0].deleted_at is not None
    store.restore("mark", mark.id)
    assert store.marks(visit.id) == [mark]


def test_drawings_are_clipped_to_the_body(store, visit, placer):
    outline = placer.body["front"].outline
    big = box(-0.5, 0.0, 0.5, 1.0)  # the whole front view and beyond
    d = store.add_drawing(
        Drawing(
            visit_id=visit.id,
            symptom="ache",
            intensity=4,
            areas={"front": big, "back": disc(*inside("back", "lumbar", "left"))},
        )
    )
    assert d.areas["front"].geom_type == "MultiPolygon"
    assert d.areas["front"].area == pytest.approx(outline.area, rel=1e-5)
    assert store.drawing(d.id) == d
    assert list(store.drawings(visit.id)) == [d]
    # A view drawn entirely off the body is dropped; the rest stays.
    d2 = store.add_drawing(
        Drawing(
            visit_id=visit.id,
            symptom="tingling",
            areas={"front": box(0.5, 0.5, 0.6, 0.6), "plantar": placer.body["plantar"].outline},
        )
    )
    assert set(d2.areas) == {"plantar"}
    edited = store.update_drawing(d2.id, intensity=2, areas={"back": disc(*inside("back", "calf", "right"))})
    assert set(edited.areas) == {"back"} and store.drawing(d2.id) == edited


def test_every_change_is_announced_after_it_is_committed(location, store, patient, visit):
    seen = []
    other = Store.open(location)  # what a subscriber sees must already be readable by anyone

    def check(change):
        seen.append(change)
        if change.kind == "mark":
            assert other.mark(change.ids[0]) is not None

    unsubscribe = store.subscribe(check)
    mark = store.add_mark(visit.id, "front", *inside("front", "pectoral", "right"))
    store.update_mark(mark.id, tenderness=5)
    store.delete("mark", mark.id)
    d = store.add_drawing(
        Drawing(
            visit_id=visit.id, symptom="pain", areas={"front": region("front", "pectoral", "right").geometry}
        )
    )
    store.update_patient(patient.id, notes="x")
    unsubscribe()
    store.update_patient(patient.id, notes="y")
    assert seen == [Change("mark", (mark.id,))] * 3 + [
        Change("drawing", (d.id,)),
        Change("patient", (patient.id,)),
    ]
    other.close()


def test_a_failing_subscriber_does_not_stop_the_others(store, patient):
    seen = []
    store.subscribe(lambda change: 1 / 0)
    store.subscribe(seen.append)
    store.update_patient(patient.id, notes="x")
    assert seen == [Change("patient", (patient.id,))]


def test_whole_record(store, patient, visit):
    store.add_screen(Screen(patient_id=patient.id, screened_on=date(2024, 3, 1)))
    m1 = store.add_mark(visit.id, "front", *inside("front", "pectoral", "right"))
    m2 = store.add_mark(visit.id, "front", *inside("front", "pectoral", "left"))
    store.delete("mark", m2.id)
    record = store.record(patient.id)
    assert record.patient == patient and len(record.screens) == 1
    assert [m.id for m in record.visits[0].marks] == [m1.id, m2.id]  # deleted ones too, marked so
    assert record.visits[0].marks[1].deleted_at is not None


def test_integrity_check(store, patient):
    assert store.integrity_problems() == []
