"""The study database: its own file and migrations, apart from patient records; a file that is not a
study database is refused in one line and left byte-for-byte as it was."""

import hashlib
import os
import sqlite3
import stat

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from bodymap.core.records import RecordsError, Store
from bodymap.core.study import StudyError, StudyStore, schema
from bodymap.core.study.database import _alembic_config, default_location


def _fingerprint(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _refused(path, *words):
    before = _fingerprint(path.parent)
    with pytest.raises(StudyError) as info:
        StudyStore.open(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message and "left untouched" in message
    for w in words:
        assert w in message
    assert _fingerprint(path.parent) == before


def test_a_new_file_is_private_with_the_newest_schema(study_path, store):
    assert stat.S_IMODE(os.stat(study_path).st_mode) == 0o600
    engine = sa.create_engine(f"sqlite:///{study_path}")
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
        version = conn.execute(sa.text(f"SELECT version_num FROM {schema.VERSION_TABLE}")).scalars().all()
        journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        ctx = MigrationContext.configure(
            conn, opts={"version_table": schema.VERSION_TABLE, "compare_type": True}
        )
        diff = compare_metadata(ctx, schema.metadata)
    engine.dispose()
    assert tables == {"study_cards", "study_reviews", "study_exams", schema.VERSION_TABLE}
    assert version == [schema.REVISION] and journal == "wal"
    assert diff == []  # the migrations build exactly schema.py's tables


def test_revision_constant_is_the_alembic_head():
    assert ScriptDirectory.from_config(_alembic_config()).get_heads() == [schema.REVISION]


def test_random_bytes_are_refused(tmp_path):
    path = tmp_path / "study.sqlite"
    path.write_bytes(os.urandom(4096))
    _refused(path, "not an SQLite file")


def test_someone_elses_tables_are_refused(tmp_path):
    path = tmp_path / "notes.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (body TEXT)")
    con.commit()
    con.close()
    _refused(path, "not a bodymap study database", "notes")


def test_a_patient_records_file_is_never_taken_for_study_progress(tmp_path):
    path = tmp_path / "bodymap.sqlite"
    Store.open(path).close()
    _refused(path, "patient records")


def test_a_newer_schema_is_refused(tmp_path, clock):
    path = tmp_path / "study.sqlite"
    StudyStore.open(path).close()
    con = sqlite3.connect(path)
    con.execute(f"UPDATE {schema.VERSION_TABLE} SET version_num = 's9999'")
    con.commit()
    con.close()
    _refused(path, "newer bodymap", "s9999")


def test_default_location_is_apart_from_the_records(tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path)}
    assert default_location(env).name == "study.sqlite"
    assert default_location({"BODYMAP_STUDY_DB": "~/s.sqlite"}).name == "s.sqlite"


def test_an_answer_is_on_disk_when_recorded(study_path, store, clock):
    from fsrs import Rating

    from bodymap.core.study import Score

    store.record("name:soleus:trp1:right", Score(1, True, True, "ok"), Rating.Good, "quiz", clock(), 1200)
    # Another connection (another process) sees it at once: it was committed.
    con = sqlite3.connect(study_path)
    assert con.execute("SELECT count(*) FROM study_reviews").fetchone() == (1,)
    con.close()


def test_a_damaged_study_file_is_refused_untouched(tmp_path, clock):
    # The same checks as the records (core/records/sqlite_file.py): a damaged header is never written to.
    path = tmp_path / "study.sqlite"
    StudyStore.open(path).close()
    with open(path, "r+b") as f:
        f.seek(16)
        f.write((3000).to_bytes(2, "big"))  # a page size SQLite cannot have
    _refused(path, "damaged", "page size", "move it aside")


def test_the_records_refuse_a_study_file_and_say_what_it_is(tmp_path, clock):
    path = tmp_path / "study.sqlite"
    StudyStore.open(path).close()
    with pytest.raises(RecordsError) as info:
        Store.open(path)
    assert "a student's study answers" in str(info.value) and "left untouched" in str(info.value)
