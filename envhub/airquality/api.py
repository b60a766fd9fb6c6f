"""Air quality API: the VN_AQI of automatic ambient stations — the latest for maps, hourly and
daily series, and the QCVN 05:2023 comparison. Public: ambient air quality is open data
(no sign-in). Thin: parse, call `airquality.services`, serialise."""

from __future__ import annotations

import datetime

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from envhub.airquality import services
from envhub.core import params
from envhub.core.api_auth import PUBLIC
from envhub.core.api_errors import READ_ERRORS
from envhub.core.errors import InvalidInput
from envhub.core.pagination import PageLimit, keyset_page
from envhub.core.timeutil import VN, hour_label, local_days, local_iso

router = Router(tags=["air quality"])

MAX_HOURLY_SPAN = datetime.timedelta(days=366)
MAX_DAILY_SPAN = datetime.timedelta(days=3660)


class CategoryOut(Schema):
    code: str
    name_vi: str
    name_en: str
    colour: str


class StationRef(Schema):
    code: str
    name: str
    province_code: str | None
    province_name: str | None
    latitude: float | None
    longitude: float | None


HOUR_LABEL = dict(description="The hour the index covers, in Viet Nam time, with its local "
                              "day: \"16:00–17:00 26/11/2026\" for hour_end 17:00; the hour "
                              "ending at midnight is \"23:00–24:00\" of the day before.")


class LatestOut(Schema):
    station: StationRef
    hour_end: str | None = Field(None, description="The end of the newest hour that has "
                                 "ended (an hour still running is never shown).")
    hour_label: str | None = Field(None, **HOUR_LABEL)
    aqi: int | None
    category: CategoryOut | None
    dominant: str | None
    stale: bool


class LatestList(Schema):
    results: list[LatestOut]


class AqiOut(Schema):
    hour_end: str | None = None
    hour_label: str | None = Field(None, **HOUR_LABEL)
    day: datetime.date | None = None
    aqi: int | None
    category: CategoryOut | None
    dominant: str | None
    sub_indices: dict[str, int]
    inputs: list[dict]
    note: str
    in_progress: bool | None = Field(
        None, description="Daily rows: the local day has not ended (at 24:00 Viet Nam time), "
                          "so its index is what the hours so far give and will change. Hourly "
                          "rows have none: only ended hours are shown.")


class AqiPage(Schema):
    station: StationRef
    method: str
    results: list[AqiOut]
    next: str | None


def category_out(code: str) -> dict | None:
    category = services.CATEGORY_BY_CODE.get(code)
    if category is None:
        return None
    return {"code": category.code, "name_vi": category.name_vi, "name_en": category.name_en,
            "colour": category.hex}


def station_ref(station) -> dict:
    province = station.province
    return {"code": station.code, "name": station.name,
            "province_code": province.code if province else None,
            "province_name": province.name if province else None,
            "latitude": station.latitude, "longitude": station.longitude}


def _aqi_out(row, period: str, now: datetime.datetime | None = None) -> dict:
    out = {"aqi": row.aqi, "category": category_out(row.category),
           "dominant": row.dominant or None, "sub_indices": row.sub_indices,
           "inputs": row.inputs if isinstance(row.inputs, list) else [], "note": row.note}
    if period == "hour_end":
        out["hour_end"] = local_iso(row.hour_end)
        out["hour_label"] = hour_label(row.hour_end)
    else:
        out["day"] = row.day
        out["in_progress"] = services.day_in_progress(row.day, now)
    return out


def _json(body) -> HttpResponse:
    import orjson

    return HttpResponse(orjson.dumps(body), content_type="application/json")


@router.get("/aqi/latest", response={200: LatestList, **READ_ERRORS},
            openapi_extra=PUBLIC,
            summary="Every ambient station's current VN_AQI, for maps (public)")
def aqi_latest(request, province: str | None = None):
    now = timezone.now()
    results = []
    for station, row in services.latest(province, now):
        results.append({
            "station": station_ref(station),
            "hour_end": local_iso(row.hour_end) if row else None,
            "hour_label": hour_label(row.hour_end) if row else None,
            "aqi": row.aqi if row else None,
            "category": category_out(row.category) if row else None,
            "dominant": (row.dominant or None) if row else None,
            "stale": services.is_stale(row, now),
        })
    return _json({"results": results})


@router.get("/aqi/hourly", response={200: AqiPage, **READ_ERRORS},
            openapi_extra=PUBLIC,
            summary="Hourly VN_AQI of an ambient station, oldest first (default: 48 hours)")
def aqi_hourly(request, station: str, from_: str | None = Query(None, alias="from"),
               to: str | None = None, cursor: str | None = None, limit: PageLimit = None):
    found = services.ambient_station(station)
    start, end = params.period(from_, to, default=datetime.timedelta(hours=48),
                               maximum=MAX_HOURLY_SPAN)
    page = keyset_page(services.hourly(found, start, end), order=("hour_end",), cursor=cursor,
                       limit=limit)
    return _json({"station": station_ref(found), "method": "VN_AQI (1459/QĐ-TCMT)",
                  "results": [_aqi_out(row, "hour_end") for row in page.results],
                  "next": page.next})


@router.get("/aqi/daily", response={200: AqiPage, **READ_ERRORS},
            openapi_extra=PUBLIC,
            summary="Daily VN_AQI of an ambient station, oldest first (default: 30 days)")
def aqi_daily(request, station: str, from_: str | None = Query(None, alias="from"),
              to: str | None = None, cursor: str | None = None, limit: PageLimit = None):
    found = services.ambient_station(station)
    start, end = params.period(from_, to, default=datetime.timedelta(days=30),
                               maximum=MAX_DAILY_SPAN)
    first, last = local_days(start, end)
    page = keyset_page(services.daily(found, first, last), order=("day",), cursor=cursor,
                       limit=limit)
    now = timezone.now()
    return _json({"station": station_ref(found), "method": "VN_AQI (1459/QĐ-TCMT)",
                  "results": [_aqi_out(row, "day", now) for row in page.results],
                  "next": page.next})


class StandardOut(Schema):
    parameter: str
    averaging: str
    limit: float
    unit: str
    highest: float | None
    days_with_data: int = Field(description="Days that gave a mean of this averaging time.")
    days_incomplete: int = Field(
        description="Days with data but too few valid hours for a mean of this averaging time "
                    "(core.completeness): never counted as a mean, nor as over the limit.")
    days_over: int | None
    exceeded: bool | None
    provisional: bool
    verification: str


class StandardsOut(Schema):
    station: StationRef
    standard: str
    year: int
    results: list[StandardOut]


@router.get("/aqi/standards", response={200: StandardsOut, **READ_ERRORS},
            openapi_extra=PUBLIC,
            summary="An ambient station's means of a year against QCVN 05:2023/BTNMT")
def aqi_standards(request, station: str, year: int | None = None):
    found = services.ambient_station(station)
    this_year = timezone.now().astimezone(VN).year
    year = year or this_year
    if not 2000 <= year <= this_year:
        raise InvalidInput(_("year must be between 2000 and this year."),
                           {"year": [_("invalid year")]})
    return {"station": station_ref(found), "standard": "QCVN 05:2023/BTNMT", "year": year,
            "results": services.standards(found, year)}
