"""Issue 15: clinic mode, several windows on one PostgreSQL server.

    python -m benchmarks.clinic [--db URL]

Without --db, a private PostgreSQL server is started for the run (the distribution's package, a cluster
in a temporary folder reached over its unix socket, with the durability of a real server: fsync on) and
removed at the end. Prints medians with their targets and the ratio to a baseline measured in the same
run:

- record a mark on the server (placed, validated, its visit row locked, committed: 3 statements), as
  the window does it (AddMark); target ≤ 10 ms; baseline: a bare INSERT + COMMIT on the same server
- a change seen by the other window: one store changes a visit's notes; the time until another store's
  watcher has told it, Store.news has read it and the other window's OpenRecord shows it; target ≤ 2 s;
  baseline: the change itself (its commit). The same on a SQLite file (a second process on the same
  computer: data_version polled every 0.25 s).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from shapely.geometry import Point

from bodymap.core.records import Patient, Store, Visit
from bodymap.core.records.commands import AddMark
from bodymap.core.records.open_record import OpenRecord
from bodymap.core.records.placement import Placer
from bodymap.core.records.watch import Watcher

try:
    from .common import median_seconds, report
except ImportError:  # run as a script: python benchmarks/clinic.py
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import median_seconds, report  # type: ignore[no-redef]

MARKS = 200  # marks recorded (after a warm-up), spread over the back view
SEEN = 20  # changes timed until the other window shows them


def _spots(placer: Placer, n: int) -> list[tuple[float, float]]:
    """n points on the back view inside the body, on a grid over the trunk."""
    outline = placer.body["back"].outline
    spots = []
    y = 0.70
    while len(spots) < n:
        for i in range(-10, 11):
            x = i * 0.008
            if outline.contains(Point(x, y)):
                spots.append((x, y))
        y -= 0.004
    return spots[:n]


def record_a_mark(url: str, placer: Placer) -> None:
    store = Store.open(url, placer=placer, recorder="Bench")
    try:
        p = store.add_patient(Patient(given_name="Bench", family_name="Mark", date_of_birth=date(1980, 1, 1)))
        v = store.add_visit(Visit(patient_id=p.id, visited_on=date(2024, 3, 1)))
        spots = iter(_spots(placer, MARKS + 10))

        def one() -> None:
            x, y = next(spots)
            AddMark(v.id, "back", x, y).do(store)

        recorded = median_seconds(one, repeat=MARKS, warmup=5)
        with store.engine.begin() as conn:
            conn.execute(
                sa.text("CREATE TABLE IF NOT EXISTS bench_baseline (id serial PRIMARY KEY, x float)")
            )

        def bare() -> None:
            with store.engine.begin() as conn:
                conn.execute(sa.text("INSERT INTO bench_baseline (x) VALUES (0.5)"))

        baseline = median_seconds(bare, repeat=MARKS, warmup=5)
        with store.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE bench_baseline"))
        report("record a mark on PostgreSQL, local socket (3 statements)", recorded, 0.010, baseline)
    finally:
        store.close()


def change_seen(location: str, placer: Placer, label: str) -> None:
    """The time from one store's change until the other's OpenRecord shows it, through the watcher."""
    mine = Store.open(location, placer=placer, recorder="A. Adams")
    other = Store.open(location, placer=placer, recorder="B. Brown")
    try:
        p = mine.add_patient(Patient(given_name="Seen", family_name="Live", date_of_birth=date(1980, 1, 1)))
        v = mine.add_visit(Visit(patient_id=p.id, visited_on=date(2024, 3, 1)))
        record = OpenRecord.load(other, p.id)
        other.subscribe(record.apply)
        shown = threading.Event()
        expected = [""]

        def news(ids: list[int]) -> None:  # on the watcher's thread, as the window's signal would carry
            other.news(ids)
            visit = record.visit(v.id)
            if visit is not None and visit.notes == expected[0]:
                shown.set()

        watcher = Watcher(other, news)
        watcher.start()
        watcher.ready.wait(10)
        seen, commits = [], []
        for i in range(SEEN):
            expected[0] = f"note {i}"
            shown.clear()
            start = time.perf_counter()
            mine.update_visit(v.id, notes=expected[0], seen=mine.visit(v.id))
            commits.append(time.perf_counter() - start)
            if not shown.wait(10):
                raise SystemExit(f"{label}: change {i} was not seen within 10 s")
            seen.append(time.perf_counter() - start)
            time.sleep(0.05)
        watcher.stop()
        report(
            f"a change seen by the other window ({label})",
            statistics.median(seen),
            2.0,
            statistics.median(commits),
        )
        print(f"  slowest of {SEEN}: {max(seen) * 1000:.0f} ms", flush=True)
    finally:
        mine.close()
        other.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a PostgreSQL URL to measure on (its database gets benchmark rows)")
    args = parser.parse_args(argv)
    print("clinic mode (issue 15)", flush=True)
    placer = Placer()
    server = None
    url = args.db
    if url is None:
        try:
            from tests.ui.pgserver import PrivateServer  # the tests' private server (run from the repo)

            server = PrivateServer()
            server.start(durable=True)
            url = server.url
        except (ImportError, RuntimeError) as exc:
            print(f"  skipped: no PostgreSQL server ({exc}); give one with --db URL", flush=True)
            return
    try:
        record_a_mark(url, placer)
        change_seen(url, placer, "PostgreSQL, LISTEN/NOTIFY")
    finally:
        if server is not None:
            server.remove()
    with tempfile.TemporaryDirectory(prefix="bodymap-bench-clinic-") as folder:
        change_seen(str(Path(folder) / "records.sqlite"), placer, "SQLite file, data_version")


if __name__ == "__main__":
    main()
