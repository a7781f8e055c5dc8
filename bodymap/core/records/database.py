"""Opening a database: check that it is ours, make the engine, bring the schema up to date.

A file that is not a bodymap database (random bytes, someone else's tables, a schema newer than this
version knows) or is damaged (damage.py) is refused with one line and left byte-for-byte as it was: it
is inspected through a read-only connection before anything may write to it, and journal_mode=WAL
(which rewrites the header) is set only once it is known to be ours and sound.

A file in a place that cannot be written (a read-only disk or folder, a file without write permission)
opens read-only, as does any file opened with read_only=True: reading and exporting work, and the store
refuses changes with the reason (Opened.read_only).

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
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import ConnectionPoolEntry

from . import damage, schema
from .model import RecordsError, Unreachable
from .paths import is_url

if TYPE_CHECKING:  # Alembic loads only when a schema needs migrating
    from alembic.config import Config

BUSY_TIMEOUT = 10.0  # seconds: a write by another copy takes milliseconds; this is a wide margin

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
    try:
        problems = damage.header_problems(path)
    except OSError as exc:
        raise _untouched(str(path), f"it cannot be read ({exc.strerror})") from None
    if problems:
        raise _damaged(str(path), problems)
    try:  # read-only, and no -wal or -shm files made next to someone else's database (damage.reader)
        con = damage.reader(path)
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
        if path.stat().st_size <= damage.QUICK_LIMIT:  # a bigger file is checked on a thread (open_engine)
            con.execute("PRAGMA cell_size_check = ON")
            problems = damage.quick_check(con)
    except (sqlite3.Error, UnicodeDecodeError) as exc:  # the schema's own text can be damaged too
        raise _untouched(str(path), f"it is damaged or not a database ({exc}); {damage.ADVICE}") from None
    finally:
        con.close()
    if problems:
        raise _damaged(str(path), problems)
    return _one_revision(str(path), revisions)


def _damaged(where: str, problems: list[str]) -> RecordsError:
    return _untouched(where, f"it is damaged ({problems[0]}); {damage.ADVICE}")


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


def _sqlite_engine(path: Path, read_only: bool = False) -> Engine:
    if read_only:  # nothing written, and no -wal or -shm left beside the file (damage.reader)
        engine = sa.create_engine("sqlite://", creator=lambda: damage.reader(path))
    else:
        engine = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT})

    @event.listens_for(engine, "connect")
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

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("writing") else "BEGIN")

    return engine


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
    revision = _inspect_file(path)
    _check_revision(str(path), revision)
    cannot = unwritable(path)
    if read_only and cannot is None and path.exists() and revision != schema.REVISION:
        # Only reading, but the schema is older than this version reads: bring it up to date first (as
        # the app would on opening it; in one transaction, losing nothing), then read.
        upgrader = _sqlite_engine(path)
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
        engine = _sqlite_engine(path, read_only=True)
        _migrated(engine, str(path), lambda: None)
        return Opened(engine, str(path), read_only=why)
    if not path.exists():
        _create_private_file(path, default_location)
    engine = _sqlite_engine(path)
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
