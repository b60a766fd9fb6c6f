"""Hourly and daily rollups, and the latest value of each series, fed by the rollup queue.

Ingestion marks each (series, hour) it touched as dirty in `RollupQueue`; `process_queue` claims
a slice of those rows, recomputes the hours from the observations, the local days from the hours,
and the latest values, and commits all of it with the deletion of the claimed rows — so a crash
loses nothing (the rows come back) and late data simply dirties its hour again. On PostgreSQL
the claim uses FOR UPDATE SKIP LOCKED, so several workers share the queue.

Hour `h` means the interval (h − 1 h, h]; the local day d means (d 00:00, d+1 00:00] UTC+7
(see `core.timeutil`). Only values with status 00 (measuring) and a value count as valid;
coverage is valid values over the values expected from the station's reporting interval.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, Sum

from envhub.core.timeutil import UTC, day_bounds, hour_bounds, local_day
from envhub.monitoring.models import (
    DailyRollup,
    DeviceStatus,
    HourlyRollup,
    LatestValue,
    Observation,
    Series,
)

CLAIM_SIZE = 500


@dataclass
class Work:
    hours: int = 0
    days: int = 0
    latest: int = 0

    def add(self, other: Work) -> None:
        self.hours += other.hours
        self.days += other.days
        self.latest += other.latest


def expected_per_hour(interval_minutes: int) -> int:
    """Values a station should send per hour: 12 at the usual 5-minute interval."""
    return max(1, round(60 / max(1, interval_minutes)))


def coverage(valid: int, expected: int) -> float:
    return min(100.0, 100.0 * valid / expected) if expected else 0.0


def _claim(limit: int) -> list[tuple[int, datetime.datetime]]:
    """Take up to `limit` dirty (series, hour) rows off the queue (inside the caller's
    transaction: they come back if it rolls back)."""
    skip_locked = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            'DELETE FROM "monitoring_rollupqueue" WHERE ("series_id", "hour_end") IN ('
            'SELECT "series_id", "hour_end" FROM "monitoring_rollupqueue" '
            f'ORDER BY "queued_at" LIMIT %s{skip_locked}) RETURNING "series_id", "hour_end"',
            [limit],
        )
        rows = cursor.fetchall()
    return [(series_id, _db_datetime(hour)) for series_id, hour in rows]


def _db_datetime(value) -> datetime.datetime:
    """A datetime read with a raw cursor: SQLite returns UTC text, PostgreSQL aware values."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _interval_by_series(series_ids) -> dict[int, int]:
    return dict(
        Series.objects.filter(id__in=series_ids).values_list(
            "id", "station__expected_interval_minutes"
        )
    )


_AGGREGATES = {
    "count": Count("time"),
    "valid_count": Count("value", filter=Q(status=DeviceStatus.MEASURING)),
    "calibrating_count": Count("time", filter=Q(status=DeviceStatus.CALIBRATING)),
    "error_count": Count("time", filter=Q(status=DeviceStatus.ERROR)),
    "total": Sum("value", filter=Q(status=DeviceStatus.MEASURING)),
    "minimum": Min("value", filter=Q(status=DeviceStatus.MEASURING)),
    "maximum": Max("value", filter=Q(status=DeviceStatus.MEASURING)),
}


def compute_hours(keys: list[tuple[int, datetime.datetime]]) -> int:
    """Recompute the hourly rollups of these (series, hour_end) pairs from the observations."""
    intervals = _interval_by_series({series_id for series_id, _ in keys})
    upserts, empty = [], []
    for series_id, hour in keys:
        start, end = hour_bounds(hour)
        stats = Observation.objects.filter(
            series_id=series_id, time__gt=start, time__lte=end
        ).aggregate(**_AGGREGATES)
        if not stats["count"]:
            empty.append((series_id, hour))
            continue
        expected = expected_per_hour(intervals.get(series_id, 5))
        valid = stats["valid_count"]
        upserts.append(HourlyRollup(
            series_id=series_id, hour_end=hour, count=stats["count"], valid_count=valid,
            calibrating_count=stats["calibrating_count"], error_count=stats["error_count"],
            expected_count=expected, total=stats["total"],
            mean=stats["total"] / valid if valid else None,
            minimum=stats["minimum"], maximum=stats["maximum"],
            coverage=coverage(valid, expected),
        ))
    _upsert(HourlyRollup, upserts, ["series", "hour_end"])
    for series_id, hour in empty:
        HourlyRollup.objects.filter(series_id=series_id, hour_end=hour).delete()
    return len(keys)


