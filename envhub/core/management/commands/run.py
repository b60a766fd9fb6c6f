"""`envhub run`: the whole system in one command — web server (gunicorn), worker and FTP
receiver (`envhub ftp`), each a child process — stopped cleanly together by Ctrl-C, SIGTERM or
SIGHUP. If the web server stops, everything stops; if another child stops unexpectedly, it is
restarted after a pause that grows with each failure in a row (1 s, 2 s, 4 s … 60 s). The children
are told to stop when `envhub run` itself dies, however it dies (Linux parent-death signal)."""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from envhub.core.management.commands.worker import backoff_delay
from envhub.core.webserver import gunicorn_command

GRACE_SECONDS = 20
# Restarting a child that exited: the first pause, the longest, and how long a child must have
# run for its next exit to count as a first failure again.
STABLE_SECONDS = 60
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def restart_delay(failures: int) -> float:
    """The pause before restarting a child that has exited `failures` times in a row: the
    worker's own back-off after database errors (1, 2, 4 … 60 s)."""
    return backoff_delay(failures)


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM me when my parent dies (even by SIGKILL), so that no
    orphaned web server or worker keeps running. Linux only; elsewhere a no-op."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass


class Command(BaseCommand):
    help = "Start the web server (gunicorn), the worker and the FTP receiver; Ctrl-C stops all."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=settings.ENVHUB_WEB_BIND,
                            help="HOST:PORT for the web server (default from ENVHUB_BIND).")
        parser.add_argument("--web-workers", type=int, default=settings.ENVHUB_WEB_WORKERS)
        parser.add_argument("--no-worker", action="store_true", help="No worker.")
        parser.add_argument("--no-ftp", action="store_true", help="No FTP receiver.")

    def handle(self, *args, bind, web_workers, no_worker, no_ftp, **options):
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("The database is not migrated: run `envhub setup` (or `make run`).")
        connection.close()

        commands = {"web": gunicorn_command(bind, web_workers, settings.VAR_DIR)}
        if not no_worker:
            commands["worker"] = [sys.executable, "-m", "envhub.cli", "worker"]
        if not no_ftp:
            commands["ftp"] = [sys.executable, "-m", "envhub.cli", "ftp"]

        children: dict[str, subprocess.Popen] = {}
        stopping = False

        def stop(signum=None, frame=None):
            nonlocal stopping
            stopping = True

        def start(command: list[str]) -> subprocess.Popen:
            # Own session: a terminal's Ctrl-C reaches only us, and we stop children in order.
            return subprocess.Popen(command, start_new_session=True, preexec_fn=_die_with_parent)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        # A closed terminal or ssh session: stop as cleanly as for Ctrl-C.
        signal.signal(signal.SIGHUP, stop)
        for name, command in commands.items():
            children[name] = start(command)
        host, _, port = bind.rpartition(":")
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
        self.stdout.write(self.style.SUCCESS(
            f"envhub is running on http://{shown}:{port}/ ({', '.join(children)}). "
            "Press Ctrl-C to stop."
        ))
        if "ftp" in children:
            ftp_host, _, ftp_port = settings.ENVHUB_FTP_BIND.rpartition(":")
            ftp_shown = "127.0.0.1" if ftp_host in ("0.0.0.0", "") else ftp_host
            self.stdout.write(f"FTP receiver: ftp://{ftp_shown}:{ftp_port}/ "
                              f"(folders in {settings.ENVHUB_FTP_ROOT})")
        accounts = settings.VAR_DIR / "demo-accounts.txt"
        if accounts.exists():
            self.stdout.write(f"Demo accounts: {accounts}")

        exit_code = 0
        started = {name: time.monotonic() for name in children}
        failures = dict.fromkeys(children, 0)
        restart_at: dict[str, float] = {}  # children that exited, and when to start them again
        while not stopping:
            now = time.monotonic()
            for name, child in children.items():
                if name in restart_at:
                    if now >= restart_at[name]:
                        del restart_at[name]
                        self.stderr.write(f"envhub run: restarting {name}.")
                        children[name] = start(commands[name])
                        started[name] = now
                    continue
                code = child.poll()
                if code is None:
                    continue
                if name == "web":
                    self.stderr.write(f"envhub run: {name} exited with code {code}; stopping.")
                    exit_code = code or 1
                    stopping = True
                    break
                ran_long = now - started[name] >= STABLE_SECONDS
                failures[name] = 1 if ran_long else failures[name] + 1
                delay = restart_delay(failures[name])
                self.stderr.write(f"envhub run: {name} exited with code {code}; restarting it "
                                  f"in {delay:g} s.")
                restart_at[name] = now + delay
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

