"""The tables of a study database (SQLAlchemy Core): a student's schedule and every answer they gave.

A study database is its own SQLite file, apart from any patient records (docs/design.md, storage).
Changing a table means a new Alembic revision in migrations/versions/ and a new REVISION here; a test
checks that the migrations build exactly these tables.

- study_cards: the FSRS state of each card the student has answered (the card's stable id, e.g.
  `zone:upper_trapezius:trp1:right`). Derived from the reviews, kept so the next card is one query.
- study_reviews: every answer, never changed or deleted: when, the card, its score, the FSRS rating,
  how long it took, in which mode (and exam).
- study_exams: a timed exam: its cards in order, its time limit, when it started and finished.
Times are UTC.
"""

from __future__ import annotations

import sqlalchemy as sa

REVISION = "s0001"
# Our own version table name: a study file is recognised as ours, and never taken for a records file.
VERSION_TABLE = "bodymap_study_version"
MODES = ("learn", "quiz", "exam")

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

cards = sa.Table(
    "study_cards",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),  # the FSRS card_id
    sa.Column("card", sa.String(160), nullable=False, unique=True),
    sa.Column("state", sa.Integer, nullable=False),  # FSRS State: 1 learning, 2 review, 3 relearning
    sa.Column("step", sa.Integer, nullable=True),
    sa.Column("stability", sa.Float, nullable=True),
    sa.Column("difficulty", sa.Float, nullable=True),
    sa.Column("due", sa.DateTime(), nullable=False),
    sa.Column("last_review", sa.DateTime(), nullable=True),
    sa.CheckConstraint("state IN (1, 2, 3)", name="state"),
    sa.Index(None, "due"),
)

exams = sa.Table(
    "study_exams",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("started_at", sa.DateTime(), nullable=False),
    sa.Column("finished_at", sa.DateTime(), nullable=True),
    sa.Column("time_limit_s", sa.Integer, nullable=False),
    sa.Column("cards", sa.Text, nullable=False),  # JSON list of card ids, in the order asked
    sa.CheckConstraint("time_limit_s > 0", name="time_limit_s"),
)

reviews = sa.Table(
    "study_reviews",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("card_id", sa.Integer, sa.ForeignKey("study_cards.id"), nullable=False),
    sa.Column("reviewed_at", sa.DateTime(), nullable=False),
    sa.Column("rating", sa.Integer, nullable=False),  # FSRS Rating: 1 again, 2 hard, 3 good, 4 easy
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("passed", sa.Boolean, nullable=False),
    sa.Column("duration_ms", sa.Integer, nullable=True),
    sa.Column("mode", sa.String(8), nullable=False),
    sa.Column("exam_id", sa.Integer, sa.ForeignKey("study_exams.id"), nullable=True),
    sa.CheckConstraint("rating IN (1, 2, 3, 4)", name="rating"),
    sa.CheckConstraint("score >= 0 AND score <= 1", name="score"),
    sa.CheckConstraint("duration_ms IS NULL OR duration_ms >= 0", name="duration_ms"),
    sa.CheckConstraint(f"mode IN ({', '.join(repr(m) for m in MODES)})", name="mode"),
    sa.Index(None, "card_id"),
    sa.Index(None, "reviewed_at"),
)
