"""In a real browser on a phone (390×844): the menu folds behind a button that the keyboard
reaches, that says whether it is open and that Escape closes; a table wider than the screen
scrolls in its own box, keyboard included, with its first column held in place. On a laptop
(1366×900) the menu is simply there."""

from __future__ import annotations

import pytest

from tests.browser.pages import open_page
from tests.browser.site_map import furnish

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}


@pytest.fixture
def officer_session(world):
    from django.conf import settings
    from django.test import Client

    furnish(world)
    client = Client()
    client.force_login(world.users["officer"])
    return settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value


def _signed_in(browser, live_server, session, viewport):
    context, page, errors = open_page(browser, live_server, viewport=viewport)
    context.add_cookies([{"name": session[0], "value": session[1], "url": live_server.url}])
    return context, page, errors


def test_it_folds_the_menu_behind_a_button_on_a_phone(officer_session, live_server, browser):
    context, page, errors = _signed_in(browser, live_server, officer_session, PHONE)
    page.goto(f"{live_server.url}/transmission/")
    toggle = page.locator(".menu-toggle")
    nav = page.locator(".main-nav")
    assert toggle.is_visible() and not nav.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert toggle.get_attribute("aria-controls") == "site-menu"
    for _ in range(5):  # the skip link, the home link, then the button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('menu-toggle')"):
            break
    assert page.evaluate("document.activeElement.classList.contains('menu-toggle')")
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert nav.is_visible()
    assert page.get_by_role("link", name="Truyền dữ liệu").is_visible()
    page.keyboard.press("Tab")  # into the menu
    assert page.evaluate("document.activeElement.closest('#site-menu') !== null")
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not nav.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('menu-toggle')")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert errors == []
    context.close()


def test_it_scrolls_a_wide_table_in_its_own_box(officer_session, live_server, browser):
    context, page, errors = _signed_in(browser, live_server, officer_session, PHONE)
    page.goto(f"{live_server.url}/account/tokens/")
    table = page.locator("table.data").first
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")
    assert table.get_attribute("tabindex") == "0"  # the keyboard can scroll it
    first = table.locator("tbody td").first
    before = first.bounding_box()["x"]
    table.evaluate("t => { t.scrollLeft = 200; }")
    assert first.bounding_box()["x"] == before  # the first column stays
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert errors == []
    context.close()


def test_it_shows_the_menu_without_a_button_on_a_laptop(officer_session, live_server, browser):
    context, page, errors = _signed_in(browser, live_server, officer_session, LAPTOP)
    page.goto(f"{live_server.url}/transmission/")
    assert not page.locator(".menu-toggle").is_visible()
    assert page.locator(".main-nav").is_visible()
    assert page.locator("table.data").first.get_attribute("tabindex") is None
    assert errors == []
    context.close()
