"""The history of a record: every change kept (who, when, the value before and after), and told in words.

A clinical record is amended, never overwritten. The store adds one history row for each change in the
same transaction as the change (write_path.py is the only writer, in transactions.py's _writing): an addition,
each change of stored fields (the columns that changed, before and after), each delete and restore, and
an import. Undo and redo are changes too, with their own rows ("Undo Set tenderness").

This module turns records' rows into history rows and back, and history into words for people: the
lines of the visit report's history, and "amended after the visit".
"""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, timezone
from typing import Any

from bodymap.core.chart.frame import VIEWS

from .model import AFTER_EFFECTS, FINDINGS, PRECAUTIONS, HistoryEntry, Record, Visit

# Stored columns a change does not record: bookkeeping, and what is worked out from other columns
# (a mark's nearest trigger point follows its point; the name keys follow the names).
DERIVED = frozenset(
    {
        "id",
        "updated_at",
        "version",
        "name_key",
        "sort_key",
        "trp_muscle",
        "trp_id",
        "trp_side",
        "trp_distance",
    }
)

# Columns as people say them.
WORDS: dict[str, str] = {
    "given_name": "given name",
    "family_name": "family name",
    "date_of_birth": "date of birth",
    "visited_on": "visit date",
    "complaint": "chief complaint",
    "pain_before": "pain before",
    "pain_after": "pain after",
    "after_recorded": "after-effects asked",
    "status": "trigger point",
    "twitch": "local twitch response",
    "familiar_pain": "familiar pain",
    "ppt_kpa": "pressure-pain threshold (kPa)",
    "deleted_at": "deleted",
    "region_id": "region",
    **{f"after_{k}": f"after-effect {w}" for k, w in AFTER_EFFECTS.items()},
    "after_soreness_hours": "soreness lasting (hours)",
    "after_other": "other after-effect",
    **{f"area_{v}": f"area on the {v} view" for v in VIEWS},
    **dict(PRECAUTIONS),
}


def default_recorder() -> str:
    """Who is recording when no one is named (the window names the therapist of its settings):
    $BODYMAP_RECORDER, else the computer account's user name, so that no change is anonymous."""
    given = os.environ.get("BODYMAP_RECORDER", "").strip()
    if given:
        return given[:200]
    try:
        return getpass.getuser()[:200]
    except (OSError, KeyError):  # no user name to be had (some containers)
        return ""


