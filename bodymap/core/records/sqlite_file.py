"""A bodymap SQLite file, opened with care: the patient records (database.py) and a student's study
answers (core/study/database.py) are both such files, and both are checked, created and migrated here.

- A file that is not of its kind (random bytes, someone else's tables, the other kind of bodymap file, a
  schema newer than this version knows) or is damaged (damage.py) is refused with one line and left
  byte-for-byte as it was: it is inspected through a read-only connection before anything may write
  to it, and journal_mode=WAL (which rewrites the header) is set only once it is known to be ours and
  sound.
- A new file is private to its owner (0600; SQLite gives -wal and -shm the same mode).
- The schema is brought up to date by the kind's own Alembic migrations, in one write transaction.

SQLite settings, and why:
- WAL: readers never block the writer, so a second copy of the app can read while this one writes.
- busy timeout: a writer waits for another copy's short transaction instead of failing at once.
- BEGIN IMMEDIATE for every write: takes the write lock at the start, so two writers queue on the busy
  timeout instead of deadlocking on a read-to-write upgrade (SQLITE_BUSY with no retry).
- synchronous=FULL: each commit is on disk when it returns, so a power cut loses at most the gesture
  in progress; WAL keeps the cost to one fsync per commit.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import ConnectionPoolEntry

from . import damage

if TYPE_CHECKING:  # Alembic loads only when a schema needs migrating
    from alembic.config import Config

BUSY_TIMEOUT = 10.0  # seconds: a write by another copy takes milliseconds; this is a wide margin
# Seconds a copy opening the file waits while another brings its schema up to date: a big file's
# migration takes longer than any write, and on a loaded machine even a new file's may take seconds.
MIGRATION_WAIT = 120.0
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class Kind:
    """What a bodymap database holds, for its checks and its messages."""

    what: str  # "a bodymap database": what a file that is not one is said not to be
    opening: str  # "" or "the study database ": what "cannot open ..." names before the file
    error: type[Exception]  # the one-line error of this kind
    version_table: str
    revision: str  # the schema this version writes
    migrations: str  # the Alembic script location
    known_tables: Mapping[str, str] = field(default_factory=dict)  # another kind's table -> its words
    advice: str = damage.ADVICE  # what to do with a damaged file

    def untouched(self, where: str, problem: str) -> Exception:
        return self.error(f"cannot open {self.opening}{where}: {problem}; it was left untouched")

    def damaged(self, where: str, problems: list[str]) -> Exception:
        return self.untouched(where, f"it is damaged ({problems[0]}); {self.advice}")

    def not_ours(self, where: str, names: list[str]) -> Exception:
        """A database holding other tables than ours (named, or the first five)."""
        held = next((words for table, words in self.known_tables.items() if table in names), None)
        if held is None:
            held = ", ".join(sorted(names)[:5]) + (", ..." if len(names) > 5 else "")
        return self.untouched(where, f"it is not {self.what} (it holds {held})")

    def one_revision(self, where: str, revisions: list[str]) -> str | None:
        if len(revisions) > 1:
            raise self.untouched(where, f"its schema version is ambiguous ({', '.join(revisions)})")
        return revisions[0] if revisions else None


# --- inspecting without writing -------------------------------------------------------------------


def inspect_file(path: Path, kind: Kind) -> str | None:
    """The schema revision of an existing file of this kind, or None for a new (absent or empty) one.

    Raises kind.error for anything that is not such a file, or is damaged, having written nothing. The
    pages of a file bigger than damage.QUICK_LIMIT are not read here (it would take seconds): the
    records check them on a thread after opening (database.py).
    """
    where = str(path)
    if not path.exists():
        return None
    if not path.is_file():
        raise kind.untouched(where, "it is not a file")
    try:
        with open(path, "rb") as f:
            header = f.read(100)
    except OSError as exc:
        raise kind.untouched(where, f"it cannot be read ({exc.strerror})") from None
    if not header:
        return None  # an empty file is an empty SQLite database
    if not header.startswith(SQLITE_MAGIC):
        raise kind.untouched(where, f"it is not {kind.what} (not an SQLite file)")
    try:
        problems = damage.header_problems(path)
    except OSError as exc:
        raise kind.untouched(where, f"it cannot be read ({exc.strerror})") from None
    if problems:
        raise kind.damaged(where, problems)
    try:  # read-only, and no -wal or -shm files made next to someone else's database (damage.reader)
        con = damage.reader(path)
    except sqlite3.Error as exc:
        raise kind.untouched(where, f"it cannot be opened ({exc})") from None
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")]
        if not names:
            return None
        if kind.version_table not in names:
            raise kind.not_ours(where, names)
        revisions = [r[0] for r in con.execute(f"SELECT version_num FROM {kind.version_table}")]
        if path.stat().st_size <= damage.QUICK_LIMIT:
            con.execute("PRAGMA cell_size_check = ON")
            problems = damage.quick_check(con)
    except (sqlite3.Error, UnicodeDecodeError) as exc:  # the schema's own text can be damaged too
        raise kind.untouched(where, f"it is damaged or not a database ({exc}); {kind.advice}") from None
    finally:
        con.close()
    if problems:
        raise kind.damaged(where, problems)
    return kind.one_revision(where, revisions)


def known_revisions(kind: Kind) -> set[str]:
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(alembic_config(kind)).walk_revisions()}


def check_revision(where: str, revision: str | None, kind: Kind) -> None:
    """Refuse a schema this version does not know: a newer bodymap wrote it."""
    if revision is None or revision == kind.revision or revision in known_revisions(kind):
        return
    raise kind.untouched(
        where,
        f"it was written by a newer bodymap (schema {revision}; this version knows up to "
        f"{kind.revision}); update bodymap to open it",
    )


# --- creating and opening -------------------------------------------------------------------------


def create_private_file(path: Path, kind: Kind, *, make_folder: bool) -> None:
    """Create an empty database file readable by its owner only; its folder too with make_folder."""
    if not path.parent.exists():
        if not make_folder:
            raise kind.error(f"cannot create {path}: the folder {path.parent} does not exist")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another copy of the app made it a moment ago: migrate() checks it again under the write lock.
        return
    except OSError as exc:
        raise kind.error(f"cannot create {path}: {exc.strerror}") from None
    os.close(fd)
    os.chmod(path, 0o600)  # os.open's mode is filtered by the umask; this is exact


def engine(path: Path, read_only: bool = False) -> Engine:
    """An engine on the file with the settings above (read_only: it only reads, and leaves no -wal or
    -shm beside the file)."""
    if read_only:
        made = sa.create_engine("sqlite://", creator=lambda: damage.reader(path))
    else:
        # URL.create, not f"sqlite:///{path}": a '?' or '#' in a folder's name would end the path there,
        # and the records would go to another file.
        url = sa.URL.create("sqlite", database=str(path))
        made = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT})

    @event.listens_for(made, "connect")
    def _connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy, not the sqlite3 module, say when a transaction begins (see _begin).
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        cur.execute("PRAGMA cell_size_check = ON")  # each page's cells checked as it is read (damage.py)
        if read_only:
            cur.execute("PRAGMA query_only = ON")
        else:
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = FULL")
            cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(made, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("writing") else "BEGIN")

    return made


# --- migrations -----------------------------------------------------------------------------------


def alembic_config(kind: Kind) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", kind.migrations)
    return cfg


def current_revision(conn: Connection, kind: Kind) -> str | None:
    if not sa.inspect(conn).has_table(kind.version_table):
        return None
    return kind.one_revision(
        "the database",
        list(conn.execute(sa.text(f"SELECT version_num FROM {kind.version_table}")).scalars()),
    )


def migrate(
    engine: Engine, where: str, kind: Kind, *, before: Callable[[Connection], None] | None = None
) -> None:
    """Bring the schema up to the kind's revision, inside one write transaction (a no-op when it is
    current). `before` runs first in that transaction (a server's lock against two copies migrating)."""
    # Fast path without the write lock: almost every open finds the schema current (and Alembic is
    # never loaded).
    with engine.connect() as conn:
        if current_revision(conn, kind) == kind.revision:
            return
    from alembic import command  # loaded before the write lock is taken, so that it is held briefly

    cfg = alembic_config(kind)
    with engine.connect().execution_options(writing=True) as conn:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:  # another copy may be migrating a big file: wait for it longer than for a write
            raw = conn.connection.driver_connection
            assert raw is not None  # (a connection checked out of the pool has one)
            # On the driver's connection: a statement through SQLAlchemy would begin the transaction
            # (and take the write lock) under the write's timeout.
            raw.execute(f"PRAGMA busy_timeout = {int(MIGRATION_WAIT * 1000)}")
        try:
            with conn.begin():
                if before is not None:
                    before(conn)
                # Checked again under the write lock: another copy may have migrated meanwhile.
                revision = current_revision(conn, kind)
                if revision == kind.revision:
                    return
                if revision is None:
                    others = [n for n in sa.inspect(conn).get_table_names() if n != kind.version_table]
                    if others:
                        raise kind.not_ours(where, others)
                check_revision(where, revision, kind)
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        finally:
            if sqlite:  # not back to the pool with that timeout: writes get connections of their own
                conn.invalidate()


__all__ = [
    "BUSY_TIMEOUT",
    "Kind",
    "alembic_config",
    "check_revision",
    "create_private_file",
    "current_revision",
    "engine",
    "inspect_file",
    "known_revisions",
    "migrate",
]
