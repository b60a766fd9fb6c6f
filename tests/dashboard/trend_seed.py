"""Seeded figures for the dashboard's tables, trends and rankings: judged windows, events, daily
rollups, connectivity, daily VN_AQI and survey work written directly, in November 2026 (the
view's month) and October 2026 (the month before), with nothing in September."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from envhub.airquality.models import DailyAqi
from envhub.compliance.models import Assessment, EventStatus, ExceedanceEvent, State
from envhub.core.timeutil import VN
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
from tests.conftest import World, _save

D = datetime.date
TODAY = D(2026, 12, 7)
NOVEMBER = {"period": "month", "at": "2026-11-15"}
SEPTEMBER = {"period": "month", "at": "2026-09-10"}


def local(year, month, day, hour=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=VN).astimezone(datetime.UTC)


@dataclass
class Seed:
    world: World
    air_hn2: Station


def judged(source, parameter, end, state=State.EXCEEDS, hours=1):
    Assessment.objects.create(source=source, parameter=parameter, window_end=end,
                              window_hours=hours, coverage=100.0, state=state,
                              band="2" if state == State.EXCEEDS else "")


def event(source, parameter, start, end, band, status=EventStatus.CLOSED):
    return ExceedanceEvent.objects.create(
        source=source, parameter=parameter, start=start, end=end, peak_value=600,
        peak_multiple=1.3, peak_at=start, band=band, hours=1, limit=450, unit="mg/Nm3",
        status=status)


def seed(world: World) -> Seed:
    so2 = Parameter.objects.get(medium="emission", code="SO2")
    nox = Parameter.objects.get(medium="emission", code="NOx")
    pm25 = Parameter.objects.get(medium="air", code="PM2_5")
    # Hours over the limit in November: Hà Nội 5 (thermal power) + 3 (textiles), Đồng Nai 8
    # (cement, 4 two-hour windows). In October: Đồng Nai 2, one of them the hour ending at
    # local midnight on 1 November (it belongs to October).
    for hour in range(5):
        judged(world.stack_hn, so2, local(2026, 11, 3, 8 + hour))
    judged(world.stack_hn, so2, local(2026, 11, 3, 20), state=State.COMPLIES)
    judged(world.stack_hn, nox, local(2026, 11, 4, 9), state=State.UNKNOWN)
    for hour in range(3):
        judged(world.stack_hn2, so2, local(2026, 11, 10, 1 + hour))
    for window in range(4):
        judged(world.stack_dn, so2, local(2026, 11, 20, 2 + 2 * window), hours=2)
    judged(world.stack_dn, so2, local(2026, 10, 5, 10))
    judged(world.stack_dn, so2, local(2026, 11, 1, 0))
    # Events: Hà Nội's thermal plant one open (band 2) and one closed (band 3) in November;
    # Đồng Nai's cement one closed (band 4) and one withdrawn (never counted).
    event(world.stack_hn, so2, local(2026, 11, 3, 7), local(2026, 11, 3, 13), "2",
          EventStatus.OPEN)
    event(world.stack_hn, so2, local(2026, 10, 31, 22), local(2026, 11, 1, 3), "3")
    event(world.stack_dn, so2, local(2026, 11, 20, 0), local(2026, 11, 20, 8), "4")
    event(world.stack_dn, so2, local(2026, 11, 21, 0), local(2026, 11, 21, 8), "6",
          EventStatus.WITHDRAWN)
    # Completeness in November (30 days, 720 hours per series): HNKT1 two series, one complete
    # and one with 10 days of 20 valid hours; DNKT1 one series with 15 full days; HNKK1 one
    # series with nothing.
    so2_hn = Series.objects.create(station=world.station_stack_hn, parameter=so2)
    nox_hn = Series.objects.create(station=world.station_stack_hn, parameter=nox)
    so2_dn = Series.objects.create(station=world.station_stack_dn, parameter=so2)
    Series.objects.create(station=world.air_hn, parameter=pm25)

    def days(series, count, hours):
        for day in range(1, count + 1):
            DailyRollup.objects.create(series=series, day=D(2026, 11, day), count=hours * 12,
                                       valid_count=hours * 12, expected_count=288,
                                       coverage=hours / 24 * 100, valid_hours=hours,
                                       valid=hours >= 18)
    days(so2_hn, 30, 24)
    days(nox_hn, 10, 20)
    days(so2_dn, 15, 24)
    # Connectivity: DNKT1 went offline twice in November and is offline now; HNKT1 late now.
    for day in (5, 18):
        ConnectivityChange.objects.create(station=world.station_stack_dn, at=local(2026, 11, day),
                                          previous=Connectivity.ONLINE,
                                          current=Connectivity.OFFLINE)
    ConnectivityChange.objects.create(station=world.station_stack_dn, at=local(2026, 10, 2),
                                      previous=Connectivity.ONLINE, current=Connectivity.OFFLINE)
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
    schemas = list(SurveySchema.objects.order_by("id")[:3])
    campaign = Campaign.objects.create(title="Điều tra năm 2026", year=2026, created_by="tests")
    units = (world.survey_unit, world.dept_hanoi, world.dept_dongnai)
    for schema, unit, state in zip(schemas, units, (SubmissionState.SUBMITTED,
                                                    SubmissionState.APPROVED, None), strict=True):
        assignment = Assignment.objects.create(campaign=campaign, schema=schema,
                                               organisation=unit, due_on=D(2026, 11, 30))
        if state:
            Submission.objects.create(assignment=assignment, organisation=unit, state=state,
                                      created_by="tests")
    return Seed(world=world, air_hn2=air_hn2)

