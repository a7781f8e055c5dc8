"""Records to table rows and back, and the text forms stored in rows (name keys, GeoJSON areas)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import shapely
import shapely.errors
import sqlalchemy as sa
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from bodymap.core.chart.frame import VIEWS, View
from bodymap.core.pain import PainArea

from .checks import trusted
from .model import (
    ADDED_PRECAUTIONS,
    FINDINGS,
    PRECAUTIONS,
    AfterEffects,
    Consent,
    Drawing,
    Findings,
    Mark,
    Needle,
    Patient,
    Plan,
    RecordsError,
    Screen,
    Treatment,
    Visit,
)

# Letters that Unicode does not decompose into a base letter plus accent.
_FOLD = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h", "ŧ": "t"}
)


def name_words(text: str) -> list[str]:
    """The words of a name as search compares them: lower case, no accents, no punctuation."""
    text = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    text = "".join(c for c in text if not unicodedata.combining(c))  # é -> e, å -> a
    # Letters of any script stay (Greek and Cyrillic names are searchable too); anything else, including
    # LIKE's own % and _, separates words, so a key never needs escaping.
    return re.sub(r"[\W_]+", " ", text).split()


_APOSTROPHES = str.maketrans("", "", "'’ʼ`")


def _key_words(name: str) -> list[str]:
    words = name_words(name)
    # O'Brien is found by "o'b", "brien" and "obr": index the words and the apostrophe-joined form.
    joined = [w for w in name_words(name.translate(_APOSTROPHES)) if w not in words]
    return words + joined


def name_key(given: str, family: str) -> str:
    # Spaces on both ends so that "LIKE '% jo%'" means "a word that starts with jo".
    return " " + " ".join(_key_words(given) + _key_words(family)) + " "


def sort_key(given: str, family: str) -> str:
    return " ".join(name_words(family)) + " , " + " ".join(name_words(given))


# --- areas --------------------------------------------------------------------------------------------


def area_text(geom: BaseGeometry) -> str:
    """A drawn area (already clipped and on the grid: Placer.clip) as GeoJSON MultiPolygon text."""
    return shapely.to_geojson(MultiPolygon([geom]) if isinstance(geom, Polygon) else geom)


def area_geometry(text: str) -> MultiPolygon:
    geom = shapely.from_geojson(text)
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    if not isinstance(geom, MultiPolygon):  # area_text() writes only areas: the row was changed outside
        raise RecordsError(f"a stored drawing area is a {geom.geom_type}, not a polygon")
    return geom


# --- rows ---------------------------------------------------------------------------------------------
# Rows are read back with trusted(): they were checked on the way in (see model.trusted). A row of a
# damaged database can hold a value that cannot be read: salvage() reads such a row column by column,
# puts a stand-in where a value cannot be read, and names it under UNREADABLE, which the records carry
# (`unreadable`), so that the rest of the record still opens and exports.

UNREADABLE = "__unreadable__"  # the key of a salvaged row that names its unreadable values

# Column names as people say them, in messages about unreadable values.
_WORDS = {
    "date_of_birth": "date of birth",
    "visited_on": "visit date",
    "screened_on": "screen date",
    "consented_on": "consent date",
    "given_name": "given name",
    "family_name": "family name",
    "pain_before": "pain before",
    "pain_after": "pain after",
    "ppt_kpa": "pressure-pain threshold",
    "created_at": "time recorded",
    "updated_at": "time last changed",
    "deleted_at": "time deleted",
    **{f"area_{v}": f"area on the {v} view" for v in VIEWS},
}
_STAND_IN_DATE = date.min  # 0001-01-01: plainly not a real date, and named unreadable
_STAND_IN_TIME = datetime.min


def _unreadable(r: Mapping[Any, Any]) -> tuple[str, ...]:
    return tuple(r.get(UNREADABLE, ()))


def salvage(table: sa.Table, raw: Sequence[object]) -> dict[str, Any]:
    """A row read raw (text as bytes, nothing converted), converted column by column as SQLAlchemy would;
    a value that cannot be converted gets a stand-in and is named under UNREADABLE."""
    row: dict[str, Any] = {}
    damaged: list[str] = []
    for column, value in zip(table.columns, raw, strict=True):
        try:
            row[column.name] = _convert(column, value)
        except (ValueError, TypeError, UnicodeDecodeError):
            damaged.append(_WORDS.get(column.name, column.name.replace("_", " ")))
            row[column.name] = _stand_in(column, value)
    row[UNREADABLE] = tuple(damaged)
    return row


def _convert(column: sa.Column[Any], value: object) -> object:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, sa.DateTime):
        return datetime.fromisoformat(_text(value))
    if isinstance(kind, sa.Date):
        return date.fromisoformat(_text(value))
    if isinstance(kind, sa.Boolean):
        if value not in (0, 1):
            raise ValueError(value)
        return bool(value)
    if isinstance(kind, sa.Integer):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(value)
        return value
    if isinstance(kind, sa.Float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(value)
        return float(value)
    return _text(value)


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8")  # strict: a changed byte that breaks UTF-8 is damage
    if isinstance(value, str):
        return value
    raise TypeError(value)


def _stand_in(column: sa.Column[Any], value: object) -> object:
    """What a record shows for a value that cannot be read: visibly not the real one."""
    kind = column.type
    if isinstance(kind, sa.DateTime):
        return _STAND_IN_TIME
    if isinstance(kind, sa.Date):
        return _STAND_IN_DATE
    if isinstance(kind, (sa.Boolean, sa.Integer, sa.Float)):
        return None if column.nullable else (False if isinstance(kind, sa.Boolean) else 0)
    if isinstance(value, bytes) and not column.name.startswith("area_"):
        return value.decode("utf-8", "replace")  # the readable rest of the text, with � for the damage
    return None if column.nullable else "?"


Row = dict[str, Any]  # a table row to write: column name -> value


def patient_row(p: Patient) -> Row:
    return {
        "uid": p.uid,
        "given_name": p.given_name,
        "family_name": p.family_name,
        "name_key": name_key(p.given_name, p.family_name),
        "sort_key": sort_key(p.given_name, p.family_name),
        "date_of_birth": p.date_of_birth,
        "sex": p.sex,
        "contact": p.contact,
        "notes": p.notes,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
        "deleted_at": p.deleted_at,
    }


def patient_from(r: Mapping[Any, Any]) -> Patient:
    return trusted(
        Patient,
        id=r["id"],
        uid=r["uid"],
        given_name=r["given_name"],
        family_name=r["family_name"],
        date_of_birth=r["date_of_birth"],
        sex=r["sex"],
        contact=r["contact"],
        notes=r["notes"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        deleted_at=r["deleted_at"],
        version=r["version"],
        unreadable=_unreadable(r),
    )


def screen_row(s: Screen) -> Row:
    row = {
        "patient_id": s.patient_id,
        "screened_on": s.screened_on,
        "other": s.other,
        "created_at": s.created_at,
        "deleted_at": s.deleted_at,
    }
    row.update({k: getattr(s, k) for k in PRECAUTIONS})
    return row


def screen_from(r: Mapping[Any, Any]) -> Screen:
    return trusted(
        Screen,
        id=r["id"],
        patient_id=r["patient_id"],
        screened_on=r["screened_on"],
        other=r["other"],
        created_at=r["created_at"],
        deleted_at=r["deleted_at"],
        version=r["version"],
        **{k: _opt_bool(r[k]) if k in ADDED_PRECAUTIONS else bool(r[k]) for k in PRECAUTIONS},
        unreadable=_unreadable(r),
    )


def consent_row(c: Consent) -> Row:
    return {
        "patient_id": c.patient_id,
        "consented_on": c.consented_on,
        "given": c.given,
        "notes": c.notes,
        "created_at": c.created_at,
        "deleted_at": c.deleted_at,
    }


def consent_from(r: Mapping[Any, Any]) -> Consent:
    return trusted(
        Consent,
        id=r["id"],
        patient_id=r["patient_id"],
        consented_on=r["consented_on"],
        given=bool(r["given"]),
        notes=r["notes"],
        created_at=r["created_at"],
        deleted_at=r["deleted_at"],
        version=r["version"],
        unreadable=_unreadable(r),
    )


_AFTER = (
    "soreness",
    "soreness_hours",
    "bruising",
    "bleeding",
    "fatigue",
    "infection",
    "pneumothorax",
    "other",
)


def visit_row(v: Visit) -> Row:
    row = {
        "patient_id": v.patient_id,
        "visited_on": v.visited_on,
        "therapist": v.therapist,
        "complaint": v.complaint,
        "pain_before": v.pain_before,
        "pain_after": v.pain_after,
        "notes": v.notes,
        "after_recorded": v.after is not None,
        "positioned": v.positioned,
        "skin_prepared": v.skin_prepared,
        **needle_row(v.needle),
        "reactions": v.reactions,
        "advice_given": v.advice_given,
        "next_visit": v.next_visit,
        "created_at": v.created_at,
        "updated_at": v.updated_at,
        "deleted_at": v.deleted_at,
    }
    row.update({f"after_{k}": (getattr(v.after, k) if v.after else None) for k in _AFTER})
    return row


def visit_from(r: Mapping[Any, Any]) -> Visit:
    after = None
    if r["after_recorded"]:
        values = {k: r[f"after_{k}"] for k in _AFTER}
        after = trusted(
            AfterEffects,
            **{
                k: (v if k in ("soreness_hours", "other") else bool(v))
                for k, v in values.items()
                if v is not None
            },
        )
    return trusted(
        Visit,
        id=r["id"],
        patient_id=r["patient_id"],
        visited_on=r["visited_on"],
        therapist=r["therapist"],
        complaint=r["complaint"],
        pain_before=r["pain_before"],
        pain_after=r["pain_after"],
        notes=r["notes"],
        after=after,
        positioned=bool(r["positioned"]),
        skin_prepared=bool(r["skin_prepared"]),
        needle=needle_from(r),
        reactions=r["reactions"],
        advice_given=bool(r["advice_given"]),
        next_visit=r["next_visit"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        deleted_at=r["deleted_at"],
        version=r["version"],
        unreadable=_unreadable(r),
    )


def mark_row(m: Mark) -> Row:
    row = {
        "visit_id": m.visit_id,
        "view": m.view,
        "x": m.x,
        "y": m.y,
        "side": m.side,
        "region_id": m.region_id,
        "trp_muscle": m.trp_muscle,
        "trp_id": m.trp_id,
        "trp_side": m.trp_side,
        "trp_distance": m.trp_distance,
        "created_at": m.created_at,
        "updated_at": m.updated_at,
        "deleted_at": m.deleted_at,
    }
    row.update(findings_row(m.findings))
    row.update(treatment_row(m.treatment))
    return row


def findings_row(f: Findings) -> Row:
    return {k: getattr(f, k) for k in FINDINGS}


def needle_row(n: Needle | None) -> Row:
    return {"needle_gauge_mm": n.gauge_mm if n else None, "needle_length_mm": n.length_mm if n else None}


def needle_from(r: Mapping[Any, Any]) -> Needle | None:
    if r["needle_gauge_mm"] is None or r["needle_length_mm"] is None:
        return None
    return trusted(Needle, gauge_mm=r["needle_gauge_mm"], length_mm=r["needle_length_mm"])


def treatment_row(t: Treatment | None) -> Row:
    """The treated point's columns of a mark row; all NULL (and needled false) for a mark not needled."""
    if t is None:
        return {
            "needled": False,
            **needle_row(None),
            **dict.fromkeys(
                (
                    "treated_muscle",
                    "depth_mm",
                    "technique",
                    "passes",
                    "twitches",
                    "treated_familiar_pain",
                    "responses",
                    "minutes",
                    "treatment_notes",
                )
            ),
        }
    return {
        "needled": True,
        "treated_muscle": t.muscle,
        **needle_row(t.needle),
        "depth_mm": t.depth_mm,
        "technique": t.technique,
        "passes": t.passes,
        "twitches": t.twitches,
        "treated_familiar_pain": t.familiar_pain,
        "responses": ",".join(t.responses),
        "minutes": t.minutes,
        "treatment_notes": t.notes,
    }


