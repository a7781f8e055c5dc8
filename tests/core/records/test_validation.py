"""Impossible values are refused with a clear message, and nothing is written."""

from datetime import date, timedelta

import pytest
from shapely.geometry import box

from bodymap.core.records import (
    AfterEffects,
    Consent,
    Drawing,
    Findings,
    InvalidValue,
    NotFound,
    Patient,
    RecordsError,
    Screen,
    Visit,
)

from .conftest import inside


def _count(store, kind, parent_id):
    return len(
        {"visit": store.visits, "mark": store.marks, "drawing": store.drawings}[kind](
            parent_id, include_deleted=True
        )
    )


def test_errors_are_value_errors():
    assert issubclass(InvalidValue, RecordsError) and issubclass(RecordsError, ValueError)
    assert issubclass(NotFound, RecordsError)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"pain_before": 11}, "pain before must be a whole number from 0 to 10, got 11"),
        ({"pain_after": -1}, "pain after must be a whole number from 0 to 10, got -1"),
        ({"pain_before": 5.5}, "pain before must be a whole number from 0 to 10, got 5.5"),
        ({"pain_before": True}, "pain before must be a whole number from 0 to 10, got true"),
        ({"visited_on": date.today() + timedelta(days=30)}, "is in the future"),
        ({"visited_on": "2024-03-01"}, "visit date must be a date"),
    ],
)
def test_visit_values(kwargs, message):
    with pytest.raises(InvalidValue, match=message.replace("(", r"\(")):
        Visit(**{"patient_id": 1, "visited_on": date(2024, 3, 1), **kwargs})


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"tenderness": -1}, "tenderness must be a whole number from 0 to 10, got -1"),
        ({"tenderness": 11}, "tenderness must be a whole number from 0 to 10, got 11"),
        ({"ppt_kpa": 0}, "pressure-pain threshold must be more than 0 to 2000 kPa, got 0"),
        ({"ppt_kpa": 5000}, "pressure-pain threshold must be more than 0 to 2000 kPa, got 5000"),
        ({"status": "dormant"}, "status must be one of active, latent, got 'dormant'"),
        ({"twitch": "yes"}, "local twitch response must be yes or no"),
    ],
)
def test_finding_values(kwargs, message):
    with pytest.raises(InvalidValue, match=message):
        Findings(**kwargs)


def test_patient_values():
    with pytest.raises(InvalidValue, match="given name is required"):
        Patient(given_name="  ", family_name="Lee", date_of_birth=date(1980, 1, 1))
    with pytest.raises(InvalidValue, match="date of birth .* is in the future"):
        Patient(given_name="A", family_name="Lee", date_of_birth=date.today() + timedelta(days=10))
    with pytest.raises(InvalidValue, match="date of birth 1850-01-01 is before 1900"):
        Patient(given_name="A", family_name="Lee", date_of_birth=date(1850, 1, 1))
    with pytest.raises(InvalidValue, match="sex must be one of female, male, other, unknown"):
        Patient(given_name="A", family_name="Lee", date_of_birth=date(1980, 1, 1), sex="f")
    assert Patient(given_name=" Ann ", family_name="Lee", date_of_birth=date(1980, 1, 1)).given_name == "Ann"


def test_after_effect_values():
    with pytest.raises(InvalidValue, match="soreness duration must be from 0 to 720 hours, got -2"):
        AfterEffects(soreness=True, soreness_hours=-2)
    with pytest.raises(InvalidValue, match="no soreness is recorded"):
        AfterEffects(soreness=False, soreness_hours=24)
    assert AfterEffects(soreness=True, soreness_hours=36, bruising=True).present == ("soreness", "bruising")


def test_drawing_values():
    with pytest.raises(InvalidValue, match="symptom must be one of pain, ache"):
        Drawing(visit_id=1, symptom="itch", areas={"front": box(0, 0.5, 0.01, 0.51)})
    with pytest.raises(InvalidValue, match="intensity must be a whole number from 0 to 10, got 12"):
        Drawing(visit_id=1, symptom="pain", intensity=12, areas={"front": box(0, 0.5, 0.01, 0.51)})
    with pytest.raises(InvalidValue, match="at least one view"):
        Drawing(visit_id=1, symptom="pain", areas={})
    with pytest.raises(InvalidValue, match="view must be one of front, back, plantar, head, got 'side'"):
        Drawing(visit_id=1, symptom="pain", areas={"side": box(0, 0.5, 0.01, 0.51)})


