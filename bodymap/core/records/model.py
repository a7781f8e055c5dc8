"""The records: patients, screens, consents, visits, marks (with their findings) and drawings.

Small frozen dataclasses, validated here and only here (with checks.py; their words and limits are
vocabulary.py's, the errors errors.py's): building one with an impossible value raises
InvalidValue with a message a therapist can act on. The store, the commands and the JSON import all
build records through these classes, so one rule is checked one way everywhere.

Dates are calendar dates; timestamps (created_at, updated_at, deleted_at) are naive UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime

from shapely.geometry.base import BaseGeometry

from bodymap.core.chart.frame import SIDES, VIEWS, Side, View
from bodymap.core.pain import PainArea

from .checks import (
    _set,
    check_after_birth,
    check_choice,
    check_count,
    check_date,
    check_flag,
    check_id,
    check_next_visit,
    check_number,
    check_score,
    check_text,
    editable,
    no_such_visit,
    stored,
)
from .errors import (
    Conflict,
    InvalidValue,
    NotFound,
    ReadOnly,
    RecordsError,
    Unreachable,
)
from .vocabulary import (
    ADDED_PRECAUTIONS,
    AFTER_EFFECTS,
    EARLIEST_BIRTH,
    MAX_DEPTH_MM,
    MAX_MINUTES_IN,
    MAX_NAME,
    MAX_PASSES,
    MAX_PLANNED_VISITS,
    MAX_PPT_KPA,
    MAX_SORENESS_HOURS,
    MAX_TWITCHES,
    NEEDLE_GAUGE_MM,
    NEEDLE_LENGTH_MM,
    PRECAUTION_SOURCES,
    PRECAUTIONS,
    RESPONSES,
    SEXES,
    STATUSES,
    SYMPTOMS,
    TECHNIQUES,
)

# --- records ----------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Patient:
    given_name: str
    family_name: str
    date_of_birth: date
    sex: str = "unknown"
    contact: str = ""
    notes: str = ""
    id: int | None = None
    uid: str = ""  # stable across databases (export / import); set by the store
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted_at: datetime | None = None
    # The stored row's version: 1 when added, one more with each change (0: not stored). Bookkeeping, like
    # updated_at: two records are equal when they say the same.
    version: int = field(default=0, compare=False)
    # Stored values that could not be read back (a damaged database), in words; never set by a user.
    unreadable: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _set(self, "given_name", check_text("given name", self.given_name, required=True, limit=MAX_NAME))
        _set(self, "family_name", check_text("family name", self.family_name, required=True, limit=MAX_NAME))
        check_date("date of birth", self.date_of_birth, earliest=EARLIEST_BIRTH, earliest_what="1900")
        check_choice("sex", self.sex, SEXES)
        _set(self, "contact", check_text("contact", self.contact))
        _set(self, "notes", check_text("notes", self.notes))
        check_id("patient id", self.id)

    def age_on(self, on: date) -> int:
        """The patient's age in whole years on a date."""
        born = self.date_of_birth
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@dataclass(frozen=True, kw_only=True)
class Screen:
    """The precaution screen for dry needling, as answered on a date."""

    patient_id: int | None
    screened_on: date
    bleeding_disorder: bool = False
    anticoagulant: bool = False
    pregnancy: bool = False
    needle_phobia: bool = False
    immunosuppression: bool = False
    lymphoedema: bool = False
    implanted_device: bool = False
    metal_allergy: bool = False
    recent_surgery: bool = False
    diabetes: bool | None = False  # None: not asked (a screen recorded before the item was added)
    epilepsy: bool | None = False
    malignancy: bool | None = False
    vascular_disease: bool | None = False
    skin_lesion: bool | None = False
    cannot_consent: bool | None = False
    other: str = ""  # any other precaution, in words
    id: int | None = None
    created_at: datetime | None = None
    deleted_at: datetime | None = None
    # The stored row's version: 1 when added, one more with each change (0: not stored). Bookkeeping, like
    # updated_at: two records are equal when they say the same.
    version: int = field(default=0, compare=False)
    # Stored values that could not be read back (a damaged database), in words; never set by a user.
    unreadable: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_id("patient id", self.patient_id)
        check_date("screen date", self.screened_on)
        for key, words in PRECAUTIONS.items():
            check_flag(words, getattr(self, key), optional=key in ADDED_PRECAUTIONS)
        _set(self, "other", check_text("other precaution", self.other, limit=MAX_NAME * 5))

    @property
    def precautions(self) -> tuple[str, ...]:
        """The precautions present, in words (empty when the screen is clear)."""
        return _in_words(self, PRECAUTIONS)

    @property
    def not_asked(self) -> tuple[str, ...]:
        """The items this (older) screen did not ask about, in words."""
        return tuple(words for key, words in PRECAUTIONS.items() if getattr(self, key) is None)


