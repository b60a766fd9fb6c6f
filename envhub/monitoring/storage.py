"""Writing observations fast, the same way on SQLite and PostgreSQL in effect.

The ingestion service hands over plain rows; this module is the only place that knows how each
database takes them fastest: one `executemany` with ON CONFLICT DO NOTHING on SQLite; COPY on
PostgreSQL, straight into the table when no row collides (the usual case: a resent file is
caught earlier by its SHA-256), else through a staging table with ON CONFLICT DO NOTHING.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.db import IntegrityError, connection, transaction

from envhub.monitoring import partitions

TABLE = "monitoring_observation"
COLUMNS = ("series_id", "time", "value", "status", "batch_id")
# (series_id, time, value, status, batch_id)
Row = tuple[int, datetime.datetime, float | None, int, int]


def _adapt_times(rows: Sequence[Row]) -> list[tuple]:
    """Rows with their times as the database driver wants them (cached: files share times)."""
    adapt = connection.ops.adapt_datetimefield_value
    cache: dict[datetime.datetime, object] = {}
    adapted = []
    for series_id, time, value, status, batch_id in rows:
        db_time = cache.get(time)
        if db_time is None:
            db_time = cache[time] = adapt(time)
        adapted.append((series_id, db_time, value, status, batch_id))
    return adapted


def insert_observations(rows: Sequence[Row]) -> int:
    """Insert rows that are not there yet; return how many were inserted. Must run inside the
    caller's transaction."""
    if not rows:
        return 0
    partitions.ensure({row[1] for row in rows})
    if connection.vendor == "postgresql":
        return _insert_postgresql(rows)
    sql = (f'INSERT INTO "{TABLE}" ({", ".join(COLUMNS)}) VALUES (%s, %s, %s, %s, %s) '
           "ON CONFLICT DO NOTHING")
    with connection.cursor() as cursor:
        cursor.executemany(sql, _adapt_times(rows))
        return cursor.rowcount


def _copy(cursor, table: str, rows: Sequence[Row]) -> None:
    # The raw psycopg cursor: Django's wrapper has no COPY. Its errors are turned into Django's
    # (IntegrityError, ...) so that callers handle one kind.
    with connection.wrap_database_errors, cursor.cursor.copy(
        f'COPY "{table}" ({", ".join(COLUMNS)}) FROM STDIN'
    ) as copy:
        for row in rows:
            copy.write_row(row)


def _insert_postgresql(rows: Sequence[Row]) -> int:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            _copy(cursor, TABLE, rows)
        return len(rows)
    except IntegrityError:
        pass  # some rows exist already: take the careful path below
    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE TEMP TABLE IF NOT EXISTS "{TABLE}_staging" '
            f'(LIKE "{TABLE}" INCLUDING DEFAULTS) ON COMMIT DELETE ROWS'
        )
        cursor.execute(f'TRUNCATE "{TABLE}_staging"')
        _copy(cursor, f"{TABLE}_staging", rows)
        cursor.execute(
            f'INSERT INTO "{TABLE}" ({", ".join(COLUMNS)}) '
            f'SELECT {", ".join(COLUMNS)} FROM "{TABLE}_staging" ON CONFLICT DO NOTHING'
        )
        return cursor.rowcount


def existing(keys: Iterable[tuple[int, datetime.datetime]]) -> dict[tuple, tuple]:
    """{(series_id, time): (value, status, batch_id)} for those keys that are stored."""
    from envhub.monitoring.models import Observation

    by_series: dict[int, set[datetime.datetime]] = {}
    for series_id, time in keys:
        by_series.setdefault(series_id, set()).add(time)
    found = {}
    for series_id, times in by_series.items():
        rows = Observation.objects.filter(
            series_id=series_id, time__gte=min(times), time__lte=max(times)
        ).values_list("time", "value", "status", "batch_id")
        for time, value, status, batch_id in rows:
            if time in times:
                found[(series_id, time)] = (value, status, batch_id)
    return found


def replace_observations(rows: Sequence[Row]) -> int:
    """Overwrite stored values with these (a steward's re-ingest with replace)."""
    from envhub.monitoring.models import Observation

    count = 0
    for series_id, time, value, status, batch_id in rows:
        count += Observation.objects.filter(series_id=series_id, time=time).update(
            value=value, status=status, batch_id=batch_id
        )
    return count


def queue_rollups(keys: Iterable[tuple[int, datetime.datetime]], now: datetime.datetime) -> None:
    """Mark (series, hour_end) pairs dirty for the rollup worker."""
    keys = sorted(set(keys))
    if not keys:
        return
    adapt = connection.ops.adapt_datetimefield_value
    queued_at = adapt(now)
    with connection.cursor() as cursor:
        cursor.executemany(
            'INSERT INTO "monitoring_rollupqueue" (series_id, hour_end, queued_at) '
            "VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            [(series_id, adapt(hour), queued_at) for series_id, hour in keys],
        )
