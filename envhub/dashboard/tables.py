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
from django.db.models import Count, F, Max, Q

from envhub.airquality import province_days, vn_aqi
from envhub.compliance.models import DailyTally, EventStatus, ExceedanceEvent, SourceMonth
from envhub.core import completeness
from envhub.dashboard import filters
from envhub.dashboard.filters import View
from envhub.dashboard.reading import Reading
from envhub.monitoring.models import (
    Connectivity,
    ConnectivityChange,
    StationStatus,
)
from envhub.monitoring.period_sums import period_sums
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


def events_in(view: View, start=None, end=None):
    """Exceedance events (not withdrawn) in the view that overlap (start, end]."""
    if start is None:
        start, end = view.utc_bounds()
    return ExceedanceEvent.objects.filter(
        facility_q(view, "source__facility__"), end__gt=start, start__lt=end).exclude(
        status=EventStatus.WITHDRAWN).order_by()


_FACILITY = ("source__facility_id", "source__facility__province__code",
             "source__facility__sector")


def facility_exceedances(view: View, reading: Reading | None = None) -> dict[int, dict]:
    """Per facility in the view with an exceedance in the period: {province (code), sector,
    hours (over the limit), windows (judged over it), events, open_events, worst_band}. The
    judged windows whose end is in the period's local days are read from their summaries
    (`SourceMonth` for whole months, `DailyTally` for the rest: the same windows), the events
    that overlap it from the events; one grouped query each, shared by the tables below."""
    def read():
        period = view.period
        judged = period_sums(DailyTally, SourceMonth, _FACILITY, ("exceeded", "exceeded_hours"),
                             [(period.first, period.last)],
                             facility_q(view, "source__facility__"))[0]
        found = {}
        for (facility, province, sector), (windows, hours) in judged.items():
            if windows:
                found[facility] = {"province": province, "sector": sector, "hours": hours,
                                   "windows": windows, "events": 0,
                                   "open_events": 0, "worst_band": ""}
        for row in events_in(view).values(*_FACILITY).annotate(
                events=Count("id"), open_events=Count("id", filter=Q(status=EventStatus.OPEN)),
                worst_band=Max("band")):
            facility = found.setdefault(row["source__facility_id"], {
                "province": row["source__facility__province__code"],
                "sector": row["source__facility__sector"], "hours": 0, "windows": 0})
            facility.update(events=row["events"], open_events=row["open_events"],
                            worst_band=row["worst_band"] or "")
        return found
    if reading is None:
        return read()
    return reading.once("facility exceedances", read)


# --- exceedances ----------------------------------------------------------------------------

def _summed_by(facilities: dict[int, dict], by: str) -> dict:
    totals: dict = defaultdict(lambda: {"hours": 0, "events": 0, "open_events": 0,
                                        "facilities": 0})
    for counted in facilities.values():
        total = totals[counted[by]]
        for key in ("hours", "events", "open_events"):
            total[key] += counted[key]
        total["facilities"] += counted["windows"] > 0
    return totals


def exceedances_by_province(view: View, limit: int | None = None,
                            reading: Reading | None = None) -> list[dict]:
    """Provinces with an exceedance in the period: {province, name, hours, events, open_events,
    facilities} — `facilities`: those with hours over the limit. Most hours first."""
    totals = _summed_by(facility_exceedances(view, reading), "province")
    names = dict(Province.objects.filter(code__in=totals).values_list("code", "name"))
    rows = [{"province": province, "name": names[province], "hours": total["hours"],
             "events": total["events"], "open_events": total["open_events"],
             "facilities": total["facilities"]} for province, total in totals.items()]
    rows.sort(key=lambda row: (-row["hours"], -row["events"], row["province"]))
    return _cut(rows, limit)


def exceedances_by_sector(view: View, limit: int | None = None,
                          reading: Reading | None = None) -> list[dict]:
    """Sectors with an exceedance in the period: {sector, name, hours, events, open_events}.
    Most hours first."""
    labels = dict(Sector.choices)
    rows = [{"sector": sector, "name": str(labels.get(sector, sector)), "hours": total["hours"],
             "events": total["events"], "open_events": total["open_events"]}
            for sector, total in _summed_by(facility_exceedances(view, reading),
                                            "sector").items()]
    rows.sort(key=lambda row: (-row["hours"], -row["events"], row["sector"]))
    return _cut(rows, limit)


def top_facilities(view: View, limit: int | None = None,
                   reading: Reading | None = None) -> list[dict]:
    """Facilities with an exceedance in the period, most hours over the limit first:
    {facility (id), name, province, province_name, sector, sector_name, hours, events,
    open_events, worst_band} — `worst_band`: the highest severity band of its events ("" when
    none has one). Names are read for the facilities that can be shown (ties by name at the
    cut included)."""
    found = facility_exceedances(view, reading)

    def order(facility):
        return -found[facility]["hours"], -found[facility]["events"]
    candidates = sorted(found, key=order)
    if limit is not None and len(candidates) > max(0, limit):
        last = order(candidates[max(0, limit) - 1]) if limit > 0 else None
        candidates = [facility for facility in candidates
                      if last is not None and order(facility) <= last]
    labels = dict(Sector.choices)
    rows = []
    for facility in Facility.objects.filter(id__in=candidates).values("id", "name",
                                                                      "province__name"):
        counted = found[facility["id"]]
        rows.append({"facility": facility["id"], "name": facility["name"],
                     "province": counted["province"],
                     "province_name": facility["province__name"],
                     "sector": counted["sector"],
                     "sector_name": str(labels.get(counted["sector"], counted["sector"])),
                     "hours": counted["hours"], "events": counted["events"],
                     "open_events": counted["open_events"],
                     "worst_band": counted["worst_band"]})
    rows.sort(key=lambda row: (-row["hours"], -row["events"], row["name"], row["facility"]))
    return _cut(rows, limit)