def _in_words(record: Screen | AfterEffects, flags: dict[str, str]) -> tuple[str, ...]:
    """The yes/no fields of `record` that are set, in words, then its free-text `other`."""
    found = [words for key, words in flags.items() if getattr(record, key)]
    if record.other.strip():
        found.append(record.other.strip())
    return tuple(found)


@dataclass(frozen=True, kw_only=True)
class Consent:
    """Consent to dry needling (or its withdrawal, given=False), on a date."""

    patient_id: int | None
    consented_on: date
    given: bool = True
    notes: str = ""
    id: int | None = None
    created_at: datetime | None = None
    deleted_at: datetime | None = None
    # The stored row's version: 1 when added, one more with each change (0: not stored). Bookkeeping, like
    # updated_at: two records are equal when they say the same.
    version: int = field(default=0, compare=False)
    # Stored values that could not be read back (a damaged database), in words; never set by a user.
    unreadable: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_id("patient id", self.patient_id)
        check_date("consent date", self.consented_on)
        check_flag("consent given", self.given)
        _set(self, "notes", check_text("consent notes", self.notes))


@dataclass(frozen=True, kw_only=True)
class AfterEffects:
    """What happened after the last visit, asked at the start of this one."""

    soreness: bool = False
    soreness_hours: float | None = None  # how long the soreness lasted
    bruising: bool = False
    bleeding: bool = False
    fatigue: bool = False
    infection: bool = False
    pneumothorax: bool = False  # suspected
    other: str = ""

    def __post_init__(self) -> None:
        for key, words in AFTER_EFFECTS.items():
            check_flag(words, getattr(self, key))
        if self.soreness_hours is not None:
            hours = check_number(
                "soreness duration", self.soreness_hours, 0, MAX_SORENESS_HOURS, unit=" hours"
            )
            _set(self, "soreness_hours", hours)
            if not self.soreness:
                raise InvalidValue("a soreness duration is given but no soreness is recorded")
        _set(self, "other", check_text("other after-effect", self.other, limit=MAX_NAME * 5))

    @property
    def present(self) -> tuple[str, ...]:
        """The after-effects present, in words."""
        return _in_words(self, AFTER_EFFECTS)


@dataclass(frozen=True, kw_only=True)
class Visit:
    patient_id: int | None
    visited_on: date
    therapist: str = ""
    complaint: str = ""  # the chief complaint
    pain_before: int | None = None
    pain_after: int | None = None
    notes: str = ""
    after: AfterEffects | None = None  # None: not asked (e.g. the first visit)
    # Preparation: the patient positioned and supported, the skin cleaned, the needle chosen.
    positioned: bool = False
    skin_prepared: bool = False
    needle: Needle | None = None
    # Post-treatment: immediate reactions in words ("none" when there were none), aftercare advice given,
    # the next visit booked.
    reactions: str = ""
    advice_given: bool = False
    next_visit: date | None = None
    id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted_at: datetime | None = None
    # The stored row's version: 1 when added, one more with each change (0: not stored). Bookkeeping, like
    # updated_at: two records are equal when they say the same.
    version: int = field(default=0, compare=False)
    # Stored values that could not be read back (a damaged database), in words; never set by a user.
    unreadable: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_id("patient id", self.patient_id)
        check_date("visit date", self.visited_on)
        check_flag("patient positioned", self.positioned)
        check_flag("skin prepared", self.skin_prepared)
        if self.needle is not None and not isinstance(self.needle, Needle):
            raise InvalidValue(f"needle must be a Needle, got {type(self.needle).__name__}")
        _set(self, "reactions", check_text("immediate reactions", self.reactions, limit=MAX_NAME * 5))
        check_flag("advice given", self.advice_given)
        if self.next_visit is not None:
            check_next_visit(self.next_visit, self.visited_on)
        _set(self, "therapist", check_text("therapist", self.therapist, limit=MAX_NAME))
        _set(self, "complaint", check_text("chief complaint", self.complaint))
        check_score("pain before", self.pain_before)
        check_score("pain after", self.pain_after)
        _set(self, "notes", check_text("visit notes", self.notes))
        if self.after is not None and not isinstance(self.after, AfterEffects):
            raise InvalidValue(f"after-effects must be AfterEffects, got {type(self.after).__name__}")
        check_id("visit id", self.id)


