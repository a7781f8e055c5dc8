"""The records: patients, screens, consents, visits, marks (with their findings) and drawings.

Small frozen dataclasses, validated here and only here: building one with an impossible value raises
InvalidValue with a message a therapist can act on. The store, the commands and the JSON import all
build records through these classes, so one rule is checked one way everywhere.

Dates are calendar dates; timestamps (created_at, updated_at, deleted_at) are naive UTC.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from shapely.geometry.base import BaseGeometry

from bodymap.core.chart.frame import SIDES, VIEWS, Side, View
from bodymap.core.pain import PainArea
from bodymap.core.quoting import quote

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


class RecordsError(ValueError):
    """A records problem told in one line (a database that cannot be opened, a missing record...)."""


class InvalidValue(RecordsError):
    """An impossible value: refused, and nothing was written."""


class ReadOnly(RecordsError):
    """A change refused because the records are read-only (a read-only disk, a damaged file): it says why."""


class NotFound(RecordsError):
    """No record with that id."""


class Unreachable(RecordsError):
    """The database server cannot be reached (down, restarting, not answering): nothing was written, and
    the window reconnects by itself (watch.py)."""


class Conflict(RecordsError):
    """A change refused because someone else changed or deleted the record since the version the change
    was made on (another window, another therapist): it says who, what and when, and nothing was
    written. Reloading the record shows their change; the user can then make theirs again."""

    def __init__(self, message: str, entries: Sequence[HistoryEntry] = ()):
        super().__init__(message)
        self.entries = tuple(entries)  # the changes made since, oldest first (from the history)


SEXES = ("female", "male", "other", "unknown")  # as FHIR administrative gender, for exports

# The precaution screen: field -> the words shown to people. The items clinicians screen for before dry
# needling, from the guidelines in PRECAUTION_SOURCES.
PRECAUTIONS: dict[str, str] = {
    "bleeding_disorder": "bleeding disorder",
    "anticoagulant": "anticoagulant or antiplatelet medication",
    "pregnancy": "pregnancy",
    "needle_phobia": "needle phobia",
    "immunosuppression": "immunosuppression or infection risk",
    "lymphoedema": "lymphoedema",
    "implanted_device": "implanted device",
    "metal_allergy": "metal allergy",
    "recent_surgery": "recent surgery",
    "diabetes": "diabetes or impaired healing",
    "epilepsy": "epilepsy",
    "malignancy": "active malignancy",
    "vascular_disease": "vascular disease",
    "skin_lesion": "local skin infection or lesion",
    "cannot_consent": "unable to give informed consent",
}

# Screens recorded before these items were asked hold None for them: "not asked", never "no".
ADDED_PRECAUTIONS = (
    "diabetes",
    "epilepsy",
    "malignancy",
    "vascular_disease",
    "skin_lesion",
    "cannot_consent",
)

_ISCP = (
    "McEvoy J, et al. Guidelines for Dry Needling Practice. Irish Society of Chartered Physiotherapists, "
    "Dublin, 2012: contraindications and precautions"
)
_AHPCSA = (
    "Allied Health Professions Council of South Africa. Board Notice 121: Dry needling, section 3 "
    "(contra-indications), 2014"
)
_MCEVOY = (
    "McEvoy J. Trigger point dry needling: safety guidelines. In: Dommerholt J, Fernández-de-las-Peñas C, "
    "eds. Trigger Point Dry Needling. Churchill Livingstone, 2013, ch. 5"
)
# Where each item comes from (shown beside the question in the screen).
PRECAUTION_SOURCES: dict[str, str] = {
    "bleeding_disorder": f"{_AHPCSA} 3.2.1; {_MCEVOY}",
    "anticoagulant": f"{_AHPCSA} 3.1.5 and 3.2.1; {_MCEVOY}",
    "pregnancy": f"{_ISCP}; {_MCEVOY}",
    "needle_phobia": f"{_AHPCSA} 3.1.1; {_MCEVOY}",
    "immunosuppression": f"{_AHPCSA} 3.2.2; {_MCEVOY}",
    "lymphoedema": f"{_AHPCSA} 3.1.4 and 3.2.4; {_MCEVOY}",
    "implanted_device": f"{_ISCP}; {_MCEVOY}",
    "metal_allergy": f"{_ISCP}; {_MCEVOY}",
    "recent_surgery": f"{_ISCP}",
    "diabetes": f"{_AHPCSA} 3.2.5 (poor peripheral circulation, compromised tissue healing); {_MCEVOY}",
    "epilepsy": f"{_ISCP}; {_MCEVOY}",
    "malignancy": f"{_AHPCSA} 3.2.2; {_ISCP}",
    "vascular_disease": f"{_AHPCSA} 3.2.3 (bleeding, tissue trauma and infection); {_MCEVOY}",
    "skin_lesion": f"{_ISCP}: never needle through infected or broken skin; {_MCEVOY}",
    "cannot_consent": f"{_AHPCSA} 3.1.1 (absolute: unwilling or unable to consent); {_MCEVOY}",
}

# What happened after the last visit: field -> words.
AFTER_EFFECTS: dict[str, str] = {
    "soreness": "soreness",
    "bruising": "bruising",
    "bleeding": "bleeding",
    "fatigue": "fatigue",
    "infection": "infection",
    "pneumothorax": "suspected pneumothorax",
}

STATUSES = ("active", "latent")

SYMPTOMS: dict[str, str] = {
    "pain": "pain",
    "ache": "ache",
    "burning": "burning",
    "numbness": "numbness",
    "tingling": "tingling / pins and needles",
    "stiffness": "stiffness",
}

# How a treated point was needled: field value -> the words shown to people.
TECHNIQUES: dict[str, str] = {
    "static": "static (inserted and left in place)",
    "pistoning": "pistoning (fast in and out, with passes)",
    "other": "other",
}
# What the patient showed while a point was needled (none of them: nothing unusual).
RESPONSES: dict[str, str] = {
    "vasovagal": "vasovagal reaction (faint, pale, sweating)",
    "bleeding": "bleeding",
    "unusual_pain": "unusual pain",
    "nerve_pain": "shooting or electric pain",
}

EARLIEST_BIRTH = date(1900, 1, 1)
# Dry-needling needles are 0.12-0.35 mm thick and 7-150 mm long (acupuncture filiform needles); a value
# outside these is a typing slip.
NEEDLE_LENGTH_MM = (5.0, 150.0)
NEEDLE_GAUGE_MM = (0.10, 0.50)
MAX_DEPTH_MM = 150.0
MAX_PASSES = 100
MAX_TWITCHES = 100
MAX_MINUTES_IN = 60.0  # static needles stay in for minutes; an hour is beyond any protocol
MAX_PLANNED_VISITS = 52
NEXT_VISIT_WITHIN = timedelta(days=366)
MAX_SORENESS_HOURS = 720.0  # 30 days: post-needling soreness lasts 24-48 h; beyond a month it is not that
MAX_PPT_KPA = 2000.0  # a 20 kg algometer on a 1 cm² tip; no device reads higher
MAX_NAME = 200
MAX_TEXT = 20_000


# --- checks -----------------------------------------------------------------------------------------


def _today() -> date:
    # One day of slack: a record made just after midnight in another time zone is not "in the future".
    return date.today() + timedelta(days=1)


def check_text(name: str, value: object, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise InvalidValue(f"{name} must be text, got {quote(value)}")
    if required and not value.strip():
        raise InvalidValue(f"{name} is required")
    if len(value) > limit:
        raise InvalidValue(f"{name} is too long ({len(value):,} characters; at most {limit:,})")
    if "\x00" in value:  # PostgreSQL cannot store it, and no keyboard types it
        raise InvalidValue(f"{name} contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate ("\ud800"): half a character, which no database stores
        raise InvalidValue(f"{name} contains text that is not valid Unicode (a lone surrogate)") from None
    return value.strip() if required else value


def check_score(name: str, value: object, *, optional: bool = True) -> int | None:
    """A whole number from 0 to 10 (pain, tenderness, intensity: numeric rating scales)."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise InvalidValue(f"{name} must be a whole number from 0 to 10, got {quote(value)}")
    return value


