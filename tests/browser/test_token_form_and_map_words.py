"""In a real browser: the token form shows the station or facility field only when "For" asks
for it (site.js, no inline script), and the maps' zoom buttons speak Vietnamese."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.pages import open_page
from tests.browser.test_station_map import sign_in

pytestmark = pytest.mark.browser

PASSWORD = "Ma-truy-cap-2026!"


@pytest.fixture
def operator(transactional_db, world):
    user = world.users["operator"]
    user.set_password(PASSWORD)
    user.save()
    return user


def test_the_token_form_asks_only_for_what_for_needs(operator, live_server, browser):
    context, page, errors = open_page(browser, live_server)
    try:
        sign_in(page, live_server.url, "operator", PASSWORD)
        page.goto(f"{live_server.url}/account/tokens/")
        station = page.locator('[data-shown-when="owner=station"]')
        facility = page.locator('[data-shown-when="owner=facility"]')
        expect(station).to_be_hidden()
        expect(facility).to_be_hidden()
        page.select_option("#id_owner", "station")
        expect(station).to_be_visible()
        expect(facility).to_be_hidden()
        page.select_option("#id_owner", "facility")
        expect(station).to_be_hidden()
        expect(facility).to_be_visible()
        for path in ("/stations/", "/air/"):  # map.js and air.js (which starts earlier)
            page.goto(f"{live_server.url}{path}")
            expect(page.locator(".leaflet-control-zoom-out")).to_have_attribute("title",
                                                                                 "Thu nhỏ")
            expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("title",
                                                                                "Phóng to")
        assert errors == []
    finally:
        context.close()