@dataclass(frozen=True, kw_only=True)
class Findings:
    """What the therapist found at a mark. None means "not examined", not "absent"."""

    status: str | None = None  # active or latent trigger point
    twitch: bool | None = None  # local twitch response
    familiar_pain: bool | None = None  # the patient's familiar pain reproduced
    referral: bool | None = None  # the referral pattern reproduced
    tenderness: int | None = None  # 0-10
    ppt_kpa: float | None = None  # pressure-pain threshold
    notes: str = ""

    def __post_init__(self) -> None:
        check_choice("status", self.status, STATUSES, optional=True)
        check_flag("local twitch response", self.twitch, optional=True)
        check_flag("familiar pain", self.familiar_pain, optional=True)
        check_flag("referral", self.referral, optional=True)
        check_score("tenderness", self.tenderness)
        if self.ppt_kpa is not None:
            _set(
                self,
                "ppt_kpa",
                check_number(
                    "pressure-pain threshold", self.ppt_kpa, 0, MAX_PPT_KPA, lo_open=True, unit=" kPa"
                ),
            )
        _set(self, "notes", check_text("mark notes", self.notes))


FINDINGS = tuple(f.name for f in fields(Findings))


@dataclass(frozen=True)
class Needle:
    """A needle as clinics label it: diameter (gauge) x length, in millimetres ("0.25 × 30 mm")."""

    gauge_mm: float
    length_mm: float

    def __post_init__(self) -> None:
        _set(self, "gauge_mm", check_number("needle gauge", self.gauge_mm, *NEEDLE_GAUGE_MM, unit=" mm"))
        _set(self, "length_mm", check_number("needle length", self.length_mm, *NEEDLE_LENGTH_MM, unit=" mm"))

    @property
    def label(self) -> str:
        return f"{self.gauge_mm:.2f} × {self.length_mm:g} mm"

    @classmethod
    def parse(cls, text: str) -> Needle:
        """A needle from its label, "0.25 × 30 mm", "0.25x30" or "0.25 x 30mm"; InvalidValue otherwise."""
        cleaned = text.strip().lower().replace("mm", "").replace("×", "x").replace("*", "x")
        parts = [p.strip().replace(",", ".") for p in cleaned.split("x")]
        try:
            gauge, length = (float(p) for p in parts)
        except ValueError:
            raise InvalidValue(
                f"a needle is written gauge × length in mm, such as 0.25 × 30, got {text!r}"
            ) from None
        return cls(gauge, length)


@dataclass(frozen=True, kw_only=True)
class Treatment:
    """A treated point: how the mark was needled. None means "not recorded" (a point needled before
    bodymap kept these details has every field None)."""

    muscle: str | None = None  # the atlas muscle needled (an id); None: not said
    needle: Needle | None = None
    depth_mm: float | None = None
    technique: str | None = None  # TECHNIQUES
    passes: int | None = None  # pistoning: how many passes
    twitches: int | None = None  # local twitch responses elicited
    familiar_pain: bool | None = None  # the patient's familiar pain reproduced by the needle
    responses: tuple[str, ...] = ()  # RESPONSES; empty: nothing unusual
    minutes: float | None = None  # time the needle stayed in
    notes: str = ""

    def __post_init__(self) -> None:
        if self.muscle is not None:
            check_text("muscle", self.muscle, required=True, limit=80)
        if self.needle is not None and not isinstance(self.needle, Needle):
            raise InvalidValue(f"needle must be a Needle, got {type(self.needle).__name__}")
        if self.depth_mm is not None:
            depth = check_number("depth", self.depth_mm, 0, MAX_DEPTH_MM, lo_open=True, unit=" mm")
            _set(self, "depth_mm", depth)
            if self.needle is not None and depth > self.needle.length_mm:
                raise InvalidValue(
                    f"depth {depth:g} mm is more than the needle's length ({self.needle.length_mm:g} mm)"
                )
        check_choice("technique", self.technique, tuple(TECHNIQUES), optional=True)
        check_count("passes", self.passes, MAX_PASSES, lo=1)
        if self.passes is not None and self.technique != "pistoning":
            raise InvalidValue("passes are counted only for pistoning")
        check_count("twitch responses", self.twitches, MAX_TWITCHES)
        check_flag("familiar pain reproduced", self.familiar_pain, optional=True)
        given: object = self.responses
        if isinstance(given, str) or not isinstance(given, (tuple, list)):
            raise InvalidValue(f"patient responses must be a list, got {given!r}")
        for r in given:
            check_choice("patient response", r, tuple(RESPONSES))
        _set(self, "responses", tuple(k for k in RESPONSES if k in self.responses))  # one order, no repeats
        if self.minutes is not None:
            _set(self, "minutes", check_number("time in", self.minutes, 0, MAX_MINUTES_IN, unit=" minutes"))
        _set(self, "notes", check_text("treatment notes", self.notes))

    @property
    def missing(self) -> tuple[str, ...]:
        """What a dry-needling record needs and this one does not say, in words."""
        out = []
        if self.needle is None:
            out.append("needle")
        if self.depth_mm is None:
            out.append("depth")
        if self.technique is None:
            out.append("technique")
        return tuple(out)


