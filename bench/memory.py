"""Memory of the folder ingest: peak resident memory of `envhub ingest DIR` for growing numbers
of files — it must stay flat (under 300 MB) whatever the number of files. The baseline is the
peak memory of the same interpreter merely starting Django (`envhub check`).

    python -m bench.memory [--files 5000 20000 80000]

Target (issue 3): flat, and under 300 MB.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import common


def peak_rss_mb(command: list[str]) -> tuple[float, str]:
    """Run a command and return its peak resident memory (from the kernel's accounting)."""
    process = subprocess.Popen(command, cwd=common.ROOT, env=os.environ.copy(),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{output[-2000:]}")
    return usage.ru_maxrss / 1024, output  # ru_maxrss is in KiB on Linux


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
    parser.add_argument("--files", type=int, nargs="+", default=[5000, 20000, 80000])
    parser.add_argument("--stations", type=int, default=200)
    args = parser.parse_args()
    common.prepare_environment("sqlite")
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
            peak, output = peak_rss_mb([sys.executable, "-m", "envhub.cli", "ingest",
                                        str(folder), "--no-rollups"])
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        peaks.append(peak)
        rows.append((f"envhub ingest, {count:,} files ({count * 10:,} values)",
                     f"{peak:7.1f} MB  ({peak / baseline:.2f} × baseline)"))
    flat = max(peaks) / min(peaks)
    rows.append(("largest / smallest run", f"{flat:.2f} (flat if close to 1)"))
    rows.append(("target", f"under 300 MB: {'met' if max(peaks) < 300 else 'NOT met'}"))
    print(f"bench.memory — {common.machine()}")
    common.report("peak resident memory", rows)


if __name__ == "__main__":
    main()
