"""Today's daily VN_AQI is what the hours so far give: the API marks a local day that has not
ended (24:00 Viet Nam time) `in_progress`, worked out when read from the day and the time, never
stored; the station page's chart says so ("đang tính")."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from envhub.airquality import services
from envhub.airquality.models import DailyAqi
from envhub.core.timeutil import VN, local_day

DAY = datetime.date(2026, 11, 26)


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=VN)


@pytest.mark.parametrize("now, running", [
    (local(2026, 11, 26, 0, 0, 1), True),     # its first hour running
    (local(2026, 11, 26, 17, 45), True),
    (local(2026, 11, 26, 23, 59, 59), True),  # the hour ending 24:00 still running
    (local(2026, 11, 27, 0, 0), False),       # 24:00: the day's last hour has just ended
    (local(2026, 11, 28, 9, 0), False),
    (local(2026, 11, 25, 12, 0), True),       # not begun: not a final index either
    (datetime.datetime(2026, 11, 26, 16, 59, tzinfo=datetime.UTC), True),  # 23:59 local
    (datetime.datetime(2026, 11, 26, 17, 0, tzinfo=datetime.UTC), False),  # 24:00 local
])
def test_a_day_is_in_progress_until_its_24_00(now, running):
    assert services.day_in_progress(DAY, now) is running


@pytest.mark.django_db
def test_the_api_marks_the_day_that_has_not_ended(world):
    before = local_day(timezone.now())
    for day in (before - datetime.timedelta(days=1), before):
        DailyAqi.objects.create(station=world.air_hn, day=day, aqi=60, category="moderate",
                                dominant="PM2_5", sub_indices={"PM2_5": 60}, inputs=[], note="")
    body = world.client("anonymous").get(
        f"/api/v1/aqi/daily?station={world.air_hn.code}"
        f"&from={before - datetime.timedelta(days=1)}&to={before}").json()
    after = local_day(timezone.now())  # the same day unless midnight passed meanwhile
    marks = {row["day"]: row["in_progress"] for row in body["results"]}
    assert set(marks) == {str(before - datetime.timedelta(days=1)), str(before)}
    for day, running in marks.items():
        day = datetime.date.fromisoformat(day)
        assert running is (day >= after) or (before < after and day == before)
    assert marks[str(before - datetime.timedelta(days=1))] is False
    # Hourly rows are only ended hours: they carry no such mark.
    hourly = world.client("anonymous").get(
        f"/api/v1/aqi/hourly?station={world.air_hn.code}").json()
    assert all("in_progress" not in row for row in hourly["results"])
    assert "in_progress" not in {field.name for field in DailyAqi._meta.get_fields()}


def send(world, day, hours, symbol):
    """Hourly values of `symbol` at the Hà Nội ambient station, every five minutes of the
    local hours ending at `hours` of `day`."""
    from envhub.core.permissions import system_actor
    from envhub.monitoring import ingest, rollups
    from tests.monitoring.files import tt10_file

    files = [tt10_file(world.air_hn, datetime.datetime.combine(day, datetime.time(0))
                       + datetime.timedelta(hours=hour - 1, minutes=5 * slot),
                       [(symbol, 60.0 + hour, "ug/m3")])
             for hour in hours for slot in range(1, 13)]
    for first in range(0, len(files), 100):
        reports = ingest.ingest(system_actor("tests"), "ftp", files[first:first + 100], live=True)
        assert all(report.rejected == 0 for report in reports)
    rollups.process_queue()
    services.process_queue()


def compared(world, day, at, parameter):
    now = datetime.datetime.combine(day, datetime.time(0), tzinfo=VN) + datetime.timedelta(
        hours=at)
    return {row["averaging"]: row for row in services.standards(world.air_hn, day.year, now)
            if row["parameter"] == parameter}


@pytest.mark.django_db
@pytest.mark.parametrize("hours, at, expected", [
    # 18 full hours: a valid day once it has ended; until then no 24-hour mean, and not a day
    # without enough data either.
    (range(1, 19), 19, (0, 0)),
    (range(1, 19), 24, (1, 0)),
    # 5 hours: not enough for the day — said only once the day has ended.
    (range(1, 6), 19, (0, 0)),
    (range(1, 6), 24, (0, 1)),
    (range(1, 6), 48, (0, 1)),
])
def test_the_qcvn_comparison_leaves_the_day_in_progress_out(world, hours, at, expected):
    day = local_day(timezone.now()) - datetime.timedelta(days=3)  # days of the data, any hour
    send(world, day, hours, "PM2,5")
    row = compared(world, day, at, "PM2_5")["24h"]
    assert (row["days_with_data"], row["days_incomplete"]) == expected


@pytest.mark.django_db
def test_only_the_hours_ended_are_hourly_means(world):
    day = local_day(timezone.now()) - datetime.timedelta(days=3)
    send(world, day, range(1, 7), "O3")  # 61 … 66 µg/m3
    assert compared(world, day, 3.5, "O3")["1h"]["highest"] == 63  # 01:00 … 03:00 only
    assert compared(world, day, 6, "O3")["1h"]["highest"] == 66


@pytest.mark.django_db
def test_the_daily_download_marks_the_day_that_has_not_ended(world):
    """The catalogue's daily VN_AQI carries the API's mark: today's row is what the hours so
    far give, and a download must not show it as final as a whole day."""
    import json

    from envhub.catalog import services as catalogue

    before = local_day(timezone.now())
    for day in (before - datetime.timedelta(days=1), before):
        DailyAqi.objects.create(station=world.air_hn, day=day, aqi=60, category="moderate",
                                dominant="PM2_5", sub_indices={"PM2_5": 60}, inputs=[], note="")
    catalogue.sync()
    response = world.client("anonymous").get(
        "/datasets/chi-so-chat-luong-khong-khi-vn-aqi-daily/download.json")
    after = local_day(timezone.now())  # the same day unless midnight passed meanwhile
    marks = {row["day"]: row["in_progress"]
             for row in json.loads(b"".join(response.streaming_content))}
    assert marks[str(before - datetime.timedelta(days=1))] is False
    assert marks[str(before)] is (before == after)
    hourly = world.client("anonymous").get(
        "/datasets/chi-so-chat-luong-khong-khi-vn-aqi-hourly/download.json")
    assert all("in_progress" not in row
               for row in json.loads(b"".join(hourly.streaming_content)))
