"""The grouped tables a report is written from, for one `View` (period and provinces): read
from judged averages (`Assessment`), exceedance events, daily rollups, connectivity changes,
daily AQI results and survey submissions — never raw observations.

Every row is plain data (codes, names, integers and floats) so that a report's figures can be
stored as JSON and compared with another run's. Rows are in a fixed order (the figure, then the
name), so the same data give the same tables."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, F, Q, Sum

from envhub.compliance.models import Assessment, ExceedanceEvent, State
from envhub.dashboard.filters import View
from envhub.registry.models import Facility, Province, Sector, Station, StationKind

TOP_FACILITIES = 20
TOP_STATIONS = 15

AUTOMATIC = (StationKind.AUTO_EMISSION, StationKind.AUTO_WASTEWATER, StationKind.AUTO_AIR,
             StationKind.AUTO_SURFACE_WATER)


def _in(view: View, path: str) -> Q:
    """Rows of the view's provinces (`path` leads to a province code)."""
    if view.provinces is None:
        return Q()
    return Q(**{f"{path}__in": view.provinces})


def _sector(view: View, path: str) -> Q:
    return Q(**{path: view.sector}) if view.sector else Q()


def _province_names() -> dict[str, str]:
    return dict(Province.objects.values_list("code", "name"))


def _events(view: View):
    start, end = view.utc_bounds()
    return ExceedanceEvent.objects.filter(
        _in(view, "source__facility__province__code"),
        _sector(view, "source__facility__sector"),
        start__gt=start, start__lte=end).exclude(status="withdrawn")


def _judged_over(view: View):
    start, end = view.utc_bounds()
    return Assessment.objects.filter(
        _in(view, "source__facility__province__code"),
        _sector(view, "source__facility__sector"),
        window_end__gt=start, window_end__lte=end, state=State.EXCEEDS)


def _grouped(view: View, key: str) -> dict[str, dict]:
    """Per `key` (a path from the source): facilities over the limit, hours over (judged
    windows' hours), and events that began in the period."""
    rows: dict[str, dict] = defaultdict(lambda: {"facilities": 0, "hours": 0, "events": 0})
    for row in _judged_over(view).values(f"source__{key}").annotate(
            hours=Sum("window_hours"), facilities=Count("source__facility", distinct=True)):
        rows[row[f"source__{key}"]].update(hours=row["hours"] or 0,
                                           facilities=row["facilities"])
    for row in _events(view).values(f"source__{key}").annotate(events=Count("id")):
        rows[row[f"source__{key}"]]["events"] = row["events"]
    return rows


def _ordered(rows: list[dict], *figures: str) -> list[dict]:
    return sorted(rows, key=lambda row: tuple(-row[name] for name in figures) + (row["name"],))


def exceedances_by_province(view: View) -> list[dict]:
    names = _province_names()
    grouped = _grouped(view, "facility__province__code")
    return _ordered([{"code": code, "name": names.get(code, code), **figures}
                     for code, figures in grouped.items()], "hours", "events")


def exceedances_by_sector(view: View) -> list[dict]:
    labels = dict(Sector.choices)
    grouped = _grouped(view, "facility__sector")
    return _ordered([{"code": code, "name": str(labels.get(code, code)), **figures}
                     for code, figures in grouped.items()], "hours", "events")


def top_facilities(view: View, limit: int = TOP_FACILITIES) -> list[dict]:
    grouped = _grouped(view, "facility_id")
    facilities = {facility["id"]: facility for facility in Facility.objects.filter(
        id__in=list(grouped)).values("id", "name", "sector", "province__code",
                                     "province__name")}
    labels = dict(Sector.choices)
    rows = []
    for facility_id, figures in grouped.items():
        facility = facilities[facility_id]
        rows.append({"id": facility_id, "name": facility["name"],
                     "province": facility["province__name"],
                     "sector": str(labels.get(facility["sector"], facility["sector"])),
                     "hours": figures["hours"], "events": figures["events"]})
    return _ordered(rows, "hours", "events")[:limit]


def _stations(view: View):
    stations = Station.objects.filter(_in(view, "province__code"), kind__in=AUTOMATIC)
    if view.sector:
        stations = stations.filter(source__facility__sector=view.sector)
    return stations


