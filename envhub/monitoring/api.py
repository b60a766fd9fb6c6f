"""Monitoring API: receiving TT10 files over HTTP, and reading observations, rollups, latest
values and received files. Thin: parse, call a service, serialise."""

import csv
import datetime

import orjson
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from envhub.core.api_auth import PUBLIC, actor_of
from envhub.core.api_errors import READ_ERRORS, ErrorEnvelope
from envhub.core.errors import InvalidInput
from envhub.core.pagination import KeysetPagination, PageLimit, limit_type
from envhub.core.schemas import LocalTime
from envhub.core.spreadsheets import csv_row
from envhub.core.timeutil import local_iso_from_db
from envhub.monitoring import connectivity, services
from envhub.monitoring.models import BatchStatus, DeviceStatus
from envhub.monitoring.receivers import http
from envhub.registry import services as registry
from envhub.registry.models import Medium, StationKind

router = Router(tags=["monitoring"])

# Latest values are read for maps: one page may hold every station of the country.
MAX_LATEST_PAGE = 5000
LatestLimit = limit_type(MAX_LATEST_PAGE)


# --- receiving files ---------------------------------------------------------------------------

@router.post(
    "/ingest/files",
    response={200: http.IngestOut, 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope,
              411: ErrorEnvelope, 413: ErrorEnvelope, 422: ErrorEnvelope, 503: ErrorEnvelope},
    summary="Send TT10 files (raw body with X-Filename, or multipart with any number of files)",
)
def ingest_files(request, replace: bool = False):
    return http.receive(request, replace)


# --- reading observations ------------------------------------------------------------------------

class ObservationOut(Schema):
    time: str | None = None
    hour_end: str | None = None
    day: datetime.date | None = None
    value: float | None = None
    status: int | None = None
    status_label: str | None = None
    count: int | None = None
    valid_count: int | None = None
    calibrating_count: int | None = None
    error_count: int | None = None
    expected_count: int | None = None
    mean: float | None = None
    min: float | None = None
    max: float | None = None
    coverage: float | None = None
    valid: bool | None = None


class ObservationPage(Schema):
    station: str
    parameter: str
    unit: str
    interval: str
    results: list[ObservationOut]
    next: str | None


class _Times:
    """ISO 8601 in Viet Nam time, computed once per distinct instant (rows share them), and the
    device-status labels in the request's language."""

    def __init__(self):
        self._cache: dict = {}
        self.status_labels = {code: str(label) for code, label in DeviceStatus.choices}

    def __call__(self, moment):
        """`moment` may also be a raw database value (text on SQLite)."""
        if moment is None:
            return None
        text = self._cache.get(moment)
        if text is None:
            text = self._cache[moment] = local_iso_from_db(moment)
        return text


# Rows are tuples of `services.SERIES_COLUMNS`, with values as the database gives them or as
# the ORM converts them (times as text or datetimes, days as text or dates, booleans as 0/1).
# Each row is one dict literal: a page is hundreds of rows, and the calls add up. The times of
# one series are all different, so they are converted without the cache of `_Times`; the keys
# stay in the order the API has always written them.

def _raw_out(row: tuple, times: _Times) -> dict:
    moment, value, status = row
    return {"time": local_iso_from_db(moment), "value": value, "status": status,
            "status_label": times.status_labels[status]}


def _hour_out(row: tuple, times: _Times) -> dict:
    (moment, count, valid_count, calibrating_count, error_count, expected_count, mean, minimum,
     maximum, coverage, valid) = row
    return {"count": count, "valid_count": valid_count, "calibrating_count": calibrating_count,
            "error_count": error_count, "expected_count": expected_count, "mean": mean,
            "min": minimum, "max": maximum, "coverage": round(coverage, 1), "valid": bool(valid),
            "hour_end": local_iso_from_db(moment)}


def _day_out(row: tuple, times: _Times) -> dict:
    (day, count, valid_count, calibrating_count, error_count, expected_count, mean, minimum,
     maximum, coverage, valid) = row
    return {"count": count, "valid_count": valid_count, "calibrating_count": calibrating_count,
            "error_count": error_count, "expected_count": expected_count, "mean": mean,
            "min": minimum, "max": maximum, "coverage": round(coverage, 1), "valid": bool(valid),
            "day": day if isinstance(day, str) else day.isoformat()}


SERIALISERS = {"raw": _raw_out, "hour": _hour_out, "day": _day_out}


CSV_COLUMNS = {
    "raw": ["time", "value", "status", "status_label"],
    "hour": ["hour_end", "count", "valid_count", "calibrating_count", "error_count",
             "expected_count", "mean", "min", "max", "coverage", "valid"],
    "day": ["day", "count", "valid_count", "calibrating_count", "error_count",
            "expected_count", "mean", "min", "max", "coverage", "valid"],
}


class _Echo:
    def write(self, value):
        return value


@router.get(
    "/observations",
    response={200: ObservationPage, **READ_ERRORS},
    summary="Values of one parameter at one station: raw, hourly or daily (JSON or CSV)",
)
def observations(request, station: str, parameter: str, interval: str = "raw",
                 from_: str | None = Query(None, alias="from"), to: str | None = None,
                 format: str = "json", cursor: str | None = None, limit: PageLimit = None):
    query = services.series_query(actor_of(request), station, parameter, interval=interval,
                                  start=from_, end=to)
    serialise = SERIALISERS[query.interval]
    if format == "csv":
        return _csv_response(query, services.series_rows(query), serialise)
    if format != "json":
        raise InvalidInput(_("format must be json or csv."), {"format": ["json|csv"]})
    page = services.series_page(query, cursor=cursor, limit=limit)
    times = _Times()
    # Built by hand (the schema above documents it): validating hundreds of rows through the
    # response model would cost more than the query.
    return _json({
        "station": query.station.code, "parameter": query.parameter.code,
        "unit": query.parameter.unit, "interval": interval,
        "results": [serialise(row, times) for row in page.results], "next": page.next,
    })


