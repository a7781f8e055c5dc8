"""Checking a value before it becomes part of a record: each check returns the value in its stored form
or raises InvalidValue with a line a therapist can act on. The records (model.py), the import and the
settings use them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import MISSING, fields
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from bodymap.core.quoting import quote

from .errors import InvalidValue, RecordsError
from .vocabulary import MAX_TEXT, NEXT_VISIT_WITHIN

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    from .model import Patient


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
