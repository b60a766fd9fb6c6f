"""HTTP ingestion under a realistic load: the dataloggers of many stations post their TT10 files
at a fixed rate while the worker computes rollups, compliance and the air quality index and a
second client reads pages and the API — with the quiet figure of the earlier benchmark beside it.

    python -m bench.http                      # both databases, the mix, then the quiet figure
    python -m bench.http --vendor sqlite --stations 2000 --rate 100 --seconds 60
    python -m bench.http --quiet              # the earlier benchmark alone (SQLite)

The mix: `envhub run` (gunicorn and the worker, as in production) on an installation with the
demo country copied to `--stations` automatic stations (stacks and outfalls with their permits,
ambient air and surface water), each with its own token, and `--history-hours` of their data
loaded first. The stations' next files, in the order they fall due, are posted open-loop at
`--rate` files a second (`bench.load`: a file leaves on time whatever the earlier answers, and
its latency counts from then), each on a connection of its own as a datalogger opens one.
Meanwhile a reader asks, at `--read-rate` requests a second, in turn: a station's page, every
station's latest values (the map), a day of a station's hourly values, one station's latest.

The quiet figure (the earlier benchmark): 8 closed-loop clients, each posting 10-value files for
one station as fast as answers come back, to `envhub run` without the worker.

Target (issue 14): upload p95 under 250 ms at 100 files/s, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import itertools
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter

from bench import common, fleet, load

TARGET_P95 = 0.250
TARGET_RATE = 100.0


# --- the quiet figure: closed-loop clients, one station each, no worker ---------------------

def quiet_senders(clients: int) -> list[tuple[object, str]]:
    from envhub.accounts import services as accounts
    from envhub.core.permissions import system_actor

    stations = common.create_air_stations(clients)
    return [(station, accounts.create_token(system_actor(), name="bench", station=station).plain)
            for station in stations]


def hammer(port: int, seconds: float, make_request, latencies: list[float],
           errors: list[str]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    deadline = time.monotonic() + seconds
    sent = 0
    while time.monotonic() < deadline:
        method, path, body, headers = make_request(sent)
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        if response.status != 200:
            errors.append(f"{response.status} {payload[:200]!r}")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        else:
            latencies.append(time.perf_counter() - started)
        sent += 1
    connection.close()


def run_clients(port: int, clients: int, seconds: float,
                factory) -> tuple[float, common.Latency, list[str]]:
    """Requests a second answered 200 by `clients` closed-loop threads, and their latency."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    threads = [threading.Thread(target=hammer, args=(port, seconds, factory(i), latencies[i],
                                                     errors)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    answered = [latency for each in latencies for latency in each]
    return (len(answered) / (time.monotonic() - started), common.Latency.of(answered), errors)


def quiet_upload(senders, start: datetime.datetime):
    def factory(index):
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
    return factory


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


def quiet_figure(senders, args) -> dict:
    """The earlier benchmark: closed-loop clients posting files, beside GET /healthz."""
    port = common.free_port()
    server = common.start_server(port, web_workers=args.web_workers, worker=False)
    try:
        if shutil.which("wrk") and args.client == "wrk":
            station, token = senders[0]
            lines = ", ".join(f'{{"{symbol}", {level}, "{unit}"}}'
                              for symbol, level, unit in common.AIR_SYMBOLS)
            script = f'LINES = {{{lines}}}\nPREFIX = "{station.tt10_prefix}"\n' + WRK_SCRIPT
            floor, floor_errors = run_wrk(port, args.clients, min(args.quiet_seconds, 10),
                                          "/healthz", None, {})
            rate, errors = run_wrk(port, args.clients, args.quiet_seconds,
                                   "/api/v1/ingest/files", script,
                                   {"Authorization": f"Bearer {token}",
                                    "Content-Type": "text/plain"})
            return {"client": "wrk", "floor": floor, "rate": rate, "latency": None,
                    "errors": errors + floor_errors}
        floor, _floor_latency, floor_errors = run_clients(
            port, args.clients, min(args.quiet_seconds, 10),
            lambda i: lambda n: ("GET", "/healthz", None, {}))
        rate, latency, errors = run_clients(port, args.clients, args.quiet_seconds,
                                            quiet_upload(senders, datetime.datetime(2026, 9, 1,
                                                                                    0, 5)))
        return {"client": "Python threads", "floor": floor, "rate": rate, "latency": latency,
                "errors": errors + floor_errors}
    finally:
        common.stop_server(server)