TREATMENT = tuple(f.name for f in fields(Treatment))


@dataclass(frozen=True, kw_only=True)
class Mark:
    """A palpated point on the chart, with where it lies (computed by the placer) and the findings.

    `side` is the patient's side of the point; `trp_distance` is in body units (stature = 1.0).
    """

    visit_id: int | None
    view: View
    x: float
    y: float
    side: Side
    region_id: str
    trp_muscle: str | None = None  # the nearest atlas trigger point on the same view
    trp_id: str | None = None
    trp_side: Side | None = None
    trp_distance: float | None = None
    findings: Findings = field(default_factory=Findings)
    treatment: Treatment | None = None  # None: not needled
    id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted_at: datetime | None = None
    # The stored row's version: 1 when added, one more with each change (0: not stored). Bookkeeping, like
    # updated_at: two records are equal when they say the same.
    version: int = field(default=0, compare=False)
    # Stored values that could not be read back (a damaged database), in words; never set by a user.
    unreadable: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_id("visit id", self.visit_id)
        check_choice("view", self.view, VIEWS)
        if self.treatment is not None and not isinstance(self.treatment, Treatment):
            raise InvalidValue(f"treatment must be a Treatment, got {type(self.treatment).__name__}")
        _set(self, "x", check_number("x", self.x, -1.0, 1.0))
        _set(self, "y", check_number("y", self.y, 0.0, 1.0))
        check_choice("side", self.side, SIDES)
        check_text("region", self.region_id, required=True, limit=MAX_NAME)
        if not isinstance(self.findings, Findings):
            raise InvalidValue(f"findings must be Findings, got {type(self.findings).__name__}")
        check_id("mark id", self.id)

    @property
    def needled(self) -> bool:
        """A treated point: the mark was needled."""
        return self.treatment is not None

    @property
    def muscle(self) -> str | None:
        """The muscle treated at this mark: the one the therapist named, else the nearest trigger point's."""
        if self.treatment is not None and self.treatment.muscle:
            return self.treatment.muscle
        return self.trp_muscle

    @property
    def trp_key(self) -> str | None:
        return f"{self.trp_muscle}:{self.trp_id}:{self.trp_side}" if self.trp_muscle else None

    @property
    def trp_distance_cm(self) -> float | None:
        """The distance to the nearest trigger point on a 170 cm adult (the reference stature)."""
        return None if self.trp_distance is None else self.trp_distance * REFERENCE_STATURE_CM


REFERENCE_STATURE_CM = 170.0


@dataclass(frozen=True, kw_only=True)
class Drawing:
    """A pain drawing: one symptom, its intensity, and the area drawn on one or more views.

    `areas` maps a view to a (Multi)Polygon in the body frame; the store clips it to the outline.
    """

    visit_id: int | None
    symptom: str
    areas: Mapping[View, BaseGeometry]
    intensity: int | None = None
    notes: str = ""
    id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted_at: datetime | None = None
    # The stored row's version: 1 when added, one more with each change (0: not stored). Bookkeeping, like
    # updated_at: two records are equal when they say the same.
    version: int = field(default=0, compare=False)
    # Stored values that could not be read back (a damaged database), in words; never set by a user.
    unreadable: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_id("visit id", self.visit_id)
        check_choice("symptom", self.symptom, tuple(SYMPTOMS))
        check_score("intensity", self.intensity)
        _set(self, "notes", check_text("drawing notes", self.notes))
        if not isinstance(self.areas, Mapping):
            raise InvalidValue("the drawing's areas must map a view to a geometry")
        for view, geom in self.areas.items():
            check_choice("view", view, VIEWS)
            if not isinstance(geom, BaseGeometry) or geom.geom_type not in ("Polygon", "MultiPolygon"):
                raise InvalidValue(f"the drawing on the {view} view must be a polygon or multipolygon")
            if geom.is_empty:
                raise InvalidValue(f"the drawing on the {view} view is empty")
        if not self.areas:
            raise InvalidValue("a drawing needs an area on at least one view")
        _set(self, "areas", PainArea(self.areas))  # the one form of pain: immutable, in the views' order


