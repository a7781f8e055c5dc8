"""Seeing each other's work live, and calm outages (issue 15), with two real clients: two stores on two
connections to one database (a SQLite file, or the PostgreSQL server when BODYMAP_TEST_POSTGRES is set).

The watcher tells what others committed (PostgreSQL's LISTEN/NOTIFY, SQLite's data_version), the store
reads it (Store.news), and the window's copy of the open record (OpenRecord) follows."""

import queue
import time
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from bodymap.core.records import Findings, Patient, RecordsError, Store
from bodymap.core.records import database as db
from bodymap.core.records.commands import AddMark, UpdateVisit
from bodymap.core.records.model import Unreachable
from bodymap.core.records.open_record import OpenRecord
from bodymap.core.records.watch import Watcher

from .conftest import inside

# Seconds a change has to arrive in: how fast it arrives (the "within a second or two") is
# measured in benchmarks/clinic.py (~40 ms on PostgreSQL, ~200 ms on a SQLite file); here, that it
# arrives, with room for a machine the whole suite is running on.
SEEN_WITHIN = 10.0


@pytest.fixture
def watched(store):
    """A watcher on `store` whose news and status calls are queued for the test to take."""
    news: queue.Queue = queue.Queue()
    status: queue.Queue = queue.Queue()
    watcher = Watcher(store, news.put, lambda up, why: status.put((up, why)))
    watcher.start()
    assert watcher.ready.wait(5)
    yield watcher, news, status
    watcher.stop()


def _server(location) -> bool:
    return not isinstance(location, Path)


def _take(news: queue.Queue, until: float) -> list[int]:
    """The history ids told before `until` (seconds since the epoch), all batches of them."""
    ids: list[int] = []
    while True:
        try:
            ids += news.get(timeout=max(0.0, until - time.time()) if not ids else 0.3)
        except queue.Empty:
            return ids


def test_what_another_client_changes_reaches_the_open_record(store, other, visit, watched):
    _watcher, news, _status = watched
    store.recorder = "A. Adams"
    record = OpenRecord.load(store, visit.patient_id)
    store.subscribe(record.apply)
    told = []
    store.subscribe(told.append)

    start = time.time()
    other.update_visit(visit.id, notes="referred pain to the arm", seen=other.visit(visit.id))
    mark = other.add_mark(visit.id, "back", *inside("back", "infraspinous", "right"), Findings(tenderness=6))
    changes = store.news(_take(news, start + SEEN_WITHIN))
    assert time.time() - start < SEEN_WITHIN + 0.5

    assert record.visit(visit.id).notes == "referred pain to the arm"
    assert [m.id for m in record.marks(visit.id)] == [mark.id]
    assert record.mark(mark.id).findings.tenderness == 6
    assert {c.kind for c in changes} == {"visit", "mark"} and not any(c.mine for c in changes)
    assert told == changes  # the window's views are told through the same subscription as for its own
    assert all(e.by == "B. Brown" for c in changes for e in c.history)
    assert record.record() == store.record(visit.patient_id)  # the copy is the record as stored


def test_a_clients_own_changes_are_not_news_to_it(store, visit, watched):
    _watcher, news, _status = watched
    start = time.time()
    UpdateVisit(store.visit(visit.id), pain_after=3).do(store)
    assert store.news(_take(news, start + 1.0)) == []  # told already, as its own change


def test_an_undo_by_another_client_reaches_the_open_record(store, other, visit, watched):
    _watcher, news, _status = watched
    record = OpenRecord.load(store, visit.patient_id)
    store.subscribe(record.apply)
    add = AddMark(visit.id, "back", *inside("back", "infraspinous", "left"))
    add.do(other)
    store.news(_take(news, time.time() + SEEN_WITHIN))
    assert [m.id for m in record.marks(visit.id)] == [add.id]
    add.undo(other)
    store.news(_take(news, time.time() + SEEN_WITHIN))
    assert record.marks(visit.id) == [] and record.mark(add.id).deleted_at is not None


def test_a_file_in_a_folder_with_an_odd_name_is_written_there_and_watched(tmp_path, placer):
    folder = tmp_path / "Praxis #2? 50%"
    folder.mkdir()
    with Store.open(folder / "records.sqlite", placer=placer) as mine:
        news: queue.Queue = queue.Queue()
        watcher = Watcher(mine, news.put)
        watcher.start()
        assert watcher.ready.wait(5)
        try:
            with Store.open(folder / "records.sqlite", placer=placer) as other:
                p = other.add_patient(
                    Patient(given_name="Ann", family_name="Lee", date_of_birth=date(1980, 1, 1))
                )
            assert [c.kind for c in mine.news(_take(news, time.time() + SEEN_WITHIN))] == ["patient"]
        finally:
            watcher.stop()
        assert mine.patient(p.id).given_name == "Ann"
    # The records are in that folder's file, and nowhere else (the path once ended at the '?' or '#').
    assert [f.name for f in tmp_path.iterdir()] == [folder.name]
    assert (folder / "records.sqlite").stat().st_size > 0


