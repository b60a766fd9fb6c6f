"""Read latency on SQLite: the hourly observations endpoint for one series over one year, and
`/api/v1/latest` with 2,000 stations — through the real web server (`envhub run`) with the token
of a provincial officer (the scope filter runs), beside Datasette serving the same file (the
same rows and columns through its JSON API, with SQL written for it), asked in turn, and a
baseline that runs the queries straight on the database file.

    python -m bench.reads [--stations 2000] [--requests 200]

Datasette comes with the `bench` extra: `pip install -e '.[bench]'`.

Targets: p95 under 50 ms (hourly, one series, one year) and under 100 ms (latest, 2,000
stations) on SQLite (issue 3); envhub's p95 at or below Datasette's for both (issue 14).
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import importlib.util
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from bench import common


def build(stations: int) -> tuple[str, str]:
    """The data: `stations` air stations with 8 latest values each, and one series with a year
    of hourly rollups. Returns (a station code with a year of data, a user token)."""
    from envhub.monitoring.models import HourlyRollup, LatestValue, Series, StationStatus
    from envhub.registry.models import Parameter

    station_list = common.create_air_stations(stations)
    parameters = [Parameter.objects.get(medium="air", code="PM10"), *Parameter.objects.filter(
        medium="air").exclude(code="PM10").order_by("code")[:7]]
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
    # The series the benchmark reads: the first station's PM10.
    year_series = next(s for s in series if s.station_id == station_list[0].id
                       and s.parameter.code == "PM10")
    hours = [now - datetime.timedelta(hours=h) for h in range(24 * 365)]
    HourlyRollup.objects.bulk_create(
        [HourlyRollup(series=year_series, hour_end=h, count=12, valid_count=12,
                      expected_count=12, total=600.0, mean=50.0, minimum=40.0, maximum=60.0,
                      coverage=100.0) for h in hours], batch_size=2000)
    return station_list[0].code, common.reader().token


def timed_get(port: int, path: str, headers: dict[str, str]) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    if response.status != 200:
        raise SystemExit(f"{path}: HTTP {response.status} {body[:300]!r}")
    return elapsed


def get_json(port: int, path: str, headers: dict[str, str]):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if response.status != 200:
        raise SystemExit(f"{path}: HTTP {response.status} {body[:300]!r}")
    return json.loads(body)


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


# --- the peer: Datasette on the same file -----------------------------------------------------

# Times as envhub writes them: ISO 8601 in Viet Nam time (UTC+7) with the offset.
_LOCAL_ISO = "strftime('%Y-%m-%dT%H:%M:%S+07:00', {column}, '+7 hours')"

# The rows and columns of envhub's page of hourly values (`/api/v1/observations?interval=hour`).
DATASETTE_HOURLY = f"""
SELECT {_LOCAL_ISO.format(column="h.hour_end")} AS hour_end, h.count, h.valid_count,
  h.calibrating_count, h.error_count, h.expected_count, h.mean, h.minimum AS min,
  h.maximum AS max, round(h.coverage, 1) AS coverage
FROM monitoring_hourlyrollup h
WHERE h.series_id = (
  SELECT s.id FROM monitoring_series s
  JOIN registry_station st ON st.id = s.station_id
  JOIN registry_parameter p ON p.id = s.parameter_id
  WHERE st.code = :station AND p.code = :parameter)
AND h.hour_end > :start AND h.hour_end <= :end
ORDER BY h.hour_end LIMIT :limit
"""

# The rows and columns of envhub's `/api/v1/latest`: a station a row, its values as JSON.
DATASETTE_LATEST = f"""
SELECT st.code AS station, st.name, st.kind, pr.code AS province, st.latitude, st.longitude,
  CASE WHEN st.active THEN coalesce(ss.state, 'never') ELSE 'inactive' END AS state,
  {_LOCAL_ISO.format(column="ss.last_data_at")} AS last_data_at,
  {_LOCAL_ISO.format(column="ss.last_received_at")} AS last_received_at,
  coalesce(ss.latest_values, '[]') AS "values"
