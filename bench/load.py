"""Open-loop HTTP load: each request leaves at the time the schedule gives it, whatever the
server's earlier answers, and its latency counts from that time. A closed-loop client (send,
wait for the answer, send again) slows down with the server and so hides its stalls: the
requests that would have been sent during a stall are never sent, and never counted late.

Every request opens its own connection (`Connection: close`), as a datalogger does. One
asyncio loop sends them all, so the client costs little of the CPU it shares with the server.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Request:
    """What to send, when (seconds after the start), and under which kind it is reported."""

    at: float
    kind: str
    raw: bytes


@dataclass
class Result:
    kind: str
    at: float  # when it was due, seconds after the start
    latency: float  # from when it was due to the end of the answer
    status: int  # 0: no answer (connection refused, reset, timed out)
    detail: bytes = b""  # the start of the answer's body when it was not a 200


def raw_request(method: str, path: str, headers: dict[str, str] | None = None,
                body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close",
             f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def _exchange(port: int, raw: bytes) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(raw)
        await writer.drain()
        answer = await reader.read()  # to the end: the server closes after answering
    finally:
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return status, b"" if status == 200 else body[:300]


async def _run(port: int, requests: list[Request], timeout: float) -> list[Result]:
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.2

    async def one(request: Request) -> Result:
        due = start + request.at
        await asyncio.sleep(max(0.0, due - loop.time()))
        try:
            status, detail = await asyncio.wait_for(_exchange(port, request.raw), timeout)
        except (OSError, ValueError, IndexError, asyncio.TimeoutError) as error:
            status, detail = 0, repr(error).encode()[:300]
        return Result(request.kind, request.at, loop.time() - due, status, detail)

    return list(await asyncio.gather(*(one(request) for request in requests)))


def run(port: int, requests: list[Request], timeout: float = 120.0) -> list[Result]:
    """Send every request at its time; the results in the order of `requests`."""
    return asyncio.run(_run(port, requests, timeout))


def paced(count: int, rate: float, kinds_and_raws, start: float = 0.0) -> list[Request]:
    """`count` requests at `rate` a second from `start`, taken in turn from `kinds_and_raws`
    (an iterable of (kind, raw request))."""
    requests = []
    for index, (kind, raw) in enumerate(itertools.islice(kinds_and_raws, count)):
        requests.append(Request(start + index / rate, kind, raw))
    return requests


# --- where the CPU went -----------------------------------------------------------------------

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_cpu(root_pid: int) -> dict[str, float]:
    """CPU seconds (user + system) used so far by `root_pid` and the processes under it, by
    role: "web" (gunicorn), "worker" (`envhub worker`), "other". Linux only ({} elsewhere)."""
    children: dict[int, list[int]] = {}
    stats: dict[int, tuple[int, float]] = {}
    try:
        entries = [entry for entry in os.listdir("/proc") if entry.isdigit()]
    except OSError:
        return {}
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        parent, user, system = int(fields[1]), int(fields[11]), int(fields[12])
        stats[int(entry)] = (parent, (user + system) / _TICKS)
        children.setdefault(parent, []).append(int(entry))
    used: dict[str, float] = {}
    waiting = [root_pid] if root_pid in stats else []
    while waiting:
        pid = waiting.pop()
        waiting.extend(children.get(pid, []))
        used[_role(pid)] = used.get(_role(pid), 0.0) + stats[pid][1]
    return used


def _role(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            command = handle.read()
    except OSError:
        return "other"
    if b"gunicorn" in command:
        return "web"
    if b"worker" in command:
        return "worker"
    return "other"
