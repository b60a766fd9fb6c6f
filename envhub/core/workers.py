"""Who a worker process is, and whether a worker of this machine is gone.

A worker signs its claims with an id `host:machine:pid:start`. `machine` stands for the process
table the pid belongs to (the kernel's boot and the pid namespace: two containers on one host
have their own pids), and `start` for the moment the process started (so that a pid given again
to a later process is not mistaken for the worker). From those, another process of the same
machine can tell for sure that a worker is gone, and take its jobs over at once instead of
waiting for its lease to run out. Of another machine's workers nothing can be told: their
leases must run out.

Pure module (no Django): it reads /proc, on Linux only; elsewhere no worker is ever judged gone.
"""

from __future__ import annotations

import hashlib
import os
import socket
from functools import lru_cache
from pathlib import Path

PROC = Path("/proc")
# A worker id fits the 100 characters of `PeriodicJob.locked_by`.
MAX_HOST_LENGTH = 60


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


@lru_cache(maxsize=1)
def machine_key() -> str:
    """Eight hex digits naming this kernel boot and pid namespace; empty where /proc cannot
    tell them (then no worker is judged gone from here)."""
    boot = _read(PROC / "sys" / "kernel" / "random" / "boot_id")
    try:
        namespace = os.readlink(PROC / "self" / "ns" / "pid")
    except OSError:
        namespace = None
    if not boot or not namespace:
        return ""
    return hashlib.sha256(f"{boot} {namespace}".encode()).hexdigest()[:8]


def process_state(pid: int) -> tuple[str, str] | None:
    """(state letter, start time in clock ticks since boot) of a process, or None when there is
    no such process."""
    stat = _read(PROC / str(pid) / "stat")
    if stat is None:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its last ")".
    fields = stat[stat.rfind(")") + 2:].split()
    return fields[0], fields[19]


def worker_id(pid: int | None = None) -> str:
    """This process's worker id (or that of `pid`, a process of this machine)."""
    pid = os.getpid() if pid is None else pid
    host = socket.gethostname()[:MAX_HOST_LENGTH].replace(":", "-")
    state = process_state(pid) if machine_key() else None
    started = state[1] if state else ""
    return f"{host}:{machine_key()}:{pid}:{started}"


def is_gone(worker: str) -> bool:
    """True when `worker` is a worker id of this machine whose process has ended (exited,
    killed, or a zombie its parent has not reaped yet). False for a live process, for another
    machine's worker and for an id in another form."""
    parts = worker.rsplit(":", 3)
    if len(parts) != 4:
        return False
    _host, machine, pid, started = parts
    if not machine or machine != machine_key() or not pid.isdigit() or not started:
        return False
    state = process_state(int(pid))
    return state is None or state[0] in ("Z", "X") or state[1] != started