@dataclass(frozen=True, kw_only=True)
class Plan:
    """A course of care as planned with the patient on a date: how many visits, and the goal in the
    patient's own words. The course is the visits from that date until the next plan."""

    patient_id: int | None
    planned_on: date
    visits: int
    goal: str = ""
    id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted_at: datetime | None = None
    # The stored row's version: 1 when added, one more with each change (0: not stored). Bookkeeping, like
    # updated_at: two records are equal when they say the same.
    version: int = field(default=0, compare=False)
    # Stored values that could not be read back (a damaged database), in words; never set by a user.
    unreadable: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_id("patient id", self.patient_id)
        check_date("plan date", self.planned_on)
        check_count("visits planned", self.visits, MAX_PLANNED_VISITS, lo=1, optional=False)
        _set(self, "goal", check_text("goal", self.goal, limit=MAX_NAME * 5))


@dataclass(frozen=True)
class VisitRecord:
    """A visit with its marks and drawings (deleted ones included, with deleted_at set)."""

    visit: Visit
    marks: tuple[Mark, ...] = ()
    drawings: tuple[Drawing, ...] = ()


@dataclass(frozen=True)
class HistoryEntry:
    """One change to a record, as the history keeps it: who made it, when, and the values before and after.

    `kind` and `record_id` say which record; `action` is added, changed, deleted, restored or imported;
    `step` is the user's words for it ("Set tenderness", "Undo Set tenderness"); `before` and `after`
    map the changed stored fields (columns) to their values (None for an addition). `at` is naive UTC.
    """

    kind: str
    record_id: int
    at: datetime
    by: str
    action: str
    step: str = ""
    before: Mapping[str, object] | None = None
    after: Mapping[str, object] | None = None
    visit_id: int | None = None
    id: int | None = None
    version: int | None = None  # the record's version this change made (None: imported, or before 0006)


@dataclass(frozen=True)
class Record:
    """A whole patient record: what is exported as JSON and imported in one transaction."""

    patient: Patient
    screens: tuple[Screen, ...] = ()
    consents: tuple[Consent, ...] = ()
    visits: tuple[VisitRecord, ...] = ()
    plans: tuple[Plan, ...] = ()
    history: tuple[HistoryEntry, ...] = ()  # every change to any of it, oldest first

    def unreadable(self) -> list[str]:
        """Each stored value of the record that could not be read back, named in words: "Ann Lee, visit 2
        (2024-03-08), drawing 1: area on the front view". Empty for a sound record."""
        who = self.patient.name
        out = [f"{who}: {w}" for w in self.patient.unreadable]
        out += [f"{who}, screen {i}: {w}" for i, s in enumerate(self.screens, 1) for w in s.unreadable]
        out += [f"{who}, consent {i}: {w}" for i, c in enumerate(self.consents, 1) for w in c.unreadable]
        out += [f"{who}, plan {i}: {w}" for i, p in enumerate(self.plans, 1) for w in p.unreadable]
        for n, vr in enumerate(self.visits, 1):
            visit = f"{who}, visit {n} ({vr.visit.visited_on.isoformat()})"
            out += [f"{visit}: {w}" for w in vr.visit.unreadable]
            out += [f"{visit}, mark {i}: {w}" for i, m in enumerate(vr.marks, 1) for w in m.unreadable]
            out += [f"{visit}, drawing {i}: {w}" for i, d in enumerate(vr.drawings, 1) for w in d.unreadable]
        return out


__all__ = [
    "RecordsError",
    "InvalidValue",
    "NotFound",
    "ReadOnly",
    "Conflict",
    "Unreachable",
    "SEXES",
    "PRECAUTIONS",
    "PRECAUTION_SOURCES",
    "ADDED_PRECAUTIONS",
    "AFTER_EFFECTS",
    "STATUSES",
    "SYMPTOMS",
    "Patient",
    "Screen",
    "Consent",
    "AfterEffects",
    "Visit",
    "Findings",
    "FINDINGS",
    "TECHNIQUES",
    "RESPONSES",
    "Needle",
    "Treatment",
    "TREATMENT",
    "Mark",
    "Plan",
    "Drawing",
    "VisitRecord",
    "Record",
    "HistoryEntry",
    "REFERENCE_STATURE_CM",
    "check_after_birth",
    "check_next_visit",
    "no_such_visit",
    "editable",
    "stored",
]
