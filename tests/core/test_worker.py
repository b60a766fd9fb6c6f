"""The worker: periodic jobs run once per period even with two workers, a failing job is
recorded and does not stop the others, a job that runs long keeps its short lease."""

from __future__ import annotations

import datetime
import io
import threading
import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from envhub.core import periodic
from envhub.core.models import PeriodicJob

pytestmark = pytest.mark.django_db

CALLS: list[str] = []


@pytest.fixture
def jobs(monkeypatch):
    """Replace the registered jobs with test ones."""
    registered: dict[str, periodic.Job] = {}
    monkeypatch.setattr(periodic, "JOBS", registered)
    monkeypatch.setattr(periodic, "discover", lambda: registered)
    CALLS.clear()
    return registered


def test_it_runs_a_periodic_job_once_per_period_across_workers(jobs):
    every = datetime.timedelta(minutes=10)
    periodic.periodic("count", every=every)(lambda: CALLS.append("count"))
    start = timezone.now()
    clock = lambda: start  # noqa: E731

    assert periodic.run_due("worker-a", clock) == ["count"]
    assert periodic.run_due("worker-b", clock) == []  # not due again yet
    later = lambda: start + every + datetime.timedelta(seconds=1)  # noqa: E731
    assert periodic.run_due("worker-b", later) == ["count"]
    assert CALLS == ["count", "count"]
    assert PeriodicJob.objects.get(name="count").runs == 2


def test_it_does_not_run_a_job_another_worker_holds(jobs):
    periodic.periodic("held", every=datetime.timedelta(minutes=1))(lambda: CALLS.append("held"))
    now = timezone.now()
    PeriodicJob.objects.create(name="held", next_run_at=now, locked_by="worker-a",
                               locked_until=now + datetime.timedelta(minutes=5))
    assert periodic.run_due("worker-b", lambda: now) == []
    # Once the lease expires (worker-a crashed), another worker takes the job over.
    assert periodic.run_due("worker-b", lambda: now + datetime.timedelta(minutes=6)) == ["held"]


def test_it_records_a_failing_job_and_goes_on(jobs):
    def broken():
        raise ValueError("no luck")

    periodic.periodic("broken", every=datetime.timedelta(minutes=1))(broken)
    periodic.periodic("fine", every=datetime.timedelta(minutes=1))(lambda: CALLS.append("fine"))
    assert sorted(periodic.run_due("w")) == ["broken", "fine"]
    job = PeriodicJob.objects.get(name="broken")
    assert "ValueError: no luck" in job.last_error
    assert job.locked_until is None
    assert CALLS == ["fine"]


def test_it_discovers_the_apps_jobs():
    assert {"rollups", "compliance", "catalogue"} <= set(periodic.discover())


def test_its_backoff_doubles_up_to_a_minute():
    from envhub.core.management.commands.worker import backoff_delay

    assert [backoff_delay(n) for n in range(1, 10)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]


@pytest.mark.django_db(transaction=True)
def test_it_survives_database_errors_and_backs_off(jobs, monkeypatch):
    """The database goes away twice: the worker logs, waits 1 s then 2 s, and carries on."""
    from django.db import OperationalError

    from envhub.core.management.commands import worker

    calls = {"run_due": 0}
    waits: list[float] = []

    def flaky_run_due(worker_id, *args, **kwargs):
        calls["run_due"] += 1
        if calls["run_due"] <= 2:
            raise OperationalError("server closed the connection unexpectedly")
        return []

    def wait(self, stop, seconds):
        waits.append(seconds)
        if len(waits) == 3:
            stop.set()

    monkeypatch.setattr(worker.periodic, "run_due", flaky_run_due)
    monkeypatch.setattr(worker.Command, "wait", wait)
    monkeypatch.setattr(worker.signal, "signal", lambda *args: None)
    out = io.StringIO()
    call_command("worker", "--interval", "0.5", stdout=out)
    assert waits == [1.0, 2.0, 0.5]
    assert calls["run_due"] == 3
    assert "stopped" in out.getvalue()


def _until(condition, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        assert time.monotonic() < deadline, what
        time.sleep(0.05)
    return value


@pytest.mark.django_db(transaction=True)
def test_a_job_that_runs_longer_than_its_lease_keeps_it(jobs):
    """The heartbeat renews the lease while the job runs: once the first lease has run out,
    another worker still finds the job held."""
    lease = datetime.timedelta(seconds=2)
    seen = {}

    def slow():
        first = PeriodicJob.objects.get(name="slow").locked_until
        _until(lambda: timezone.now() > first + lease, "the first lease did not run out")
        seen["renewed"] = _until(
            lambda: PeriodicJob.objects.get(name="slow").locked_until > first + lease,
            "the lease was not renewed")
        other = threading.Thread(target=lambda: seen.update(other=periodic.run_due("worker-b")))
        other.start()
        other.join()

    periodic.periodic("slow", every=datetime.timedelta(minutes=1), lease=lease)(slow)
    assert periodic.run_due("worker-a") == ["slow"]
    assert seen == {"renewed": True, "other": []}
    job = PeriodicJob.objects.get(name="slow")
    assert (job.runs, job.locked_by, job.last_error) == (1, "", "")


@pytest.mark.django_db(transaction=True)
def test_a_run_past_its_longest_is_no_longer_renewed(jobs):
    """A run longer than its job's `max_run` is taken for stuck: once its lease has run out,
    another worker runs the job."""
    lease = datetime.timedelta(seconds=0.2)
    runs: list[str] = []

    def stuck():
        runs.append(threading.current_thread().name)
        if len(runs) > 1:
            return  # the other worker's run
        first = PeriodicJob.objects.get(name="stuck").locked_until
        _until(lambda: timezone.now() > first + 3 * lease, "time does not pass")
        other = threading.Thread(target=periodic.run_due, args=("worker-b",), name="b")
        other.start()
        other.join()

    periodic.periodic("stuck", every=datetime.timedelta(minutes=1), lease=lease,
                      max_run=datetime.timedelta(seconds=0.1))(stuck)
    assert periodic.run_due("worker-a") == ["stuck"]
    assert runs == [threading.current_thread().name, "b"]
