"""Records out and in: marks as CSV, a whole patient record as JSON, and that JSON imported back.

The import reads and checks everything first (every field, every mark's side against its point,
every drawing against the body) and only then writes, in one transaction: a malformed file imports
nothing and the error names the place and the problem ("visits[1].marks[0].findings.tenderness: ...").
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from bodymap import __version__
from bodymap.core.chart.frame import VIEWS
from bodymap.core.data import JsonObject
from bodymap.core.files import write_atomic

from .content import visit_warnings
from .fhir import fhir_bundle
from .model import (
    ADDED_PRECAUTIONS,
    AFTER_EFFECTS,
    PRECAUTIONS,
    AfterEffects,
    Consent,
    Drawing,
    Findings,
    InvalidValue,
    Mark,
    Needle,
    Patient,
    Plan,
    Record,
    RecordsError,
    Screen,
    Treatment,
    Visit,
    VisitRecord,
    stored,
)
from .safety import SafetyWarning

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

    from .placement import Placer
    from .store import Store

R = TypeVar("R")

FORMAT = "bodymap-record"
VERSION = 2  # 2: treated points (a mark's "treatment"), the visit's steps, course plans
READS = (1, 2)  # version 1 said only findings.needled: a treated point with nothing else known
FRAME = (
    "body frame: stature = 1.0, x = 0 on the midline, +x to the viewer's right, y up from the soles; "
    "side is always the patient's; distances in body units (1.0 = 170 cm reference stature)"
)


class MalformedImport(RecordsError):
    """A record file that cannot be imported; nothing was written."""


# --- export ---------------------------------------------------------------------------------------


def _stamp(d: datetime | None) -> str | None:
    return d.isoformat(timespec="microseconds") if d else None


def _stamps(
    r: Patient | Screen | Consent | Visit | Mark | Drawing | Plan, updated: bool = True
) -> JsonObject:
    out = {"created_at": _stamp(r.created_at)}
    if updated and isinstance(r, (Patient, Visit, Mark, Drawing, Plan)):  # screens, consents: never updated
        out["updated_at"] = _stamp(r.updated_at)
    out["deleted_at"] = _stamp(r.deleted_at)
    return out


def _mark_json(m: Mark, warnings: list[SafetyWarning]) -> JsonObject:
    trp = None
    if m.trp_muscle:
        assert m.trp_distance is not None and m.trp_distance_cm is not None  # placed with the muscle
        trp = {
            "muscle": m.trp_muscle,
            "id": m.trp_id,
            "side": m.trp_side,
            "distance": round(m.trp_distance, 6),
            "distance_cm": round(m.trp_distance_cm, 1),
        }
    f = m.findings
    return {
        "view": m.view,
        "x": m.x,
        "y": m.y,
        "side": m.side,
        "region": m.region_id,
        "trp": trp,
        "findings": {
            "status": f.status,
            "twitch": f.twitch,
            "familiar_pain": f.familiar_pain,
            "referral": f.referral,
            "tenderness": f.tenderness,
            "ppt_kpa": f.ppt_kpa,
            "notes": f.notes,
        },
        "treatment": _treatment_json(m.treatment),
        # Derived, for the reader (an import works them out again): needled over which hazard, or
        # despite which precaution in force on the visit's date.
        "needling_warnings": [{"kind": w.kind, "id": w.id, "message": w.message} for w in warnings],
        **_stamps(m),
    }


def _needle_json(n: Needle | None) -> JsonObject | None:
    return None if n is None else {"gauge_mm": n.gauge_mm, "length_mm": n.length_mm, "label": n.label}


def _treatment_json(t: Treatment | None) -> JsonObject | None:
    """A treated point; null when the mark was not needled. A field that is null was not recorded."""
    if t is None:
        return None
    return {
        "muscle": t.muscle,
        "needle": _needle_json(t.needle),
        "depth_mm": t.depth_mm,
        "technique": t.technique,
        "passes": t.passes,
        "twitches": t.twitches,
        "familiar_pain": t.familiar_pain,
        "responses": list(t.responses),
        "minutes": t.minutes,
        "notes": t.notes,
    }


def _drawing_json(d: Drawing) -> JsonObject:
    return {
        "symptom": d.symptom,
        "intensity": d.intensity,
        "notes": d.notes,
        "areas": {v: mapping(g) for v, g in d.areas.items()},
        **_stamps(d),
    }


def _visit_json(record: Record, vr: VisitRecord) -> JsonObject:
    v = vr.visit
    warnings = visit_warnings(record, vr)
    after = None
    if v.after is not None:
        after = {k: getattr(v.after, k) for k in (*AFTER_EFFECTS, "soreness_hours", "other")}
    return {
        "visited_on": v.visited_on.isoformat(),
        "therapist": v.therapist,
        "complaint": v.complaint,
        "pain_before": v.pain_before,
        "pain_after": v.pain_after,
        "notes": v.notes,
        "after": after,
        "positioned": v.positioned,
        "skin_prepared": v.skin_prepared,
        "needle": _needle_json(v.needle),
        "reactions": v.reactions,
        "advice_given": v.advice_given,
        "next_visit": v.next_visit.isoformat() if v.next_visit else None,
        **_stamps(v),
        "marks": [_mark_json(m, warnings.get(stored(m.id), [])) for m in vr.marks],
        "drawings": [_drawing_json(d) for d in vr.drawings],
    }


def record_json(record: Record) -> JsonObject:
    """A whole record as plain JSON data (deleted items included, with deleted_at)."""
    p = record.patient
    return {
        "format": FORMAT,
        "version": VERSION,
        "app": f"bodymap {__version__}",
        "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "frame": FRAME,
        "patient": {
            "uid": p.uid,
            "given_name": p.given_name,
            "family_name": p.family_name,
            "date_of_birth": p.date_of_birth.isoformat(),
            "sex": p.sex,
            "contact": p.contact,
            "notes": p.notes,
            **_stamps(p),
        },
        "screens": [
            {
                "screened_on": s.screened_on.isoformat(),
                **{k: getattr(s, k) for k in PRECAUTIONS},
                "other": s.other,
                **_stamps(s, updated=False),
            }
            for s in record.screens
        ],
        "consents": [
            {
                "consented_on": c.consented_on.isoformat(),
                "given": c.given,
                "notes": c.notes,
                **_stamps(c, updated=False),
            }
            for c in record.consents
        ],
        "plans": [
            {"planned_on": p.planned_on.isoformat(), "visits": p.visits, "goal": p.goal, **_stamps(p)}
            for p in record.plans
        ],
        "visits": [_visit_json(record, vr) for vr in record.visits],
    }


def _live_visit(record: Record, visit_number: int) -> VisitRecord:
    live = [vr for vr in record.visits if vr.visit.deleted_at is None]
    if not 1 <= visit_number <= len(live):
        raise RecordsError(
            f"patient {record.patient.id} has no visit {visit_number} "
            f"({len(live)} visit{'s' if len(live) != 1 else ''})"
        )
    return live[visit_number - 1]


def export_record(store: Store, patient_id: int, visit_number: int | None = None) -> JsonObject:
    """The JSON of a patient's record; with visit_number (1 = first), only that visit of it."""
    record = store.record(patient_id)
    if visit_number is not None:
        record = Record(
            record.patient,
            record.screens,
            record.consents,
            (_live_visit(record, visit_number),),
            record.plans,
        )
    return record_json(record)


