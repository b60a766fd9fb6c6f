"""Periodic jobs run by `envhub worker`.

Apps register a job with `@periodic("name", every=timedelta(...))` in their `jobs.py`; the worker
imports every app's `jobs` module. Each run is claimed through the `PeriodicJob` row, so any number
of workers can run side by side and a job still runs once per period.

A claim holds for a short lease (a minute), which a heartbeat thread renews while the job runs.
Another worker may take the job over when the lease has run out (its worker died, on any
machine), or at once when the claim's worker is a process of this machine that no longer exists
(`workers.is_gone`: a worker restarted by `envhub run` takes over its predecessor's job in its
first round). A run longer than its job's `max_run` is no longer renewed: it is taken for stuck.
"""

from __future__ import annotations

import datetime
import logging
import threading
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable

from django.db import DatabaseError, connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from envhub.core import workers
from envhub.core.apps import import_app_modules

logger = logging.getLogger("envhub.worker")

LEASE = datetime.timedelta(minutes=1)
# The heartbeat renews a lease this many times within it, so that a renewal that waits for a
# busy database (SQLite's write lock, up to its 30 s timeout) still lands in time.
RENEWALS_PER_LEASE = 4


@dataclass(frozen=True)
class Job:
    name: str
    every: datetime.timedelta
    function: Callable[[], object]
    # The longest a run may take; the heartbeat stops renewing the lease after it.
    max_run: datetime.timedelta
    # How long a claim holds without renewal.
    lease: datetime.timedelta = LEASE


JOBS: dict[str, Job] = {}


def periodic(name: str, every: datetime.timedelta, max_run: datetime.timedelta | None = None,
             lease: datetime.timedelta = LEASE):
    def register(function: Callable[[], object]) -> Callable[[], object]:
        longest = max_run or max(every * 2, datetime.timedelta(minutes=5))
        JOBS[name] = Job(name, every, function, longest, lease)
        return function

    return register


def discover() -> dict[str, Job]:
    """Import `<app>.jobs` for every installed envhub app."""
    import_app_modules("jobs")
    return JOBS


def gone_workers() -> set[str]:
    """The workers of this machine that hold a claim but no longer exist."""
    from envhub.core.models import PeriodicJob

    holders = PeriodicJob.objects.exclude(locked_by="").values_list("locked_by", flat=True)
    return {holder for holder in set(holders) if workers.is_gone(holder)}


def _claim(job: Job, worker_id: str, now: datetime.datetime, gone: set[str]) -> bool:
    from envhub.core.models import PeriodicJob

    row, _created = PeriodicJob.objects.get_or_create(name=job.name,
                                                      defaults={"next_run_at": now})
    claimed = PeriodicJob.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now) | Q(locked_by__in=gone),
        name=job.name,
        next_run_at__lte=now,
    ).update(locked_by=worker_id, locked_until=now + job.lease, last_started_at=now) == 1
    if claimed and row.locked_by and row.locked_by != worker_id:
        why = "gone" if row.locked_by in gone else "its lease ran out"
        logger.warning("periodic job %s taken over from worker %s (%s)", job.name,
                       row.locked_by, why)
    return claimed


def _renew(job: Job, worker_id: str, done: threading.Event, give_up_at: datetime.datetime):
    """The heartbeat: renews the lease until `done` or `give_up_at`. One UPDATE of one row,
    in autocommit on this thread's own connection: it never holds a lock beyond its statement,
    and never waits on the job's thread, which never waits on it."""
    from envhub.core.models import PeriodicJob

    interval = job.lease.total_seconds() / RENEWALS_PER_LEASE
    try:
        while not done.wait(interval):
            now = timezone.now()
            if now >= give_up_at:
                logger.warning("periodic job %s has run longer than %s: its lease is no longer "
                               "renewed", job.name, job.max_run)
                return
            try:
                PeriodicJob.objects.filter(name=job.name, locked_by=worker_id).update(
                    locked_until=now + job.lease)
            except DatabaseError:
                logger.warning("periodic job %s: its lease could not be renewed now", job.name,
                               exc_info=True)
                connections["default"].close()
    finally:
        connections.close_all()  # this thread's connections only


@contextmanager
def lease_renewed(job: Job, worker_id: str, started: datetime.datetime):
    """Renews the job's lease from a heartbeat thread while the block runs."""
    done = threading.Event()
    heartbeat = threading.Thread(target=_renew, name=f"lease:{job.name}", daemon=True,
                                 args=(job, worker_id, done, started + job.max_run))
    heartbeat.start()
    try:
        yield
    finally:
        done.set()
        heartbeat.join()


def run_due(worker_id: str, clock: Callable[[], datetime.datetime] = timezone.now) -> list[str]:
    """Run every job that is due and that this worker manages to claim; return their names."""
    from envhub.core.models import PeriodicJob

    ran = []
    gone = gone_workers()
    for job in discover().values():
        now = clock()
        with transaction.atomic():
            if not _claim(job, worker_id, now, gone):
                continue
        error = ""
        with lease_renewed(job, worker_id, now):
            try:
                job.function()
            except Exception:  # noqa: BLE001 - a failing job must not stop the worker
                error = traceback.format_exc()
                logger.exception("periodic job %s failed", job.name)
        PeriodicJob.objects.filter(name=job.name, locked_by=worker_id).update(
            locked_by="", locked_until=None, last_finished_at=clock(), last_error=error,
            next_run_at=now + job.every, runs=F("runs") + 1,
        )
        ran.append(job.name)
    return ran
