"""The precaution screen asks six more items (diabetes or impaired healing, epilepsy, active malignancy,
vascular disease, local skin infection or lesion, unable to consent). Screens recorded before hold
NULL for them: not asked.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ADDED = ("diabetes", "epilepsy", "malignancy", "vascular_disease", "skin_lesion", "cannot_consent")


def upgrade() -> None:
    with op.batch_alter_table("screens") as batch:
        for name in ADDED:
            batch.add_column(sa.Column(name, sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("screens") as batch:
        for name in ADDED:
            batch.drop_column(name)
