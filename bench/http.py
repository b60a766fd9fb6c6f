"""HTTP ingestion: files per second posted by 8 concurrent clients over loopback to `envhub run`
(SQLite), each file a TT10 file of 10 values from the client's own station, with a station
token — beside a baseline of the same clients getting `/healthz` (the web stack's floor).

    python -m bench.http [--clients 8] [--seconds 20] [--web-workers 2]

Target (issue 3): at least 300 files/s (10 values each) on this 2-core machine.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import os
import signal
import socket
import subprocess
import sys
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--web-workers", type=int, default=2)
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

        floor, floor_errors = run_clients(port, args.clients, min(args.seconds, 10), health)
        rate, errors = run_clients(port, args.clients, args.seconds, ingest)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    print(f"bench.http — {args.clients} clients, {args.seconds:.0f} s, gunicorn "
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
