"""Hourly and daily rollups, and the latest value of each series, fed by the rollup queue.

Ingestion marks each (series, hour) it touched as dirty in `RollupQueue`; `process_queue` claims
a slice of those rows, recomputes the hours from the observations, the local days from the hours,
and the latest values, and commits all of it with the deletion of the claimed rows — so a crash
loses nothing (the rows come back) and late data simply dirties its hour again. On PostgreSQL
the claim uses FOR UPDATE SKIP LOCKED, so several workers share the queue.

Hour `h` means the interval (h − 1 h, h]; the local day d means (d 00:00, d+1 00:00] UTC+7
(see `core.timeutil`). Only values with status 00 (measuring) and a value count as valid;
coverage is valid values over the values expected from the station's reporting interval. Each
hour and day records whether it is valid by `core.completeness` (the installation's rule,
`settings.ENVHUB_COMPLETENESS`); a day's mean averages its valid hours only. When that rule
changes (an upgrade, a new setting), `revalidate` queues the stored hours and days again.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

import orjson
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from envhub.core import completeness, queues
from envhub.core.timeutil import HOUR, day_bounds, from_db, hour_end, local_day, local_iso
from envhub.monitoring.models import DeviceStatus, HourlyRollup, Observation, Series

logger = logging.getLogger("envhub.rollups")

CLAIM_SIZE = 500
# The worker's slices, beside live uploads: on PostgreSQL each key costs some milliseconds of
# its transaction; on SQLite the slice is computed before its write transaction, which still
# grows with the slice and holds the one write lock that uploads wait for (`queues.turn`).
WORKER_CLAIM_SIZE = 10


@dataclass
class Work:
    hours: int = 0
    days: int = 0
    latest: int = 0

    def add(self, other: Work) -> None:
        self.hours += other.hours
        self.days += other.days
        self.latest += other.latest


def rule() -> completeness.Rule:
    return settings.ENVHUB_COMPLETENESS


def _claim(limit: int) -> list[tuple[int, datetime.datetime]]:
    """Take up to `limit` dirty (series, hour) rows off the queue (inside the caller's
    transaction: they come back if it rolls back)."""
    return queues.claim("monitoring_rollupqueue", "series_id", limit)


def _interval_by_series(series_ids) -> dict[int, int]:
    return dict(
        Series.objects.filter(id__in=series_ids).values_list(
            "id", "station__expected_interval_minutes"
        )
    )


@dataclass
class _Tally:
    """Aggregates of one period, added up value by value (or hour by hour)."""

    count: int = 0
    valid_count: int = 0
    calibrating_count: int = 0
    error_count: int = 0
    total: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    # For a day: its valid hours, and the sum of their means.
    valid_hours: int = 0
    sum_of_hourly_means: float = 0.0

    def add_value(self, value: float | None, status: int) -> None:
        self.count += 1
        if status == DeviceStatus.CALIBRATING:
            self.calibrating_count += 1
        elif status == DeviceStatus.ERROR:
            self.error_count += 1
        elif value is not None:
            self._add_valid(1, value, value, value)

    def add_hour(self, count, valid, calibrating, errors, total, mean, minimum, maximum,
                 hour_valid) -> None:
        self.count += count
        self.calibrating_count += calibrating
        self.error_count += errors
        if valid:
            self._add_valid(valid, total, minimum, maximum)
        if hour_valid and mean is not None:
            self.valid_hours += 1
            self.sum_of_hourly_means += mean

    def _add_valid(self, valid: int, total: float, minimum: float, maximum: float) -> None:
        self.valid_count += valid
        self.total = total if self.total is None else self.total + total
        self.minimum = minimum if self.minimum is None else min(self.minimum, minimum)
        self.maximum = maximum if self.maximum is None else max(self.maximum, maximum)

    def row(self, expected: int, by: completeness.Rule) -> tuple:
        """An hour's columns: its mean is the mean of its valid values, whether or not they
        are enough for the hour to be valid."""
        mean = self.total / self.valid_count if self.valid_count else None
        return (self.count, self.valid_count, self.calibrating_count, self.error_count,
                expected, self.total, mean, self.minimum, self.maximum,
                completeness.coverage(self.valid_count, expected),
                by.hour_valid(self.valid_count, expected))

    def day_row(self, expected: int, by: completeness.Rule) -> tuple:
        """A day's columns: its mean is the mean of its valid hours' means — the 24-hour
        average of Decision 1459/QĐ-TCMT (docs/domain/vn-aqi.md §1) — so a busy hour does not
        outweigh a thin one, and an hour of one value does not stand for its hour."""
        mean = self.sum_of_hourly_means / self.valid_hours if self.valid_hours else None
        return (self.count, self.valid_count, self.calibrating_count, self.error_count,
                expected, self.total, mean, self.minimum, self.maximum,
                completeness.coverage(self.valid_count, expected),
                by.day_valid(self.valid_hours), self.valid_hours)


_ROLLUP_COLUMNS = ("count", "valid_count", "calibrating_count", "error_count", "expected_count",
                   "total", "mean", "minimum", "maximum", "coverage", "valid")


def _by_series(keys) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for series_id, period in keys:
        grouped.setdefault(series_id, []).append(period)
    return grouped


def _upsert_rollups(table: str, period_column: str, rows: list[tuple],
                    extra: tuple[str, ...] = ()) -> None:
    """INSERT … ON CONFLICT DO UPDATE in one executemany (SQLite and PostgreSQL alike)."""
    if not rows:
        return
    values = (*_ROLLUP_COLUMNS, *extra, "computed_at")
    columns = ("series_id", period_column, *values)
    names = ", ".join(f'"{column}"' for column in columns)
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in values)
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(
            f'INSERT INTO "{table}" ({names}) VALUES ({placeholders}) '
            f'ON CONFLICT ("series_id", "{period_column}") DO UPDATE SET {updates}', rows)


def _delete_periods(table: str, period_column: str, keys: list[tuple]) -> None:
    if keys:
        with connection.cursor() as cursor:
            cursor.executemany(
                f'DELETE FROM "{table}" WHERE "series_id" = %s AND "{period_column}" = %s', keys)


def compute_hours(keys: list[tuple[int, datetime.datetime]]) -> int:
    """Recompute the hourly rollups of these (series, hour_end) pairs from the observations."""
    _write_hours(_hour_rows(keys))
    return len(keys)


def _hour_rows(keys) -> dict[tuple[int, datetime.datetime], tuple | None]:
    """The hourly rollups' columns (`_ROLLUP_COLUMNS`) of these (series, hour_end) pairs, None
    for an hour left without values: one range read per series, the tallies in Python (an
    aggregate query per hour would cost a query per hour). Reads only."""
    intervals = _interval_by_series({series_id for series_id, _ in keys})
    by = rule()
    found: dict[tuple[int, datetime.datetime], tuple | None] = {}
    for series_id, hours in _by_series(keys).items():
        wanted = set(hours)
        tallies: dict[datetime.datetime, _Tally] = {}
        rows = Observation.objects.filter(
            series_id=series_id, time__gt=min(hours) - HOUR, time__lte=max(hours)
        ).values_list("time", "value", "status")
        ends: dict[datetime.datetime, datetime.datetime] = {}
        for time, value, status in rows.iterator(chunk_size=5000):
            end = ends.get(time)
            if end is None:
                end = ends[time] = hour_end(time)
            if end in wanted:
                tallies.setdefault(end, _Tally()).add_value(value, status)
        expected = completeness.expected_per_hour(intervals.get(series_id, 5))
        for hour in wanted:
            tally = tallies.get(hour)
            found[(series_id, hour)] = None if tally is None else tally.row(expected, by)
    return found


def _write_hours(rows: dict[tuple[int, datetime.datetime], tuple | None]) -> None:
    adapt = connection.ops.adapt_datetimefield_value
    now = adapt(timezone.now())
    _upsert_rollups("monitoring_hourlyrollup", "hour_end", [
        (series_id, adapt(hour), *row, now) for (series_id, hour), row in rows.items()
        if row is not None])
    _delete_periods("monitoring_hourlyrollup", "hour_end", [
        (series_id, adapt(hour)) for (series_id, hour), row in rows.items() if row is None])


def compute_days(keys: set[tuple[int, datetime.date]]) -> int:
    """Recompute local-day rollups from the hourly rollups of each day: counts, sums and
    extremes add up; the mean is the mean of the valid hours' means."""
    _write_days(_day_rows(keys))
    return len(keys)


