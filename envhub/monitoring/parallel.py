"""Reading and checking the next files while this process writes, for large backfills.

Parsing and checking TT10 files is pure Python and takes a good part of ingestion's time;
writing is one transaction at a time. Two ways to overlap them, both giving back the prepared
slices in order (`reader` picks one):

- `PreparePool` hands slices to worker processes (fresh interpreters: a database connection
  must never cross a fork), which read and plan while this one writes; the checked values stay
  there (`ingest.without_values`). Worth it with cores to spare.
- `ReadAhead` reads the next slice in a thread of this process, and works out what it will
  write (`ingest.plan`), while the database writes the current one. The thread runs only
  while its `Gate` is open: while the database works without Python's interpreter lock (SQLite's
  long statements, any commit). On two cores this is the one that helps (docs/benchmarks.md).
"""

from __future__ import annotations

import contextlib
import datetime
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import NamedTuple

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
    """In a worker process: the files checked and planned; the plan goes to the writer with
    the files, not their values (see `ingest.without_values`)."""
    from envhub.monitoring import ingest

    prepared = ingest.prepare_files(actor, files, now)
    planned = ingest.plan(prepared)
    if planned is not None:
        ingest.without_values(prepared, planned)
    return prepared, planned


def default_jobs() -> int:
    """Worker processes worth starting: one with more than two cores, none with two or fewer.
    On two cores the writer (with SQLite's work, or PostgreSQL's server process) takes the
    cores already, and a reading process beside it slows it down more than it takes off
    (docs/benchmarks.md). One reading process keeps pace with the one writer on SQLite (some
    40 µs a file each, pickling included) and reads faster than PostgreSQL's writer writes;
    each holds a Django of its own (some 70 MB), and with more of them the backfill would no
    longer stay under 300 MB."""
    cores = os.cpu_count() or 1
    return 0 if cores <= 2 else 1


def reader(actor: Actor, jobs: int) -> PreparePool | ReadAhead | ReadInTurn:
    """What reads the slices of a backfill: `jobs` worker processes, or with none a thread that
    reads and plans while the database writes; this thread itself, slice after slice, when
    other connections could not see this one's data (see `usable`)."""
    if not usable():
        return ReadInTurn(actor)
    return PreparePool(actor, jobs) if jobs else ReadAhead(actor)


class ReadSlice(NamedTuple):
    """A slice as a reader gives it back: its items, their files checked, the arrival time they
    were checked against, and what they will write when worked out ahead (else None)."""

    items: Sequence
    prepared: list
    now: datetime.datetime
    plan: object | None


