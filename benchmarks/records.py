"""Issues 5 and 10: patient records at clinic scale: 10,000 patients, 60,000 visits, 1,000,000 marks.

    python -m benchmarks.records [--db PATH] [--keep]

Builds the database with executemany in big batches (a minute or two), then prints medians with their
targets and the ratio to a baseline measured in the same run:

- open the store and list every patient (target ≤ 300 ms), the damage check included; baseline: the same
  on an empty database. Then the check's parts: the header and free list (at open), and the quick_check of
  every page that runs on its own thread (reading does not wait for it; the first write does)
- find a patient by a typed prefix (≤ 50 ms); baseline: a bare SELECT 1 through a pooled connection
- open a visit with its marks and drawing (≤ 50 ms); baseline: the same SELECT 1
- record a mark, committed (≤ 10 ms); baseline: a bare INSERT + COMMIT with the same durability settings

With --db PATH an existing benchmark database is reused (built there if missing).
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from shapely.geometry import Point

from bodymap.core.records import Store, damage, schema
from bodymap.core.records import rows as record_rows
from bodymap.core.records.placement import Placer, placement_fields

try:
    from .common import median_seconds, report
except ImportError:  # run as a script: python benchmarks/records.py
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import median_seconds, report  # type: ignore[no-redef]

PATIENTS, VISITS, MARKS = 10_000, 60_000, 1_000_000
BATCH = 50_000
GIVEN = [
    "Ann",
    "Anna",
    "Björn",
    "Chloé",
    "David",
    "Émile",
    "Fatima",
    "Grace",
    "Hamid",
    "Ines",
    "Jöns",
    "Kai",
    "Lena",
    "María",
    "Noah",
    "Olga",
    "Pedro",
    "Quinn",
    "Rosa",
    "Siobhán",
    "Tomás",
    "Uma",
    "Viktor",
    "Wei",
    "Xavier",
    "Yusuf",
    "Zoë",
    "Łukasz",
    "Søren",
    "Ágnes",
]
FAMILY = [
    "Lee",
    "Smith",
    "O'Brien",
    "Ångström",
    "García",
    "Müller",
    "Nowak",
    "Rossi",
    "Dubois",
    "Kowalski",
    "Nguyen",
    "Ivanova",
    "Jensen",
    "Papadopoulos",
    "Yılmaz",
    "van der Berg",
    "Haddad",
    "Silva",
    "Tanaka",
    "Okafor",
    "Novák",
    "Horvat",
    "Cohen",
    "Khan",
    "Murphy",
    "Schmidt",
    "Fernández",
    "Larsen",
    "Kim",
    "Sato",
]


def _placements(placer: Placer, n: int, rng: random.Random) -> list:
    """n real placements (random points on the body) to reuse: placing a million points is not the test."""
    out = []
    views = ["front", "back", "plantar"]
    while len(out) < n:
        view = rng.choice(views[:2] * 5 + views[2:])
        minx, miny, maxx, maxy = placer.body[view].outline.bounds
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if placer.body[view].outline.covers(Point(x, y)):
            out.append(placer.place(view, x, y))
    return out


def _areas(placer: Placer, n: int, rng: random.Random) -> list[dict]:
    """n drawn areas (a disc or two on a view), clipped and stored as the store would."""
    out = []
    for p in _placements(placer, n, rng):
        area = placer.clip(p.view, Point(p.x, p.y).buffer(rng.uniform(0.01, 0.04)))
        out.append(record_rows.areas_row({p.view: area}) if area is not None else record_rows.areas_row({}))
    return out


def build(path: Path, placer: Placer) -> None:
    rng = random.Random(5)
    t0 = time.perf_counter()
    Store.open(path, placer=placer).close()  # the schema, through the real migrations
    engine = sa.create_engine(f"sqlite:///{path}")
    now = datetime(2024, 6, 1, 12, 0)
    placements = _placements(placer, 4000, rng)
    areas = [a for a in _areas(placer, 400, rng) if any(a.values())]
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA synchronous = OFF")  # generation only; the store itself never does this
        people = []
        for i in range(PATIENTS):
            g, f = rng.choice(GIVEN), rng.choice(FAMILY)
            people.append(
                {
                    "uid": f"{i:032x}",
                    "given_name": g,
                    "family_name": f,
                    "name_key": record_rows.name_key(g, f),
                    "sort_key": record_rows.sort_key(g, f),
                    "date_of_birth": date(1940, 1, 1) + timedelta(days=rng.randrange(25_000)),
                    "sex": rng.choice(["female", "male", "other", "unknown"]),
                    "contact": "",
                    "notes": "",
                    "created_at": now,
                    "updated_at": now,
                    "deleted_at": None,
                }
            )
        conn.execute(schema.patients.insert(), people)
        visit_rows, drawing_rows = [], []
        for i in range(VISITS):
            vid = i + 1
            visit_rows.append(
                {
                    "patient_id": i // (VISITS // PATIENTS) + 1,
                    "visited_on": date(2024, 1, 1) + timedelta(days=i % 150),
                    "therapist": "J. Brown",
                    "complaint": "neck pain",
                    "pain_before": rng.randrange(11),
                    "pain_after": rng.randrange(11),
                    "notes": "",
                    "after_recorded": False,
                    "created_at": now,
                    "updated_at": now,
                    "deleted_at": None,
                }
            )
            drawing_rows.append(
                {
                    "visit_id": vid,
                    "symptom": "pain",
                    "intensity": rng.randrange(11),
                    "notes": "",
                    "created_at": now,
                    "updated_at": now,
                    "deleted_at": None,
                    **rng.choice(areas),
                }
            )
        conn.execute(schema.visits.insert(), visit_rows)
        conn.execute(schema.drawings.insert(), drawing_rows)
    print(f"  built patients, visits and drawings in {time.perf_counter() - t0:.1f} s", flush=True)
    statuses = ["active", "latent", None]
    for start in range(0, MARKS, BATCH):
        batch = []
        for i in range(start, min(start + BATCH, MARKS)):
            p = placements[i % len(placements)]
            batch.append(
                {
                    "visit_id": i % VISITS + 1,
                    **placement_fields(p),
                    "status": statuses[i % 3],
                    "twitch": None,
                    "familiar_pain": None,
                    "referral": None,
                    "tenderness": i % 11,
                    "ppt_kpa": None,
                    "needled": i % 4 == 0,
                    "notes": "",
                    "created_at": now,
                    "updated_at": now,
                    "deleted_at": None,
                }
            )
        with engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA synchronous = OFF")
            conn.execute(schema.marks.insert(), batch)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.exec_driver_sql("ANALYZE")  # planner statistics, as a maintenance run would leave them
    engine.dispose()
    print(
        f"  built {PATIENTS:,} patients, {VISITS:,} visits, {MARKS:,} marks "
        f"in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )


def _select_one(path: Path) -> float:
    """A bare SELECT 1 through a pooled SQLAlchemy connection: the round trip every store read pays."""
    engine = sa.create_engine(f"sqlite:///{path}")

    def once():
        with engine.connect() as conn:
            return conn.exec_driver_sql("SELECT 1").scalar()

    try:
        return median_seconds(once, repeat=200)
    finally:
        engine.dispose()


def _bare_commit(folder: Path) -> float:
    """INSERT + COMMIT in WAL mode with synchronous=FULL: the price of a durable commit on this disk."""
    scratch = folder / "bare-commit.sqlite"
    con = sqlite3.connect(scratch, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("CREATE TABLE IF NOT EXISTS t (x REAL, y REAL, note TEXT)")

    def commit():
        con.execute("BEGIN IMMEDIATE")
        con.execute("INSERT INTO t VALUES (?, ?, ?)", (0.1, 0.5, "x"))
        con.execute("COMMIT")

    try:
        return median_seconds(commit, repeat=100)
    finally:
        con.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{scratch}{suffix}").unlink(missing_ok=True)


def measure(path: Path, placer: Placer) -> None:
    rng = random.Random(7)
    folder = path.parent
    empty = folder / "empty-bench.sqlite"
    Store.open(empty, placer=placer).close()

    def open_and_list(p):
        def run():
            with Store.open(p, placer=placer) as store:
                return store.patients()

        return run

    base_open = median_seconds(open_and_list(empty), repeat=15)
    opened = median_seconds(open_and_list(path), repeat=15, warmup=2)
    with Store.open(path, placer=placer) as store:
        count = len(store.patients())
    report("open an empty store and list its patients (baseline)", base_open)
    report(
        f"open the store (damage check included) and list all {count:,} patients", opened, 0.300, base_open
    )
    # The damage check, part by part (records/damage.py): at open, the header and free list read from the
    # file (any size: milliseconds); the whole file's pages by quick_check on a thread, which reading does
    # not wait for and the first write does.
    header = median_seconds(lambda: damage.header_problems(path), repeat=15)
    report("  of which: header and free list, read from the file", header, baseline_s=base_open)
    whole = median_seconds(lambda: damage.BackgroundCheck(path).problems(), repeat=3, warmup=1)
    report("  on its thread: quick_check of every page (the first write waits)", whole, baseline_s=base_open)

    def open_and_write():
        with Store.open(path, placer=placer, recorder="bench") as store:
            store.update_visit(1, notes=f"written {time.perf_counter()}")

    first_write = median_seconds(open_and_write, repeat=3, warmup=1)
    report("open the store and write at once (waits for the page check)", first_write, baseline_s=base_open)

    select_one = _select_one(path)
    report("bare SELECT 1 through a pooled connection (baseline)", select_one)
    with Store.open(path, placer=placer) as store:
        prefixes = [w[:n] for w in GIVEN + FAMILY for n in (1, 2, 3)]
        found = median_seconds(lambda: store.find_patients(rng.choice(prefixes)), repeat=200)
        report("find patients by a typed prefix (first 50)", found, 0.050, select_one)

        def open_visit():
            vid = rng.randrange(1, VISITS + 1)
            return store.visit(vid), store.marks(vid), store.drawings(vid)

        opened_visit = median_seconds(open_visit, repeat=200)
        report("open a visit with its ~17 marks and its drawing", opened_visit, 0.050, select_one)

        bare = _bare_commit(folder)
        report("bare INSERT + COMMIT, WAL, synchronous=FULL (baseline)", bare)
        spots = _placements(placer, 200, rng)
        visit_id = rng.randrange(1, VISITS + 1)
        recorded = median_seconds(
            lambda: store.add_mark(visit_id, (s := rng.choice(spots)).view, s.x, s.y), repeat=100
        )
        report("record a mark (placed, validated, committed)", recorded, 0.010, bare)
    size = sum(Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists())
    print(f"  database file: {size / 1e6:.0f} MB ({path})", flush=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{empty}{suffix}").unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="reuse (or build) the benchmark database here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    args = parser.parse_args(argv)
    placer = Placer()
    folder = None
    path = args.db
    if path is None:
        folder = Path(tempfile.mkdtemp(prefix="bodymap-bench-records-"))
        path = folder / "records.sqlite"
    print("records (issue 5)", flush=True)
    if not path.exists():
        build(path, placer)
    measure(path, placer)
    if folder is not None and not args.keep:
        for p in folder.iterdir():
            p.unlink()
        os.rmdir(folder)


if __name__ == "__main__":
    main()