def test_visit_before_birth_is_refused(store, patient):
    with pytest.raises(InvalidValue, match="visit date 1979-12-31 is before the date of birth 1980-05-01"):
        store.add_visit(Visit(patient_id=patient.id, visited_on=date(1979, 12, 31)))
    assert store.visits(patient.id, include_deleted=True) == []


def test_screen_and_consent_before_birth_are_refused(store, patient):
    with pytest.raises(InvalidValue, match="screen date 1970-01-01 is before the date of birth"):
        store.add_screen(Screen(patient_id=patient.id, screened_on=date(1970, 1, 1)))
    with pytest.raises(InvalidValue, match="consent date 1970-01-01 is before the date of birth"):
        store.add_consent(Consent(patient_id=patient.id, consented_on=date(1970, 1, 1)))


def test_moving_birth_after_a_visit_is_refused(store, patient, visit):
    with pytest.raises(InvalidValue, match="date of birth 2025-01-01 is after a visit on 2024-03-01"):
        store.update_patient(patient.id, date_of_birth=date(2025, 1, 1))
    assert store.patient(patient.id).date_of_birth == date(1980, 5, 1)


def test_visit_edit_before_birth_is_refused(store, visit):
    with pytest.raises(InvalidValue, match="before the date of birth"):
        store.update_visit(visit.id, visited_on=date(1960, 1, 1))
    assert store.visit(visit.id).visited_on == date(2024, 3, 1)


def test_point_outside_the_body_is_refused(store, visit):
    with pytest.raises(
        InvalidValue, match=r"the point \(0.500, 0.500\) is outside the body on the front view"
    ):
        store.add_mark(visit.id, "front", 0.5, 0.5)
    with pytest.raises(InvalidValue, match="unknown view 'side'"):
        store.add_mark(visit.id, "side", 0.0, 0.5)
    with pytest.raises(InvalidValue, match="must be a number"):
        store.add_mark(visit.id, "front", float("nan"), 0.5)
    assert store.marks(visit.id, include_deleted=True) == []


def test_moving_a_mark_off_the_body_is_refused(store, visit):
    x, y = inside("front", "pectoral", "right")
    mark = store.add_mark(visit.id, "front", x, y)
    with pytest.raises(InvalidValue, match="outside the body"):
        store.move_mark(mark.id, 0.6, 0.9)
    assert store.mark(mark.id) == mark


def test_impossible_findings_leave_the_mark_as_it_was(store, visit):
    x, y = inside("back", "suprascapular", "left")
    mark = store.add_mark(visit.id, "back", x, y, Findings(tenderness=4))
    with pytest.raises(InvalidValue, match="tenderness must be a whole number from 0 to 10, got -1"):
        store.update_mark(mark.id, tenderness=-1)
    with pytest.raises(InvalidValue, match="a mark has no finding colour"):
        store.update_mark(mark.id, colour="red")
    assert store.mark(mark.id).findings.tenderness == 4


def test_a_drawing_off_the_body_is_refused(store, visit):
    with pytest.raises(InvalidValue, match="does not cover any part of the body"):
        store.add_drawing(
            Drawing(visit_id=visit.id, symptom="pain", areas={"front": box(0.5, 0.5, 0.6, 0.6)})
        )


def test_unknown_records(store, visit):
    with pytest.raises(NotFound, match="there is no visit with id 999"):
        store.add_mark(999, "front", *inside("front", "pectoral", "right"))
    with pytest.raises(NotFound, match="there is no mark with id 5"):
        store.delete("mark", 5)
    with pytest.raises(InvalidValue, match="unknown kind of record 'marks'"):
        store.delete("marks", 1)
    with pytest.raises(InvalidValue, match="a patient has no editable uid"):
        store.update_patient(1, uid="x")
