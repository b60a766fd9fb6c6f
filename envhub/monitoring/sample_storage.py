"""Writing and finding periodic samples fast, for `monitoring.samples`: the same ways as the
observations (`storage`): multi-row VALUES on SQLite, COPY and arrays on PostgreSQL."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from envhub.core import sqlite_rows
from envhub.core.timeutil import from_db
from envhub.monitoring import storage

SAMPLE_COLUMNS = ("series_id", "time", "value", "below_detection", "detection_limit",
                  "written_value", "written_unit", "method", "laboratory", "vimcerts",
                  "survey_version")


def insert_samples(rows: list[tuple]) -> int:
    """Insert the samples (`SAMPLE_COLUMNS`; their keys were found free by `stored`); how many
    were. On PostgreSQL an IntegrityError if a key was taken meanwhile (the savepoint is rolled
    back: the caller decides)."""
    rows.sort(key=lambda row: (row[0], row[1]))  # in key order: each series' rows together
    if connection.vendor == "postgresql":
        # COPY: a statement of bound values costs psycopg more to build than the server to run.
        with transaction.atomic(), connection.cursor() as cursor:
            storage._copy(cursor, "monitoring_sample", rows, SAMPLE_COLUMNS)
        return len(rows)
    statement = (f'INSERT INTO "monitoring_sample" ({", ".join(SAMPLE_COLUMNS)}) {{values}} '
                 "ON CONFLICT DO NOTHING")
    return sqlite_rows.insert(statement, sqlite_rows.flatten(rows), len(SAMPLE_COLUMNS),
                              most_rows=storage._ROWS_PER_STATEMENT)


def stored(table: str, origin: str, keys: list[tuple], when) -> dict[tuple, Any]:
    """{(series, time): origin} of those keys (times as `storage.time_adapter` gives them)
    that `table` holds, looked up by the primary key."""
    found: dict[tuple, Any] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Two arrays, not thousands of bound values (see `insert_samples`).
            # The times' bounds as constants: the observations' monthly partitions outside
            # them are left out when planning (else each key probed every partition).
            times = [key[1] for key in keys]
            cursor.execute(
                f'SELECT t."series_id", t."time", t."{origin}" FROM unnest(%s::bigint[], '
                f'%s::timestamptz[]) AS k(series_id, time) JOIN "{table}" t ON '
                't."series_id" = k.series_id AND t."time" = k.time '
                'WHERE t."time" BETWEEN %s AND %s',
                [[key[0] for key in keys], times, min(times), max(times)])
            rows = cursor.fetchall()
        else:
            rows = []
            for start in range(0, len(keys), _KEYS_PER_LOOKUP):
                part = keys[start:start + _KEYS_PER_LOOKUP]
                # CROSS JOIN: SQLite then walks the keys and probes the primary key for each;
                # `(series_id, time) IN (VALUES …)` scanned the table (6 of 14 s at 100,000).
                cursor.execute(
                    f'SELECT t."series_id", t."time", t."{origin}" FROM (VALUES '
                    f'{", ".join(["(%s, %s)"] * len(part))}) AS k CROSS JOIN "{table}" t '
                    'WHERE t."series_id" = k.column1 AND t."time" = k.column2',
                    [value for key in part for value in key])
                rows += cursor.fetchall()
    for series_id, time, came_from in rows:
        found[(series_id, when(from_db(time)))] = came_from
    return found


_KEYS_PER_LOOKUP = 1000