# An hourly rollup's columns as a day adds them up (`_Tally.add_hour`), by index in
# `_ROLLUP_COLUMNS`: count, valid, calibrating, errors, total, mean, minimum, maximum, valid.
_HOUR_FOR_DAY = (0, 1, 2, 3, 5, 6, 7, 8, 10)


def _day_rows(keys, hours: dict | None = None) -> dict[tuple[int, datetime.date], tuple | None]:
    """The daily rollups' columns of these (series, day) pairs, None for a day without hours.
    `hours`: hourly rollups computed but not stored yet (`_hour_rows`), which stand in for the
    stored ones. Reads only."""
    intervals = _interval_by_series({series_id for series_id, _ in keys})
    by = rule()
    computed: dict[int, list] = {}  # `hours` by series: a day reads only its own series'
    for (series_id, hour), row in (hours or {}).items():
        computed.setdefault(series_id, []).append((hour, row))
    found: dict[tuple[int, datetime.date], tuple | None] = {}
    for series_id, days in _by_series(keys).items():
        wanted = set(days)
        first, _ = day_bounds(min(days))
        _, last = day_bounds(max(days))
        stored = {hour: stats for hour, *stats in HourlyRollup.objects.filter(
            series_id=series_id, hour_end__gt=first, hour_end__lte=last
        ).values_list("hour_end", "count", "valid_count", "calibrating_count", "error_count",
                      "total", "mean", "minimum", "maximum", "valid")}
        for hour, row in computed.get(series_id, ()):
            if first < hour <= last:
                stored[hour] = None if row is None else [row[i] for i in _HOUR_FOR_DAY]
        tallies: dict[datetime.date, _Tally] = {}
        for hour in sorted(stored):
            stats = stored[hour]
            day = local_day(hour)
            if stats is not None and day in wanted:
                tallies.setdefault(day, _Tally()).add_hour(*stats)
        expected = completeness.HOURS_IN_DAY * completeness.expected_per_hour(
            intervals.get(series_id, 5))
        for day in wanted:
            tally = tallies.get(day)
            found[(series_id, day)] = None if tally is None else tally.day_row(expected, by)
    return found


