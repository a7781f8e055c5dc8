"""The needling session: a treated point's details on the mark (muscle, needle, depth, technique,
passes, twitch responses, familiar pain reproduced, patient responses, time in), the visit's preparation
and post-treatment steps, and the course plan.

A mark needled before this revision keeps `needled` and gets every detail NULL: a treated point with
unknown needle and depth, never a guessed one.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _mark_columns() -> tuple[sa.Column, ...]:
    return (
        sa.Column("treated_muscle", sa.String(80), nullable=True),
        sa.Column("needle_gauge_mm", sa.Float(), nullable=True),
        sa.Column("needle_length_mm", sa.Float(), nullable=True),
        sa.Column("depth_mm", sa.Float(), nullable=True),
        sa.Column("technique", sa.String(16), nullable=True),
        sa.Column("passes", sa.Integer(), nullable=True),
        sa.Column("twitches", sa.Integer(), nullable=True),
        sa.Column("treated_familiar_pain", sa.Boolean(), nullable=True),
        sa.Column("responses", sa.String(200), nullable=True),
        sa.Column("minutes", sa.Float(), nullable=True),
        sa.Column("treatment_notes", sa.Text(), nullable=True),
    )


_MARK_CHECKS = (
    ("technique", "technique IS NULL OR technique IN ('static', 'pistoning', 'other')"),
    ("depth_mm", "depth_mm IS NULL OR depth_mm > 0"),
    ("passes", "passes IS NULL OR passes >= 1"),
    ("twitches", "twitches IS NULL OR twitches >= 0"),
    ("minutes", "minutes IS NULL OR minutes >= 0"),
)


def _visit_columns() -> tuple[sa.Column, ...]:
    # Existing visits: nothing was recorded about these steps, which is what False / '' / NULL say.
    false = sa.false()
    return (
        sa.Column("positioned", sa.Boolean(), nullable=False, server_default=false),
        sa.Column("skin_prepared", sa.Boolean(), nullable=False, server_default=false),
        sa.Column("needle_gauge_mm", sa.Float(), nullable=True),
        sa.Column("needle_length_mm", sa.Float(), nullable=True),
        sa.Column("reactions", sa.Text(), nullable=False, server_default=""),
        sa.Column("advice_given", sa.Boolean(), nullable=False, server_default=false),
        sa.Column("next_visit", sa.Date(), nullable=True),
    )


def upgrade() -> None:
    with op.batch_alter_table("marks") as batch:
        for column in _mark_columns():
            batch.add_column(column)
        for name, condition in _MARK_CHECKS:
            batch.create_check_constraint(op.f(f"ck_marks_{name}"), condition)
    # Plain ADD COLUMN, never a batch copy of `visits`: SQLite would drop and re-create the table, which
    # marks and drawings reference (a FOREIGN KEY failure). The defaults stay, for rows written by an
    # older copy of bodymap still open on the same file.
    for column in _visit_columns():
        op.add_column("visits", column)
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("goal", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("visits >= 1", name=op.f("ck_plans_visits")),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_plans_patient_id_patients")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
    )
    op.create_index(op.f("ix_plans_patient_id_planned_on"), "plans", ["patient_id", "planned_on"])


def downgrade() -> None:
    op.drop_index(op.f("ix_plans_patient_id_planned_on"), table_name="plans")
    op.drop_table("plans")
    with op.batch_alter_table("visits") as batch:
        for column in _visit_columns():
            batch.drop_column(column.name)
    with op.batch_alter_table("marks") as batch:
        for name, _condition in _MARK_CHECKS:
            batch.drop_constraint(op.f(f"ck_marks_{name}"), type_="check")
        for column in _mark_columns():
            batch.drop_column(column.name)
