"""A patient's record, or one visit of it, as a FHIR R4 Bundle (type `collection`) for other systems.

What goes in (deleted visits, marks and drawings are left out):

- `Patient`: name, birthDate, gender (our `sex` values are FHIR administrative gender already).
- `Encounter` per visit: finished, ambulatory (AMB), the visit date as its period, the chief complaint
  as reasonCode text.
- `Observation` per pain score: LOINC 72514-3 (0-10 numeric rating), a note telling before from after
  treatment.
- `Observation` per mark: a palpated trigger point finding, the findings as components; a finding
  not examined (None) has dataAbsentReason `not-performed`, which is not the same as "no".
- `Observation` per drawing: the symptom (a distinct SNOMED CT code each), its intensity 0-10, and one
  "Body site" component per CHOIR region it covers.
- `Procedure` per treated point (a mark that was needled): dry needling, completed, on the visit's
  date, its body site the muscle needled on the patient's side (a BodyStructure with SNOMED CT
  laterality), the needle as `usedCode`, the depth, technique, passes, twitch responses, familiar pain
  and time in as extensions (R4 Procedure has no components; the URLs are ours, below), the patient's
  responses as `complication`, the finding it treated as `reasonReference` (the mark's Observation),
  and the needling warnings as notes. A detail not recorded is left out, never guessed.
- `BodyStructure` per body site used, once per bundle: where, and on which of the patient's sides.

Laterality is always the patient's, read from the stored `side` (never from the sign of x, which
flips between the front and back views). R4 has no core extension that puts a laterality code on the
`bodySite` CodeableConcept, and our regions have no SNOMED CT body structure codes to post-coordinate
laterality with. So we use R4's own place for it: `BodyStructure.locationQualifier` (SNOMED CT 24028007
right, 7771000 left), with the element that names the site pointing at its BodyStructure through the core
extension http://hl7.org/fhir/StructureDefinition/bodySite (a Reference(BodyStructure), at most one per
element). The CodeableConcept still names region and side in its text, so a reader that ignores
extensions loses nothing a person needs. A drawing covers several regions and one `bodySite` can point
at only one BodyStructure, so a drawing's `bodySite` is a text summary and each region is a component
whose value points at its own BodyStructure. (R5 has BodyStructure.includedStructure.laterality for this.)

Ids are UUIDs made (uuid5) from the patient's uid and each row's id, so two exports of the same record
are identical; the bundle has no timestamp for the same reason. They are stable within one database: a
record imported into another one keeps its Patient id, but its visits, marks and drawings get new ones.
"""

from __future__ import annotations

import copy
import uuid
from typing import TYPE_CHECKING

from bodymap.core.data import JsonObject, load_json

from .content import visit_warnings
from .metrics import choir_codes
from .model import (
    RESPONSES,
    SYMPTOMS,
    TECHNIQUES,
    Drawing,
    Mark,
    Patient,
    RecordsError,
    VisitRecord,
    no_such_visit,
)
from .safety import SafetyWarning

if TYPE_CHECKING:
    from bodymap.core.atlas import Atlas
    from bodymap.core.chart.body import Body

    from .store import Store

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
# CHOIR Body Map codes (Scherrer et al. 2021). CHOIR publishes no FHIR code system URI: this one is ours,
# chosen for these exports, and not recognised by anyone else. Change it here only.
CHOIR = "https://choir.stanford.edu/bodymap"
BODY_SITE = "http://hl7.org/fhir/StructureDefinition/bodySite"  # core extension: Reference(BodyStructure)
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"

LATERALITY = {
    "right": {"system": SNOMED, "code": "24028007", "display": "Right"},
    "left": {"system": SNOMED, "code": "7771000", "display": "Left"},
}

PAIN_SCORE = {
    "system": LOINC,
    "code": "72514-3",
    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
}