def completeness_by_province(view: View) -> list[dict]:
    """Per province: automatic stations, the share of expected values received valid over the
    period's days (daily rollups), and transmission outages (a station going offline)."""
    from envhub.monitoring.models import Connectivity, ConnectivityChange, DailyRollup

    names = _province_names()
    stations = _stations(view)
    counts = dict(stations.values("province__code").annotate(n=Count("id")).values_list(
        "province__code", "n"))
    rows = {code: {"code": code, "name": names.get(code, code), "stations": n, "expected": 0,
                   "valid": 0, "outages": 0} for code, n in counts.items()}
    for row in DailyRollup.objects.filter(
            series__station__in=stations, day__gte=view.period.first,
            day__lte=view.period.last).values("series__station__province__code").annotate(
                expected=Sum("expected_count"), valid=Sum("valid_count")):
        target = rows.get(row["series__station__province__code"])
        if target is not None:
            target.update(expected=row["expected"] or 0, valid=row["valid"] or 0)
    start, end = view.utc_bounds()
    for row in ConnectivityChange.objects.filter(
            station__in=stations, at__gt=start, at__lte=end,
            current=Connectivity.OFFLINE).values("station__province__code").annotate(
                n=Count("id")):
        target = rows.get(row["station__province__code"])
        if target is not None:
            target["outages"] = row["n"]
    result = []
    for row in rows.values():
        expected = row.pop("expected")
        valid = row.pop("valid")
        row["completeness"] = round(min(100.0, valid * 100 / expected), 1) if expected else None
        result.append(row)
    return sorted(result, key=lambda row: (row["completeness"] is None,
                                           row["completeness"] or 0, row["name"]))


def stations_with_gaps(view: View, limit: int = TOP_STATIONS) -> list[dict]:
    """The automatic stations that received the smallest share of their expected values."""
    from envhub.monitoring.models import DailyRollup

    rows = DailyRollup.objects.filter(
        series__station__in=_stations(view), day__gte=view.period.first,
        day__lte=view.period.last).values(
            code=F("series__station__code"), name=F("series__station__name"),
            province=F("series__station__province__name")).annotate(
                expected=Sum("expected_count"), valid=Sum("valid_count"))
    result = []
    for row in rows:
        if not row["expected"]:
            continue
        share = round(min(100.0, row["valid"] * 100 / row["expected"]), 1)
        result.append({"code": row["code"], "name": row["name"], "province": row["province"],
                       "completeness": share})
    result.sort(key=lambda row: (row["completeness"], row["code"]))
    return result[:limit]


def aqi_days(view: View) -> list[dict]:
    """Per city (province with ambient stations): days in each VN_AQI category, a day counted
    by its worst station's daily index."""
    from envhub.airquality.models import DailyAqi
    from envhub.airquality.vn_aqi import CATEGORIES

    names = _province_names()
    worst: dict[tuple[str, object], tuple[int, str]] = {}
    for code, day, aqi, category in DailyAqi.objects.filter(
            _in(view, "station__province__code"), day__gte=view.period.first,
            day__lte=view.period.last, aqi__isnull=False).values_list(
                "station__province__code", "day", "aqi", "category"):
        if (code, day) not in worst or aqi > worst[code, day][0]:
            worst[code, day] = (aqi, category)
    cities: dict[str, dict] = {}
    for (code, _day), (_aqi, category) in worst.items():
        row = cities.setdefault(code, {"code": code, "name": names.get(code, code),
                                       "days": {c.code: 0 for c in CATEGORIES}})
        if category in row["days"]:
            row["days"][category] += 1
    return sorted(cities.values(), key=lambda row: row["name"])


def survey_submissions(view: View) -> list[dict]:
    """Per campaign: submissions sent for review in the period, and those among them approved
    or loaded since (the units of the view's provinces, for a province)."""
    from envhub.surveys.models import State as SubmissionState
    from envhub.surveys.models import Submission

    start, end = view.utc_bounds()
    rows = Submission.objects.filter(
        _in(view, "organisation__province__code"), submitted_at__gt=start,
        submitted_at__lte=end).values("assignment__campaign__title").annotate(
            submitted=Count("id"),
            approved=Count("id", filter=Q(state__in=(SubmissionState.APPROVED,
                                                     SubmissionState.LOADED))))
    return sorted(({"name": row["assignment__campaign__title"], "submitted": row["submitted"],
                    "approved": row["approved"]} for row in rows),
                  key=lambda row: (-row["submitted"], row["name"]))


def daily_exceedances(view: View) -> list[dict]:
    """Every local day of the period: hours over the limit (judged windows ending that day)
    and exceedance events that began that day."""
    import datetime

    from envhub.core.timeutil import VN

    days = {view.period.first + datetime.timedelta(days=n): {"hours": 0, "events": 0}
            for n in range(view.period.days)}
    tiny = datetime.timedelta(microseconds=1)
    # A window ending at midnight belongs to the day it closes (hour-ending convention).
    for window_end, hours in _judged_over(view).values_list("window_end", "window_hours"):
        day = (window_end - tiny).astimezone(VN).date()
        if day in days:
            days[day]["hours"] += hours
    for start in _events(view).values_list("start", flat=True):
        day = (start - tiny).astimezone(VN).date()
        if day in days:
            days[day]["events"] += 1
    return [{"day": day.isoformat(), **figures} for day, figures in sorted(days.items())]
