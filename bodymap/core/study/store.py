"""A student's study progress: the FSRS state of each card and every answer, in the study database.

    store = StudyStore.open()                  # $BODYMAP_STUDY_DB, else study.sqlite in the data folder
    store.record(card_id, "zone", score, rating, "quiz", at=utcnow(), duration_ms=8200)

Each answer is committed when it is given, with the card's new state, in one write transaction: a crash
loses at most the answer in progress. Reviews are never changed or deleted; the card states can be
rebuilt from them (rebuild()).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType

import sqlalchemy as sa
from fsrs import Card as FsrsCard
from fsrs import Rating, ReviewLog, Scheduler, State
from sqlalchemy.engine import Engine

from . import schema
from .database import StudyError, open_engine
from .schedule import scheduler as default_scheduler
from .scoring import Score

__all__ = ["Exam", "Review", "StudyError", "StudyStore"]


def _naive(at: datetime) -> datetime:
    """UTC without tzinfo, as stored (SQLite has no time zones)."""
    if at.tzinfo is None:
        raise ValueError("study times must be timezone-aware")
    return at.astimezone(timezone.utc).replace(tzinfo=None)


def _aware(at: datetime | None) -> datetime | None:
    return None if at is None else at.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Review:
    card: str
    reviewed_at: datetime
    rating: int
    score: float
    passed: bool
    duration_ms: int | None
    mode: str
    exam_id: int | None


@dataclass(frozen=True)
class Exam:
    id: int
    started_at: datetime
    finished_at: datetime | None
    time_limit_s: int
    cards: tuple[str, ...]


class StudyStore:
    def __init__(self, engine: Engine, path: Path, scheduler: Scheduler | None = None):
        self.engine, self.path = engine, path
        self.scheduler = scheduler or default_scheduler()

    @classmethod
    def open(cls, location: str | Path | None = None, scheduler: Scheduler | None = None) -> StudyStore:
        engine, path = open_engine(location)
        return cls(engine, path, scheduler)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> StudyStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- reading ---------------------------------------------------------------------------------

    @staticmethod
    def _fsrs(row: sa.Row[tuple[object, ...]]) -> FsrsCard:
        m = row._mapping
        return FsrsCard(
            card_id=int(m["id"]),
            state=State(int(m["state"])),
            step=m["step"],
            stability=m["stability"],
            difficulty=m["difficulty"],
            due=_aware(m["due"]),
            last_review=_aware(m["last_review"]),
        )

    def state(self, card: str) -> FsrsCard | None:
        """The card's FSRS state, or None for a card never answered."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(schema.cards).where(schema.cards.c.card == card)).first()
        return None if row is None else self._fsrs(row)

    def states(self) -> dict[str, FsrsCard]:
        """Every answered card's FSRS state."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(schema.cards)).all()
        return {str(r._mapping["card"]): self._fsrs(r) for r in rows}

    def due(self, at: datetime) -> list[tuple[str, datetime]]:
        """Answered cards due at `at`, the most overdue first."""
        c = schema.cards.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(c.card, c.due).where(c.due <= _naive(at)).order_by(c.due, c.id)
            ).all()
        return [(str(card), _aware(due) or at) for card, due in rows]

    def first_answered_since(self, since: datetime) -> int:
        """How many cards were answered for the first time at or after `since` (new cards today)."""
        r = schema.reviews.c
        first = sa.select(r.card_id, sa.func.min(r.reviewed_at).label("first")).group_by(r.card_id).subquery()
        q = sa.select(sa.func.count()).select_from(first).where(first.c.first >= _naive(since))
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar() or 0)

    def next_due(self) -> datetime | None:
        with self.engine.connect() as conn:
            due = conn.execute(sa.select(sa.func.min(schema.cards.c.due))).scalar()
        return _aware(due)

    def reviews(
        self, card: str | None = None, exam_id: int | None = None, since: datetime | None = None
    ) -> list[Review]:
        r, c = schema.reviews.c, schema.cards.c
        q = sa.select(c.card, r.reviewed_at, r.rating, r.score, r.passed, r.duration_ms, r.mode, r.exam_id)
        q = q.select_from(schema.reviews.join(schema.cards, r.card_id == c.id))
        if card is not None:
            q = q.where(c.card == card)
        if exam_id is not None:
            q = q.where(r.exam_id == exam_id)
        if since is not None:
            q = q.where(r.reviewed_at >= _naive(since))
        with self.engine.connect() as conn:
            rows = conn.execute(q.order_by(r.reviewed_at, r.id)).all()
        return [
            Review(str(a), _aware(b) or b, int(d_), float(e), bool(f), g, str(h), i)
            for a, b, d_, e, f, g, h, i in rows
        ]

    # -- writing ---------------------------------------------------------------------------------

    def _write(self) -> sa.Connection:
        return self.engine.connect().execution_options(writing=True)

    def record(
        self,
        card: str,
        score: Score,
        rating: Rating,
        mode: str,
        at: datetime,
        duration_ms: int | None = None,
        exam_id: int | None = None,
    ) -> FsrsCard:
        """Record one answer and reschedule its card, in one transaction; the card's new state."""
        if mode not in schema.MODES:
            raise ValueError(f"unknown study mode {mode!r}")
        if not 0.0 <= score.score <= 1.0:
            raise ValueError(f"a score is between 0 and 1, not {score.score}")
        if duration_ms is not None and duration_ms < 0:
            raise ValueError("an answer cannot take a negative time")
        t = schema.cards
        with self._write() as conn, conn.begin():
            # Read under the write lock: another window answering the same card waits, then sees ours.
            row = conn.execute(sa.select(t).where(t.c.card == card)).first()
            if row is None:
                new_id = conn.execute(
                    t.insert().values(card=card, state=int(State.Learning), due=_naive(at))
                ).inserted_primary_key
                assert new_id is not None
                before = FsrsCard(card_id=int(new_id[0]), due=at)
            else:
                before = self._fsrs(row)
            after, _log = self.scheduler.review_card(
                before, rating, review_datetime=at, review_duration=duration_ms
            )
            conn.execute(t.update().where(t.c.id == before.card_id).values(**self._columns(after)))
            conn.execute(
                schema.reviews.insert().values(
                    card_id=before.card_id,
                    reviewed_at=_naive(at),
                    rating=int(rating),
                    score=float(score.score),
                    passed=score.passed,
                    duration_ms=duration_ms,
                    mode=mode,
                    exam_id=exam_id,
                )
            )
        return after

    @staticmethod
    def _columns(card: FsrsCard) -> dict[str, object]:
        return {
            "state": int(card.state),
            "step": card.step,
            "stability": card.stability,
            "difficulty": card.difficulty,
            "due": _naive(card.due),
            "last_review": _naive(card.last_review) if card.last_review else None,
        }

    def rebuild(self) -> int:
        """Recompute every card's state from its reviews with this store's scheduler (after a change of
        scheduler settings); the number of cards rescheduled."""
        r, c = schema.reviews.c, schema.cards.c
        with self._write() as conn, conn.begin():
            ids = {int(i): str(k) for i, k in conn.execute(sa.select(c.id, c.card))}
            logs: dict[int, list[ReviewLog]] = {i: [] for i in ids}
            for card_id, at, rating, duration in conn.execute(
                sa.select(r.card_id, r.reviewed_at, r.rating, r.duration_ms).order_by(r.reviewed_at, r.id)
            ):
                logs[int(card_id)].append(ReviewLog(int(card_id), Rating(rating), _aware(at) or at, duration))
            for card_id, card_logs in logs.items():
                if not card_logs:
                    continue
                fresh = self.scheduler.reschedule_card(
                    FsrsCard(card_id=card_id, due=card_logs[0].review_datetime), card_logs
                )
                conn.execute(schema.cards.update().where(c.id == card_id).values(**self._columns(fresh)))
        return len(ids)

    # -- exams -----------------------------------------------------------------------------------

    def start_exam(self, cards: list[str], time_limit_s: int, at: datetime) -> int:
        if not cards:
            raise ValueError("an exam needs at least one card")
        with self._write() as conn, conn.begin():
            key = conn.execute(
                schema.exams.insert().values(
                    started_at=_naive(at), time_limit_s=int(time_limit_s), cards=json.dumps(cards)
                )
            ).inserted_primary_key
        assert key is not None
        return int(key[0])

    def finish_exam(self, exam_id: int, at: datetime) -> None:
        e = schema.exams
        with self._write() as conn, conn.begin():
            conn.execute(
                e.update().where(e.c.id == exam_id, e.c.finished_at.is_(None)).values(finished_at=_naive(at))
            )

    def exam(self, exam_id: int) -> Exam:
        e = schema.exams
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(e).where(e.c.id == exam_id)).first()
        if row is None:
            raise StudyError(f"no exam {exam_id} in the study database")
        m = row._mapping
        return Exam(
            int(m["id"]),
            _aware(m["started_at"]) or m["started_at"],
            _aware(m["finished_at"]),
            int(m["time_limit_s"]),
            tuple(json.loads(m["cards"])),
        )
