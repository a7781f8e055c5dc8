"""Every acknowledged mark survives a SIGKILL; two copies of the app write to one file without loss."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date

import pytest

from bodymap.core.records import Patient, Store, Visit

from .conftest import inside

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

WRITER = textwrap.dedent("""
    import sys
    from bodymap.core.records import Findings, Store
    from bodymap.core.records.placement import Placer

    path, tag = sys.argv[1], sys.argv[6]
    visit_id, x, y, count = int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
    store = Store.open(path, placer=Placer())
    print("ready", flush=True)
    for i in range(count):
        mark = store.add_mark(visit_id, "back", x + (i % 50) * 1e-5, y, Findings(notes=f"{tag} {i}"))
        print("ack", mark.id, flush=True)  # printed only once add_mark has committed
    print("done", flush=True)
""")


def _writer(path, visit_id, count, tag):
    x, y = inside("back", "infraspinous", "right")
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(visit_id), repr(x), repr(y), str(count), tag],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def ready_visit(db_path, placer):
    with Store.open(db_path, placer=placer) as store:
        p = store.add_patient(Patient(given_name="Ann", family_name="Lee", date_of_birth=date(1980, 5, 1)))
        return store.add_visit(Visit(patient_id=p.id, visited_on=date(2024, 3, 1)))


def test_every_acknowledged_mark_survives_sigkill(db_path, ready_visit, placer):
    proc = _writer(db_path, ready_visit.id, 100_000, "kill")
    acked = []
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    while len(acked) < 200:
        line = proc.stdout.readline()
        assert line.startswith("ack"), line + proc.stderr.read()
        acked.append(int(line.split()[1]))
    os.kill(proc.pid, signal.SIGKILL)  # right after a mark, mid-stream: no chance to close anything
    rest, _ = proc.communicate(timeout=30)
    acked += [int(line.split()[1]) for line in rest.splitlines() if line.startswith("ack")]
    assert proc.returncode == -signal.SIGKILL
    with Store.open(db_path, placer=placer) as store:
        stored = {m.id for m in store.marks(ready_visit.id)}
        assert store.integrity_problems() == []
    assert set(acked) <= stored
    assert len(stored) - len(acked) <= 1  # at most the one mark whose ack was not printed yet


def test_two_copies_writing_at_once(db_path, ready_visit, placer):
    count = 150
    procs = [_writer(db_path, ready_visit.id, count, tag) for tag in ("first", "second")]
    # Meanwhile this process reads and writes too, as a third copy would.
    with Store.open(db_path, placer=placer) as store:
        for i in range(30):
            store.update_visit(ready_visit.id, notes=f"note {i}")
            store.marks(ready_visit.id)
            time.sleep(0.005)
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
        assert out.count("ack") == count and out.rstrip().endswith("done")
    acked = {
        int(line.split()[1]) for out, _ in outputs for line in out.splitlines() if line.startswith("ack")
    }
    with Store.open(db_path, placer=placer) as store:
        marks = store.marks(ready_visit.id)
        assert {m.id for m in marks} == acked and len(marks) == 2 * count
        notes = sorted(m.findings.notes for m in marks)
        assert notes == sorted(f"{tag} {i}" for tag in ("first", "second") for i in range(count))
        assert store.visit(ready_visit.id).notes == "note 29"
        assert store.integrity_problems() == []


def test_a_writer_held_too_long_gives_a_clear_message(db_path, monkeypatch, placer):
    import sqlite3

    from bodymap.core.records import RecordsError, sqlite_file

    monkeypatch.setattr(sqlite_file, "BUSY_TIMEOUT", 0.2)
    with Store.open(db_path, placer=placer) as store:
        blocker = sqlite3.connect(db_path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # another copy mid-transaction, and stuck
        try:
            with pytest.raises(RecordsError) as info:
                store.add_patient(
                    Patient(given_name="Ann", family_name="Lee", date_of_birth=date(1980, 5, 1))
                )
            assert "busy" in str(info.value) and "nothing was written" in str(info.value)
            assert "\n" not in str(info.value)
            assert store.patients() == []  # readers are not blocked by a writer (WAL)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert store.add_patient(
            Patient(given_name="Ann", family_name="Lee", date_of_birth=date(1980, 5, 1))
        ).id