def _write_days(rows: dict[tuple[int, datetime.date], tuple | None]) -> None:
    if rows and connection.vendor == "postgresql":
        # The triggers sum a station's series into one `StationDay` row: its stations are
        # held in sorted order first, so two writers of different series cannot deadlock there.
        _lock(STATION_LOCKS, set(Series.objects.filter(
            id__in={series_id for series_id, _ in rows}).values_list("station_id", flat=True)))
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    adapt_day = connection.ops.adapt_datefield_value
    _upsert_rollups("monitoring_dailyrollup", "day", [
        (series_id, adapt_day(day), *row, now) for (series_id, day), row in rows.items()
        if row is not None], extra=("valid_hours",))
    _delete_periods("monitoring_dailyrollup", "day", [
        (series_id, adapt_day(day)) for (series_id, day), row in rows.items() if row is None])


def refresh_latest(series_ids: set[int]) -> int:
    """Set each series' latest value to its newest observation."""
    latest = _latest_rows(series_ids)
    _write_latest(latest)
    return len(latest.upserts)


@dataclass
class _Latest:
    upserts: list[tuple]
    gone: list[tuple]
    stations: set[int]


def _latest_rows(series_ids: set[int]) -> _Latest:
    """Each series' newest observation, as `monitoring_latestvalue` rows. Reads only."""
    station_of = dict(Series.objects.filter(id__in=series_ids).values_list("id", "station_id"))
    adapt = connection.ops.adapt_datetimefield_value
    upserts, gone = [], []
    with connection.cursor() as cursor:
        for series_id in series_ids:
            cursor.execute(
                'SELECT "time", "value", "status" FROM "monitoring_observation" '
                'WHERE "series_id" = %s ORDER BY "time" DESC LIMIT 1', [series_id])
            newest = cursor.fetchone()
            if newest is None:
                gone.append((series_id,))
                continue
            time, value, status = newest
            upserts.append((series_id, station_of[series_id], adapt(from_db(time)),
                            value, status))
    return _Latest(upserts, gone, set(station_of.values()))


