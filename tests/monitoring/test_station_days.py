"""The daily rollups summed per station and day (`StationDay`, kept by triggers) equal a
recount of the rollups after the worker's writes (SQLite's read-then-write path on SQLite, the
upsert path on PostgreSQL: this file runs on both), late data, revalidation under a new share,
deletions, direct writes and random sequences of them; and the dashboard's completeness reads
the same hours from them."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envhub.core import completeness
from envhub.core.permissions import system_actor
from envhub.monitoring import ingest, revalidation, rollups, station_days, summaries
from envhub.monitoring.models import DailyRollup, Series, StationDay, StationMonth
from tests.monitoring.files import local, tt10_file

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 20)


def recount() -> dict:
    """{(station, day): (series-days, valid hours, series-days with a valid hour)}."""
    found: dict = defaultdict(Counter)
    for station, day, hours in DailyRollup.objects.values_list("series__station_id", "day",
                                                               "valid_hours"):
        found[(station, day)].update(rollups=1, hours=hours, reporting=int(hours > 0))
    return {key: (c["rollups"], c["hours"], c["reporting"]) for key, c in found.items()}


def kept() -> dict:
    """The daily summary; and its monthly summary (`StationMonth`) must be its days summed per
    calendar month, whatever wrote them."""
    days = {(row.station_id, row.day): (row.rollups, row.valid_hours, row.reporting)
            for row in StationDay.objects.all()}
    months: dict = defaultdict(lambda: (0, 0, 0))
    for (station, day), counts in days.items():
        key = (station, day.replace(day=1))
        months[key] = tuple(a + b for a, b in zip(months[key], counts, strict=True))
    assert {(row.station_id, row.month): (row.rollups, row.valid_hours, row.reporting)
            for row in StationMonth.objects.all()} == dict(months)
    return days


def send(station, hours: range, code="PM10", per_hour=12, day=DAY):
    """`per_hour` values of `code` in each local hour ending in `hours` of `day`."""
    step = datetime.timedelta(minutes=5)
    files = []
    for hour in hours:
        start = local(day.year, day.month, day.day, 0, 0) + datetime.timedelta(hours=hour - 1)
        files += [tt10_file(station, start + slot * step, [(code, 10.0 * hour, "ug/m3")])
                  for slot in range(1, per_hour + 1)]
    for first in range(0, len(files), 200):
        ingest.ingest(system_actor("tests"), "folder", files[first:first + 200])
    rollups.process_queue()


def test_the_worker_late_data_and_revalidation_keep_the_station_days(world, settings):
    send(world.air_hn, range(1, 7))
    send(world.air_hn, range(1, 3), code="PM2,5", per_hour=9)
    station = world.air_hn.pk
    assert kept() == recount() == {(station, DAY): (2, 8, 2)}
    send(world.air_hn, range(7, 13))  # late data: the same day, more hours
    send(world.air_dn, range(20, 25))
    send(world.air_dn, range(1, 3), day=DAY + datetime.timedelta(days=1))
    assert kept() == recount()
    assert kept()[(station, DAY)] == (2, 14, 2)
    # A stricter share: the PM2.5 hours of 9 values of 12 are no longer valid.
    settings.ENVHUB_COMPLETENESS = completeness.Rule(hour_share=80, period_share=75)
    while revalidation.run():
        pass
    assert kept() == recount()
    assert kept()[(station, DAY)] == (2, 12, 1)


def test_deletions_and_direct_writes_follow(world):
    send(world.air_hn, range(1, 5))
    send(world.air_hn, range(1, 5), code="PM2,5")
    send(world.air_dn, range(1, 5))
    pm25 = Series.objects.get(station=world.air_hn, parameter__code="PM2_5")
    DailyRollup.objects.filter(series=pm25).update(valid_hours=0)
    assert kept() == recount()
    DailyRollup.objects.filter(series=pm25).update(day=DAY - datetime.timedelta(days=3))
    assert kept() == recount()
    from envhub.registry.models import Parameter

    # A series without observations (one whose were never kept) can be deleted: its rollups
    # go by the cascade.
    co = Series.objects.create(station=world.air_hn,
                               parameter=Parameter.objects.filter(code="CO").first())
    rollups._write_days({(co.pk, DAY): day_columns(5)})
    assert kept()[(world.air_hn.pk, DAY)] == (2, 9, 2)
    co.delete()
    assert kept() == recount()
    DailyRollup.objects.filter(series__station=world.air_dn).delete()
    assert kept() == recount() == {(world.air_hn.pk, DAY): (1, 4, 1),
                                   (world.air_hn.pk, DAY - datetime.timedelta(days=3)):
                                   (1, 0, 0)}


def day_columns(hours: int) -> tuple:
    """A daily rollup's columns (`rollups._write_days`) with `hours` valid hours."""
    mean = 10.0 if hours else None
    return (hours * 12, hours * 12, 0, 0, 288, 10.0 * hours, mean, mean, mean,
            hours / 24 * 100, hours >= 18, hours)


def test_a_lost_trigger_is_put_back_and_the_days_recounted(world):
    summaries.drop_triggers(station_days.SUMMARY)
    send(world.air_hn, range(1, 5))
    assert kept() == {}
    assert summaries.ensure(station_days.SUMMARY)
    assert kept() == recount() == {(world.air_hn.pk, DAY): (1, 4, 1)}


DAYS = st.sampled_from([-20, 0, 4, 11, 12])  # October, November, December
operation = st.one_of(
    st.tuples(st.just("write"), st.integers(0, 3), DAYS, st.integers(0, 24)),
    st.tuples(st.just("delete"), st.integers(0, 3), DAYS),
    st.tuples(st.just("recompute"), st.integers(0, 3), DAYS),
)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, max_size=10))
def test_any_sequence_of_writes_keeps_the_station_days(world, operations):
    """Random upserts (the worker's `_write_days`, both vendors' statement), deletions and
    recomputations of daily rollups of four series on two stations."""
    from envhub.registry.models import Parameter

    DailyRollup.objects.all().delete()
    parameters = list(Parameter.objects.filter(code__in=["PM10", "CO"]).order_by("pk")[:2])
    series = [Series.objects.get_or_create(station=station, parameter=parameter)[0].pk
              for station in (world.air_hn, world.air_dn) for parameter in parameters]
    for step in operations:
        day = DAY + datetime.timedelta(days=step[2])
        if step[0] == "write":
            rollups._write_days({(series[step[1]], day): day_columns(step[3])})
        elif step[0] == "delete":
            rollups._write_days({(series[step[1]], day): None})
        else:
            rollups.compute_days({(series[step[1]], day)})  # no hours: the day goes
        assert kept() == recount()
