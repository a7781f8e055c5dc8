"""Is a database file damaged? Found out before anything may write to it.

Writing to a damaged SQLite file can spread the damage (a changed free-list pointer hands out pages that
are still in use), so the check comes first, and it must keep opening fast (300 ms for a file of a
million marks, 280 MB). It has two parts:

1. When the file is opened, in a few milliseconds at any size: the header's fields (page size, payload
   fractions, format numbers, page count against the file's size) and the whole free list, read from
   the file itself; SQLite's own `quick_check` too when the file is small (up to QUICK_LIMIT, a few
   tens of milliseconds).
2. For a bigger file, `quick_check` of every page on a thread of its own, started at once. Reading goes
   ahead meanwhile; the first write waits for the verdict (about 0.6 s for 280 MB; a therapist opens a
   patient first). A damaged file then takes no write at all.

Every connection also sets `cell_size_check`, so SQLite checks each page's cells as it reads it, and a
"malformed" error met later stops all writing (store.Store).
"""

from __future__ import annotations

import sqlite3
import struct
import threading
from pathlib import Path
from typing import BinaryIO

QUICK_LIMIT = 32 * 1024 * 1024  # bytes: a file up to this size gets SQLite's full quick_check on opening
MAX_REPORTED = 20  # problems listed at most (a badly damaged file has thousands)
ADVICE = "restore a backup (bodymap restore FILE) or run bodymap check"


def header_problems(path: Path) -> list[str]:
    """What is wrong with the file's header and free list, read straight from the file.

    Empty when they are sound, and also while a write-ahead log holds changes (its newer pages are not
    in the file yet, so the file alone cannot be judged: SQLite's own check judges both together).
    """
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return []
    with open(path, "rb") as f:
        header = f.read(100)
        size = f.seek(0, 2)
        if len(header) < 100:
            return ["the file is shorter than an SQLite header"]
        (page_size,) = struct.unpack(">H", header[16:18])
        page_size = 65536 if page_size == 1 else page_size
        if page_size < 512 or page_size & (page_size - 1):
            return [f"the header's page size ({page_size}) is not a power of two from 512 to 65536"]
        problems = []
        if header[18] not in (1, 2) or header[19] not in (1, 2):
            problems.append("the header's file format numbers are not 1 or 2")
        if header[21:24] != b"\x40\x20\x20":
            problems.append("the header's payload fractions are not 64, 32 and 32")
        if size % page_size:
            problems.append(
                f"the file's size ({size:,} bytes) is not a whole number of {page_size}-byte pages"
            )
        pages = size // page_size
        change, in_header = struct.unpack(">II", header[24:32])
        (valid_for,) = struct.unpack(">I", header[92:96])
        if valid_for == change and in_header > pages:
            problems.append(f"the header counts {in_header:,} pages but the file holds {pages:,}")
        (schema_format,) = struct.unpack(">I", header[44:48])
        (encoding,) = struct.unpack(">I", header[56:60])
        if schema_format > 4 or encoding > 3:
            problems.append("the header's schema format or text encoding is unknown")
        reserved = header[20]
        problems += _free_list_problems(f, header, pages, page_size - reserved)
    return problems


def _free_list_problems(f: BinaryIO, header: bytes, pages: int, usable: int) -> list[str]:
    """Walk the free list: every trunk and leaf page number in range, no loop, the count as stated."""
    trunk, count = struct.unpack(">II", header[32:40])
    if count > pages or trunk > pages or (trunk == 0) != (count == 0):
        return [f"the header's free list (page {trunk:,}, {count:,} pages) does not fit in {pages:,} pages"]
    page_size = usable + header[20]
    seen: set[int] = set()
    found = 0
    max_leaves = usable // 4 - 2
    while trunk:
        if trunk > pages or trunk in seen:
            what = "out of range" if trunk > pages else "a loop"
            return [f"the free list points to page {trunk:,}, which is {what}"]
        seen.add(trunk)
        f.seek((trunk - 1) * page_size)
        page = f.read(page_size)
        following, leaves = struct.unpack(">II", page[:8])
        if leaves > max_leaves:
            return [f"free-list page {trunk:,} claims {leaves:,} entries (at most {max_leaves:,} fit)"]
        numbers = struct.unpack(f">{leaves}I", page[8 : 8 + 4 * leaves])
        if any(n < 2 or n > pages for n in numbers):
            return [f"free-list page {trunk:,} lists a page that is not in the file"]
        found += 1 + leaves
        if found > count:
            return [f"the free list holds more pages than the header's {count:,}"]
        trunk = following
    if found != count:
        return [f"the free list holds {found:,} pages, the header says {count:,}"]
    return []


