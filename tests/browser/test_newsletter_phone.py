"""The newsletter's public pages on a phone (390×844) in a real browser: the sign-up form, the
pages its links open, nothing wider than the screen, no script error; the form signs up."""

from __future__ import annotations

from pathlib import Path

import pytest

from envhub.news import newsletter
from tests.browser.pages import open_page
from tests.news.newsletter_setup import subscriber

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "newsletter"


@pytest.fixture
def links(world, settings, live_server):
    settings.ENVHUB_SITE_URL = live_server.url
    token = newsletter.manage_token(subscriber("ban.doc@example.vn", categories=["air"]))
    return {"unsubscribe": f"/newsletter/unsubscribe/{token}/",
            "preferences": f"/newsletter/preferences/{token}/"}


def test_the_newsletter_pages_fit_a_phone(links, live_server, browser):
    context, page, errors = open_page(browser, live_server, viewport=PHONE)
    try:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for name in ("subscribe", "preferences", "unsubscribe"):
            path = "/newsletter/" if name == "subscribe" else links[name]
            page.goto(f"{live_server.url}{path}")
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
            page.screenshot(path=str(SCREENSHOTS / f"{name}-390.png"), full_page=True)
        page.goto(f"{live_server.url}/newsletter/")
        page.get_by_label("Địa chỉ email").fill("moi@example.vn")
        page.get_by_label("Nước").check()
        page.get_by_role("button", name="Đăng ký").click()
        page.wait_for_url("**/newsletter/sent/")
        assert page.get_by_role("heading", name="Kiểm tra hộp thư của bạn").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert errors == []
    finally:
        context.close()
