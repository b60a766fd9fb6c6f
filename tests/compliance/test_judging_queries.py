"""The worker's judging reads what sources share once a run, and a source's events in a fixed
number of queries however many parameters it judges (the judging fell behind at 100 files/s:
a regulation's four tables were read for every source-hour, an event's stretch in four queries
for every parameter)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from envhub.compliance import assess
from envhub.compliance.models import Assessment, ExceedanceEvent, Permit, Regulation, State
from envhub.core.permissions import system_actor
from envhub.core.timeutil import VN
from envhub.monitoring import ingest, rollups
from tests.monitoring.files import tt10_file

pytestmark = pytest.mark.django_db

# QCVN 19:2009 column B: dust 200, SO2 500, NOx 850, CO 1,000 mg/Nm3 (× Kp × Kv).
OVER = {"Bui": 900, "SO2": 2000, "NOx": 3000, "CO": 4000}


@pytest.fixture
def hour():
    """An hour of two days ago, local: complete, and recent enough for the events."""
    day = (timezone.now().astimezone(VN) - datetime.timedelta(days=2)).date()
    return datetime.datetime.combine(day, datetime.time(10))


def _permit(source):
    return Permit.objects.create(
        source=source, number=f"{source.pk}/GPMT", valid_from=datetime.date(2024, 1, 1),
        regulation=Regulation.objects.get(code="QCVN 19:2009/BTNMT"), column="B",
        facility_flow_m3h=10_000, location_class="3", actual_conditions=False)


def _send(world, stations, end, values):
    files = []
    for station in stations:
        station.expected_interval_minutes = 60
        station.save()
        files.append(tt10_file(station, end, [(symbol, value, "mg/Nm3")
                                              for symbol, value in values.items()]))
    reports = ingest.ingest(system_actor("tests"), "ftp", files, live=True)
    assert all(report.rejected == 0 for report in reports)
    rollups.process_queue()


def _reads(queries, table):
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")
            and f'FROM "{table}"' in q["sql"]]


def test_sources_sharing_a_regulation_read_its_tables_once_a_run(world, hour):
    for source in (world.stack_hn, world.stack_hn2, world.stack_dn):
        _permit(source)
    _send(world, [world.station_stack_hn, world.station_stack_hn2, world.station_stack_dn],
          hour, OVER)
    with CaptureQueriesContext(connection) as queries:
        assert assess.process_queue() == 3
    assert len(_reads(queries, "compliance_limitvalue")) == 1
    assert len(_reads(queries, "compliance_factorstep")) == 1
    assert len(_reads(queries, "compliance_regulationcolumn")) == 1
    assert Assessment.objects.filter(state=State.EXCEEDS).count() == 3 * len(OVER)
    assert ExceedanceEvent.objects.count() == 3 * len(OVER)


@pytest.mark.parametrize("judged", [{"SO2": 2000}, OVER])
def test_a_source_s_events_take_the_same_queries_for_one_parameter_or_four(world, hour,
                                                                            judged):
    _permit(world.stack_hn)
    _send(world, [world.station_stack_hn], hour, judged)
    with CaptureQueriesContext(connection) as queries:
        assess.process_queue()
    assert ExceedanceEvent.objects.count() == len(judged)
    assert len(_reads(queries, "compliance_exceedanceevent")) == 1
    # The windows judged before, the complying windows around the change, the stretches.
    assert len(_reads(queries, "compliance_assessment")) == 3
    # The next hour under the limit closes each event: still one read of the events.
    _send(world, [world.station_stack_hn], hour + datetime.timedelta(hours=1),
          dict.fromkeys(judged, 1))
    with CaptureQueriesContext(connection) as queries:
        assess.process_queue()
    assert len(_reads(queries, "compliance_exceedanceevent")) == 1
    assert set(ExceedanceEvent.objects.values_list("status", flat=True)) == {"closed"}
