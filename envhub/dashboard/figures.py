"""The dashboard's headline figures for a `View` (bảng điều khiển): each with the same figure for
the period before it and the change, per province too (the map colours provinces with them).

It reads only what is kept for reading: the daily rollups summed per station and day
(`StationDay`: `DailyRollup.valid_hours`, hours valid by the one completeness rule), the
stations' status and its history (`StationStatus`, `ConnectivityChange`), the judged windows
(summed per source and day: `compliance.DailyTally`) and events, the daily VN_AQI, the survey
assignments and the catalogue — never the observations. A fixed number of queries, whatever the
number of stations (no loop over stations or facilities issues one).

Which filters apply: the province to all but the survey campaigns and the catalogue (national
work); the sector (a facility's) to the stations on facilities' sources, the facilities and their
events, not to ambient air (no sector) nor to the surveys and the catalogue. `APPLIES` says so
for the page and the API.

Honesty rules (docs/dashboard.md): completeness is the valid hours over the hours expected of
every series in scope since the period began, whether data came or not; a count that would read
as "all is well" where nothing was judged (hours over the limit, events) is None ("no data"); a
previous period without data gives "no earlier data" (`changes.NO_EARLIER`)."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from envhub.airquality import vn_aqi
from envhub.catalog import services as catalog
from envhub.compliance import coverage
from envhub.compliance.models import Assessment, EventStatus, ExceedanceBand, ExceedanceEvent
from envhub.core import permissions
from envhub.core.permissions import Actor
from envhub.core.timeutil import VN, latest_complete_hour
from envhub.dashboard import changes
from envhub.dashboard.filters import View
from envhub.dashboard.reading import Reading
from envhub.monitoring.models import (
    Connectivity,
    ConnectivityChange,
)
from envhub.registry.models import Facility, Province
from envhub.surveys.models import Assignment, Campaign, State, Submission, Version

PROVINCE, SECTOR = "province", "sector"
APPLIES = {
    "stations": (PROVINCE, SECTOR), "completeness": (PROVINCE, SECTOR),
    "compliance": (PROVINCE, SECTOR), "events": (PROVINCE, SECTOR), "aqi": (PROVINCE,),
    "surveys": (), "catalogue": (),
}
NO_BAND = ""


def main_cities() -> tuple[str, ...]:
    """The main cities' province codes (ENVHUB_DASHBOARD_CITIES, read strictly by core.config:
    by default the six centrally-run cities)."""
    return tuple(settings.ENVHUB_DASHBOARD_CITIES)


@dataclass
class Figure:
    """One number of the page, the same for the period before, and where it leads."""

    key: str
    label: str
    value: float | None  # None: cannot be said (no data)
    previous: float | None = None  # None: no earlier data
    compared: bool = True  # False: a state now, with nothing to compare
    unit: str = ""  # "%" for a percentage
    of: int | None = None  # "12 of 40"
    url: str = ""
    group: str = ""  # a key of APPLIES
    worse_when_up: bool = True

    @property
    def change(self) -> changes.Change | None:
        if not self.compared:
            return None
        return changes.between(self.value, self.previous, points=self.unit == "%")

    @property
    def tone(self) -> str:
        """good/bad/"" for the arrow's colour."""
        change = self.change
        if change is None or change.kind not in (changes.UP, changes.DOWN):
            return ""
        return "bad" if (change.kind == changes.UP) == self.worse_when_up else "good"

    def as_dict(self) -> dict:
        change = self.change
        return {"key": self.key, "label": str(self.label), "value": self.value,
                "previous": self.previous if self.compared else None, "unit": self.unit,
                "of": self.of, "url": self.url, "filters": list(APPLIES[self.group]),
                "change": None if change is None else {
                    "kind": change.kind, "delta": change.delta, "percent": change.percent}}


@dataclass
class Dashboard:
    view: View
    now: datetime.datetime
    figures: list[Figure] = field(default_factory=list)
    bands: list[Figure] = field(default_factory=list)  # open events by severity band
    aqi_cities: list[dict] = field(default_factory=list)  # per city: days per category
    aqi: list[Figure] = field(default_factory=list)  # city-days per category, all cities
    surveys: list[dict] | None = None  # None: not in the reader's scope
    provinces: dict[str, dict] = field(default_factory=dict)  # per province code: map values

    def figure(self, key: str) -> Figure:
        return next(item for item in self.figures + self.bands + self.aqi if item.key == key)


# --- scope ----------------------------------------------------------------------------------

