"""Ingestion throughput: envhub's whole road (parse, map, validate, write, queue rollups) for at
least 1,000,000 values from TT10 files, beside a baseline that inserts the same pre-parsed rows
straight into the same table (executemany on SQLite, COPY on PostgreSQL), on both databases.

    python -m bench.ingest                 # both databases, 1,000,000 values
    python -m bench.ingest --values 200000 --vendor sqlite

Target (issue 3): envhub reaches at least half the baseline's values per second.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import time

from bench import common

# Files per transaction and processes reading files: `envhub ingest`'s defaults unless set.
CHUNK = int(os.environ.get("BENCH_CHUNK", 0))  # 0: `envhub ingest --chunk`'s default
JOBS = int(os.environ.get("BENCH_JOBS", -1))  # -1: `envhub ingest --jobs`'s default


def run_one(vendor: str, values: int, stations: int) -> dict:
    common.prepare_environment(vendor)
    common.setup_django()
    from django.db import connection, transaction

    from envhub.core.permissions import system_actor
    from envhub.monitoring import backfill, ingest, parallel, storage
    from envhub.monitoring.formats import tt10
    from envhub.monitoring.models import Observation, RollupQueue, Series
    from envhub.registry.models import ParameterAlias

    station_list = common.create_air_stations(stations)
    files_per_station = -(-values // (stations * len(common.AIR_SYMBOLS)))
    start = datetime.datetime(2026, 10, 1, 0, 5)
    files = list(common.tt10_files(station_list, files_per_station, start))
    total_values = len(files) * len(common.AIR_SYMBOLS)

    # The series exist before either run, so that both write into the same empty table.
    aliases = {key: alias.parameter_id for alias in ParameterAlias.objects.filter(medium="air")
               for key in [alias.alias_key]}
    parameter_ids = {aliases[ParameterAlias.key(symbol)] for symbol, _l, _u in common.AIR_SYMBOLS}
    Series.objects.bulk_create([Series(station=s, parameter_id=p)
                                for s in station_list for p in parameter_ids])
    series = {(s, p): i for i, s, p in Series.objects.values_list("id", "station_id",
                                                                   "parameter_id")}
    station_by_prefix = {s.tt10_prefix: s for s in station_list}

    # Baseline: the same values, already parsed and mapped, inserted in one transaction.
    rows = []
    for name, content in files:
        station = station_by_prefix[name[: len(name) - len("20261001000500.txt")]]
        for reading in tt10.parse(content).readings:
            parameter_id = aliases[ParameterAlias.key(reading.symbol)]
            rows.append((series[(station.id, parameter_id)], reading.utc_time, reading.value,
                         reading.status, 0))
    from envhub.monitoring import partitions

    partitions.ensure({row[1] for row in rows})  # PostgreSQL: the months' partitions exist
    db_time = storage.time_adapter()  # the times as the driver takes them, as envhub's are
    baseline_rows = [(series_id, db_time(time), value, status, batch_id)
                     for series_id, time, value, status, batch_id in rows]
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.executemany(
                'INSERT INTO "monitoring_observation" (series_id, time, value, status, batch_id) '
                "VALUES (%s, %s, %s, %s, %s)", baseline_rows)
        else:
            storage._copy(cursor, storage.TABLE, baseline_rows)
    baseline_seconds = time.perf_counter() - started
    assert Observation.objects.count() == total_values
    # Emptied for envhub's run as it was for the baseline's. On PostgreSQL a DELETE would leave
    # the million rows dead in the table and its key until a VACUUM, and every insert's key
    # check would visit them: TRUNCATE gives envhub the empty table the baseline had.
    with connection.cursor() as cursor:
        cursor.execute('TRUNCATE "monitoring_observation"' if vendor == "postgresql"
                       else 'DELETE FROM "monitoring_observation"')
    del rows, baseline_rows

    # envhub: the files through the ingestion service as `envhub ingest` sends them: in slices
    # read ahead by worker processes while this one writes (jobs > 0), or by a thread while the
    # database works (jobs = 0), written in transactions of several slices.
    from envhub.monitoring.receivers import folder as command

    jobs = JOBS if JOBS >= 0 else parallel.default_jobs()
    actor = system_actor("bench")
    if jobs:
        connection.close()  # not open while worker processes start
    pool = parallel.reader(actor, jobs)
    chunk = CHUNK or command.default_chunk(jobs)
    size = min(chunk, command.read_slice(jobs))
    slices = [[ingest.IncomingFile(name, content) for name, content in files[i:i + size]]
              for i in range(0, len(files), size)]
    accepted = 0
    started = time.perf_counter()
    for _files, reports in backfill.write_in_transactions(
            actor, "folder", pool.checked(slices), files_per_transaction=chunk,
            gate=pool.gate):
        accepted += sum(report.accepted for report in reports)
    pool.close()
    envhub_seconds = time.perf_counter() - started
    assert accepted == total_values, (accepted, total_values)
    assert Observation.objects.count() == total_values
    queued = RollupQueue.objects.count()
    return {
        "vendor": vendor, "chunk": chunk, "slice": size, "jobs": jobs, "values": total_values,
        "files": len(files), "stations": stations,
        "baseline_seconds": baseline_seconds, "envhub_seconds": envhub_seconds,
        "baseline_rate": total_values / baseline_seconds,
        "envhub_rate": total_values / envhub_seconds, "queued_hours": queued,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--stations", type=int, default=250)
    parser.add_argument("--vendor", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.vendor, args.values, args.stations)))
        return
    vendors = ["sqlite", "postgresql"] if args.vendor == "both" else [args.vendor]
    print(f"bench.ingest — {args.values:,} values — {common.machine()}")
    for vendor in vendors:
        # A fresh process per database: Django's settings are fixed once it starts.
        output = subprocess.run(
            [sys.executable, "-m", "bench.ingest", "--child", "--vendor", vendor,
             "--values", str(args.values), "--stations", str(args.stations)],
            cwd=common.ROOT, capture_output=True, text=True, check=False,
        )
        if output.returncode != 0:
            print(output.stdout, output.stderr, file=sys.stderr)
            raise SystemExit(f"bench.ingest failed on {vendor}")
        result = json.loads(output.stdout.strip().splitlines()[-1])
        baseline = "executemany" if vendor == "sqlite" else "COPY"
        readers = (f"{result['jobs']} reading processes" if result["jobs"]
                   else "read ahead in a thread")
        common.report(f"{vendor}: {result['values']:,} values in {result['files']:,} files "
                      f"from {result['stations']} stations ({result['chunk']:,} files per "
                      f"transaction, read {result['slice']:,} at a time, {readers})", [
            (f"baseline ({baseline} of pre-parsed rows)",
             f"{result['baseline_rate']:>10,.0f} values/s  ({result['baseline_seconds']:.1f} s)"),
            ("envhub (parse, map, validate, write, queue)",
             f"{result['envhub_rate']:>10,.0f} values/s  ({result['envhub_seconds']:.1f} s)"),
            ("ratio envhub / baseline", f"{result['envhub_rate'] / result['baseline_rate']:.2f} "
                                        "(target ≥ 0.50)"),
        ])


if __name__ == "__main__":
    main()
