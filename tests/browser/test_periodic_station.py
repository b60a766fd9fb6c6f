"""A periodic station's results in a real browser: on a phone (390×844) the results table
scrolls in its own box and the page does not widen; printed, every result is on paper with
its limit of detection."""

from __future__ import annotations

import datetime

import pytest

from tests.browser.pages import open_page
from tests.browser.test_print import printed
from tests.monitoring.periodic import load, row

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def session(world):
    from django.conf import settings
    from django.test import Client

    load([row(2, value=12.5, day=datetime.date(2026, 3, 10)),
          row(3, parameter="Cd", below=True, limit=0.02, day=datetime.date(2026, 6, 10))],
         version=17, operator_id=world.survey_unit.id)
    client = Client()
    client.force_login(world.users["officer"])
    return settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value


def _station_page(browser, live_server, session, **options):
    context, page, errors = open_page(browser, live_server, **options)
    context.add_cookies([{"name": session[0], "value": session[1], "url": live_server.url}])
    page.goto(f"{live_server.url}/stations/SW01/")
    return context, page, errors


def test_the_results_scroll_in_their_own_box_on_a_phone(session, live_server, browser):
    context, page, errors = _station_page(browser, live_server, session, viewport=PHONE)
    table = page.locator("#samples table.samples").first
    assert table.is_visible()
    assert table.evaluate("t => t.closest('.table-scroll') !== null")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator("#samples").get_by_text("< LOD (0,02\u00a0mg/L)").count() == 1
    assert errors == []
    context.close()


def test_the_results_print_whole(session, live_server, browser):
    context, page, errors = _station_page(browser, live_server, session)
    text, pages = printed(page, "periodic-station")
    text = text.replace("\u00a0", " ")
    assert "Sông Tô Lịch" in pages[0] and "Đăng xuất" not in text  # the page, not the menu
    assert all(f"Trang {n} / {len(pages)}" in content for n, content in enumerate(pages, 1))
    assert "< LOD (0,02 mg/L)" in text and "12,5 mg/L" in text
    assert "VIMCERTS 123" in text
    assert errors == []
    context.close()
