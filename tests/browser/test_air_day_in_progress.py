"""The station page's daily chart: today's bar is the hours so far, not the day's index. It is
drawn faded with a dashed edge, its tooltip and the note under the chart say "đang tính"; the
ended days are drawn as before."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from envhub.airquality.models import DailyAqi
from envhub.core.timeutil import local_day
from tests.browser.pages import open_page
from tests.browser.test_air_map import SCREENSHOTS, air  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


@pytest.fixture
def today(air, world):  # noqa: F811 - the imported fixture
    """A daily index for today (the hours so far) and for two days before."""
    day = local_day(timezone.now())
    for each in (day - datetime.timedelta(days=2), day):
        DailyAqi.objects.update_or_create(
            station=world.air_hn, day=each, defaults={
                "aqi": 60, "category": "moderate", "dominant": "PM2_5",
                "sub_indices": {"PM2_5": 60}, "inputs": [], "note": ""})
    return day


def test_today_s_bar_says_it_is_in_progress(today, world, live_server, browser):
    code = world.air_hn.code
    context, page, errors = open_page(browser, live_server, viewport={"width": 1366,
                                                                      "height": 900})
    page.goto(f"{live_server.url}/air/stations/{code}/")
    page.wait_for_function("() => document.querySelector('#air-daily').dataset.state")
    after = local_day(timezone.now())
    chart = page.locator("#air-daily")
    assert chart.get_attribute("data-state") == "ready"
    running = chart.get_attribute("data-in-progress")
    assert running == str(today) or (after > today and running is None)
    note = chart.locator("xpath=following-sibling::p[1]").inner_text()
    assert note.startswith(f"Cột ngày {today:%d/%m/%Y} đang tính")
    bars = page.evaluate("() => echarts.getInstanceByDom(document.querySelector('#air-daily'))"
                         ".getOption().series[0].data.map(d => [d.in_progress,"
                         " d.itemStyle.opacity === undefined ? 1 : d.itemStyle.opacity,"
                         " d.itemStyle.borderType || 'solid'])")
    assert [False, 0.45, "dashed"] not in bars and [True, 0.45, "dashed"] in bars
    assert sum(1 for bar in bars if bar[0]) == 1  # today's only; the ended days as before
    assert all(bar[1] == 1 and bar[2] == "solid" for bar in bars if not bar[0])
    page.screenshot(path=str(SCREENSHOTS / "air-station-day-in-progress.png"), full_page=True)
    assert errors == []
    context.close()
