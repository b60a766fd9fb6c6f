"""Periodic jobs run by `envhub worker`.

Apps register a job with `@periodic("name", every=timedelta(...))` in their `jobs.py`; the worker
imports every app's `jobs` module. Each run is claimed through the `PeriodicJob` row, so any number
of workers can run side by side and a job still runs once per period.
"""

from __future__ import annotations

import datetime
import logging
import traceback
from dataclasses import dataclass
from typing import Callable

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from envhub.core.apps import import_app_modules

logger = logging.getLogger("envhub.worker")


@dataclass(frozen=True)
class Job:
    name: str
    every: datetime.timedelta
    function: Callable[[], object]
    # How long a claim holds before another worker may take the job over.
    lease: datetime.timedelta


JOBS: dict[str, Job] = {}


def periodic(name: str, every: datetime.timedelta, lease: datetime.timedelta | None = None):
    def register(function: Callable[[], object]) -> Callable[[], object]:
        lease_ = lease or max(every * 2, datetime.timedelta(minutes=5))
        JOBS[name] = Job(name, every, function, lease_)
        return function

    return register


def discover() -> dict[str, Job]:
    """Import `<app>.jobs` for every installed envhub app."""
    import_app_modules("jobs")
    return JOBS


def _claim(job: Job, worker_id: str, now: datetime.datetime) -> bool:
    from envhub.core.models import PeriodicJob

    PeriodicJob.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
    claimed = PeriodicJob.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now),
        name=job.name,
        next_run_at__lte=now,
    ).update(locked_by=worker_id, locked_until=now + job.lease, last_started_at=now)
    return claimed == 1


def run_due(worker_id: str, clock: Callable[[], datetime.datetime] = timezone.now) -> list[str]:
    """Run every job that is due and that this worker manages to claim; return their names."""
    from envhub.core.models import PeriodicJob

    ran = []
    for job in discover().values():
        now = clock()
        with transaction.atomic():
            if not _claim(job, worker_id, now):
                continue
        error = ""
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