def check_flag(name: str, value: object, *, optional: bool = False) -> bool | None:
    if value is None and optional:
        return None
    if not isinstance(value, bool):
        raise InvalidValue(f"{name} must be yes or no (true or false), got {quote(value)}")
    return value


def finite(value: object) -> float | None:
    """A JSON or Python number as a finite float, or None (not a number, infinite, NaN, or a whole
    number too large for a float: math.isfinite(10**400) raises OverflowError)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        f = float(value)
    except OverflowError:
        return None
    return f if math.isfinite(f) else None


def check_number(
    name: str, value: object, lo: float, hi: float, *, lo_open: bool = False, unit: str = ""
) -> float:
    number = finite(value)
    if number is None:
        raise InvalidValue(f"{name} must be a number, got {quote(value)}")
    if number < lo or number > hi or (lo_open and number == lo):
        low = f"more than {lo:g}" if lo_open else f"from {lo:g}"
        raise InvalidValue(f"{name} must be {low} to {hi:g}{unit}, got {number:g}")
    return number


def check_count(name: str, value: object, hi: int, *, lo: int = 0, optional: bool = True) -> int | None:
    """A whole number from `lo` to `hi` (twitch responses, passes, planned visits)."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise InvalidValue(f"{name} must be a whole number from {lo} to {hi}, got {value!r}")
    return value


