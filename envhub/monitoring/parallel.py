"""Reading and checking files in other processes while this one writes, for large backfills.

Parsing and checking TT10 files is pure Python and takes most of ingestion's time; writing is
one transaction at a time. `PreparePool` hands slices of files to worker processes (fresh
interpreters: a database connection must never cross a fork) and gives back what they prepared,
in order, so the caller can write one slice while the next ones are being read.
"""

from __future__ import annotations

import datetime
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from envhub.core.permissions import Actor


def _start_worker(database_name: str) -> None:
    # The command in front decides when to stop: a terminal's Ctrl-C must not kill a worker
    # in the middle of a slice the writer is waiting for.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "envhub.settings")
    import django

    django.setup()
    from django.db import connection

    # The very database the writer uses (under the test runner it is not the configured one).
    connection.settings_dict["NAME"] = database_name


def usable() -> bool:
    """Whether worker processes would see what this process sees: not when the database lives
    in this process's memory, nor inside a transaction (its uncommitted rows are invisible to
    other connections — as under the test runner)."""
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    in_memory = connection.vendor == "sqlite" and ("memory" in name or name == "")
    return not in_memory and not connection.in_atomic_block


def _prepare(actor: Actor, files, now: datetime.datetime):
    from envhub.monitoring import ingest

    return ingest.prepare_files(actor, files, now)


def default_jobs() -> int:
    """Worker processes worth starting: one per core but one (left for the writer), and none
    with two cores or fewer. There the writer (with SQLite's work, or PostgreSQL's server
    process) takes the cores already, and a reading process beside it slows it down by about
    as much as it takes off (docs/benchmarks.md), while holding a copy of Django and slices of
    its own in memory."""
    cores = os.cpu_count() or 1
    return 0 if cores <= 2 else cores - 1


class PreparePool:
    def __init__(self, actor: Actor, jobs: int):
        self.actor = actor
        self.jobs = jobs
        from django.db import connection

        self._executor = ProcessPoolExecutor(
            max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker, initargs=(str(connection.settings_dict["NAME"]),))

    def prepared(self, slices: Iterable[Sequence], incoming_of=lambda item: item,
                 ) -> Iterator[tuple[Sequence, list, datetime.datetime]]:
        """(slice, its prepared files, the arrival time they were checked against) in order,
        keeping the workers a slice or two ahead. `incoming_of` gives an item's IncomingFile."""
        from django.utils import timezone

        pending: deque[tuple[Sequence, Future, datetime.datetime]] = deque()
        ahead = self.jobs + 1
        for items in slices:
            now = timezone.now()
            future = self._executor.submit(_prepare, self.actor,
                                           [incoming_of(item) for item in items], now)
            pending.append((items, future, now))
            if len(pending) > ahead:
                done, future, at = pending.popleft()
                yield done, future.result(), at
        while pending:
            done, future, at = pending.popleft()
            yield done, future.result(), at

    def close(self, cancel: bool = False) -> None:
        self._executor.shutdown(wait=not cancel, cancel_futures=cancel)
