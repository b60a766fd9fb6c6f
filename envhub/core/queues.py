"""Work queues stored as rows: (object id, hour_end) keys that a worker must process. The rollup,
compliance and air quality queues all work this way, so that a crash loses nothing (claimed rows
come back if the transaction rolls back) and several workers can share a queue (PostgreSQL's
FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.utils import timezone

from envhub.core import sqlite_rows
from envhub.core.timeutil import from_db


def add(table: str, id_column: str, keys: Iterable[tuple[int, datetime.datetime]],
        now: datetime.datetime | None = None) -> None:
    """Queue (id, hour_end) keys; a key already queued stays once. On SQLite its `queued_at`
    is renewed: the rollup worker there computes from reads outside its write transaction, and
    removes a key only if its `queued_at` is still the one it read (`rollups`)."""
    keys = list(keys)
    if not keys:
        return
    if connection.vendor == "postgresql":
        _add_postgresql(table, id_column, keys, now or timezone.now())
        return
    adapt = connection.ops.adapt_datetimefield_value
    hours = {hour: adapt(hour) for hour in {hour for _key, hour in keys}}  # few distinct hours
    values = sqlite_rows.flatten((int(key), hours[hour]) for key, hour in keys)
    queued_at = adapt(now or timezone.now())
    # Few statements, each run in SQLite's own code: an ingesting process lets its reading
    # thread run meanwhile (see `monitoring.storage`). "WHERE true" tells SQLite's parser that
    # ON CONFLICT is the upsert's.
    sqlite_rows.insert(
        f'INSERT INTO "{table}" ("{id_column}", "hour_end", "queued_at") '
        "SELECT column1, column2, ? FROM ({values}) WHERE true "
        'ON CONFLICT DO UPDATE SET "queued_at" = excluded."queued_at"',
        values, 2, leading=[queued_at])


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_SECOND = datetime.timedelta(seconds=1)


def _add_postgresql(table: str, id_column: str, keys: list[tuple[int, datetime.datetime]],
                    now: datetime.datetime) -> None:
    # One statement for any number of keys, in key order (two writers lock the same keys in
    # the same order: no deadlock). The keys go as two comma-separated texts that the server
    # splits: psycopg would dump a list element by element in Python, and for a slice of
    # ingested files that took longer than the insert. Hours as whole seconds since 1970 (an
    # aware time: a naive one fails here rather than be read in the machine's zone).
    epoch = {hour: str((hour - _EPOCH) // _SECOND) for hour in {hour for _key, hour in keys}}
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" ("{id_column}", "hour_end", "queued_at") '
            "SELECT key, to_timestamp(hour), %s FROM unnest("
            "string_to_array(%s, ',')::bigint[], string_to_array(%s, ',')::bigint[]) "
            "AS dirty(key, hour) ORDER BY key, hour ON CONFLICT DO NOTHING",
            [now, ",".join([str(int(key)) for key, _hour in keys]),
             ",".join([epoch[hour] for _key, hour in keys])])


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


# The longest pause after a worker's transaction on SQLite (`turn`).
MAX_PAUSE_SECONDS = 0.25


@contextmanager
def turn(pause: bool) -> Iterator[None]:
    """One transaction of a queue's processing; with `pause` (the worker, beside live uploads)
    on SQLite, then a pause as long as the transaction held the database's one write lock (at
    most MAX_PAUSE_SECONDS). Uploads wait for that lock, and SQLite's busy handler lets a
    waiting writer try again only every 100 ms or so: a worker that began its next transaction
    at once would keep the lock for as long as its queue lasted. PostgreSQL's writers lock
    rows, not the database: no pause there."""
    started = time.monotonic()
    with transaction.atomic():
        yield
    if pause and connection.vendor == "sqlite":
        time.sleep(min(MAX_PAUSE_SECONDS, time.monotonic() - started))