# One distinct SNOMED CT code per symptom, so a receiving system can tell burning from aching. Pain,
# numbness, pins and needles and stiffness are clinical findings; aching and burning pain are the codes
# the HL7 Symptoms IG (QualityCodes value set) uses for those qualities of pain. Check them against a
# terminology server ($lookup) before a receiving system relies on them.
SYMPTOM_CODES = {
    "pain": ("22253000", "Pain"),
    "ache": ("27635008", "Aching"),
    "burning": ("36349006", "Burning pain"),
    "numbness": ("44077006", "Numbness"),
    "tingling": ("62507009", "Pins and needles"),
    "stiffness": ("271587009", "Stiffness"),
}
# No SNOMED CT code for the mark: we could not confirm one for "myofascial trigger point" as a finding,
# and a wrong code does more harm than text alone.
TRIGGER_POINT = {"text": "Myofascial trigger point"}
# Likewise no code for the procedure: SNOMED CT's dry-needling concepts differ between editions, and text
# says what was done.
DRY_NEEDLING = {"text": "Dry needling of a myofascial trigger point"}
# The treated point's details as extensions on Procedure. Ours, resolvable by no one (like CHOIR above):
# change them here only.
EXTENSION = "https://bodymap.invalid/fhir/StructureDefinition/"
NEEDLING = {
    "depth": EXTENSION + "needling-depth",  # valueQuantity, mm
    "technique": EXTENSION + "needling-technique",  # valueCodeableConcept (text)
    "passes": EXTENSION + "needling-passes",  # valueInteger
    "twitches": EXTENSION + "local-twitch-responses",  # valueInteger
    "familiar_pain": EXTENSION + "familiar-pain-reproduced",  # valueBoolean
    "minutes": EXTENSION + "needle-time-in",  # valueQuantity, min
}

NOT_EXAMINED = {
    "coding": [{"system": ABSENT, "code": "not-performed", "display": "Not Performed"}],
    "text": "not examined",
}
# Pain scores and drawings are what the patient reports (survey); marks what the therapist palpates (exam).
SURVEY = [{"coding": [{"system": CATEGORY, "code": "survey", "display": "Survey"}]}]
EXAM = [{"coding": [{"system": CATEGORY, "code": "exam", "display": "Exam"}]}]

# Fixed, so that the same record always gets the same ids (never change it).
_NAMESPACE = uuid.UUID("d963646f-4c21-40cc-9c9e-406fbb5fd665")


def _concept(text: str, *codings: JsonObject) -> JsonObject:
    return {"coding": list(codings), "text": text} if codings else {"text": text}


def _component(text: str, kind: str, value: object) -> JsonObject:
    """A finding as a component; None (not examined) says so, rather than leaving it out."""
    if value is None:
        return {"code": {"text": text}, "dataAbsentReason": NOT_EXAMINED}
    return {"code": {"text": text}, kind: value}


