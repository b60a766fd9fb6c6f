"""Air quality services: the VN_AQI of ambient stations computed from their hourly rollups (the
arithmetic is `vn_aqi`, pure), kept current when new or late hours arrive, and read by the
public API and pages; QCVN 05:2023 comparisons.

The rollup worker tells `enqueue_hours` which (series, hour) changed, in its own transaction;
`process_queue` claims (station, hour) rows and recomputes, for each:
- the hourly AQI of that hour and of the eleven after it (each hour's PM NowCast looks back
  twelve hours), up to the current hour;
- the daily AQI of the hour's local day, and of the next day when the hour is among the last
  seven of its day (the next day's first 8-hour O3 means reach back into it).
Only valid values (status 00) are in the rollups' means, and only valid hours (the rollups'
flag, `core.completeness`) enter the index; a day's means and maxima need the share of valid
hours the same rule asks.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from envhub.airquality import vn_aqi
from envhub.airquality.models import DailyAqi, HourlyAqi
from envhub.core import completeness, periods, queues
from envhub.core.timeutil import HOUR, day_bounds, hour_end, latest_complete_hour, local_day
from envhub.registry.models import StationKind

logger = logging.getLogger("envhub.airquality")

POLLUTANTS = vn_aqi.POLLUTANTS
NOWCAST_HOURS = 12
CLAIM_SIZE = 2000
# The worker's claims, beside live uploads (the transaction holds SQLite's write lock: see
# `queues.turn`).
WORKER_CLAIM_SIZE = 50


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
    _insert({(stations[series_id], hour) for series_id, hour in keys if series_id in stations})


def _insert(rows) -> None:
    queues.add("airquality_aqiqueue", "station_id", rows)


def enqueue_history(days: int = 35) -> int:
    """Queue every hour of the last `days` days that ambient stations have data for but no
    index yet (an installation upgraded to this version, or data loaded before it)."""
    from envhub.monitoring.models import HourlyRollup

    since = timezone.now() - datetime.timedelta(days=days)
    done = set(HourlyAqi.objects.filter(hour_end__gt=since).values_list("station_id",
                                                                        "hour_end"))
    wanted = set(HourlyRollup.objects.filter(
        series__station__kind=StationKind.AUTO_AIR, series__parameter__code__in=POLLUTANTS,
        hour_end__gt=since).values_list("series__station_id", "hour_end").distinct())
    rows = wanted - done
    _insert(rows)
    return len(rows)


def _claim(limit: int) -> list[tuple[int, datetime.datetime]]:
    return queues.claim("airquality_aqiqueue", "station_id", limit)


def process_queue(limit: int = CLAIM_SIZE, max_rounds: int | None = None,
                  pause: bool = False) -> int:
    """Recompute the AQI the queued hours affect, `limit` a transaction (with `pause`, see
    `queues.turn`), each station in a savepoint; returns the number of queued hours
    handled."""
    handled, rounds = 0, 0
    while max_rounds is None or rounds < max_rounds:
        with queues.turn(pause):
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
    minimums = vn_aqi.daily_minimums(rule())
    _replace(DailyAqi, station_id, "day", {
        day: vn_aqi.daily_inputs(means, day, **minimums).aqi() for day in days})


def rule() -> completeness.Rule:
    return settings.ENVHUB_COMPLETENESS


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
    mean}}, as `vn_aqi` takes them), of valid hours only."""
    from envhub.monitoring.models import HourlyRollup

    rows = HourlyRollup.objects.filter(
        series__station_id=station_id, series__parameter__code__in=POLLUTANTS,
        hour_end__gt=start, hour_end__lte=end, mean__isnull=False, valid=True).values_list(
            "hour_end", "series__parameter__code", "mean")
    means: dict[str, dict[datetime.datetime, float]] = defaultdict(dict)
    for hour, code, mean in rows:
        means[code][hour] = mean
    return means


# --- reading (public: ambient air quality is open data) --------------------------------------

CATEGORY_BY_CODE = {category.code: category for category in vn_aqi.CATEGORIES}
POLLUTANT_LABELS = {"PM2_5": "PM2.5"}


def pollutant_label(code: str | None) -> str:
    """How people write a pollutant: PM2.5, not the registry code PM2_5."""
    return POLLUTANT_LABELS.get(code or "", code or "")
STALE_AFTER = datetime.timedelta(hours=3)
"""An hourly AQI older than this is shown as out of date on the map, not as the air now."""


def ambient_stations():
    from envhub.registry.models import Station

    return Station.objects.filter(kind=StationKind.AUTO_AIR).select_related("province")


def ambient_station(code: str):
    """An automatic ambient station by its code (any case); NotFound otherwise."""
    from envhub.core.errors import NotFound

    found = ambient_stations().filter(code__iexact=(code or "").strip()).first()
    if found is None:
        raise NotFound()
    return found


