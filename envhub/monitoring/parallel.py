"""Reading and checking a backfill's next files while this process writes.

Parsing and checking TT10 files is pure Python and takes a good part of ingestion's time;
writing is one transaction at a time. A reader gives back the checked slices in order, each as
a `CheckedSlice`; `reader` picks one of three:

- `ProcessReader` hands slices to worker processes (fresh interpreters: a database connection
  must never cross a fork), which check and plan while this one writes; the checked values stay
  there (`backfill.without_values`). Worth it with cores to spare.
- `ThreadReader` checks the next slice in a thread of this process, and plans what it will
  write (`ingest.plan_slice`), while the database writes the current one. The thread runs only
  while its `Gate` is open: while the database works without Python's interpreter lock
  (SQLite's long statements, any commit). On two cores this is the one that helps.
- `InlineReader` checks each slice when asked, in this thread: when other connections could not
  see this one's data (see `usable`).
"""

from __future__ import annotations

import contextlib
import datetime
import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import NamedTuple

from envhub.core.permissions import Actor


class CheckedSlice(NamedTuple):
    """A slice as a reader gives it back: its items, their files checked, the arrival time they
    were checked against, and what they will write when planned ahead (else None)."""

    items: Sequence
    files: list
    now: datetime.datetime
    plan: object | None


def usable() -> bool:
    """Whether worker processes and threads would see what this connection sees: not when the
    database lives in this process's memory, nor inside a transaction (its uncommitted rows are
    invisible to other connections — as under the test runner)."""
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    in_memory = connection.vendor == "sqlite" and ("memory" in name or name == "")
    return not in_memory and not connection.in_atomic_block


def default_jobs() -> int:
    """Worker processes worth starting: one with more than two cores, none with two or fewer.
    On two cores the writer (with SQLite's work, or PostgreSQL's server process) takes the
    cores already, and a reading process beside it slows it down more than it takes off. One
    reading process keeps pace with the one writer; each holds a Django of its own, and with
    more of them a backfill would need more memory than it may take."""
    cores = os.cpu_count() or 1
    return 0 if cores <= 2 else 1


def reader(actor: Actor, jobs: int) -> ProcessReader | ThreadReader | InlineReader:
    """What reads the slices of a backfill: `jobs` worker processes, or with none a thread that
    checks and plans while the database writes; this thread itself, slice after slice, when
    other connections could not see this one's data (see `usable`)."""
    if not usable():
        return InlineReader(actor)
    return ProcessReader(actor, jobs) if jobs else ThreadReader(actor)


# --- in this thread ------------------------------------------------------------------------

class InlineReader:
    """Checks each slice when it is asked for, in this thread: nothing read ahead."""

    gate = None

    def __init__(self, actor: Actor):
        self.actor = actor

    def checked(self, slices: Iterable[Sequence], incoming_of=lambda item: item,
                ) -> Iterator[CheckedSlice]:
        from django.utils import timezone

        from envhub.monitoring import ingest

        for items in slices:
            now = timezone.now()
            files = ingest.check_files(self.actor, [incoming_of(item) for item in items], now)
            yield CheckedSlice(items, files, now, None)

    def close(self, cancel: bool = False) -> None:
        pass


# --- in a thread ---------------------------------------------------------------------------

class Gate:
    """When a reading thread may run: only while the gate is open. The writer opens it while
    the database works without Python's interpreter lock, and shuts it while it runs Python
    itself. Were the thread free to run then, the two would take turns on the lock, and each
    time the writer came back from the database it would wait for the thread to let go, up to
    a switch interval: CPython's convoy effect."""

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

    def each(self, items: Sequence) -> Sequence:
        """`items`, each one handed out only while the gate is open (as often as they are
        gone through)."""
        return _Gated(items, self)


class _Gated(Sequence):
    def __init__(self, items: Sequence, gate: Gate) -> None:
        self._items, self._gate = items, gate

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index):
        return self._items[index]

    def __iter__(self):
        wait = self._gate.wait
        for item in self._items:
            wait()
            yield item


