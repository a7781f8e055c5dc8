"""Needling over a hazard, or for a patient with a precaution, gives warnings (never a block)."""

from datetime import date

from bodymap.core.atlas import load_atlas
from bodymap.core.atlas.hazards import hazards_at
from bodymap.core.records import Consent, Findings, Screen, Treatment
from bodymap.core.records.safety import needling_warnings, warnings_for_mark

ATLAS = load_atlas()


def _in_zone(hazard_id, side, view):
    p = ATLAS.hazards[hazard_id].zones[side][view].representative_point()
    return p.x, p.y


def _clear_point(store, visit):
    """A point on the back of the right forearm, under no hazard."""
    from .conftest import inside

    x, y = inside("back", "dorsal_forearm", "right")
    assert hazards_at(ATLAS.hazards.values(), "back", x, y) == []
    return x, y


def test_needling_over_the_lung_apex_warns_of_pneumothorax(store, visit):
    x, y = _in_zone("lung_apex", "right", "front")
    mark = store.add_mark(visit.id, "front", x, y, treatment=Treatment())
    store.add_screen(Screen(patient_id=visit.patient_id, screened_on=date(2024, 3, 1)))
    store.add_consent(Consent(patient_id=visit.patient_id, consented_on=date(2024, 3, 1)))
    warnings = warnings_for_mark(store, mark.id, ATLAS)
    assert [(w.kind, w.id) for w in warnings if w.kind == "hazard"][0] == ("hazard", "lung_apex")
    assert all(w.kind == "hazard" for w in warnings)  # screen clear, consent given
    first = warnings[0]
    assert "pneumothorax" in first.message and first.advice
    assert "\n" not in first.message


def test_not_needled_means_no_warning(store, visit):
    x, y = _in_zone("lung_apex", "left", "back")
    mark = store.add_mark(visit.id, "back", x, y, Findings(status="active"))
    assert warnings_for_mark(store, mark.id, ATLAS) == []


def test_precautions_warn_even_away_from_hazards(store, visit):
    mark = store.add_mark(visit.id, "back", *_clear_point(store, visit), treatment=Treatment())
    store.add_consent(Consent(patient_id=visit.patient_id, consented_on=date(2024, 3, 1)))
    store.add_screen(Screen(patient_id=visit.patient_id, screened_on=date(2024, 1, 1)))
    store.add_screen(
        Screen(
            patient_id=visit.patient_id,
            screened_on=date(2024, 3, 1),
            anticoagulant=True,
            pregnancy=True,
            other="cardiac pacemaker",
        )
    )
    warnings = warnings_for_mark(store, mark.id, ATLAS)
    assert [(w.kind, w.id) for w in warnings] == [
        ("precaution", "anticoagulant"),
        ("precaution", "pregnancy"),
        ("precaution", "other"),
    ]
    assert warnings[0].message == "Precaution: anticoagulant or antiplatelet medication (screened 2024-03-01)"
    assert warnings[2].message == "Precaution: cardiac pacemaker (screened 2024-03-01)"


def test_the_latest_screen_counts(store, visit):
    mark = store.add_mark(visit.id, "back", *_clear_point(store, visit), treatment=Treatment())
    store.add_consent(Consent(patient_id=visit.patient_id, consented_on=date(2024, 3, 1)))
    store.add_screen(Screen(patient_id=visit.patient_id, screened_on=date(2024, 1, 1), recent_surgery=True))
    store.add_screen(Screen(patient_id=visit.patient_id, screened_on=date(2024, 3, 1)))
    assert warnings_for_mark(store, mark.id, ATLAS) == []


def test_no_screen_or_consent_on_record_is_a_warning(store, visit):
    mark = store.add_mark(visit.id, "back", *_clear_point(store, visit), treatment=Treatment())
    assert [(w.kind, w.id) for w in warnings_for_mark(store, mark.id, ATLAS)] == [
        ("screen", "missing"),
        ("consent", "missing"),
    ]
    store.add_consent(Consent(patient_id=visit.patient_id, consented_on=date(2024, 3, 1), given=False))
    assert (
        warnings_for_mark(store, mark.id, ATLAS)[-1].message
        == "Consent to dry needling was withdrawn on 2024-03-01"
    )


def test_the_pure_function_needs_no_store(store, visit):
    x, y = _in_zone("sciatic_nerve_buttock", "left", "back")
    mark = store.add_mark(visit.id, "back", x, y, treatment=Treatment())
    screen = Screen(patient_id=None, screened_on=date(2024, 3, 1), bleeding_disorder=True)
    consent = Consent(patient_id=None, consented_on=date(2024, 3, 1))
    kinds = [(w.kind, w.id) for w in needling_warnings(mark, screen, consent, ATLAS)]
    assert ("hazard", "sciatic_nerve_buttock") in kinds and ("precaution", "bleeding_disorder") in kinds