def quiet_rows(quiet: dict, clients: int) -> list[tuple[str, str]]:
    rows = [
        (f"quiet: {clients} closed-loop clients ({quiet['client']}), GET /healthz",
         f"{quiet['floor']:8.0f} requests/s"),
        ("quiet: POST a 10-value file, one station per client, no worker",
         f"{quiet['rate']:8.0f} files/s"),
    ]
    if quiet["latency"] is not None:
        rows.append(("quiet: upload latency", str(quiet["latency"])))
    rows.append(("quiet: errors", f"{len(quiet['errors'])} {quiet['errors'][:2]}"))
    return rows


# --- the realistic mix ----------------------------------------------------------------------

def upload_requests(senders: list[fleet.Sender], live: list):
    tokens = {sender.code: sender.token for sender in senders}
    for code, name, content in live:
        yield "upload", load.raw_request("POST", "/api/v1/ingest/files", {
            "Authorization": f"Bearer {tokens[code]}", "Content-Type": "text/plain",
            "X-Filename": name}, content)


def read_requests(senders: list[fleet.Sender], reader: common.Reader):
    """The reader's requests in turn: a station page, the map's latest values, a day of one
    ambient station's hourly PM10, one station's latest values."""
    from envhub.registry.models import Station

    codes = itertools.cycle([sender.code for sender in senders])
    air = itertools.cycle(Station.objects.filter(kind="auto_air", code__in=[
        sender.code for sender in senders]).order_by("code").values_list("code", flat=True))
    yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    headers = {"Authorization": f"Bearer {reader.token}"}
    while True:
        yield "station page", load.raw_request("GET", f"/stations/{next(codes)}/",
                                               {"Cookie": reader.cookie})
        yield "latest, every station", load.raw_request("GET", "/api/v1/latest?limit=5000",
                                                        headers)
        yield "hourly PM10, a day", load.raw_request(
            "GET", f"/api/v1/observations?station={next(air)}&parameter=PM10&interval=hour"
            f"&from={yesterday}", headers)
        yield "one station's latest", load.raw_request(
            "GET", f"/api/v1/stations/{next(codes)}/latest", headers)


def backlog() -> dict[str, int]:
    """Rows still queued for the worker."""
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        for label, table in (("rollups", "monitoring_rollupqueue"),
                             ("compliance", "compliance_compliancequeue"),
                             ("air quality", "airquality_aqiqueue")):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[label] = cursor.fetchone()[0]
    return counts


def run_mix(vendor: str, args) -> dict:
    common.prepare_environment(vendor)
    common.setup_django()
    from django.db import connection

    measured = args.warmup + args.seconds
    uploads = int(args.rate * measured)
    steps = math.ceil(uploads * 1.15 / args.stations) + 1  # outages: some periods send nothing
    started = time.monotonic()
    senders, live = fleet.build(args.stations, args.history_hours, steps)
    reader = common.reader()
    quiet = quiet_senders(args.clients)
    prepared = time.monotonic() - started
    requests = load.paced(uploads, args.rate, upload_requests(senders, live))
    reads = int(args.read_rate * measured)
    requests += load.paced(reads, args.read_rate, read_requests(senders, reader))
    connection.close()
    port = common.free_port()
    server = common.start_server(port, web_workers=args.web_workers, worker=not args.no_worker)
    load_before = common.load_average()
    try:
        cpu_before = load.process_cpu(server.pid)
        results = load.run(port, requests)
        cpu = {role: used - cpu_before.get(role, 0.0)
               for role, used in load.process_cpu(server.pid).items()}
        load_after = common.load_average()
    finally:
        common.stop_server(server)
    left = backlog()
    connection.close()
    return {"vendor": vendor, "prepared": prepared, "files": len(live), "sent": len(requests),
            "results": [r for r in results if r.at >= args.warmup], "cpu": cpu,
            "backlog": left, "load": (load_before, load_after),
            "quiet": None if args.no_quiet else quiet_figure(quiet, args)}


