"""Django's SQLite backend; a transaction's `BEGIN IMMEDIATE` retries every few milliseconds
while another connection holds the write lock, instead of through SQLite's busy handler.

The busy handler sleeps longer the longer a writer has waited — 1, 2, 5, 10 ... then 100 ms
between tries — so after a worker's transaction of a few hundred milliseconds the waiting
uploads looked again only every 100 ms, and the lock stood free most of the time between
them: at 100 files/s the uploads queued for seconds behind a lock nobody held."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

from django.db.backends.sqlite3 import base

FIRST_RETRY_SECONDS = 0.0005
# The longest sleep between two tries: how long the lock may stand free while writers wait.
LONGEST_RETRY_SECONDS = 0.004


def begin_immediate(execute: Callable[[str], object], timeout: float, *,
                    sleep: Callable[[float], None] = time.sleep,
                    clock: Callable[[], float] = time.monotonic) -> None:
    """Run BEGIN IMMEDIATE (with the connection's busy timeout at 0), trying again while the
    database is locked, for at most `timeout` seconds; then the "database is locked" error."""
    deadline = clock() + timeout
    delay = FIRST_RETRY_SECONDS
    while True:
        try:
            execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if getattr(error, "sqlite_errorcode", None) != sqlite3.SQLITE_BUSY or (
                    clock() >= deadline):
                raise
        sleep(delay)
        delay = min(delay * 2, LONGEST_RETRY_SECONDS)


class DatabaseWrapper(base.DatabaseWrapper):
    def _start_transaction_under_autocommit(self):
        if self.transaction_mode != "IMMEDIATE":
            return super()._start_transaction_under_autocommit()
        timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5))
        raw = self.connection
        raw.execute("PRAGMA busy_timeout = 0")
        try:
            with self.wrap_database_errors:
                begin_immediate(raw.execute, timeout)
        finally:
            raw.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
