"""Memory of the folder ingest: peak resident memory of `envhub ingest DIR` for growing numbers
of files — it must stay flat (under 300 MB) whatever the number of files. The baseline is the
peak memory of the same interpreter merely starting Django (`envhub check`).

    python -m bench.memory [--files 5000 20000 80000] [--vendor postgresql]

Target (issue 3): flat, and under 300 MB. The figures are the sum of the command and its
reading processes (`--jobs`). SQLite's page cache (64 MiB per connection) fills as the database
grows and then stays: that is the growth between the first runs.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from bench import common


def _tree(pid: int) -> list[int]:
    """The process and all its descendants (the ingest command and its reading processes)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    pending.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return found


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_rss_mb(command: list[str]) -> tuple[float, str]:
    """Run a command and return the peak resident memory of it and its child processes
    together, sampled every 0.1 s."""
    process = subprocess.Popen(command, cwd=common.ROOT, env=os.environ.copy(),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0
    stop = threading.Event()

    def sample():
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, sum(_rss_kib(pid) for pid in _tree(process.pid)))
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = process.stdout.read()
    process.wait()
    stop.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{output[-2000:]}")
    return peak / 1024, output


def write_tree(stations, count: int, folder: Path) -> None:
    """`count` files laid out as dataloggers upload them: station/yyyy/MM/dd/file."""
    per_station = -(-count // len(stations))
    written = 0
    for name, content in common.tt10_files(stations, per_station,
                                            datetime.datetime(2026, 8, 1, 0, 5)):
        if written == count:
            break
        station_code = name.split("_")[2]
        stamp = name.rsplit("_", 1)[1]
        target = folder / station_code / stamp[:4] / stamp[4:6] / stamp[6:8]
        target.mkdir(parents=True, exist_ok=True)
        (target / name).write_bytes(content)
        written += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, nargs="+", default=[5000, 40000, 160000])
    parser.add_argument("--stations", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=None,
                        help="passed to envhub ingest (default: its own default)")
    parser.add_argument("--vendor", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    common.prepare_environment(args.vendor)
    common.setup_django()
    stations = common.create_air_stations(args.stations)
    from django.db import connection

    connection.close()
    baseline, _ = peak_rss_mb([sys.executable, "-m", "envhub.cli", "check", "--quiet"])
    rows = [("baseline: envhub check (Django started)", f"{baseline:7.1f} MB")]
    peaks = []
    for count in args.files:
        folder = Path(tempfile.mkdtemp(prefix="envhub-bench-files-"))
        try:
            write_tree(stations, count, folder)
            jobs = [] if args.jobs is None else ["--jobs", str(args.jobs)]
            peak, output = peak_rss_mb([sys.executable, "-m", "envhub.cli", "ingest",
                                        str(folder), "--no-rollups", *jobs])
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        peaks.append(peak)
        rows.append((f"envhub ingest, {count:,} files ({count * 10:,} values)",
                     f"{peak:7.1f} MB  ({peak / baseline:.2f} × baseline)"))
    flat = max(peaks) / min(peaks)
    rows.append(("largest / smallest run", f"{flat:.2f} (flat if close to 1)"))
    rows.append(("target", f"under 300 MB: {'met' if max(peaks) < 300 else 'NOT met'}"))
    print(f"bench.memory — {args.vendor} — {common.machine()}")
    common.report("peak resident memory", rows)


if __name__ == "__main__":
    main()
