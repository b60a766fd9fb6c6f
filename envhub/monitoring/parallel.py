"""Reading and checking the next files while this process writes, for large backfills.

Parsing and checking TT10 files is pure Python and takes a good part of ingestion's time;
writing is one transaction at a time. Two ways to overlap them, both giving back the prepared
slices in order (`reader` picks one):

- `PreparePool` hands slices to worker processes (fresh interpreters: a database connection
  must never cross a fork), which read while this one writes. Worth it with cores to spare.
- `ReadAhead` reads the next slice in a thread of this process while the database commits the
  current one (the caller passes `before_commit` to `ingest.write`). The commit is the
  database's own work (PostgreSQL's server process, SQLite's C code), during which this process
  holds no lock on the interpreter; at any other time the thread would only take turns with the
  writer. On two cores this is the one that helps (docs/benchmarks.md).
"""

from __future__ import annotations

import datetime
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor

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


def reader(actor: Actor, jobs: int) -> PreparePool | ReadAhead | None:
    """What reads ahead for a backfill: `jobs` worker processes, or with none a thread that
    reads during the commits; nothing when other connections could not see this one's data
    (see `usable`): the caller then reads each slice itself."""
    if not usable():
        return None
    return PreparePool(actor, jobs) if jobs else ReadAhead(actor)


class ReadAhead:
    """Reads the next slice in a thread while the database commits the one before.

    `prepared(slices)` yields (slice, its prepared files, their arrival time); whoever writes a
    slice calls `before_commit` (through `ingest.write`) once it is written, which starts
    reading the next one. A slice whose writing failed before that point is read afterwards,
    as without read-ahead."""

    def __init__(self, actor: Actor):
        self.actor = actor
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="envhub-read")
        self._next: list | None = None
        self._next_future: Future | None = None

    def prepared(self, slices: Iterable[Sequence], incoming_of=lambda item: item,
                 ) -> Iterator[tuple[Sequence, list, datetime.datetime]]:
        from django.utils import timezone

        from envhub.monitoring import ingest

        slices = iter(slices)
        items = next(slices, None)
        future = None
        while items is not None:
            if future is None:
                now = timezone.now()
                prepared = ingest.prepare_files(
                    self.actor, [incoming_of(item) for item in items], now)
            else:
                prepared, now = future.result()
            following = next(slices, None)  # read from disk here, not in the thread
            self._next = None if following is None else [incoming_of(i) for i in following]
            self._next_future = None
            yield items, prepared, now
            future, items = self._next_future, following

    def before_commit(self) -> None:
        if self._next is not None and self._next_future is None:
            self._next_future = self._executor.submit(_prepare_now, self.actor, self._next)

    def close(self, cancel: bool = False) -> None:
        # Cancelled (Ctrl-C twice): no waiting for a slice being read, which is thrown away.
        self._executor.shutdown(wait=not cancel, cancel_futures=cancel)


def _prepare_now(actor: Actor, files):
    from django.db import connections
    from django.utils import timezone

    from envhub.monitoring import ingest

    now = timezone.now()
    try:
        return ingest.prepare_files(actor, files, now), now
    finally:
        # The thread's own connection (opened if it had to read the registry) is not kept
        # between slices: one that broke meanwhile would fail every later slice.
        connections.close_all()


class PreparePool:
    # Worker processes read while this one writes: nothing to start at the commit.
    before_commit = None

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
