"""Hourly and daily rollups: counts, valid counts, means, extremes and coverage — with gaps,
calibration and device errors — recomputed when late data arrive, bucketed by local days."""

from __future__ import annotations

import datetime

import pytest

from envhub.core.permissions import system_actor
from envhub.monitoring import ingest, rollups
from envhub.monitoring.models import (
    DailyRollup,
    HourlyRollup,
    LatestValue,
    RollupQueue,
    Series,
)
from tests.monitoring.files import local, tt10_file, utc

pytestmark = pytest.mark.django_db

FIVE = datetime.timedelta(minutes=5)


def send_values(station, readings):
    """readings: [(local_time, value, status)] of PM10 at an air station, one file each."""
    files = [tt10_file(station, at, [("PM10", value, "ug/m3", status)])
             for at, value, status in readings]
    for start in range(0, len(files), 50):
        ingest.ingest(system_actor("tests"), "folder", files[start:start + 50])
    rollups.process_queue()


def series_of(station):
    return Series.objects.get(station=station, parameter__code="PM10")


def hour(station, end_local):
    return HourlyRollup.objects.get(series=series_of(station), hour_end=utc(*end_local))


def test_an_hour_with_a_gap_calibration_and_an_error(world):
    # 08:00 hour = (07:00, 08:00]: 12 slots 07:05 … 08:00. Sent: 9 values, of which one
    # calibrating (01) and one device error (02); 3 slots missing.
    sent = []
    for slot in range(1, 13):
        at = local(2026, 11, 20, 7, 0) + slot * FIVE
        if slot in (4, 5, 6):
            continue  # the gap
        status = 1 if slot == 8 else 2 if slot == 9 else 0
        sent.append((at, 10.0 * slot, status))
    send_values(world.air_hn, sent)
    row = hour(world.air_hn, (2026, 11, 20, 8))
    valid = [10.0 * s for s in (1, 2, 3, 7, 10, 11, 12)]
    assert (row.count, row.valid_count, row.calibrating_count, row.error_count) == (9, 7, 1, 1)
    assert row.expected_count == 12
    assert row.mean == pytest.approx(sum(valid) / 7)
    assert (row.minimum, row.maximum) == (10.0, 120.0)  # calibration and error excluded
    assert row.coverage == pytest.approx(7 / 12 * 100)


def test_a_value_on_the_hour_closes_that_hour(world):
    send_values(world.air_hn, [(local(2026, 11, 20, 8, 0), 50, 0),
                               (local(2026, 11, 20, 8, 0, 30), 70, 0)])
    assert hour(world.air_hn, (2026, 11, 20, 8)).mean == 50
    assert hour(world.air_hn, (2026, 11, 20, 9)).mean == 70


def test_late_data_re_rolls_the_hour(world):
    send_values(world.air_hn, [(local(2026, 11, 20, 7, 5), 10, 0)])
    assert hour(world.air_hn, (2026, 11, 20, 8)).valid_count == 1
    # The datalogger resends the rest of the hour after an outage.
    send_values(world.air_hn, [(local(2026, 11, 20, 7, 10), 20, 0),
                               (local(2026, 11, 20, 7, 15), 30, 0)])
    row = hour(world.air_hn, (2026, 11, 20, 8))
    assert (row.valid_count, row.mean) == (3, 20)
    assert RollupQueue.objects.count() == 0


def test_a_day_runs_from_0000_exclusive_to_2400_inclusive_local_time(world):
    world.air_hn.expected_interval_minutes = 60  # one value makes a valid hour
    world.air_hn.save()
    send_values(world.air_hn, [
        (local(2026, 11, 20, 0, 0), 100, 0),     # closes 19 November
        (local(2026, 11, 20, 0, 5), 10, 0),      # first value of 20 November
        (local(2026, 11, 20, 12, 0), 20, 0),
        (local(2026, 11, 21, 0, 0), 30, 0),      # 24:00: still 20 November
        (local(2026, 11, 21, 0, 5), 1000, 0),    # 21 November
    ])
    days = {row.day: row for row in DailyRollup.objects.filter(series=series_of(world.air_hn))}
    assert set(days) == {datetime.date(2026, 11, 19), datetime.date(2026, 11, 20),
                         datetime.date(2026, 11, 21)}
    day = days[datetime.date(2026, 11, 20)]
    assert (day.count, day.valid_count, day.mean, day.valid_hours) == (3, 3, 20, 3)
    assert day.expected_count == 24
    assert day.coverage == pytest.approx(3 / 24 * 100)
    assert days[datetime.date(2026, 11, 19)].mean == 100


def test_a_full_day_has_full_coverage_and_the_mean_of_its_values(world):
    start = local(2026, 11, 20, 0, 0)
    readings = [(start + (i + 1) * FIVE, float(i % 12), 0) for i in range(288)]
    send_values(world.air_hn, readings)
    day = DailyRollup.objects.get(series=series_of(world.air_hn), day=datetime.date(2026, 11, 20))
    assert (day.count, day.valid_count, day.coverage) == (288, 288, 100.0)
    assert day.mean == pytest.approx(5.5)
    assert HourlyRollup.objects.filter(series=series_of(world.air_hn)).count() == 24


