"""`envhub worker`: runs background tasks (django-tasks, database backend) and periodic jobs.

Several workers may run at once, on one machine or many: tasks and job runs are claimed in the
database. Ctrl-C or SIGTERM lets the current task finish, then stops.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Worker

from envhub.core import periodic

logger = logging.getLogger("envhub.worker")


class Command(BaseCommand):
    help = "Run background tasks and periodic jobs until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0,
                            help="Seconds to wait when there is nothing to do (default 1).")
        parser.add_argument("--once", action="store_true",
                            help="Run what is due now, then exit (for cron or tests).")

    def handle(self, *args, interval: float, once: bool, **options):
        worker_id = f"{socket.gethostname()}:{os.getpid()}"
        stop = threading.Event()
        tasks = Worker(
            queue_names=["*"], interval=0, batch=True, backend_name="default",
            startup_delay=False, max_tasks=None, worker_id=worker_id, excluded_queue_names=[],
        )

        def request_stop(signum, frame):
            logger.info("worker %s: stopping after the current task", worker_id)
            stop.set()
            tasks.running = False

        if not once:
            signal.signal(signal.SIGINT, request_stop)
            signal.signal(signal.SIGTERM, request_stop)
        jobs = sorted(periodic.discover())
        self.stdout.write(f"envhub worker {worker_id}: periodic jobs {', '.join(jobs) or 'none'}")
        while not stop.is_set():
            close_old_connections()
            periodic.run_due(worker_id)
            tasks.running = not stop.is_set()
            tasks.run()  # batch mode: runs every ready task, then returns
            if once:
                break
            stop.wait(interval)
        close_old_connections()
        self.stdout.write(f"envhub worker {worker_id}: stopped")
