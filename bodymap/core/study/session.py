"""Which card comes next, and what an answer does: Learn, Quiz and Exam over one deck and one store.

- Learn: cards still in their learning steps when due, then new cards (up to NEW_PER_DAY a day), most
  clinically common muscles first. The window shows the pattern first, then asks for it.
- Quiz: every due card, the most overdue first, with immediate feedback.
- Exam: a fixed, timed, mixed set (kinds and body areas in turn), no feedback until the end; results by
  body area and by card kind.
Consecutive cards come from different body areas whenever the queue allows (interleaving).
Every answer is recorded at once, with its FSRS rating and the time it took.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fsrs import Rating, State

from bodymap.core.atlas import AREAS

from .answers import Answer
from .cards import KINDS, Card, Deck, Kind
from .grading import Grader
from .schedule import rating_for, utcnow
from .scoring import Score
from .store import StudyStore

NEW_PER_DAY = 20
EXAM_CARDS = 20
EXAM_MINUTES = 15
MODES = ("learn", "quiz", "exam")


@dataclass(frozen=True)
class Outcome:
    card: Card
    score: Score
    rating: Rating
    due: datetime  # when the card comes back
    duration_ms: int | None


@dataclass(frozen=True)
class Counts:
    due: int  # answered cards due now
    new_left: int  # new cards Learn may still bring today
    answered: int  # cards answered at least once
    total: int


def interleave(cards: Iterable[Card], key: Callable[[Card], str]) -> list[Card]:
    """Round-robin over groups (body areas, kinds), keeping each group's order."""
    groups: dict[str, list[Card]] = {}
    for c in cards:
        groups.setdefault(key(c), []).append(c)
    out: list[Card] = []
    lists = list(groups.values())
    i = 0
    while any(lists):
        lst = lists[i % len(lists)]
        if lst:
            out.append(lst.pop(0))
        i += 1
    return out


def _pick(queue: list[Card], previous: Card | None) -> Card | None:
    """The first card of the queue from another body area than the previous one (else the first that
    is not the previous card, else the previous card itself when it is all there is)."""
    if not queue:
        return None
    if previous is not None:
        for c in queue:
            if c.area != previous.area and c.id != previous.id:
                return c
        for c in queue:
            if c.id != previous.id:
                return c
    return queue[0]


@dataclass
class Study:
    """One student's study over a deck: the next card, and recording answers."""

    deck: Deck
    store: StudyStore
    clock: Callable[[], datetime] = utcnow
    new_per_day: int = NEW_PER_DAY
    grader: Grader = field(init=False)
    _new_order: list[Card] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.grader = Grader(self.deck)
        self._new_order = self._order_new()

    def _order_new(self) -> list[Card]:
        """New cards: the muscles most conditions list first (upper trapezius before the plantar
        interossei); each trigger point's four kinds in turn, spread out by interleaving the areas."""
        atlas = self.deck.atlas
        listed: dict[str, int] = {}
        for c in atlas.conditions.values():
            for i, m in enumerate(c.muscles):
                listed[m] = listed.get(m, 0) + 100 - i
        muscle_rank = {
            m: i for i, m in enumerate(sorted(atlas.muscles, key=lambda m: (-listed.get(m, 0), m)))
        }
        kind_rank = {k: i for i, k in enumerate(KINDS)}
        cases = [c for c in self.deck.cards if c.condition]

        def order(c: Card) -> tuple[int, int, str, int]:
            # A trigger point's four kinds one after another in its area's queue: interleaving the
            # areas spreads them about seven cards apart.
            side = 0 if c.side == "right" else 1
            return (muscle_rank.get(c.muscle or "", 0), side, c.trp or "", kind_rank[c.kind])

        single = sorted((c for c in self.deck.cards if not c.condition), key=order)
        return interleave(single, lambda c: c.area) + cases

    # -- the queue -------------------------------------------------------------------------------

    def today_start(self) -> datetime:
        local = self.clock().astimezone()
        return local.replace(hour=0, minute=0, second=0, microsecond=0)

    def today_end(self) -> datetime:
        """The end of the student's day (local midnight): how likely a card is remembered "today"."""
        return self.today_start() + timedelta(days=1)

    def new_left(self) -> int:
        return max(0, self.new_per_day - self.store.first_answered_since(self.today_start()))

    def counts(self) -> Counts:
        states = self.store.states()
        due = sum(1 for cid, s in states.items() if cid in self.deck and s.due <= self.clock())
        answered = sum(1 for cid in states if cid in self.deck)
        return Counts(
            due, min(self.new_left(), len(self.deck.cards) - answered), answered, len(self.deck.cards)
        )

    def due_cards(self) -> list[Card]:
        return [self.deck.card(cid) for cid, _ in self.store.due(self.clock()) if cid in self.deck]

    def next_card(self, mode: str, previous: Card | None = None) -> Card | None:
        """The next card to show in Learn or Quiz mode (None: nothing to do now)."""
        if mode == "quiz":
            return _pick(self.due_cards(), previous)
        if mode != "learn":
            raise ValueError(f"next_card is for learn or quiz, not {mode!r}")
        states = self.store.states()
        now = self.clock()
        learning = [
            self.deck.card(cid)
            for cid, _ in self.store.due(now)
            if cid in self.deck and states[cid].state in (State.Learning, State.Relearning)
        ]
        picked = _pick(learning, previous)
        if picked is not None:
            return picked
        if self.new_left() <= 0:
            return None
        fresh = [c for c in self._new_order if c.id not in states]
        return _pick(fresh[:20], previous)

    def is_new(self, card: Card) -> bool:
        return self.store.state(card.id) is None

    # -- answering -------------------------------------------------------------------------------

    def answer(
        self,
        card: Card,
        answer: Answer | None,
        mode: str,
        duration_ms: int | None = None,
        exam_id: int | None = None,
    ) -> Outcome:
        """Score an answer (None: "I don't know", a failed answer), record it and reschedule the card."""
        if answer is None:
            score = Score(0.0, False, False, "not answered")
        else:
            score = self.grader.grade(card, answer)
        rating = rating_for(card.kind, score, duration_ms, mode)
        after = self.store.record(card.id, score, rating, mode, self.clock(), duration_ms, exam_id)
        return Outcome(card, score, rating, after.due, duration_ms)

    # -- exams -----------------------------------------------------------------------------------

    def start_exam(
        self,
        n: int = EXAM_CARDS,
        minutes: int = EXAM_MINUTES,
        seed: int | None = None,
        area: str | None = None,
    ) -> ExamRun:
        """A timed, mixed set: kinds and body areas in turn, cards already studied first."""
        if n < 1 or minutes < 1:
            raise ValueError("an exam has at least one card and one minute")
        rng = random.Random(seed)
        seen = set(self.store.states())
        pool = [c for c in self.deck.cards if area is None or c.area == area]
        rng.shuffle(pool)
        # Per kind: cards already studied first, body areas in turn; then the kinds in turn.
        per_kind = [
            interleave([c for c in pool if c.kind == k and c.id in seen], lambda c: c.area)
            + interleave([c for c in pool if c.kind == k and c.id not in seen], lambda c: c.area)
            for k in KINDS
        ]
        chosen = interleave([c for lst in per_kind for c in lst], lambda c: c.kind)[:n]
        at = self.clock()
        exam_id = self.store.start_exam([c.id for c in chosen], minutes * 60, at)
        return ExamRun(self, exam_id, tuple(chosen), at + timedelta(minutes=minutes))