CSV_COLUMNS = (
    "patient_uid",
    "visit",
    "visit_date",
    "mark_id",
    "view",
    "side",
    "region_id",
    "region",
    "x",
    "y",
    "trp",
    "trp_muscle",
    "trp_name",
    "trp_distance",
    "trp_distance_cm",
    "status",
    "twitch",
    "familiar_pain",
    "referral",
    "tenderness",
    "ppt_kpa",
    "notes",
    "needled",
    "treated_muscle",
    "needle",
    "needle_gauge_mm",
    "needle_length_mm",
    "depth_mm",
    "technique",
    "passes",
    "twitches",
    "needle_familiar_pain",
    "responses",
    "minutes_in",
    "treatment_notes",
    "created_at",
    "needling_warnings",
)


def _num(v: float | None) -> str:
    return "" if v is None else f"{v:g}"


def _treatment_cells(m: Mark) -> list[object]:
    t = m.treatment
    if t is None:
        return ["no", *[""] * 12]
    n = t.needle
    return [
        "yes",
        t.muscle or "",
        n.label if n else "",
        _num(n.gauge_mm if n else None),
        _num(n.length_mm if n else None),
        _num(t.depth_mm),
        t.technique or "",
        "" if t.passes is None else t.passes,
        "" if t.twitches is None else t.twitches,
        _yes_no(t.familiar_pain),
        ";".join(t.responses),
        _num(t.minutes),
        _cell(t.notes),
    ]


