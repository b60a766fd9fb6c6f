"""`envhub worker`: runs the periodic jobs.

Several workers may run at once, on one machine or many: job runs are claimed in the database
(`core.periodic`). Ctrl-C or SIGTERM lets the current job finish, then stops.

A database that goes away (restarted, unreachable, locked for too long) does not stop the worker:
it logs the error, closes its connections, waits (1 s, 2 s, 4 s … up to 60 s while the failures
go on) and tries again.
"""

from __future__ import annotations

import logging
import signal
import threading

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connections

from envhub.core import periodic, workers

logger = logging.getLogger("envhub.worker")

BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 60.0


def backoff_delay(failures: int) -> float:
    """The pause after `failures` database errors in a row: 1, 2, 4 … 60 s."""
    return min(BACKOFF_MAX_SECONDS, BACKOFF_FIRST_SECONDS * 2 ** max(0, failures - 1))


class Command(BaseCommand):
    help = "Run the periodic jobs until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0,
                            help="Seconds to wait when there is nothing to do (default 1).")
        parser.add_argument("--once", action="store_true",
                            help="Run what is due now, then exit (for cron or tests).")

    def handle(self, *args, interval: float, once: bool, **options):
        worker_id = workers.worker_id()
        stop = threading.Event()

        def request_stop(signum, frame):
            logger.info("worker %s: stopping after the current job", worker_id)
            stop.set()

        if not once:
            signal.signal(signal.SIGINT, request_stop)
            signal.signal(signal.SIGTERM, request_stop)
        jobs = sorted(periodic.discover())
        self.stdout.write(f"envhub worker {worker_id}: periodic jobs {', '.join(jobs) or 'none'}")
        failures = 0
        while not stop.is_set():
            try:
                close_old_connections()
                periodic.run_due(worker_id)
            except DatabaseError:
                failures += 1
                delay = backoff_delay(failures)
                logger.exception("worker %s: database error (%d in a row); trying again in %g s",
                                 worker_id, failures, delay)
                # A broken connection must not be reused: the next round opens a fresh one.
                connections.close_all()
                if once:
                    raise
                self.wait(stop, delay)
                continue
            failures = 0
            if once:
                break
            self.wait(stop, interval)
        close_old_connections()
        self.stdout.write(f"envhub worker {worker_id}: stopped")

    def wait(self, stop: threading.Event, seconds: float) -> None:
        """Sleep, waking early when asked to stop."""
        stop.wait(seconds)
