"""The dashboard tests' seeded worlds, in one module: the pieces they are made of (local time,
judged windows, events, daily rollups, survey work), the three worlds, and the hand-written
SQL the tests compare envhub's figures with (never envhub's own code).

- `figures_world`: October and November 2026 read at NOW (20 November, noon in Viet Nam),
  nothing before (September has no data: "no earlier data") — the headline figures and pages.
- `tables_world`: November 2026 (the view's month) and October, nothing in September, read on
  7 December — the grouped tables, the trends and the rankings.
- `report_world`: November 2026 whole, read on 7 December — the monthly report.

Times are fixed, never the test's clock."""

from __future__ import annotations

import datetime

from django.db import connection

from envhub.airquality.models import DailyAqi
from envhub.compliance.models import (
    Assessment,
    EventStatus,
    ExceedanceEvent,
    Permit,
    Regulation,
    State,
)
from envhub.core.timeutil import VN
from envhub.dashboard import filters
from envhub.monitoring.models import (
    Connectivity,
    ConnectivityChange,
    DailyRollup,
    Series,
    StationStatus,
)
from envhub.registry.models import Parameter, Station, StationKind
from envhub.surveys.models import Assignment, Campaign, Submission, SurveySchema
from envhub.surveys.models import State as SubmissionState
from tests.conftest import _save

UTC = datetime.UTC
D = datetime.date


def local(day: datetime.date, hour: int = 0) -> datetime.datetime:
    """`hour` o'clock of `day` in Viet Nam, in UTC."""
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=VN).astimezone(UTC)


def days_from(first: datetime.date, count: int) -> list[datetime.date]:
    return [first + datetime.timedelta(days=n) for n in range(count)]


def judged(source, parameter, end, state=State.EXCEEDS, *, hours=1, value=None, limit=None,
           band=None) -> Assessment:
    """A judged window ending at `end` (unsaved); over the limit: band "2" unless told."""
    return Assessment(source=source, parameter=parameter, window_end=end, window_hours=hours,
                      measured=value, value=value, limit=limit,
                      multiple=value / limit if value is not None and limit else None,
                      coverage=100, state=state,
                      band=band if band is not None else "2" if state == State.EXCEEDS else "")


def event(source, parameter, start, end, band, status=EventStatus.CLOSED, *, hours=None,
          limit=500, multiple=1.2, closed_at=None) -> ExceedanceEvent:
    """An exceedance event, its peak 600 at its start; its hours those it spans unless told."""
    return ExceedanceEvent.objects.create(
        source=source, parameter=parameter, start=start, end=end, peak_value=600,
        peak_multiple=multiple, peak_at=start, band=band, limit=limit, unit="mg/Nm3",
        hours=hours if hours is not None else (end - start) // datetime.timedelta(hours=1),
        status=status, closed_at=closed_at)


def rollups(series, days, valid_hours: int, per_hour: int = 12) -> list[DailyRollup]:
    """Daily rollups (unsaved) of `valid_hours` full hours a day, `per_hour` values an hour."""
    return [DailyRollup(series=series, day=day, count=valid_hours * per_hour,
                        valid_count=valid_hours * per_hour, expected_count=24 * per_hour,
                        coverage=100 * valid_hours / 24, valid_hours=valid_hours,
                        valid=valid_hours >= 18) for day in days]


def went(station, at, previous, current) -> None:
    ConnectivityChange.objects.create(station=station, at=at, previous=previous, current=current)


def survey_work(world, title, work, submitted_at=None, due_on=D(2026, 11, 30)) -> None:
    """A campaign of 2026 with one assignment per (unit, state) in `work` (state None: not
    started), each of its own kind of survey."""
    campaign = Campaign.objects.create(title=title, year=2026, created_by="tests")
    schemas = list(SurveySchema.objects.order_by("id")[:len(work)])
    for schema, (unit, state) in zip(schemas, work, strict=True):
        assignment = Assignment.objects.create(campaign=campaign, schema=schema,
                                               organisation=unit, due_on=due_on)
        if state:
            Submission.objects.create(assignment=assignment, organisation=unit, state=state,
                                      created_by="tests", submitted_at=submitted_at)


