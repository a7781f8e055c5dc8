"""Every change keeps its history: a `history` table that each change adds a row to (who, when, the value
before and after), in the same transaction. Records stored before start their history with this version.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

Written out in full rather than imported from schema.py: a migration is a snapshot and must not change
when the current schema does.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _one_of(name, values):
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{name} IS NULL OR {name} IN ({listed})", name=op.f(f"ck_history_{name}"))


def upgrade() -> None:
    op.create_table(
        "history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("step", sa.String(200), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        _one_of("kind", ("patient", "screen", "consent", "plan", "visit", "mark", "drawing")),
        _one_of("action", ("added", "changed", "deleted", "restored", "imported")),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_history_patient_id_patients")),
        sa.ForeignKeyConstraint(["visit_id"], ["visits.id"], name=op.f("fk_history_visit_id_visits")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history")),
    )
    op.create_index(op.f("ix_history_patient_id_id"), "history", ["patient_id", "id"])
    op.create_index(op.f("ix_history_visit_id"), "history", ["visit_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_history_visit_id"), table_name="history")
    op.drop_index(op.f("ix_history_patient_id_id"), table_name="history")
    op.drop_table("history")