class Gate:
    """When a reading thread may run: only while the gate is open. The writer opens it while
    the database works without Python's interpreter lock, and shuts it while it runs Python
    itself. Were the thread free to run then, the two would take turns on the lock, and each
    time the writer came back from the database (once per row of an `executemany`) it would
    wait for the thread to let go, up to a switch interval (5 ms): CPython's convoy effect."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._is_open = self._event.is_set

    def open(self) -> None:
        self._event.set()

    def shut(self) -> None:
        self._event.clear()

    @contextlib.contextmanager
    def opened(self):
        self.open()
        try:
            yield
        finally:
            self.shut()

    def wait(self) -> None:
        """Called by the reading thread between files."""
        if not self._is_open():
            self._event.wait()


# How soon a thread waiting for the interpreter gets it from the one running Python (CPython's
# default: 5 ms). The writer waits so each time one of its statements ends while the reading
# thread runs, several times a slice: at 5 ms that was a sixth of the time.
SWITCH_INTERVAL = 0.0002


@contextlib.contextmanager
def _switching_every(seconds: float):
    previous = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


class ReadAhead:
    """Reads the next slice in a thread while the database writes the one before.

    `prepared(slices)` yields a `ReadSlice` for each; whoever writes it passes `gate` to
    `ingest.write`, which lets the thread run while the database works on its own."""

    def __init__(self, actor: Actor):
        self.actor = actor
        self.gate = Gate()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="envhub-read")

    def prepared(self, slices: Iterable[Sequence], incoming_of=lambda item: item,
                 ) -> Iterator[ReadSlice]:
        from django.utils import timezone

        from envhub.monitoring import ingest

        slices = iter(slices)
        items = next(slices, None)
        if items is None:
            return
        # Python's cycle collector stays paused from the first slice to the last, not only
        # while each is read or written (see `ingest.collector_paused`): with the reading
        # thread done early, it would otherwise run between two slices and walk the whole heap
        # each time (a tenth of the time). A slice makes no reference cycles: its objects go
        # as soon as it is written.
        with ingest.collector_paused(), _switching_every(SWITCH_INTERVAL):
            try:
                now = timezone.now()
                prepared = ingest.prepare_files(
                    self.actor, [incoming_of(item) for item in items], now)
                done = ReadSlice(items, prepared, now, ingest.plan(prepared))
                while True:
                    following = next(slices, None)  # read from disk here, not in the thread
                    future = None
                    if following is not None:
                        future = self._executor.submit(
                            _read_now, self.actor, [incoming_of(item) for item in following],
                            self.gate)
                    yield done
                    if future is None:
                        return
                    # The written slice goes before the next is waited for (two slices, not
                    # three).
                    done = prepared = plan = None
                    self.gate.open()  # nothing else to do here but wait for it
                    try:
                        prepared, now, plan = future.result()
                    finally:
                        self.gate.shut()
                    done = ReadSlice(following, prepared, now, plan)
            finally:
                # However the caller stops (at the end, on an error, on Ctrl-C), a slice being
                # read is not left waiting at the gate: the process ends only once it has.
                self.gate.open()

    def close(self, cancel: bool = False) -> None:
        # Cancelled (Ctrl-C twice): no waiting for a slice being read, which is thrown away.
        self.gate.open()  # a slice being read goes on to its end (or is dropped)
        self._executor.shutdown(wait=not cancel, cancel_futures=cancel)


def _read_now(actor: Actor, files, gate: Gate):
    from django.db import connections
    from django.utils import timezone

    from envhub.monitoring import ingest

    now = timezone.now()
    try:
        prepared = ingest.prepare_files(actor, files, now, gate=gate)
        return prepared, now, ingest.plan(prepared, gate)
    finally:
        # The thread's own connection (opened if it had to read the registry) is not kept
        # between slices: one that broke meanwhile would fail every later slice.
        connections.close_all()


class ReadInTurn:
    """Reads each slice when it is asked for, in this thread: nothing read ahead."""

    gate = None

    def __init__(self, actor: Actor):
        self.actor = actor

    def prepared(self, slices: Iterable[Sequence], incoming_of=lambda item: item,
                 ) -> Iterator[ReadSlice]:
        from django.utils import timezone

        from envhub.monitoring import ingest

        for items in slices:
            now = timezone.now()
            prepared = ingest.prepare_files(self.actor, [incoming_of(item) for item in items],
                                            now)
            yield ReadSlice(items, prepared, now, None)

    def close(self, cancel: bool = False) -> None:
        pass


class PreparePool:
    # Worker processes read while this one writes, whatever it does.
    gate = None

    def __init__(self, actor: Actor, jobs: int):
        self.actor = actor
        self.jobs = jobs
        from django.db import connection

        self._executor = ProcessPoolExecutor(
            max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker, initargs=(str(connection.settings_dict["NAME"]),))

    def prepared(self, slices: Iterable[Sequence], incoming_of=lambda item: item,
                 ) -> Iterator[ReadSlice]:
        """A `ReadSlice` for each slice, in order, keeping the workers a slice or two ahead.
        `incoming_of` gives an item's IncomingFile."""
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
                prepared, planned = future.result()
                yield ReadSlice(done, prepared, at, planned)
        while pending:
            done, future, at = pending.popleft()
            prepared, planned = future.result()
            yield ReadSlice(done, prepared, at, planned)

    def close(self, cancel: bool = False) -> None:
        self._executor.shutdown(wait=not cancel, cancel_futures=cancel)