FROM registry_station st
JOIN registry_province pr ON pr.id = st.province_id
LEFT JOIN monitoring_stationstatus ss ON ss.station_id = st.id
ORDER BY st.code LIMIT :limit
"""


def start_datasette(database: Path, port: int) -> subprocess.Popen | None:
    """Datasette serving the same SQLite file (None when it is not installed: `pip install
    -e '.[bench]'`)."""
    if importlib.util.find_spec("datasette") is None:
        return None
    server = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", str(database), "--host", "127.0.0.1",
         "--port", str(port), "--setting", "max_returned_rows", "5000",
         "--setting", "sql_time_limit_ms", "10000"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(port, "/-/versions.json", {})
    return server


def datasette_path(sql: str, **params) -> str:
    return f"/{DATABASE_NAME}.json?" + urlencode({"sql": " ".join(sql.split()), **params,
                                                 "_shape": "objects"})


DATABASE_NAME = "envhub"  # Datasette names a database by its file's name


def wait_for(port: int, path: str, headers: dict) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            timed_get(port, path, headers)
            return
        except (OSError, SystemExit):
            time.sleep(0.3)
    raise SystemExit(f"nothing answers on port {port}")


def same_rows(envhub_rows: list[dict], datasette_rows: list[dict]) -> bool:
    """Whether the two answers hold the same rows with the same columns and values."""
    return len(envhub_rows) == len(datasette_rows) and all(
        {key: row[key] for key in peer} == peer for row, peer in zip(envhub_rows,
                                                                      datasette_rows,
                                                                      strict=True))


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
    database = var_dir / "envhub.sqlite3"
    port, peer_port = common.free_port(), common.free_port()
    load_before = common.load_average()
    server = common.start_server(port, web_workers=2, worker=False)
    peer = start_datasette(database, peer_port)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        now = datetime.datetime.now(datetime.timezone.utc)
        year_ago = datetime.date.today() - datetime.timedelta(days=366)
        hourly_path = (f"/api/v1/observations?station={code}&parameter=PM10&interval=hour"
                       f"&from={year_ago.isoformat()}&limit=500")
        latest_path = f"/api/v1/latest?limit={args.stations}"
        # The same bounds as envhub's: from the local day's start, to now (UTC in the file).
        start = datetime.datetime.combine(year_ago, datetime.time()) - datetime.timedelta(
            hours=7)
        peer_hourly = datasette_path(DATASETTE_HOURLY, station=code, parameter="PM10",
                                     start=f"{start:%Y-%m-%d %H:%M:%S}",
                                     end=f"{now:%Y-%m-%d %H:%M:%S}", limit=500)
        peer_latest = datasette_path(DATASETTE_LATEST, limit=args.stations, _json="values")
        pairs = [(hourly_path, peer_hourly), (latest_path, peer_latest)]
        for (ours, theirs), rows in zip(pairs, (500, args.stations), strict=True):
            answer = get_json(port, ours, headers)["results"]
            if len(answer) != rows:
                raise SystemExit(f"{ours} gave {len(answer)} rows, not {rows}")
            if peer is not None and not same_rows(answer, get_json(peer_port, theirs,
                                                                   {})["rows"]):
                raise SystemExit(f"Datasette's answer differs from envhub's for {ours}")
        times: dict[str, list[float]] = {}
        for name, (ours, theirs) in zip(("hourly", "latest"), pairs, strict=True):
            timed_get(port, ours, headers)  # warm up
            if peer is not None:
                timed_get(peer_port, theirs, {})
            # In turn, so that both see the same moments of this shared machine.
            for _ in range(args.requests):
                times.setdefault(name, []).append(timed_get(port, ours, headers))
                if peer is not None:
                    times.setdefault(f"peer {name}", []).append(timed_get(peer_port, theirs,
                                                                          {}))
    finally:
        common.stop_server(server)
        if peer is not None:
            peer.terminate()
            peer.wait(timeout=30)
    base_hourly, base_latest = baseline(str(database), code, args.requests)
    print(f"bench.reads — SQLite, {args.stations:,} stations, {args.requests} requests each "
          f"(envhub and Datasette in turn) — {common.machine()}; {load_before} before, "
          f"{common.load_average()} after")
    for name, title, base, target in (
        ("hourly", "hourly observations, one series, one year (first page of 500 hours)",
         base_hourly, 0.050),
        ("latest", f"/api/v1/latest, {args.stations:,} stations in one page", base_latest,
         0.100),
    ):
        ours = common.Latency.of(times[name])
        rows = [("baseline (the same query in sqlite3)", str(common.Latency.of(base)))]
        if f"peer {name}" in times:
            theirs = common.Latency.of(times[f"peer {name}"])
            rows += [("Datasette (HTTP, JSON; no auth)", str(theirs)),
                     ("envhub (HTTP, token, scope, JSON)", str(ours)),
                     ("ratio envhub / Datasette (p95)",
                      f"{ours.p95 / theirs.p95:.2f} (target ≤ 1: "
                      f"{'met' if ours.p95 <= theirs.p95 else 'NOT met'})")]
        else:
            rows += [("Datasette", "not installed: pip install -e '.[bench]'"),
                     ("envhub (HTTP, token, scope, JSON)", str(ours))]
        rows += [("ratio envhub / baseline (p95)", f"{ours.p95 / common.Latency.of(base).p95:.1f}"),
                 ("target (issue 3)", f"p95 < {target * 1000:.0f} ms: "
                                      f"{'met' if ours.p95 < target else 'NOT met'}"),
                 ("mean", f"{statistics.mean(times[name]) * 1000:.2f} ms")]
        common.report(title, rows)


if __name__ == "__main__":
    main()