def check_date(name: str, value: object, *, earliest: date | None = None, earliest_what: str = "") -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidValue(f"{name} must be a date, got {quote(value)}")
    if value > _today():
        raise InvalidValue(f"{name} {value.isoformat()} is in the future")
    if earliest is not None and value < earliest:
        raise InvalidValue(f"{name} {value.isoformat()} is before {earliest_what or earliest.isoformat()}")
    return value


def check_choice(name: str, value: object, choices: Sequence[str], *, optional: bool = False) -> object:
    if value is None and optional:
        return None
    if value not in choices:
        raise InvalidValue(f"{name} must be one of {', '.join(choices)}, got {quote(value)}")
    return value


def check_id(name: str, value: object, *, optional: bool = True) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidValue(f"{name} must be a record id (a positive whole number), got {quote(value)}")
    return value


def check_next_visit(value: object, visited_on: date) -> date:
    """The next visit: after this one (it may be in the future), within a year."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidValue(f"next visit must be a date, got {value!r}")
    if value <= visited_on:
        raise InvalidValue(
            f"next visit {value.isoformat()} is not after this visit ({visited_on.isoformat()})"
        )
    if value > visited_on + NEXT_VISIT_WITHIN:
        raise InvalidValue(f"next visit {value.isoformat()} is more than a year after this visit")
    return value


def stored(record_id: int | None) -> int:
    """The id of a record the store has given one: every record it returns (a record built here has
    none until it is added)."""
    if record_id is None:
        raise RecordsError("the record has not been stored yet")
    return record_id


def no_such_visit(patient: Patient, visit_number: int, count: int) -> RecordsError:
    """The one message for a visit number a patient does not have (the exports and the report say it)."""
    return RecordsError(
        f"{patient.name} has no visit {visit_number} ({count} visit{'s' if count != 1 else ''})"
    )


def check_after_birth(patient: Patient, when: date, what: str) -> None:
    """Refuse a dated record (visit, screen, consent) before the patient was born."""
    if when < patient.date_of_birth:
        raise InvalidValue(
            f"{what} {when.isoformat()} is before the date of birth {patient.date_of_birth.isoformat()}"
        )


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)  # normalising a frozen dataclass in __post_init__


_FIELDS: dict[type, tuple[tuple[str, Any, Any], ...]] = {}

R = TypeVar("R", bound="DataclassInstance")


def trusted(cls: type[R], **values: Any) -> R:
    """A record built from stored values without checking them again.

    They were checked when written (and the database's CHECKs hold the ranges). Checking again costs
    most of the time of listing 10,000 patients, and a rule made stricter later must never lock a
    therapist out of an old record.
    """
    if cls not in _FIELDS:
        _FIELDS[cls] = tuple((f.name, f.default, f.default_factory) for f in fields(cls))
    obj = object.__new__(cls)
    for name, default, factory in _FIELDS[cls]:
        if name in values:
            value = values[name]
        else:
            value = default if default is not MISSING else factory()
        object.__setattr__(obj, name, value)
    return obj


def editable(cls: type[DataclassInstance]) -> tuple[str, ...]:
    """The fields an update may change (not ids, owners or timestamps)."""
    fixed = {
        "id",
        "uid",
        "patient_id",
        "visit_id",
        "created_at",
        "updated_at",
        "deleted_at",
        "view",
        "x",
        "y",
        "side",
        "region_id",
        "trp_muscle",
        "trp_id",
        "trp_side",
        "trp_distance",
        "unreadable",
        "version",
    }
    return tuple(f.name for f in fields(cls) if f.name not in fixed)


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
