"""The air quality API and pages are public: every persona, the anonymous visitor included,
reads the same ambient stations' indices; nothing else is exposed through them; bad queries are
clear errors. The QCVN 05:2023 comparison counts the days over each limit."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from envhub.airquality import services
from envhub.airquality.models import AmbientLimit
from tests.airquality.test_end_to_end import make_current, send

pytestmark = pytest.mark.django_db

PERSONAS = ("admin", "steward", "leader", "officer", "operator", "survey", "anonymous")


@pytest.fixture
def air_day(world):
    station = world.air_hn
    station.expected_interval_minutes = 60
    station.save()
    day = (timezone.now().astimezone(datetime.timezone(datetime.timedelta(hours=7)))
           - datetime.timedelta(days=1)).date()
    send(world, day, range(1, 25))
    make_current(station)  # the newest index is yesterday's
    return day


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_reads_the_latest_indices(world, air_day, persona):
    client = world.client(persona)
    body = client.get("/api/v1/aqi/latest").json()
    by_code = {item["station"]["code"]: item for item in body["results"]}
    assert set(by_code) == {"HNKK1", "DNKK1"}  # ambient stations only: no stack, no outfall
    hanoi = by_code["HNKK1"]
    assert hanoi["aqi"] is not None and not hanoi["stale"]
    assert hanoi["category"]["colour"].startswith("#")
    assert by_code["DNKK1"]["aqi"] is None
    assert client.get("/api/v1/aqi/hourly?station=hnkk1").status_code == 200
    assert client.get("/api/v1/aqi/daily?station=HNKK1").status_code == 200
    assert client.get("/air/").status_code == 200
    assert client.get("/air/stations/HNKK1/").status_code == 200
    assert client.get("/air/provinces/01/").status_code == 200


def test_only_ambient_stations_have_an_index(world, air_day):
    client = world.client("anonymous")
    for path in ("/api/v1/aqi/hourly?station=HNKT1", "/api/v1/aqi/daily?station=NOPE",
                 "/api/v1/aqi/standards?station=HNKT1"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json()["ok"] is False
    assert client.get("/air/stations/HNKT1/").status_code == 404
    assert client.get("/air/provinces/99/").status_code == 404


def test_the_series_follow_the_hour_ending_labels(world, air_day):
    body = world.client("anonymous").get(
        f"/api/v1/aqi/daily?station=HNKK1&from={air_day}&to={air_day}").json()
    assert [row["day"] for row in body["results"]] == [air_day.isoformat()]
    assert body["results"][0]["aqi"] == 120
    assert body["results"][0]["dominant"] == "O3"
    hourly = world.client("anonymous").get(
        f"/api/v1/aqi/hourly?station=HNKK1&from={air_day}&to={air_day}&limit=500").json()
    assert hourly["results"][0]["hour_end"].endswith("T01:00:00+07:00")
    assert hourly["results"][-1]["hour_end"].endswith("T00:00:00+07:00")  # 24:00 of the day


@pytest.mark.parametrize("query", ["station=HNKK1&from=tomorrow",
                                   "station=HNKK1&from=2026-11-20&to=2026-11-01",
                                   "station=HNKK1&from=2020-01-01&to=2026-01-01",
                                   "station=HNKK1&cursor=forged"])
def test_bad_queries_are_clear_errors(world, air_day, query):
    response = world.client("anonymous").get(f"/api/v1/aqi/hourly?{query}")
    assert response.status_code == 400
    assert response.json()["ok"] is False


def test_the_standards_comparison_counts_days_over_the_limit(world, air_day):
    year = air_day.year
    rows = {(r["parameter"], r["averaging"]): r for r in services.standards(world.air_hn, year)}
    # The day: PM2.5 24-h mean 45 (the limit is 50 until 2025, 45 from 2026: not over 45),
    # PM10 80 (limit 100), NO2 max 1-h 150 (limit 200), O3 max 8-h 140 (limit 120: over).
    assert rows[("PM10", "24h")]["highest"] == pytest.approx(80)
    assert rows[("PM10", "24h")]["days_over"] == 0
    assert rows[("O3", "8h")]["highest"] == pytest.approx(140)
    assert rows[("O3", "8h")]["days_over"] == 1
    assert rows[("NO2", "1h")]["highest"] == pytest.approx(150)
    assert rows[("NO2", "1h")]["days_over"] == 0
    pm25 = rows[("PM2_5", "24h")]
    expected_limit = 45 if year >= 2026 else 50
    assert pm25["limit"] == expected_limit and pm25["days_over"] == 0
    # One day is not a year: the annual means are provisional, never judged "over".
    assert rows[("PM10", "year")]["provisional"] is True
    assert rows[("PM10", "year")]["exceeded"] is None
    response = world.client("anonymous").get(f"/api/v1/aqi/standards?station=HNKK1&year={year}")
    assert response.status_code == 200
    assert world.client("anonymous").get(
        "/api/v1/aqi/standards?station=HNKK1&year=1990").status_code == 400


def test_qcvn_05_limits_are_reference_data(reference):
    limits = {(limit.parameter.code, limit.averaging, limit.valid_from) for limit in
              AmbientLimit.objects.select_related("parameter")}
    assert ("PM2_5", "24h", datetime.date(2026, 1, 1)) in limits
    assert ("PM10", "24h", None) in limits
    assert AmbientLimit.objects.get(parameter__code="PM10", averaging="24h").value == 100
