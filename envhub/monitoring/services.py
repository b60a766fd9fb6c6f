"""Monitoring reads for the API and pages, scoped by the permission policy, and the HTTP entry
to ingestion."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from envhub.core import params, permissions
from envhub.core.errors import InvalidInput, NotFound
from envhub.core.pagination import Page, keyset_page
from envhub.core.permissions import Actor
from envhub.core.raw_rows import raw_rows
from envhub.core.timeutil import day_from_db, from_db
from envhub.monitoring.models import (
    Batch,
    DailyRollup,
    HourlyRollup,
    LatestValue,
    Observation,
    Sample,
    Series,
    StationStatus,
)
from envhub.registry import services as registry
from envhub.registry.models import Parameter, ParameterAlias, Station, StationKind

INTERVALS = ("raw", "hour", "day")
# When a client gives no start, how far back each interval reaches.
DEFAULT_SPAN = {"raw": datetime.timedelta(days=1), "hour": datetime.timedelta(days=7),
                "day": datetime.timedelta(days=366)}


@dataclass
class SeriesQuery:
    station: Station
    parameter: Parameter
    series_id: int | None
    interval: str
    start: datetime.datetime
    end: datetime.datetime


def parameter_of(station: Station, code: str) -> Parameter:
    """A parameter of the station's medium, by its code or by a symbol dataloggers write. Found
    by its code, it carries the id of the station's series of it (`series_id`, None without
    one), read in the same query."""
    found = _parameter_with_series(station, code)
    if found is None:
        alias = ParameterAlias.objects.select_related("parameter").filter(
            medium=station.medium, alias_key=ParameterAlias.key(code)).first()
        found = alias.parameter if alias else None
    if found is None:
        raise NotFound(_("This station's medium has no parameter %(code)s.") % {"code": code})
    return found


_PARAMETER_FIELDS = [field.attname for field in Parameter._meta.concrete_fields]
# The code case-insensitively (as `code__iexact`: ASCII letters fold on SQLite, all on
# PostgreSQL), first by the model's order, with the station's series of it (the oldest).
_PARAMETER_QUERY = (
    "SELECT {columns}, (SELECT s.\"id\" FROM \"{series}\" s WHERE s.\"station_id\" = %s "
    "AND s.\"parameter_id\" = p.\"id\" ORDER BY s.\"id\" LIMIT 1) FROM \"{parameter}\" p "
    "WHERE p.\"medium\" = %s AND UPPER(p.\"code\") = UPPER(%s) "
    "ORDER BY p.\"medium\", p.\"code\" LIMIT 1"
).format(columns=", ".join(f'p."{field.column}"' for field in Parameter._meta.concrete_fields),
         series=Series._meta.db_table, parameter=Parameter._meta.db_table)


def _parameter_with_series(station: Station, code: str) -> Parameter | None:
    """Written out: every page of a series starts here, and the ORM took longer building the
    query (with its subquery) than the database took answering it. The fields are text and
    numbers, which both drivers give as the model holds them."""
    with connection.cursor() as cursor:
        cursor.execute(_PARAMETER_QUERY, [station.pk, station.medium, code])
        row = cursor.fetchone()
    if row is None:
        return None
    found = Parameter.from_db(connection.alias, _PARAMETER_FIELDS, row[:-1])
    found.series_id = row[-1]
    return found


_ASK = object()


def series_query(actor: Actor, station_code: str, parameter_code: str, *,
                 interval: str = "raw", start: str | None = None,
                 end: str | None = None) -> SeriesQuery:
    if interval not in INTERVALS:
        raise InvalidInput(_("interval must be raw, hour or day."), {"interval": ["raw|hour|day"]})
    station = registry.station(actor, station_code, related=False)
    parameter = parameter_of(station, parameter_code)
    start_at, end_at = params.period(start, end, default=DEFAULT_SPAN[interval])
    series_id = getattr(parameter, "series_id", _ASK)
    if series_id is _ASK:  # found by a symbol
        series_id = Series.objects.filter(station=station, parameter=parameter).values_list(
            "id", flat=True).first()
    return SeriesQuery(station, parameter, series_id, interval, start_at, end_at)


ROLLUP_FIELDS = ("count", "valid_count", "calibrating_count", "error_count", "expected_count",
                 "mean", "minimum", "maximum", "coverage", "valid")
# The columns of `series_rows`, in order: the time, then the values.
SERIES_COLUMNS = {"raw": ("time", "value", "status"), "hour": ("hour_end", *ROLLUP_FIELDS),
                  "day": ("day", *ROLLUP_FIELDS)}
SERIES_MODELS = {"raw": Observation, "hour": HourlyRollup, "day": DailyRollup}


def series_rows(query: SeriesQuery) -> QuerySet:
    """Observations, hourly or daily rollups of one series in (start, end], oldest first, as
    tuples of `SERIES_COLUMNS[interval]` (the API and CSV read plain values; model instances
    would cost more than the query)."""
    model, columns = SERIES_MODELS[query.interval], SERIES_COLUMNS[query.interval]
    field = columns[0]
    if query.series_id is None:
        return model.objects.none().values_list(*columns)
    if field == "day":
        from envhub.core.timeutil import local_day

        bounds = {"day__gte": local_day(query.start + datetime.timedelta(microseconds=1)),
                  "day__lte": local_day(query.end)}
    else:
        bounds = {f"{field}__gt": query.start, f"{field}__lte": query.end}
    return model.objects.filter(series_id=query.series_id, **bounds).order_by(field).values_list(
        *columns)


def series_page(query: SeriesQuery, *, cursor: str | None, limit: int | None) -> Page:
    """A page of `series_rows`, oldest first, with the values as the database gives them (on
    SQLite times and days as text: `timeutil.from_db`): a page is up to thousands of rows,
    and the ORM's conversion of each value cost more than the query."""
    return keyset_page(series_rows(query), order=(SERIES_COLUMNS[query.interval][0],),
                       cursor=cursor, limit=limit, fetch=raw_rows, key=_series_key)


