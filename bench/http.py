"""HTTP ingestion: files per second posted by 8 concurrent clients over loopback to `envhub run`
(SQLite), each file a TT10 file of 10 values with a station token — beside a baseline of the
same clients getting `/healthz` (the web stack's floor: a request that reads the database).

    python -m bench.http [--clients 8] [--seconds 20] [--web-workers 2]

The clients are `wrk` (Debian package `wrk`) when it is installed: a client written in Python
would take a good part of this 2-core machine's CPU away from the server it measures. Without
`wrk`, Python threads are used, and the figure says so.

Target (issue 3): at least 300 files/s (10 values each) on this 2-core machine.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from bench import common


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build(clients: int) -> list[tuple[object, str]]:
    from envhub.accounts import services as accounts
    from envhub.core.permissions import system_actor

    stations = common.create_air_stations(clients)
    return [(station, accounts.create_token(system_actor(), name="bench", station=station).plain)
            for station in stations]


def hammer(port: int, seconds: float, make_request, counts: list[int], index: int,
           errors: list[str]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    deadline = time.monotonic() + seconds
    sent = 0
    while time.monotonic() < deadline:
        method, path, body, headers = make_request(sent)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        if response.status != 200:
            errors.append(f"{response.status} {payload[:200]!r}")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        else:
            counts[index] += 1
        sent += 1
    connection.close()


def run_clients(port: int, clients: int, seconds: float, factory) -> tuple[float, list[str]]:
    counts, errors = [0] * clients, []
    threads = [threading.Thread(target=hammer, args=(port, seconds, factory(i), counts, i,
                                                     errors)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - started), errors


WRK_SCRIPT = r"""
-- Each connection posts TT10 files of 10 values, each for a new 5-minute time.
local counter = 0
local thread_number = 0
local threads = {}
function setup(thread)
  thread:set("thread_number", #threads)
  table.insert(threads, thread)
end
function init(args)
  -- 200,000 five-minute steps (about two years) apart: no two threads send the same time.
  counter = thread_number * 200000
end
request = function()
  counter = counter + 1
  local stamp = os.date("!%Y%m%d%H%M%S", 1577836800 + counter * 300)  -- from 2020-01-01
  local body = ""
  for _, line in ipairs(LINES) do
    body = body .. line[1] .. "\t" .. string.format("%.2f", line[2] + counter % 7) .. "\t" ..
      line[3] .. "\t" .. stamp .. "\t00\n"
  end
  wrk.headers["X-Filename"] = PREFIX .. stamp .. ".txt"
  return wrk.format("POST", "/api/v1/ingest/files", nil, body)
end
"""


def run_wrk(port: int, clients: int, seconds: float, path: str, script: str | None,
            headers: dict) -> tuple[float, list[str]]:
    """Requests per second with 2xx answers, measured by wrk."""
    command = ["wrk", "-t", "2", "-c", str(clients), "-d", f"{int(seconds)}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script:
        handle = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        handle.write(script)
        handle.close()
        command += ["-s", handle.name]
    command.append(f"http://127.0.0.1:{port}{path}")
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.findall(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        rate -= int(errors[0]) / seconds
    return rate, [f"non-2xx: {errors[0]}"] if errors else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--web-workers", type=int, default=(os.cpu_count() or 1) + 1,
                        help="as `envhub run` starts by default: one per core, plus one")
    parser.add_argument("--client", choices=["wrk", "python"], default="wrk")
    args = parser.parse_args()
    common.prepare_environment("sqlite")
    common.setup_django()
    senders = build(args.clients)
    from django.db import connection

    connection.close()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "envhub.cli", "run", "--bind", f"127.0.0.1:{port}",
         "--web-workers", str(args.web_workers), "--no-worker"],
        cwd=common.ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    start = datetime.datetime(2026, 9, 1, 0, 5)
    try:
        for _ in range(200):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET",
                                                                                 "/healthz")
                break
            except OSError:
                time.sleep(0.3)

        def health(index):
            return lambda n: ("GET", "/healthz", None, {})

        def ingest(index):
            station, token = senders[index]

            def request(n):
                at = start + datetime.timedelta(minutes=5 * n)
                stamp = at.strftime("%Y%m%d%H%M%S")
                body = "".join(f"{symbol}\t{level + n % 7:.2f}\t{unit}\t{stamp}\t00\n"
                               for symbol, level, unit in common.AIR_SYMBOLS).encode()
                return ("POST", "/api/v1/ingest/files", body, {
                    "Authorization": f"Bearer {token}", "Content-Type": "text/plain",
                    "X-Filename": f"{station.tt10_prefix}{stamp}.txt"})
            return request

        if shutil.which("wrk") and args.client != "python":
            client = "wrk"
            station, token = senders[0]
            lines = ", ".join(f'{{"{symbol}", {level}, "{unit}"}}'
                              for symbol, level, unit in common.AIR_SYMBOLS)
            script = (f'LINES = {{{lines}}}\nPREFIX = "{station.tt10_prefix}"\n' + WRK_SCRIPT)
            floor, floor_errors = run_wrk(port, args.clients, min(args.seconds, 10), "/healthz",
                                          None, {})
            rate, errors = run_wrk(port, args.clients, args.seconds, "/api/v1/ingest/files",
                                   script, {"Authorization": f"Bearer {token}",
                                            "Content-Type": "text/plain"})
        else:
            client = "Python threads"
            floor, floor_errors = run_clients(port, args.clients, min(args.seconds, 10), health)
            rate, errors = run_clients(port, args.clients, args.seconds, ingest)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    print(f"bench.http — {args.clients} clients ({client}), {args.seconds:.0f} s, gunicorn "
          f"{args.web_workers} workers × 4 threads, SQLite — {common.machine()}")
    common.report("files posted over loopback", [
        ("baseline (GET /healthz)", f"{floor:8.0f} requests/s"),
        ("envhub (POST a 10-value TT10 file)", f"{rate:8.0f} files/s = {rate * 10:,.0f} "
                                               "values/s"),
        ("ratio envhub / baseline", f"{rate / floor:.2f}"),
        ("target", f"≥ 300 files/s: {'met' if rate >= 300 else 'NOT met'}"),
        ("errors", f"{len(errors) + len(floor_errors)} {errors[:2]}"),
    ])


if __name__ == "__main__":
    main()
