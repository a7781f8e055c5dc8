"""Keeping the records safe without a window: backups (by hand and daily), a full check, a restore.

- backup(): SQLite's online backup API copies a consistent snapshot while the app keeps writing (WAL:
  the copy reads, it never blocks a writer). The copy is checked before it takes its name, and a
  damaged database is not backed up: its damage would push good backups out of the rotation.
- daily_backup(): on the first start of each day, a backup into the data folder's `backups/`, keeping
  the last DAILY_KEEP of each database.
- check(): the whole file's integrity (SQLite's integrity_check, the header and free list), its schema,
  and every stored value read back: one line per problem.
- restore(): replaces the records with a backup, refusing a damaged or newer one; the records as they
  were are kept beside it (renamed, never deleted), so a restore can be undone by hand.
"""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import threading
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from bodymap.core.files import replacing

from . import damage, schema, sqlite_file
from .model import RecordsError
from .paths import data_dir, default_database, is_url

log = logging.getLogger(__name__)

DAILY_KEEP = 7  # daily backups kept per database: a week to notice that something went wrong
BACKUPS = "backups"  # the folder in the data folder


def _file(location: str, verb: str) -> Path:
    if is_url(location):
        raise RecordsError(f"cannot {verb} {location}: a database server is kept safe by its own tools")
    path = Path(location).expanduser()
    if not path.is_file():
        raise RecordsError(f"cannot {verb} {path}: there is no bodymap database there")
    return path


def _connect(path: Path) -> sqlite3.Connection:
    return damage.reader(path)


def _revision(con: sqlite3.Connection) -> str | None:
    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if schema.VERSION_TABLE not in names:
        return None
    found = [r[0] for r in con.execute(f"SELECT version_num FROM {schema.VERSION_TABLE}")]
    return found[0] if len(found) == 1 else None


# --- backups --------------------------------------------------------------------------------------


def backup(location: str, out: Path) -> Path:
    """Copy the records at `location` to the file `out` (replaced whole, or not at all): a snapshot
    taken safely while another copy of bodymap writes. Refused for a damaged or foreign database."""
    path = _file(location, "back up")
    src = _connect(path)
    try:
        problems = damage.header_problems(path) + damage.quick_check(src)
        if problems:
            raise RecordsError(f"not backed up: {damage.described(str(path), problems)}")
        if _revision(src) is None:
            raise RecordsError(f"cannot back up {path}: it is not a bodymap database")
        out = Path(out)
        with replacing(out) as tmp:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)  # one step: a consistent snapshot under one read transaction
                dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal
                copied = damage.quick_check(dst)
            finally:
                dst.close()
            if copied:
                raise RecordsError(
                    f"the backup of {path} did not check out ({copied[0]}); nothing was written"
                )
    except sqlite3.Error as exc:
        raise RecordsError(f"cannot back up {path}: {exc}") from None
    except OSError as exc:
        raise RecordsError(f"cannot write {out}: {exc.strerror or exc}; nothing was written") from None
    finally:
        src.close()
    return out


def daily_backup(
    location: str | None = None, folder: Path | None = None, today: date | None = None
) -> Path | None:
    """Today's backup of the records, if none was made yet today; the oldest beyond DAILY_KEEP removed.

    Returns the new backup, or None (already made today, a server, no database yet). Backups are named
    `<database>-YYYY-MM-DD.sqlite` in the data folder's backups/ (mode 0700).
    """
    where = location or default_database()
    if is_url(where) or not Path(where).expanduser().is_file():
        return None
    path = Path(where).expanduser()
    folder = folder or data_dir() / BACKUPS
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stem = path.stem
    out = folder / f"{stem}-{(today or date.today()).isoformat()}.sqlite"
    if out.exists():
        return None
    backup(str(path), out)
    ours = sorted(p for p in folder.glob(f"{stem}-????-??-??.sqlite"))
    for old in ours[:-DAILY_KEEP]:
        old.unlink()
    for stale in folder.glob(f".{stem}-*.part"):  # a backup cut short by the app quitting
        stale.unlink(missing_ok=True)
    return out


def start_daily_backup(location: str | None = None) -> threading.Thread:
    """daily_backup() on a thread of its own, so that starting the app never waits for it; a failure is
    logged (the records themselves are untouched by it)."""

    def run() -> None:
        try:
            made = daily_backup(location)
            if made is not None:
                log.info("daily backup written to %s", made)
        except (RecordsError, OSError) as exc:
            log.warning("no daily backup today: %s", exc)

    thread = threading.Thread(target=run, name="bodymap daily backup", daemon=True)
    thread.start()
    return thread


# --- check ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckReport:
    problems: list[str]  # one line each
    summary: str  # one line: what was checked, and the verdict