def jsonable(value: object) -> object:
    """A stored value as JSON: dates and times as ISO text, the rest as it is."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict[str, object], dict[str, object]]:
    """The recorded columns whose values differ, before and after (JSON values)."""
    changed = [k for k in after if k not in DERIVED and before.get(k) != after[k]]
    return ({k: jsonable(before.get(k)) for k in changed}, {k: jsonable(after[k]) for k in changed})


def entry_row(
    *,
    patient_id: int,
    visit_id: int | None,
    kind: str,
    record_id: int,
    at: datetime,
    by: str,
    action: str,
    step: str,
    before: Mapping[str, object] | None = None,
    after: Mapping[str, object] | None = None,
    version: int | None = None,
) -> dict[str, Any]:
    """A row of the history table (`version`: the record's version the change made)."""
    return {
        "patient_id": patient_id,
        "visit_id": visit_id,
        "kind": kind,
        "record_id": record_id,
        "at": at,
        "by": by[:200],
        "action": action,
        "step": step[:200],
        "before": _text(before),
        "after": _text(after),
        "version": version,
    }


def _text(values: Mapping[str, object] | None) -> str | None:
    # Sorted keys, no spaces: the same change is always the same text, so exports compare byte for byte.
    return (
        None
        if values is None
        else json.dumps(dict(values), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    )


def entry_from(row: Mapping[Any, Any]) -> HistoryEntry:
    return HistoryEntry(
        kind=row["kind"],
        record_id=row["record_id"],
        at=row["at"],
        by=row["by"],
        action=row["action"],
        step=row["step"],
        before=_values(row["before"]),
        after=_values(row["after"]),
        visit_id=row["visit_id"],
        id=row["id"],
        version=row["version"],
    )


def _values(text: str | None) -> dict[str, object] | None:
    if text is None:
        return None
    try:
        found = json.loads(text)
    except (ValueError, RecursionError):  # a damaged row: its values are lost, the entry itself is kept
        return {"unreadable": True}
    return found if isinstance(found, dict) else {"unreadable": True}


# --- in words -----------------------------------------------------------------------------------------


def local_date(at: datetime) -> date:
    """The calendar date, where this computer is, of a stored (naive UTC) time."""
    return at.replace(tzinfo=timezone.utc).astimezone().date()


def amended_after_visit(visit: Visit, entries: Iterable[HistoryEntry]) -> list[HistoryEntry]:
    """The changes to a visit, its marks and drawings made on a later day than the visit (local time):
    what the report and the window show as "amended after the visit". A visit entered late (on a later
    day than its date) is a late entry, not an amendment: what is recorded on the day it was entered is
    part of it, and only changes on a later day amend it. An import is not an amendment either (it
    moved the record, changing nothing)."""
    mine = [e for e in entries if e.visit_id == visit.id]
    day = visit.visited_on
    for e in mine:
        if e.kind == "visit" and e.action == "added":
            day = max(day, local_date(e.at))
    return [e for e in mine if e.action != "imported" and local_date(e.at) > day]


def amended_line(visit: Visit, entries: Iterable[HistoryEntry]) -> str:
    """One line for a visit amended after its day, for the report and the window ("" when it was not):
    "Amended after the visit: 3 changes, the last on 2024-03-09 by J. Brown"."""
    found = amended_after_visit(visit, entries)
    if not found:
        return ""
    last = found[-1]
    by = f" by {last.by}" if last.by else ""
    changes = f"{len(found)} change{'s' if len(found) != 1 else ''}"
    return f"Amended after the visit: {changes}, the last on {local_date(last.at).isoformat()}{by}"


def describe(entry: HistoryEntry) -> str:
    """What a change did, in words, for a line that names the item: "tenderness 5 → 7", "added",
    "moved (x 0.040 → 0.045)", "area on the back view redrawn"."""
    if entry.action == "imported":
        return "imported into these records"
    if entry.action in ("added", "deleted", "restored"):
        return entry.action
    before, after = entry.before or {}, entry.after or {}
    parts = []
    if {"x", "y"} & set(after):  # a move: the point's coordinates (and its side or region, if they changed)
        moved = ", ".join(
            f"{k} {_number(before.get(k))} → {_number(after[k])}" for k in ("x", "y") if k in after
        )
        parts.append(f"moved ({moved})")
    for key in sorted(after, key=_order):
        if key in ("x", "y"):
            continue
        name = WORDS.get(key, key.replace("_", " "))
        if key.startswith("area_"):
            parts.append(
                f"{name} {'erased' if after[key] is None else 'redrawn' if before.get(key) else 'drawn'}"
            )
        elif key in ("notes", "contact", "complaint", "other", "after_other") or (
            isinstance(after[key], str) and len(str(after[key])) > 40
        ):
            parts.append(f"{name} edited")
        else:
            parts.append(f"{name} {_value(before.get(key))} → {_value(after[key])}")
    return ", ".join(parts) if parts else "changed"


# The kinds of record as a sentence names them.
KIND_WORDS = {
    "patient": "the patient",
    "screen": "the precaution screen",
    "consent": "the consent",
    "plan": "the course plan",
    "visit": "the visit",
    "mark": "the mark",
    "drawing": "the pain drawing",
}


def when_words(at: datetime, today: date | None = None) -> str:
    """A stored (naive UTC) time as people here say it: "14:02" today, else "2024-03-08 14:02"."""
    local = at.replace(tzinfo=timezone.utc).astimezone()
    if local.date() == (today or datetime.now().astimezone().date()):
        return local.strftime("%H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def told(entry: HistoryEntry) -> str:
    """One change in one line, for someone who did not make it: "J. Brown changed the mark at 14:02
    (tenderness 5 → 7)", "J. Brown deleted the visit at 09:15"."""
    who = entry.by or "someone unnamed"
    what = KIND_WORDS.get(entry.kind, entry.kind)
    when = when_words(entry.at)
    if entry.action == "changed":
        return f"{who} changed {what} at {when} ({describe(entry)})"
    if entry.action == "imported":
        return f"{who} imported the record at {when}"
    return f"{who} {entry.action} {what} at {when}"


def conflict_text(entries: Sequence[HistoryEntry]) -> str:
    """Why a change made on an older version was refused: the newest change made since (and how many
    more), in one line."""
    if not entries:
        return "someone changed it since the version you changed; nothing was written"
    more = len(entries) - 1
    also = f", with {more} other change{'s' if more != 1 else ''}" if more else ""
    return f"{told(entries[-1])}{also}, since the version you changed; nothing was written"


def _order(key: str) -> int:
    order = (*FINDINGS, "visited_on", "pain_before", "pain_after")
    return order.index(key) if key in order else len(order)


def _number(v: object) -> str:
    return f"{v:.3f}" if isinstance(v, (int, float)) and not isinstance(v, bool) else "?"


def _value(v: object) -> str:
    if v is None:
        return "not recorded"
    if v is True:
        return "yes"
    if v is False:
        return "no"
    return str(v)


def history_lines(record: Record, visit_ids: Collection[int] | None = None) -> list[str]:
    """The record's history for people, oldest first: "2024-03-08 14:02 J. Brown: visit 2, mark 3:
    tenderness 5 → 7 (Undo Set tenderness)". Times are this computer's local time. With `visit_ids`,
    only the changes to those visits (their marks and drawings) and to what is not a visit's (the
    patient, screens, consents, plans)."""
    names: dict[tuple[str, int], str] = {("patient", record.patient.id or 0): "patient"}
    for i, s in enumerate(record.screens, 1):
        names[("screen", s.id or 0)] = f"screen {i}"
    for i, c in enumerate(record.consents, 1):
        names[("consent", c.id or 0)] = f"consent {i}"
    for i, pl in enumerate(record.plans, 1):
        names[("plan", pl.id or 0)] = f"course plan {i}"
    for n, vr in enumerate(record.visits, 1):
        names[("visit", vr.visit.id or 0)] = f"visit {n}"
        for i, m in enumerate(vr.marks, 1):
            names[("mark", m.id or 0)] = f"visit {n}, mark {i}"
        for i, d in enumerate(vr.drawings, 1):
            names[("drawing", d.id or 0)] = f"visit {n}, drawing {i}"
    out = []
    for e in record.history:
        if visit_ids is not None and e.visit_id is not None and e.visit_id not in visit_ids:
            continue
        when = e.at.replace(tzinfo=timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M")
        who = e.by or "someone unnamed"
        where = names.get((e.kind, e.record_id), e.kind)
        step = f" ({e.step})" if e.step else ""
        out.append(f"{when} {who}: {where}: {describe(e)}{step}")
    return out


__all__ = [
    "DERIVED",
    "KIND_WORDS",
    "conflict_text",
    "told",
    "when_words",
    "amended_line",
    "default_recorder",
    "amended_after_visit",
    "describe",
    "diff",
    "entry_from",
    "entry_row",
    "history_lines",
    "jsonable",
    "local_date",
]
