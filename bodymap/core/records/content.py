"""What a record says, in words, for every place that shows it: the panel, the visit report (PDF), the
CSV and JSON exports. One implementation, so the screen and the paper never disagree.

- `in_force`: the precaution screen or consent that applied on a date;
- `precaution_lines`: the screen and consent in force, as lines that may call for care;
- `trp_label`, `region_name`: a mark's place in people's words ("Upper trapezius, TrP1 (...)"), never
  an internal id;
- `mark_rows`: a visit's marks as rows of words, with the needling warnings that applied to each
  (over which hazard, deeper than the muscle's safe depth, despite which precaution), worked out with
  the screen and consent in force on the visit's date;
- `treatment_rows`: the treated points among them, with needle, depth, technique and the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from bodymap.core.atlas import Atlas
from bodymap.core.chart.body import Body

from .model import RESPONSES, Consent, Mark, Record, Screen, Treatment, VisitRecord
from .safety import SafetyWarning, needling_warnings

T = TypeVar("T", Screen, Consent)

VIEW_NAMES = {
    "front": "front",
    "back": "back",
    "plantar": "soles",
    "head": "head (sides)",
}  # in a sentence or a cell


def in_force(items: Sequence[T], when: date | None, attr: str) -> tuple[T | None, bool]:
    """The dated record in force on `when` (the latest on or before it), else the first one after it.

    Returns (record or None, True when it dates from after `when`). `items` are oldest first and not
    deleted; `when` None means today (the latest)."""
    if not items:
        return None, False
    if when is None:
        return items[-1], False
    before = [i for i in items if getattr(i, attr) <= when]
    if before:
        return before[-1], False
    return items[0], True


def precaution_lines(
    screens: Sequence[Screen], consents: Sequence[Consent], when: date | None = None
) -> list[tuple[str, bool]]:
    """The precaution screen and the consent in force on `when` (None: now), as (line, needs care)."""
    screen, screen_later = in_force(screens, when, "screened_on")
    consent, consent_later = in_force(consents, when, "consented_on")
    lines: list[tuple[str, bool]] = []
    if screen is None:
        lines.append(("No precaution screen on record.", True))
    else:
        on = f"screened {screen.screened_on.isoformat()}"
        if screen_later:
            on += " (after this visit)"
        if screen.precautions:
            lines.append((f"{on.capitalize()}: " + "; ".join(screen.precautions) + ".", True))
        else:
            lines.append((f"No precautions on the screen ({on}).", screen_later))
        if screen.not_asked:
            lines.append(("Not asked on that screen: " + "; ".join(screen.not_asked) + ".", True))
    if consent is None:
        lines.append(("No consent to dry needling on record.", True))
    elif not consent.given:
        lines.append((f"Consent to dry needling WITHDRAWN on {consent.consented_on.isoformat()}.", True))
    elif consent_later:
        lines.append(
            (f"Consent to dry needling given on {consent.consented_on.isoformat()}, after this visit.", True)
        )
    else:
        lines.append((f"Consent to dry needling given on {consent.consented_on.isoformat()}.", False))
    return lines


def precaution_summary(screen: Screen | None, consent: Consent | None) -> tuple[str, bool]:
    """The one-line precautions banner for the patient's latest screen and consent, and whether it
    calls for care."""
    if screen is None:
        items, warn = ["no precaution screen on record"], True
    else:
        items = [p[:1].upper() + p[1:] for p in screen.precautions]
        warn = bool(items)
        items = items or [f"no precautions (screened {screen.screened_on.isoformat()})"]
        if screen.not_asked:
            items.append(f"not asked: {', '.join(screen.not_asked)}")
            warn = True
    if consent is None:
        items.append("no consent to dry needling on record")
        warn = True
    elif not consent.given:
        items.append(f"consent withdrawn {consent.consented_on.isoformat()}")
        warn = True
    else:
        items.append(f"consent {consent.consented_on.isoformat()}")
    return "Precautions: " + "; ".join(items), warn


def region_name(body: Body, mark: Mark) -> str:
    region = body[mark.view].region(mark.region_id, mark.side)
    return region.name if region is not None else mark.region_id.replace("_", " ")


def trp_label(atlas: Atlas, mark: Mark) -> str:
    """The mark's nearest atlas trigger point in words: "Upper trapezius, TrP1 (anterior border, ...)",
    with its side when it is not the mark's own (a mark on the midline)."""
    if not mark.trp_muscle:
        return ""
    muscle = atlas.muscles.get(mark.trp_muscle)
    if muscle is None:  # an atlas of another version: say what was stored, in words
        label = f"{mark.trp_muscle.replace('_', ' ').capitalize()}, {(mark.trp_id or '').replace('_', ' ')}"
    else:
        side = mark.trp_side if mark.trp_side in ("right", "left") else None
        point = next((t for t in muscle.trps(side) if t.id == mark.trp_id), None)
        label = f"{muscle.name}, {point.name if point else (mark.trp_id or '').replace('_', ' ')}"
    if mark.trp_side and mark.trp_side != mark.side:
        label += f" ({mark.trp_side})"
    return label


def yes_no(value: bool | None) -> str:
    return "—" if value is None else ("yes" if value else "no")


