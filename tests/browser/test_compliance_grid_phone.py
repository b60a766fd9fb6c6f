"""On a phone (390×844) the facility's three-year grid scrolls sideways inside its own box and
the page stays as wide as the screen; the event list and the facility list with its compliance
columns fit too; printed, the grid fits the page's width. Screenshots in
var/screenshots/compliance/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.pages import open_page
from tests.compliance import across

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "compliance"


@pytest.fixture
def steward_session(world):
    from django.conf import settings
    from django.test import Client

    across.build(world)
    client = Client()
    client.force_login(world.users["steward"])
    return settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value


def test_it_fits_a_phone_and_the_printed_page(world, steward_session, live_server, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context, page, errors = open_page(browser, live_server, viewport=PHONE)
    context.add_cookies([{"name": steward_session[0], "value": steward_session[1],
                          "url": live_server.url}])
    page.goto(f"{live_server.url}/facilities/{world.facility_hn.pk}/compliance/")
    box = page.locator(".grid-scroll")
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")  # it scrolls in its box
    assert page.locator(".grid-legend li").count() == 4
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "grid-390.png"))
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    table = page.locator(".grid-table")
    assert table.evaluate("t => t.getBoundingClientRect().width") <= 794
    page.emulate_media(media="screen")
    page.set_viewport_size(PHONE)
    for path in ("/compliance/events/", "/facilities/"):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        page.screenshot(path=str(SHOTS / f"{path.strip('/').replace('/', '-')}-390.png"))
    assert errors == []
    context.close()