def _json(body: dict) -> HttpResponse:
    """JSON as orjson writes it: a map of every station is megabytes, and the standard
    library's encoder would spend longer on it than the queries."""
    return HttpResponse(orjson.dumps(body), content_type="application/json")


def _csv_response(query, rows, serialise) -> StreamingHttpResponse:
    columns = CSV_COLUMNS[query.interval]
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(["station", "parameter", "unit", *columns])
        head = csv_row([query.station.code, query.parameter.code, query.parameter.unit])
        times = _Times()
        for row in rows.iterator(chunk_size=2000):
            out = serialise(row, times)
            yield writer.writerow(head + csv_row("" if out.get(c) is None else out.get(c)
                                                 for c in columns))

    name = f"{query.station.code}_{query.parameter.code}_{query.interval}.csv"
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- latest values ------------------------------------------------------------------------

class LatestValueOut(Schema):
    parameter: str
    unit: str
    time: str
    value: float | None
    status: int


class StationLatestOut(Schema):
    station: str
    name: str
    kind: str
    province: str
    latitude: float | None
    longitude: float | None
    state: str
    last_data_at: str | None
    last_received_at: str | None
    values: list[LatestValueOut]


class LatestPage(Schema):
    results: list[StationLatestOut]
    next: str | None


def _station_latest(row: dict, times: _Times) -> dict:
    state, last_data_at, last_received_at = row["status"] or (None, None, None)
    return {
        "station": row["code"], "name": row["name"], "kind": row["kind"],
        "province": row["province__code"], "latitude": row["latitude"],
        "longitude": row["longitude"], "state": connectivity.shown_state(row["active"], state),
        "last_data_at": times(last_data_at), "last_received_at": times(last_received_at),
        # Already JSON, written by the rollup worker: spliced in as it is.
        "values": orjson.Fragment(row["values"]),
    }


@router.get(
    "/stations/{code}/latest",
    response={200: StationLatestOut, **READ_ERRORS},
    summary="The newest value of every parameter of one station, and its connectivity",
)
def station_latest(request, code: str):
    actor = actor_of(request)
    station = registry.station(actor, code)
    rows, _next = services.latest_page(actor, registry.stations(actor).filter(pk=station.pk),
                                       cursor=None, limit=1, max_limit=1)
    return _json(_station_latest(rows[0], _Times()))


class LatestQuery(Schema):
    province: str | None = None
    kind: StationKind | None = None
    medium: Medium | None = None
    cursor: str | None = None
    limit: LatestLimit = None


@router.get(
    "/latest",
    response={200: LatestPage, **READ_ERRORS},
    summary="Every station's newest values, for maps (up to 5,000 stations a page)",
)
def latest(request, query: Query[LatestQuery]):
    actor = actor_of(request)
    stations = registry.stations(actor, registry.StationFilters(
        province=query.province, kind=query.kind, medium=query.medium))
    rows, next_cursor = services.latest_page(actor, stations, cursor=query.cursor,
                                             limit=query.limit, max_limit=MAX_LATEST_PAGE)
    times = _Times()
    return _json({"results": [_station_latest(row, times) for row in rows],
                  "next": next_cursor})


# --- received files -----------------------------------------------------------------------

class BatchOut(Schema):
    id: int
    file_name: str
    station: str | None
    sender: str
    channel: str
    received_at: LocalTime
    status: str
    lines: int
    accepted: int
    rejected: int
    duplicates: int
    conflicts: int
    sha256: str
    size: int
    first_time: LocalTime | None
    last_time: LocalTime | None
    duplicate_of: int | None

    @staticmethod
    def resolve_station(batch) -> str | None:
        return batch.station.code if batch.station else None


class BatchDetailOut(BatchOut):
    rejects: list[dict]
    conflict_details: list[dict]
    notes: list[str]


class BatchQuery(Schema):
    station: str | None = None
    from_: str | None = Field(None, alias="from")
    status: BatchStatus | None = None
    to: str | None = None


@router.get("/batches", response={200: list[BatchOut], **READ_ERRORS},
            summary="Received files, newest first (a facility sees its own)")
@paginate(KeysetPagination, order=("-id",))
def list_batches(request, query: Query[BatchQuery]):
    return services.batches(actor_of(request), station=query.station, status=query.status,
                            start=query.from_, end=query.to)


@router.get("/batches/{batch_id}", response={200: BatchDetailOut, **READ_ERRORS},
            summary="One received file with its rejected lines and conflicts")
def get_batch(request, batch_id: int):
    return services.batch(actor_of(request), batch_id)


# --- periodic results -------------------------------------------------------------------------

class SampleOut(Schema):
    parameter: str
    unit: str
    time: LocalTime
    value: float | None
    below_detection: bool
    detection_limit: float | None
    written_value: float | None
    written_unit: str
    method: str
    laboratory: str
    vimcerts: str
    survey_version: int

    @staticmethod
    def resolve_parameter(sample) -> str:
        return sample.series.parameter.code

    @staticmethod
    def resolve_unit(sample) -> str:
        return sample.series.parameter.unit


@router.get("/stations/{code}/samples", response={200: list[SampleOut], **READ_ERRORS},
            openapi_extra=PUBLIC,
            summary="A periodic station's laboratory results, newest first, with their "
                    "survey version")
@paginate(KeysetPagination, order=("-time", "series_id"))
def station_samples(request, code: str, parameter: str | None = None):
    return services.station_samples(actor_of(request), code, parameter)
