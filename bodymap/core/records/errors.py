"""The records' errors: each says in one line what went wrong and what was (not) written."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import HistoryEntry


class RecordsError(ValueError):
    """A records problem told in one line (a database that cannot be opened, a missing record...)."""


class InvalidValue(RecordsError):
    """An impossible value: refused, and nothing was written."""


class ReadOnly(RecordsError):
    """A change refused because the records are read-only (a read-only disk, a damaged file): it says why."""


class NotFound(RecordsError):
    """No record with that id."""


class Unreachable(RecordsError):
    """The database server cannot be reached (down, restarting, not answering): nothing was written, and
    the window reconnects by itself (watch.py)."""


class Conflict(RecordsError):
    """A change refused because someone else changed or deleted the record since the version the change
    was made on (another window, another therapist): it says who, what and when, and nothing was
    written. Reloading the record shows their change; the user can then make theirs again."""

    def __init__(self, message: str, entries: Sequence[HistoryEntry] = ()):
        super().__init__(message)
        self.entries = tuple(entries)  # the changes made since, oldest first (from the history)