def compute_days(keys: set[tuple[int, datetime.date]]) -> int:
    """Recompute local-day rollups from the hourly rollups of each day (exact: sums and counts
    add up; the mean is the total over the valid count)."""
    intervals = _interval_by_series({series_id for series_id, _ in keys})
    upserts, empty = [], []
    for series_id, day in keys:
        start, end = day_bounds(day)
        stats = HourlyRollup.objects.filter(
            series_id=series_id, hour_end__gt=start, hour_end__lte=end
        ).aggregate(
            count=Sum("count"), valid_count=Sum("valid_count"),
            calibrating_count=Sum("calibrating_count"), error_count=Sum("error_count"),
            total=Sum("total"), minimum=Min("minimum"), maximum=Max("maximum"),
        )
        if not stats["count"]:
            empty.append((series_id, day))
            continue
        expected = 24 * expected_per_hour(intervals.get(series_id, 5))
        valid = stats["valid_count"] or 0
        upserts.append(DailyRollup(
            series_id=series_id, day=day, count=stats["count"], valid_count=valid,
            calibrating_count=stats["calibrating_count"] or 0,
            error_count=stats["error_count"] or 0, expected_count=expected,
            total=stats["total"], mean=stats["total"] / valid if valid else None,
            minimum=stats["minimum"], maximum=stats["maximum"],
            coverage=coverage(valid, expected),
        ))
    _upsert(DailyRollup, upserts, ["series", "day"])
    for series_id, day in empty:
        DailyRollup.objects.filter(series_id=series_id, day=day).delete()
    return len(keys)


def refresh_latest(series_ids: set[int]) -> int:
    """Set each series' latest value to its newest observation."""
    station_of = dict(Series.objects.filter(id__in=series_ids).values_list("id", "station_id"))
    upserts = []
    for series_id in series_ids:
        newest = (
            Observation.objects.filter(series_id=series_id).order_by("-time")
            .values_list("time", "value", "status").first()
        )
        if newest is None:
            LatestValue.objects.filter(series_id=series_id).delete()
            continue
        time, value, status = newest
        upserts.append(LatestValue(series_id=series_id, station_id=station_of[series_id],
                                   time=time, value=value, status=status))
    _upsert(LatestValue, upserts, ["series"])
    return len(upserts)


def _upsert(model, objects: list, unique_fields: list[str]) -> None:
    if not objects:
        return
    update_fields = [
        field.name for field in model._meta.concrete_fields
        if not field.primary_key and field.name not in unique_fields
    ]
    model.objects.bulk_create(objects, update_conflicts=True, unique_fields=unique_fields,
                              update_fields=update_fields, batch_size=500)


def process_claimed(keys: list[tuple[int, datetime.datetime]]) -> Work:
    work = Work()
    if not keys:
        return work
    work.hours = compute_hours(keys)
    work.days = compute_days({(series_id, local_day(hour)) for series_id, hour in keys})
    work.latest = refresh_latest({series_id for series_id, _ in keys})
    return work


def process_queue(limit: int = CLAIM_SIZE, max_rounds: int | None = None) -> Work:
    """Drain the rollup queue slice by slice; each slice is one transaction."""
    total = Work()
    rounds = 0
    while max_rounds is None or rounds < max_rounds:
        with transaction.atomic():
            keys = _claim(limit)
            if not keys:
                break
            total.add(process_claimed(keys))
        rounds += 1
    return total


def pending() -> int:
    from envhub.monitoring.models import RollupQueue

    return RollupQueue.objects.count()
