"""The FHIR R4 export: a collection Bundle with the patient's side as SNOMED CT laterality, and the same
bundle every time for the same record."""

import json
from collections import Counter
from datetime import date

import pytest

from bodymap.core.chart.body import load_body
from bodymap.core.records import Drawing, Findings, Needle, NotFound, RecordsError, Treatment, Visit
from bodymap.core.records.fhir import BODY_SITE, CHOIR, UCUM, fhir_bundle
from bodymap.core.records.model import SYMPTOMS

from .conftest import disc, inside, region

BODY = load_body()
RIGHT, LEFT = "24028007", "7771000"


def landmark(view, name, side):
    return BODY[view].landmark(name, side).point


@pytest.fixture
def ann(store, patient):
    """Two visits (and a deleted one), marks on both views and the midline, drawings of every symptom."""
    v1 = store.add_visit(
        Visit(
            patient_id=patient.id,
            visited_on=date(2024, 3, 1),
            therapist="J. Brown",
            complaint="neck pain and headache",
            pain_before=7,
            pain_after=4,
        )
    )
    v2 = store.add_visit(Visit(patient_id=patient.id, visited_on=date(2024, 3, 8), pain_before=3))
    gone = store.add_visit(Visit(patient_id=patient.id, visited_on=date(2024, 3, 5), pain_before=9))
    store.delete("visit", gone.id)
    store.add_mark(
        v1.id,
        "back",
        *landmark("back", "mastoid_process", "right"),
        Findings(
            status="active",
            twitch=True,
            familiar_pain=True,
            tenderness=8,
            ppt_kpa=210.5,
            notes="reproduces the headache",
        ),
        Treatment(needle=Needle(0.25, 30), depth_mm=12, technique="static", minutes=10),
    )
    store.add_mark(v1.id, "back", *landmark("back", "mastoid_process", "left"), Findings(status="latent"))
    store.add_mark(v1.id, "front", *inside("front", "pectoral", "right"), Findings(referral=False))
    deleted = store.add_mark(v1.id, "front", *inside("front", "pectoral", "left"))
    store.delete("mark", deleted.id)
    # On the midline of the forehead, a region with a right and a left half.
    forehead = region("front", "forehead", "right").geometry.representative_point()
    store.add_mark(v2.id, "front", 0.0, forehead.y)
    store.add_drawing(
        Drawing(
            visit_id=v1.id,
            symptom="pain",
            intensity=6,
            areas={"back": region("back", "suprascapular", "right").geometry},
        )
    )
    for symptom in SYMPTOMS:
        store.add_drawing(
            Drawing(
                visit_id=v2.id,
                symptom=symptom,
                intensity=2,
                areas={"front": disc(*inside("front", "volar_forearm_ulnar", "left"))},
            )
        )
    # Deleted, so not in any export (one drawing per symptom and visit: v2 has one of each already).
    scrap = store.add_drawing(Drawing(visit_id=v1.id, symptom="ache", areas={"front": disc(0.0, 0.5)}))
    store.delete("drawing", scrap.id)
    return patient


def resources(bundle, kind=None):
    return [e["resource"] for e in bundle["entry"] if kind is None or e["resource"]["resourceType"] == kind]


def by_url(bundle):
    return {e["fullUrl"]: e["resource"] for e in bundle["entry"]}


def marks(bundle):
    return [o for o in resources(bundle, "Observation") if o["code"]["text"] == "Myofascial trigger point"]


def structure(bundle, concept):
    """The BodyStructure a bodySite (or component value) points at through the bodySite extension."""
    (ext,) = [e for e in concept["extension"] if e["url"] == BODY_SITE]
    return by_url(bundle)[ext["valueReference"]["reference"]]


def laterality(bundle, concept):
    return [c["code"] for q in structure(bundle, concept).get("locationQualifier", []) for c in q["coding"]]


def coded(bundle, system):
    """The Observations whose code has a coding of `system` (LOINC pain scores, SNOMED CT symptoms)."""
    return [
        o
        for o in resources(bundle, "Observation")
        if system in [c["system"] for c in o["code"].get("coding", [])]
    ]


