"""A small seeded world for the dashboard's tests: rollups, states and their history, judged
windows, events and daily AQI in October and November 2026, nothing before (September has no
data: "no earlier data"). Times are fixed (NOW), never the test's clock."""

from __future__ import annotations

import datetime

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
from envhub.monitoring.models import (
    Connectivity,
    ConnectivityChange,
    DailyRollup,
    Series,
    StationStatus,
)
from envhub.registry.models import Parameter, Station

UTC = datetime.UTC
# 20 November 2026, 12:00 in Viet Nam: November is running, October has ended.
NOW = datetime.datetime(2026, 11, 20, 5, 0, tzinfo=UTC)
TODAY = datetime.date(2026, 11, 20)
OCT, NOV = datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)


def local(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=VN).astimezone(UTC)


def _days(first: datetime.date, count: int):
    return [first + datetime.timedelta(days=n) for n in range(count)]


def seed(world) -> dict:
    emission = {code: Parameter.objects.get(medium="emission", code=code)
                for code in ("SO2", "CO")}
    water = Parameter.objects.filter(medium="water").order_by("code").first()
    pm25 = Parameter.objects.get(medium="air", code="PM2_5")
    series = {
        "hn_so2": Series.objects.create(station=world.station_stack_hn, parameter=emission["SO2"]),
        "hn_co": Series.objects.create(station=world.station_stack_hn, parameter=emission["CO"]),
        "hn_water": Series.objects.create(station=world.station_outfall_hn, parameter=water),
        "hn2_so2": Series.objects.create(station=world.station_stack_hn2,
                                         parameter=emission["SO2"]),
        "dn_so2": Series.objects.create(station=world.station_stack_dn, parameter=emission["SO2"]),
        "air_hn": Series.objects.create(station=world.air_hn, parameter=pm25),
        "air_dn": Series.objects.create(station=world.air_dn, parameter=pm25),
    }
    # Backdate the registry: the stations existed before September.
    Station.objects.update(created_at=datetime.datetime(2026, 8, 1, tzinfo=UTC))

    # Rollups: October whole for every series but HN2's (20 days) ; November 1–19 for the
    # Hà Nội stack and the air stations only, and 20 hours of the 20th so far.
    rollups = []

    def day_rows(key, days, valid_hours):
        for day in days:
            rollups.append(DailyRollup(series=series[key], day=day, count=valid_hours * 12,
                                       valid_count=valid_hours * 12, expected_count=288,
                                       coverage=100 * valid_hours / 24, valid_hours=valid_hours,
                                       valid=valid_hours >= 18))

    for key in series:
        day_rows(key, _days(OCT, 20 if key == "hn2_so2" else 31), 24 if key != "dn_so2" else 12)
    for key in ("hn_so2", "hn_co", "air_hn", "air_dn"):
        day_rows(key, _days(NOV, 19), 24)
        day_rows(key, [TODAY], 10)
    DailyRollup.objects.bulk_create(rollups)

    # States now, and their history: HN2's stack went offline on 5 November (late on the 4th);
    # Đồng Nai's stack was late at the end of October and is online again.
    states = {world.station_stack_hn: Connectivity.ONLINE,
              world.station_outfall_hn: Connectivity.LATE,
              world.station_stack_hn2: Connectivity.OFFLINE,
              world.station_stack_dn: Connectivity.ONLINE,
              world.air_hn: Connectivity.ONLINE, world.air_dn: Connectivity.OFFLINE}
    for station, state in states.items():
        StationStatus.objects.create(station=station, state=state,
                                     state_since=local(datetime.date(2026, 11, 5), 8))
    for station, at, before, after in (
            (world.station_stack_hn2, local(datetime.date(2026, 11, 4), 9), "online", "late"),
            (world.station_stack_hn2, local(datetime.date(2026, 11, 5), 8), "late", "offline"),
            (world.station_stack_dn, local(datetime.date(2026, 10, 30), 9), "online", "late"),
            (world.station_stack_dn, local(datetime.date(2026, 11, 2), 9), "late", "online"),
            (world.station_outfall_hn, local(datetime.date(2026, 11, 10), 9), "online", "late"),
            (world.air_dn, local(datetime.date(2026, 11, 12), 9), "online", "offline")):
        ConnectivityChange.objects.create(station=station, at=at, previous=before,
                                          current=after)

    # Compliance: permits on the three stacks; hourly windows judged.
    regulation = Regulation.objects.get(code="QCVN 19:2009/BTNMT")
    for source in (world.stack_hn, world.stack_hn2, world.stack_dn):
        Permit.objects.create(source=source, number=f"{source.pk}/GPMT",
                              valid_from=datetime.date(2024, 1, 1), regulation=regulation,
                              column="B", facility_flow_m3h=10_000, location_class="3",
                              actual_conditions=False)
    assessments = []

    def judge(source, parameter, days, hours, exceeded_hours=()):
        for day in days:
            for hour in hours:  # the window ending `hour` hours after the day's midnight
                end = local(day, 0) + datetime.timedelta(hours=hour)
                over = (day, hour) in exceeded_hours
                assessments.append(Assessment(
                    source=source, parameter=parameter, window_end=end, window_hours=1,
                    value=600 if over else 100, limit=500, multiple=1.2 if over else 0.2,
                    coverage=100, state=State.EXCEEDS if over else State.COMPLIES,
                    band="2" if over else ""))

    all_hours = range(1, 25)
    # Hà Nội's stack: October fully judged, 3 hours over; November judged so far, 5 over.
    judge(world.stack_hn, emission["SO2"], _days(OCT, 31), all_hours,
          {(datetime.date(2026, 10, 3), h) for h in (1, 2, 3)})
    judge(world.stack_hn, emission["SO2"], _days(NOV, 19), all_hours,
          {(datetime.date(2026, 11, 8), h) for h in (4, 5, 6, 7, 8)})
    judge(world.stack_hn, emission["SO2"], [TODAY], range(1, 12))
    # Đồng Nai's stack: October judged with 2 hours over; November nothing yet.
    judge(world.stack_dn, emission["SO2"], _days(OCT, 31), all_hours,
          {(datetime.date(2026, 10, 20), h) for h in (10, 11)})
    Assessment.objects.bulk_create(assessments)

    def event(source, start, hours, band, status, closed_at=None):
        return ExceedanceEvent.objects.create(
            source=source, parameter=emission["SO2"], start=start,
            end=start + datetime.timedelta(hours=hours), peak_value=600, peak_multiple=1.2,
            peak_at=start, band=band, hours=hours, limit=500, unit="mg/Nm3", status=status,
            closed_at=closed_at)

    events = {
        # Opened 3 October, still open now (open at the end of both months).
        "hn_open": event(world.stack_hn, local(datetime.date(2026, 10, 3), 0), 3, "2",
                         EventStatus.OPEN),
        # Opened 8 November, open now.
        "hn_new": event(world.stack_hn, local(datetime.date(2026, 11, 8), 3), 5, "3",
                        EventStatus.OPEN),
        # Đồng Nai: opened 20 October, closed 5 November (open at the end of October).
        "dn_closed": event(world.stack_dn, local(datetime.date(2026, 10, 20), 9), 2, "2",
                           EventStatus.CLOSED, local(datetime.date(2026, 11, 5), 0)),
        # Withdrawn: never counted.
        "dn_withdrawn": event(world.stack_dn, local(datetime.date(2026, 10, 25), 9), 1, "4",
                              EventStatus.WITHDRAWN, local(datetime.date(2026, 10, 26), 0)),
    }

    # Daily VN_AQI: Hà Nội's station, October and November; Đồng Nai is no main city.
    aqi = []
    for day in _days(OCT, 31) + _days(NOV, 19):
        value = 40 if day.day % 3 == 0 else (80 if day.day % 3 == 1 else 160)
        aqi.append(DailyAqi(station=world.air_hn, day=day, aqi=value, category=""))
        aqi.append(DailyAqi(station=world.air_dn, day=day, aqi=30, category=""))
    DailyAqi.objects.bulk_create(aqi)
    return {"series": series, "events": events, "parameters": emission}
