"""Streamed downloads of a dataset in CSV, JSON, GeoJSON, XLSX and Parquet, with bounded memory
whatever the number of rows.

The provider yields rows one at a time; CSV, JSON and GeoJSON are written chunk by chunk to the
response; XLSX (openpyxl's write-only mode) and Parquet (pyarrow, in record batches) are
written to a temporary file a batch at a time and that file is then streamed, so memory holds
one batch, never the dataset.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import tempfile
from collections.abc import Iterable, Iterator

import orjson

from envhub.core.numbers import decimals_for_unit
from envhub.core.providers import Column
from envhub.core.spreadsheets import DataSheet, csv_row

CHUNK_ROWS = 2000
PARQUET_BATCH = 20_000
FILE_CHUNK = 256 * 1024
XLSX_MAX_ROWS = 1_048_575  # Excel's limit, less the header
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "geojson": "application/geo+json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}


class TooManyRows(ValueError):
    """XLSX cannot hold the rows asked for."""


def _text(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    return value


def csv_chunks(columns: list[Column], rows: Iterable[tuple]) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, so that Excel shows Vietnamese correctly. Rows are written
    a chunk at a time (the csv module writes None as an empty field; providers give times as
    ISO 8601 text); text that a spreadsheet would run as a formula is escaped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_row(column.name for column in columns))
    yield "\ufeff".encode() + buffer.getvalue().encode()
    iterator = iter(rows)
    while True:
        batch = list(itertools.islice(iterator, CHUNK_ROWS))
        if not batch:
            break
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(map(csv_row, batch))
        yield buffer.getvalue().encode()


def csv_with_header(columns: list[Column], body: Iterable[bytes]) -> Iterator[bytes]:
    """The header (with its byte-order mark) before CSV rows that the database wrote."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(csv_row(column.name for column in columns))
    yield "\ufeff".encode() + buffer.getvalue().encode()
    yield from body


def json_chunks(columns: list[Column], rows: Iterable[tuple]) -> Iterator[bytes]:
    """A JSON array of objects keyed by column name."""
    names = [column.name for column in columns]
    items = (dict(zip(names, row, strict=True)) for row in rows)
    return _json_array(b"[", items, b"]")


def geojson_chunks(columns: list[Column], rows: Iterable[tuple]) -> Iterator[bytes]:
    """A FeatureCollection of points from the `longitude` and `latitude` columns (rows
    without coordinates have a null geometry, as GeoJSON allows)."""
    names = [column.name for column in columns]
    lat, lon = names.index("latitude"), names.index("longitude")

    def feature(row):
        geometry = None if row[lat] is None or row[lon] is None else \
            {"type": "Point", "coordinates": [row[lon], row[lat]]}
        properties = {name: value for index, (name, value) in enumerate(zip(names, row,
                                                                             strict=True))
                      if index not in (lat, lon)}
        return {"type": "Feature", "geometry": geometry, "properties": properties}

    return _json_array(b'{"type":"FeatureCollection","features":[', map(feature, rows), b"]}")


def _json_array(opening: bytes, items: Iterable, closing: bytes) -> Iterator[bytes]:
    """`opening`, the items as JSON separated by commas, `closing`: in blocks of CHUNK_ROWS
    items, never the whole array at once."""
    yield opening
    parts: list[bytes] = []
    first = True
    for item in items:
        text = orjson.dumps(item, default=_text)
        parts.append(text if first else b"," + text)
        first = False
        if len(parts) >= CHUNK_ROWS:
            yield b"".join(parts)
            parts = []
    parts.append(closing)
    yield b"".join(parts)


class FileChunks:
    """The blocks of a finished temporary file, and its size: the response can say its
    Content-Length, so that the browser shows how far a download has come."""

    def __init__(self, handle):
        self.handle = handle
        self.size = handle.seek(0, io.SEEK_END)

    def __iter__(self) -> Iterator[bytes]:
        handle = self.handle
        try:
            handle.seek(0)
            while True:
                block = handle.read(FILE_CHUNK)
                if not block:
                    break
                yield block
        finally:
            handle.close()


def xlsx_file(columns: list[Column], rows: Iterable[tuple], title: str):
    """A temporary XLSX file (write-only workbook); refuses more rows than Excel holds. Text
    is written as text, never as a formula."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    # Values stay as stored (the same data as the CSV and Parquet files); Excel shows them
    # with the site's decimals.
    numbers = {index: decimals_for_unit(column.shown_as) for index, column in enumerate(columns)
               if column.type == "number"}
    sheet = DataSheet(book.create_sheet(title=title[:31] or "data"), numbers)
    sheet.append(column.name for column in columns)
    count = 0
    for row in rows:
        count += 1
        if count > XLSX_MAX_ROWS:
            raise TooManyRows(count)
        sheet.append(map(_excel, row))
    handle = tempfile.TemporaryFile()
    book.save(handle)
    return handle


def _excel(value):
    if isinstance(value, (list, dict)):
        return orjson.dumps(value).decode()
    return value


ARROW_TYPES = {"integer": "int64", "number": "float64", "boolean": "bool"}


def parquet_file(columns: list[Column], rows: Iterable[tuple]):
    """A temporary Parquet file written in record batches of PARQUET_BATCH rows. Times and
    dates stay ISO 8601 text with their offset (Viet Nam time), as in the other formats."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(column.name, getattr(pa, ARROW_TYPES.get(column.type, "string"))())
                        for column in columns])
    handle = tempfile.TemporaryFile()
    writer = pq.ParquetWriter(handle, schema, compression="zstd")
    try:
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= PARQUET_BATCH:
                writer.write_batch(_arrow_batch(pa, schema, columns, batch))
                batch = []
        if batch:
            writer.write_batch(_arrow_batch(pa, schema, columns, batch))
    finally:
        writer.close()
    return handle


def _arrow_batch(pa, schema, columns: list[Column], batch: list[tuple]):
    arrays = []
    for index, column in enumerate(columns):
        values = [row[index] for row in batch]
        if column.type not in ARROW_TYPES:
            values = [None if value is None else str(_text(value)) for value in values]
        arrays.append(pa.array(values, type=schema.field(index).type))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def stream(fmt: str, columns: list[Column], rows: Iterable[tuple], title: str = "data",
           csv_body: Iterable[bytes] | None = None) -> Iterable[bytes]:
    """The bytes of a download in `fmt` (csv, json, geojson, xlsx, parquet); `csv_body`, when
    the database writes the CSV rows itself. XLSX and Parquet are a `FileChunks`, whose size
    is known before the first byte is sent."""
    if fmt == "csv" and csv_body is not None:
        return csv_with_header(columns, csv_body)
    if fmt == "csv":
        return csv_chunks(columns, rows)
    if fmt == "json":
        return json_chunks(columns, rows)
    if fmt == "geojson":
        return geojson_chunks(columns, rows)
    if fmt == "xlsx":
        return FileChunks(xlsx_file(columns, rows, title))
    if fmt == "parquet":
        return FileChunks(parquet_file(columns, rows))
    raise ValueError(fmt)
