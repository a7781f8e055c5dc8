"""Opening a study database with the same care as patient records (bodymap/core/records/database.py):

- a file that is not a study database (random bytes, someone else's tables, a patient-records file, a
  schema newer than this version knows) is refused in one line and left byte-for-byte as it was: it is
  inspected through a read-only connection before anything may write to it;
- a new file is private to its owner (0600);
- WAL, synchronous=FULL and BEGIN IMMEDIATE for writes: each answer is on disk when it is recorded, and
  two copies of the app queue rather than lose an answer;
- the schema is brought up to date by its own Alembic migrations, inside one write transaction.

Where it lives: $BODYMAP_STUDY_DB, else `study.sqlite` in the user's bodymap data folder, beside but
apart from the patient records.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from bodymap.core.records.paths import data_dir

from . import schema

FILE_NAME = "study.sqlite"
BUSY_TIMEOUT = 10.0  # seconds
SQLITE_MAGIC = b"SQLite format 3\x00"
MIGRATIONS = "bodymap.core.study:migrations"


class StudyError(Exception):
    """The study database cannot be used (one line for the user)."""


def default_location(env: Mapping[str, str] | None = None) -> Path:
    """$BODYMAP_STUDY_DB, else study.sqlite in the user's data folder."""
    env = os.environ if env is None else env
    given = env.get("BODYMAP_STUDY_DB", "").strip()
    return Path(given).expanduser() if given else data_dir(env) / FILE_NAME


def _untouched(where: str, problem: str) -> StudyError:
    return StudyError(f"cannot open the study database {where}: {problem}; it was left untouched")


def _inspect_file(path: Path) -> str | None:
    """The schema revision of an existing study file, or None for a new (absent or empty) one."""
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
        return None
    if not header.startswith(SQLITE_MAGIC):
        raise _untouched(str(path), "it is not a bodymap study database (not an SQLite file)")
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
            what = "patient records" if "patients" in names else "tables " + ", ".join(sorted(names)[:5])
            raise _untouched(str(path), f"it is not a bodymap study database (it holds {what})")
        revisions = [r[0] for r in con.execute(f"SELECT version_num FROM {schema.VERSION_TABLE}")]
    except sqlite3.Error as exc:
        raise _untouched(str(path), f"it is damaged or not a database ({exc})") from None
    finally:
        con.close()
    if len(revisions) > 1:
        raise _untouched(str(path), f"its schema version is ambiguous ({', '.join(revisions)})")
    return revisions[0] if revisions else None


def _alembic_config() -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS)
    return cfg


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


def _check_revision(where: str, revision: str | None) -> None:
    if revision is None or revision == schema.REVISION or revision in _known_revisions():
        return
    raise _untouched(
        where,
        f"it was written by a newer bodymap (schema {revision}; this version knows up to "
        f"{schema.REVISION}); update bodymap to open it",
    )


def _create_private_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another copy made it a moment ago: migrate() checks it again under the write lock
    except OSError as exc:
        raise StudyError(f"cannot create the study database {path}: {exc.strerror}") from None
    os.close(fd)
    os.chmod(path, 0o600)


def _engine(path: Path) -> Engine:
    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy says when a transaction begins (_begin)
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


def _current_revision(conn: Connection) -> str | None:
    if not sa.inspect(conn).has_table(schema.VERSION_TABLE):
        return None
    found = list(conn.execute(sa.text(f"SELECT version_num FROM {schema.VERSION_TABLE}")).scalars())
    return str(found[0]) if len(found) == 1 else None


def migrate(engine: Engine, where: str) -> None:
    """Bring the schema up to REVISION inside one write transaction (a no-op when it is current)."""
    with engine.connect() as conn:
        if _current_revision(conn) == schema.REVISION:
            return
    with engine.connect().execution_options(writing=True) as conn, conn.begin():
        revision = _current_revision(conn)  # again, under the write lock
        if revision == schema.REVISION:
            return
        if revision is None:
            others = [n for n in sa.inspect(conn).get_table_names() if n != schema.VERSION_TABLE]
            if others:
                raise _untouched(
                    where, f"it is not a bodymap study database (it holds {', '.join(others[:5])})"
                )
        _check_revision(where, revision)
        from alembic import command

        cfg = _alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def open_engine(location: str | Path | None = None) -> tuple[Engine, Path]:
    """An engine on an up-to-date study database; StudyError, having changed nothing, if unusable."""
    path = Path(location).expanduser() if location is not None else default_location()
    revision = _inspect_file(path)
    _check_revision(str(path), revision)
    if not path.exists():
        _create_private_file(path)
    engine = _engine(path)
    _run(engine, str(path), lambda: migrate(engine, str(path)))
    return engine, path


def _run(engine: Engine, where: str, work: Callable[[], None]) -> None:
    try:
        work()
    except sa.exc.SQLAlchemyError as exc:
        engine.dispose()
        orig = getattr(exc, "orig", None) or exc
        first = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
        raise StudyError(f"cannot open the study database {where}: {first}") from None
    except BaseException:
        engine.dispose()
        raise
