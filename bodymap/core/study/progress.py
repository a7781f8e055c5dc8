"""Progress: how likely the student is to remember each muscle today (FSRS retrievability at a given
time; the window asks at the end of the student's day), per muscle and side, per body area, and the
weakest first.

A muscle's retrievability is the mean over its answered cards on that side (all four kinds), so a
muscle whose zone is known but whose trigger point is not shows in between. Cards never answered do
not count as forgotten: a muscle nobody has studied yet is "not studied", not "weak".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fsrs import Card as FsrsCard
from fsrs import Scheduler

from bodymap.core.atlas import AREAS
from bodymap.core.chart.frame import Side

from .cards import Deck
from .store import StudyStore


@dataclass(frozen=True)
class MuscleProgress:
    muscle: str
    name: str
    side: Side
    area: str
    retrievability: float | None  # None: not studied on this side
    answered: int
    total: int
    due: int


@dataclass(frozen=True)
class AreaProgress:
    area: str
    name: str
    retrievability: float | None
    answered: int
    total: int
    due: int


@dataclass(frozen=True)
class Progress:
    muscles: tuple[MuscleProgress, ...]
    areas: tuple[AreaProgress, ...]
    answered: int
    total: int
    due: int
    reviews_today: int

    def weakest(self, n: int = 10) -> list[MuscleProgress]:
        """Studied muscle sides, least likely to be remembered first."""
        studied = [m for m in self.muscles if m.retrievability is not None]
        return sorted(studied, key=lambda m: (m.retrievability or 0.0, m.name, m.side))[:n]

    def of(self, muscle: str, side: Side) -> MuscleProgress | None:
        return next((m for m in self.muscles if m.muscle == muscle and m.side == side), None)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def retrievability(scheduler: Scheduler, state: FsrsCard, at: datetime) -> float:
    """FSRS's probability of recall at `at`: R = (1 + F·t/S)^D, D = -w20, F = 0.9^(1/D) - 1.

    py-fsrs's get_card_retrievability counts whole days since the last review, so every card answered
    today reads 100 %, failed or not; here t is the exact elapsed time in days, which tells this
    morning's failed card (about 85 % tonight) from this morning's easy one."""
    if state.last_review is None or state.stability is None:
        return 0.0
    decay = -float(scheduler.parameters[20])
    factor = 0.9 ** (1 / decay) - 1
    days = max(0.0, (at - state.last_review).total_seconds() / 86400)
    return float((1 + factor * days / state.stability) ** decay)


def progress(deck: Deck, store: StudyStore, at: datetime, today: datetime | None = None) -> Progress:
    states = store.states()
    r_of = {cid: retrievability(store.scheduler, s, at) for cid, s in states.items() if cid in deck}
    due_ids = {cid for cid, s in states.items() if cid in deck and s.due <= at}
    per: dict[tuple[str, str], list[str]] = {}
    per_area: dict[str, list[str]] = {}
    for c in deck.cards:
        per_area.setdefault(c.area, []).append(c.id)
        if c.muscle is not None and c.side is not None:
            per.setdefault((c.muscle, c.side), []).append(c.id)
    muscles = []
    for (mid, side), ids in per.items():
        m = deck.atlas.muscles[mid]
        got = [r_of[i] for i in ids if i in r_of]
        muscles.append(
            MuscleProgress(
                mid,
                m.name,
                side,  # type: ignore[arg-type]
                m.area,
                _mean(got),
                len(got),
                len(ids),
                sum(1 for i in ids if i in due_ids),
            )
        )
    areas = []
    for area, name in AREAS.items():
        ids = per_area.get(area, [])
        if not ids:
            continue
        got = [r_of[i] for i in ids if i in r_of]
        areas.append(
            AreaProgress(area, name, _mean(got), len(got), len(ids), sum(1 for i in ids if i in due_ids))
        )
    today_reviews = len(store.reviews(since=today)) if today is not None else 0
    return Progress(tuple(muscles), tuple(areas), len(r_of), len(deck.cards), len(due_ids), today_reviews)
