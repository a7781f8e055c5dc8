"""A file that is not a usable bodymap database is refused in one line and left byte-for-byte as it was."""

import hashlib
import os
import sqlite3

import pytest

from bodymap.core.records import RecordsError, Store, schema


def _fingerprint(folder):
    """Every file in the folder with a hash of its bytes: nothing may change, nothing may appear."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _refused(path, placer, *words):
    before = _fingerprint(path.parent)
    with pytest.raises(RecordsError) as info:
        Store.open(path, placer=placer)
    message = str(info.value)
    assert "\n" not in message and str(path) in message and "left untouched" in message
    for w in words:
        assert w in message
    assert _fingerprint(path.parent) == before
    return message


def test_random_bytes(tmp_path, placer):
    path = tmp_path / "random.sqlite"
    path.write_bytes(os.urandom(64 * 1024))
    _refused(path, placer, "not an SQLite file")


def test_random_bytes_behind_an_sqlite_header(tmp_path, placer):
    path = tmp_path / "damaged.sqlite"
    path.write_bytes(b"SQLite format 3\x00" + os.urandom(8 * 1024))
    _refused(path, placer, "damaged")


def test_someone_elses_tables(tmp_path, placer):
    path = tmp_path / "accounts.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    con.execute("INSERT INTO invoices VALUES (1, 99.5)")
    con.commit()
    con.close()
    _refused(path, placer, "not a bodymap database", "invoices")


def test_someone_elses_wal_database_gets_no_side_files(tmp_path, placer):
    path = tmp_path / "other-app.sqlite"
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE notes (body TEXT)")
    con.commit()
    con.close()
    _refused(path, placer, "not a bodymap database")  # _refused also checks no -wal / -shm appeared


def test_someone_elses_alembic_database(tmp_path, placer):
    # Another app that uses Alembic has an alembic_version table; ours is called bodymap_version.
    path = tmp_path / "other-alembic.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
    con.execute("INSERT INTO alembic_version VALUES ('0001')")
    con.commit()
    con.close()
    _refused(path, placer, "not a bodymap database")


def test_newer_schema_than_we_know(db_path, store, patient, placer):
    store.close()
    con = sqlite3.connect(db_path)
    con.execute(f"UPDATE {schema.VERSION_TABLE} SET version_num = '9999_from_the_future'")
    con.commit()
    con.close()
    message = _refused(db_path, placer, "newer bodymap", "9999_from_the_future")
    assert "update bodymap" in message


def test_a_folder_is_not_a_database(tmp_path, placer):
    with pytest.raises(RecordsError, match="not a file"):
        Store.open(tmp_path, placer=placer)


def test_missing_folder_is_not_created_for_a_given_path(tmp_path, placer):
    with pytest.raises(RecordsError, match="does not exist"):
        Store.open(tmp_path / "no" / "such" / "folder" / "x.sqlite", placer=placer)
    assert not (tmp_path / "no").exists()


def test_empty_file_becomes_a_database(tmp_path, placer):
    path = tmp_path / "empty.sqlite"
    path.write_bytes(b"")
    with Store.open(path, placer=placer) as store:
        assert store.patients() == []


def test_in_memory_databases_are_refused_clearly(placer):
    with pytest.raises(RecordsError, match="file path"):
        Store.open("sqlite://", placer=placer)


def test_unknown_server_driver_is_one_line(placer):
    with pytest.raises(RecordsError) as info:
        Store.open("nosuchdb://user:secret@host/db", placer=placer)
    assert "\n" not in str(info.value) and "secret" not in str(info.value)
