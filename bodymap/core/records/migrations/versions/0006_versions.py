"""Clinic mode: every record's row has a version, and a change names the version it was made on, so that
no one's edit is silently overwritten when several people record on one database; each history row says
which version of its record it made. On PostgreSQL, each change is announced (NOTIFY bodymap) when it is
committed, so that every window open on the record shows it within a second.

Records stored before are at version 1; their earlier history entries have no version.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

Written out in full rather than imported from schema.py: a migration is a snapshot and must not change
when the current schema does.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("patients", "screens", "consents", "visits", "marks", "drawings", "plans")

# One notification per history row, sent by the server when the transaction commits (never for one
# rolled back), whoever wrote it: "<history id> <patient id>". Windows LISTEN on the channel `bodymap`.
NOTIFY_FUNCTION = """
CREATE OR REPLACE FUNCTION bodymap_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('bodymap', NEW.id || ' ' || NEW.patient_id);
    RETURN NULL;
END
$$
"""
NOTIFY_TRIGGER = (
    "CREATE TRIGGER history_notify AFTER INSERT ON history FOR EACH ROW EXECUTE FUNCTION bodymap_notify()"
)


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.add_column("history", sa.Column("version", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_history_kind_record_id"), "history", ["kind", "record_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(NOTIFY_FUNCTION)
        op.execute(NOTIFY_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER history_notify ON history")
        op.execute("DROP FUNCTION bodymap_notify()")
    op.drop_index(op.f("ix_history_kind_record_id"), table_name="history")
    with op.batch_alter_table("history") as batch:
        batch.drop_column("version")
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
