"""A day is valid for the QCVN 05:2023 comparison by the same rule as for the daily VN_AQI
(`core.completeness`: an hour needs 75 % of its expected values, a day 75 % of its hours). The
issue's case — eighteen five-minute values of PM2.5 = 60 on one day, 6 % of its data — is no
24-hour value, no day over the limit; it is reported as a day without enough data. TT10 files
in, the public API's values and judgements out."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from envhub.airquality import services
from envhub.core.permissions import system_actor
from envhub.core.timeutil import VN
from envhub.monitoring import ingest, rollups
from tests.monitoring.files import tt10_file

pytestmark = pytest.mark.django_db

FIVE = datetime.timedelta(minutes=5)


@pytest.fixture
def day():
    return (timezone.now().astimezone(VN) - datetime.timedelta(days=2)).date()


def send_pm25(world, day, hours, values_per_hour, value=60.0):
    """PM2.5 files every five minutes at the Hà Nội ambient station (12 expected an hour):
    `values_per_hour` values in each of the local hours ending at `hours`."""
    files = []
    for hour in hours:
        start = datetime.datetime.combine(day, datetime.time(0)) + datetime.timedelta(
            hours=hour - 1)
        files += [tt10_file(world.air_hn, start + slot * FIVE, [("PM2,5", value, "ug/m3")])
                  for slot in range(1, values_per_hour + 1)]
    for first in range(0, len(files), 100):
        reports = ingest.ingest(system_actor("tests"), "ftp", files[first:first + 100], live=True)
        assert all(report.rejected == 0 for report in reports)
    rollups.process_queue()
    services.process_queue()


def standards_row(world, day, averaging="24h"):
    body = world.client("anonymous").get(
        f"/api/v1/aqi/standards?station=HNKK1&year={day.year}").json()
    return next(row for row in body["results"]
                if (row["parameter"], row["averaging"]) == ("PM2_5", averaging))


def daily_aqi(world, day):
    body = world.client("anonymous").get(
        f"/api/v1/aqi/daily?station=HNKK1&from={day}&to={day}").json()
    return [row["aqi"] for row in body["results"]]


@pytest.mark.parametrize(("hours", "per_hour", "valid"), [
    (range(1, 19), 1, False),    # the issue: 18 values, one in each of 18 hours (6 %)
    (range(1, 2), 18, False),    # 18 values crowded in one hour: one valid hour
    (range(1, 19), 9, True),     # 18 hours of 9 of 12 values: exactly 75 % and 75 %
    (range(1, 19), 8, False),    # one value short in every hour
    (range(1, 18), 9, False),    # one hour short of the day
    (range(1, 25), 12, True),    # a full day
])
def test_a_day_counts_for_the_24_hour_limit_only_when_valid(world, day, hours, per_hour, valid):
    send_pm25(world, day, hours, per_hour)
    row = standards_row(world, day)
    if valid:
        assert (row["highest"], row["days_with_data"], row["days_over"]) == (60, 1, 1)
        assert (row["exceeded"], row["days_incomplete"]) == (True, 0)
        assert daily_aqi(world, day) == [117]  # 100 + (150 − 100) / (80 − 50) × 10 = 116.7
    else:
        assert (row["highest"], row["days_with_data"], row["days_over"]) == (None, 0, 0)
        assert (row["exceeded"], row["days_incomplete"]) == (None, 1)
        assert daily_aqi(world, day) in ([], [None])


def test_the_rollups_say_which_hours_and_days_are_valid(world, day):
    send_pm25(world, day, range(1, 19), 1)
    body = world.client("steward").get(
        f"/api/v1/observations?station=HNKK1&parameter=PM2_5&interval=day&from={day}"
        f"&to={day + datetime.timedelta(days=1)}").json()
    [row] = body["results"]
    assert (row["count"], row["valid_count"], row["expected_count"]) == (18, 18, 288)
    assert (row["coverage"], row["valid"], row["mean"]) == (6.2, False, None)
    hours = world.client("steward").get(
        f"/api/v1/observations?station=HNKK1&parameter=PM2_5&interval=hour&from={day}"
        f"&to={day + datetime.timedelta(days=1)}&format=csv")
    lines = b"".join(hours.streaming_content).decode().splitlines()
    assert lines[0].endswith(",coverage,valid")
    assert len(lines) == 19 and all(line.endswith(",8.3,False") for line in lines[1:])


def test_one_hour_limits_count_valid_hours_even_on_an_incomplete_day(world, day):
    # A valid hour is a 1-hour value whatever the rest of the day: NO2 400 µg/m3 in two
    # complete hours is over the 1-hour limit of 200, though the day has no 24-hour mean.
    files = []
    for hour in (9, 10):
        start = datetime.datetime.combine(day, datetime.time(hour - 1))
        files += [tt10_file(world.air_hn, start + slot * FIVE, [("NO2", 400, "ug/m3")])
                  for slot in range(1, 13)]
    ingest.ingest(system_actor("tests"), "ftp", files, live=True)
    rollups.process_queue()
    rows = {(row["parameter"], row["averaging"]): row for row in world.client("anonymous").get(
        f"/api/v1/aqi/standards?station=HNKK1&year={day.year}").json()["results"]}
    assert (rows[("NO2", "1h")]["days_over"], rows[("NO2", "1h")]["highest"]) == (1, 400)
    assert rows[("NO2", "24h")]["days_incomplete"] == 1
    assert rows[("NO2", "24h")]["highest"] is None


def test_the_station_page_shows_days_without_enough_data(world, day):
    if day.year != timezone.now().astimezone(VN).year:
        pytest.skip("the page shows the current year; two days ago was last year")
    send_pm25(world, day, range(1, 19), 1)
    page = world.client("anonymous").get("/air/stations/HNKK1/").content.decode()
    assert "Số ngày không đủ dữ liệu" in page
    assert "Ngày không đủ dữ liệu không có giá trị trung bình 24 giờ" in page
    assert 'title="Những ngày có dữ liệu nhưng quá ít giờ hợp lệ' in page