def _facilities(actor: Actor, view: View):
    qs = permissions.visible(actor, Facility.objects.all())
    if view.provinces is not None:
        qs = qs.filter(province__code__in=view.provinces)
    if view.sector:
        qs = qs.filter(sector=view.sector)
    return qs


def _end_of(view: View, now: datetime.datetime) -> datetime.datetime:
    """The moment a period's states are read at: its end, or now while it runs."""
    return min(view.utc_bounds()[1], now)


# --- stations ---------------------------------------------------------------------------------

def _states_at(stations, at: datetime.datetime, now: datetime.datetime) -> dict:
    """Per (province code, state): the stations in that connectivity state at `at`. Now: their
    status; earlier: the state the first change after `at` left (else the status, unchanged
    since), of the stations registered by then."""
    if at >= now:
        rows = stations.annotate(st=Coalesce("status__state", Value(Connectivity.NEVER)))
    else:
        left = ConnectivityChange.objects.filter(station_id=OuterRef("pk"), at__gt=at).order_by(
            "at", "id").values("previous")[:1]
        rows = stations.filter(created_at__lte=at).annotate(
            st=Coalesce(Subquery(left), "status__state", Value(Connectivity.NEVER)))
    return {(row["province__code"], row["st"]): row["n"] for row in rows.order_by().values(
        "province__code", "st").annotate(n=Count("id"))}