def _parameters() -> dict[str, Parameter]:
    found = {code: Parameter.objects.get(medium="emission", code=code)
             for code in ("SO2", "CO", "NOx")}
    found["PM2_5"] = Parameter.objects.get(medium="air", code="PM2_5")
    return found


# --- the headline figures' world ------------------------------------------------------------

# 20 November 2026, 12:00 in Viet Nam: November is running, October has ended.
NOW = datetime.datetime(2026, 11, 20, 5, 0, tzinfo=UTC)
TODAY = D(2026, 11, 20)
OCT, NOV = D(2026, 10, 1), D(2026, 11, 1)


def figures_world(world) -> dict:
    """Rollups, states and their history, judged windows, events and daily AQI in October and
    November 2026; nothing before."""
    parameters = _parameters()
    so2, co, pm25 = parameters["SO2"], parameters["CO"], parameters["PM2_5"]
    water = Parameter.objects.filter(medium="water").order_by("code").first()
    made = {"hn_so2": (world.station_stack_hn, so2), "hn_co": (world.station_stack_hn, co),
            "hn_water": (world.station_outfall_hn, water),
            "hn2_so2": (world.station_stack_hn2, so2), "dn_so2": (world.station_stack_dn, so2),
            "air_hn": (world.air_hn, pm25), "air_dn": (world.air_dn, pm25)}
    series = {key: Series.objects.create(station=station, parameter=parameter)
              for key, (station, parameter) in made.items()}
    # Backdate the registry: the stations existed before September.
    Station.objects.update(created_at=datetime.datetime(2026, 8, 1, tzinfo=UTC))

    # Rollups: October whole for every series but HN2's (20 days); November 1–19 for the
    # Hà Nội stack and the air stations only, and 10 hours of the 20th so far.
    rows = []
    for key in series:
        rows += rollups(series[key], days_from(OCT, 20 if key == "hn2_so2" else 31),
                        24 if key != "dn_so2" else 12)
    for key in ("hn_so2", "hn_co", "air_hn", "air_dn"):
        rows += rollups(series[key], days_from(NOV, 19), 24)
        rows += rollups(series[key], [TODAY], 10)
    DailyRollup.objects.bulk_create(rows)

    # States now, and their history: HN2's stack went offline on 5 November (late on the 4th);
    # Đồng Nai's stack was late at the end of October and is online again.
    states = {world.station_stack_hn: Connectivity.ONLINE,
              world.station_outfall_hn: Connectivity.LATE,
              world.station_stack_hn2: Connectivity.OFFLINE,
              world.station_stack_dn: Connectivity.ONLINE,
              world.air_hn: Connectivity.ONLINE, world.air_dn: Connectivity.OFFLINE}
    for station, state in states.items():
        StationStatus.objects.create(station=station, state=state,
                                     state_since=local(D(2026, 11, 5), 8))
    for station, at, before, after in (
            (world.station_stack_hn2, local(D(2026, 11, 4), 9), "online", "late"),
            (world.station_stack_hn2, local(D(2026, 11, 5), 8), "late", "offline"),
            (world.station_stack_dn, local(D(2026, 10, 30), 9), "online", "late"),
            (world.station_stack_dn, local(D(2026, 11, 2), 9), "late", "online"),
            (world.station_outfall_hn, local(D(2026, 11, 10), 9), "online", "late"),
            (world.air_dn, local(D(2026, 11, 12), 9), "online", "offline")):
        went(station, at, before, after)

    # Compliance: permits on the three stacks; hourly windows judged.
    regulation = Regulation.objects.get(code="QCVN 19:2009/BTNMT")
    for source in (world.stack_hn, world.stack_hn2, world.stack_dn):
        Permit.objects.create(source=source, number=f"{source.pk}/GPMT",
                              valid_from=D(2024, 1, 1), regulation=regulation,
                              column="B", facility_flow_m3h=10_000, location_class="3",
                              actual_conditions=False)
    windows = []

    def judge(source, days, hours, over=()):
        for day in days:
            for hour in hours:  # the window ending `hour` hours after the day's midnight
                exceeds = (day, hour) in over
                windows.append(judged(source, so2, local(day) + datetime.timedelta(hours=hour),
                                      State.EXCEEDS if exceeds else State.COMPLIES,
                                      value=600 if exceeds else 100, limit=500))

    all_hours = range(1, 25)
    # Hà Nội's stack: October fully judged, 3 hours over; November judged so far, 5 over.
    judge(world.stack_hn, days_from(OCT, 31), all_hours, {(D(2026, 10, 3), h) for h in (1, 2, 3)})
    judge(world.stack_hn, days_from(NOV, 19), all_hours,
          {(D(2026, 11, 8), h) for h in (4, 5, 6, 7, 8)})
    judge(world.stack_hn, [TODAY], range(1, 12))
    # Đồng Nai's stack: October judged with 2 hours over; November nothing yet.
    judge(world.stack_dn, days_from(OCT, 31), all_hours, {(D(2026, 10, 20), h) for h in (10, 11)})
    Assessment.objects.bulk_create(windows)

    def run(source, start, hours, band, status, closed_at=None):
        return event(source, so2, start, start + datetime.timedelta(hours=hours), band, status,
                     closed_at=closed_at)

    events = {
        # Opened 3 October, still open now (open at the end of both months).
        "hn_open": run(world.stack_hn, local(D(2026, 10, 3)), 3, "2", EventStatus.OPEN),
        # Opened 8 November, open now.
        "hn_new": run(world.stack_hn, local(D(2026, 11, 8), 3), 5, "3", EventStatus.OPEN),
        # Đồng Nai: opened 20 October, closed 5 November (open at the end of October).
        "dn_closed": run(world.stack_dn, local(D(2026, 10, 20), 9), 2, "2", EventStatus.CLOSED,
                         local(D(2026, 11, 5))),
        # Withdrawn: never counted.
        "dn_withdrawn": run(world.stack_dn, local(D(2026, 10, 25), 9), 1, "4",
                            EventStatus.WITHDRAWN, local(D(2026, 10, 26))),
    }

    # Daily VN_AQI: Hà Nội's station, October and November, in turn in each of the six
    # categories (good to hazardous); Đồng Nai is no main city.
    aqi = []
    for day in days_from(OCT, 31) + days_from(NOV, 19):
        value = (40, 80, 130, 160, 250, 350)[day.day % 6]
        aqi.append(DailyAqi(station=world.air_hn, day=day, aqi=value, category=""))
        aqi.append(DailyAqi(station=world.air_dn, day=day, aqi=30, category=""))
    DailyAqi.objects.bulk_create(aqi)
    return {"series": series, "events": events, "parameters": {"SO2": so2, "CO": co}}


