"""Compliance counts an hour, and an averaging window, by the one completeness rule with the
regulation's share (75 % by default): at the threshold it judges, one below it it does not.
TT10 files in, the judged averages of the public API out."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from envhub.compliance import assess
from envhub.compliance.models import Permit, Regulation, RegulationRules
from envhub.core.permissions import system_actor
from envhub.core.timeutil import VN
from envhub.monitoring import ingest, rollups
from tests.monitoring.files import tt10_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def day():
    return (timezone.now().astimezone(VN) - datetime.timedelta(days=2)).date()


def judged(world, source, day, parameter):
    response = world.client("steward").get(
        f"/api/v1/sources/{source.pk}/assessments?from={day}&to={day}")
    return [(row["window_hours"], row["coverage"], row["state"])
            for row in response.json()["results"] if row["parameter"] == parameter]


def ingest_and_judge(files):
    for first in range(0, len(files), 200):
        reports = ingest.ingest(system_actor("tests"), "ftp", files[first:first + 200],
                                live=True)
        assert all(report.rejected == 0 for report in reports)
    rollups.process_queue()
    assess.process_queue()


@pytest.mark.parametrize(("values", "share", "state", "coverage"), [
    (45, 75, "exceeds", 100.0),   # 45 of 60 one-minute values: 75 %, judged
    (44, 75, "unknown", 0.0),     # 44 of 60: 73 %, not enough data
    (44, 73, "exceeds", 100.0),   # a regulation that asks 73 % judges it
    (60, 100, "exceeds", 100.0),
    (59, 100, "unknown", 0.0),
])
def test_an_hour_is_judged_from_the_regulations_share(world, day, values, share, state,
                                                      coverage):
    station = world.station_stack_hn
    station.expected_interval_minutes = 1
    station.save()
    regulation = Regulation.objects.get(code="QCVN 19:2009/BTNMT")
    RegulationRules.objects.filter(regulation=regulation).update(min_coverage=share)
    Permit.objects.create(source=world.stack_hn, number="1/GPMT", valid_from=day,
                          regulation=regulation, column="B", facility_flow_m3h=10_000,
                          location_class="3")
    start = datetime.datetime.combine(day, datetime.time(9))
    ingest_and_judge([tt10_file(station, start + datetime.timedelta(minutes=minute),
                                [("SO2", 600, "mg/Nm3")]) for minute in range(1, values + 1)])
    assert judged(world, world.stack_hn, day, "SO2") == [(1, coverage, state)]


@pytest.mark.parametrize(("hours", "state", "coverage"), [
    (18, "exceeds", 75.0), (17, "unknown", 70.8), (24, "exceeds", 100.0),
])
def test_a_daily_window_is_judged_from_18_valid_hours(world, day, hours, state, coverage):
    # QCVN 40:2011 judges outfalls on 24-hour windows; the station reports every 15 minutes.
    # `hours` complete hours (4 of 4 values) and one more hour of a single value (not valid).
    station = world.station_outfall_hn
    station.expected_interval_minutes = 15
    station.save()
    Permit.objects.create(source=world.outfall_hn, number="40/GPMT", valid_from=day,
                          regulation=Regulation.objects.get(code="QCVN 40:2011/BTNMT"),
                          column="B", river_flow_m3s=120, discharge_m3d=800)
    quarter = datetime.timedelta(minutes=15)
    files = []
    for hour in range(1, hours + 2):
        start = datetime.datetime.combine(day, datetime.time(0)) + datetime.timedelta(
            hours=hour - 1)
        count = 4 if hour <= hours else 1
        files += [tt10_file(station, start + slot * quarter, [("COD", 200, "mg/L")])
                  for slot in range(1, count + 1)]
    ingest_and_judge(files)
    assert judged(world, world.outfall_hn, day, "COD") == [(24, coverage, state)]
