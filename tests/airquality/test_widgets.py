"""The embeddable air quality widgets: the right value, colour, category and advice for a
station and a city; framable by any site on these URLs only; cached; no sign-in."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from envhub.airquality import vn_aqi
from envhub.airquality.models import HourlyAqi
from envhub.core.timeutil import latest_complete_hour

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def index(station, aqi: int, hours_ago: int = 0) -> HourlyAqi:
    hour = latest_complete_hour(timezone.now()) - datetime.timedelta(hours=hours_ago)
    return HourlyAqi.objects.create(station=station, hour_end=hour, aqi=aqi,
                                    category=vn_aqi.category_for(aqi).code, dominant="PM2_5")


@pytest.mark.parametrize("aqi", [42, 87, 132, 175, 250, 340])
def test_a_station_widget_shows_the_index_and_its_category(world, aqi):
    index(world.air_hn, aqi)
    response = world.client("anonymous").get("/widgets/aqi/station/HNKK1/")
    assert response.status_code == 200
    html = response.content.decode()
    category = vn_aqi.category_for(aqi)
    assert f'data-aqi="{aqi}"' in html and f'data-category="{category.code}"' in html
    assert category.hex in html and category.name_vi in html
    assert category.general_public_vi in html
    assert "http://testserver/air/stations/HNKK1/" in html  # the link back
    assert "<script" not in html


def test_the_widget_speaks_english_when_asked(world):
    index(world.air_hn, 87)
    html = world.client("anonymous").get("/widgets/aqi/station/HNKK1/?lang=en").content.decode()
    assert vn_aqi.category_for(87).name_en in html
    assert '<html lang="en">' in html


def test_a_stale_index_is_not_shown_as_the_air_now(world):
    index(world.air_hn, 42, hours_ago=6)
    html = world.client("anonymous").get("/widgets/aqi/station/HNKK1/").content.decode()
    assert 'data-category="none"' in html and "No current" not in html  # Vietnamese page
    assert "Chưa có chỉ số chất lượng không khí hiện tại" in html


def test_a_city_widget_shows_its_worst_station(world):
    second = type(world.air_hn).objects.create(
        code="HNKK2", name="Trạm HNKK2", kind=world.air_hn.kind, province=world.hanoi,
        latitude=21.0, longitude=105.8)
    index(world.air_hn, 60)
    index(second, 160)
    html = world.client("anonymous").get("/widgets/aqi/city/01/").content.decode()
    assert 'data-aqi="160"' in html and "Trạm HNKK2" in html
    assert "trong 2 trạm" in html


@pytest.mark.parametrize("path", ["/widgets/aqi/station/NOPE/", "/widgets/aqi/city/99/",
                                  "/widgets/aqi/station/HNKT1/"])  # a stack is no air station
def test_an_unknown_widget_is_not_found(world, path):
    response = world.client("anonymous").get(path)
    assert response.status_code == 404
    # Said inside the newspaper's frame, not refused by the site's own 404 page.
    assert "X-Frame-Options" not in response.headers
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "Không có trạm hoặc tỉnh này" in response.content.decode()


def test_only_the_widgets_may_be_framed_by_other_sites(world):
    index(world.air_hn, 42)
    client = world.client("anonymous")
    for path in ("/widgets/aqi/station/HNKK1/", "/widgets/aqi/city/01/", "/widgets/aqi.js"):
        response = client.get(path)
        assert "X-Frame-Options" not in response.headers
        assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
        assert "max-age=300" in response.headers["Cache-Control"]
        assert "Set-Cookie" not in response.headers
    for path in ("/air/", "/widgets/", "/news/"):
        response = client.get(path)
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_the_widget_is_cached_for_a_minute(world, django_assert_max_num_queries):
    index(world.air_hn, 42)
    client = world.client("anonymous")
    client.get("/widgets/aqi/station/HNKK1/")
    HourlyAqi.objects.filter(station=world.air_hn).update(aqi=180, category="bad")
    with django_assert_max_num_queries(0):
        html = client.get("/widgets/aqi/station/HNKK1/").content.decode()
    assert 'data-aqi="42"' in html


def test_the_picker_gives_both_codes(world):
    html = world.client("anonymous").get("/widgets/").content.decode()
    assert 'id="code-iframe"' in html and 'id="code-script"' in html
    assert "HNKK1" in html and "http://testserver/widgets/aqi.js" in html
