"""Backups (by hand, daily, while another copy writes), the full check, and restoring (issue 10)."""

import hashlib
import os
import socket
import sqlite3
import struct
import sys
from datetime import date, timedelta

import pytest

from bodymap.cli import main
from bodymap.core.records import Findings, Patient, RecordsError, Store, Visit, schema
from bodymap.core.records.upkeep import DAILY_KEEP, backup, check, daily_backup, restore

from .conftest import inside
from .test_durability import _writer


@pytest.fixture
def clinic(tmp_path, placer):
    path = tmp_path / "clinic.sqlite"
    with Store.open(path, placer=placer) as store:
        p = store.add_patient(Patient(given_name="Ann", family_name="Lee", date_of_birth=date(1980, 5, 1)))
        v = store.add_visit(Visit(patient_id=p.id, visited_on=date(2024, 3, 1)))
        store.add_mark(v.id, "back", *inside("back", "infraspinous", "right"), Findings(status="active"))
    return path, v.id


def _marks(path):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute("SELECT count(*) FROM marks").fetchone()[0]
    finally:
        con.close()


@pytest.mark.skipif(sys.platform == "win32", reason="the writer is killed with POSIX signals elsewhere")
def test_a_backup_taken_while_another_process_writes_opens_and_checks_out(clinic, tmp_path, placer, capsys):
    path, visit_id = clinic
    writer = _writer(path, visit_id, 100_000, "busy")
    try:
        assert writer.stdout.readline().strip() == "ready"
        acked = 0
        while acked < 50:
            acked += writer.stdout.readline().startswith("ack")
        out = tmp_path / "backup.sqlite"
        assert main(["--db", str(path), "backup", "--out", str(out)]) == 0  # mid-stream
        while acked < 100:
            acked += writer.stdout.readline().startswith("ack")
    finally:
        writer.kill()
        writer.communicate(timeout=30)
    assert capsys.readouterr().out.strip() == str(out)
    assert main(["--db", str(out), "check"]) == 0
    assert "ok" in capsys.readouterr().out
    with Store.open(out, placer=placer) as copy:
        copied = len(copy.marks(visit_id))
    assert 1 + 50 <= copied <= _marks(path)  # a consistent snapshot of a moment in between
    assert stat_mode(out) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".backup")]


def stat_mode(path):
    return path.stat().st_mode & 0o777


def test_check_names_each_problem(clinic, capsys):
    path, _ = clinic
    assert main(["--db", str(path), "check"]) == 0
    out = capsys.readouterr().out
    assert out.strip().endswith(f"ok: 1 patients, 1 visits, 1 marks, 0 drawings; schema {schema.REVISION}")
    with open(path, "r+b") as f:
        f.seek(32)
        f.write(struct.pack(">I", 999_999))
    assert main(["--db", str(path), "check"]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("header: ") and "free list" in lines[0]
    assert "bodymap restore" in lines[-1]


def test_a_damaged_database_is_not_backed_up(clinic, tmp_path):
    path, _ = clinic
    with open(path, "r+b") as f:
        f.seek(32)
        f.write(struct.pack(">I", 999_999))
    with pytest.raises(RecordsError, match="damaged"):
        backup(str(path), tmp_path / "b.sqlite")
    assert not (tmp_path / "b.sqlite").exists()


def test_daily_backups_one_a_day_the_last_week_kept(clinic, tmp_path):
    path, _ = clinic
    folder = tmp_path / "backups"
    first = date(2026, 1, 1)
    made = [daily_backup(str(path), folder, first + timedelta(days=i)) for i in range(DAILY_KEEP + 3)]
    assert all(made)
    assert daily_backup(str(path), folder, first + timedelta(days=DAILY_KEEP + 2)) is None  # once a day
    kept = sorted(p.name for p in folder.iterdir())
    assert kept == [f"clinic-{first + timedelta(days=i)}.sqlite" for i in range(3, DAILY_KEEP + 3)]
    assert check(str(folder / kept[-1])).problems == []
    assert stat_mode(folder) == 0o700


def test_restore_replaces_the_records_and_keeps_the_old_ones(clinic, tmp_path, placer, capsys):
    path, visit_id = clinic
    saved = backup(str(path), tmp_path / "saved.sqlite")
    with Store.open(path, placer=placer) as store:
        store.add_mark(visit_id, "back", *inside("back", "infraspinous", "left"))
    assert main(["--db", str(path), "restore", str(saved)]) == 0
    said = capsys.readouterr().out
    assert "restored" in said and "before-restore" in said
    with Store.open(path, placer=placer) as store:
        assert len(store.marks(visit_id)) == 1  # as at the backup
    kept = [
        p
        for p in tmp_path.iterdir()
        if ".before-restore-" in p.name and not p.name.endswith(("-wal", "-shm"))
    ]
    assert len(kept) == 1 and _marks(kept[0]) == 2  # the records as they were: renamed, not deleted


def test_restore_refuses_a_damaged_or_newer_file(clinic, tmp_path, capsys):
    path, _ = clinic
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    damaged = backup(str(path), tmp_path / "damaged.sqlite")
    with open(damaged, "r+b") as f:
        f.seek(32)
        f.write(struct.pack(">I", 999_999))
    assert main(["--db", str(path), "restore", str(damaged)]) == 1
    assert "not restored" in capsys.readouterr().err
    newer = backup(str(path), tmp_path / "newer.sqlite")
    con = sqlite3.connect(newer)
    con.execute(f"UPDATE {schema.VERSION_TABLE} SET version_num = '9999'")
    con.commit()
    con.close()
    assert main(["--db", str(path), "restore", str(newer)]) == 1
    assert "newer bodymap" in capsys.readouterr().err
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_restore_refuses_while_the_app_has_the_records_open(clinic, tmp_path):
    path, _ = clinic
    saved = backup(str(path), tmp_path / "saved.sqlite")
    lock = path.with_name(path.name + ".lock")
    lock.write_text(f"{os.getpid()}\nbodymap\n{socket.gethostname()}\n")
    with pytest.raises(RecordsError, match="open"):
        restore(saved, str(path))
    lock.write_text("999999999\nbodymap\n" + socket.gethostname() + "\n")  # a copy that crashed
    assert "restored" in restore(saved, str(path))
