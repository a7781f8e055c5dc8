"""The head view: marks may be on it, and a pain drawing keeps an area on it.

Revision ID: 0004
Revises: 0003
Create Date: 2025-06-01

The chart gained a fourth view, `head` (both profiles of the head and neck). A mark's view may now be
`head`, and drawings get a column for the area drawn there. Written out in full (see 0001).
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _views(values):
    listed = ", ".join(f"'{v}'" for v in values)
    return f"view IS NULL OR view IN ({listed})"


def upgrade() -> None:
    with op.batch_alter_table("marks") as batch:
        batch.drop_constraint(op.f("ck_marks_view"), type_="check")
        batch.create_check_constraint(op.f("ck_marks_view"), _views(("front", "back", "plantar", "head")))
    with op.batch_alter_table("drawings") as batch:
        batch.add_column(sa.Column("area_head", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("drawings") as batch:
        batch.drop_column("area_head")
    with op.batch_alter_table("marks") as batch:
        batch.drop_constraint(op.f("ck_marks_view"), type_="check")
        batch.create_check_constraint(op.f("ck_marks_view"), _views(("front", "back", "plantar")))
