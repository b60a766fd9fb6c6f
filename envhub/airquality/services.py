"""Air quality services: the VN_AQI of ambient stations computed from their hourly rollups (the
arithmetic is `vn_aqi`, pure), kept current when new or late hours arrive, and read by the
public API and pages; QCVN 05:2023 comparisons.

The rollup worker tells `enqueue_hours` which (series, hour) changed, in its own transaction;
`process_queue` claims (station, hour) rows and recomputes, for each:
- the hourly AQI of that hour and of the eleven after it (each hour's PM NowCast looks back
  twelve hours), up to the current hour;
- the daily AQI of the hour's local day, and of the next day when the hour is among the last
  seven of its day (the next day's first 8-hour O3 means reach back into it).
Only valid values (status 00) are in the rollups' means; an hour counts when its coverage
reaches MIN_HOUR_COVERAGE.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone

from envhub.airquality import vn_aqi
from envhub.airquality.models import DailyAqi, HourlyAqi
from envhub.core.timeutil import HOUR, day_bounds, from_db, hour_end, local_day
from envhub.registry.models import StationKind

logger = logging.getLogger("envhub.airquality")

POLLUTANTS = vn_aqi.POLLUTANTS
MIN_HOUR_COVERAGE = 75.0
"""% of the expected values an hourly mean needs to enter the index. Decision 1459 sets no
minimum (vn-aqi.md §6); 75 % is the rule envhub uses everywhere for averages (the compliance
default), so that an hour of one or two values cannot colour the public map."""
NOWCAST_HOURS = 12
CLAIM_SIZE = 2000


def enqueue_hours(keys) -> None:
    """Rollup listener: the (series, hour_end) pairs of ambient stations' AQI pollutants →
    (station, hour) queue rows."""
    from envhub.monitoring.models import Series

    series_ids = {series_id for series_id, _hour in keys}
    if not series_ids:
        return
    stations = dict(Series.objects.filter(
        id__in=series_ids, station__kind=StationKind.AUTO_AIR,
        parameter__code__in=POLLUTANTS).values_list("id", "station_id"))
    rows = {(stations[series_id], hour) for series_id, hour in keys if series_id in stations}
    if not rows:
        return
    adapt = connection.ops.adapt_datetimefield_value
    now = adapt(timezone.now())
    with connection.cursor() as cursor:
        cursor.executemany(
            'INSERT INTO "airquality_aqiqueue" ("station_id", "hour_end", "queued_at") '
            'VALUES (%s, %s, %s) ON CONFLICT DO NOTHING',
            [(station_id, adapt(hour), now) for station_id, hour in rows])


def _claim(limit: int) -> list[tuple[int, datetime.datetime]]:
    skip_locked = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            'DELETE FROM "airquality_aqiqueue" WHERE ("station_id", "hour_end") IN ('
            'SELECT "station_id", "hour_end" FROM "airquality_aqiqueue" '
            f'ORDER BY "queued_at" LIMIT %s{skip_locked}) RETURNING "station_id", "hour_end"',
            [limit])
        rows = cursor.fetchall()
    return [(station_id, from_db(hour)) for station_id, hour in rows]


def process_queue(limit: int = CLAIM_SIZE, max_rounds: int | None = None) -> int:
    """Recompute the AQI the queued hours affect, a station per transaction; returns the
    number of queued hours handled."""
    handled, rounds = 0, 0
    while max_rounds is None or rounds < max_rounds:
        with transaction.atomic():
            keys = _claim(limit)
            if not keys:
                break
            by_station: dict[int, set] = defaultdict(set)
            for station_id, hour in keys:
                by_station[station_id].add(hour)
            for station_id, hours in sorted(by_station.items()):
                try:
                    with transaction.atomic():
                        compute(station_id, hours)
                except Exception:  # noqa: BLE001 - one station must not hold the queue
                    logger.exception("AQI of station %s failed for %d hours", station_id,
                                     len(hours))
                handled += len(hours)
        rounds += 1
    return handled


def compute(station_id: int, hours: set[datetime.datetime]) -> None:
    """The hourly and daily AQI that these changed hours affect."""
    now_hour = hour_end(timezone.now())
    hourly = {hour + step * HOUR for hour in hours for step in range(NOWCAST_HOURS)}
    hourly = {hour for hour in hourly if hour <= now_hour}
    days = {local_day(hour) for hour in hours} | {local_day(hour + 7 * HOUR) for hour in hours}
    first_day_start = day_bounds(min(days))[0]
    start = min(min(hourly, default=first_day_start), first_day_start) - \
        (NOWCAST_HOURS + 8) * HOUR
    end = max(max(hourly, default=now_hour), day_bounds(max(days))[1])
    means = _means(station_id, start, end)
    _replace(HourlyAqi, station_id, "hour_end", {
        hour: vn_aqi.hourly_inputs(means, hour).aqi() for hour in hourly})
    _replace(DailyAqi, station_id, "day", {
        day: vn_aqi.daily_inputs(means, day).aqi() for day in days})


def _replace(model, station_id: int, period: str, results: dict) -> None:
    """Store the results of these periods, replacing what was there; a period without any
    pollutant's data has no row."""
    model.objects.filter(station_id=station_id, **{f"{period}__in": list(results)}).delete()
    rows = []
    for key, result in results.items():
        if all(value is None for value in result.sub_indices.values()):
            continue
        rows.append(model(
            station_id=station_id, **{period: key}, aqi=result.aqi,
            category=result.category.code if result.category else "",
            dominant=result.dominant or "",
            sub_indices={k: v for k, v in result.sub_indices.items() if v is not None},
            inputs=[{"pollutant": part.pollutant, "basis": part.basis,
                     "concentration": None if part.concentration is None else
                     round(part.concentration, 2), "value": part.value, "note": part.note}
                    for part in result.parts if part.concentration is not None],
            note=result.reason or ""))
    model.objects.bulk_create(rows)


def _means(station_id: int, start, end) -> dict[str, dict[datetime.datetime, float]]:
    """The station's hourly means per pollutant in (start, end] ({pollutant: {hour_end:
    mean}}, as `vn_aqi` takes them), the hours with too little data left out."""
    from envhub.monitoring.models import HourlyRollup

    rows = HourlyRollup.objects.filter(
        series__station_id=station_id, series__parameter__code__in=POLLUTANTS,
        hour_end__gt=start, hour_end__lte=end, mean__isnull=False,
        coverage__gte=MIN_HOUR_COVERAGE).values_list("hour_end", "series__parameter__code",
                                                     "mean")
    means: dict[str, dict[datetime.datetime, float]] = defaultdict(dict)
    for hour, code, mean in rows:
        means[code][hour] = mean
    return means
