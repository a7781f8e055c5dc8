"""One running bodymap at a time on a patient-records database.

Two copies of the app on one database would each see what the other changed only on reopening the
patient, and an undo in one could set back an edit made since in the other. So the first copy to open
the records holds a lock file beside the database (Qt's QLockFile). A copy that crashed leaves its lock
behind; the next start sees that its process is gone and takes the lock over. A second copy says that
the records are open elsewhere and works without them (atlas and lookup). Records on a database server
(a URL) take no lock: the server arbitrates between its clients."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QLockFile

from bodymap.core.records.paths import default_database, is_url


class RecordsLock:
    def __init__(self, location: str | os.PathLike | None = None):
        where = default_database() if location is None else os.fspath(location)
        self.path = None if is_url(where) else Path(where).expanduser().with_name(Path(where).name + ".lock")
        self._file: QLockFile | None = None

    def acquire(self) -> str | None:
        """Take the lock. None when this copy may open the records; else why not, in one line."""
        if self.path is None or not self.path.parent.is_dir():
            return None  # a server, or a folder that opening the records creates (or reports missing)
        lock = QLockFile(str(self.path))
        lock.setStaleLockTime(0)  # a live copy keeps its lock however long it runs
        if lock.tryLock(0):
            self._file = lock
            return None
        if lock.error() == QLockFile.LockError.LockFailedError:
            held = lock.getLockInfo()
            by = f" (process {held[0]} on {held[1]})" if held else ""
            return (
                f"These patient records are open in another bodymap window{by}. This window shows the "
                f"atlas and the lookup; record in the other one, or close it and reopen bodymap."
            )
        return None  # the lock file cannot be written here (a read-only share): open without it

    def release(self) -> None:
        if self._file is not None:
            self._file.unlock()
            self._file = None