# --- data completeness and transmission -----------------------------------------------------

def expected_hours(view: View) -> int:
    """Hours of the period that have ended by now (each series is expected to give each)."""
    start, end = view.utc_bounds()
    stop = min(end, filters.clock())
    return max(0, int((stop - start).total_seconds() // 3600))


def _station_hours(reading: Reading) -> dict[int, dict]:
    """Per station in the view with series: its code, province, series and valid hours in
    the period — the request's per-station totals (`Reading`: the daily rollups summed per
    station and month or day), read once for the figures and these tables."""
    valid = reading.station_sums()[0]
    return {station: {"code": row.code, "province": row.province, "series": row.series,
                      "received": valid[station][1] if station in valid else 0}
            for station, row in reading.station_rows().items() if row.series}


def _share() -> float:
    return settings.ENVHUB_COMPLETENESS.period_share


def _completeness(received: int, expected: int) -> dict:
    received = min(received, expected)
    return {"expected_hours": expected, "received_hours": received,
            "missing_hours": expected - received,
            "completeness": round(completeness.coverage(received, expected), 1)
            if expected else None,
            "enough": completeness.enough(received, expected, _share()) if expected else None}


def completeness_by_province(view: View, limit: int | None = None,
                             reading: Reading | None = None) -> list[dict]:
    """Per province with automatic stations in the view: {province, name, stations, expected_hours,
    received_hours, missing_hours, completeness (%, None before any hour has ended), enough (the
    period share of the completeness rule reached), outages (changes to offline in the period),
    offline_now, late_now}. Hours are parameter-hours: each series is expected to give a valid
    hour (`core.completeness`) for every hour of the period that has ended. Lowest completeness
    first."""
    hours = expected_hours(view)
    reading = reading or Reading(view)
    by_station = _station_hours(reading)
    province_of = {station: row.province for station, row in reading.station_rows().items()}
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


def stations_with_most_gaps(view: View, limit: int | None = None,
                            reading: Reading | None = None) -> list[dict]:
    """Automatic stations in the view by missing parameter-hours in the period, most first:
    {station (code), name, province, province_name, facility (id or None), state (connectivity
    now), series, expected_hours, received_hours, missing_hours, completeness, enough, outages}.
    Stations with nothing missing are left out. Ranked from the request's per-station totals;
    names, states and outages are read for the rows shown only."""
    hours = expected_hours(view)
    by_station = _station_hours(reading or Reading(view))
    # Ranked by the missing hours alone (`_completeness`'s, as integers: 3,000 stations in
    # the country); the rest of `_completeness` is worked out for the rows shown only.
    missing = {station: max(0, figures["series"] * hours - figures["received"])
               for station, figures in by_station.items()}
    ranked = sorted((station for station, hours_missing in missing.items() if hours_missing),
                    key=lambda station: (-missing[station], by_station[station]["code"]))
    shown = _cut(ranked, limit)
    told = {station: _completeness(by_station[station]["received"],
                                   by_station[station]["series"] * hours) for station in shown}
    start, end = view.utc_bounds()
    outages = dict(ConnectivityChange.objects.filter(
        station_id__in=shown, current=Connectivity.OFFLINE, at__gt=start, at__lte=end)
        .order_by().values("station_id").annotate(n=Count("id")).values_list("station_id", "n"))
    details = {station["id"]: station for station in Station.objects.filter(
        id__in=shown).values("id", "name", "province__name", "facility_id",
                             state=F("status__state"))}
    return [{"station": by_station[station]["code"], "name": details[station]["name"],
             "province": by_station[station]["province"],
             "province_name": details[station]["province__name"],
             "facility": details[station]["facility_id"],
             "state": details[station]["state"] or Connectivity.NEVER,
             "series": by_station[station]["series"], **told[station],
             "outages": outages.get(station, 0)} for station in shown]


# --- air quality ----------------------------------------------------------------------------

def city_day_categories(codes: list[str], first: datetime.date, last: datetime.date,
                        reading: Reading | None = None) -> dict:
    """{(province code, day): the VN_AQI category of the city's worst station that day}: a
    city's day counts in the category of its worst station (a day some station found poor was
    a poor day there), from the per-province summary (`province_days.worst_categories`).
    Through the request's `Reading` when there is one (the figures and trends read the same
    days)."""
    if reading is not None:
        return reading.city_days(codes, first, last)
    return province_days.worst_categories(codes, first, last)


def aqi_days_by_city(view: View, limit: int | None = None) -> list[dict]:
    """Per main city in the view, in the setting's order: {province, name, days: {category:
    count}, with_index (days with an index), without_index (days of the period without one)}.
    Categories are VN_AQI's (`vn_aqi.CATEGORIES`), every one present (0 when none)."""
    codes = cities(view)
    period = view.period
    days = {code: {category.code: 0 for category in vn_aqi.CATEGORIES} for code in codes}
    for (code, _day), category in city_day_categories(codes, period.first,
                                                      period.last).items():
        days[code][category] += 1
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
