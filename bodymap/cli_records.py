"""The command line's patient-record verbs: patients, export, import, backup, check, restore.

Every verb takes the records from `--db PATH|URL`, given before or after the verb (`bodymap --db x.sqlite
export ...` and `bodymap export --db x.sqlite ...` are the same), else $BODYMAP_DB, else the user's data
folder. Verbs that only read (patients, export, check, backup) open the database read-only: they work on
a read-only disk and never create or change a file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bodymap.core.records import Store
    from bodymap.core.settings import Settings

DB_HELP = (
    "patient records: a database file or URL (default: $BODYMAP_DB, else the settings' Records, else the "
    "user's data folder)"
)


class RecordsUsage(Exception):
    """A bad argument for a records verb: one line, exit status 2 (cli.main reports it)."""


def location(args: argparse.Namespace) -> str:
    """--db, else $BODYMAP_DB, else the window's settings' Records, else the data folder's file."""
    from bodymap.core.records.paths import default_database

    given = getattr(args, "db", None)
    if given:
        return str(given)
    if os.environ.get("BODYMAP_DB", "").strip():
        return default_database()
    return default_database(configured=_settings().records)


def existing(args: argparse.Namespace) -> str:
    """The records location, which must exist: a verb that reads never creates a database."""
    from bodymap.core.records.paths import is_url

    where = location(args)
    if not is_url(where) and not Path(where).expanduser().is_file():
        raise RecordsUsage(f"no bodymap database at {where}")
    return where


def say(text: str, *, err: bool = False) -> None:
    """One line of output. A file name the system could not decode reaches Python as lone surrogates
    ("\\udcff"), which no terminal can show: they are written escaped, never a crash."""
    stream = sys.stderr if err else sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    print(text.encode(encoding, "backslashreplace").decode(encoding, "replace"), file=stream)


def _print_json(obj: Any) -> None:
    say(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))


def patient_id(store: Store, given: str) -> int:
    """A patient named on the command line by id (as `bodymap patients` lists) or by uid (the JSON's)."""
    from bodymap.core.records import NotFound

    text = given.strip()
    try:
        if text.isdigit() and len(text) < 12:
            return store.patient(int(text)).id or 0
        return store.patient_by_uid(text).id or 0
    except NotFound:
        raise RecordsUsage(
            f"no patient {given!r} in {store.where} (`bodymap patients` lists them with their ids)"
        ) from None


def cmd_patients(args: argparse.Namespace) -> int:
    from bodymap.core.records import Store

    with Store.open(existing(args), read_only=True) as store:
        found = store.find_patients(args.find, limit=10**9) if args.find else store.patients()
        summary = store.visit_summary()
        _print_json(
            [
                {
                    "id": p.id,
                    "uid": p.uid,
                    "given_name": p.given_name,
                    "family_name": p.family_name,
                    "date_of_birth": p.date_of_birth.isoformat(),
                    "visits": summary.get(p.id or 0, (0, None))[0],
                    "last_visit": _iso(summary.get(p.id or 0, (0, None))[1]),
                }
                for p in found
            ]
        )
    return 0


def _iso(d: Any) -> str | None:
    return d.isoformat() if d is not None else None


def cmd_export(args: argparse.Namespace) -> int:
    from bodymap.core.records import Store
    from bodymap.core.records.exchange import export_file

    out = Path(args.out)
    if not out.parent.is_dir():
        raise RecordsUsage(f"the folder {str(out.parent)!r} does not exist")
    if args.visit is not None and args.visit < 1:
        raise RecordsUsage("--visit counts from 1 (the patient's first visit)")
    where = existing(args)
    if args.format == "pdf":
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtWidgets import QApplication

        from bodymap.ui.records.report import write_report

        app = QApplication.instance() or QApplication(["bodymap"])  # noqa: F841 - fonts need it
        with Store.open(where, read_only=True) as store:
            write_report(
                store, patient_id(store, args.patient), out, visit_number=args.visit, history=args.history
            )
    else:
        with Store.open(where, read_only=True) as store:
            export_file(store, patient_id(store, args.patient), out, args.format, args.visit)
    say(str(out))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from bodymap.core.records import Store
    from bodymap.core.records.importing import import_record, read_import
    from bodymap.core.records.placement import Placer

    placer = Placer()
    source = Path(args.file)
    record = read_import(source, placer)  # a bad file changes nothing, not even making a database
    with Store.open(location(args), placer=placer, recorder=_recorder()) as store:
        patient = import_record(store, source, record)
        _print_json({"id": patient.id, "uid": patient.uid, "name": patient.name, "where": store.where})
    return 0


def _settings() -> Settings:
    """The window's settings (ui/app.py names them)."""
    from PySide6.QtCore import QCoreApplication

    from bodymap.ui.settings import load

    QCoreApplication.setOrganizationName("bodymap")
    QCoreApplication.setApplicationName("bodymap")
    return load()


def _recorder() -> str | None:
    """The therapist named in the window's settings, who the history says made a change from here (None:
    no one named, and the store says who is logged in)."""
    return _settings().therapist or None


def cmd_backup(args: argparse.Namespace) -> int:
    from bodymap.core.records.upkeep import backup

    out = Path(args.out)
    if not out.parent.is_dir():
        raise RecordsUsage(f"the folder {str(out.parent)!r} does not exist")
    say(str(backup(existing(args), out)))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from bodymap.core.records.upkeep import check

    report = check(existing(args))
    for line in report.problems:
        say(line)
    say(report.summary)
    return 0 if not report.problems else 1


def cmd_restore(args: argparse.Namespace) -> int:
    from bodymap.core.records.upkeep import restore

    say(restore(Path(args.file), location(args)))
    return 0


def add_parsers(sub: argparse._SubParsersAction[Any]) -> None:
    """The records verbs, on the command line's subparsers."""

    def verb(name: str, help: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = sub.add_parser(name, help=help)
        # SUPPRESS: a --db given before the verb is kept unless the verb is given one of its own.
        p.add_argument("--db", default=argparse.SUPPRESS, help=DB_HELP)
        return p

    p = verb("patients", "list the patients (JSON), with the ids that export takes")
    p.add_argument("--find", help="only patients whose names have words starting with these words")
    p.set_defaults(func=cmd_patients)
    e = verb("export", "write a patient's visit report (PDF), marks (CSV), record (JSON) or FHIR R4 bundle")
    e.add_argument("--patient", required=True, help="the patient's id (bodymap patients) or uid (the JSON's)")
    e.add_argument("--visit", type=int, help="only visit N of the patient (1 = the first, by date)")
    e.add_argument("--format", choices=("pdf", "csv", "json", "fhir"), required=True)
    e.add_argument("--out", required=True, help="the file to write (replaced atomically)")
    e.add_argument(
        "--history", action="store_true", help="pdf: end with the history of changes (json always has it)"
    )
    e.set_defaults(func=cmd_export)
    i = verb("import", "import a patient's record (JSON, as export writes it), with the window's checks")
    i.add_argument("file", help="FILE.json")
    i.set_defaults(func=cmd_import)
    b = verb("backup", "copy the records to a file, safely while the app is open (SQLite's online backup)")
    b.add_argument("--out", required=True, help="the backup file to write")
    b.set_defaults(func=cmd_backup)
    c = verb("check", "check the records for damage and their schema: one line per problem")
    c.set_defaults(func=cmd_check)
    r = verb("restore", "replace the records with a backup (the current file is kept beside it)")
    r.add_argument("file", help="a backup file (bodymap backup, or one of the daily backups)")
    r.set_defaults(func=cmd_restore)


__all__ = ["RecordsUsage", "add_parsers", "say"]
