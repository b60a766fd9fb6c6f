"""In a real browser, with no sign-in: the public air quality map loads, draws the ambient
stations coloured by their current VN_AQI category, and the station page draws its bars in the
category colours — with no script error and no CSP violation."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from envhub.airquality import vn_aqi
from envhub.core.timeutil import VN, hour_label
from tests.airquality.test_end_to_end import make_current, send
from tests.browser.pages import open_page, wait_for_charts

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def air(world):
    station = world.air_hn
    station.expected_interval_minutes = 60
    station.save()
    day = (timezone.now().astimezone(VN) - datetime.timedelta(days=1)).date()
    send(world, day, range(1, 25))
    return make_current(station)


def test_the_public_map_shows_the_category_colours(air, live_server, browser):
    context, page, errors = open_page(browser, live_server)
    page.goto(f"{live_server.url}/air/")  # no sign-in
    page.wait_for_function("() => document.querySelector('#air-map').dataset.loaded")
    assert page.get_attribute("#air-map", "data-loaded") == "2"  # both ambient stations
    expected = vn_aqi.category_for(air.aqi)
    marker = page.locator(f"path.aqi-marker.aqi-{expected.code}")
    assert marker.count() == 1
    assert marker.get_attribute("fill").lower() == expected.hex.lower()
    assert page.locator("path.aqi-marker.aqi-stale").count() == 1  # Đồng Nai: no index
    legend = page.locator(".aqi-legend .aqi-chip")
    assert legend.count() == 6
    row = page.locator("#air-stations tr[data-station='HNKK1'] .aqi-badge")
    assert row.inner_text() == str(air.aqi)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "air-map.png"), full_page=True)

    page.locator("#air-stations tr[data-station='HNKK1'] a").first.click()
    wait_for_charts(page, ".air-chart")
    assert page.get_attribute("#air-hourly", "data-state") == "ready"
    colours = page.evaluate(
        "echarts.getInstanceByDom(document.querySelector('#air-hourly')).getOption()"
        ".series[0].data.map(d => d.itemStyle.color)")
    assert set(colours) <= {category.hex for category in vn_aqi.CATEGORIES}
    # Each bar's tooltip says which hour it covers: "16:00–17:00 26/11/2026".
    tooltip = page.evaluate(
        "(() => { const chart = echarts.getInstanceByDom(document.querySelector('#air-hourly'));"
        " const option = chart.getOption(); const data = option.series[0].data;"
        " return option.tooltip[0].formatter({ value: data[data.length - 1].value,"
        " data: data[data.length - 1] }); })()")
    assert hour_label(air.hour_end) in tooltip
    last_bar = page.evaluate("echarts.getInstanceByDom(document.querySelector('#air-hourly'))"
                             ".getOption().series[0].data.slice(-1)[0].value[0]")
    middle = air.hour_end.astimezone(VN).replace(tzinfo=datetime.timezone.utc) - \
        datetime.timedelta(minutes=30)  # the chart's clock is Viet Nam time drawn as UTC
    assert last_bar == middle.timestamp() * 1000
    assert page.locator("#aqi-now-value").inner_text() == str(air.aqi)
    page.screenshot(path=str(SCREENSHOTS / "air-station.png"), full_page=True)
    assert errors == []
    context.close()