# --- the tables', trends' and rankings' world -----------------------------------------------

# When the tables' and the report's worlds are read: 7 December 2026, 09:00 in Viet Nam (every
# hour of November has ended; December is running).
DEC7 = D(2026, 12, 7)
DEC7_NOW = local(DEC7, 9)
NOVEMBER = {"period": "month", "at": "2026-11-15"}
SEPTEMBER = {"period": "month", "at": "2026-09-10"}


def tables_view(world, persona="leader", params=NOVEMBER, **more) -> filters.View:
    """The view of `params` (November by default) as `persona` reads it on 7 December."""
    return filters.view_from(world.actor(persona), {**params, **more}, today=DEC7)


def tables_world(world) -> Station:
    """Judged windows, events, daily rollups, connectivity, daily VN_AQI and survey work in
    November and October 2026, nothing in September. Returns the second Hà Nội air station."""
    parameters = _parameters()
    so2, nox, pm25 = parameters["SO2"], parameters["NOx"], parameters["PM2_5"]
    # Hours over the limit in November: Hà Nội 5 (thermal power) + 3 (textiles), Đồng Nai 8
    # (cement, 4 two-hour windows). In October: Đồng Nai 2, one of them the hour ending at
    # local midnight on 1 November (it belongs to October).
    windows = [judged(world.stack_hn, so2, local(D(2026, 11, 3), 8 + hour)) for hour in range(5)]
    windows += [judged(world.stack_hn, so2, local(D(2026, 11, 3), 20), State.COMPLIES),
                judged(world.stack_hn, nox, local(D(2026, 11, 4), 9), State.UNKNOWN)]
    windows += [judged(world.stack_hn2, so2, local(D(2026, 11, 10), 1 + hour))
                for hour in range(3)]
    windows += [judged(world.stack_dn, so2, local(D(2026, 11, 20), 2 + 2 * window), hours=2)
                for window in range(4)]
    windows += [judged(world.stack_dn, so2, local(D(2026, 10, 5), 10)),
                judged(world.stack_dn, so2, local(D(2026, 11, 1)))]
    Assessment.objects.bulk_create(windows)
    # Events: Hà Nội's thermal plant one open (band 2) and one closed (band 3) in November;
    # Đồng Nai's cement one closed (band 4) and one withdrawn (never counted).
    for source, start, end, band, status in (
            (world.stack_hn, local(D(2026, 11, 3), 7), local(D(2026, 11, 3), 13), "2",
             EventStatus.OPEN),
            (world.stack_hn, local(D(2026, 10, 31), 22), local(D(2026, 11, 1), 3), "3",
             EventStatus.CLOSED),
            (world.stack_dn, local(D(2026, 11, 20)), local(D(2026, 11, 20), 8), "4",
             EventStatus.CLOSED),
            (world.stack_dn, local(D(2026, 11, 21)), local(D(2026, 11, 21), 8), "6",
             EventStatus.WITHDRAWN)):
        event(source, so2, start, end, band, status, hours=1, limit=450, multiple=1.3)
    # Completeness in November (30 days, 720 hours per series): HNKT1 two series, one complete
    # and one with 10 days of 20 valid hours; DNKT1 one series with 15 full days; HNKK1 one
    # series with nothing.
    so2_hn = Series.objects.create(station=world.station_stack_hn, parameter=so2)
    nox_hn = Series.objects.create(station=world.station_stack_hn, parameter=nox)
    so2_dn = Series.objects.create(station=world.station_stack_dn, parameter=so2)
    Series.objects.create(station=world.air_hn, parameter=pm25)
    november = days_from(D(2026, 11, 1), 30)
    DailyRollup.objects.bulk_create(rollups(so2_hn, november, 24) + rollups(
        nox_hn, november[:10], 20) + rollups(so2_dn, november[:15], 24))
    # Connectivity: DNKT1 went offline twice in November and is offline now; HNKT1 late now.
    for at in (local(D(2026, 11, 5)), local(D(2026, 11, 18)), local(D(2026, 10, 2))):
        went(world.station_stack_dn, at, Connectivity.ONLINE, Connectivity.OFFLINE)
    StationStatus.objects.create(station=world.station_stack_dn, state=Connectivity.OFFLINE)
    StationStatus.objects.create(station=world.station_stack_hn, state=Connectivity.LATE)
    # VN_AQI: two Hà Nội stations (a city); Đồng Nai's is not a main city. A city's day takes
    # its worst station: 1 Nov 40 and 120 (poor), 2 Nov 60 (moderate), 5 Oct 30 (good).
    air_hn2 = _save(Station(code="HNKK2", name="Trạm HNKK2", kind=StationKind.AUTO_AIR,
                            province=world.hanoi, latitude=21.0, longitude=105.8))
    for station, day, aqi in ((world.air_hn, D(2026, 11, 1), 40), (air_hn2, D(2026, 11, 1), 120),
                              (world.air_hn, D(2026, 11, 2), 60),
                              (world.air_hn, D(2026, 10, 5), 30),
                              (world.air_dn, D(2026, 11, 1), 200)):
        DailyAqi.objects.create(station=station, day=day, aqi=aqi)
    # Survey work of 2026: three assignments, one submitted, one approved, one not started.
    survey_work(world, "Điều tra năm 2026", [(world.survey_unit, SubmissionState.SUBMITTED),
                                            (world.dept_hanoi, SubmissionState.APPROVED),
                                            (world.dept_dongnai, None)])
    return air_hn2