def _yes_no(v: bool | None) -> str:
    return "" if v is None else ("yes" if v else "no")


def _cell(text: str) -> str:
    # A spreadsheet runs a cell starting with = + - @ as a formula; a leading apostrophe stops that.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_marks_csv(
    store: Store, patient_id: int, out: SupportsWrite[str], visit_number: int | None = None
) -> int:
    """Write a patient's marks (not deleted ones) as CSV, one row per mark; returns the number of rows."""
    record = store.record(patient_id)
    placer = store.placer
    live = [vr for vr in record.visits if vr.visit.deleted_at is None]
    chosen = [(n, vr) for n, vr in enumerate(live, 1) if visit_number is None or n == visit_number]
    if visit_number is not None and not chosen:
        _live_visit(record, visit_number)  # raises the clear message
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for n, vr in chosen:
        warnings = visit_warnings(record, vr, placer.atlas)
        for m in vr.marks:
            if m.deleted_at is not None:
                continue
            region = placer.body[m.view].region(m.region_id, m.side)
            muscle = placer.atlas.muscles.get(m.trp_muscle) if m.trp_muscle else None
            trp = next((t for t in muscle.trps(m.trp_side) if t.id == m.trp_id), None) if muscle else None
            f = m.findings
            writer.writerow(
                [
                    record.patient.uid,
                    n,
                    vr.visit.visited_on.isoformat(),
                    m.id,
                    m.view,
                    m.side,
                    m.region_id,
                    region.name if region else "",
                    f"{m.x:.6f}",
                    f"{m.y:.6f}",
                    m.trp_key or "",
                    muscle.name if muscle else "",
                    trp.name if trp else "",
                    "" if m.trp_distance is None else f"{m.trp_distance:.6f}",
                    "" if m.trp_distance is None else f"{m.trp_distance_cm:.1f}",
                    f.status or "",
                    _yes_no(f.twitch),
                    _yes_no(f.familiar_pain),
                    _yes_no(f.referral),
                    "" if f.tenderness is None else f.tenderness,
                    "" if f.ppt_kpa is None else f"{f.ppt_kpa:g}",
                    _cell(f.notes),
                    *_treatment_cells(m),
                    _stamp(m.created_at) or "",
                    _cell("; ".join(w.message for w in warnings.get(stored(m.id), []))),
                ]
            )
            count += 1
    return count


def marks_csv(store: Store, patient_id: int, visit_number: int | None = None) -> str:
    buf = io.StringIO()
    write_marks_csv(store, patient_id, buf, visit_number)
    return buf.getvalue()


def export_file(
    store: Store, patient_id: int, path: str | os.PathLike[str], fmt: str, visit_number: int | None = None
) -> Path:
    """Write a patient's marks (csv), record (json) or FHIR R4 bundle (fhir) to `path`, atomically and
    readable by the owner only.

    The file appears complete or not at all: a crash mid-write leaves any earlier file as it was.
    """
    path = Path(path)
    if fmt == "csv":
        text = marks_csv(store, patient_id, visit_number)
    elif fmt == "json":
        text = json.dumps(export_record(store, patient_id, visit_number), ensure_ascii=False, indent=1) + "\n"
    elif fmt == "fhir":
        text = json.dumps(fhir_bundle(store, patient_id, visit_number), ensure_ascii=False, indent=1) + "\n"
    else:
        raise RecordsError(f"unknown export format {fmt!r}; expected csv, json or fhir")
    if not path.parent.is_dir():
        raise RecordsError(f"cannot write {path}: the folder {path.parent} does not exist")
    write_atomic(path, text.encode("utf-8"))
    return path


# --- import ---------------------------------------------------------------------------------------


