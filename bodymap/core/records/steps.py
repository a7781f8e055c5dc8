"""The needling session's four steps, as clinics run it, and what each still misses on a visit.

Assessment (marks, a pain drawing, pain before), Preparation (the precaution screen and consent in force
on the visit's date, the patient positioned, the skin prepared, the needle chosen), Insertion (the treated
points, each with its needle, depth and technique), Post-treatment (pain after, immediate reactions,
aftercare advice given, the next visit). The steps guide, never force: a visit can be recorded in any
order, and this only says what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from .content import in_force
from .model import Record, VisitRecord

STEPS = ("Assessment", "Preparation", "Insertion", "Post-treatment")


@dataclass(frozen=True)
class Step:
    name: str  # one of STEPS
    done: tuple[str, ...]  # what is recorded, in words
    missing: tuple[str, ...]  # what is not yet, in words

    @property
    def complete(self) -> bool:
        return not self.missing


def visit_steps(record: Record, vr: VisitRecord) -> list[Step]:
    """Where the visit stands in each of the four steps."""
    v = vr.visit
    marks = [m for m in vr.marks if m.deleted_at is None]
    drawings = [d for d in vr.drawings if d.deleted_at is None]
    treated = [(n, m) for n, m in enumerate(marks, 1) if m.treatment is not None]

    def step(name: str, items: list[tuple[str, bool]]) -> Step:
        return Step(name, tuple(w for w, ok in items if ok), tuple(w for w, ok in items if not ok))

    screens = [s for s in record.screens if s.deleted_at is None]
    consents = [c for c in record.consents if c.deleted_at is None]
    screen, screen_later = in_force(screens, v.visited_on, "screened_on")
    consent, consent_later = in_force(consents, v.visited_on, "consented_on")
    chosen = v.needle is not None or any(m.treatment and m.treatment.needle for _n, m in treated)
    insertion: list[tuple[str, bool]] = [("treated points", bool(treated))]
    for n, m in treated:
        assert m.treatment is not None
        for what in m.treatment.missing:
            insertion.append((f"{what} of point {n}", False))
    return [
        step(
            "Assessment",
            [
                ("marks", bool(marks)),
                ("pain drawing", bool(drawings)),
                ("pain before", v.pain_before is not None),
            ],
        ),
        step(
            "Preparation",
            [
                ("precaution screen", screen is not None and not screen_later),
                ("consent", consent is not None and consent.given and not consent_later),
                ("positioning", v.positioned),
                ("skin preparation", v.skin_prepared),
                ("needle chosen", chosen),
            ],
        ),
        step("Insertion", insertion),
        step(
            "Post-treatment",
            [
                ("pain after", v.pain_after is not None),
                ("immediate reactions", bool(v.reactions.strip())),
                ("aftercare advice", v.advice_given),
                ("next visit", v.next_visit is not None),
            ],
        ),
    ]


__all__ = ["STEPS", "Step", "visit_steps"]
