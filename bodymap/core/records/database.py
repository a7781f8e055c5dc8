"""Opening a database: check that it is ours, make the engine, bring the schema up to date.

A file that is not a bodymap database (random bytes, someone else's tables, a schema newer than this
version knows) or is damaged (damage.py) is refused with one line and left byte-for-byte as it was: it
is inspected through a read-only connection before anything may write to it, and journal_mode=WAL
(which rewrites the header) is set only once it is known to be ours and sound.

A file in a place that cannot be written (a read-only disk or folder, a file without write permission)
opens read-only, as does any file opened with read_only=True: reading and exporting work, and the store
refuses changes with the reason (Opened.read_only).

The checks, the SQLite settings and the migrations are those of every bodymap file (sqlite_file.py);
this adds read-only places, big files checked on a thread, and database servers.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from . import damage, schema, sqlite_file
from .model import RecordsError, Unreachable
from .paths import is_url
from .sqlite_file import Kind

# A database server (PostgreSQL), and why: a clinic's server that goes away must cost a window a clear
# line, never a hang. CONNECT_TIMEOUT: a server that is down or unreachable is said so within seconds.
# STATEMENT_TIMEOUT and LOCK_TIMEOUT (the server's own): a statement, or a wait for a row another
# client holds, gives up instead of waiting for ever. DEADLINE (ours, on the client): a server that
# stops answering altogether cannot time anything out, so the connection is cut after this long
# (deadline()). A statement of ours takes milliseconds; these are wide margins.
CONNECT_TIMEOUT = 5
STATEMENT_TIMEOUT = 15.0
LOCK_TIMEOUT = 10.0
DEADLINE = 20.0
MIGRATIONS = "bodymap.core.records:migrations"


RECORDS = Kind(
    what="a bodymap database",
    opening="",
    error=RecordsError,
    version_table=schema.VERSION_TABLE,
    revision=schema.REVISION,
    migrations=MIGRATIONS,
    known_tables={"bodymap_study_version": "a student's study answers, not patient records"},
)


def _untouched(where: str, problem: str) -> RecordsError:
    error = RECORDS.untouched(where, problem)
    assert isinstance(error, RecordsError)
    return error


def driver_reason(exc: Exception) -> str:
    """The first line of what the database driver said."""
    orig = getattr(exc, "orig", None) or exc
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0]


# --- engines --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Opened:
    """An engine on an up-to-date bodymap database, and what the store must know about it."""

    engine: Engine
    where: str  # the file, or the URL without its password: for messages and titles
    read_only: str | None = None  # why changes are refused (a read-only disk...), or None
    check: damage.BackgroundCheck | None = None  # a big file's page check, which writes wait for


def open_engine(location: str, *, default_location: bool = False, read_only: bool = False) -> Opened:
    """An engine on an up-to-date bodymap database at `location` (a file path or a database URL).

    Raises RecordsError, having changed nothing, if the location is not usable. With read_only (or
    when the file's place cannot be written), the engine only reads, and the schema must be current.
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
            return Opened(_open_server(url), url.render_as_string(hide_password=True))
    path = Path(location).expanduser()
    revision = sqlite_file.inspect_file(path, RECORDS)
    sqlite_file.check_revision(str(path), revision, RECORDS)
    cannot = unwritable(path)
    if read_only and cannot is None and path.exists() and revision != schema.REVISION:
        # Only reading, but the schema is older than this version reads: bring it up to date first (as
        # the app would on opening it; in one transaction, losing nothing), then read.
        upgrader = sqlite_file.engine(path)
        _migrated(upgrader, str(path), lambda: migrate(upgrader, str(path)))
        upgrader.dispose()
        revision = schema.REVISION
    why = "it was opened read-only" if read_only else cannot
    if why is not None:
        if not path.exists():
            raise RecordsError(f"cannot create {path}: {why}")
        if revision != schema.REVISION:
            raise _untouched(
                str(path),
                f"its schema ({revision or 'none'}) needs bringing up to date, which cannot be done "
                f"because {why}; open it once where it can be written",
            )
        engine = sqlite_file.engine(path, read_only=True)
        _migrated(engine, str(path), lambda: None)
        return Opened(engine, str(path), read_only=why)
    if not path.exists():
        sqlite_file.create_private_file(path, RECORDS, make_folder=default_location)
    engine = sqlite_file.engine(path)
    _migrated(engine, str(path), lambda: migrate(engine, str(path)))
    big = path.stat().st_size > damage.QUICK_LIMIT
    return Opened(engine, str(path), check=damage.BackgroundCheck(path) if big else None)


def unwritable(path: Path) -> str | None:
    """Why the database at `path` cannot be written here, or None if it can.

    SQLite writes the file and, in WAL mode, makes -wal and -shm files beside it: the folder must take
    new files unless both are there already.
    """
    folder = path.parent
    if path.exists() and not os.access(path, os.W_OK):
        return f"the file {path} is read-only"
    side_files = [Path(f"{path}-wal"), Path(f"{path}-shm")]
    if folder.exists() and not os.access(folder, os.W_OK):
        if not all(p.exists() and os.access(p, os.W_OK) for p in side_files):
            return f"the folder {folder} is read-only"
    return None


def server_settings() -> dict[str, object]:
    """The connection settings of every connection to a server (see CONNECT_TIMEOUT...)."""
    return {
        "connect_timeout": CONNECT_TIMEOUT,
        "options": (
            f"-c statement_timeout={int(STATEMENT_TIMEOUT * 1000)} -c lock_timeout={int(LOCK_TIMEOUT * 1000)}"
        ),
        "application_name": "bodymap",
    }


def _open_server(url: sa.URL) -> Engine:
    where = url.render_as_string(hide_password=True)
    try:
        # No pre-ping: every transaction would cost a round trip more. A connection that a restarted
        # server dropped fails its first statement, and the pool then drops them all (SQLAlchemy's
        # disconnect handling); the window's watcher (watch.py) sees the outage first and reconnects.
        engine = sa.create_engine(url, connect_args=server_settings())
    except Exception as exc:  # a missing driver, a malformed URL
        raise RecordsError(f"cannot open {where}: {exc}") from None

    def check_and_migrate() -> None:
        with engine.connect() as conn:
            names = sa.inspect(conn).get_table_names()
            if names and schema.VERSION_TABLE not in names:
                raise RECORDS.not_ours(where, names)
            revision = None
            if names:
                revision = RECORDS.one_revision(
                    where,
                    list(conn.execute(sa.text(f"SELECT version_num FROM {schema.VERSION_TABLE}")).scalars()),
                )
        sqlite_file.check_revision(where, revision, RECORDS)
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
        reason = driver_reason(exc)
        # A server that is down or away: the window says so and tries again (mainwindow.py).
        if engine.dialect.name != "sqlite" and unreachable(exc, reason):
            raise Unreachable(f"cannot reach the records server {where} ({reason})") from None
        raise RecordsError(f"cannot open {where}: {reason}") from None
    except BaseException:
        engine.dispose()
        raise


@contextmanager
def deadline(conn: object, seconds: float | None = None) -> Iterator[None]:
    """Give up on a server that stops answering: if the block takes longer than `seconds` (DEADLINE), the
    connection's socket (of an SQLAlchemy Connection, or of a driver's connection) is shut down, so that
    the statement waiting on it fails at once (and the connection is discarded). A server that answers,
    however slowly, times out its own statements (STATEMENT_TIMEOUT) long before. SQLite files need
    none of it."""
    if isinstance(conn, Connection):
        conn = conn.connection.driver_connection
    pgconn = getattr(conn, "pgconn", None)
    if pgconn is None:
        yield
        return
    fd = pgconn.socket

    def cut() -> None:
        try:
            with socket.socket(fileno=os.dup(fd)) as s:
                s.shutdown(socket.SHUT_RDWR)
        except OSError:  # already closed
            pass

    timer = threading.Timer(DEADLINE if seconds is None else seconds, cut)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


_GONE = (
    "connection failed",
    "could not connect",
    "connection refused",
    "server closed the connection",
    "terminating connection",
    "connection is lost",
    "connection is closed",
    "consuming input failed",
    "sending query failed",
    "timeout expired",
    "no such file or directory",
)


def unreachable(exc: Exception, reason: str) -> bool:
    """Whether a driver's error means the server could not be reached (down, restarting, cut off)."""
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return True
    return any(words in reason.lower() for words in _GONE)


# --- migrations -----------------------------------------------------------------------------------


def migrate(engine: Engine, where: str) -> None:
    """Bring the schema up to REVISION, inside one write transaction (a no-op when it is current)."""

    def one_at_a_time(conn: Connection) -> None:
        if engine.dialect.name == "postgresql":
            # Two copies creating the schema at once: the second waits, then finds it done.
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(4242420001)"))

    sqlite_file.migrate(engine, where, RECORDS, before=one_at_a_time)
