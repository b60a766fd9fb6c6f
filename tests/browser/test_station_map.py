"""In a real browser (Debian's Chromium through Playwright): a Hà Nội provincial officer signs in,
opens the station map and sees only their province's stations; a visitor is sent to sign in."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PASSWORD = "Tram-quan-trac-2025!"
OFFICER_STATIONS = {"HNKT1", "HNNT1", "HNKT2", "HNKK1"}
DONG_NAI_STATIONS = {"DNKT1", "DNKK1"}
TIMEOUT_MS = 15_000


@pytest.fixture
def officer(world):
    """The Hà Nội officer, with a real password to type into the sign-in form. (Database work
    is done before the browser starts: Playwright's sync API runs an event loop in this thread,
    and Django refuses ORM calls under it.)"""
    user = world.users["officer"]
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def page(transactional_db, live_server, browser):
    """A fresh browser page that may only reach the live server: the map tiles' server is
    refused at once (there is no internet here), instead of timing out."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    context.route(lambda url: not url.startswith(live_server.url), lambda route: route.abort())
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda message: page.errors.append(message.text)
            if "Content Security Policy" in message.text else None)
    yield page
    context.close()


def sign_in(page, base_url, username, password):
    page.goto(f"{base_url}/login/")
    form = page.locator("form.stacked")
    form.locator("#id_username").fill(username)
    form.locator("#id_password").fill(password)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{base_url}/")


def test_it_shows_the_officer_only_the_hanoi_stations_on_the_map(
        world, officer, live_server, page):
    sign_in(page, live_server.url, "officer", PASSWORD)
    assert page.locator(".user-box .who").inner_text() == officer.full_name

    page.goto(f"{live_server.url}/stations/")
    page.wait_for_selector("#map[data-loaded]", state="attached")
    assert page.get_attribute("#map", "data-loaded") == str(len(OFFICER_STATIONS))
    markers = page.locator("#map path.station-marker")
    assert markers.count() == len(OFFICER_STATIONS)
    # The table under the map lists the same stations, and nothing of Đồng Nai is on the page.
    codes = page.locator("table.data tbody tr td:first-child").all_inner_texts()
    assert set(codes) == OFFICER_STATIONS
    text = page.inner_text("body")
    for code in DONG_NAI_STATIONS:
        assert code not in text
    assert "Đồng Nai" not in text and world.facility_dn.name not in text
    # Viet Nam's archipelagos are labelled on the map.
    assert "Hoàng Sa" in page.locator("#map").inner_text()

    # Every marker's popup links to one of the officer's stations (two stations on one
    # facility share a spot, so each marker is clicked by an event rather than the mouse).
    link = page.locator(".leaflet-popup-content a")
    linked = set()
    for index in range(markers.count()):
        markers.nth(index).dispatch_event("click")
        link.wait_for()
        linked.add(link.get_attribute("href"))
        assert world.hanoi.name in page.locator(".leaflet-popup-content").inner_text()
        page.locator(".leaflet-popup-close-button").click()
        page.locator(".leaflet-popup").wait_for(state="detached")
    assert linked == {f"/stations/{code}/" for code in OFFICER_STATIONS}

    # The ambient air station stands alone: a real click on it opens its popup.
    page.locator("#map path.station-marker.kind-auto_air").click()
    assert link.get_attribute("href") == "/stations/HNKK1/"
    assert link.inner_text() == "HNKK1"
    # (Let the popup finish fading in before the picture is taken.)
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "station-map-officer.png"), full_page=True)

    link.click()
    page.wait_for_url(f"{live_server.url}/stations/HNKK1/")
    assert "HNKK1" in page.locator("h1").inner_text()
    assert page.errors == []


def test_it_sends_a_visitor_from_the_map_to_the_sign_in_page(world, live_server, page):
    page.goto(f"{live_server.url}/stations/")
    assert page.url == f"{live_server.url}/login/?next=/stations/"
    assert page.locator("form.stacked #id_password").is_visible()
    assert page.locator("#map").count() == 0
    text = page.inner_text("body")
    for code in OFFICER_STATIONS | DONG_NAI_STATIONS:
        assert code not in text
    assert page.errors == []
