"""In a real browser, a leader opens the dashboard's trends and rankings on a phone and on a
laptop: the three charts are drawn with twelve months, stacked, numbers by the site's formatter,
no script error nor CSP violation, nothing wider than the phone's screen; screenshots kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.pages import open_page
from tests.dashboard.seed import tables_world

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
NOVEMBER = "?period=month&at=2026-11-15"


@pytest.fixture
def leader_session(world):
    from django.conf import settings
    from django.test import Client

    tables_world(world)
    client = Client()
    client.force_login(world.users["leader"])
    return settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_leader_reads_the_trends_and_rankings(leader_session, live_server, browser,
                                                  viewport):
    context, page, errors = open_page(browser, live_server, viewport=viewport)
    context.add_cookies([{"name": leader_session[0], "value": leader_session[1],
                          "url": live_server.url}])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server.url}/dashboard/trends/{NOVEMBER}")
    page.wait_for_function("() => ['trend-provinces', 'trend-sectors', 'trend-aqi'].every("
                           "id => echarts.getInstanceByDom(document.getElementById(id)))")
    option = "echarts.getInstanceByDom(document.getElementById('trend-provinces')).getOption()"
    assert page.evaluate(f"{option}.xAxis[0].data.length") == 12
    assert page.evaluate(f"{option}.series.map(s => [s.stack, s.data[11]])") == [
        ["all", 8], ["all", 8]]
    assert page.evaluate(f"{option}.yAxis[0].axisLabel.formatter(2100)") == "2.100"
    aqi = "echarts.getInstanceByDom(document.getElementById('trend-aqi')).getOption()"
    assert page.evaluate(f"{aqi}.series.length") == 6
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    name = "phone" if viewport is PHONE else "laptop"
    page.screenshot(path=str(SCREENSHOTS / f"dashboard-trends-{name}.png"), full_page=True)

    page.goto(f"{live_server.url}/dashboard/rankings/{NOVEMBER}")
    assert page.locator("table.data").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.screenshot(path=str(SCREENSHOTS / f"dashboard-rankings-{name}.png"), full_page=True)
    context.close()
    assert errors == []
