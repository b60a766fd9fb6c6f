"""The figures of the bulletins drafted from the data: read from what the worker has already
derived, never recomputed, and returned as plain JSON-ready dicts that the text, the charts
and the tables are all written from. No writes, no HTTP.

- `air_week`: per main city (`ENVHUB_DASHBOARD_CITIES`), each local day of a week (Monday to
  Sunday) with the stored daily VN_AQI of the city's worst station that day — its index, its
  category and its dominant pollutant as the air quality worker stored them — or nothing when
  no station of the city had an index that day (a missing day, said as such); the days per
  category, the worst days, and the same counts for the week before.
- `emissions_month`: for the facilities stewards opened to the public
  (`compliance.disclosure.disclosed_facilities`, the rule of the public facility pages and of
  the open datasets) and only those: hours over the limit, facilities with events and the
  completeness of the judged averages, by province and by sector, counted as the open dataset
  `cong-khai-tuan-thu-hang-thang` counts its rows (`coverage.facilities_tally`, events started
  in the month). A facility not opened contributes nothing."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.db.models import Count

from envhub.airquality.models import DailyAqi
from envhub.airquality.vn_aqi import CATEGORIES
from envhub.compliance import coverage, disclosure
from envhub.compliance.models import EventStatus, ExceedanceEvent
from envhub.core import completeness
from envhub.core.timeutil import day_bounds
from envhub.dashboard import periods
from envhub.registry.models import Province

AQI_DATASET = "chi-so-chat-luong-khong-khi-vn-aqi-daily"
MONTHS_DATASET = "cong-khai-tuan-thu-hang-thang"
EVENTS_DATASET = "cong-khai-vuot-quy-chuan"
WORST_DAYS = 3
# A day "from Kém up": the categories above Trung bình (VN_AQI above 100).
UNHEALTHY = tuple(category.code for category in CATEGORIES if category.low > 100)


def week_of(day: datetime.date) -> periods.Period:
    return periods.around(periods.WEEK, day)


def month_of(day: datetime.date) -> periods.Period:
    return periods.around(periods.MONTH, day)


def _period(period: periods.Period) -> dict:
    return {"first": period.first.isoformat(), "last": period.last.isoformat(),
            "days": period.days}


# --- air quality ----------------------------------------------------------------------------

def _worst_by_city_day(codes: list[str], first: datetime.date,
                       last: datetime.date) -> dict[tuple[str, datetime.date], dict]:
    """{(city, day): the stored daily row of the city's worst station} — the highest index,
    ties to the lowest station code, so that the same data always name the same station."""
    rows = (DailyAqi.objects.filter(station__province__code__in=codes, day__gte=first,
                                    day__lte=last, aqi__isnull=False)
            .order_by("station__province__code", "day", "-aqi", "station__code")
            .values_list("station__province__code", "day", "aqi", "category", "dominant",
                         "station__code"))
    worst: dict[tuple[str, datetime.date], dict] = {}
    for code, day, aqi, category, dominant, station in rows:
        worst.setdefault((code, day), {"aqi": aqi, "category": category,
                                       "dominant": dominant, "station": station})
    return worst


def _counts(days: list[dict]) -> dict[str, int]:
    counts = {category.code: 0 for category in CATEGORIES}
    for day in days:
        if day["aqi"] is not None:
            counts[day["category"]] = counts.get(day["category"], 0) + 1
    return counts


def _days(code: str, period: periods.Period, worst: dict) -> list[dict]:
    days = []
    for offset in range(period.days):
        day = period.first + datetime.timedelta(days=offset)
        found = worst.get((code, day))
        days.append({"day": day.isoformat(), **(found or {
            "aqi": None, "category": "", "dominant": "", "station": ""})})
    return days


def air_week(day: datetime.date) -> dict:
    """The weekly air quality bulletin's figures for the week holding `day`."""
    week = week_of(day)
    before = week.previous()
    codes = list(settings.ENVHUB_DASHBOARD_CITIES)
    names = dict(Province.objects.filter(code__in=codes).values_list("code", "name"))
    worst = _worst_by_city_day(codes, before.first, week.last)
    stations = dict(DailyAqi.objects.filter(
        station__province__code__in=codes, day__gte=week.first, day__lte=week.last,
        aqi__isnull=False).order_by().values("station__province__code").annotate(
        n=Count("station_id", distinct=True)).values_list("station__province__code", "n"))
    cities = []
    for code in codes:
        if code not in names:
            continue
        days, earlier = _days(code, week, worst), _days(code, before, worst)
        counts, previous = _counts(days), _counts(earlier)
        ranked = sorted((d for d in days if d["aqi"] is not None),
                        key=lambda d: (-d["aqi"], d["day"]))
        cities.append({
            "province": code, "name": names[code], "stations": stations.get(code, 0),
            "days": days, "counts": counts,
            "with_index": sum(counts.values()), "missing": week.days - sum(counts.values()),
            "unhealthy": sum(counts[c] for c in UNHEALTHY),
            "worst": ranked[:WORST_DAYS],
            "previous_counts": previous,
            "previous_with_index": sum(previous.values()),
            "previous_missing": before.days - sum(previous.values()),
            "previous_unhealthy": sum(previous[c] for c in UNHEALTHY),
        })
    return {"kind": "air_weekly", "period": _period(week), "previous": _period(before),
            "categories": [category.code for category in CATEGORIES],
            "cities": cities, "datasets": [AQI_DATASET]}


# --- industrial emissions -------------------------------------------------------------------

def _group() -> dict:
    return {"facilities": 0, "hours": 0, "uncounted": 0, "incomplete": 0, "with_hours": 0,
            "with_events": 0, "events": 0, "expected": 0, "valid": 0}


def _completeness(group: dict) -> None:
    group["completeness"] = (round(100 * group["valid"] / group["expected"], 1)
                             if group["expected"] else None)
    # No total where no facility's hours could be counted: "no data", never a reassuring 0.
    if group["facilities"] and group["uncounted"] == group["facilities"]:
        group["hours"] = None


def emissions_month(day: datetime.date, now: datetime.datetime) -> dict:
    """The monthly industrial emissions bulletin's figures for the month holding `day`, of
    the disclosed facilities only, as the month's rows of `cong-khai-tuan-thu-hang-thang`."""
    month = month_of(day)
    start, end = day_bounds(month.first)[0], day_bounds(month.last)[1]
    facilities = disclosure.disclosed_facilities()
    named = {f.pk: f for f in facilities.select_related("province")}
    tallies = coverage.facilities_tally(facilities, start, end, now)
    started = dict(ExceedanceEvent.objects.exclude(status=EventStatus.WITHDRAWN).filter(
        source__facility__in=facilities, start__gt=start, start__lte=end).order_by().values(
        "source__facility_id").annotate(n=Count("id")).values_list("source__facility_id", "n"))
    provinces: dict[str, dict] = defaultdict(_group)
    sectors: dict[str, dict] = defaultdict(_group)
    total = _group()
    for facility_id, tally in tallies.items():
        facility = named[facility_id]
        told = tally.told(start, end, now)
        hours = told.shown(tally.exceeded_hours)
        events = started.get(facility_id, 0)
        for group in (provinces[facility.province.code], sectors[facility.sector], total):
            group["facilities"] += 1
            group["expected"] += told.expected
            group["valid"] += told.valid
            group["events"] += events
            group["with_events"] += 1 if events else 0
            # Not enough data: its hours are those seen, a floor rather than the month's.
            group["incomplete"] += 0 if told.status == completeness.COMPLETE else 1
            if hours is None:
                group["uncounted"] += 1
            else:
                group["hours"] += hours
                group["with_hours"] += 1 if hours else 0
    province_names = {f.province.code: f.province.name for f in named.values()}
    for group in (*provinces.values(), *sectors.values(), total):
        _completeness(group)
    by_province = [{"province": code, "name": province_names[code], **group}
                   for code, group in provinces.items()]
    by_province.sort(key=lambda row: (-(row["hours"] or 0), row["name"], row["province"]))
    by_sector = [{"sector": code, **group} for code, group in sectors.items()]
    by_sector.sort(key=lambda row: (-(row["hours"] or 0), row["sector"]))
    return {"kind": "emissions_monthly", "period": _period(month),
            "disclosed": len(named), "by_province": by_province, "by_sector": by_sector,
            "total": total, "datasets": [MONTHS_DATASET, EVENTS_DATASET]}