def body_sites(observation):
    parts = observation.get("component", [])
    return [c["valueCodeableConcept"] for c in parts if c["code"]["text"] == "Body site"]


def component(observation, text):
    (c,) = [c for c in observation["component"] if c["code"]["text"] == text]
    return c


def test_a_collection_of_the_live_record(store, ann):
    bundle = fhir_bundle(store, ann.id)
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    counts = Counter(r["resourceType"] for r in resources(bundle))
    # 3 pain scores, 4 marks (one deleted), 1 + 6 drawings (one deleted); the deleted visit is left out.
    assert counts["Patient"] == 1 and counts["Encounter"] == 2
    assert counts["Observation"] == 3 + 4 + 7
    # Sites: 4 mark regions; the CHOIR regions of the suprascapular area and of the forearm disc, once each.
    choir = {s["coding"][0]["code"] for o in resources(bundle, "Observation") for s in body_sites(o)}
    # ...and the muscle of the one treated point, with its Procedure.
    assert counts["BodyStructure"] == 4 + len(choir) + 1 and counts["Procedure"] == 1
    patient = resources(bundle, "Patient")[0]
    assert patient["gender"] == "female" and patient["birthDate"] == "1980-05-01"
    assert patient["name"][0]["family"] == "Lee" and patient["name"][0]["given"] == ["Ann"]
    first = resources(bundle, "Encounter")[0]
    assert first["status"] == "finished" and first["class"]["code"] == "AMB"
    assert first["period"] == {"start": "2024-03-01", "end": "2024-03-01"}
    assert first["reasonCode"] == [{"text": "neck pain and headache"}]


def test_every_reference_is_a_uuid_inside_the_bundle(store, ann):
    bundle = fhir_bundle(store, ann.id)
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(set(urls)) == len(urls) and all(u.startswith("urn:uuid:") for u in urls)
    assert all(e["fullUrl"] == "urn:uuid:" + e["resource"]["id"] for e in bundle["entry"])
    text = json.dumps(bundle)
    refs = [part.split('"')[0] for part in text.split('"reference": "')[1:]]
    assert refs and set(refs) <= set(urls)


def test_laterality_is_the_patients_side_in_snomed(store, ann):
    bundle = fhir_bundle(store, ann.id)
    back_right, back_left, front_right, midline = marks(bundle)
    # On the back view the patient's right is x > 0, on the front view x < 0: both are "right".
    assert landmark("back", "mastoid_process", "right")[0] > 0 and inside("front", "pectoral", "right")[0] < 0
    assert laterality(bundle, back_right["bodySite"]) == [RIGHT]
    assert laterality(bundle, back_left["bodySite"]) == [LEFT]
    assert laterality(bundle, front_right["bodySite"]) == [RIGHT]
    assert laterality(bundle, midline["bodySite"]) == []  # a point on the midline has no side
    # Named, but no CHOIR code: the point lies on the border of the right and left CHOIR regions.
    assert midline["bodySite"]["text"] == region("front", "forehead", "right").name
    assert "coding" not in midline["bodySite"]
    mark = store.marks(store.visits(ann.id)[0].id)[0]
    named = BODY["back"].region(mark.region_id, "right")
    site = back_right["bodySite"]
    assert site["text"] == f"{named.name} (right)"
    assert site["coding"] == [{"system": CHOIR, "code": str(named.choir[0])}]
    assert structure(bundle, site)["location"]["coding"] == site["coding"]


def test_drawings_name_their_choir_regions_with_laterality(store, ann):
    bundle = fhir_bundle(store, ann.id)
    drawing = [o for o in resources(bundle, "Observation") if o["code"]["text"] == "pain"][0]
    expected = str(region("back", "suprascapular", "right").choir[0])
    sites = body_sites(drawing)
    assert expected in [s["coding"][0]["code"] for s in sites]
    assert all(laterality(bundle, s) == [RIGHT] for s in sites)  # all of it on the patient's right
    assert drawing["valueInteger"] == 6 and "(right), back view" in drawing["bodySite"]["text"]
    forearm = [o for o in resources(bundle, "Observation") if o["code"]["text"] == SYMPTOMS["tingling"]][0]
    assert all(laterality(bundle, c["valueCodeableConcept"]) == [LEFT] for c in forearm["component"])