class ThreadReader:
    """Checks the next slice in a thread while the database writes the one before.

    `checked(slices)` yields a `CheckedSlice` for each; whoever writes it lets the thread run
    while the database works on its own (`gate`, see `backfill.write_in_transactions`)."""

    def __init__(self, actor: Actor):
        self.actor = actor
        self.gate = Gate()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="envhub-read")

    def checked(self, slices: Iterable[Sequence], incoming_of=lambda item: item,
                ) -> Iterator[CheckedSlice]:
        from django.utils import timezone

        from envhub.monitoring import ingest

        slices = iter(slices)
        items = next(slices, None)
        if items is None:
            return
        try:
            now = timezone.now()
            files = ingest.check_files(self.actor, [incoming_of(item) for item in items], now)
            done = CheckedSlice(items, files, now, ingest.plan_slice(files))
            while True:
                following = next(slices, None)  # read from disk here, not in the thread
                future = None
                if following is not None:
                    future = self._executor.submit(
                        _check_and_plan, self.actor,
                        [incoming_of(item) for item in following], self.gate)
                yield done
                if future is None:
                    return
                # The written slice goes before the next is waited for (two slices, not three).
                done = files = None
                self.gate.open()  # nothing else to do here but wait for it
                try:
                    files, now, plan = future.result()
                finally:
                    self.gate.shut()
                done = CheckedSlice(following, files, now, plan)
        finally:
            # However the caller stops (at the end, on an error, on Ctrl-C), a slice being
            # read is not left waiting at the gate: the process ends only once it has.
            self.gate.open()

    def close(self, cancel: bool = False) -> None:
        # Cancelled (Ctrl-C twice): no waiting for a slice being read, which is thrown away.
        self.gate.open()  # a slice being read goes on to its end (or is dropped)
        self._executor.shutdown(wait=not cancel, cancel_futures=cancel)


def _check_and_plan(actor: Actor, incoming: list, gate: Gate):
    """In the reading thread: the files checked and planned, one file at a time while the gate
    is open."""
    from django.db import connections
    from django.utils import timezone

    from envhub.monitoring import ingest

    now = timezone.now()
    try:
        files = ingest.check_files(actor, gate.each(incoming), now)
        return files, now, ingest.plan_slice(gate.each(files))
    finally:
        # The thread's own connection (opened if it had to read the registry) is not kept
        # between slices: one that broke meanwhile would fail every later slice.
        connections.close_all()


# --- in other processes --------------------------------------------------------------------

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


def _check_and_plan_elsewhere(actor: Actor, incoming: list, now: datetime.datetime):
    """In a worker process: the files checked and planned; the plan goes to the writer with
    the files, not their values (see `backfill.without_values`)."""
    from envhub.monitoring import backfill, ingest

    with backfill.tuned_interpreter():
        files = ingest.check_files(actor, incoming, now)
        planned = ingest.plan_slice(files)
        if planned is not None:
            backfill.without_values(files, planned)
    return files, planned


class ProcessReader:
    """Worker processes check and plan the next slices while this one writes, whatever it
    does."""

    gate = None

    def __init__(self, actor: Actor, jobs: int):
        self.actor = actor
        self.jobs = jobs
        from django.db import connection

        self._executor = ProcessPoolExecutor(
            max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker, initargs=(str(connection.settings_dict["NAME"]),))

    def checked(self, slices: Iterable[Sequence], incoming_of=lambda item: item,
                ) -> Iterator[CheckedSlice]:
        """A `CheckedSlice` for each slice, in order, keeping the workers a slice or two ahead.
        `incoming_of` gives an item's IncomingFile."""
        from django.utils import timezone

        pending: deque[tuple[Sequence, Future, datetime.datetime]] = deque()
        ahead = self.jobs + 1
        for items in slices:
            now = timezone.now()
            future = self._executor.submit(_check_and_plan_elsewhere, self.actor,
                                           [incoming_of(item) for item in items], now)
            pending.append((items, future, now))
            if len(pending) > ahead:
                yield _result(*pending.popleft())
        while pending:
            yield _result(*pending.popleft())

    def close(self, cancel: bool = False) -> None:
        self._executor.shutdown(wait=not cancel, cancel_futures=cancel)


def _result(items: Sequence, future: Future, now: datetime.datetime) -> CheckedSlice:
    files, planned = future.result()
    return CheckedSlice(items, files, now, planned)