@dataclass(frozen=True)
class Tally:
    asked: int
    answered: int
    passed: int
    mean: float  # mean score over the asked cards (an unanswered card scores 0)


@dataclass(frozen=True)
class ExamResults:
    overall: Tally
    by_area: dict[str, Tally]
    by_kind: dict[str, Tally]
    items: tuple[tuple[Card, Score | None], ...]


def _tally(items: list[tuple[Card, Score | None]]) -> Tally:
    scores = [s.score if s else 0.0 for _, s in items]
    return Tally(
        len(items),
        sum(1 for _, s in items if s is not None),
        sum(1 for _, s in items if s is not None and s.passed),
        sum(scores) / len(scores) if scores else 0.0,
    )


@dataclass
class ExamRun:
    """An exam in progress: answers are recorded (and scheduled) at once, shown only at the end."""

    study: Study
    id: int
    cards: tuple[Card, ...]
    deadline: datetime
    scores: dict[str, Score] = field(default_factory=dict)
    finished: bool = False

    def remaining(self) -> timedelta:
        return max(timedelta(0), self.deadline - self.study.clock())

    def next_card(self) -> Card | None:
        if self.finished or self.remaining() <= timedelta(0):
            return None
        return next((c for c in self.cards if c.id not in self.scores), None)

    def answer(self, card: Card, answer: Answer | None, duration_ms: int | None = None) -> None:
        if self.finished:
            raise ValueError("the exam is over")
        if card.id in self.scores:
            raise ValueError(f"card {card.id} was already answered in this exam")
        outcome = self.study.answer(card, answer, "exam", duration_ms, self.id)
        self.scores[card.id] = outcome.score

    def finish(self) -> ExamResults:
        if not self.finished:
            self.study.store.finish_exam(self.id, self.study.clock())
            self.finished = True
        items = [(c, self.scores.get(c.id)) for c in self.cards]
        by_area: dict[str, Tally] = {}
        for area in AREAS:
            got = [i for i in items if i[0].area == area]
            if got:
                by_area[area] = _tally(got)
        by_kind: dict[str, Tally] = {}
        for kind in KINDS:
            got = [i for i in items if i[0].kind == kind]
            if got:
                by_kind[kind] = _tally(got)
        return ExamResults(_tally(items), by_area, by_kind, tuple(items))


__all__ = [
    "Counts",
    "ExamResults",
    "ExamRun",
    "Kind",
    "MODES",
    "Outcome",
    "Study",
    "Tally",
    "interleave",
]
