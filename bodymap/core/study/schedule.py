"""Spaced repetition with FSRS (the `fsrs` package): each scored answer becomes a rating.

- failed (below the pass mark)  -> Again   (never Hard: FSRS takes Hard as a recall and would push a
                                            forgotten card far out; Anki manual, FSRS section)
- passed, not excellent         -> Hard
- excellent                     -> Good
- excellent and fast            -> Easy    (not in Learn mode: the pattern was just shown)

The time each answer took is recorded with it (FSRS's review_duration, in milliseconds).
"""

from __future__ import annotations

from datetime import datetime, timezone

from fsrs import Rating, Scheduler

from .scoring import Score

DESIRED_RETENTION = 0.9
# An excellent answer this quick was recalled, not worked out (ms, per card kind).
FAST_MS = {"zone": 20_000, "point": 6_000, "reverse": 15_000, "name": 6_000}


def scheduler(fuzz: bool = True) -> Scheduler:
    """The scheduler every study session uses (fuzz spreads cards learnt together over nearby days)."""
    return Scheduler(desired_retention=DESIRED_RETENTION, enable_fuzzing=fuzz)


def rating_for(kind: str, score: Score, duration_ms: int | None, mode: str = "quiz") -> Rating:
    if not score.passed:
        return Rating.Again
    if not score.excellent:
        return Rating.Hard
    fast = duration_ms is not None and duration_ms <= FAST_MS.get(kind, 0)
    return Rating.Easy if fast and mode != "learn" else Rating.Good


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
