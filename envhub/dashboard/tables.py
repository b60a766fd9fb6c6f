"""The dashboard's grouped tables for a `View`, shared by its pages, its JSON and the monthly
reports: each function is `fn(view, limit=None)` and returns a list of plain dicts in a stable
order (ties broken by code or name), computed by a few grouped queries — never a query per row.

What they read: the judged averaging windows (`compliance.Assessment`: hours over the limit are
the summed widths of the windows judged over it, as on the compliance pages), the exceedance
events (withdrawn ones left out; an event counts in a period it overlaps), the daily rollups
(each day's valid hours: received hours by the one completeness rule, `core.completeness`), the
connectivity changes and states, the daily VN_AQI and the survey submissions. Never raw
observations.

Scope: `view.provinces` (None: the country) and `view.sector` (the facility's sector) bound
every table; ambient stations and survey work have no sector, so a sector leaves them out of
the tables about facilities only (AQI and surveys ignore it)."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.db.models import Count, F, Max, Q, Sum

from envhub.airquality import vn_aqi
from envhub.airquality.models import DailyAqi
from envhub.compliance.models import Assessment, EventStatus, ExceedanceEvent, State
from envhub.core import completeness
from envhub.dashboard import filters
from envhub.dashboard.filters import View
from envhub.monitoring.models import (
    Connectivity,
    ConnectivityChange,
    Series,
    StationDay,
    StationStatus,
)
from envhub.registry.models import Facility, Province, Sector, Station, StationKind
from envhub.surveys.models import Assignment, Submission
from envhub.surveys.models import State as SubmissionState

AUTOMATIC_KINDS = (StationKind.AUTO_EMISSION, StationKind.AUTO_WASTEWATER, StationKind.AUTO_AIR,
                   StationKind.AUTO_SURFACE_WATER)
NOT_STARTED = "not_started"
SUBMISSION_STATES = (NOT_STARTED,) + tuple(SubmissionState.values)


# --- scope ----------------------------------------------------------------------------------

def facility_q(view: View, path: str = "") -> Q:
    """Rows whose facility (at `path`, e.g. "source__facility__") is in the view."""
    q = Q()
    if view.provinces is not None:
        q &= Q(**{f"{path}province__code__in": view.provinces})
    if view.sector:
        q &= Q(**{f"{path}sector": view.sector})
    return q


def station_q(view: View, path: str = "") -> Q:
    """Stations (at `path`, e.g. "station__") in the view: by their province; with a sector,
    only stations of facilities of that sector."""
    q = Q(**{f"{path}active": True, f"{path}kind__in": AUTOMATIC_KINDS})
    if view.provinces is not None:
        q &= Q(**{f"{path}province__code__in": view.provinces})
    if view.sector:
        q &= Q(**{f"{path}facility__sector": view.sector})
    return q


def cities(view: View) -> list[str]:
    """The main cities' province codes (`ENVHUB_DASHBOARD_CITIES`) within the view's scope."""
    chosen = list(settings.ENVHUB_DASHBOARD_CITIES)
    if view.provinces is not None:
        chosen = [code for code in chosen if code in view.provinces]
    return chosen


def _cut(rows: list, limit: int | None) -> list:
    return rows if limit is None else rows[:max(0, limit)]


def hours_over(view: View, by: str, start=None, end=None) -> dict:
    """Per value of `by` (a path from Assessment): hours of windows judged over the limit in
    (start, end] (the view's period by default)."""
    if start is None:
        start, end = view.utc_bounds()
    rows = (Assessment.objects.filter(facility_q(view, "source__facility__"), state=State.EXCEEDS,
                                      window_end__gt=start, window_end__lte=end)
            .order_by().values(by).annotate(hours=Sum("window_hours")))
    return {row[by]: row["hours"] or 0 for row in rows}


def events_in(view: View, start=None, end=None):
    """Exceedance events (not withdrawn) in the view that overlap (start, end]."""
    if start is None:
        start, end = view.utc_bounds()
    return ExceedanceEvent.objects.filter(
        facility_q(view, "source__facility__"), end__gt=start, start__lt=end).exclude(
        status=EventStatus.WITHDRAWN).order_by()


def _event_counts(view: View, by: str) -> dict:
    rows = events_in(view).values(by).annotate(
        events=Count("id"), open_events=Count("id", filter=Q(status=EventStatus.OPEN)),
        worst_band=Max("band"))
    return {row[by]: row for row in rows}


# --- exceedances ----------------------------------------------------------------------------

def exceedances_by_province(view: View, limit: int | None = None) -> list[dict]:
    """Provinces with an exceedance in the period: {province, name, hours, events, open_events,
    facilities} — `facilities`: those with hours over the limit. Most hours first."""
    code = "source__facility__province__code"
    hours = hours_over(view, code)
    facilities = dict(Assessment.objects.filter(
        facility_q(view, "source__facility__"), state=State.EXCEEDS,
        window_end__gt=view.utc_bounds()[0], window_end__lte=view.utc_bounds()[1]).order_by()
        .values(code).annotate(n=Count("source__facility", distinct=True)).values_list(code, "n"))
    events = _event_counts(view, code)
    names = dict(Province.objects.filter(code__in=set(hours) | set(events))
                 .values_list("code", "name"))
    rows = [{"province": province, "name": names[province], "hours": hours.get(province, 0),
             "events": events.get(province, {}).get("events", 0),
             "open_events": events.get(province, {}).get("open_events", 0),
             "facilities": facilities.get(province, 0)} for province in names]
    rows.sort(key=lambda row: (-row["hours"], -row["events"], row["province"]))
    return _cut(rows, limit)


def exceedances_by_sector(view: View, limit: int | None = None) -> list[dict]:
    """Sectors with an exceedance in the period: {sector, name, hours, events, open_events}.
    Most hours first."""
    path = "source__facility__sector"
    hours = hours_over(view, path)
    events = _event_counts(view, path)
    labels = dict(Sector.choices)
    rows = [{"sector": sector, "name": str(labels.get(sector, sector)),
             "hours": hours.get(sector, 0), "events": events.get(sector, {}).get("events", 0),
             "open_events": events.get(sector, {}).get("open_events", 0)}
            for sector in set(hours) | set(events)]
    rows.sort(key=lambda row: (-row["hours"], -row["events"], row["sector"]))
    return _cut(rows, limit)


def top_facilities(view: View, limit: int | None = None) -> list[dict]:
    """Facilities with an exceedance in the period, most hours over the limit first:
    {facility (id), name, province, province_name, sector, sector_name, hours, events,
    open_events, worst_band} — `worst_band`: the highest severity band of its events ("" when
    none has one)."""
    path = "source__facility_id"
    hours = hours_over(view, path)
    events = _event_counts(view, path)
    labels = dict(Sector.choices)
    facilities = Facility.objects.filter(id__in=set(hours) | set(events)).values(
        "id", "name", "sector", "province__code", "province__name")
    rows = []
    for facility in facilities:
        counted = events.get(facility["id"], {})
        rows.append({"facility": facility["id"], "name": facility["name"],
                     "province": facility["province__code"],
                     "province_name": facility["province__name"],
                     "sector": facility["sector"],
                     "sector_name": str(labels.get(facility["sector"], facility["sector"])),
                     "hours": hours.get(facility["id"], 0), "events": counted.get("events", 0),
                     "open_events": counted.get("open_events", 0),
                     "worst_band": counted.get("worst_band") or ""})
    rows.sort(key=lambda row: (-row["hours"], -row["events"], row["name"], row["facility"]))
    return _cut(rows, limit)


# --- data completeness and transmission -----------------------------------------------------

def expected_hours(view: View) -> int:
    """Hours of the period that have ended by now (each series is expected to give each)."""
    start, end = view.utc_bounds()
    stop = min(end, filters.clock())
    return max(0, int((stop - start).total_seconds() // 3600))


def _station_hours(view: View) -> dict[int, dict]:
    """Per station in the view: its series and its valid hours in the period (the daily
    rollups summed per station and day, `StationDay`)."""
    series = dict(Series.objects.filter(station_q(view, "station__")).order_by()
                  .values("station_id").annotate(n=Count("id")).values_list("station_id", "n"))
    period = view.period
    valid = dict(StationDay.objects.filter(
        station_q(view, "station__"), day__gte=period.first, day__lte=period.last)
        .order_by().values("station_id").annotate(hours=Sum("valid_hours"))
        .values_list("station_id", "hours"))
    return {station: {"series": count, "received": valid.get(station) or 0}
            for station, count in series.items()}


def _share() -> float:
    return settings.ENVHUB_COMPLETENESS.period_share


def _completeness(received: int, expected: int) -> dict:
    received = min(received, expected)
    return {"expected_hours": expected, "received_hours": received,
            "missing_hours": expected - received,
            "completeness": round(completeness.coverage(received, expected), 1)
            if expected else None,
            "enough": completeness.enough(received, expected, _share()) if expected else None}


def completeness_by_province(view: View, limit: int | None = None) -> list[dict]:
    """Per province with automatic stations in the view: {province, name, stations, expected_hours,
    received_hours, missing_hours, completeness (%, None before any hour has ended), enough (the
    period share of the completeness rule reached), outages (changes to offline in the period),
    offline_now, late_now}. Hours are parameter-hours: each series is expected to give a valid
    hour (`core.completeness`) for every hour of the period that has ended. Lowest completeness
    first."""
    hours = expected_hours(view)
    by_station = _station_hours(view)
    province_of = dict(Station.objects.filter(station_q(view)).values_list("id",
                                                                            "province__code"))
    start, end = view.utc_bounds()
    outages = dict(ConnectivityChange.objects.filter(
        station_q(view, "station__"), current=Connectivity.OFFLINE, at__gt=start, at__lte=end)
        .order_by().values("station__province__code").annotate(n=Count("id"))
        .values_list("station__province__code", "n"))
    states = defaultdict(dict)
    for code, state, count in StationStatus.objects.filter(
            station_q(view, "station__"), state__in=(Connectivity.OFFLINE, Connectivity.LATE)
    ).order_by().values("station__province__code", "state").annotate(
            n=Count("station_id")).values_list("station__province__code", "state", "n"):
        states[code][state] = count
    totals: dict[str, dict] = defaultdict(lambda: {"stations": 0, "expected": 0, "received": 0})
    for station, code in province_of.items():
        total = totals[code]
        total["stations"] += 1
        figures = by_station.get(station, {"series": 0, "received": 0})
        total["expected"] += figures["series"] * hours
        total["received"] += min(figures["received"], figures["series"] * hours)
    names = dict(Province.objects.filter(code__in=totals).values_list("code", "name"))
    rows = [{"province": code, "name": names[code], "stations": total["stations"],
             **_completeness(total["received"], total["expected"]),
             "outages": outages.get(code, 0),
             "offline_now": states[code].get(Connectivity.OFFLINE, 0),
             "late_now": states[code].get(Connectivity.LATE, 0)}
            for code, total in totals.items()]
    rows.sort(key=lambda row: (row["completeness"] if row["completeness"] is not None else 101,
                               row["province"]))
    return _cut(rows, limit)


def stations_with_most_gaps(view: View, limit: int | None = None) -> list[dict]:
    """Automatic stations in the view by missing parameter-hours in the period, most first:
    {station (code), name, province, province_name, facility (id or None), state (connectivity
    now), series, expected_hours, received_hours, missing_hours, completeness, enough, outages}.
    Stations with nothing missing are left out."""
    hours = expected_hours(view)
    by_station = _station_hours(view)
    start, end = view.utc_bounds()
    outages = dict(ConnectivityChange.objects.filter(
        station_q(view, "station__"), current=Connectivity.OFFLINE, at__gt=start, at__lte=end)
        .order_by().values("station_id").annotate(n=Count("id")).values_list("station_id", "n"))
    stations = Station.objects.filter(station_q(view), id__in=list(by_station)).values(
        "id", "code", "name", "province__code", "province__name", "facility_id",
        state=F("status__state"))
    rows = []
    for station in stations:
        figures = by_station[station["id"]]
        told = _completeness(figures["received"], figures["series"] * hours)
        if told["missing_hours"] <= 0:
            continue
        rows.append({"station": station["code"], "name": station["name"],
                     "province": station["province__code"],
                     "province_name": station["province__name"],
                     "facility": station["facility_id"],
                     "state": station["state"] or Connectivity.NEVER,
                     "series": figures["series"], **told,
                     "outages": outages.get(station["id"], 0)})
    rows.sort(key=lambda row: (-row["missing_hours"], row["station"]))
    return _cut(rows, limit)


# --- air quality ----------------------------------------------------------------------------

def worst_city_days(codes: list[str], first: datetime.date, last: datetime.date) -> dict:
    """{(province code, day): the highest daily VN_AQI of the city's stations that day}: a
    city's day counts in the category of its worst station."""
    rows = (DailyAqi.objects.filter(station__province__code__in=codes, day__gte=first,
                                    day__lte=last, aqi__isnull=False)
            .order_by().values("station__province__code", "day").annotate(aqi=Max("aqi")))
    return {(row["station__province__code"], row["day"]): row["aqi"] for row in rows}


def aqi_days_by_city(view: View, limit: int | None = None) -> list[dict]:
    """Per main city in the view, in the setting's order: {province, name, days: {category:
    count}, with_index (days with an index), without_index (days of the period without one)}.
    Categories are VN_AQI's (`vn_aqi.CATEGORIES`), every one present (0 when none)."""
    codes = cities(view)
    period = view.period
    days = {code: {category.code: 0 for category in vn_aqi.CATEGORIES} for code in codes}
    for (code, _day), aqi in worst_city_days(codes, period.first, period.last).items():
        days[code][vn_aqi.category_for(aqi).code] += 1
    names = dict(Province.objects.filter(code__in=codes).values_list("code", "name"))
    rows = []
    for code in codes:
        if code not in names:
            continue
        counted = sum(days[code].values())
        rows.append({"province": code, "name": names[code], "days": days[code],
                     "with_index": counted, "without_index": period.days - counted})
    return _cut(rows, limit)


# --- surveys --------------------------------------------------------------------------------

def survey_submissions(view: View, limit: int | None = None) -> list[dict]:
    """Per survey campaign of the period's years: {campaign (id), title, year, assignments,
    states: {state: count}} — the assignments' submissions by state, and "not_started" for
    assignments without one. For a province's view, the units of that province only. Newest
    year first, then by title."""
    years = (view.period.first.year, view.period.last.year)
    assignments = Assignment.objects.filter(campaign__year__gte=years[0],
                                            campaign__year__lte=years[1])
    if view.provinces is not None:
        assignments = assignments.filter(organisation__province__code__in=view.provinces)
    totals = {row["campaign_id"]: row for row in assignments.order_by().values(
        "campaign_id", "campaign__title", "campaign__year").annotate(
        n=Count("id"), started=Count("id", filter=Q(submissions__isnull=False), distinct=True))}
    states = defaultdict(dict)
    for campaign, state, count in Submission.objects.filter(
            assignment__in=assignments).order_by().values(
            "assignment__campaign_id", "state").annotate(n=Count("id")).values_list(
            "assignment__campaign_id", "state", "n"):
        states[campaign][state] = count
    rows = []
    for campaign, total in totals.items():
        counted = {state: states[campaign].get(state, 0) for state in SUBMISSION_STATES}
        counted[NOT_STARTED] = total["n"] - total["started"]
        rows.append({"campaign": campaign, "title": total["campaign__title"],
                     "year": total["campaign__year"], "assignments": total["n"],
                     "states": counted})
    rows.sort(key=lambda row: (-row["year"], row["title"], row["campaign"]))
    return _cut(rows, limit)
