"""Read-only locations open read-only (browsing and exporting work; changes are refused with the reason),
and a full disk gives one clear line and loses nothing already stored (issue 10)."""

import contextlib
import errno
import hashlib
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event

from bodymap.cli import main
from bodymap.core.records import Findings, Patient, ReadOnly, RecordsError, Store, Visit
from bodymap.core.records.exchange import export_file, export_record

from .conftest import inside

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@contextlib.contextmanager
def tmpfs(folder: Path, size: str):
    """A small RAM disk at `folder` (root only: the tests that need one are skipped otherwise)."""
    folder.mkdir()
    if (
        not ROOT
        or subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)]).returncode
    ):
        pytest.skip("needs root to mount a small file system")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)])


@contextlib.contextmanager
def read_only(folder: Path):
    """Make `folder` read-only for this process: a read-only remount as root (root ignores permissions),
    else the permissions."""
    if ROOT:
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        try:
            yield
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(folder)], check=True)
    else:
        modes = {p: p.stat().st_mode for p in (folder, *folder.iterdir())}
        for p in modes:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)


def _records(path, placer):
    with Store.open(path, placer=placer) as store:
        p = store.add_patient(Patient(given_name="Ann", family_name="Lee", date_of_birth=date(1980, 5, 1)))
        v = store.add_visit(Visit(patient_id=p.id, visited_on=date(2024, 3, 1)))
        store.add_mark(v.id, "back", *inside("back", "infraspinous", "right"), Findings(status="active"))
    return p.id, v.id


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture
def disk(tmp_path):
    if ROOT:
        with tmpfs(tmp_path / "disk", "8m") as folder:
            yield folder
    else:
        folder = tmp_path / "disk"
        folder.mkdir()
        yield folder


def test_a_read_only_location_opens_read_only(disk, placer, tmp_path, capsys):
    # A database in a read-only folder could not even be exported.
    path = disk / "clinic.sqlite"
    pid, vid = _records(path, placer)
    before = _digest(disk)
    with read_only(disk):
        with Store.open(path, placer=placer) as store:
            assert store.read_only and "read-only" in store.read_only
            assert store.patients()[0].given_name == "Ann" and len(store.marks(vid)) == 1  # browse
            export_file(store, pid, tmp_path / "ann.json", "json")  # export
            with pytest.raises(ReadOnly) as info:
                store.add_mark(vid, "back", *inside("back", "infraspinous", "left"))
            assert "nothing was written" in str(info.value) and str(disk) in str(info.value)
            with pytest.raises(ReadOnly):
                store.update_patient(pid, notes="x")
        assert (
            main(
                [
                    "--db",
                    str(path),
                    "export",
                    "--patient",
                    str(pid),
                    "--format",
                    "csv",
                    "--out",
                    str(tmp_path / "a.csv"),
                ]
            )
            == 0
        )
        assert main(["--db", str(path), "patients"]) == 0
        assert main(["--db", str(path), "check"]) == 0
        capsys.readouterr()
        assert _digest(disk) == before  # not a byte changed, no -wal or -shm made
    assert (
        export_record(Store.open(path, placer=placer, read_only=True), pid)["patient"]["given_name"] == "Ann"
    )


def test_opening_read_only_on_request_leaves_no_trace(tmp_path, placer):
    path = tmp_path / "clinic.sqlite"
    pid, _ = _records(path, placer)
    before = _digest(tmp_path)
    with Store.open(path, placer=placer, read_only=True) as store:
        assert store.read_only == "it was opened read-only"
        assert store.record(pid).patient.given_name == "Ann"
        with pytest.raises(ReadOnly):
            store.add_patient(Patient(given_name="Bo", family_name="Li", date_of_birth=date(1990, 1, 1)))
    assert _digest(tmp_path) == before


def test_a_new_database_cannot_be_made_read_only(tmp_path, placer):
    with pytest.raises(RecordsError, match="cannot create"):
        Store.open(tmp_path / "new.sqlite", placer=placer, read_only=True)


def test_a_full_database_says_so_and_keeps_what_it_had(tmp_path, placer):
    # SQLite's answer to a full disk (SQLITE_FULL) is the same as to a file at its page limit.
    path = tmp_path / "clinic.sqlite"
    pid, vid = _records(path, placer)
    with Store.open(path, placer=placer) as store:
        engine = store._engine  # noqa: SLF001 - a test reaches in to cap the file's size
        with engine.connect() as conn:
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
        event.listen(engine, "connect", lambda con, _rec: con.execute(f"PRAGMA max_page_count = {pages + 2}"))
        engine.dispose()  # new connections, capped
        with pytest.raises(RecordsError) as info:
            for _ in range(200):
                store.add_mark(
                    vid, "back", *inside("back", "infraspinous", "left"), Findings(notes="n" * 5000)
                )
        message = str(info.value)
        assert "is full" in message and "the change was not written" in message and "safe" in message
        assert "\n" not in message
    with Store.open(path, placer=placer) as again:
        assert again.record(pid).visits[0].marks[0].findings.status == "active"


@pytest.mark.skipif(sys.platform == "win32", reason="a tmpfs")
def test_a_full_disk_loses_nothing_stored(tmp_path, placer):
    with tmpfs(tmp_path / "small", "400k") as folder:
        path = folder / "clinic.sqlite"
        pid, vid = _records(path, placer)
        written = 0
        with Store.open(path, placer=placer) as store:
            with pytest.raises(RecordsError) as info:
                for _ in range(10_000):
                    store.add_mark(
                        vid, "back", *inside("back", "infraspinous", "left"), Findings(notes="n" * 2000)
                    )
                    written += 1
            assert "is full" in str(info.value) and "\n" not in str(info.value)
            assert len(store.marks(vid)) == written + 1  # every acknowledged mark is there
        with Store.open(path, placer=placer, read_only=True) as again:
            assert len(again.marks(vid)) == written + 1
            assert again.integrity_problems() == []
        # An export onto the full disk: one line, and an earlier file of that name as it was.
        out = folder / "ann.json"
        (folder / "filler").write_bytes(b"")
        with contextlib.suppress(OSError):
            with open(folder / "filler", "wb") as f:
                while True:
                    f.write(b"\0" * 65536)
        with Store.open(path, placer=placer, read_only=True) as again:
            with pytest.raises(RecordsError) as info:
                export_file(again, pid, out, "json")
        assert "No space left" in str(info.value) and "nothing was written" in str(info.value)
        assert not out.exists() and not [p for p in folder.iterdir() if p.name.startswith(".ann")]


def test_an_export_that_fails_to_write_says_why_and_keeps_the_old_file(tmp_path, placer, monkeypatch):
    path = tmp_path / "clinic.sqlite"
    pid, _ = _records(path, placer)
    out = tmp_path / "ann.json"
    out.write_text("the earlier export")

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with Store.open(path, placer=placer) as store:
        monkeypatch.setattr(os, "fsync", full)
        with pytest.raises(RecordsError) as info:
            export_file(store, pid, out, "json")
    assert "No space left on device; nothing was written (the earlier file of that name is as it was)" in str(
        info.value
    )
    assert out.read_text() == "the earlier export"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".ann")) == []
