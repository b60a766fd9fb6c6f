"""Worker ids: a worker of this machine whose process has ended is known to be gone; a live
one, another machine's, or an id of another form never is."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from envhub.core import workers


def _exited_and_reaped() -> str:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    wanted = workers.worker_id(child.pid)
    child.wait()
    return wanted


def _zombie():
    """A child that has exited but is not reaped yet (what a killed worker is until `envhub
    run` notices)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    wanted = workers.worker_id(child.pid)
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, left unreaped
    return child, wanted


def test_this_process_is_not_gone():
    assert not workers.is_gone(workers.worker_id())


def test_a_worker_that_exited_is_gone():
    assert workers.is_gone(_exited_and_reaped())


def test_a_worker_that_exited_but_is_not_reaped_is_gone():
    child, wanted = _zombie()
    try:
        assert workers.is_gone(wanted)
    finally:
        child.wait()


def _with(part: int, value: str) -> str:
    parts = workers.worker_id().split(":")
    parts[part] = value
    return ":".join(parts)


@pytest.mark.parametrize("worker", [
    pytest.param(lambda: _with(1, "0badcafe"), id="another machine"),
    pytest.param(lambda: _with(1, ""), id="a machine that cannot tell"),
    pytest.param(lambda: _with(3, ""), id="no start time"),
    pytest.param(lambda: "envhub-1:4242", id="an id of the former form (host:pid)"),
    pytest.param(lambda: "", id="empty"),
    pytest.param(lambda: "a:b:c:d", id="no pid"),
])
def test_it_never_judges_gone_what_it_cannot_see(worker):
    assert not workers.is_gone(worker())


def test_a_pid_given_to_a_later_process_is_not_the_worker():
    """Same pid, another start time: the worker that had the pid is gone."""
    assert workers.is_gone(_with(3, "1"))


def test_an_id_fits_the_claim_column():
    from envhub.core.models import PeriodicJob

    # host, machine key, the largest Linux pid, a start time in clock ticks
    longest = workers.MAX_HOST_LENGTH + len(":12345678:4194304:") + 20
    assert longest <= PeriodicJob._meta.get_field("locked_by").max_length
