"""Alembic environment of the study database: run by bodymap.core.study.database inside the
transaction it holds (as the records' migrations are; see bodymap/core/records/migrations/env.py)."""

from alembic import context

from bodymap.core.study.schema import VERSION_TABLE, metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("study migrations run through bodymap.core.study.StudyStore.open(), with a connection")

context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    transactional_ddl=True,
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
