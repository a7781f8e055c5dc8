"""Records out: marks as CSV, a whole patient record as JSON (importing.py reads it back), files.

A file is written whole or not at all: a full disk or a folder that refuses writing gives one line,
and any earlier file of that name stays as it was.
"""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from shapely.geometry import mapping

from bodymap import __version__
from bodymap.core.data import JsonObject
from bodymap.core.files import write_atomic

from .content import visit_warnings
from .fhir import fhir_bundle
from .model import (
    AFTER_EFFECTS,
    PRECAUTIONS,
    Consent,
    Drawing,
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
    no_such_visit,
    stored,
)
from .safety import SafetyWarning

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

    from .store import Store


FORMAT = "bodymap-record"
VERSION = (
    3  # 2: treated points (a mark's "treatment"), the visit's steps, course plans; 3: each item's history
)
READS = (1, 2, 3)  # version 1 said only findings.needled: a treated point with nothing else known
FRAME = (
    "body frame: stature = 1.0, x = 0 on the midline, +x to the viewer's right, y up from the soles; "
    "side is always the patient's; distances in body units (1.0 = 170 cm reference stature)"
)


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


def _unreadable(r: Patient | Screen | Consent | Plan | Visit | Mark | Drawing) -> JsonObject:
    """The values of a record that could not be read back from a damaged database, named (only then)."""
    return {"unreadable": list(r.unreadable)} if r.unreadable else {}


Changes = dict[tuple[str, int], list[JsonObject]]  # (kind, id) -> the item's history, oldest first


def _changes(record: Record) -> Changes:
    """The record's history, item by item: each item of the JSON carries its own ("history")."""
    out: Changes = {}
    for e in record.history:
        out.setdefault((e.kind, e.record_id), []).append(
            {
                "at": e.at.isoformat(timespec="microseconds"),
                "by": e.by,
                "action": e.action,
                "step": e.step,
                "before": dict(e.before) if e.before is not None else None,
                "after": dict(e.after) if e.after is not None else None,
            }
        )
    return out


def _mark_json(m: Mark, warnings: list[SafetyWarning], changes: Changes) -> JsonObject:
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
        **_unreadable(m),
        "history": changes.get(("mark", stored(m.id)), []),
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


def _drawing_json(d: Drawing, changes: Changes) -> JsonObject:
    return {
        "symptom": d.symptom,
        "intensity": d.intensity,
        "notes": d.notes,
        "areas": {v: mapping(g) for v, g in d.areas.items()},
        **_stamps(d),
        **_unreadable(d),
        "history": changes.get(("drawing", stored(d.id)), []),
    }


def _visit_json(record: Record, vr: VisitRecord, changes: Changes) -> JsonObject:
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
        **_unreadable(v),
        "history": changes.get(("visit", stored(v.id)), []),
        "marks": [_mark_json(m, warnings.get(stored(m.id), []), changes) for m in vr.marks],
        "drawings": [_drawing_json(d, changes) for d in vr.drawings],
    }


def record_json(record: Record) -> JsonObject:
    """A whole record as plain JSON data (deleted items included, with deleted_at), each item with its
    history."""
    p = record.patient
    changes = _changes(record)
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
            **_unreadable(p),
            "history": changes.get(("patient", stored(p.id)), []),
        },
        "screens": [
            {
                "screened_on": s.screened_on.isoformat(),
                **{k: getattr(s, k) for k in PRECAUTIONS},
                "other": s.other,
                **_stamps(s, updated=False),
                **_unreadable(s),
                "history": changes.get(("screen", stored(s.id)), []),
            }
            for s in record.screens
        ],
        "consents": [
            {
                "consented_on": c.consented_on.isoformat(),
                "given": c.given,
                "notes": c.notes,
                **_stamps(c, updated=False),
                **_unreadable(c),
                "history": changes.get(("consent", stored(c.id)), []),
            }
            for c in record.consents
        ],
        "plans": [
            {
                "planned_on": pl.planned_on.isoformat(),
                "visits": pl.visits,
                "goal": pl.goal,
                **_stamps(pl),
                **_unreadable(pl),
                "history": changes.get(("plan", stored(pl.id)), []),
            }
            for pl in record.plans
        ],
        "visits": [_visit_json(record, vr, changes) for vr in record.visits],
    }


def _live_visit(record: Record, visit_number: int) -> VisitRecord:
    live = [vr for vr in record.visits if vr.visit.deleted_at is None]
    if not 1 <= visit_number <= len(live):
        raise no_such_visit(record.patient, visit_number, len(live))
    return live[visit_number - 1]


def export_record(store: Store, patient_id: int, visit_number: int | None = None) -> JsonObject:
    """The JSON of a patient's record; with visit_number (1 = first), only that visit of it."""
    record = store.record(patient_id)
    if visit_number is not None:
        only = (_live_visit(record, visit_number),)
        record = Record(record.patient, record.screens, record.consents, only, record.plans, record.history)
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
    "unreadable",
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
    # A line break inside a cell is quoted by the writer (its line terminator is CR LF), so a note
    # "ok\r=cmd|..." stays one cell of one row and never starts a row of its own.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r", "\n") else text


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
    # RFC 4180: rows end in CR LF, and a cell holding either character is quoted.
    writer = csv.writer(out, lineterminator="\r\n")
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
                    "; ".join(m.unreadable),
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
    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as exc:  # a full disk, a folder that refuses writing: the old file is as it was
        earlier = " (the earlier file of that name is as it was)" if path.exists() else ""
        raise RecordsError(
            f"cannot write {path}: {exc.strerror or exc}; nothing was written{earlier}"
        ) from None
    return path


__all__ = [
    "FORMAT",
    "VERSION",
    "record_json",
    "export_record",
    "write_marks_csv",
    "marks_csv",
    "export_file",
    "CSV_COLUMNS",
]