def ended(now: datetime.datetime | None = None):
    """The hourly indices of hours that have ended. The worker also indexes the running hour
    from the values already in (and redoes it as more arrive), but at 17:45 the hour ending
    18:00 is not an hour of air yet: it is never shown as the latest, nor in a series."""
    return HourlyAqi.objects.filter(
        hour_end__lte=latest_complete_hour(now or timezone.now()))


def latest(province_code: str | None = None, now: datetime.datetime | None = None) -> list[tuple]:
    """Every active ambient station with its newest hourly AQI of an ended hour (None when it
    has none): [(station, HourlyAqi | None)]."""
    from django.db.models import Max

    stations = ambient_stations().filter(active=True)
    if province_code:
        stations = stations.filter(province__code=province_code)
    stations = list(stations.order_by("province__code", "code"))
    newest = dict(ended(now).filter(station__in=stations, aqi__isnull=False)
                  .values("station_id").annotate(last=Max("hour_end"))
                  .values_list("station_id", "last"))
    rows = {(row.station_id, row.hour_end): row for row in HourlyAqi.objects.filter(
        station__in=stations, hour_end__in=set(newest.values()))}
    return [(station, rows.get((station.pk, newest.get(station.pk)))) for station in stations]


def latest_for(station, now: datetime.datetime | None = None):
    """A station's newest hourly index of an ended hour (whether the station is active or
    not)."""
    return ended(now).filter(station=station, aqi__isnull=False).order_by("-hour_end").first()


def province_centres() -> list[dict]:
    """Where the air map writes each province's name: the median position of the stations and
    facilities registered in it. The registry has no province boundaries nor centres, so this is
    an estimate from the data, and a province with nothing registered has no label.
    [{"code", "name", "label" (the short name), "points" (how many), "latitude", "longitude"}]
    by province code.

    Worked out again only when the registry changes (`_registry_mark`: one query), not on every
    view of the map; each process keeps its last answer."""
    global _centres
    mark = _registry_mark()
    if _centres is None or _centres[0] != mark:
        _centres = (mark, _province_centres())
    return [dict(row) for row in _centres[1]]


_centres: tuple[tuple, list[dict]] | None = None


