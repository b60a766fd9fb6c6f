"""Work queues stored as rows: (object id, hour_end) keys that a worker must process. The rollup,
compliance and air quality queues all work this way, so that a crash loses nothing (claimed rows
come back if the transaction rolls back) and several workers can share a queue (PostgreSQL's
FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import connection
from django.utils import timezone

from envhub.core.timeutil import from_db


def add(table: str, id_column: str, keys: Iterable[tuple[int, datetime.datetime]],
        now: datetime.datetime | None = None) -> None:
    """Queue (id, hour_end) keys; a key already queued stays once."""
    keys = list(keys)
    if not keys:
        return
    adapt = connection.ops.adapt_datetimefield_value
    queued_at = adapt(now or timezone.now())
    hours = {hour: adapt(hour) for hour in {hour for _key, hour in keys}}  # few distinct hours
    with connection.cursor() as cursor:
        cursor.executemany(
            f'INSERT INTO "{table}" ("{id_column}", "hour_end", "queued_at") '
            'VALUES (%s, %s, %s) ON CONFLICT DO NOTHING',
            [(key, hours[hour], queued_at) for key, hour in keys])


def claim(table: str, id_column: str, limit: int) -> list[tuple[int, datetime.datetime]]:
    """Take up to `limit` keys off the queue, oldest first, inside the caller's transaction."""
    skip_locked = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f'DELETE FROM "{table}" WHERE ("{id_column}", "hour_end") IN ('
            f'SELECT "{id_column}", "hour_end" FROM "{table}" '
            f'ORDER BY "queued_at" LIMIT %s{skip_locked}) RETURNING "{id_column}", "hour_end"',
            [limit])
        rows = cursor.fetchall()
    return [(key, from_db(hour)) for key, hour in rows]
