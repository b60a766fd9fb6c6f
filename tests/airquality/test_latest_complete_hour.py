"""An hour that has not ended is never shown as the latest (issue 15, item 6). The worker also
indexes the running hour from the values already in, so at 17:45 an index for the hour ending
18:00 exists; the map, the station page and the API must still show the hour ending 17:00, and
say which hour it covers ("16:00–17:00")."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from envhub.airquality import services
from envhub.airquality.models import HourlyAqi
from envhub.core.timeutil import HOUR, VN, hour_label, local_iso
from tests.airquality.test_end_to_end import make_current, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(world):
    world.air_hn.expected_interval_minutes = 60
    world.air_hn.save()
    yesterday = (timezone.now().astimezone(VN) - datetime.timedelta(days=1)).date()
    send(world, yesterday, range(1, 25))  # every hour of yesterday, 01:00 … 24:00, indexed
    return yesterday


def at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=VN)


@pytest.mark.parametrize("hour, minute, shown", [
    (17, 45, 17),   # the hour ending 18:00 is indexed but still running
    (18, 0, 18),    # at 18:00:00 it has ended
    (18, 1, 18),
])
def test_the_latest_is_the_last_hour_that_has_ended(world, day, hour, minute, shown):
    now = at(day, hour, minute)
    assert HourlyAqi.objects.filter(station=world.air_hn, hour_end=at(day, 18)).exists()
    rows = dict(services.latest(now=now))
    assert rows[world.air_hn].hour_end == at(day, shown)
    assert services.latest_for(world.air_hn, now).hour_end == at(day, shown)


@pytest.fixture
def running(world, day):
    """An index of the hour now running, as the worker makes it from the values already in."""
    ended = make_current(world.air_hn).hour_end
    HourlyAqi.objects.create(station=world.air_hn, hour_end=ended + HOUR, aqi=499,
                             category="hazardous", dominant="PM2_5", sub_indices={"PM2_5": 499},
                             inputs=[], note="")
    return ended


def test_the_api_shows_the_ended_hour_and_the_hour_it_covers(world, running):
    client = world.client("anonymous")
    item = next(row for row in client.get("/api/v1/aqi/latest").json()["results"]
                if row["station"]["code"] == "HNKK1")
    assert item["hour_end"] == local_iso(running)
    assert item["hour_label"] == hour_label(running)
    assert item["aqi"] != 499 and not item["stale"]
    today = timezone.now().astimezone(VN).date()
    first, tomorrow = today - datetime.timedelta(days=2), today + datetime.timedelta(days=1)
    hourly = client.get(f"/api/v1/aqi/hourly?station=HNKK1&from={first}&to={tomorrow}"
                        "&limit=500").json()
    assert hourly["results"][-1]["hour_end"] == local_iso(running)
    assert hourly["results"][-1]["hour_label"] == hour_label(running)
    assert 499 not in [row["aqi"] for row in hourly["results"]]


def test_the_pages_show_the_ended_hour_as_the_hour_it_covers(world, running):
    client = world.client("anonymous")
    for path in ("/air/", "/air/stations/HNKK1/"):
        html = client.get(path).content.decode()
        assert hour_label(running) in html, path
        assert hour_label(running + HOUR) not in html, path
        assert ">499<" not in html, path


def test_the_hourly_dataset_holds_ended_hours_only(world, running):
    from envhub.airquality.datasets import AirQualityIndex
    from envhub.catalog.models import Dataset

    dataset = Dataset(identifier="chi-so-chat-luong-khong-khi-vn-aqi-hourly",
                      provider_key="hourly")
    provider = AirQualityIndex()
    assert provider.stats(dataset).current_until == running
    rows, _field = provider._rows(dataset)
    assert not rows.filter(hour_end__gt=running).exists()
