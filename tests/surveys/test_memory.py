"""A 100,000-row upload is validated streamed: the memory stays within a fixed bound (never
timed), whatever the number of rows.

The CSV is measured with tracemalloc (what Python allocates). The XLSX is measured by the peak
resident memory of a fresh interpreter that validates it: tracemalloc makes openpyxl's parsing
six times slower (112 s for the file here), and the resident peak is the figure the
benchmark's target names (under 200 MB) — Django, the schema and the reader included."""

from __future__ import annotations

import json
import subprocess
import sys
import tracemalloc

import pytest

from bench import surveys as bench

ROWS = 100_000
# About 9 MB measured for the CSV (the key digests of 100,000 rows are most of it); reading
# the file whole would take several times this.
BOUND = 40_000_000
RESIDENT_BOUND = 200 * 1024 * 1024  # bytes: the whole process, Python and Django included


def validate_in_a_fresh_process(path) -> dict:
    """Validate `path` in its own interpreter; its report's figures and its peak RSS. The peak
    is the interpreter's own (VmHWM): getrusage's ru_maxrss keeps, across the fork and exec,
    the resident size of the process that started it (the test runner's)."""
    code = ("import json, os, django; from pathlib import Path; "
            "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'envhub.settings'); "
            "django.setup(); from bench import surveys as bench; "
            f"report = bench.validate_file(Path({str(path)!r}), bench.registry_codes(), "
            f"max_rows={ROWS}); "
            "peak = next(int(line.split()[1]) * 1024 for line in "
            "open('/proc/self/status') if line.startswith('VmHWM:')); "
            "print(json.dumps({'rows': report.rows, 'errors': report.error_count, "
            "'refused': report.refused is not None, 'peak': peak}), flush=True)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("surveys-memory")
    return {"csv": bench.csv_file(folder / "results.csv", ROWS),
            "xlsx": bench.xlsx_file(folder / "results.xlsx", ROWS)}


def test_a_100000_row_csv_validates_within_a_fixed_memory_bound(files):
    codes = bench.registry_codes()
    tracemalloc.start()
    try:
        report = bench.validate_file(files["csv"], codes, max_rows=ROWS)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.refused is None and report.rows == ROWS and report.error_count == 0
    assert peak < BOUND, f"{peak / 1e6:.1f} MB"


def test_a_100000_row_xlsx_validates_within_a_fixed_resident_bound(files):
    result = validate_in_a_fresh_process(files["xlsx"])
    assert (result["refused"], result["rows"], result["errors"]) == (False, ROWS, 0)
    assert result["peak"] < RESIDENT_BOUND, f"{result['peak'] / 1e6:.1f} MB"


@pytest.mark.parametrize("maker", [bench.csv_file, bench.xlsx_file])
def test_the_benchmark_reads_and_validates_the_same_rows(tmp_path, maker):
    path = maker(tmp_path / ("results" + (".csv" if maker is bench.csv_file else ".xlsx")), 60)
    found = bench.measure(path, bench.registry_codes(), repeat=1)
    assert (found["rows"], found["checked"], found["errors"]) == (60, 60, 0)
