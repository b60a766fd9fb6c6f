"""In a real browser: a leader signs in, opens the dashboard, changes the period, clicks from the
map to a province, from there to a facility and to its compliance chart with the limit line —
with no script error and no CSP violation, on a laptop and on a phone (no page wider than the
screen), and printed without its forms. Screenshots in var/screenshots/dashboard/."""

from __future__ import annotations

from pathlib import Path

import pytest

from envhub.dashboard import filters
from tests.browser.pages import open_page, wait_for_charts
from tests.browser.test_site_map import AXE, RUN_AXE
from tests.browser.test_station_chart import PASSWORD
from tests.dashboard.seed import NOW, figures_world

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "dashboard"


@pytest.fixture
def seeded_leader(world, monkeypatch):
    monkeypatch.setattr(filters, "clock", lambda: NOW)  # 20 November 2026, noon
    figures_world(world)
    user = world.users["leader"]
    user.set_password(PASSWORD)
    user.save()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return world


def _sign_in(page, live_server):
    page.goto(f"{live_server.url}/login/")
    form = page.locator("form.stacked")
    form.locator("#id_username").fill("leader")
    form.locator("#id_password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")


def test_a_leader_goes_from_the_dashboard_to_a_limit_line(seeded_leader, live_server, browser):
    context, page, errors = open_page(browser, live_server,
                                      viewport={"width": 1366, "height": 900})
    _sign_in(page, live_server)
    page.locator("a[href='/dashboard/']").first.click()  # the home page leads to it
    page.wait_for_url(f"{live_server.url}/dashboard/")
    page.wait_for_function("() => document.getElementById('dashboard-map').dataset.loaded"
                           " && document.getElementById('dashboard-map').dataset.basemap")
    assert page.get_attribute("#dashboard-map", "data-basemap") == "ready"
    assert page.get_attribute("#dashboard-map", "data-loaded") == "6"
    hours = page.locator("[data-figure='hours_over'] .figure").first.inner_text()
    assert hours.strip() == "5"
    assert "tháng 11/2026" in page.locator("#dashboard-period").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "dashboard-1366.png"), full_page=True)

    # The period: this quarter, chosen in the form.
    page.select_option("#period", "quarter")
    page.locator("form.dashboard-filters button[type=submit]").click()
    page.wait_for_url("**/dashboard/?period=quarter*")
    assert "quý 4/2026" in page.locator("#dashboard-period").inner_text()
    assert "quý 3/2026" in page.locator("#dashboard-period").inner_text()

    # From the map to Hà Nội's dashboard.
    page.wait_for_function("() => document.getElementById('dashboard-map').dataset.loaded")
    page.locator("#dashboard-map path.province-01").dispatch_event("click")
    page.wait_for_url("**province=01*")
    assert "Hà Nội" in page.locator("h1").inner_text()
    assert page.locator("#province-figures tbody tr").count() == 1

    # To the province's facilities over the limits, to a facility, to its chart.
    page.locator("[data-figure='facilities_over']").first.click()
    page.wait_for_url("**/provinces/01/compliance/*")
    page.get_by_role("link", name="Nhà máy Nhiệt điện Sông Hồng").click()
    page.wait_for_url("**/facilities/*/compliance/")
    page.fill("#period-from", "2026-11-07")
    page.fill("#period-to", "2026-11-09")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**from=2026-11-07*")
    wait_for_charts(page, ".compliance-chart")
    chart = ".compliance-chart[data-parameter='SO2']"
    assert page.get_attribute(chart, "data-state") == "ready"
    option = f"echarts.getInstanceByDom(document.querySelector(\"{chart}\")).getOption()"
    assert page.evaluate(f"{option}.series[1].data.length") > 0
    assert page.evaluate(f"{option}.series[1].data.every(d => d[1] === 500)")  # the limit
    page.screenshot(path=str(SCREENSHOTS / "facility-chart-1366.png"), full_page=True)
    assert errors == []
    context.close()


def test_the_dashboard_fits_a_phone_and_prints_as_a_report(seeded_leader, live_server, browser):
    context, page, errors = open_page(browser, live_server,
                                      viewport={"width": 390, "height": 844})
    _sign_in(page, live_server)
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_function("() => document.getElementById('dashboard-map').dataset.loaded"
                           " && document.getElementById('dashboard-map').dataset.basemap")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The outline of Viet Nam is drawn (its own pane's SVG is as wide as the map).
    assert page.evaluate("document.querySelector('#dashboard-map path.vn-land')"
                         ".ownerSVGElement.getBoundingClientRect().width") > 300
    page.screenshot(path=str(SCREENSHOTS / "dashboard-390.png"), full_page=True)
    page.evaluate(AXE.read_text(encoding="utf-8"))
    serious = [violation for violation in page.evaluate(RUN_AXE)
               if violation["impact"] in ("serious", "critical")]
    assert serious == []
    page.locator("#dashboard-map").screenshot(path=str(SCREENSHOTS / "map-390.png"))
    page.locator("#h-compliance").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "compliance-390.png"))
    page.emulate_media(media="print")
    assert not page.locator("form.dashboard-filters").is_visible()
    assert page.locator("[data-figure='completeness']").first.is_visible()
    assert errors == []
    context.close()
