"""Each hourly and daily rollup records whether it is valid by the one completeness rule
(`core.completeness`), and a day's mean averages its valid hours only; stored rollups are
brought in line when the rule changes — after the upgrade that brought the flags (its
migration flags the hours, the worker's `revalidate-rollups` job recomputes the days) and after
a change of the ENVHUB_*_COVERAGE settings (the hours whose validity changed are queued for the
VN_AQI and compliance again). TT10 files in, rollups out."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps

from envhub.airquality.models import AqiQueue
from envhub.core import completeness, periodic
from envhub.core.models import ReferenceVersion
from envhub.core.permissions import system_actor
from envhub.monitoring import ingest, revalidation, rollups
from envhub.monitoring.models import DailyRollup, HourlyRollup, Series
from tests.monitoring.files import local, tt10_file, utc

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 20)


def send(station, values_by_hour: dict[int, int], interval: int = 5, code="PM10"):
    """`values_by_hour`: local hour ending (1 … 24) → how many values of 10 × hour µg/m3 the
    station sends in it, at its interval."""
    step = datetime.timedelta(minutes=interval)
    files = []
    for hour, count in values_by_hour.items():
        start = local(2026, 11, 20, 0, 0) + datetime.timedelta(hours=hour - 1)
        files += [tt10_file(station, start + slot * step, [(code, 10.0 * hour, "ug/m3")])
                  for slot in range(1, count + 1)]
    for first in range(0, len(files), 200):
        ingest.ingest(system_actor("tests"), "folder", files[first:first + 200])
    rollups.process_queue()


def hour_row(station, hour, code="PM10"):
    return HourlyRollup.objects.get(series__station=station, series__parameter__code=code,
                                    hour_end=utc(2026, 11, 20, hour))


def day_row(station, code="PM10"):
    return DailyRollup.objects.get(series__station=station, series__parameter__code=code,
                                   day=DAY)


@pytest.mark.parametrize(("interval", "values", "valid"), [
    (5, 9, True), (5, 8, False), (5, 12, True), (5, 1, False),
    (15, 3, True), (15, 2, False),
    (60, 1, True),
    (1, 45, True), (1, 44, False),  # 75 % and 73 % of 60
])
def test_an_hour_is_valid_from_three_quarters_of_its_expected_values(world, interval, values,
                                                                     valid):
    world.air_hn.expected_interval_minutes = interval
    world.air_hn.save()
    send(world.air_hn, {8: values}, interval)
    row = hour_row(world.air_hn, 8)
    assert (row.valid_count, row.valid) == (values, valid)
    assert row.mean == 80  # the hour's mean is kept, valid or not


@pytest.mark.parametrize(("valid_hours", "day_valid"), [(18, True), (17, False), (24, True)])
def test_a_day_is_valid_from_18_valid_hours_and_averages_only_those(world, valid_hours,
                                                                    day_valid):
    # `valid_hours` complete hours, the rest of the day one value an hour (not valid hours).
    send(world.air_hn, {hour: 12 if hour <= valid_hours else 1 for hour in range(1, 25)})
    day = day_row(world.air_hn)
    assert (day.valid_hours, day.valid) == (valid_hours, day_valid)
    assert day.mean == pytest.approx(10 * (valid_hours + 1) / 2)  # mean of 10, 20, … 10 × n
    assert day.maximum == 240  # extremes are of every valid value


def _as_before_the_flags(station):
    """What the rollups of the previous release held: no flags, and days whose valid_hours and
    mean counted every hour with a value."""
    HourlyRollup.objects.filter(series__station=station).update(valid=False)
    for day in DailyRollup.objects.filter(series__station=station):
        means = list(HourlyRollup.objects.filter(series_id=day.series_id).values_list(
            "mean", flat=True))
        DailyRollup.objects.filter(series_id=day.series_id, day=day.day).update(
            valid=False, valid_hours=len(means), mean=sum(means) / len(means))


def test_the_upgrade_flags_the_hours_and_the_worker_recomputes_the_days(world):
    send(world.air_hn, {hour: 12 if hour <= 6 else 1 for hour in range(1, 25)})
    _as_before_the_flags(world.air_hn)
    stale = day_row(world.air_hn)
    assert (stale.valid_hours, stale.mean) == (24, pytest.approx(125))

    migration = importlib.import_module("envhub.monitoring.migrations.0008_rollup_validity")
    migration.flag_valid_hours(apps, None)
    assert hour_row(world.air_hn, 6).valid and not hour_row(world.air_hn, 7).valid
    AqiQueue.objects.all().delete()

    assert "revalidate-rollups" in periodic.discover()
    periodic.JOBS["revalidate-rollups"].function()
    day = day_row(world.air_hn)
    assert (day.valid_hours, day.valid, day.mean) == (6, False, pytest.approx(35))
    assert ReferenceVersion.objects.get(name=revalidation.MARKER).checksum == "75/75"
    # The VN_AQI already counted only hours of 75 %: nothing to recompute there.
    assert not AqiQueue.objects.exists()
    assert revalidation.run() == 0


def test_a_new_share_revalidates_and_requeues_what_changed(world, settings):
    send(world.air_hn, {1: 12, 2: 10, 3: 9, 4: 8}, code="PM2,5")
    while revalidation.run():
        pass
    AqiQueue.objects.all().delete()
    settings.ENVHUB_COMPLETENESS = completeness.Rule(hour_share=80, period_share=75)
    while revalidation.run():
        pass
    flags = [hour_row(world.air_hn, hour, "PM2_5").valid for hour in (1, 2, 3, 4)]
    assert flags == [True, True, False, False]  # 80 % of 12 is 10 values
    assert day_row(world.air_hn, "PM2_5").valid_hours == 2
    # The hour 03:00 changed: the VN_AQI of that hour (and those its NowCast reaches) is
    # computed again; hours whose validity did not change are not queued.
    assert set(AqiQueue.objects.values_list("hour_end", flat=True)) == {utc(2026, 11, 20, 3)}
    assert ReferenceVersion.objects.get(name=revalidation.MARKER).checksum == "80/75"


def test_the_walk_goes_on_where_it_stopped(world):
    send(world.air_hn, {1: 12})
    send(world.air_dn, {1: 12})
    series = Series.objects.count()
    assert series >= 2
    runs = 0
    while revalidation.run(limit=1):
        runs += 1
        marker = ReferenceVersion.objects.get(name=revalidation.MARKER).checksum
        assert marker.startswith("75/75 from 75/75 after ")
    assert runs == series  # one series a run, then one run that finds none left
    assert ReferenceVersion.objects.get(name=revalidation.MARKER).checksum == "75/75"


@pytest.mark.parametrize(("text", "target", "previous", "after", "done"), [
    ("75/75", (75, 75), (75, 75), 0, True),
    ("80/75 from 75/75 after 1234", (80, 75), (75, 75), 1234, False),
])
def test_the_marker_reads_back(text, target, previous, after, done):
    progress = revalidation.Progress.parse(text)
    assert (progress.target.hour_share, progress.target.period_share) == target
    assert (progress.previous.hour_share, progress.previous.period_share) == previous
    assert (progress.after_series, progress.done) == (after, done)
    assert progress.text() == text