# --- the monthly report's world -------------------------------------------------------------

MONTH_FIRST, MONTH_LAST = D(2026, 11, 1), D(2026, 11, 30)
MONTH = (local(MONTH_FIRST), local(D(2026, 12, 1)))  # its bounds, UTC


def report_world(world) -> None:
    """November 2026 in the two provinces: judged windows over the limit, exceedance events,
    daily rollups, a station going offline, daily AQI of both cities and a survey
    submission."""
    parameters = _parameters()
    so2, pm25 = parameters["SO2"], parameters["PM2_5"]
    windows = []

    def over(source, day, hours):
        for hour in range(1, hours + 1):
            windows.append(judged(source, so2, local(D(2026, 11, day), hour), value=600,
                                  limit=500, band="1-2"))
        event(source, so2, local(D(2026, 11, day), 1), local(D(2026, 11, day), hours), "1-2",
              hours=hours)

    over(world.stack_hn, 3, 5)     # Hà Nội, thermal power
    over(world.stack_hn, 17, 2)
    over(world.stack_hn2, 10, 4)   # Hà Nội, textiles
    over(world.stack_dn, 20, 7)    # Đồng Nai, cement
    # Outside the month: neither counted nor shown; a compliant window: not an hour over.
    windows.append(judged(world.stack_dn, so2, local(D(2026, 12, 1), 1), value=600, limit=500,
                          band=""))
    windows.append(judged(world.stack_dn, so2, local(D(2026, 11, 21), 1), State.COMPLIES,
                          value=100, limit=500))
    Assessment.objects.bulk_create(windows)

    for station, valid in ((world.station_stack_hn, 20), (world.station_stack_dn, 12),
                           (world.air_hn, 24)):
        series = Series.objects.create(
            station=station, parameter=pm25 if station.kind == StationKind.AUTO_AIR else so2)
        DailyRollup.objects.bulk_create(rollups(series, days_from(MONTH_FIRST, 30), valid,
                                                per_hour=1))
    went(world.station_stack_dn, local(D(2026, 11, 12), 8), Connectivity.ONLINE,
         Connectivity.OFFLINE)
    # Hà Nội: 20 good days, 10 poor; Đồng Nai: 30 moderate.
    DailyAqi.objects.bulk_create(
        [DailyAqi(station=world.air_hn, day=day, aqi=40 if day.day <= 20 else 120,
                  category="good" if day.day <= 20 else "poor")
         for day in days_from(MONTH_FIRST, 30)]
        + [DailyAqi(station=world.air_dn, day=day, aqi=70, category="moderate")
           for day in days_from(MONTH_FIRST, 30)])
    survey_work(world, "Điều tra 2026", [(world.survey_unit, SubmissionState.APPROVED)],
                submitted_at=local(D(2026, 11, 15), 9), due_on=D(2026, 12, 31))