def test_each_symptom_has_its_own_code(store, ann):
    bundle = fhir_bundle(store, ann.id, visit_number=2)
    symptoms = coded(bundle, "http://snomed.info/sct")
    codes = {o["code"]["text"]: o["code"]["coding"][0]["code"] for o in symptoms}
    assert set(codes) == set(SYMPTOMS.values())
    assert len(set(codes.values())) == len(SYMPTOMS)


def test_pain_before_and_after_treatment(store, ann):
    bundle = fhir_bundle(store, ann.id)
    scores = coded(bundle, "http://loinc.org")
    assert {o["code"]["coding"][0]["code"] for o in scores} == {"72514-3"}
    assert [(o["valueInteger"], o["note"][0]["text"], o["effectiveDateTime"]) for o in scores] == [
        (7, "before treatment", "2024-03-01"),
        (4, "after treatment", "2024-03-01"),
        (3, "before treatment", "2024-03-08"),
    ]
    encounters = [e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Encounter"]
    assert [o["encounter"]["reference"] for o in scores] == [encounters[0], encounters[0], encounters[1]]


def test_findings_as_components(store, ann):
    active, latent, front, _ = marks(fhir_bundle(store, ann.id))
    assert component(active, "Trigger point status")["valueCodeableConcept"] == {"text": "active"}
    assert component(active, "Local twitch response")["valueBoolean"] is True
    assert component(active, "Tenderness 0-10")["valueInteger"] == 8
    assert component(active, "Pressure-pain threshold")["valueQuantity"] == {
        "value": 210.5,
        "unit": "kPa",
        "system": "http://unitsofmeasure.org",
        "code": "kPa",
    }
    assert component(active, "Needled")["valueBoolean"] is True
    assert active["note"] == [{"text": "reproduces the headache"}]
    # Not examined is not "no": it is said so, not left out.
    twitch = component(latent, "Local twitch response")
    assert twitch["dataAbsentReason"]["coding"][0]["code"] == "not-performed" and "valueBoolean" not in twitch
    assert component(front, "Referred pain reproduced")["valueBoolean"] is False
    assert component(latent, "Needled")["valueBoolean"] is False


def test_the_same_record_gives_the_same_bundle(store, ann):
    first = fhir_bundle(store, ann.id)
    assert fhir_bundle(store, ann.id) == first
    assert json.dumps(fhir_bundle(store, ann.id), sort_keys=True) == json.dumps(first, sort_keys=True)


def test_one_visit(store, ann):
    bundle = fhir_bundle(store, ann.id, visit_number=1)
    (encounter,) = resources(bundle, "Encounter")
    assert encounter["period"]["start"] == "2024-03-01"
    url = "urn:uuid:" + encounter["id"]
    assert all(o["encounter"]["reference"] == url for o in resources(bundle, "Observation"))
    assert len(resources(bundle, "Observation")) == 2 + 3 + 1
    # The same visit keeps its ids in the whole-record bundle.
    assert encounter in resources(fhir_bundle(store, ann.id), "Encounter")


def test_unknown_patient_or_visit_is_one_clear_line(store, ann):
    with pytest.raises(NotFound) as exc:
        fhir_bundle(store, 999)
    assert str(exc.value) == "there is no patient with id 999"
    with pytest.raises(RecordsError) as exc:
        fhir_bundle(store, ann.id, visit_number=3)
    assert "has no visit 3" in str(exc.value) and "\n" not in str(exc.value)


def test_visit_numbers_fail_as_in_the_json_export(store, ann):
    from bodymap.core.records.exchange import export_record

    for n in (0, 3):
        with pytest.raises(RecordsError) as fhir:
            fhir_bundle(store, ann.id, visit_number=n)
        with pytest.raises(RecordsError) as exported:
            export_record(store, ann.id, visit_number=n)
        assert str(fhir.value) == str(exported.value)


# --- validation against the R4 models (fhir.resources 6.2.1 = FHIR 4.0.1) -------------------------------


def _r4(bundle):
    from fhir.resources import __fhir_version__
    from fhir.resources.bundle import Bundle

    assert __fhir_version__ == "4.0.1"  # R4, not R4B or R5
    return Bundle.parse_obj(bundle)


def test_the_bundle_validates_against_the_r4_models(store, ann):
    parsed = _r4(fhir_bundle(store, ann.id))
    kinds = Counter(e.resource.resource_type for e in parsed.entry)
    assert kinds["Procedure"] == 1 and kinds["Patient"] == 1


def test_a_broken_resource_does_not_validate(store, ann):
    from pydantic import ValidationError

    bundle = fhir_bundle(store, ann.id)
    (procedure,) = resources(bundle, "Procedure")
    procedure["status"] = 42  # a code must be text
    procedure["performedDateTime"] = "last tuesday"
    with pytest.raises(ValidationError):
        _r4(bundle)


def test_one_procedure_per_treated_point_with_muscle_side_needle_depth_and_technique(store, patient):
    v = store.add_visit(Visit(patient_id=patient.id, visited_on=date(2024, 3, 1), therapist="J. Brown"))
    right = BODY["back"].region("suprascapular", "right").geometry.representative_point()
    left = BODY["back"].region("suprascapular", "left").geometry.representative_point()
    store.add_mark(
        v.id,
        "back",
        right.x,
        right.y,
        treatment=Treatment(
            muscle="upper_trapezius",
            needle=Needle(0.30, 40),
            depth_mm=35,
            technique="pistoning",
            passes=6,
            twitches=3,
            familiar_pain=True,
            responses=("vasovagal",),
            minutes=1.5,
        ),
    )
    store.add_mark(v.id, "back", left.x, left.y, treatment=Treatment(muscle="upper_trapezius"))
    store.add_mark(v.id, "back", left.x + 0.01, left.y)  # palpated, not needled
    bundle = fhir_bundle(store, patient.id)
    _r4(bundle)
    first, second = resources(bundle, "Procedure")
    assert first["status"] == "completed" and first["performedDateTime"] == "2024-03-01"
    assert first["performer"] == [{"actor": {"display": "J. Brown"}}]
    structures = {f"urn:uuid:{r['id']}": r for r in resources(bundle, "BodyStructure")}
    sides = []
    for procedure in (first, second):
        (site,) = procedure["bodySite"]
        structure = structures[site["extension"][0]["valueReference"]["reference"]]
        assert structure["location"]["text"].startswith("Upper trapezius")
        sides.append(structure["locationQualifier"][0]["coding"][0]["code"])
    assert sides == [RIGHT, LEFT]  # the patient's sides, in SNOMED CT
    ext = {e["url"].rsplit("/", 1)[1]: e for e in first["extension"]}
    assert ext["needling-depth"]["valueQuantity"] == {"value": 35, "unit": "mm", "system": UCUM, "code": "mm"}
    assert ext["needling-technique"]["valueCodeableConcept"]["text"].startswith("pistoning")
    assert ext["needling-passes"]["valueInteger"] == 6 and ext["local-twitch-responses"]["valueInteger"] == 3
    assert ext["familiar-pain-reproduced"]["valueBoolean"] is True
    assert ext["needle-time-in"]["valueQuantity"]["value"] == 1.5
    assert first["usedCode"] == [{"text": "Needle 0.30 × 40 mm"}]
    assert first["complication"][0]["text"].startswith("vasovagal")
    assert any("beyond the safe depth of 30 mm" in n["text"] for n in first["note"])  # kept with the point
    reason = first["reasonReference"][0]["reference"]
    assert reason in {e["fullUrl"] for e in bundle["entry"]}  # the trigger point finding it treated
    # A point needled before the details were kept: no depth, needle or technique is made up.
    assert "extension" not in second and "usedCode" not in second