def test_stopping_the_watcher_ends_its_thread_at_once(store, visit):
    watcher = Watcher(store, lambda ids: None)
    watcher.start()
    assert watcher.ready.wait(5)
    start = time.time()
    watcher.stop()
    assert time.time() - start < 2.0 and not watcher._thread.is_alive()


def test_starting_while_the_server_is_down_says_so_in_one_line(tmp_path):
    url = f"postgresql+psycopg://bodymap@/bodymap?host={tmp_path}&port=1"  # no server listens there
    with pytest.raises(Unreachable) as refused:
        Store.open(url)
    assert str(refused.value).startswith("cannot reach the records server postgresql+psycopg://")
    assert "\n" not in str(refused.value)


# --- outages, on a real server --------------------------------------------------------------------


def _cut(location, who: str = "bodymap") -> int:
    """Cut every connection the clients have to the test's database (as a server restart does)."""
    admin = sa.create_engine(location, isolation_level="AUTOCOMMIT")
    name = sa.make_url(location).database
    with admin.connect() as conn:
        cut = conn.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = :name AND application_name = :who AND pid <> pg_backend_pid()"
            ),
            {"name": name, "who": who},
        ).scalar()
    admin.dispose()
    return int(cut or 0)


def test_a_lost_connection_is_said_and_the_watcher_says_when_it_is_back(
    location, store, other, visit, watched
):
    if not _server(location):
        pytest.skip("a server's connection (a SQLite file has none to lose)")
    watcher, news, status = watched
    assert _cut(location, "bodymap watcher") == 1  # its connection: the clients' own stay
    up, why = status.get(timeout=5)
    assert not up and why.startswith("the connection to the records server was lost")
    assert status.get(timeout=5) == (True, "")
    assert watcher.up
    # Watching again: what is committed from now on is told.
    start = time.time()
    other.update_visit(visit.id, notes="after the outage", seen=other.visit(visit.id))
    assert [c.kind for c in store.news(_take(news, start + SEEN_WITHIN))] == ["visit"]


def test_a_change_on_a_lost_connection_is_one_line_and_writes_nothing_and_the_next_works(
    location, store, visit
):
    if not _server(location):
        pytest.skip("a server's connection")
    store.visit(visit.id)  # a connection in the pool, which the cut makes stale
    _cut(location)
    with pytest.raises(Unreachable) as refused:
        store.update_visit(visit.id, notes="lost?", seen=visit)
    text = str(refused.value)
    assert text.startswith("cannot reach the records server") and "nothing was written" in text
    assert "\n" not in text
    assert store.visit(visit.id).notes == visit.notes  # nothing written
    assert store.update_visit(visit.id, notes="written", seen=visit).notes == "written"  # reconnected


def test_a_change_waiting_for_a_row_someone_holds_gives_up_in_one_line(location, placer, visit, monkeypatch):
    if not _server(location):
        pytest.skip("a server's lock timeout (SQLite waits for the whole file: BUSY_TIMEOUT)")
    monkeypatch.setattr(db, "LOCK_TIMEOUT", 0.3)
    impatient = Store.open(location, placer=placer)
    holder = sa.create_engine(location)
    try:
        with holder.connect() as conn, conn.begin():
            conn.execute(sa.text("SELECT id FROM visits WHERE id = :id FOR UPDATE"), {"id": visit.id})
            start = time.time()
            with pytest.raises(RecordsError) as refused:
                impatient.update_visit(visit.id, notes="waiting", seen=visit)
            assert time.time() - start < 3.0
        assert "took more than 0.3 seconds; nothing was written; try again" in str(refused.value)
        assert impatient.visit(visit.id).notes == visit.notes
    finally:
        impatient.close()
        holder.dispose()


def test_the_deadline_cuts_a_server_that_does_not_answer(location):
    if not _server(location):
        pytest.skip("a server's socket")
    engine = sa.create_engine(location)
    try:
        with engine.connect() as conn:
            start = time.time()
            with pytest.raises(sa.exc.OperationalError), db.deadline(conn, 0.3):
                conn.execute(sa.text("SELECT pg_sleep(10)"))
            assert time.time() - start < 3.0
    finally:
        engine.dispose()