def treatment_from(r: Mapping[Any, Any]) -> Treatment | None:
    if not r["needled"]:
        return None
    return trusted(
        Treatment,
        muscle=r["treated_muscle"],
        needle=needle_from(r),
        depth_mm=r["depth_mm"],
        technique=r["technique"],
        passes=r["passes"],
        twitches=r["twitches"],
        familiar_pain=_opt_bool(r["treated_familiar_pain"]),
        responses=tuple(k for k in (r["responses"] or "").split(",") if k),
        minutes=r["minutes"],
        notes=r["treatment_notes"] or "",
    )


def _opt_bool(v: object) -> bool | None:
    return None if v is None else bool(v)


def mark_from(r: Mapping[Any, Any]) -> Mark:
    findings = trusted(
        Findings,
        status=r["status"],
        twitch=_opt_bool(r["twitch"]),
        familiar_pain=_opt_bool(r["familiar_pain"]),
        referral=_opt_bool(r["referral"]),
        tenderness=r["tenderness"],
        ppt_kpa=r["ppt_kpa"],
        notes=r["notes"],
    )
    return trusted(
        Mark,
        id=r["id"],
        visit_id=r["visit_id"],
        view=r["view"],
        x=r["x"],
        y=r["y"],
        side=r["side"],
        region_id=r["region_id"],
        trp_muscle=r["trp_muscle"],
        trp_id=r["trp_id"],
        trp_side=r["trp_side"],
        trp_distance=r["trp_distance"],
        findings=findings,
        treatment=treatment_from(r),
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        deleted_at=r["deleted_at"],
        version=r["version"],
        unreadable=_unreadable(r),
    )


