"""Monthly partitions of the observations table on PostgreSQL (SQLite has one plain table).

Partitions are created ahead by the worker (`create-partitions` job) and, for late or backfilled
data, on demand before a write (`ensure`, called by the ingestion service outside its
transaction: creating a partition locks the whole table until commit, which must be short). There
is no default partition: a row for a month without a partition would land there and block
creating that month's partition later.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterable

from django.db import connection, transaction

from envhub.core.timeutil import UTC, month_start, next_month

TABLE = "monitoring_observation"
MONTHS_AHEAD = 3

_known: set[str] = set()
_lock = threading.Lock()


def partition_name(start: datetime.datetime) -> str:
    return f"{TABLE}_p{start:%Y_%m}"


def is_partitioned() -> bool:
    return connection.vendor == "postgresql"


def existing() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT child.relname FROM pg_inherits "
            "JOIN pg_class parent ON parent.oid = pg_inherits.inhparent "
            "JOIN pg_class child ON child.oid = pg_inherits.inhrelid "
            "WHERE parent.relname = %s",
            [TABLE],
        )
        return {row[0] for row in cursor.fetchall()}


def create(start: datetime.datetime) -> str:
    """Create the partition of the month starting at `start` (idempotent)."""
    name = partition_name(start)
    end = next_month(start)
    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF "{TABLE}" '
            f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
        )
    return name


def ensure(times: Iterable[datetime.datetime]) -> None:
    """Make sure the months of these times have a partition (no-op on SQLite)."""
    if not is_partitioned():
        return
    months = {month_start(moment) for moment in times}
    missing = [m for m in months if partition_name(m) not in _known]
    if not missing:
        return
    with _lock:
        present = existing()
        created = []
        for start in sorted(missing):
            if partition_name(start) not in present:
                create(start)
                created.append(partition_name(start))
    # Known only once committed: inside a transaction, `existing()` also sees the partitions it
    # created itself, and a rolled-back partition must be created again.
    seen = present | set(created)
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _known.update(seen))
    else:
        _known.update(seen)


def ensure_ahead(now: datetime.datetime | None = None, months: int = MONTHS_AHEAD) -> list[str]:
    """The current month and the next `months`: what the worker keeps ready."""
    if not is_partitioned():
        return []
    start = month_start(now or datetime.datetime.now(UTC))
    wanted = [start]
    for _ in range(months):
        wanted.append(next_month(wanted[-1]))
    ensure(wanted)
    return [partition_name(month) for month in wanted]


def forget() -> None:
    """Drop the in-process cache (after tests recreate the table)."""
    with _lock:
        _known.clear()
