"""Treated points (how a mark was needled), the visit's steps and the course plan, in the core."""

import csv
import io
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bodymap.core.records import Findings, InvalidValue, Needle, Plan, Treatment, Visit
from bodymap.core.records import commands as cmd
from bodymap.core.records.editing import new_treatment
from bodymap.core.records.exchange import export_record, marks_csv
from bodymap.core.records.importing import import_record
from bodymap.core.records.metrics import course_of_care, course_review
from bodymap.core.records.steps import visit_steps
from bodymap.core.settings import Settings

from .conftest import inside


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"depth_mm": 0}, "depth must be more than 0 to 150 mm, got 0"),
        (
            {"depth_mm": 40, "needle": Needle(0.25, 30)},
            r"depth 40 mm is more than the needle's length \(30 mm\)",
        ),
        ({"technique": "twirling"}, "technique must be one of static, pistoning, other"),
        ({"passes": 5}, "passes are counted only for pistoning"),
        ({"technique": "pistoning", "passes": 0}, "passes must be a whole number from 1 to 100"),
        ({"twitches": -1}, "twitch responses must be a whole number from 0 to 100"),
        ({"twitches": True}, "twitch responses must be a whole number"),
        ({"responses": ("faint",)}, "patient response must be one of"),
        ({"responses": "bleeding"}, "patient responses must be a list"),
        ({"minutes": 90}, "time in must be from 0 to 60 minutes, got 90"),
        ({"familiar_pain": "yes"}, "familiar pain reproduced must be yes or no"),
    ],
)
def test_impossible_treatments_are_refused_with_the_reason(kwargs, message):
    with pytest.raises(InvalidValue, match=message):
        Treatment(**kwargs)


def test_responses_keep_one_order_without_repeats():
    t = Treatment(responses=["unusual_pain", "vasovagal", "unusual_pain"])
    assert t.responses == ("vasovagal", "unusual_pain")


@pytest.mark.parametrize(
    ("text", "needle"),
    [("0.25 × 30 mm", Needle(0.25, 30)), ("0.3x50", Needle(0.30, 50)), (" 0,16 X 15mm ", Needle(0.16, 15))],
)
def test_needles_are_read_as_clinics_write_them(text, needle):
    assert Needle.parse(text) == needle and Needle.parse(needle.label) == needle


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_any_text_is_a_needle_or_a_one_line_reason(text):
    try:
        needle = Needle.parse(text)
    except InvalidValue as exc:
        assert "\n" not in str(exc)
    else:
        assert Needle.parse(needle.label) == needle


@settings(max_examples=100, deadline=None)
@given(st.floats(0.10, 0.50), st.floats(5, 150))
def test_every_needle_label_reads_back(gauge, length):
    needle = Needle(round(gauge, 2), round(length))
    assert Needle.parse(needle.label) == needle


def test_a_treated_point_is_recorded_undone_and_redone(store, visit):
    mark = store.add_mark(
        visit.id, "back", *inside("back", "suprascapular", "right"), Findings(status="active")
    )
    treat = cmd.TreatMark(mark.id, Treatment(needle=Needle(0.25, 30), depth_mm=15, technique="static"))
    treat.do(store)
    assert store.mark(mark.id).needled and store.mark(mark.id).treatment.depth_mm == 15
    treat.undo(store)
    assert store.mark(mark.id).treatment is None and not store.mark(mark.id).needled
    treat.do(store)
    assert store.mark(mark.id).treatment.needle == Needle(0.25, 30)


def test_a_new_treated_point_starts_from_the_last_one(store, visit):
    x, y = inside("back", "suprascapular", "right")
    first = store.add_mark(visit.id, "back", x, y)
    # Nothing needled yet at this visit: the settings' last needle, the nearest trigger point's muscle.
    fresh = new_treatment(store, first.id, Settings(last_needle=Needle(0.30, 40)))
    assert fresh.needle == Needle(0.30, 40) and fresh.muscle == first.trp_muscle and fresh.depth_mm is None
    store.treat_mark(first.id, Treatment(needle=Needle(0.25, 30), technique="pistoning", passes=5))
    second = store.add_mark(visit.id, "back", x + 0.01, y)
    again = new_treatment(store, second.id, Settings(last_needle=Needle(0.30, 40)))
    assert (again.needle, again.technique, again.passes) == (Needle(0.25, 30), "pistoning", 5)


def test_the_four_steps_say_what_is_missing_and_never_block(store, patient, visit):
    record = store.record(patient.id)
    steps = {s.name: s for s in visit_steps(record, record.visits[0])}
    assert steps["Assessment"].missing == ("marks", "pain drawing")  # pain before is recorded
    assert "precaution screen" in steps["Preparation"].missing
    assert steps["Insertion"].missing == ("treated points",)
    assert steps["Post-treatment"].missing == (
        "pain after",
        "immediate reactions",
        "aftercare advice",
        "next visit",
    )
    mark = store.add_mark(visit.id, "back", *inside("back", "suprascapular", "right"))
    store.treat_mark(mark.id, Treatment(needle=Needle(0.25, 30)))
    store.update_visit(
        visit.id,
        pain_after=3,
        reactions="none",
        advice_given=True,
        next_visit=date(2024, 3, 8),
        positioned=True,
    )
    record = store.record(patient.id)
    steps = {s.name: s for s in visit_steps(record, record.visits[0])}
    assert steps["Insertion"].missing == ("depth of point 1", "technique of point 1")
    assert steps["Post-treatment"].complete
    assert "needle chosen" in steps["Preparation"].done and "positioning" in steps["Preparation"].done


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"next_visit": date(2024, 3, 1)}, "next visit 2024-03-01 is not after this visit"),
        ({"next_visit": date(2025, 6, 1)}, "more than a year after this visit"),
        ({"positioned": "yes"}, "patient positioned must be yes or no"),
    ],
)
def test_visit_steps_refuse_impossible_values(store, visit, changes, message):
    with pytest.raises(InvalidValue, match=message):
        store.update_visit(visit.id, **changes)


