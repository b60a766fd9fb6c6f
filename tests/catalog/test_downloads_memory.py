"""Streamed downloads stay within a fixed memory bound however many rows: a million-row CSV
and Parquet written from a generator never hold the dataset."""

from __future__ import annotations

import io
import tracemalloc

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from envhub.catalog import downloads
from envhub.catalog.providers import Column

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


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_million_rows_stream_within_a_fixed_memory_bound(fmt):
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
    assert peak - kept < PYTHON_BOUND, f"{(peak - kept) / 1e6:.1f} MB at the peak"
    assert pool.max_memory() < ARROW_BOUND
    if fmt == "csv":
        assert size > 40 * ROWS and tail.endswith(b"\r\n")
    else:
        table = pq.read_table(io.BytesIO(sink.getvalue()))
        assert table.num_rows == ROWS
        assert table.column("count").type == pa.int64()
