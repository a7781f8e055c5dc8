"""Opening a database: check that it is ours, make the engine, bring the schema up to date.

A file that is not a bodymap database (random bytes, someone else's tables, a schema newer than this
version knows) is refused with one line and left byte-for-byte as it was: it is inspected through a
read-only connection before anything may write to it, and journal_mode=WAL (which rewrites the
header) is set only once it is known to be ours.

SQLite settings, and why:
- WAL: readers never block the writer, so a second copy of the app can read while this one writes.
- busy timeout: a writer waits for another copy's short transaction instead of failing at once.
- BEGIN IMMEDIATE for every write: takes the write lock at the start, so two writers queue on the busy
  timeout instead of deadlocking on a read-to-write upgrade (SQLITE_BUSY with no retry).
- synchronous=FULL: each commit is on disk when it returns, so a power cut loses at most the gesture
  in progress (the issue asks for that); WAL keeps the cost to one fsync per commit.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import ConnectionPoolEntry

from . import schema
from .model import RecordsError
from .paths import is_url

if TYPE_CHECKING:  # Alembic loads only when a schema needs migrating
    from alembic.config import Config

BUSY_TIMEOUT = 10.0  # seconds: a write by another copy takes milliseconds; this is a wide margin
SQLITE_MAGIC = b"SQLite format 3\x00"
MIGRATIONS = "bodymap.core.records:migrations"


def _untouched(where: str, problem: str) -> RecordsError:
    return RecordsError(f"cannot open {where}: {problem}; it was left untouched")


# --- inspecting without writing -------------------------------------------------------------------


def _inspect_file(path: Path) -> str | None:
    """The schema revision of an existing bodymap file, or None for a new (absent or empty) one.

    Raises RecordsError for anything that is not a bodymap database, having written nothing.
    """
    if not path.exists():
        return None
    if not path.is_file():
        raise _untouched(str(path), "it is not a file")
    try:
        with open(path, "rb") as f:
            header = f.read(100)
    except OSError as exc:
        raise _untouched(str(path), f"it cannot be read ({exc.strerror})") from None
    if not header:
        return None  # an empty file is an empty SQLite database
    if not header.startswith(SQLITE_MAGIC):
        raise _untouched(str(path), "it is not a bodymap database (not an SQLite file)")
    # A WAL-mode file with no -wal beside it has no writer: open it immutable, which creates no -wal
    # or -shm files next to someone else's database. Otherwise use the normal read-only mode, which
    # takes the usual locks and so reads consistently while another copy of the app writes.
    wal_mode = len(header) > 19 and header[18] == 2
    immutable = wal_mode and not Path(f"{path}-wal").exists()
    uri = path.resolve().as_uri() + "?mode=ro" + ("&immutable=1" if immutable else "")
    try:
        con = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT)
    except sqlite3.Error as exc:
        raise _untouched(str(path), f"it cannot be opened ({exc})") from None
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")]
        if not names:
            return None
        if schema.VERSION_TABLE not in names:
            tables = ", ".join(sorted(names)[:5]) + (", ..." if len(names) > 5 else "")
            raise _untouched(str(path), f"it is not a bodymap database (it holds {tables})")
        revisions = [r[0] for r in con.execute(f"SELECT version_num FROM {schema.VERSION_TABLE}")]
    except sqlite3.Error as exc:
        raise _untouched(str(path), f"it is damaged or not a database ({exc})") from None
    finally:
        con.close()
    return _one_revision(str(path), revisions)


def _one_revision(where: str, revisions: list[str]) -> str | None:
    if len(revisions) > 1:
        raise _untouched(where, f"its schema version is ambiguous ({', '.join(revisions)})")
    return revisions[0] if revisions else None


def driver_reason(exc: Exception) -> str:
    """The first line of what the database driver said."""
    orig = getattr(exc, "orig", None) or exc
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0]


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


def _check_revision(where: str, revision: str | None) -> None:
    if revision is None or revision == schema.REVISION:
        return
    if revision not in _known_revisions():
        raise _untouched(
            where,
            f"it was written by a newer bodymap (schema {revision}; this version knows up to "
            f"{schema.REVISION}); update bodymap to open it",
        )


# --- engines --------------------------------------------------------------------------------------


def _create_private_file(path: Path, default_location: bool) -> None:
    """Create an empty database file readable by its owner only (SQLite gives -wal/-shm the same mode)."""
    if not path.parent.exists():
        if not default_location:
            raise RecordsError(f"cannot create {path}: the folder {path.parent} does not exist")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another copy of the app made it a moment ago: migrate() checks it again under the write lock.
        return
    except OSError as exc:
        raise RecordsError(f"cannot create {path}: {exc.strerror}") from None
    os.close(fd)
    os.chmod(path, 0o600)  # os.open's mode is filtered by the umask; this is exact


def _sqlite_engine(path: Path) -> Engine:
    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy, not the sqlite3 module, say when a transaction begins (see _begin).
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("writing") else "BEGIN")

    return engine


def open_engine(location: str, *, default_location: bool = False) -> tuple[Engine, str]:
    """An engine on an up-to-date bodymap database at `location` (a file path or a database URL).

    Returns the engine and a description of the location for messages (a path, or a URL without
    its password). Raises RecordsError, having changed nothing, if the location is not usable.
    """
    if is_url(location):
        url = sa.make_url(location)
        if url.get_backend_name() == "sqlite":
            if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
                raise RecordsError(
                    "give the SQLite database as a file path; in-memory databases are not supported"
                )
            location = url.database
        else:
            return _open_server(url), url.render_as_string(hide_password=True)
    path = Path(location).expanduser()
    revision = _inspect_file(path)
    _check_revision(str(path), revision)
    if not path.exists():
        _create_private_file(path, default_location)
    engine = _sqlite_engine(path)
    _migrated(engine, str(path), lambda: migrate(engine, str(path)))
    return engine, str(path)


def _open_server(url: sa.URL) -> Engine:
    where = url.render_as_string(hide_password=True)
    try:
        engine = sa.create_engine(url, pool_pre_ping=True)
    except Exception as exc:  # a missing driver, a malformed URL
        raise RecordsError(f"cannot open {where}: {exc}") from None

    def check_and_migrate() -> None:
        with engine.connect() as conn:
            names = sa.inspect(conn).get_table_names()
            if names and schema.VERSION_TABLE not in names:
                raise _untouched(
                    where, f"it is not a bodymap database (it holds {', '.join(sorted(names)[:5])})"
                )
            revision = None
            if names:
                revision = _one_revision(
                    where,
                    list(conn.execute(sa.text(f"SELECT version_num FROM {schema.VERSION_TABLE}")).scalars()),
                )
        _check_revision(where, revision)
        migrate(engine, where)

    _migrated(engine, where, check_and_migrate)
    return engine


def _migrated(engine: Engine, where: str, work: Callable[[], None]) -> None:
    """Run the opening checks and migrations; on any failure free the engine, and report a driver's
    error as one RecordsError line."""
    try:
        work()
    except sa.exc.SQLAlchemyError as exc:
        engine.dispose()
        raise RecordsError(f"cannot open {where}: {driver_reason(exc)}") from None
    except BaseException:
        engine.dispose()
        raise


# --- migrations -----------------------------------------------------------------------------------


def _alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS)
    return cfg


def current_revision(conn: Connection) -> str | None:
    if not sa.inspect(conn).has_table(schema.VERSION_TABLE):
        return None
    return _one_revision(
        "the database",
        list(conn.execute(sa.text(f"SELECT version_num FROM {schema.VERSION_TABLE}")).scalars()),
    )


def migrate(engine: Engine, where: str) -> None:
    """Bring the schema up to REVISION, inside one write transaction (a no-op when it is current)."""
    if engine.dialect.name == "sqlite":
        # Fast path without the write lock: almost every open finds the schema current.
        with engine.connect() as conn:
            if current_revision(conn) == schema.REVISION:
                return
    with engine.connect().execution_options(writing=True) as conn:
        with conn.begin():
            if engine.dialect.name == "postgresql":
                # Two copies creating the schema at once: the second waits, then finds it done.
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(4242420001)"))
            # Checked again under the write lock: another copy may have migrated meanwhile.
            revision = current_revision(conn)
            if revision == schema.REVISION:
                return
            if revision is None:
                others = [n for n in sa.inspect(conn).get_table_names() if n != schema.VERSION_TABLE]
                if others:
                    raise _untouched(
                        where, f"it is not a bodymap database (it holds {', '.join(sorted(others)[:5])})"
                    )
            elif revision not in _known_revisions():
                raise _untouched(where, f"it was written by a newer bodymap (schema {revision})")
            from alembic import command

            cfg = _alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
