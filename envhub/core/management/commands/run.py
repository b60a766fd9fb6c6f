"""`envhub run`: the whole system in one command — web server and worker (and, from the
ingestion capability on, the FTP receiver) — stopped cleanly together by Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

GRACE_SECONDS = 20


class Command(BaseCommand):
    help = "Start the web server (gunicorn) and the worker; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=settings.ENVHUB_WEB_BIND,
                            help="HOST:PORT for the web server (default from ENVHUB_BIND).")
        parser.add_argument("--web-workers", type=int, default=settings.ENVHUB_WEB_WORKERS)
        parser.add_argument("--no-worker", action="store_true", help="Web server only.")

    def handle(self, *args, bind, web_workers, no_worker, **options):
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("The database is not migrated: run `envhub setup` (or `make run`).")
        connection.close()

        commands = {
            "web": [
                sys.executable, "-m", "gunicorn", "envhub.wsgi:application",
                "--bind", bind, "--workers", str(web_workers), "--worker-class", "gthread",
                "--threads", "4", "--graceful-timeout", "15", "--timeout", "120",
                "--access-logfile", "-", "--error-logfile", "-", "--log-level", "info",
            ],
        }
        if not no_worker:
            commands["worker"] = [sys.executable, "-m", "envhub.cli", "worker"]

        children: dict[str, subprocess.Popen] = {}
        stopping = False

        def stop(signum=None, frame=None):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        for name, command in commands.items():
            # Own session: a terminal's Ctrl-C reaches only us, and we stop children in order.
            children[name] = subprocess.Popen(command, start_new_session=True)
        host, _, port = bind.rpartition(":")
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
        self.stdout.write(self.style.SUCCESS(
            f"envhub is running on http://{shown}:{port}/ ({', '.join(children)}). "
            "Press Ctrl-C to stop."
        ))
        accounts = settings.VAR_DIR / "demo-accounts.txt"
        if accounts.exists():
            self.stdout.write(f"Demo accounts: {accounts}")

        exit_code = 0
        while not stopping:
            for name, child in children.items():
                code = child.poll()
                if code is not None:
                    self.stderr.write(f"envhub run: {name} exited with code {code}; stopping.")
                    exit_code = code or 1
                    stopping = True
                    break
            time.sleep(0.3)

        self.stdout.write("envhub run: stopping…")
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for name, child in children.items():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"envhub run: {name} did not stop in time; killing it.")
                child.kill()
                child.wait()
        self.stdout.write("envhub run: stopped.")
        if exit_code:
            raise SystemExit(exit_code)

