"""The first study schema: cards (FSRS state), reviews (every answer), exams.

Revision ID: s0001
Revises:
Create Date: 2026-12-07

Written out in full rather than imported from schema.py: a migration is a snapshot.
"""

import sqlalchemy as sa
from alembic import op

revision = "s0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "study_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card", sa.String(160), nullable=False),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("stability", sa.Float(), nullable=True),
        sa.Column("difficulty", sa.Float(), nullable=True),
        sa.Column("due", sa.DateTime(), nullable=False),
        sa.Column("last_review", sa.DateTime(), nullable=True),
        sa.CheckConstraint("state IN (1, 2, 3)", name=op.f("ck_study_cards_state")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_cards")),
        sa.UniqueConstraint("card", name=op.f("uq_study_cards_card")),
    )
    op.create_index(op.f("ix_study_cards_due"), "study_cards", ["due"])
    op.create_table(
        "study_exams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("time_limit_s", sa.Integer(), nullable=False),
        sa.Column("cards", sa.Text(), nullable=False),
        sa.CheckConstraint("time_limit_s > 0", name=op.f("ck_study_exams_time_limit_s")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_exams")),
    )
    op.create_table(
        "study_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("exam_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("rating IN (1, 2, 3, 4)", name=op.f("ck_study_reviews_rating")),
        sa.CheckConstraint("score >= 0 AND score <= 1", name=op.f("ck_study_reviews_score")),
        sa.CheckConstraint(
            "duration_ms IS NULL OR duration_ms >= 0", name=op.f("ck_study_reviews_duration_ms")
        ),
        sa.CheckConstraint("mode IN ('learn', 'quiz', 'exam')", name=op.f("ck_study_reviews_mode")),
        sa.ForeignKeyConstraint(
            ["card_id"], ["study_cards.id"], name=op.f("fk_study_reviews_card_id_study_cards")
        ),
        sa.ForeignKeyConstraint(
            ["exam_id"], ["study_exams.id"], name=op.f("fk_study_reviews_exam_id_study_exams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_reviews")),
    )
    op.create_index(op.f("ix_study_reviews_card_id"), "study_reviews", ["card_id"])
    op.create_index(op.f("ix_study_reviews_reviewed_at"), "study_reviews", ["reviewed_at"])


def downgrade() -> None:
    op.drop_table("study_reviews")
    op.drop_table("study_exams")
    op.drop_table("study_cards")
