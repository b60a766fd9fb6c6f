"""A day of an ambient station's TT10 files through the ingestion service, the rollups and the
air quality worker: the daily VN_AQI equals a hand computation; late data recompute it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from envhub.airquality import services
from envhub.airquality.models import DailyAqi, HourlyAqi
from envhub.core.permissions import system_actor
from envhub.core.timeutil import VN, latest_complete_hour
from envhub.monitoring import ingest, rollups
from tests.monitoring.files import tt10_file

pytestmark = pytest.mark.django_db


def hour_values(hour):
    """Local hour-ending hour 1 … 24 → the station's hourly means, µg/m3."""
    return {
        "PM2,5": 30 if hour <= 12 else 60,   # 24-h mean 45
        "PM10": 80,                           # 24-h mean 80
        "NO2": 150 if hour == 9 else 50,      # max 1-h 150
        "SO2": 20,
        "CO": 5000 if hour == 18 else 1200,   # max 1-h 5000
        "O3": 180 if 13 <= hour <= 16 else 100,  # max 1-h 180; max 8-h (4×180 + 4×100)/8
    }


@pytest.fixture
def day(world):
    station = world.air_hn
    station.expected_interval_minutes = 60  # one file an hour: each hour is complete
    station.save()
    return (timezone.now().astimezone(VN) - datetime.timedelta(days=2)).date()


def send(world, day, hours, values=hour_values):
    files = []
    for hour in hours:
        at = datetime.datetime.combine(day, datetime.time(0)) + datetime.timedelta(hours=hour)
        files.append(tt10_file(world.air_hn, at, [
            (symbol, value, "ug/m3") for symbol, value in values(hour).items()]))
    reports = ingest.ingest(system_actor("tests"), "ftp", files, live=True)
    assert all(r.rejected == 0 for r in reports)
    rollups.process_queue()
    services.process_queue()


def make_current(station) -> HourlyAqi:
    """Move the station's newest index to the latest ended hour, as if it had just come. Any
    index at or after that hour goes first: between 00:00 and 01:00 the day sent already ends
    there, and the worker also indexes the running hour (its NowCast reaches back)."""
    ended = latest_complete_hour(timezone.now())
    HourlyAqi.objects.filter(station=station, hour_end__gt=ended).delete()
    newest = HourlyAqi.objects.filter(station=station, aqi__isnull=False).latest("hour_end")
    HourlyAqi.objects.filter(station=station, hour_end=ended).exclude(pk=newest.pk).delete()
    HourlyAqi.objects.filter(pk=newest.pk).update(hour_end=ended)
    # The key is (station, hour_end): the row moved is found by its new hour.
    return HourlyAqi.objects.get(station=station, hour_end=ended)


def test_the_daily_aqi_of_a_day_equals_the_hand_computation(world, day):
    send(world, day, range(1, 25))
    daily = DailyAqi.objects.get(station=world.air_hn, day=day)
    # By hand, Table 2 of Decision 1459:
    #   PM2.5 24-h 45      → 50 + (100 − 50)/(50 − 25) × (45 − 25)        = 90
    #   PM10  24-h 80      → 50 + (100 − 50)/(150 − 50) × (80 − 50)       = 65
    #   NO2   max 1-h 150  → 50 + (100 − 50)/(200 − 100) × (150 − 100)    = 75
    #   SO2   max 1-h 20   → 50/125 × 20                                   = 8
    #   CO    max 1-h 5000 → 50/10000 × 5000                               = 25
    #   O3    max 1-h 180  → 50 + (100 − 50)/(200 − 160) × (180 − 160)    = 75
    #         max 8-h 140  → 100 + (150 − 100)/(170 − 120) × (140 − 120)  = 120
    #   AQI = max = 120 (O3), category Kém (101–150).
    assert daily.sub_indices == {"PM2_5": 90, "PM10": 65, "NO2": 75, "SO2": 8, "CO": 25,
                                 "O3": 120}
    assert (daily.aqi, daily.dominant, daily.category) == (120, "O3", "poor")
    # Hour-ending labels: the day's 24 hourly indices run 01:00 … 24:00.
    hours = HourlyAqi.objects.filter(station=world.air_hn).order_by("hour_end")
    first = datetime.datetime.combine(day, datetime.time(1), tzinfo=VN)
    assert hours.first().hour_end == first
    # …and one more: at 01:00 the next day the NowCast still has 2 of its last 3 hours.
    assert hours.count() == 24 + 1


def test_the_hourly_aqi_uses_the_nowcast_and_the_current_gases(world, day):
    send(world, day, range(1, 13))
    noon = HourlyAqi.objects.get(station=world.air_hn,
                                 hour_end=datetime.datetime.combine(day, datetime.time(12),
                                                                    tzinfo=VN))
    # Twelve equal PM2.5 hours: the NowCast is 30 → 50 + 2 × 5 = 60; PM10 80 → 65; NO2 50 →
    # 25; O3 100 (1-h table) → 31.25 → 31.
    assert noon.sub_indices["PM2_5"] == 60
    assert noon.sub_indices["PM10"] == 65
    assert noon.sub_indices["O3"] == 31
    assert (noon.aqi, noon.dominant, noon.category) == (65, "PM10", "moderate")


def test_late_hours_recompute_the_day(world, day):
    send(world, day, range(1, 18))  # 17 hours: too few for any daily figure (18 needed)
    assert not DailyAqi.objects.filter(station=world.air_hn, day=day).exists()
    send(world, day, range(18, 25))  # the rest arrives late
    daily = DailyAqi.objects.get(station=world.air_hn, day=day)
    assert daily.aqi == 120


def test_gases_sent_in_ppb_and_mg_per_m3_are_indexed_in_ug_per_m3(world, day):
    def values(hour):
        # NO2 100 ppb = 100 × 46.0055 / 24.45 = 188.16 µg/m3; CO 5 mg/m3 = 5000 µg/m3.
        return {"PM2,5": 30, "NO2": (100, "ppb"), "CO": (5, "mg/m3")}

    files = []
    for hour in range(1, 4):
        at = datetime.datetime.combine(day, datetime.time(0)) + datetime.timedelta(hours=hour)
        lines = []
        for symbol, value in values(hour).items():
            number, unit = value if isinstance(value, tuple) else (value, "ug/m3")
            lines.append((symbol, number, unit))
        files.append(tt10_file(world.air_hn, at, lines))
    ingest.ingest(system_actor("tests"), "ftp", files, live=True)
    rollups.process_queue()
    services.process_queue()
    row = HourlyAqi.objects.get(station=world.air_hn, hour_end=datetime.datetime.combine(
        day, datetime.time(3), tzinfo=VN))
    inputs = {item["pollutant"]: item["concentration"] for item in row.inputs}
    assert inputs["NO2"] == pytest.approx(188.16, abs=0.01)
    assert inputs["CO"] == pytest.approx(5000)
    # NO2 188.16 → 50 + 0.5 × 88.16 = 94.08 → 94; CO 5000 → 25; PM2.5 NowCast 30 → 60.
    assert (row.sub_indices["NO2"], row.sub_indices["CO"], row.aqi) == (94, 25, 94)
