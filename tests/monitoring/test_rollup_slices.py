"""The rollup queue processed in small slices gives the rows one large slice gives; and on
SQLite, where a slice is computed from reads before its short write transaction, an hour whose
data arrive between the reads and the write stays queued and is computed again."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from envhub.core import queues
from envhub.core.permissions import system_actor
from envhub.monitoring import ingest, rollups
from envhub.monitoring.models import (
    DailyRollup,
    HourlyRollup,
    LatestValue,
    RollupQueue,
    StationStatus,
)
from tests.monitoring.files import local, tt10_file

pytestmark = pytest.mark.django_db

POLLUTANTS = [("PM10", 40.0, "ug/m3", 0), ("PM2,5", 20.0, "ug/m3", 0), ("NO2", 30.0, "ug/m3", 1)]


def _ingest_hours(world, hours: int) -> None:
    start = local(2026, 11, 18, 0, 5)
    files = []
    for hour in range(hours):
        for minute in (0, 20, 40):
            at = start + datetime.timedelta(hours=hour, minutes=minute)
            files.append(tt10_file(world.air_hn, at, [
                (code, value + hour + minute / 10, unit, status)
                for code, value, unit, status in POLLUTANTS]))
            files.append(tt10_file(world.air_dn, at, [
                (code, value * 2 + hour, unit, status)
                for code, value, unit, status in POLLUTANTS]))
    ingest.ingest(system_actor("tests"), "folder", files)


def _rows():
    columns = ("count", "valid_count", "calibrating_count", "error_count", "expected_count",
               "total", "mean", "minimum", "maximum", "coverage", "valid")
    return (
        sorted(HourlyRollup.objects.values_list("series_id", "hour_end", *columns)),
        sorted(DailyRollup.objects.values_list("series_id", "day", *columns, "valid_hours")),
        sorted(LatestValue.objects.values_list("series_id", "time", "value", "status")),
        sorted(StationStatus.objects.values_list("station_id", "latest_values")),
    )


def test_small_slices_give_the_rows_of_one_slice(world):
    _ingest_hours(world, 30)  # two local days
    keys = list(RollupQueue.objects.values_list("series_id", "hour_end"))
    rollups.process_queue(limit=10_000)
    in_one_go = _rows()
    assert RollupQueue.objects.count() == 0
    for table in (HourlyRollup, DailyRollup, LatestValue, StationStatus):
        table.objects.all().delete()
    queues.add("monitoring_rollupqueue", "series_id", keys)
    work = rollups.process_queue(limit=7, pause=True)
    assert RollupQueue.objects.count() == 0
    assert work.hours == len(keys)
    assert _rows() == in_one_go


def test_data_arriving_between_the_reads_and_the_write_queue_the_hour_again(world, request):
    _ingest_hours(world, 1)
    late = tt10_file(world.air_hn, local(2026, 11, 18, 0, 50), [("PM10", 99.0, "ug/m3", 0)])

    def a_file_arrives(keys):  # runs in the slice's write transaction, after its reads
        rollups.HOUR_LISTENERS.remove(a_file_arrives)
        ingest.ingest(system_actor("tests"), "folder", [late])

    rollups.HOUR_LISTENERS.append(a_file_arrives)
    request.addfinalizer(lambda: a_file_arrives in rollups.HOUR_LISTENERS
                         and rollups.HOUR_LISTENERS.remove(a_file_arrives))
    rollups.process_queue(max_rounds=1)
    pm10 = HourlyRollup.objects.get(series__station=world.air_hn, series__parameter__code="PM10")
    if connection.vendor == "sqlite":
        # Computed before the file came: the hour stays queued.
        assert pm10.count == 3
        assert RollupQueue.objects.filter(series_id=pm10.series_id).exists()
    rollups.process_queue()
    pm10.refresh_from_db()
    assert pm10.count == 4 and pm10.maximum == 99.0
    assert RollupQueue.objects.count() == 0
