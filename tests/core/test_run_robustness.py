"""`envhub run` keeps going when the worker dies (restarted, with a growing pause), stops
cleanly on SIGHUP as on Ctrl-C, and leaves no orphans when it is killed itself."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from envhub.core.management.commands.run import restart_delay

ROOT = Path(__file__).resolve().parents[2]


def test_its_restart_pause_doubles_up_to_a_minute():
    assert [restart_delay(n) for n in range(1, 10)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
            return response.status == 200
    except (OSError, urllib.error.HTTPError):
        return False


def _children(pid: int) -> dict[int, str]:
    result = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(pid)],
                            capture_output=True, text=True)
    found = {}
    for line in result.stdout.splitlines():
        child, _, args = line.strip().partition(" ")
        if child:
            found[int(child)] = args
    return found


def _worker_pid(pid: int) -> int | None:
    return next((child for child, args in _children(pid).items()
                 if "envhub.cli worker" in args), None)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) counts as gone.
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True)
    return not state.stdout.strip().startswith("Z")


def _until(condition, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


@pytest.fixture
def running(installed_var_dir):
    """A running `envhub run` (web and worker, no FTP receiver) on free ports."""
    port = _free_port()
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    environment["ENVHUB_VAR_DIR"] = str(installed_var_dir)
    process = subprocess.Popen(
        [sys.executable, "-m", "envhub.cli", "run", "--bind", f"127.0.0.1:{port}",
         "--web-workers", "1", "--no-ftp"],
        cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _until(lambda: _healthy(base) or process.poll() is not None, "web did not come up")
        assert process.poll() is None
        _until(lambda: _worker_pid(process.pid), "no worker")
        yield process, base
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=40)


@pytest.mark.slow
def test_it_restarts_a_worker_that_died_and_keeps_serving(running):
    process, base = running
    first = _worker_pid(process.pid)
    os.kill(first, signal.SIGKILL)
    second = _until(lambda: (pid := _worker_pid(process.pid)) and pid != first and pid,
                    "the worker was not restarted", seconds=30)
    assert second != first
    assert _healthy(base) and process.poll() is None
    process.send_signal(signal.SIGHUP)  # a closed terminal: a clean stop, like Ctrl-C
    output, _ = process.communicate(timeout=40)
    assert process.returncode == 0, output
    assert "worker exited with code -9; restarting it in 1 s." in output
    assert "restarting worker." in output
    assert "envhub run: stopped." in output
    assert not _alive(second)


@pytest.mark.slow
def test_its_children_stop_when_it_is_killed(running):
    process, base = running
    children = list(_children(process.pid))
    assert len(children) == 2
    process.kill()  # no chance to clean up: the children must notice on their own
    process.wait(timeout=10)
    _until(lambda: not any(_alive(pid) for pid in children), "orphaned children", seconds=40)
    assert not _healthy(base)
