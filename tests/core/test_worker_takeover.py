"""A worker killed while it runs a job: the worker started after it (as `envhub run` restarts
one) takes the job over at once, not after the lease; a live worker's job is never taken.
Real processes on the database under test (SQLite or PostgreSQL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from envhub.core import workers
from envhub.core.models import PeriodicJob
from tests.core.test_worker import _until

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    """The URL of the test database, for the worker processes."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    password = f":{config['PASSWORD']}" if config["PASSWORD"] else ""
    return (f"postgres://{config['USER']}{password}@{config['HOST'] or '127.0.0.1'}:"
            f"{config['PORT'] or 5432}/{config['NAME']}")


def _start_worker(folder: Path, name: str) -> subprocess.Popen:
    environment = {**os.environ, "DATABASE_URL": _database_url(),
                   "ENVHUB_VAR_DIR": str(folder / "var")}
    log = open(folder / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen([sys.executable, "-m", "tests.core.blocking_worker", str(folder)],
                            cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)


def _holder() -> PeriodicJob | None:
    return PeriodicJob.objects.filter(name="blocking").exclude(locked_by="").first()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_started_after_one_was_killed_takes_its_job_over_at_once(tmp_path):
    first = _start_worker(tmp_path, "first")
    second = None
    try:
        first_id = _until(lambda: first.poll() is None and workers.worker_id(first.pid),
                          "the first worker did not start")
        held = _until(lambda: (job := _holder()) and job.locked_by == first_id and job,
                      f"the first worker did not claim the job: {_log(tmp_path, 'first')}")

        second = _start_worker(tmp_path, "second")
        second_id = workers.worker_id(second.pid)
        _until(lambda: (tmp_path / f"tick-{second.pid}").exists(),
               f"the second worker made no round: {_log(tmp_path, 'second')}")
        assert _holder().locked_by == first_id  # a live worker keeps its job

        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
        taken = _until(lambda: (job := _holder()) and job.locked_by == second_id and job,
                       f"the job was not taken over: {_log(tmp_path, 'second')}")
        # Long before the dead worker's lease (an hour) would have run out.
        assert taken.last_started_at < held.locked_until
        assert f"taken over from worker {first_id} (gone)" in _log(tmp_path, "second")
    finally:
        _stop(first)
        if second is not None:
            _stop(second)


def _log(folder: Path, name: str) -> str:
    path = folder / f"{name}.log"
    return path.read_text() if path.exists() else ""