def _registry_mark() -> tuple:
    """What changes whenever a station or facility is added, saved (`updated_at`) or deleted,
    or the provinces are reloaded: their counts, highest ids and latest changes."""
    from django.db import connection

    from envhub.registry.models import Facility, Province, Station

    quote = connection.ops.quote_name
    columns = []
    for model in (Station, Facility, Province):
        table = quote(model._meta.db_table)
        columns += [f"(SELECT COUNT(*) FROM {table})",
                    f"(SELECT MAX({quote(model._meta.pk.column)}) FROM {table})"]
        if model is not Province:
            changed = quote(model._meta.get_field("updated_at").column)
            columns.append(f"(SELECT MAX({changed}) FROM {table})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(columns))
        return tuple(cursor.fetchone())


def _province_centres() -> list[dict]:
    from statistics import median

    from envhub.registry.models import Facility, Province, Station

    points: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for model in (Station, Facility):
        for province_id, lat, lon in model.objects.filter(
                province__isnull=False, latitude__isnull=False,
                longitude__isnull=False).values_list("province_id", "latitude", "longitude"):
            points[province_id].append((lat, lon))
    return [{"code": province.code, "name": province.name,
             "label": province.short_name or province.name, "points": len(points[province.pk]),
             "latitude": round(median(lat for lat, _lon in points[province.pk]), 4),
             "longitude": round(median(lon for _lat, lon in points[province.pk]), 4)}
            for province in Province.objects.filter(pk__in=points).order_by("code")]


def is_stale(row, now: datetime.datetime | None = None) -> bool:
    return row is None or (now or timezone.now()) - row.hour_end > STALE_AFTER


def hourly(station, start: datetime.datetime, end: datetime.datetime):
    """The station's indices of the ended hours in (start, end]."""
    return ended().filter(station=station, hour_end__gt=start, hour_end__lte=end)


def day_in_progress(day: datetime.date, now: datetime.datetime | None = None) -> bool:
    """The local day has not ended (it ends at 24:00, Viet Nam time): its index is what the
    hours so far give, "đang tính", not the day's. Worked out when read, never stored."""
    return (now or timezone.now()) < day_bounds(day)[1]


def daily(station, first: datetime.date, last: datetime.date):
    return DailyAqi.objects.filter(station=station, day__gte=first, day__lte=last)


def daily_rows(stations, first: datetime.date, last: datetime.date):
    return DailyAqi.objects.filter(station__in=stations, day__gte=first, day__lte=last)


# --- QCVN 05:2023 ------------------------------------------------------------------------------

AVERAGING_ORDER = ("1h", "8h", "24h", "year")
PARAMETER_ORDER = ("PM2_5", "PM10", "TSP", "O3", "NO2", "SO2", "CO")


def standards(station, year: int, now: datetime.datetime | None = None) -> list[dict]:
    """The station's means of `year` against the ambient limits valid then: per pollutant and
    averaging time, the highest mean (the annual mean for yearly limits), the days that gave a
    mean of that averaging time, the days over the limit valid that day, and the days with data
    but not enough for such a mean (never counted as a mean, nor over the limit). The day in
    progress (`day_in_progress` at `now`) is neither: its hourly and 8-hour means that have
    ended count, its daily mean is not the day's yet."""
    from envhub.airquality.models import AmbientLimit
    from envhub.monitoring.models import Series

    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    the_year = periods.Period(first, last)
    series = dict(Series.objects.filter(station=station).values_list("parameter_id", "id"))
    limits = [limit for limit in AmbientLimit.objects.filter(parameter_id__in=series)
              .select_related("parameter") if limit.period.overlaps(the_year)]
    results, data = [], {}
    for (parameter_id, averaging), group in _group(limits).items():
        series_id = series[parameter_id]
        if series_id not in data:
            data[series_id] = _year_data(series_id, first, last)
        results.append(_compare(group, averaging, data[series_id], first, last, rule(),
                                now or timezone.now()))
    results.sort(key=lambda row: (
        PARAMETER_ORDER.index(row["parameter"]) if row["parameter"] in PARAMETER_ORDER else 99,
        AVERAGING_ORDER.index(row["averaging"])))
    return results


def _year_data(series_id: int, first: datetime.date, last: datetime.date) -> dict:
    """The valid hours' means (from 8 hours before the year: the first 8-hour means reach
    back) and every day with data, valid or not."""
    from envhub.monitoring.models import DailyRollup, HourlyRollup

    start, end = day_bounds(first)[0], day_bounds(last)[1]
    hours = dict(HourlyRollup.objects.filter(
        series_id=series_id, hour_end__gt=start - 8 * HOUR, hour_end__lte=end,
        mean__isnull=False, valid=True).values_list("hour_end", "mean"))
    days = {day: (mean if valid else None) for day, mean, valid in DailyRollup.objects.filter(
        series_id=series_id, day__gte=first, day__lte=last).values_list("day", "mean", "valid")}
    return {"hours": hours, "days": days}


def _group(limits) -> dict:
    grouped: dict[tuple[int, str], list] = defaultdict(list)
    for limit in limits:
        grouped[(limit.parameter_id, limit.averaging)].append(limit)
    return grouped


def _limit_on(limits, day: datetime.date):
    return next((limit for limit in limits if limit.period.holds(day)), None)


def _means_by_day(averaging: str, hours: dict, days: dict, first, last,
                  rule: completeness.Rule) -> dict[datetime.date, list[float]]:
    """The means of this averaging time each local day gave (01:00 … 24:00): its valid hours
    (1 h); its valid 8-hour means, each labelled by its last hour (8 h); its mean if the day is
    valid (24 h and the year)."""
    by_day: dict[datetime.date, list[float]] = defaultdict(list)
    if averaging == "1h":
        for hour, mean in hours.items():
            by_day[local_day(hour)].append(mean)
    elif averaging == "8h":
        ends = {hour + step * HOUR for hour in hours for step in range(8)}
        for end in sorted(ends):
            window = [hours[end - i * HOUR] for i in range(8) if end - i * HOUR in hours]
            if rule.period_valid(len(window), 8):
                by_day[local_day(end)].append(sum(window) / len(window))
    else:
        for day, mean in days.items():
            if mean is not None:
                by_day[day].append(mean)
    return {day: values for day, values in by_day.items() if first <= day <= last}


def _compare(limits, averaging: str, data: dict, first, last, rule: completeness.Rule,
             now: datetime.datetime) -> dict:
    """One row of the comparison."""
    ended = {day: mean for day, mean in data["days"].items() if not day_in_progress(day, now)}
    hours = {hour: mean for hour, mean in data["hours"].items() if hour <= now}
    by_day = _means_by_day(averaging, hours, ended, first, last, rule)
    incomplete = len(set(ended) - set(by_day))
    row = {"parameter": limits[0].parameter.code, "averaging": averaging,
           "unit": limits[0].unit, "days_with_data": len(by_day),
           "days_incomplete": incomplete, "verification": limits[0].verification}
    if averaging == "year":
        # An annual mean is judged only on the rule's share of the year's days; before that
        # (the current year, or a station with gaps) it is provisional, never "over".
        valid_days = [values[0] for values in by_day.values()]
        annual = sum(valid_days) / len(valid_days) if valid_days else None
        limit = _limit_on(limits, last) or limits[-1]
        provisional = not rule.period_valid(len(valid_days), (last - first).days + 1)
        row.update(limit=limit.value, highest=annual, days_over=None, provisional=provisional,
                   exceeded=None if annual is None or provisional else annual > limit.value)
        return row
    over = 0
    for day, day_values in by_day.items():
        limit = _limit_on(limits, day)
        if limit is not None and max(day_values) > limit.value:
            over += 1
    values = [value for day_values in by_day.values() for value in day_values]
    current = _limit_on(limits, last) or limits[-1]
    row.update(limit=current.value, highest=max(values) if values else None, days_over=over,
               provisional=False, exceeded=over > 0 if by_day else None)
    return row
