"""Alembic migrations of the records schema, run by Store.open() (no alembic.ini needed)."""
