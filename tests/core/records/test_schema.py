"""The database a new store makes: tables from the migrations, the schema revision, file permissions."""

import os
import stat
import subprocess
import sys
import textwrap
from datetime import date

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from bodymap.core.records import Patient, Store, schema
from bodymap.core.records.database import MIGRATIONS

from .conftest import engine_for


def test_fresh_database_has_the_schema_at_the_newest_revision(db_path, store):
    engine = sa.create_engine(f"sqlite:///{db_path}")
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
        version = conn.execute(sa.text(f"SELECT version_num FROM {schema.VERSION_TABLE}")).scalars().all()
        journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
    engine.dispose()
    assert tables == {
        "patients",
        "screens",
        "consents",
        "visits",
        "marks",
        "drawings",
        "plans",
        "history",
        schema.VERSION_TABLE,
    }
    assert version == [schema.REVISION]
    assert journal == "wal"


def test_migrations_build_exactly_the_tables_of_schema_py(location, store):
    # Autogenerate finds no difference between what the migrations made and schema.py: the two agree.
    engine = engine_for(location)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"version_table": schema.VERSION_TABLE, "compare_type": True}
        )
        diff = compare_metadata(ctx, schema.metadata)
    engine.dispose()
    assert diff == []


def test_revision_constant_is_the_alembic_head():
    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS)
    assert ScriptDirectory.from_config(cfg).get_heads() == [schema.REVISION]


def test_reopening_keeps_the_data(location, store, patient):
    store.close()
    with Store.open(location) as again:
        assert again.patient(patient.id) == patient


def test_new_database_files_are_readable_by_the_owner_only(tmp_path, placer):
    path = tmp_path / "private.sqlite"
    old = os.umask(0o022)  # a usual umask would leave new files world-readable
    try:
        with Store.open(path, placer=placer) as store:
            store.add_patient(Patient(given_name="A", family_name="B", date_of_birth=date(1990, 1, 1)))
            files = [p for p in tmp_path.iterdir() if p.name.startswith("private.sqlite")]
            assert {p.name for p in files} >= {"private.sqlite", "private.sqlite-wal", "private.sqlite-shm"}
            for p in files:
                assert stat.S_IMODE(p.stat().st_mode) == 0o600, p.name
    finally:
        os.umask(old)


def test_default_location_creates_a_private_folder(tmp_path, monkeypatch, placer):
    monkeypatch.delenv("BODYMAP_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    if sys.platform != "linux":
        return
    with Store.open(placer=placer) as store:
        assert store.where == str(tmp_path / "data" / "bodymap" / "bodymap.sqlite")
    assert stat.S_IMODE((tmp_path / "data" / "bodymap").stat().st_mode) == 0o700


def test_bodymap_db_names_the_default_database(tmp_path, monkeypatch, placer):
    monkeypatch.setenv("BODYMAP_DB", str(tmp_path / "elsewhere.sqlite"))
    with Store.open(placer=placer) as store:
        assert store.where == str(tmp_path / "elsewhere.sqlite")


def test_sqlite_url_is_a_file_like_any_other(tmp_path, placer):
    with Store.open(f"sqlite:///{tmp_path / 'by-url.sqlite'}", placer=placer) as store:
        assert store.where == str(tmp_path / "by-url.sqlite")
    assert (tmp_path / "by-url.sqlite").exists()


def test_two_copies_creating_one_new_database_at_once(tmp_path):
    # Both see no tables; BEGIN IMMEDIATE makes the second wait and then find the schema made.
    path = tmp_path / "race.sqlite"
    code = textwrap.dedent(f"""
        from bodymap.core.records import Store
        from bodymap.core.records.placement import Placer
        Store.open({str(path)!r}, placer=Placer()).close()
        print("ok")
    """)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    results = [p.communicate(timeout=60) for p in procs]
    for p, (out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0 and out.strip() == "ok", err


def test_a_copy_opening_while_another_migrates_waits_longer_than_for_a_write(tmp_path, monkeypatch):
    """A big file's migration (or a new file's, on a loaded machine) holds the write lock longer than
    any write: a second copy opening it meanwhile waits for it (MIGRATION_WAIT), not for BUSY_TIMEOUT."""
    import sqlite3
    import threading
    import time

    from bodymap.core.records import sqlite_file

    monkeypatch.setattr(sqlite_file, "BUSY_TIMEOUT", 0.2)
    path = tmp_path / "records.sqlite"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("PRAGMA journal_mode = WAL")
    other.execute("BEGIN IMMEDIATE")  # the other copy, migrating: it holds the write lock for 1 s
    released = threading.Timer(1.0, lambda: other.execute("COMMIT"))
    released.start()
    started = time.monotonic()
    with Store.open(path) as store:
        assert time.monotonic() - started >= 0.9  # it waited past BUSY_TIMEOUT, for the lock
        assert store.patients() == []
        raw = store._engine.raw_connection()  # a connection for writes, not the one that migrated
        assert raw.driver_connection.execute("PRAGMA busy_timeout").fetchone() == (200,)  # as for writes
        raw.close()
    released.join()
    other.close()


def test_schema_uses_no_sqlite_only_sql():
    # The DDL compiles for PostgreSQL too (a clinic server), with nothing dialect-specific in it.
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateIndex, CreateTable

    for table in schema.metadata.sorted_tables:
        ddl = str(CreateTable(table).compile(dialect=postgresql.dialect()))
        assert "AUTOINCREMENT" not in ddl and "PRAGMA" not in ddl
        for index in table.indexes:
            str(CreateIndex(index).compile(dialect=postgresql.dialect()))