class _Obj:
    """A JSON object being read, which knows where it is in the file for error messages."""

    def __init__(self, data: object, path: str):
        if not isinstance(data, dict):
            raise MalformedImport(f"{path or 'the file'}: must be an object, got {_kind(data)}")
        self.data: JsonObject = data
        self.path = path

    def at(self, key: object) -> str:
        return f"{self.path}.{key}" if self.path else str(key)

    def known(self, *keys: str) -> None:
        extra = sorted(set(self.data) - set(keys))
        if extra:
            raise MalformedImport(f"{self.at(extra[0])}: unknown field")

    def raw(self, key: str, required: bool = True, default: object = None) -> Any:  # any JSON value
        if key not in self.data:
            if required:
                raise MalformedImport(f"{self.at(key)}: missing")
            return default
        return self.data[key]

    def text(self, key: str, required: bool = True) -> str:
        v = self.raw(key, required, "")
        if not isinstance(v, str):
            raise MalformedImport(f"{self.at(key)}: must be text, got {_kind(v)}")
        return v

    def flag(self, key: str, required: bool = True, optional: bool = False) -> bool | None:
        v = self.raw(key, required, None if optional else False)
        if not (isinstance(v, bool) or (optional and v is None)):
            raise MalformedImport(
                f"{self.at(key)}: must be true or false{' or null' if optional else ''}, got {_kind(v)}"
            )
        return v

    @overload
    def number(self, key: str, required: Literal[True] = True, whole: bool = False) -> float: ...
    @overload
    def number(self, key: str, required: bool, whole: bool = False) -> float | None: ...
    def number(self, key: str, required: bool = True, whole: bool = False) -> float | None:
        v: object = self.raw(key, required, None)
        if v is None and not required:
            return None
        if (
            isinstance(v, bool)
            or not isinstance(v, int if whole else (int, float))
            or (isinstance(v, float) and not math.isfinite(v))
        ):
            raise MalformedImport(
                f"{self.at(key)}: must be a {'whole ' if whole else ''}number, got {_kind(v)}"
            )
        return v

    def day(self, key: str) -> date:
        v = self.text(key)
        try:
            return date.fromisoformat(v)
        except ValueError:
            raise MalformedImport(f"{self.at(key)}: must be a date like 2024-03-01, got {v!r}") from None

    def stamp(self, key: str) -> datetime | None:
        v = self.raw(key, False, None)
        if v is None:
            return None
        try:
            d = datetime.fromisoformat(v) if isinstance(v, str) else None
        except ValueError:
            d = None
        if d is None:
            raise MalformedImport(
                f"{self.at(key)}: must be a date and time like 2024-03-01T10:30:00, got {v!r}"
            )
        return d.astimezone(timezone.utc).replace(tzinfo=None) if d.tzinfo else d

    def items(self, key: str) -> list[Any]:
        v = self.raw(key, False, [])
        if not isinstance(v, list):
            raise MalformedImport(f"{self.at(key)}: must be a list, got {_kind(v)}")
        return v

    def build(self, cls: type[R], **kwargs: Any) -> R:
        """Make a model record, naming this place in the file if the model refuses a value."""
        try:
            return cls(**kwargs)
        except InvalidValue as exc:
            raise MalformedImport(f"{self.path or 'the file'}: {exc}") from None


def _kind(v: object) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list)):
        return "an object" if isinstance(v, dict) else "a list"
    return repr(v)


_STAMPS = ("created_at", "updated_at", "deleted_at")


def _patient(o: _Obj) -> Patient:
    o.known("uid", "given_name", "family_name", "date_of_birth", "sex", "contact", "notes", *_STAMPS)
    uid = o.text("uid", required=False)
    if uid and (len(uid) > 32 or not uid.isalnum()):
        raise MalformedImport(f"{o.at('uid')}: must be up to 32 letters and digits, got {uid!r}")
    return o.build(
        Patient,
        uid=uid,
        given_name=o.text("given_name"),
        family_name=o.text("family_name"),
        date_of_birth=o.day("date_of_birth"),
        sex=o.text("sex", required=False) or "unknown",
        contact=o.text("contact", required=False),
        notes=o.text("notes", required=False),
        created_at=o.stamp("created_at"),
        updated_at=o.stamp("updated_at"),
        deleted_at=o.stamp("deleted_at"),
    )