def test_the_next_visit_may_be_in_the_future():
    today = date.today()
    visit = Visit(patient_id=1, visited_on=today, next_visit=today + timedelta(days=300))
    assert visit.next_visit > today


def test_a_course_plan_is_reviewed_against_the_first_visit(store, patient, visit):
    plan = store.add_plan(
        Plan(patient_id=patient.id, planned_on=date(2024, 3, 1), visits=2, goal="Sleep on my side")
    )
    review = course_review(course_of_care(store, patient.id), store.plans(patient.id))
    assert review.plan == plan and review.progress == "Visit 1 of 2" and not review.due
    assert review.comparison() == []  # one visit: nothing to compare yet
    store.add_visit(Visit(patient_id=patient.id, visited_on=date(2024, 3, 8), pain_before=2))
    review = course_review(course_of_care(store, patient.id), store.plans(patient.id))
    assert review.due and review.progress == "Visit 2 of 2"
    assert review.comparison()[0] == ("Pain before treatment", "6/10", "2/10")
    cmd.UpdatePlan(plan.id, visits=4).do(store)
    assert (
        course_review(course_of_care(store, patient.id), store.plans(patient.id)).progress == "Visit 2 of 4"
    )


def test_plans_and_treatments_travel_in_the_json_and_csv(store, patient, visit, tmp_path, placer):
    from bodymap.core.records import Store

    store.add_plan(Plan(patient_id=patient.id, planned_on=date(2024, 3, 1), visits=6, goal="Turn my head"))
    mark = store.add_mark(visit.id, "back", *inside("back", "suprascapular", "right"))
    treatment = Treatment(
        muscle="upper_trapezius",
        needle=Needle(0.30, 40),
        depth_mm=35,
        technique="pistoning",
        passes=8,
        twitches=2,
        familiar_pain=True,
        responses=("vasovagal",),
        minutes=1,
        notes="pincer grip",
    )
    store.treat_mark(mark.id, treatment)
    store.update_visit(visit.id, needle=Needle(0.25, 30), next_visit=date(2024, 3, 8), reactions="none")
    exported = export_record(store, patient.id)
    m = exported["visits"][0]["marks"][0]
    assert m["treatment"]["depth_mm"] == 35 and m["treatment"]["needle"]["label"] == "0.30 × 40 mm"
    assert any(w["kind"] == "depth" for w in m["needling_warnings"])  # 35 mm > 30 mm in upper trapezius
    with Store.open(tmp_path / "other.sqlite", placer=placer) as other:
        copy = other.record(import_record(other, exported).id)
        assert copy.visits[0].marks[0].treatment == treatment
        assert copy.visits[0].visit.next_visit == date(2024, 3, 8) and copy.plans[0].goal == "Turn my head"
    (cell,) = csv.DictReader(io.StringIO(marks_csv(store, patient.id)))
    assert (cell["needled"], cell["needle_gauge_mm"], cell["depth_mm"], cell["technique"]) == (
        "yes",
        "0.3",
        "35",
        "pistoning",
    )
    assert (cell["passes"], cell["twitches"], cell["responses"], cell["minutes_in"]) == (
        "8",
        "2",
        "vasovagal",
        "1",
    )


def test_a_version_1_file_needled_mark_imports_as_a_treated_point(store, patient, visit, tmp_path, placer):
    from bodymap.core.records import Store

    store.add_mark(visit.id, "back", *inside("back", "suprascapular", "right"), treatment=Treatment())
    exported = export_record(store, patient.id)
    exported["version"] = 1
    exported.pop("plans")
    _without_history(exported)
    v = exported["visits"][0]
    for key in ("positioned", "skin_prepared", "needle", "reactions", "advice_given", "next_visit"):
        v.pop(key)
    mark = v["marks"][0]
    mark.pop("treatment")
    mark["findings"]["needled"] = True
    with Store.open(tmp_path / "old.sqlite", placer=placer) as other:
        copy = other.record(import_record(other, exported).id)
        assert copy.visits[0].marks[0].treatment == Treatment()


def _without_history(data):
    """A version 3 export made a version 1 one: no item carries its history."""
    if isinstance(data, dict):
        data.pop("history", None)
        for v in data.values():
            _without_history(v)
    elif isinstance(data, list):
        for v in data:
            _without_history(v)


def test_a_new_visit_is_by_the_therapist_recording_it(store, patient, visit):
    # The window's therapist (its settings) sees the patient today; without one, the last visit's.
    from bodymap.core.records.editing import new_visit

    store.update_visit(visit.id, therapist="J. Brown")
    assert new_visit(store, patient.id, date.today(), "K. Green").therapist == "K. Green"
    assert new_visit(store, patient.id, date.today()).therapist == "J. Brown"
    assert new_visit(store, patient.id, date.today()).after is not None  # after-effects are asked
