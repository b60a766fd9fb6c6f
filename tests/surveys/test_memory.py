"""A 100,000-row upload is validated streamed: the memory Python allocates stays within a fixed
bound (measured with tracemalloc, never timed), whatever the number of rows."""

from __future__ import annotations

import tracemalloc

import pytest

from bench import surveys as bench

ROWS = 100_000
# About 12 MB measured for either file (the key digests of 100,000 rows are most of it);
# reading either file whole would take several times this.
BOUND = 40_000_000


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("surveys-memory")
    return {"csv": bench.csv_file(folder / "results.csv", ROWS),
            "xlsx": bench.xlsx_file(folder / "results.xlsx", ROWS)}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_100000_row_upload_validates_within_a_fixed_memory_bound(files, kind):
    codes = bench.registry_codes()
    tracemalloc.start()
    try:
        report = bench.validate_file(files[kind], codes, max_rows=ROWS)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.refused is None and report.rows == ROWS and report.error_count == 0
    assert peak < BOUND, f"{peak / 1e6:.1f} MB"


@pytest.mark.parametrize("maker", [bench.csv_file, bench.xlsx_file])
def test_the_benchmark_reads_and_validates_the_same_rows(tmp_path, maker):
    path = maker(tmp_path / ("results" + (".csv" if maker is bench.csv_file else ".xlsx")), 60)
    found = bench.measure(path, bench.registry_codes(), repeat=1)
    assert (found["rows"], found["checked"], found["errors"]) == (60, 60, 0)