def check(location: str) -> CheckReport:
    """Everything about the records at `location` that could be wrong, one line per problem."""
    path = _file(location, "check")
    problems = [f"header: {p}" for p in damage.header_problems(path)]
    try:
        con = _connect(path)
    except sqlite3.Error as exc:
        return CheckReport([f"cannot open {path}: {exc}"], f"{path}: not checked ({damage.ADVICE})")
    try:
        try:
            found = [str(r[0]) for r in con.execute("PRAGMA integrity_check(100)")]
        except sqlite3.DatabaseError as exc:
            found = [str(exc)]
        if found != ["ok"]:
            problems += [f"integrity: {line}" for line in damage.lines(found)]
        if problems:  # the rest would read damaged pages
            return CheckReport(problems, f"{path}: {len(problems)} problem(s); {damage.ADVICE}")
        problems += [f"reference: {row}" for row in con.execute("PRAGMA foreign_key_check").fetchall()[:20]]
        revision = _revision(con)
    finally:
        con.close()
    if revision is None:
        return CheckReport(
            problems + ["schema: this is not a bodymap database"], f"{path}: not a bodymap database"
        )
    from .database import RECORDS

    if revision != schema.REVISION and revision not in sqlite_file.known_revisions(RECORDS):
        problems.append(
            f"schema: {revision} was written by a newer bodymap (this one knows up to {schema.REVISION})"
        )
        return CheckReport(problems, f"{path}: {len(problems)} problem(s)")
    if revision != schema.REVISION:
        problems.append(
            f"schema: {revision}; it is brought up to {schema.REVISION} when bodymap next opens it"
        )
    counts, unreadable = _read_everything(path, revision == schema.REVISION)
    problems += unreadable
    verdict = "ok" if not problems else f"{len(problems)} problem(s)"
    return CheckReport(problems, f"{path}: {verdict}: {counts}; schema {revision}")


def _read_everything(path: Path, current: bool) -> tuple[str, list[str]]:
    """Every record read back as the app reads it: the values that cannot be read, named."""
    from .store import Store

    if not current:
        return "not read (older schema)", []
    with Store.open(path, read_only=True) as store:
        unreadable: list[str] = []
        n = {"patients": 0, "visits": 0, "marks": 0, "drawings": 0}
        for p in store.patients(include_deleted=True):
            record = store.record(p.id or 0)
            n["patients"] += 1
            unreadable += [f"unreadable: {line}" for line in record.unreadable()]
            n["visits"] += len(record.visits)
            n["marks"] += sum(len(v.marks) for v in record.visits)
            n["drawings"] += sum(len(v.drawings) for v in record.visits)
    return ", ".join(f"{v:,} {k}" for k, v in n.items()), unreadable


# --- restore --------------------------------------------------------------------------------------


def restore(source: Path, location: str | None = None) -> str:
    """Replace the records at `location` with the backup `source`; returns what was done, in one line.

    Refused for a damaged source, one that is not a bodymap database or comes from a newer bodymap, and
    while bodymap has the records open. The records as they were are renamed beside it, not deleted.
    """
    where = location or default_database()
    if is_url(where):
        raise RecordsError(f"cannot restore into {where}: a database server is restored by its own tools")
    target = Path(where).expanduser()
    source = Path(source).expanduser()
    if not source.is_file():
        raise RecordsError(f"cannot restore from {source}: there is no such file")
    if source.resolve() == target.resolve():
        raise RecordsError(f"cannot restore {target} from itself")
    busy = in_use(target)
    if busy:
        raise RecordsError(f"cannot restore {target}: {busy}; close it first")
    report = check(str(source))
    if report.problems and not all(p.startswith("schema:") and "brought up" in p for p in report.problems):
        raise RecordsError(f"not restored from {source}: {report.problems[0]}; {target} is as it was")
    kept = None
    if target.exists():
        kept = target.with_name(f"{target.name}.before-restore-{datetime.now():%Y%m%d-%H%M%S}")
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{target}{suffix}").exists():
                os.replace(f"{target}{suffix}", f"{kept}{suffix}")
    src = _connect(source)
    try:
        with replacing(target) as tmp:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode = DELETE")
            finally:
                dst.close()
    except (sqlite3.Error, OSError) as exc:
        if kept is not None and not target.exists():
            for suffix in ("", "-wal", "-shm"):
                if Path(f"{kept}{suffix}").exists():
                    os.replace(f"{kept}{suffix}", f"{target}{suffix}")
        raise RecordsError(f"not restored: {exc}; {target} is as it was") from None
    finally:
        src.close()
    before = f"; the records as they were are kept in {kept}" if kept else ""
    return f"restored {target} from {source}{before}"


def in_use(path: Path) -> str | None:
    """Whether a bodymap window has these records open: its lock file (ui/records/lock.py, Qt's
    QLockFile: the process id, the app, the host) names a process that is still running here."""
    lock = path.with_name(path.name + ".lock")
    try:
        lines = lock.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    if not lines or not lines[0].strip().isdigit():
        return None
    pid = int(lines[0])
    host = lines[2].strip() if len(lines) > 2 else ""
    if host and host != socket.gethostname():
        return f"bodymap on {host} has them open (process {pid})"
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # another user's process: alive
    return f"bodymap has them open (process {pid})"


__all__ = [
    "DAILY_KEEP",
    "CheckReport",
    "backup",
    "check",
    "daily_backup",
    "in_use",
    "restore",
    "start_daily_backup",
]
