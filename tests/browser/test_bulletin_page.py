"""A published bulletin in a real browser, as a visitor reads it: its charts load as pictures,
its wide tables scroll in their own box on a phone (390×844) without widening the page, the
press kit offers the PNG, SVG and XLSX, and nothing breaks the page's scripts or its CSP."""

from __future__ import annotations

from pathlib import Path

import pytest

from envhub.news import bulletin_jobs, workflow
from envhub.news.bulletin_models import BulletinKind
from tests.browser.pages import open_page
from tests.news.bulletin_seed import NOW, WEEK, air_world

pytestmark = pytest.mark.browser

SHOTS = Path("var/screenshots/news")


@pytest.fixture
def published(world, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                     "OPTIONS": {"location": str(tmp_path / "media")}}}
    air_world(world, settings)
    bulletin = bulletin_jobs.draft(bulletin_jobs.system_actor("tests"),
                                   BulletinKind.AIR_WEEKLY, WEEK, now=NOW).bulletin
    workflow.publish(world.actor("editor"), bulletin.post)
    return bulletin.post.slug


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844},
                                      {"width": 1366, "height": 900}])
def test_a_visitor_reads_the_bulletin_and_its_press_kit(published, live_server, browser,
                                                        viewport):
    context, page, errors = open_page(browser, live_server, viewport=viewport)
    page.goto(f"{live_server.url}/news/{published}/")
    pictures = page.locator(".post-body img")
    assert pictures.count() == 2
    # Generous waits: the machine running the suite may be busy, and the first PNG of a
    # process loads WeasyPrint.
    page.wait_for_function("[...document.querySelectorAll('.post-body img')]"
                           ".every(i => i.complete && i.naturalWidth > 0)", timeout=60_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    first_table = page.locator(".post-body table").first
    assert first_table.evaluate("t => getComputedStyle(t).overflowX") == "auto"
    kit = page.locator(".presskit")
    assert kit.get_by_role("heading", name="Bộ tài liệu báo chí").is_visible()
    assert kit.get_by_role("link", name="PNG").count() == 2
    assert "chi-so-chat-luong-khong-khi-vn-aqi-daily" in kit.inner_text()
    png = page.request.get(live_server.url
                           + kit.get_by_role("link", name="PNG").first.get_attribute("href"),
                           timeout=60_000)
    assert png.status == 200 and png.body()[:8] == b"\x89PNG\r\n\x1a\n"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"bulletin-{viewport['width']}.png"), full_page=True)
    assert errors == []
    context.close()