def _rollups(reading: Reading, views: list[View], now: datetime.datetime) -> list[dict]:
    """Per view of `views` (the period and the one before): per province code, rollup days,
    valid hours and stations with a valid hour in the period, and the hours expected of its
    series (every hour ended so far). The per-station totals come from the request's
    `Reading` (read once, shared with the rankings); the provinces are put together here."""
    rows = reading.station_rows()
    found = [defaultdict(lambda: {"days": 0, "valid_hours": 0, "reporting": 0, "expected": 0})
             for _view in views]
    for index, (view, sums) in enumerate(zip(views, reading.station_sums(), strict=True)):
        for station, (days, valid_hours, reporting) in sums.items():
            if station not in rows or not rows[station].series or not days:
                continue  # a station without series has no rollups to count
            place = found[index][rows[station].province]
            place["days"] += days
            place["valid_hours"] += valid_hours
            place["reporting"] += reporting > 0
        start, end = view.utc_bounds()
        hours = max(0, int((min(end, latest_complete_hour(now)) - start).total_seconds()
                           // 3600))
        for row in rows.values():
            if row.series:
                found[index][row.province]["expected"] += hours * row.series
    return found


def _station_figures(board: Dashboard, reading: Reading, view: View, links: dict) -> None:
    now, stations = board.now, reading.stations()
    total = Counter(row.province for row in reading.station_rows().values())
    states = _states_at(stations, _end_of(view, now), now)
    before = view.previous()
    earlier_at = _end_of(before, now)
    states_before = _states_at(stations, earlier_at, now)
    existed = stations.filter(created_at__lte=earlier_at).exists()
    rollups, rollups_before = _rollups(reading, [view, before], now)

    def count(table, state):
        return sum(n for (_code, st), n in table.items() if st == state)

    def summed(table, key):
        return sum(row[key] for row in table.values())

    had_rollups = summed(rollups_before, "days") > 0
    board.figures += [
        Figure("stations_reporting", _("stations reporting"), summed(rollups, "reporting"),
               summed(rollups_before, "reporting") if had_rollups else None,
               of=sum(total.values()), url=links["stations"], group="stations",
               worse_when_up=False),
        Figure("stations_late", _("stations late"), count(states, Connectivity.LATE),
               count(states_before, Connectivity.LATE) if existed else None,
               url=links["late"], group="stations"),
        Figure("stations_offline", _("stations offline"), count(states, Connectivity.OFFLINE),
               count(states_before, Connectivity.OFFLINE) if existed else None,
               url=links["offline"], group="stations"),
        Figure("completeness", _("data completeness"),
               changes.share(summed(rollups, "valid_hours"), summed(rollups, "expected")),
               changes.share(summed(rollups_before, "valid_hours"),
                             summed(rollups_before, "expected")) if had_rollups else None,
               unit="%", url=links["stations"], group="completeness", worse_when_up=False),
    ]
    for code in set(total) | set(rollups):
        place = board.provinces.setdefault(code, {})
        place["stations"] = total.get(code, 0)
        place["stations_offline"] = states.get((code, Connectivity.OFFLINE), 0)
        place["completeness"] = changes.share(rollups[code]["valid_hours"],
                                              rollups[code]["expected"]) if code in rollups \
            else None


# --- compliance -------------------------------------------------------------------------------

def _compliance(facilities, province_of: dict, views: list[View], now) -> list[tuple]:
    """Per view of `views` (the period and the one before, the judged windows read once):
    (hours over the limit, facilities over it, per province hours) — None where the period
    was not judged (a 0 would read as compliance)."""
    bounds = [view.utc_bounds() for view in views]
    found = []
    for (start, end), tallies in zip(bounds, coverage.facilities_tallies(facilities, bounds, now),
                                     strict=True):
        whole, per_province = coverage.Tally(), defaultdict(coverage.Tally)
        for facility_id, tally in tallies.items():
            whole.add(tally)
            per_province[province_of.get(facility_id)].add(tally)
        told = whole.told(start, end, now)
        hours = told.shown(whole.exceeded_hours)
        over = sum(1 for tally in tallies.values() if tally.exceeded_hours)
        by_province = {code: tally.told(start, end, now).shown(tally.exceeded_hours)
                       for code, tally in per_province.items()}
        found.append((hours, (over if hours is not None else None), by_province))
    return found


def _open_events(facilities, at: datetime.datetime, now: datetime.datetime) -> dict:
    """Per (band, province code): the events open at `at` (withdrawn ones never were): those
    open now that had started, and before now also those closed since — two queries, each
    through its own index (`exceedance_status_start`, `exceedance_closed_start`), where one
    with an OR read every event of every facility."""
    # `facility_id + 0`: SQLite (no statistics) would otherwise read every event of each
    # facility in turn rather than through the index on the events' state.
    base = ExceedanceEvent.objects.alias(of_facility=F("source__facility_id") + 0).filter(
        of_facility__in=facilities.values("pk"), start__lte=at)
    parts = [base.filter(status=EventStatus.OPEN)]
    if at < now:
        parts.append(base.filter(closed_at__gt=at).exclude(
            status__in=(EventStatus.OPEN, EventStatus.WITHDRAWN)))
    found: Counter = Counter()
    for qs in parts:
        for band, code, count in qs.order_by().values(
                "band", "source__facility__province__code").annotate(n=Count("id")).values_list(
                "band", "source__facility__province__code", "n"):
            found[band, code] += count
    return dict(found)


def _compliance_figures(board: Dashboard, actor: Actor, view: View, links: dict) -> None:
    now, facilities = board.now, _facilities(actor, view)
    province_of = dict(facilities.values_list("id", "province__code"))
    before = view.previous()
    (hours, over, hours_by_province), (hours_before, over_before, _unused) = _compliance(
        facilities, province_of, [view, before], now)
    board.figures += [
        Figure("facilities_over", _("facilities over a limit"), over, over_before,
               url=links["compliance"], group="compliance"),
        Figure("hours_over", _("hours over a limit"), hours, hours_before,
               url=links["compliance"], group="compliance"),
    ]
    at, earlier_at = _end_of(view, now), _end_of(before, now)
    judged = Assessment.objects.filter(source__facility__in=facilities.values("pk"))
    judged_by = {key: judged.filter(window_end__lte=moment).exists()
                 for key, moment in (("now", at), ("before", earlier_at))}
    events, events_before = _open_events(facilities, at, now), _open_events(
        facilities, earlier_at, now)
    labels = {}
    for code, label in ExceedanceBand.objects.order_by("lower").values_list("code", "label"):
        labels.setdefault(code, label)
    codes = list(labels) + sorted({band for band, _c in events} - set(labels))
    total = sum(events.values())
    board.bands.append(Figure(
        "events_open", _("open exceedance events"), total if judged_by["now"] else None,
        sum(events_before.values()) if judged_by["before"] else None,
        url=links["events"], group="events"))
    for band in codes:
        value = sum(n for (code, _c), n in events.items() if code == band)
        previous = sum(n for (code, _c), n in events_before.items() if code == band)
        board.bands.append(Figure(
            f"events_band_{band or 'none'}", labels.get(band) or _("no band"),
            value if judged_by["now"] else None,
            previous if judged_by["before"] else None,
            url=links["events"] + (f"&band={band}" if band else ""), group="events"))
    for code in set(hours_by_province) | {code for _b, code in events}:
        place = board.provinces.setdefault(code, {})
        place["hours_over"] = hours_by_province.get(code)
        place["events_open"] = sum(n for (_b, c), n in events.items() if c == code)


# --- air quality ------------------------------------------------------------------------------

def _aqi_days(reading: Reading, cities: list[str], view: View) -> dict:
    """Per city: days per category, a day's category that of the worst station's daily
    VN_AQI (a day some station of the city found poor was a poor day there)."""
    days: dict[str, Counter] = defaultdict(Counter)
    for (code, _day), category in reading.city_days(cities, view.period.first,
                                                    view.period.last).items():
        days[code][category] += 1
    return days


def _aqi_figures(board: Dashboard, reading: Reading, view: View, links: dict) -> None:
    cities = [code for code in main_cities()
              if view.provinces is None or code in view.provinces]
    if not cities:
        return
    names = dict(Province.objects.filter(code__in=cities).values_list("code", "name"))
    days, days_before = (_aqi_days(reading, cities, part)
                          for part in (view, view.previous()))
    english = (get_language() or "vi").startswith("en")
    for category in vn_aqi.CATEGORIES:
        board.aqi.append(Figure(
            f"aqi_{category.code}", category.name_en if english else category.name_vi,
            sum(city[category.code] for city in days.values()),
            sum(city[category.code] for city in days_before.values()) if days_before else None,
            url=links["air"], group="aqi",
            worse_when_up=category.code != "good"))
    for code in cities:
        if code in names:
            board.aqi_cities.append({
                "code": code, "name": names[code], "url": links["air_city"](code),
                "days": [days[code][category.code] for category in vn_aqi.CATEGORIES],
                "total": sum(days[code].values())})


# --- work in progress: surveys and the catalogue ----------------------------------------------

def _survey_progress(actor: Actor, view: View, today: datetime.date) -> list[dict] | None:
    """Per campaign of the period's years (in the reader's scope): its datasets owed, sent,
    approved, and overdue (deadline passed and nothing approved). One query. None for a
    provincial officer: the surveys' policy shows campaigns to the national roles only."""
    if not (actor.sees_everything or actor.is_system):
        return None
    campaigns = permissions.visible(actor, Campaign.objects.filter(
        year__in=range(view.period.first.year, view.period.last.year + 1)))
    rows = Assignment.objects.filter(campaign__in=campaigns.values("pk")).order_by(
        "-campaign__year", "campaign__title").annotate(
        approved=Exists(Version.objects.filter(assignment_id=OuterRef("pk"))),
        sent=Exists(Submission.objects.filter(assignment_id=OuterRef("pk")).exclude(
            state=State.DRAFT))).values("campaign_id", "campaign__title", "campaign__year",
                                        "due_on", "approved", "sent")
    found: dict[int, dict] = {}
    for row in rows:
        item = found.setdefault(row["campaign_id"], {
            "id": row["campaign_id"], "title": row["campaign__title"],
            "year": row["campaign__year"], "owed": 0, "sent": 0, "approved": 0, "overdue": 0})
        item["owed"] += 1
        item["sent"] += row["sent"] or row["approved"]
        item["approved"] += row["approved"]
        item["overdue"] += row["due_on"] < today and not row["approved"]
    for item in found.values():
        item["percent"] = changes.share(item["approved"], item["owed"])
    return list(found.values())


def _catalogue_figure(actor: Actor, now: datetime.datetime, links: dict) -> Figure:
    datasets = list(catalog.visible(actor).filter(withdrawn=False))
    late = sum(1 for item in datasets if item.is_late(now))
    return Figure("datasets_late", _("catalogue datasets late"), late, compared=False,
                  of=len(datasets), url=links["catalogue"], group="catalogue")


# --- the whole ----------------------------------------------------------------------------------

def dashboard(actor: Actor, view: View, links: dict,
              now: datetime.datetime | None = None, reading: Reading | None = None) -> Dashboard:
    """Every figure of `view` for `actor` (the view already bounded by their scope). `links`:
    the lists behind the figures (`dashboard.links.for_view`); `reading`: what the request's
    other parts share (one is made when none is given)."""
    board = Dashboard(view=view, now=now or timezone.now())
    reading = reading or Reading(view, actor)
    _station_figures(board, reading, view, links)
    _compliance_figures(board, actor, view, links)
    _aqi_figures(board, reading, view, links)
    board.surveys = _survey_progress(actor, view, board.now.astimezone(VN).date())
    board.figures.append(_catalogue_figure(actor, board.now, links))
    return board