def test_the_daily_mean_is_the_mean_of_the_valid_hours_means(world):
    # Quarter-hour station: 3 of 4 values make a valid hour. Hour 08:00 has 3 values of 0,
    # hour 09:00 4 values of 12: the 24-hour average of Decision 1459 averages the hours,
    # (0 + 12) / 2 = 6, not the values (48 / 7). Hour 10:00 has 2 values of 1,000: not a valid
    # hour, so it is counted but not averaged.
    world.air_hn.expected_interval_minutes = 15
    world.air_hn.save()
    quarter = datetime.timedelta(minutes=15)
    send_values(world.air_hn, [
        *[(local(2026, 11, 20, 7, 0) + k * quarter, 0, 0) for k in (1, 2, 3)],
        *[(local(2026, 11, 20, 8, 0) + k * quarter, 12, 0) for k in (1, 2, 3, 4)],
        *[(local(2026, 11, 20, 9, 0) + k * quarter, 1000, 0) for k in (1, 2)],
    ])
    series = series_of(world.air_hn)
    valid = dict(HourlyRollup.objects.filter(series=series).values_list("hour_end", "valid"))
    assert valid == {utc(2026, 11, 20, 8): True, utc(2026, 11, 20, 9): True,
                     utc(2026, 11, 20, 10): False}
    day = DailyRollup.objects.get(series=series, day=datetime.date(2026, 11, 20))
    assert (day.mean, day.valid_hours, day.valid) == (6, 2, False)
    assert day.total == 2048 and day.valid_count == 9
    assert day.maximum == 1000  # extremes are of every valid value


def test_coverage_follows_the_stations_interval(world):
    world.air_hn.expected_interval_minutes = 15
    world.air_hn.save()
    send_values(world.air_hn, [(local(2026, 11, 20, 7, 15), 1, 0),
                               (local(2026, 11, 20, 7, 30), 2, 0)])
    row = hour(world.air_hn, (2026, 11, 20, 8))
    assert (row.expected_count, row.coverage) == (4, 50.0)


def test_an_hour_of_only_calibration_has_no_mean(world):
    send_values(world.air_hn, [(local(2026, 11, 20, 7, 5), 500, 1),
                               (local(2026, 11, 20, 7, 10), 400, 1)])
    row = hour(world.air_hn, (2026, 11, 20, 8))
    assert (row.count, row.valid_count, row.mean, row.coverage) == (2, 0, None, 0.0)


def test_the_latest_value_is_the_newest_whatever_the_arrival_order(world):
    send_values(world.air_hn, [(local(2026, 11, 20, 9, 0), 90, 0)])
    send_values(world.air_hn, [(local(2026, 11, 20, 8, 0), 80, 0)])  # late
    latest = LatestValue.objects.get(series=series_of(world.air_hn))
    assert (latest.time, latest.value) == (utc(2026, 11, 20, 9, 0), 90)


def test_a_database_failure_puts_the_hours_back(world, monkeypatch):
    from django.db import DatabaseError

    ingest.ingest(system_actor("tests"), "folder",
                  [tt10_file(world.air_hn, local(2026, 11, 20, 7, 5), [("PM10", 1, "ug/m3")])])

    def broken(keys):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(rollups, "_hour_rows", broken)
    with pytest.raises(DatabaseError):
        rollups.process_queue()
    assert RollupQueue.objects.count() == 1
    monkeypatch.undo()
    rollups.process_queue()
    assert RollupQueue.objects.count() == 0
    assert hour(world.air_hn, (2026, 11, 20, 8)).valid_count == 1


def test_one_failing_series_is_set_aside_and_the_others_go_through(world, monkeypatch):
    from envhub.monitoring.models import RollupProblem

    ingest.ingest(system_actor("tests"), "folder", [
        tt10_file(world.air_hn, local(2026, 11, 20, 7, 5), [("PM10", 1, "ug/m3")]),
        tt10_file(world.air_dn, local(2026, 11, 20, 7, 5), [("PM10", 2, "ug/m3")]),
    ])
    bad = series_of(world.air_hn).id
    real = rollups._hour_rows

    def fails_for_one_series(keys):
        if any(series_id == bad for series_id, _ in keys):
            raise OverflowError("date value out of range")
        return real(keys)

    monkeypatch.setattr(rollups, "_hour_rows", fails_for_one_series)
    rollups.process_queue()
    assert RollupQueue.objects.count() == 0
    assert hour(world.air_dn, (2026, 11, 20, 8)).valid_count == 1
    problem = RollupProblem.objects.get()
    assert problem.series_id == bad and "OverflowError" in problem.error
