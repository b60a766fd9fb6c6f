"""Read latency on SQLite: the hourly observations endpoint for one series over one year, and
`/api/v1/latest` with 2,000 stations — through the real web server (`envhub run`), beside a
baseline that runs the same queries straight on the database file.

    python -m bench.reads [--stations 2000] [--requests 200]

Targets (issue 3): p95 under 50 ms (hourly, one series, one year) and under 100 ms (latest,
2,000 stations) on SQLite.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import os
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time

from bench import common


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def build(stations: int) -> tuple[str, str]:
    """The data: `stations` air stations with 8 latest values each, and one series with a year
    of hourly rollups. Returns (a station code with a year of data, a user token)."""
    from envhub.accounts import services as accounts
    from envhub.accounts.models import User
    from envhub.core.permissions import system_actor
    from envhub.monitoring.models import HourlyRollup, LatestValue, Series, StationStatus
    from envhub.registry.models import Parameter

    station_list = common.create_air_stations(stations)
    parameters = list(Parameter.objects.filter(medium="air").order_by("code")[:8])
    series = Series.objects.bulk_create(
        [Series(station=s, parameter=p) for s in station_list for p in parameters])
    now = datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0,
                                                               microsecond=0)
    LatestValue.objects.bulk_create(
        [LatestValue(series=s, station_id=s.station_id, time=now, value=random.random() * 100,
                     status=0) for s in series], batch_size=2000)
    StationStatus.objects.bulk_create(
        [StationStatus(station=s, last_data_at=now, last_received_at=now, state="online")
         for s in station_list], batch_size=2000)
    # As the rollup worker does after it refreshes latest values.
    from envhub.monitoring.rollups import write_latest_documents

    for start in range(0, len(station_list), 500):
        write_latest_documents({s.id for s in station_list[start:start + 500]})
    year_series = series[0]
    hours = [now - datetime.timedelta(hours=h) for h in range(24 * 365)]
    HourlyRollup.objects.bulk_create(
        [HourlyRollup(series=year_series, hour_end=h, count=12, valid_count=12,
                      expected_count=12, total=600.0, mean=50.0, minimum=40.0, maximum=60.0,
                      coverage=100.0) for h in hours], batch_size=2000)
    user = User.objects.create(username="bench-reader")
    user.is_superuser = True
    user.save()
    token = accounts.create_token(system_actor(), name="bench", user=user).plain
    return station_list[0].code, token


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def timed_get(port: int, path: str, token: str) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    if response.status != 200:
        raise SystemExit(f"{path}: HTTP {response.status} {body[:200]!r}")
    return elapsed


def baseline(database: str, series_code: str, requests: int) -> tuple[list, list]:
    """The same rows read straight from the SQLite file (no Django, no HTTP, no JSON)."""
    connection = sqlite3.connect(database)
    hourly, latest = [], []
    for _ in range(requests):
        started = time.perf_counter()
        connection.execute(
            "SELECT h.hour_end, h.count, h.valid_count, h.mean, h.minimum, h.maximum, "
            "h.coverage FROM monitoring_hourlyrollup h JOIN monitoring_series s ON "
            "s.id = h.series_id JOIN registry_station st ON st.id = s.station_id "
            "WHERE st.code = ? ORDER BY h.hour_end LIMIT 500", [series_code]).fetchall()
        hourly.append(time.perf_counter() - started)
        started = time.perf_counter()
        connection.execute(
            "SELECT st.code, st.name, lv.time, lv.value, lv.status, p.code FROM "
            "registry_station st LEFT JOIN monitoring_latestvalue lv ON lv.station_id = st.id "
            "LEFT JOIN monitoring_series s ON s.id = lv.series_id LEFT JOIN registry_parameter "
            "p ON p.id = s.parameter_id ORDER BY st.code").fetchall()
        latest.append(time.perf_counter() - started)
    return hourly, latest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    var_dir = common.prepare_environment("sqlite")
    common.setup_django()
    code, token = build(args.stations)
    from django.db import connection

    connection.close()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "envhub.cli", "run", "--bind", f"127.0.0.1:{port}",
         "--no-worker", "--web-workers", "2"],
        cwd=common.ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                timed_get(port, "/healthz", token)
                break
            except (OSError, SystemExit):
                time.sleep(0.3)
        year_ago = (datetime.date.today() - datetime.timedelta(days=366)).isoformat()
        hourly_path = (f"/api/v1/observations?station={code}&parameter=PM10&interval=hour"
                       f"&from={year_ago}&limit=500")
        latest_path = f"/api/v1/latest?limit={args.stations}"
        for path in (hourly_path, latest_path):  # warm up
            timed_get(port, path, token)
        hourly = [timed_get(port, hourly_path, token) for _ in range(args.requests)]
        latest = [timed_get(port, latest_path, token) for _ in range(args.requests)]
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    base_hourly, base_latest = baseline(str(var_dir / "envhub.sqlite3"), code, args.requests)
    print(f"bench.reads — SQLite, {args.stations:,} stations, {args.requests} requests each — "
          f"{common.machine()}")
    for title, samples, base, target in (
        ("hourly observations, one series, one year (first page of 500 hours)", hourly,
         base_hourly, 0.050),
        (f"/api/v1/latest, {args.stations:,} stations in one page", latest, base_latest, 0.100),
    ):
        p50, p95 = percentile(samples, 0.5), percentile(samples, 0.95)
        b50, b95 = percentile(base, 0.5), percentile(base, 0.95)
        common.report(title, [
            ("baseline (the same query in sqlite3)", f"p50 {b50 * 1000:7.2f} ms   p95 "
                                                     f"{b95 * 1000:7.2f} ms"),
            ("envhub (HTTP, auth, scope, JSON)", f"p50 {p50 * 1000:7.2f} ms   p95 "
                                                 f"{p95 * 1000:7.2f} ms"),
            ("ratio envhub / baseline (p95)", f"{p95 / b95:.1f}"),
            ("target", f"p95 < {target * 1000:.0f} ms: {'met' if p95 < target else 'NOT met'}"),
            ("mean", f"{statistics.mean(samples) * 1000:.2f} ms"),
        ])


if __name__ == "__main__":
    main()
