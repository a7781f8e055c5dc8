"""Alembic environment: run by bodymap.core.records.database inside the transaction it holds.

bodymap runs migrations itself, on open, with the connection in config.attributes["connection"];
the migrations then take part in the caller's transaction (BEGIN IMMEDIATE on SQLite), so two copies
of the app opening a new database at the same moment cannot both create the schema.
"""

from alembic import context

from bodymap.core.records.schema import VERSION_TABLE, metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "bodymap migrations run through bodymap.core.records.Store.open(), which passes a connection"
    )

context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    transactional_ddl=True,
    render_as_batch=True,  # SQLite cannot ALTER most things; autogenerate writes batch operations
)
with context.begin_transaction():
    context.run_migrations()