def quick_check(con: sqlite3.Connection) -> list[str]:
    """SQLite's own check of every page (PRAGMA quick_check): what it found, at most MAX_REPORTED lines."""
    try:
        found = [str(r[0]) for r in con.execute(f"PRAGMA quick_check({MAX_REPORTED})")]
    except sqlite3.DatabaseError as exc:  # too damaged even to check
        return [str(exc)]
    return [] if found == ["ok"] else lines(found)


def lines(found: list[str]) -> list[str]:
    """SQLite's check output as one line per problem (it opens with "*** in database main ***")."""
    return [
        line.strip() for f in found for line in f.splitlines() if line.strip() and not line.startswith("***")
    ]


class BackgroundCheck:
    """quick_check of a big file on a thread of its own, through a read-only connection of its own."""

    def __init__(self, path: Path):
        self.path = path
        self._done = threading.Event()
        self._problems: list[str] = []
        self._con: sqlite3.Connection | None = None
        self._cancelled = False
        threading.Thread(target=self._run, name=f"bodymap check of {path.name}", daemon=True).start()

    def _run(self) -> None:
        try:
            self._con = con = reader(self.path)
            try:
                con.execute("PRAGMA cell_size_check = ON")
                if not self._cancelled:
                    self._problems = quick_check(con)
            finally:
                self._con = None
                con.close()
        except sqlite3.Error as exc:
            self._problems = [str(exc)]
        finally:
            if self._cancelled:
                self._problems = []
            self._done.set()

    def cancel(self) -> None:
        """Stop the check (the store is closing: nothing will be written, so the verdict is not needed)."""
        self._cancelled = True
        con = self._con
        if con is not None:
            con.interrupt()  # safe from another thread: the running PRAGMA stops at once

    def problems(self) -> list[str]:
        """What the check found (waiting for it to finish, if it has not)."""
        self._done.wait()
        return self._problems

    @property
    def done(self) -> bool:
        return self._done.is_set()


def path_uri(path: Path, *, read_only: bool, immutable: bool = False) -> str:
    """The file as an SQLite URI: read-only (mode=ro), or immutable too (no locks, no -shm: for a file on
    a read-only disk, where SQLite could not make one)."""
    if immutable:
        return path.resolve().as_uri() + "?mode=ro&immutable=1"
    return path.resolve().as_uri() + ("?mode=ro" if read_only else "")


def reader(path: Path) -> sqlite3.Connection:
    """A connection that only reads and leaves no trace: no -wal or -shm files made beside the file.

    A WAL-mode file with no -wal beside it has no writer (a writer always keeps one), so it is read
    immutable, which makes no side files. Otherwise the usual read-only mode, which takes the usual
    locks and so reads consistently while another copy of the app writes; on a read-only disk, where
    SQLite cannot make its -shm, immutable after all.
    """
    wal = Path(f"{path}-wal")
    if not wal.exists():
        with open(path, "rb") as f:
            header = f.read(20)
        if len(header) > 18 and header[18] == 2:
            return sqlite3.connect(
                path_uri(path, read_only=True, immutable=True), uri=True, check_same_thread=False
            )
    try:
        return sqlite3.connect(
            path_uri(path, read_only=True), uri=True, timeout=10.0, check_same_thread=False
        )
    except sqlite3.OperationalError:
        return sqlite3.connect(
            path_uri(path, read_only=True, immutable=True), uri=True, check_same_thread=False
        )


def described(where: str, problems: list[str]) -> str:
    """One line: the database is damaged, the first thing found, and what to do."""
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{where} is damaged: {problems[0]}{more}; nothing will be written to it: {ADVICE}"


__all__ = [
    "ADVICE",
    "QUICK_LIMIT",
    "BackgroundCheck",
    "described",
    "header_problems",
    "path_uri",
    "quick_check",
]