@dataclass(frozen=True)
class MarkRow:
    """One mark of a visit in words, as every table of marks shows it."""

    number: int  # as on the chart and in the table, from 1
    mark: Mark
    view: str  # "front", "back", "soles"
    side: str  # the patient's
    region: str
    trp: str  # the nearest trigger point in words, "" if none
    distance_cm: float | None
    status: str  # "active", "latent", "not classified"
    twitch: str  # yes / no / —
    familiar_pain: str
    referral: str
    tenderness: str  # "7/10", "—"
    ppt: str  # "320 kPa", "—"
    needled: bool
    notes: str
    warnings: tuple[SafetyWarning, ...]  # when needled: over a hazard, despite a precaution...

    @property
    def warning_text(self) -> str:
        return "; ".join(w.message for w in self.warnings)


def mark_rows(
    marks: Sequence[Mark], body: Body, atlas: Atlas, screen: Screen | None, consent: Consent | None
) -> list[MarkRow]:
    """A visit's live marks as rows, numbered as on the chart; `screen` and `consent` are those in
    force on the visit's date (in_force)."""
    rows = []
    live = [m for m in marks if m.deleted_at is None]
    for number, m in enumerate(live, 1):
        f = m.findings
        rows.append(
            MarkRow(
                number,
                m,
                VIEW_NAMES.get(m.view, m.view),
                m.side,
                region_name(body, m),
                trp_label(atlas, m),
                m.trp_distance_cm,
                f.status or "not classified",
                yes_no(f.twitch),
                yes_no(f.familiar_pain),
                yes_no(f.referral),
                "—" if f.tenderness is None else f"{f.tenderness}/10",
                "—" if f.ppt_kpa is None else f"{f.ppt_kpa:g} kPa",
                m.needled,
                f.notes,
                tuple(needling_warnings(m, screen, consent, atlas)),
            )
        )
    return rows


def visit_warnings(
    record: Record, vr: VisitRecord, atlas: Atlas | None = None
) -> dict[int, list[SafetyWarning]]:
    """The needling warnings of a visit's needled marks (by mark id), with the precaution screen and the
    consent in force on the visit's date: which marks were needled over which hazard, or despite
    which precaution. Marks with none are left out."""
    screens = [s for s in record.screens if s.deleted_at is None]
    consents = [c for c in record.consents if c.deleted_at is None]
    screen, _later = in_force(screens, vr.visit.visited_on, "screened_on")
    consent, _later = in_force(consents, vr.visit.visited_on, "consented_on")
    out = {}
    for m in vr.marks:
        found = needling_warnings(m, screen, consent, atlas)
        if found and m.id is not None:
            out[m.id] = found
    return out


def warnings_json(row: MarkRow) -> list[dict[str, Any]]:
    """A mark's needling warnings as export data (JSON)."""
    return [{"kind": w.kind, "id": w.id, "message": w.message} for w in row.warnings]


def muscle_name(atlas: Atlas, muscle_id: str | None) -> str:
    """A muscle in people's words; "" for none."""
    if not muscle_id:
        return ""
    muscle = atlas.muscles.get(muscle_id)
    return muscle.name if muscle else muscle_id.replace("_", " ").capitalize()


def technique_words(t: Treatment) -> str:
    """ "pistoning, 6 passes", "static", "—" when not recorded."""
    if t.technique is None:
        return "—"
    if t.technique == "pistoning" and t.passes is not None:
        return f"pistoning, {t.passes} pass{'es' if t.passes != 1 else ''}"
    return t.technique


@dataclass(frozen=True)
class TreatmentRow:
    """One treated point of a visit in words, as the treatment table shows it."""

    number: int  # the mark's number, as on the chart and in the marks table
    mark: Mark
    muscle: str  # the muscle needled, in words ("" when not recorded and no trigger point is near)
    side: str  # the patient's
    needle: str  # "0.25 × 30 mm", "—"
    depth: str  # "15 mm", "—"
    technique: str
    twitches: str  # "3", "—"
    familiar_pain: str  # yes / no / —
    responses: str  # "bleeding; unusual pain", "none"
    minutes: str  # "10 min", "—"
    notes: str
    warnings: tuple[SafetyWarning, ...]
    missing: tuple[str, ...]  # what the record does not say (needle, depth, technique)

    @property
    def warning_text(self) -> str:
        return "; ".join(w.message for w in self.warnings)


def treatment_rows(rows: Sequence[MarkRow], atlas: Atlas) -> list[TreatmentRow]:
    """The treated points among a visit's mark rows (mark_rows), numbered as the marks."""
    out = []
    for r in rows:
        t = r.mark.treatment
        if t is None:
            continue
        out.append(
            TreatmentRow(
                r.number,
                r.mark,
                muscle_name(atlas, r.mark.muscle),
                r.side,
                t.needle.label if t.needle else "—",
                "—" if t.depth_mm is None else f"{t.depth_mm:g} mm",
                technique_words(t),
                "—" if t.twitches is None else str(t.twitches),
                yes_no(t.familiar_pain),
                "; ".join(RESPONSES[k] for k in t.responses) or "none",
                "—" if t.minutes is None else f"{t.minutes:g} min",
                t.notes,
                r.warnings,
                t.missing,
            )
        )
    return out
