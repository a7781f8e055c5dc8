"""Watching the records for what others change, so that a window shows it within a second or two.

A clinic's windows share one database: on a PostgreSQL server, every change is announced by the server
when it is committed (the history table's trigger, migration 0006: NOTIFY bodymap, "<history id>
<patient id>"), and a Watcher LISTENs on a connection of its own; on a SQLite file (a second process on
the same computer, such as `bodymap import`), it asks SQLite's `PRAGMA data_version` a few times a
second, which moves whenever another connection commits, and then reads the history entries added
since. Either way it hands the new history ids to `news` (Store.news turns them into Changes).

It also keeps an eye on the server: when the connection is lost (the server stopped, restarted, stopped
answering), `status(False, why)` says so, it tries again every RETRY seconds, and `status(True, "")`
says when the server is back (what was announced meanwhile is lost: the window reads its patient
again). The callbacks run on the watcher's own thread.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import damage, database, sqlite_file
from .store import Store

log = logging.getLogger(__name__)

CHANNEL = "bodymap"
POLL = 0.25  # seconds between two looks at a SQLite file's data_version (a cheap read of shared memory)
WAIT = 0.5  # seconds a server's announcements are waited for before the watcher looks at its stop flag
BATCH = 0.03  # seconds the announcements that follow a first one are gathered, to be read together
PING = 5.0  # seconds between two checks that a quiet server still answers
RETRY = 2.0  # seconds between two attempts to reach a server that went away


class Watcher:
    """Tells `news(history_ids)` of changes others commit to the store's database, and `status(up, why)`
    of a server going away and coming back; start() starts its thread, stop() ends it."""

    def __init__(
        self,
        store: Store,
        news: Callable[[list[int]], None],
        status: Callable[[bool, str], None] | None = None,
    ):
        self.store, self._news, self._status = store, news, status or (lambda _up, _why: None)
        self._stop = threading.Event()
        self._poke = threading.Event()
        self.ready = threading.Event()  # set once watching: changes committed from then on are told
        self._thread = threading.Thread(target=self._run, name="bodymap records watcher", daemon=True)
        self.up = True

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._poke.set()
        self._thread.join(timeout=5)

    def check(self) -> None:
        """Check now that the server answers (a change just failed to reach it): `status` is told either
        way, (True, "") if it does."""
        self._poke.set()

    def _run(self) -> None:
        try:
            if self.store.server:
                self._listen()
            else:
                self._poll()
        except Exception:  # a watcher that dies must not take the window with it; changes still save
            log.exception("the records watcher stopped")

    # --- a SQLite file ------------------------------------------------------------------------------

    def _poll(self) -> None:
        uri = damage.path_uri(Path(self.store.where), read_only=True)  # a '?' or '#' in a folder's name
        con = sqlite3.connect(uri, uri=True, timeout=sqlite_file.BUSY_TIMEOUT)
        try:
            last = int(con.execute("SELECT coalesce(max(id), 0) FROM history").fetchone()[0])
            seen = con.execute("PRAGMA data_version").fetchone()[0]
            self.ready.set()
            while not self._stop.wait(POLL):
                now = con.execute("PRAGMA data_version").fetchone()[0]
                if now == seen:
                    continue
                seen = now
                ids = [
                    int(r[0]) for r in con.execute("SELECT id FROM history WHERE id > ? ORDER BY id", (last,))
                ]
                if ids:
                    last = ids[-1]
                    self._news(ids)
        finally:
            con.close()

    # --- a server -----------------------------------------------------------------------------------

    def _connect(self) -> Any:
        import psycopg

        engine = self.store.engine
        args, kwargs = engine.dialect.create_connect_args(engine.url)
        kwargs.pop("context", None)
        settings = {**database.server_settings(), "application_name": "bodymap watcher"}  # for the admin
        conn = psycopg.connect(*args, **{**kwargs, **settings}, autocommit=True)
        conn.execute(f"LISTEN {CHANNEL}")
        return conn

    def _listen(self) -> None:
        conn = None
        while not self._stop.is_set():
            if conn is None:
                try:
                    conn = self._connect()
                except Exception as exc:
                    self._went("the records server cannot be reached", database.driver_reason(exc))
                    self._stop.wait(RETRY)
                    continue
                self.ready.set()
                if not self.up:
                    self.up = True
                    self._status(True, "")
            try:
                self._wait(conn)
            except Exception as exc:
                self._went("the connection to the records server was lost", database.driver_reason(exc))
                try:
                    conn.close()
                except Exception:
                    pass
                conn = None
                self.store.engine.dispose()  # its pooled connections went with the server
        if conn is not None:
            conn.close()

    def _wait(self, conn: Any) -> None:
        """Hand on the announcements that come in, and check now and then that the server answers."""
        quiet = 0.0
        while not self._stop.is_set():
            ids = [int(n.payload.split()[0]) for n in conn.notifies(timeout=WAIT, stop_after=1)]
            if ids:  # and those that come with it (one transaction announces each of its changes)
                ids += [int(n.payload.split()[0]) for n in conn.notifies(timeout=BATCH, stop_after=500)]
            if ids:
                quiet = 0.0
                self._news(ids)
                continue
            quiet += WAIT
            if quiet >= PING or self._poke.is_set():
                asked = self._poke.is_set()
                self._poke.clear()
                quiet = 0.0
                self._ping(conn)
                if asked:  # a change failed to reach the server, yet it answers: say it is there
                    self._status(True, "")

    def _ping(self, conn: Any) -> None:
        with database.deadline(conn, min(database.DEADLINE, 10.0)):
            conn.execute("SELECT 1")

    def _went(self, why: str, reason: str) -> None:
        """Say once that the server went away: `why` in words for the window, the driver's `reason` logged
        for whoever mends it."""
        if self.up:
            self.up = False
            log.warning("%s: %s", why, reason)
            self._status(False, why)