# --- independent queries --------------------------------------------------------------------

def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def plain_over(start, end, sector=None) -> dict[str, tuple[int, int]]:
    """Per province code: the hours over the limit of the windows ending in (start, end] and
    the facilities with any, by hand-written SQL."""
    sql = ("SELECT p.code, SUM(a.window_hours), COUNT(DISTINCT f.id) "
           "FROM compliance_assessment a "
           "JOIN registry_source s ON s.id = a.source_id "
           "JOIN registry_facility f ON f.id = s.facility_id "
           "JOIN registry_province p ON p.id = f.province_id "
           "WHERE a.state = 'exceeds' AND a.window_end > %s AND a.window_end <= %s")
    params = [start, end]
    if sector:
        sql += " AND f.sector = %s"
        params.append(sector)
    return {code: (int(hours), facilities)
            for code, hours, facilities in _rows(sql + " GROUP BY p.code", params)}


def plain_hours_by_province(start, end, provinces=None, sector=None) -> dict[str, int]:
    """Hours over the limit in (start, end] by province code, of `provinces` (None: all)."""
    return {code: hours for code, (hours, _facilities) in plain_over(start, end, sector).items()
            if provinces is None or code in provinces}


def plain_hours(start, end, province=None) -> int:
    """Hours over the limit in (start, end], of one province or of all."""
    return sum(plain_hours_by_province(start, end, None if province is None else [province])
               .values())


def plain_events_started(start, end, province=None) -> int:
    """Events (withdrawn ones too) that started in (start, end], of one province or all."""
    sql = ("SELECT COUNT(*) FROM compliance_exceedanceevent e "
           "JOIN registry_source s ON s.id = e.source_id "
           "JOIN registry_facility f ON f.id = s.facility_id "
           "JOIN registry_province p ON p.id = f.province_id "
           "WHERE e.start > %s AND e.start <= %s")
    params = [start, end]
    if province:
        sql += " AND p.code = %s"
        params.append(province)
    return int(_rows(sql, params)[0][0])