class _Bundle:
    """Collects the entries of one patient's bundle, each BodyStructure once."""

    def __init__(self, patient: Patient, body: Body, atlas: Atlas | None = None):
        self.patient, self.body, self.atlas = patient, body, atlas
        self.entries: list[JsonObject] = []
        self.sites: set[tuple[object, ...]] = set()
        choir = load_json("body/choir.json")  # view -> CHOIR area -> the patient's side -> code
        self.choir = {v: areas for v, areas in choir.items() if isinstance(areas, dict)}
        self.choir_of = {
            code: (view, area, side)
            for view, areas in self.choir.items()
            for area, sides in areas.items()
            for side, code in sides.items()
        }
        self.patient_ref = {"reference": self.url("patient")}

    def id(self, *key: object) -> str:
        return str(uuid.uuid5(_NAMESPACE, "/".join(str(k) for k in (self.patient.uid, *key))))

    def url(self, *key: object) -> str:
        return "urn:uuid:" + self.id(*key)

    def add(self, key: tuple[object, ...], resource: JsonObject) -> JsonObject:
        resource = {"resourceType": resource.pop("resourceType"), "id": self.id(*key), **resource}
        self.entries.append({"fullUrl": self.url(*key), "resource": resource})
        return resource

    def site(
        self, key: tuple[object, ...], text: str, codings: list[JsonObject], side: str, description: str
    ) -> JsonObject:
        """A CodeableConcept naming a body site, pointing at its BodyStructure (added on first use)."""
        if key not in self.sites:
            self.sites.add(key)
            structure: JsonObject = {"resourceType": "BodyStructure", "location": _concept(text, *codings)}
            if side in LATERALITY:  # the patient's side; a point on the midline has none
                structure["locationQualifier"] = [_concept(side, LATERALITY[side])]
            structure.update(description=description, patient=self.patient_ref)
            self.add(("site", *key), structure)
        return {
            "extension": [{"url": BODY_SITE, "valueReference": {"reference": self.url("site", *key)}}],
            **_concept(text, *codings),
        }

    def choir_coding(self, code: int) -> JsonObject:
        return {"system": CHOIR, "code": str(code)}

    # --- resources ---------------------------------------------------------------------------------

    def add_patient(self) -> None:
        p = self.patient
        self.add(
            ("patient",),
            {
                "resourceType": "Patient",
                "identifier": [{"value": p.uid}],  # bodymap's own uid, as in the JSON export
                "name": [{"text": p.name, "family": p.family_name, "given": [p.given_name]}],
                "gender": p.sex,
                "birthDate": p.date_of_birth.isoformat(),
            },
        )

    def add_visit(self, vr: VisitRecord, warnings: dict[int, list[SafetyWarning]] | None = None) -> None:
        v = vr.visit
        day = v.visited_on.isoformat()
        encounter: JsonObject = {
            "resourceType": "Encounter",
            "status": "finished",
            "class": {"system": ACT_CODE, "code": "AMB", "display": "ambulatory"},
            "subject": self.patient_ref,
            "period": {"start": day, "end": day},
        }
        if v.therapist:
            encounter["participant"] = [{"individual": {"display": v.therapist}}]
        if v.complaint:
            encounter["reasonCode"] = [{"text": v.complaint}]
        self.add(("visit", v.id), encounter)
        context = {
            "subject": self.patient_ref,
            "encounter": {"reference": self.url("visit", v.id)},
            "effectiveDateTime": day,
        }
        for when, score in (("before", v.pain_before), ("after", v.pain_after)):
            if score is not None:
                self.add(
                    ("visit", v.id, "pain", when),
                    {
                        "resourceType": "Observation",
                        "status": "final",
                        "category": SURVEY,
                        "code": _concept("Pain 0-10", PAIN_SCORE),
                        **context,
                        "performer": [self.patient_ref],
                        "valueInteger": score,
                        "note": [{"text": f"{when} treatment"}],
                    },
                )
        for m in vr.marks:
            if m.deleted_at is None:
                self.add_mark(m, context, v.therapist)
                if m.treatment is not None:
                    self.add_treatment(m, context, v.therapist, (warnings or {}).get(m.id or 0, []))
        for d in vr.drawings:
            if d.deleted_at is None:
                self.add_drawing(d, context)

    def add_mark(self, m: Mark, context: JsonObject, therapist: str) -> None:
        view = self.body[m.view]
        # A point on the midline of a paired region (forehead, epigastric) has no region of its own side;
        # both halves carry the same name.
        region = view.region(m.region_id, m.side) or view.region(m.region_id, "right")
        name = region.name if region else m.region_id
        text = name if m.side == "midline" else f"{name} ({m.side})"
        codings = []
        if region is not None and m.side in LATERALITY:
            # A midline region (sternum, spine) is split at the midline in CHOIR, so the side picks the code.
            codings.append(self.choir_coding(self.choir[m.view][region.choir_area][m.side]))
        site = self.site(
            ("region", m.view, m.region_id, m.side), text, codings, m.side, f"{text} on the {m.view} view"
        )
        f = m.findings
        ppt = (
            None if f.ppt_kpa is None else {"value": f.ppt_kpa, "unit": "kPa", "system": UCUM, "code": "kPa"}
        )
        observation: JsonObject = {
            "resourceType": "Observation",
            "status": "final",
            "category": EXAM,
            "code": TRIGGER_POINT,
            **context,
            "bodySite": site,
            "component": [
                _component("Trigger point status", "valueCodeableConcept", f.status and {"text": f.status}),
                _component("Local twitch response", "valueBoolean", f.twitch),
                _component("Familiar pain reproduced", "valueBoolean", f.familiar_pain),
                _component("Referred pain reproduced", "valueBoolean", f.referral),
                _component("Tenderness 0-10", "valueInteger", f.tenderness),
                _component("Pressure-pain threshold", "valueQuantity", ppt),
                _component("Needled", "valueBoolean", m.needled),
            ],
        }
        if therapist:
            observation["performer"] = [{"display": therapist}]
        if f.notes:
            observation["note"] = [{"text": f.notes}]
        self.add(("mark", m.id), observation)

    def add_treatment(
        self, m: Mark, context: JsonObject, therapist: str, warnings: list[SafetyWarning]
    ) -> None:
        """The treated point as a Procedure: which muscle on which of the patient's sides, how."""
        t = m.treatment
        assert t is not None  # called for treated points only
        muscle_id = m.muscle
        muscle = self.atlas.muscles.get(muscle_id) if self.atlas and muscle_id else None
        name = muscle.name if muscle else (muscle_id or "muscle not recorded").replace("_", " ")
        text = name if m.side == "midline" else f"{name} ({m.side})"
        site = self.site(("muscle", muscle_id, m.side), text, [], m.side, f"{text}: the muscle needled")
        extensions: list[JsonObject] = []
        if t.depth_mm is not None:
            depth = {"value": t.depth_mm, "unit": "mm", "system": UCUM, "code": "mm"}
            extensions.append({"url": NEEDLING["depth"], "valueQuantity": depth})
        if t.technique is not None:
            technique = {"text": TECHNIQUES[t.technique]}
            extensions.append({"url": NEEDLING["technique"], "valueCodeableConcept": technique})
        for key, value in (("passes", t.passes), ("twitches", t.twitches)):
            if value is not None:
                extensions.append({"url": NEEDLING[key], "valueInteger": value})
        if t.familiar_pain is not None:
            extensions.append({"url": NEEDLING["familiar_pain"], "valueBoolean": t.familiar_pain})
        if t.minutes is not None:
            time_in = {"value": t.minutes, "unit": "min", "system": UCUM, "code": "min"}
            extensions.append({"url": NEEDLING["minutes"], "valueQuantity": time_in})
        procedure: JsonObject = {"resourceType": "Procedure"}
        if extensions:
            procedure["extension"] = extensions
        procedure.update(
            status="completed",
            code=DRY_NEEDLING,
            subject=context["subject"],
            encounter=context["encounter"],
            performedDateTime=context["effectiveDateTime"],
        )
        if therapist:
            procedure["performer"] = [{"actor": {"display": therapist}}]
        procedure["reasonReference"] = [{"reference": self.url("mark", m.id)}]
        procedure["bodySite"] = [site]
        if t.responses:
            procedure["complication"] = [{"text": RESPONSES[r]} for r in t.responses]
        notes = [{"text": w.message} for w in warnings]
        if t.notes:
            notes.append({"text": t.notes})
        if notes:
            procedure["note"] = notes
        if t.needle is not None:
            procedure["usedCode"] = [{"text": f"Needle {t.needle.label}"}]
        self.add(("treatment", m.id), procedure)

    def add_drawing(self, d: Drawing, context: JsonObject) -> None:
        code, display = SYMPTOM_CODES[d.symptom]
        observation: JsonObject = {
            "resourceType": "Observation",
            "status": "final",
            "category": SURVEY,
            "code": _concept(SYMPTOMS[d.symptom], {"system": SNOMED, "code": code, "display": display}),
            **context,
            "performer": [self.patient_ref],
        }
        if d.intensity is not None:
            observation["valueInteger"] = d.intensity
        labels, components = [], []
        for choir in choir_codes([d], self.body):
            view, area, side = self.choir_of[choir]
            label = f"{area} ({side}), {view} view"
            labels.append(label)
            value = self.site(
                ("choir", choir),
                label,
                [self.choir_coding(choir)],
                side,
                f"CHOIR Body Map region {choir}: {label}",
            )
            components.append({"code": {"text": "Body site"}, "valueCodeableConcept": value})
        if labels:
            observation["bodySite"] = {"text": "; ".join(labels)}
            observation["component"] = components
        if d.notes:
            observation["note"] = [{"text": d.notes}]
        self.add(("drawing", d.id), observation)