def _screen(o: _Obj) -> Screen:
    o.known("screened_on", *PRECAUTIONS, "other", "created_at", "deleted_at")
    return o.build(
        Screen,
        patient_id=None,
        screened_on=o.day("screened_on"),
        # An item missing from an older export was not asked: None, never "no".
        **{k: o.flag(k, required=False, optional=k in ADDED_PRECAUTIONS) for k in PRECAUTIONS},
        other=o.text("other", required=False),
        created_at=o.stamp("created_at"),
        deleted_at=o.stamp("deleted_at"),
    )


def _consent(o: _Obj) -> Consent:
    o.known("consented_on", "given", "notes", "created_at", "deleted_at")
    return o.build(
        Consent,
        patient_id=None,
        consented_on=o.day("consented_on"),
        given=o.flag("given"),
        notes=o.text("notes", required=False),
        created_at=o.stamp("created_at"),
        deleted_at=o.stamp("deleted_at"),
    )


def _needle(o: _Obj, key: str) -> Needle | None:
    raw = o.raw(key, False, None)
    if raw is None:
        return None
    n = _Obj(raw, o.at(key))
    n.known("gauge_mm", "length_mm", "label")
    return n.build(Needle, gauge_mm=n.number("gauge_mm"), length_mm=n.number("length_mm"))


def _treatment(o: _Obj) -> Treatment:
    o.known(
        "muscle", "needle", "depth_mm", "technique", "passes", "twitches", "familiar_pain", "responses",
        "minutes", "notes",
    )  # fmt: skip
    muscle = o.raw("muscle", False, None)
    if muscle is not None and not isinstance(muscle, str):
        raise MalformedImport(f"{o.at('muscle')}: must be text or null, got {_kind(muscle)}")
    technique = o.raw("technique", False, None)
    responses = o.items("responses")
    return o.build(
        Treatment,
        muscle=muscle,
        needle=_needle(o, "needle"),
        depth_mm=o.number("depth_mm", False),
        technique=technique,
        passes=o.number("passes", False, whole=True),
        twitches=o.number("twitches", False, whole=True),
        familiar_pain=o.flag("familiar_pain", False, True),
        responses=tuple(responses),
        minutes=o.number("minutes", False),
        notes=o.text("notes", required=False),
    )


def _mark(o: _Obj, visit_path: str, placer: Placer, version: int) -> Mark:
    o.known("view", "x", "y", "side", "region", "trp", "findings", "treatment", "needling_warnings", *_STAMPS)
    view, x, y, side = o.text("view"), o.number("x"), o.number("y"), o.text("side")
    try:
        placed = placer.place(view, x, y)
    except InvalidValue as exc:
        raise MalformedImport(f"{o.path}: {exc}") from None
    if side != placed.side:
        raise MalformedImport(
            f"{o.at('side')}: says {side!r} but the point lies on the patient's {placed.side} "
            f"on the {view} view"
        )
    f = _Obj(o.raw("findings", False, {}), o.at("findings"))
    old = ("needled",) if version == 1 else ()
    f.known("status", "twitch", "familiar_pain", "referral", "tenderness", "ppt_kpa", "notes", *old)
    status = f.raw("status", False, None)
    if version == 1:  # a mark needled then: a treated point with nothing else known
        treatment = Treatment() if f.flag("needled", required=False) else None
    else:
        raw = o.raw("treatment", False, None)
        treatment = None if raw is None else _treatment(_Obj(raw, o.at("treatment")))
    findings = f.build(
        Findings,
        status=status,
        twitch=f.flag("twitch", False, True),
        familiar_pain=f.flag("familiar_pain", False, True),
        referral=f.flag("referral", False, True),
        tenderness=f.number("tenderness", False, whole=True),
        ppt_kpa=f.number("ppt_kpa", False),
        notes=f.text("notes", required=False),
    )
    # The region and nearest trigger point are worked out again from the point with this atlas.
    return o.build(
        Mark,
        visit_id=None,
        view=placed.view,
        x=placed.x,
        y=placed.y,
        side=placed.side,
        region_id=placed.region_id,
        trp_muscle=placed.trp_muscle,
        trp_id=placed.trp_id,
        trp_side=placed.trp_side,
        trp_distance=placed.trp_distance,
        findings=findings,
        treatment=treatment,
        created_at=o.stamp("created_at"),
        updated_at=o.stamp("updated_at"),
        deleted_at=o.stamp("deleted_at"),
    )


