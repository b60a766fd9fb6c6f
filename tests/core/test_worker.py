"""The worker: background tasks run once, periodic jobs run once per period even with two
workers, a failing job is recorded and does not stop the others."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from envhub.core import periodic
from envhub.core.models import PeriodicJob

pytestmark = pytest.mark.django_db

CALLS: list[str] = []


@task()
def remember(word: str) -> str:
    CALLS.append(word)
    return word.upper()


@pytest.fixture
def jobs(monkeypatch):
    """Replace the registered jobs with test ones."""
    registered: dict[str, periodic.Job] = {}
    monkeypatch.setattr(periodic, "JOBS", registered)
    monkeypatch.setattr(periodic, "discover", lambda: registered)
    CALLS.clear()
    return registered


# The worker closes stale connections between tasks, as a long-running process must; that needs
# autocommit, so this test runs outside the per-test transaction.
@pytest.mark.django_db(transaction=True)
def test_it_runs_enqueued_tasks_once(jobs):
    result = remember.enqueue("xin chào")
    call_command("worker", "--once", stdout=io.StringIO())
    call_command("worker", "--once", stdout=io.StringIO())
    assert CALLS == ["xin chào"]
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == "SUCCESSFUL"
    assert row.return_value == "XIN CHÀO"


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
    assert "prune-task-results" in periodic.discover()


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
    result = remember.enqueue("vẫn chạy")
    out = io.StringIO()
    call_command("worker", "--interval", "0.5", stdout=out)
    assert waits == [1.0, 2.0, 0.5]
    assert calls["run_due"] == 3
    assert CALLS == ["vẫn chạy"]  # the tasks ran once the database was back
    assert DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL"
    assert "stopped" in out.getvalue()