def fhir_bundle(store: Store, patient_id: int, visit_number: int | None = None) -> JsonObject:
    """A FHIR R4 Bundle (collection) of a patient's record; with visit_number (1 = first), only that visit."""
    record = store.record(patient_id)  # NotFound: "there is no patient with id 7"
    if record.patient.deleted_at is not None:
        raise RecordsError(f"{record.patient.name} is deleted; restore the patient to export the record")
    visits = [vr for vr in record.visits if vr.visit.deleted_at is None]
    if visit_number is not None:
        # As the JSON and CSV exports say it (this module does not import exchange, which will import it).
        if not 1 <= visit_number <= len(visits):
            raise no_such_visit(record.patient, visit_number, len(visits))
        visits = [visits[visit_number - 1]]
    atlas = store.placer.atlas
    bundle = _Bundle(record.patient, store.placer.body, atlas)
    bundle.add_patient()
    for vr in visits:
        bundle.add_visit(vr, visit_warnings(record, vr, atlas))
    # A deep copy: the entries share constant parts (codes, laterality) that a caller must not change for all.
    return {
        "resourceType": "Bundle",
        "id": bundle.id("bundle", visit_number or "all"),
        "type": "collection",
        "entry": copy.deepcopy(bundle.entries),
    }


__all__ = ["fhir_bundle", "SYMPTOM_CODES", "LATERALITY", "CHOIR"]
