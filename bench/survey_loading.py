"""Loading approved periodic monitoring results (issue 16): 100,000 rows (200 periodic stations
x 10 parameters x 50 sampling dates, one in ten below the limit of detection) through
`monitoring.samples.load_periodic` in one transaction, beside the ingestion road's figure for
the same number of values measured in the same run (TT10 files through
`monitoring.ingest.ingest`, 1,000 files a transaction), on both databases.

    python -m bench.survey_loading                 # both databases, 100,000 rows
    python -m bench.survey_loading --rows 20000 --vendor sqlite

PostgreSQL: the database named by BENCH_POSTGRES (dropped and created again).
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
import time

from bench import common

PARAMETERS = ("COD", "BOD5", "TSS", "NH4", "TP", "TN", "DO", "Fe", "Cu", "Zn")
BELOW = "Cu"  # reported below its limit of detection
FILES_PER_TRANSACTION = 1000


def peak_rss_kib() -> int:
    """The process's peak resident memory so far (VmHWM), in KiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def survey_rows(stations: int, dates: int):
    """(line, values) as `surveys.validation.validate(..., on_row=...)` gives them, made one at
    a time (a validation streams its file)."""
    first = datetime.date(2025, 1, 6)
    line = 1
    for day in range(dates):
        sampled = first + datetime.timedelta(days=7 * day)
        for number in range(stations):
            for place, parameter in enumerate(PARAMETERS):
                line += 1
                below = parameter == BELOW
                yield line, {
                    "station_code": f"DK{number:04d}", "site_name": f"Điểm {number}",
                    "province_code": "01", "latitude": 21.0, "longitude": 105.8,
                    "sampling_date": sampled, "sampling_time": datetime.time(8 + place % 8, 15),
                    "medium": "water", "parameter": parameter,
                    "value": None if below else 1.0 + (number + day) % 50 / 10,
                    "unit": "mg/L", "detection": "<LOD" if below else None,
                    "detection_limit": 0.005 if below else None, "method": "SMEWW 5220C:2017",
                    "laboratory": "Phòng thí nghiệm thử", "vimcerts": "VIMCERTS 123"}


def run_one(vendor: str, rows: int) -> dict:
    common.prepare_environment(vendor)
    common.setup_django()
    from django.db import transaction

    from envhub.core.permissions import system_actor
    from envhub.monitoring import ingest
    from envhub.monitoring.models import Observation, Sample
    from envhub.monitoring.samples import load_periodic
    from envhub.registry import services as registry
    from envhub.registry.models import Province, Station, StationKind

    stations = 200
    dates = -(-rows // (stations * len(PARAMETERS)))
    actor = system_actor("bench")
    hanoi = Province.objects.get(code="01")
    # The periodic stations exist (a load may create them, each through the registry's
    # service: measured apart, it is not what a yearly campaign repeats).
    for number in range(stations):
        registry.save(actor, Station(code=f"DK{number:04d}", name=f"Điểm {number}",
                                     kind=StationKind.PERIODIC, medium="water",
                                     province=hanoi, latitude=21.0, longitude=105.8))
    before = peak_rss_kib()
    started = time.perf_counter()
    with transaction.atomic():
        summary = load_periodic(actor, survey_rows(stations, dates), survey_version=1)
    load_seconds = time.perf_counter() - started
    load_peak = peak_rss_kib() - before
    loaded = summary.rows
    assert Sample.objects.count() == loaded
    detected = Observation.objects.count()

    # The ingestion road: as many values, in TT10 files of 10 values, 1,000 files a
    # transaction (what `ingest` takes in one call).
    air_stations = common.create_air_stations(stations)
    files_per_station = -(-loaded // (stations * len(common.AIR_SYMBOLS)))
    files = [ingest.IncomingFile(name, content) for name, content in common.tt10_files(
        air_stations, files_per_station, datetime.datetime(2026, 10, 1, 0, 5))]
    values = len(files) * len(common.AIR_SYMBOLS)
    accepted = 0
    started = time.perf_counter()
    for start in range(0, len(files), FILES_PER_TRANSACTION):
        reports = ingest.ingest(actor, "folder", files[start:start + FILES_PER_TRANSACTION])
        accepted += sum(report.accepted for report in reports)
    ingest_seconds = time.perf_counter() - started
    assert accepted == values, (accepted, values)
    return {"vendor": vendor, "rows": loaded, "observations": detected,
            "below": summary.below_detection, "load_seconds": load_seconds,
            "load_rate": loaded / load_seconds, "load_peak_kib": load_peak,
            "peak_kib": peak_rss_kib(), "values": values, "ingest_seconds": ingest_seconds,
            "ingest_rate": values / ingest_seconds}


def load_average() -> str:
    with open("/proc/loadavg") as averages:
        return " ".join(averages.read().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--vendor", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.vendor, args.rows)))
        return
    vendors = ["sqlite", "postgresql"] if args.vendor == "both" else [args.vendor]
    print(f"bench.survey_loading — {args.rows:,} rows — {common.machine()}")
    for vendor in vendors:
        load = load_average()
        # A fresh process per database: Django's settings are fixed once it starts.
        output = subprocess.run(
            [sys.executable, "-m", "bench.survey_loading", "--child", "--vendor", vendor,
             "--rows", str(args.rows)],
            cwd=common.ROOT, capture_output=True, text=True, check=False)
        if output.returncode != 0:
            print(output.stdout, output.stderr, file=sys.stderr)
            raise SystemExit(f"bench.survey_loading failed on {vendor}")
        r = json.loads(output.stdout.strip().splitlines()[-1])
        common.report(f"{vendor}: {r['rows']:,} periodic results ({r['below']:,} below "
                      f"detection, {r['observations']:,} observations), load average {load}", [
            ("ingestion road (TT10 files, 1,000 a transaction)",
             f"{r['ingest_rate']:>10,.0f} values/s  ({r['ingest_seconds']:.1f} s)"),
            ("load_periodic (one transaction)",
             f"{r['load_rate']:>10,.0f} rows/s    ({r['load_seconds']:.1f} s)"),
            ("ratio load / ingestion", f"{r['load_rate'] / r['ingest_rate']:.2f}"),
            ("peak memory of the load (VmHWM growth)", f"{r['load_peak_kib'] / 1024:.1f} MiB"),
            ("peak memory of the process (VmHWM)", f"{r['peak_kib'] / 1024:.1f} MiB"),
        ])


if __name__ == "__main__":
    main()