def _series_key(row: tuple, field: str):
    """The order value of a raw row as the ORM would give it (the cursor holds it)."""
    return day_from_db(row[0]) if field == "day" else from_db(row[0])


def station_latest(actor: Actor, code: str) -> tuple[Station, list[LatestValue],
                                                     StationStatus | None]:
    station = registry.station(actor, code)
    values = list(
        LatestValue.objects.filter(station=station).select_related("series__parameter")
        .order_by("series__parameter__code")
    )
    return station, values, StationStatus.objects.filter(station=station).first()


STATION_COLUMNS = ("id", "code", "name", "kind", "province__code", "latitude", "longitude",
                   "active")


def latest_page(actor: Actor, stations: QuerySet, *, cursor: str | None, limit: int | None,
                max_limit: int) -> tuple[list[dict], str | None]:
    """A page of stations (already filtered and scoped) with their latest values and status:
    three queries whatever the page size, and plain rows rather than model instances (a map
    asks for all 2,000 stations at once)."""
    page = keyset_page(stations.values(*STATION_COLUMNS), order=("code",), cursor=cursor,
                       limit=limit, max_limit=max_limit)
    ids = [row["id"] for row in page.results]
    statuses: dict[int, tuple] = {}
    if ids:
        # The values come as the JSON documents the rollup worker keeps per station.
        marks = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(
                'SELECT "station_id", "state", "last_data_at", "last_received_at", '
                f'"latest_values" FROM "monitoring_stationstatus" WHERE "station_id" IN ({marks})',
                ids)
            statuses = {row[0]: row[1:] for row in cursor.fetchall()}
    for row in page.results:
        status = statuses.get(row["id"])
        row["status"] = status[:3] if status else None
        row["values"] = status[3] if status else "[]"
    return page.results, page.next


def batches(actor: Actor, *, station: str | None = None, status: str | None = None,
            start: str | None = None, end: str | None = None) -> QuerySet:
    permissions.require(actor, permissions.VIEW, Batch)
    qs = permissions.scope(actor, Batch.objects.select_related("station"))
    if station:
        qs = qs.filter(station__code__iexact=station)
    if status:
        qs = qs.filter(status=status)
    start_at, end_at = params.period(start, end)
    if start_at:
        qs = qs.filter(received_at__gt=start_at)
    if end_at:
        qs = qs.filter(received_at__lte=end_at)
    return qs


def batch(actor: Actor, batch_id: int) -> Batch:
    found = batches(actor).filter(id=batch_id).first()
    if found is None:
        raise NotFound()
    return found


def recent_batches(actor: Actor, station: Station, limit: int = 20) -> list[Batch]:
    return list(batches(actor).filter(station=station).order_by("-id")[:limit])


# --- periodic samples -----------------------------------------------------------------------

def station_samples(actor: Actor, code: str, parameter: str | None = None) -> QuerySet:
    """The periodic results of a station, newest first, with their parameters: of one
    parameter when `parameter` names one of the station's medium. The rows are the ones the
    catalogue's periodic dataset gives this reader (`providers.in_scope`, one rule whatever
    the road): all of them when that dataset is open, else those of stations in their scope
    — so an anonymous reader gets an ambient site's results, as in the catalogue."""
    from django.db.models.functions import Lower

    from envhub.core import providers
    from envhub.core.errors import NotAuthenticated
    from envhub.monitoring.datasets import PeriodicResults, periodic_part
    from envhub.registry import validators

    dataset = None
    try:
        station = registry.station(actor, code, related=False)
    except (NotFound, NotAuthenticated):
        # The lookup of `registry.station`, outside the reader's scope (found by LOWER(code)).
        station = Station.objects.alias(code_lower=Lower("code")).filter(
            code_lower=code.lower(), kind=StationKind.PERIODIC).first() \
            if validators.tt10_token.regex.match(code) else None
        if station is not None:
            dataset = providers.published(PeriodicResults.key, periodic_part(station))
        if dataset is None or not providers.sees_all_rows(actor, dataset):
            raise
    rows = Sample.objects.filter(series__station=station)
    dataset = dataset or providers.published(PeriodicResults.key, periodic_part(station))
    qs = (providers.in_scope(dataset, actor, rows, record="series") if dataset is not None
          else permissions.scope(actor, rows)).select_related("series__parameter")
    if parameter:
        qs = qs.filter(series__parameter=parameter_of(station, parameter))
    return qs.order_by("-time", "series_id")