def mix_rows(run: dict, args) -> list[tuple[str, str]]:
    uploads = [r for r in run["results"] if r.kind == "upload"]
    statuses = Counter(r.status for r in uploads)
    stored = [r for r in uploads if r.status == 200]
    span = max((r.at + r.latency for r in uploads), default=0) - min(
        (r.at for r in uploads), default=0)
    # A file with no answer counts with its wait until the client gave up (a lower bound).
    latency = common.Latency.of([r.latency for r in uploads])
    met = latency.p95 < TARGET_P95 and args.rate >= TARGET_RATE
    rows = [
        ("machine", f"{run['load'][0]} before, {run['load'][1]} at the end"),
        ("offered", f"{args.rate:g} files/s for {args.seconds:g} s (after {args.warmup:g} s "
                    "of warm-up, not counted)"),
        ("answered", ", ".join(f"{count:,} × {status or 'no answer'}"
                               for status, count in sorted(statuses.items()))),
        ("files stored per second", f"{len(stored) / span if span else 0:8.1f} files/s"),
        ("upload latency (from when due)", str(latency)),
        ("target", f"p95 < {TARGET_P95 * 1000:.0f} ms at {TARGET_RATE:g} files/s: ratio p95 / "
                   f"target {latency.p95 / TARGET_P95:.2f} — {'met' if met else 'NOT met'}"),
    ]
    reads = [r for r in run["results"] if r.kind != "upload"]
    for kind in dict.fromkeys(r.kind for r in reads):
        of_kind = [r for r in reads if r.kind == kind]
        failed = sum(1 for r in of_kind if r.status != 200)
        rows.append((f"reader: {kind}", f"{common.Latency.of([r.latency for r in of_kind])}"
                                        + (f"   {failed} not 200" if failed else "")))
    rows.append(("reader: all", str(common.Latency.of([r.latency for r in reads]))))
    rows.append(("CPU used (s) during the load",
                 ", ".join(f"{role} {used:.1f}" for role, used in sorted(run["cpu"].items()))))
    rows.append(("left queued for the worker at the end",
                 ", ".join(f"{label} {count:,}" for label, count in run["backlog"].items())))
    failures = [r for r in run["results"] if r.status not in (200, 422)]
    rows.append(("errors", f"{len(failures)} {[r.detail[:120] for r in failures[:2]]}"))
    if run["quiet"] is not None:
        rows += quiet_rows(run["quiet"], args.clients)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendor", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--stations", type=int, default=500)
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="files a second")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--read-rate", type=float, default=2, help="reads a second")
    parser.add_argument("--history-hours", type=float, default=3)
    parser.add_argument("--web-workers", type=int, default=(os.cpu_count() or 1) + 1,
                        help="as `envhub run` starts by default: one per core, plus one")
    parser.add_argument("--quiet", action="store_true",
                        help="only the earlier benchmark (closed-loop clients, no worker)")
    parser.add_argument("--no-quiet", action="store_true", help="the mix alone")
    parser.add_argument("--no-worker", action="store_true",
                        help="the mix without the worker (to see what the worker costs)")
    parser.add_argument("--clients", type=int, default=8, help="quiet figure: clients")
    parser.add_argument("--quiet-seconds", type=float, default=20)
    parser.add_argument("--client", choices=["wrk", "python"], default="python",
                        help="quiet figure: wrk (when installed) or Python threads")
    args = parser.parse_args()
    if args.vendor == "both":
        # A fresh process per database: Django's settings are fixed once it starts.
        for vendor in ("sqlite", "postgresql"):
            subprocess.run([sys.executable, "-m", "bench.http", *sys.argv[1:], "--vendor",
                            vendor], cwd=common.ROOT, check=True)
        return
    name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[args.vendor]
    if args.quiet:
        common.prepare_environment(args.vendor)
        common.setup_django()
        senders = quiet_senders(args.clients)
        from django.db import connection

        connection.close()
        before = common.load_average()
        quiet = quiet_figure(senders, args)
        print(f"bench.http --quiet — {name}, gunicorn {args.web_workers} workers × 4 threads "
              f"— {common.machine()}")
        common.report(f"files posted over loopback ({before})", quiet_rows(quiet, args.clients))
        return
    run = run_mix(args.vendor, args)
    print(f"bench.http — realistic mix, {name}, {args.stations:,} stations with tokens, "
          f"{args.history_hours:g} h of history, gunicorn {args.web_workers} workers × 4 "
          f"threads {'without' if args.no_worker else 'and'} the worker; set up in "
          f"{run['prepared']:.0f} s — {common.machine()}")
    common.report("uploads (open loop) and reads under the worker's load", mix_rows(run, args))


if __name__ == "__main__":
    main()