def _drawing(o: _Obj, placer: Placer) -> Drawing:
    o.known("symptom", "intensity", "notes", "areas", *_STAMPS)
    a = _Obj(o.raw("areas"), o.at("areas"))
    areas: dict[str, BaseGeometry] = {}
    for view, geo in a.data.items():
        if view not in VIEWS:
            raise MalformedImport(f"{a.at(view)}: unknown view (expected {', '.join(VIEWS)})")
        try:
            geom = shape(geo)
        except Exception as exc:  # shapely says little that is useful; name the place
            raise MalformedImport(f"{a.at(view)}: not a GeoJSON polygon or multipolygon ({exc})") from None
        if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
            raise MalformedImport(
                f"{a.at(view)}: must be a GeoJSON Polygon or MultiPolygon, got {geom.geom_type}"
            )
        try:
            if placer.clip(view, geom) is not None:
                areas[view] = geom
        except InvalidValue as exc:
            raise MalformedImport(f"{a.at(view)}: {exc}") from None
    if not areas:
        raise MalformedImport(f"{a.path}: the drawing does not cover any part of the body")
    return o.build(
        Drawing,
        visit_id=None,
        symptom=o.text("symptom"),
        intensity=o.number("intensity", False, whole=True),
        notes=o.text("notes", required=False),
        areas=areas,
        created_at=o.stamp("created_at"),
        updated_at=o.stamp("updated_at"),
        deleted_at=o.stamp("deleted_at"),
    )


def _plan(o: _Obj) -> Plan:
    o.known("planned_on", "visits", "goal", *_STAMPS)
    visits = o.number("visits", whole=True)
    return o.build(
        Plan,
        patient_id=None,
        planned_on=o.day("planned_on"),
        visits=int(visits),
        goal=o.text("goal", required=False),
        created_at=o.stamp("created_at"),
        updated_at=o.stamp("updated_at"),
        deleted_at=o.stamp("deleted_at"),
    )


def _after(o: _Obj) -> AfterEffects:
    o.known(*AFTER_EFFECTS, "soreness_hours", "other")
    return o.build(
        AfterEffects,
        **{k: o.flag(k, required=False) for k in AFTER_EFFECTS},
        soreness_hours=o.number("soreness_hours", False),
        other=o.text("other", required=False),
    )


_STEPS = ("positioned", "skin_prepared", "needle", "reactions", "advice_given", "next_visit")


def _visit(o: _Obj, placer: Placer, version: int) -> VisitRecord:
    o.known(
        "visited_on",
        "therapist",
        "complaint",
        "pain_before",
        "pain_after",
        "notes",
        "after",
        "marks",
        "drawings",
        *(_STEPS if version >= 2 else ()),
        *_STAMPS,
    )
    next_visit = o.raw("next_visit", False, None)
    if next_visit is not None:
        next_visit = o.day("next_visit")
    raw_after = o.raw("after", False, None)
    after = None if raw_after is None else _after(_Obj(raw_after, o.at("after")))
    visit = o.build(
        Visit,
        patient_id=None,
        visited_on=o.day("visited_on"),
        therapist=o.text("therapist", required=False),
        complaint=o.text("complaint", required=False),
        pain_before=o.number("pain_before", False, whole=True),
        pain_after=o.number("pain_after", False, whole=True),
        notes=o.text("notes", required=False),
        after=after,
        positioned=o.flag("positioned", required=False),
        skin_prepared=o.flag("skin_prepared", required=False),
        needle=_needle(o, "needle"),
        reactions=o.text("reactions", required=False),
        advice_given=o.flag("advice_given", required=False),
        next_visit=next_visit,
        created_at=o.stamp("created_at"),
        updated_at=o.stamp("updated_at"),
        deleted_at=o.stamp("deleted_at"),
    )
    marks = tuple(
        _mark(_Obj(m, f"{o.at('marks')}[{i}]"), o.path, placer, version)
        for i, m in enumerate(o.items("marks"))
    )
    drawings = tuple(
        _drawing(_Obj(d, f"{o.at('drawings')}[{i}]"), placer) for i, d in enumerate(o.items("drawings"))
    )
    return VisitRecord(visit, marks, drawings)


