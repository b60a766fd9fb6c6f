"""The worker drains its queues in short transactions beside live uploads: each takes at most
the worker's claim of keys off the queue (on SQLite every transaction holds the database's one
write lock, which uploads wait for), and together they still process the whole queue."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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


def _claims(queries, table: str) -> int:
    """Statements that take keys off the queue: a claim, or on SQLite the rollup slice's
    removal of the keys it computed (an executemany, logged as "N times: DELETE …")."""
    return sum(1 for query in queries.captured_queries
               if f'DELETE FROM "{table}"' in query["sql"].split(":", 1)[-1][:60])


def _rollup_rounds(slices: int) -> int:
    """The rollup worker's statements that take keys off the queue for `slices` slices: on
    PostgreSQL a claim each, and one more that finds the queue empty; on SQLite a removal each
    (the empty queue is found by a read)."""
    return slices + (1 if connection.vendor == "postgresql" else 0)


@pytest.fixture
def hours_of_air(world):
    """60 hours of four pollutants at the Hà Nội air station: 240 dirty series-hours."""
    start = local(2026, 11, 18, 0, 5)
    files = [tt10_file(world.air_hn, start + datetime.timedelta(hours=hour), POLLUTANTS)
             for hour in range(60)]
    ingest.ingest(system_actor("tests"), "folder", files)
    assert RollupQueue.objects.count() == 240
    return world


def test_the_worker_rolls_up_in_transactions_of_its_claim(hours_of_air):
    with CaptureQueriesContext(connection) as queries:
        monitoring_jobs.process_rollups()
    slices = -(-240 // rollups.WORKER_CLAIM_SIZE)
    assert _claims(queries, "monitoring_rollupqueue") == _rollup_rounds(slices)
    assert RollupQueue.objects.count() == 0
    assert HourlyRollup.objects.count() == 240


def test_the_worker_computes_the_air_quality_index_in_transactions_of_its_claim(hours_of_air):
    rollups.process_queue()
    with connection.cursor() as cursor:
        cursor.execute('SELECT COUNT(*) FROM "airquality_aqiqueue"')
        (station_hours,) = cursor.fetchone()
    assert station_hours == 60
    with CaptureQueriesContext(connection) as queries:
        air_jobs.compute_aqi()
    slices = -(-station_hours // air_quality.WORKER_CLAIM_SIZE)
    assert _claims(queries, "airquality_aqiqueue") == slices + 1
    with connection.cursor() as cursor:
        cursor.execute('SELECT COUNT(*) FROM "airquality_aqiqueue"')
        assert cursor.fetchone() == (0,)


def test_commands_keep_their_larger_transactions(hours_of_air):
    """A backfill or the demo drains the queue alone: few, large transactions."""
    with CaptureQueriesContext(connection) as queries:
        rollups.process_queue()
    assert _claims(queries, "monitoring_rollupqueue") == _rollup_rounds(1)
    assert HourlyRollup.objects.count() == 240
