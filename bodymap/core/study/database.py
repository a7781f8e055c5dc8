"""Opening a study database with the same care as patient records: the checks, the SQLite settings
and the migrations of every bodymap file (core/records/sqlite_file.py), with the study's own schema:

- a file that is not a study database (random bytes, someone else's tables, a patient-records file, a
  schema newer than this version knows) or is damaged is refused in one line and left byte-for-byte as
  it was: it is inspected through a read-only connection before anything may write to it;
- a new file is private to its owner (0600);
- WAL, synchronous=FULL and BEGIN IMMEDIATE for writes: each answer is on disk when it is recorded, and
  two copies of the app queue rather than lose an answer;
- the schema is brought up to date by its own Alembic migrations, inside one write transaction.

Where it lives: $BODYMAP_STUDY_DB, else `study.sqlite` in the user's bodymap data folder, beside but
apart from the patient records.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bodymap.core.records import sqlite_file
from bodymap.core.records.database import driver_reason
from bodymap.core.records.paths import data_dir
from bodymap.core.records.sqlite_file import Kind

from . import schema

FILE_NAME = "study.sqlite"
MIGRATIONS = "bodymap.core.study:migrations"


class StudyError(Exception):
    """The study database cannot be used (one line for the user)."""


def default_location(env: Mapping[str, str] | None = None) -> Path:
    """$BODYMAP_STUDY_DB, else study.sqlite in the user's data folder."""
    env = os.environ if env is None else env
    given = env.get("BODYMAP_STUDY_DB", "").strip()
    return Path(given).expanduser() if given else data_dir(env) / FILE_NAME


STUDY = Kind(
    what="a bodymap study database",
    opening="the study database ",
    error=StudyError,
    version_table=schema.VERSION_TABLE,
    revision=schema.REVISION,
    migrations=MIGRATIONS,
    known_tables={"patients": "patient records"},
    # Study answers have no backups of their own: a new file starts the schedule afresh.
    advice="move it aside, and bodymap starts a new study file (the answers in it are not carried over)",
)


def _alembic_config() -> Any:
    return sqlite_file.alembic_config(STUDY)


def migrate(engine: Engine, where: str) -> None:
    """Bring the schema up to REVISION inside one write transaction (a no-op when it is current)."""
    sqlite_file.migrate(engine, where, STUDY)


def open_engine(location: str | Path | None = None) -> tuple[Engine, Path]:
    """An engine on an up-to-date study database; StudyError, having changed nothing, if unusable."""
    path = Path(location).expanduser() if location is not None else default_location()
    revision = sqlite_file.inspect_file(path, STUDY)
    sqlite_file.check_revision(str(path), revision, STUDY)
    if not path.exists():
        sqlite_file.create_private_file(path, STUDY, make_folder=True)
    engine = sqlite_file.engine(path)
    _run(engine, str(path), lambda: migrate(engine, str(path)))
    return engine, path


def _run(engine: Engine, where: str, work: Callable[[], None]) -> None:
    try:
        work()
    except sa.exc.SQLAlchemyError as exc:
        engine.dispose()
        raise StudyError(f"cannot open the study database {where}: {driver_reason(exc)}") from None
    except BaseException:
        engine.dispose()
        raise