_TOP = (
    "format",
    "version",
    "app",
    "exported_at",
    "frame",
    "patient",
    "screens",
    "consents",
    "plans",
    "visits",
)


def read_record(data: object, placer: Placer) -> Record:
    """Check a record's JSON data completely and build it; MalformedImport names the first problem."""
    top = _Obj(data, "")
    top.known(*_TOP)
    if top.raw("format", False) != FORMAT:
        raise MalformedImport(
            f"format: must be {FORMAT!r}, got {_kind(top.raw('format', False))} "
            "(is this a bodymap record export?)"
        )
    version = top.raw("version")
    if isinstance(version, bool) or version not in READS:
        raise MalformedImport(
            f"version: this bodymap reads versions {', '.join(map(str, READS))}, "
            f"the file is version {_kind(version)}"
        )
    if version == 1 and "plans" in top.data:
        raise MalformedImport("plans: unknown field")
    patient = _patient(_Obj(top.raw("patient"), "patient"))
    screens = tuple(_screen(_Obj(s, f"screens[{i}]")) for i, s in enumerate(top.items("screens")))
    consents = tuple(_consent(_Obj(c, f"consents[{i}]")) for i, c in enumerate(top.items("consents")))
    plans = tuple(_plan(_Obj(p, f"plans[{i}]")) for i, p in enumerate(top.items("plans")))
    visits = tuple(
        _visit(_Obj(v, f"visits[{i}]"), placer, version) for i, v in enumerate(top.items("visits"))
    )
    for i, vr in enumerate(visits):
        if vr.visit.visited_on < patient.date_of_birth:
            raise MalformedImport(
                f"visits[{i}].visited_on: {vr.visit.visited_on.isoformat()} is before the date of "
                f"birth {patient.date_of_birth.isoformat()}"
            )
    dated: tuple[tuple[str, tuple[Screen, ...] | tuple[Consent, ...] | tuple[Plan, ...], str], ...] = (
        ("screens", screens, "screened_on"),
        ("consents", consents, "consented_on"),
        ("plans", plans, "planned_on"),
    )
    for name, items, attr in dated:
        for i, item in enumerate(items):
            if getattr(item, attr) < patient.date_of_birth:
                raise MalformedImport(
                    f"{name}[{i}].{attr}: {getattr(item, attr).isoformat()} is before the date "
                    f"of birth {patient.date_of_birth.isoformat()}"
                )
    return Record(patient, screens, consents, visits, plans)


def import_record(store: Store, source: object) -> Patient:
    """Import a record exported by export_record: a file (a Path), JSON text (str or bytes), or parsed data.

    Everything is checked before anything is written, and written in one transaction: on any problem
    a MalformedImport (or RecordsError) names it and the database is exactly as it was.
    """
    name = "the record"
    if isinstance(source, os.PathLike):
        name = str(source)
        try:
            source = Path(source).read_bytes()
        except OSError as exc:
            raise MalformedImport(f"cannot read {name}: {exc.strerror}") from None
    if isinstance(source, (bytes, str)):
        try:
            data = json.loads(source)
        except UnicodeDecodeError:
            raise MalformedImport(
                f"cannot import {name}: it is not UTF-8 text; nothing was imported"
            ) from None
        except json.JSONDecodeError as exc:
            raise MalformedImport(
                f"cannot import {name}: not valid JSON ({exc.msg} at line {exc.lineno}, "
                f"column {exc.colno}); nothing was imported"
            ) from None
    else:
        data = source
    try:
        record = read_record(data, store.placer)
        return store.add_record(record)
    except MalformedImport as exc:
        raise MalformedImport(f"cannot import {name}: {exc}; nothing was imported") from None
    except InvalidValue as exc:
        raise MalformedImport(f"cannot import {name}: {exc}; nothing was imported") from None


__all__ = [
    "FORMAT",
    "VERSION",
    "MalformedImport",
    "record_json",
    "export_record",
    "write_marks_csv",
    "marks_csv",
    "export_file",
    "read_record",
    "import_record",
    "CSV_COLUMNS",
]
