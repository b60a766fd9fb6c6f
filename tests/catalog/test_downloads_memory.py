"""Streamed downloads stay within a fixed memory bound however many rows: a million-row CSV
and Parquet written from a generator never hold the dataset.

Each case runs in a fresh interpreter: Arrow's memory pool keeps one high-water mark for the
whole process, so any Arrow work of an earlier test (reading a Parquet file back) would count."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tracemalloc

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from envhub.catalog import downloads
from envhub.core.providers import Column

ROWS = 1_000_000
COLUMNS = [Column("station", "string", "Mã trạm"), Column("hour_end", "datetime", "Giờ"),
           Column("mean", "number", "Trung bình"), Column("count", "integer", "Số giá trị"),
           Column("note", "string", "Ghi chú")]
PYTHON_BOUND = 40 * 1024 * 1024  # bytes of Python objects alive at the peak
ARROW_BOUND = 64 * 1024 * 1024


def rows():
    for index in range(ROWS):
        yield (f"HNKK{index % 50:02d}", f"2026-01-01T{index % 24:02d}:00:00+07:00",
               index * 0.5, index % 12, "Trạm quan trắc không khí" if index % 7 else None)


def measure(fmt: str) -> dict:
    """Stream the download and return its size, its end, the Python peak and Arrow's."""
    pool = pa.default_memory_pool()
    tracemalloc.start()
    try:
        size, tail = 0, b""
        sink = io.BytesIO() if fmt == "parquet" else None
        for chunk in downloads.stream(fmt, COLUMNS, rows()):
            size += len(chunk)
            if sink is not None:
                sink.write(chunk)  # kept only to check the file below (the response does not)
            else:
                tail = chunk[-200:]
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    kept = sink.getbuffer().nbytes if sink is not None else 0
    result = {"size": size, "tail": tail.decode("latin-1"), "python_peak": peak - kept,
              "arrow_peak": pool.max_memory()}
    if sink is not None:
        # One thread: Arrow's reader pool, torn down at exit, aborts the interpreter now and
        # then (apache/arrow#34314, #50482); the file, not the reader, is what is checked.
        table = pq.read_table(io.BytesIO(sink.getvalue()), use_threads=False)
        result.update(rows=table.num_rows, count_type=str(table.column("count").type))
    return result


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_million_rows_stream_within_a_fixed_memory_bound(fmt):
    # The child leaves with os._exit once its figures are out: Arrow's thread pools, torn
    # down at interpreter exit, abort now and then (apache/arrow#34314) after the work is done.
    code = ("import json, os; from tests.catalog.test_downloads_memory import measure; "
            f"print(json.dumps(measure({fmt!r})), flush=True); os._exit(0)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.splitlines()[-1])
    assert result["python_peak"] < PYTHON_BOUND, f"{result['python_peak'] / 1e6:.1f} MB"
    assert result["arrow_peak"] < ARROW_BOUND, f"{result['arrow_peak'] / 1e6:.1f} MB"
    if fmt == "csv":
        assert result["size"] > 40 * ROWS and result["tail"].endswith("\r\n")
    else:
        assert result["rows"] == ROWS
        assert result["count_type"] == str(pa.int64())