def _write_latest(latest: _Latest) -> None:
    with connection.cursor() as cursor:
        if latest.upserts:
            cursor.executemany(
                'INSERT INTO "monitoring_latestvalue" ("series_id", "station_id", "time", '
                '"value", "status") VALUES (%s, %s, %s, %s, %s) ON CONFLICT ("series_id") DO '
                'UPDATE SET "station_id" = excluded."station_id", "time" = excluded."time", '
                '"value" = excluded."value", "status" = excluded."status"', latest.upserts)
        if latest.gone:
            cursor.executemany('DELETE FROM "monitoring_latestvalue" WHERE "series_id" = %s',
                               latest.gone)
    write_latest_documents(latest.stations)


def latest_document(rows) -> bytes:
    """A station's latest values as the API shows them: [{parameter, unit, time, value,
    status}] sorted by parameter code, times in Viet Nam time."""
    return orjson.dumps([
        {"parameter": code, "unit": unit, "time": local_iso(from_db(time)), "value": value,
         "status": status}
        for code, unit, time, value, status in sorted(rows)
    ])


def write_latest_documents(station_ids: set[int]) -> None:
    """Rewrite the stations' latest-values documents from `LatestValue`."""
    if not station_ids:
        return
    _lock(STATION_LOCKS, station_ids)
    rows: dict[int, list] = {station_id: [] for station_id in station_ids}
    marks = ", ".join(["%s"] * len(station_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT lv."station_id", p."code", p."unit", lv."time", lv."value", lv."status" '
            'FROM "monitoring_latestvalue" lv '
            'JOIN "monitoring_series" s ON s."id" = lv."series_id" '
            'JOIN "registry_parameter" p ON p."id" = s."parameter_id" '
            f'WHERE lv."station_id" IN ({marks})', list(station_ids))
        for station_id, *row in cursor.fetchall():
            rows[station_id].append(row)
        documents = [(station_id, latest_document(values).decode())
                     for station_id, values in rows.items()]
        cursor.executemany(
            'INSERT INTO "monitoring_stationstatus" ("station_id", "state", "latest_values") '
            "VALUES (%s, 'never', %s) ON CONFLICT (\"station_id\") DO UPDATE SET "
            '"latest_values" = excluded."latest_values"', documents)


def _lock(namespace: int, ids) -> None:
    """PostgreSQL: hold these ids until commit, in sorted order (so two processors cannot
    deadlock), so that two processors never compute the same series' days or the same
    station's document from each other's uncommitted hours. SQLite has one writer at a time."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for item in sorted(ids):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [namespace, item])


SERIES_LOCKS, STATION_LOCKS = 1001, 1002


def lock_series(series_ids) -> None:
    """Hold these series' rollups until commit (PostgreSQL), as the rollup worker does."""
    _lock(SERIES_LOCKS, series_ids)

HOUR_LISTENERS: list = []
"""Functions called in the rollup transaction with the (series, hour_end) pairs whose hourly
rollups were just recomputed (the compliance app queues those hours to be judged again), so a
crash loses neither the rollups nor what depends on them."""


def process_claimed(keys: list[tuple[int, datetime.datetime]]) -> Work:
    work = Work()
    if not keys:
        return work
    lock_series({series_id for series_id, _ in keys})
    work.hours = compute_hours(keys)
    for listener in HOUR_LISTENERS:
        listener(keys)
    work.days = compute_days({(series_id, local_day(hour)) for series_id, hour in keys})
    work.latest = refresh_latest({series_id for series_id, _ in keys})
    return work


def process_queue(limit: int = CLAIM_SIZE, max_rounds: int | None = None,
                  pause: bool = False) -> Work:
    """Drain the rollup queue slice by slice; each slice is one transaction (with `pause`, see
    `queues.turn`). A slice that fails is taken again series by series, so that one bad series
    cannot hold the queue: its hours are set aside as `RollupProblem` rows (logged) and the
    others go through."""
    total = Work()
    rounds = 0
    while max_rounds is None or rounds < max_rounds:
        try:
            if connection.vendor == "sqlite":
                done = _read_then_write(limit, pause)
            else:
                with queues.turn(pause):
                    keys = _claim(limit)
                    done = process_claimed(keys) if keys else None
            if done is None:
                break
            total.add(done)
        except DatabaseError:
            raise  # the database itself: the worker backs off and tries again
        except Exception:  # noqa: BLE001 - a computation failed: isolate it below
            logger.exception("a rollup slice failed; taking it series by series")
            total.add(_process_series_by_series(limit))
        rounds += 1
    return total


def _read_then_write(limit: int, pause: bool) -> Work | None:
    """SQLite: one slice computed from reads outside any write transaction, then written in a
    short one — SQLite has one write lock, which uploads wait for while a transaction holds it.
    The slice's keys leave the queue in that transaction only if no upload queued them again
    since they were read (`queues.add` then renews their `queued_at`): an hour whose data
    changed meanwhile is computed again in a later slice."""
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT "series_id", "hour_end", "queued_at" FROM "monitoring_rollupqueue" '
            'ORDER BY "queued_at" LIMIT %s', [limit])
        peeked = [(series_id, from_db(hour), from_db(queued_at))
                  for series_id, hour, queued_at in cursor.fetchall()]
    if not peeked:
        return None
    keys = [(series_id, hour) for series_id, hour, _queued_at in peeked]
    hours = _hour_rows(keys)
    days = _day_rows({(series_id, local_day(hour)) for series_id, hour in keys}, hours)
    latest = _latest_rows({series_id for series_id, _ in keys})
    adapt = connection.ops.adapt_datetimefield_value
    with queues.turn(pause):
        _write_hours(hours)
        for listener in HOUR_LISTENERS:
            listener(keys)
        _write_days(days)
        _write_latest(latest)
        with connection.cursor() as cursor:
            cursor.executemany(
                'DELETE FROM "monitoring_rollupqueue" WHERE "series_id" = %s AND '
                '"hour_end" = %s AND "queued_at" = %s',
                [(series_id, adapt(hour), adapt(queued_at))
                 for series_id, hour, queued_at in peeked])
    return Work(hours=len(hours), days=len(days), latest=len(latest.upserts))


def _process_series_by_series(limit: int) -> Work:
    from envhub.monitoring.models import RollupProblem

    work = Work()
    with transaction.atomic():
        keys = _claim(limit)
        for series_id, hours in _by_series(keys).items():
            try:
                with transaction.atomic():
                    work.add(process_claimed([(series_id, hour) for hour in hours]))
            except DatabaseError:
                raise
            except Exception as error:  # noqa: BLE001
                logger.exception("rollups of series %s failed", series_id)
                RollupProblem.objects.bulk_create([
                    RollupProblem(series_id=series_id, hour_end=hour, error=repr(error)[:1000])
                    for hour in hours])
    return work