def drawing_row(d: Drawing) -> Row:
    row = {
        "visit_id": d.visit_id,
        "symptom": d.symptom,
        "intensity": d.intensity,
        "notes": d.notes,
        "created_at": d.created_at,
        "updated_at": d.updated_at,
        "deleted_at": d.deleted_at,
    }
    row.update(areas_row(d.areas))
    return row


def areas_row(areas: Mapping[View, BaseGeometry]) -> Row:
    return {f"area_{v}": (area_text(areas[v]) if v in areas else None) for v in VIEWS}


def drawing_from(r: Mapping[Any, Any]) -> Drawing:
    areas: dict[View, MultiPolygon] = {}
    damaged: list[str] = []
    for v in VIEWS:
        text = r[f"area_{v}"]
        if text:
            try:
                areas[v] = area_geometry(text)
            except (shapely.errors.GEOSException, RecordsError, ValueError, TypeError):
                damaged.append(f"area on the {v} view")
    if damaged:  # the rest of the drawing (and of the record) still reads
        r = {**r, UNREADABLE: (*_unreadable(r), *damaged)}
    return trusted(
        Drawing,
        id=r["id"],
        visit_id=r["visit_id"],
        symptom=r["symptom"],
        intensity=r["intensity"],
        areas=PainArea(areas),
        notes=r["notes"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        deleted_at=r["deleted_at"],
        version=r["version"],
        unreadable=_unreadable(r),
    )


def plan_row(p: Plan) -> Row:
    return {
        "patient_id": p.patient_id,
        "planned_on": p.planned_on,
        "visits": p.visits,
        "goal": p.goal,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
        "deleted_at": p.deleted_at,
    }


def plan_from(r: Mapping[Any, Any]) -> Plan:
    return trusted(
        Plan,
        id=r["id"],
        patient_id=r["patient_id"],
        planned_on=r["planned_on"],
        visits=r["visits"],
        goal=r["goal"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        deleted_at=r["deleted_at"],
        version=r["version"],
        unreadable=_unreadable(r),
    )
