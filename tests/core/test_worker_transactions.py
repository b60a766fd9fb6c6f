"""The worker drains its queues in short transactions beside live uploads: each takes at most
the worker's claim of keys off the queue (on SQLite every transaction holds the database's one
write lock, which uploads wait for), and together they still process the whole queue."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from envhub.airquality import jobs as air_jobs
from envhub.airquality import services as air_quality
from envhub.core.permissions import system_actor
from envhub.monitoring import ingest, rollups
from envhub.monitoring import jobs as monitoring_jobs
from envhub.monitoring.models import HourlyRollup, RollupQueue
from tests.monitoring.files import local, tt10_file

pytestmark = pytest.mark.django_db

POLLUTANTS = [("PM10", 40.0, "ug/m3", 0), ("PM2,5", 20.0, "ug/m3", 0),
              ("NO2", 30.0, "ug/m3", 0), ("O3", 50.0, "ug/m3", 0)]


@pytest.fixture
def rollup_slices(monkeypatch):
    """The number of keys of each rollup slice, as the slice's transaction hands them to the
    hour listeners (the compliance queue's road), on either database's path."""
    sizes: list[int] = []
    monkeypatch.setattr(rollups, "HOUR_LISTENERS",
                        [*rollups.HOUR_LISTENERS, lambda keys: sizes.append(len(keys))])
    return sizes


@pytest.fixture
def aqi_claims(monkeypatch):
    """The number of keys each AQI claim took off the queue (the last finds it empty)."""
    sizes: list[int] = []
    claim = air_quality._claim

    def counted(limit):
        keys = claim(limit)
        sizes.append(len(keys))
        return keys

    monkeypatch.setattr(air_quality, "_claim", counted)
    return sizes


@pytest.fixture
def hours_of_air(world):
    """60 hours of four pollutants at the Hà Nội air station: 240 dirty series-hours."""
    start = local(2026, 11, 18, 0, 5)
    files = [tt10_file(world.air_hn, start + datetime.timedelta(hours=hour), POLLUTANTS)
             for hour in range(60)]
    ingest.ingest(system_actor("tests"), "folder", files)
    assert RollupQueue.objects.count() == 240
    return world


def test_the_worker_rolls_up_in_transactions_of_its_claim(hours_of_air, rollup_slices):
    monitoring_jobs.process_rollups()
    assert rollup_slices == [rollups.WORKER_CLAIM_SIZE] * (240 // rollups.WORKER_CLAIM_SIZE)
    assert RollupQueue.objects.count() == 0
    assert HourlyRollup.objects.count() == 240


def test_the_worker_computes_the_air_quality_index_in_transactions_of_its_claim(hours_of_air,
                                                                               aqi_claims):
    rollups.process_queue()
    with connection.cursor() as cursor:
        cursor.execute('SELECT COUNT(*) FROM "airquality_aqiqueue"')
        (station_hours,) = cursor.fetchone()
    assert station_hours == 60
    air_jobs.compute_aqi()
    assert aqi_claims == [air_quality.WORKER_CLAIM_SIZE, 60 - air_quality.WORKER_CLAIM_SIZE, 0]
    with connection.cursor() as cursor:
        cursor.execute('SELECT COUNT(*) FROM "airquality_aqiqueue"')
        assert cursor.fetchone() == (0,)


def test_commands_keep_their_larger_transactions(hours_of_air, rollup_slices):
    """A backfill or the demo drains the queue alone: few, large transactions."""
    rollups.process_queue()
    assert rollup_slices == [240]
    assert HourlyRollup.objects.count() == 240
