"""In a real browser, the stewards' and leaders' survey pages on a phone (390 px): the campaign
progress, the review queue, a generic table's rows and a schema's page fit the screen (a wide
table scrolls in its own box); and the campaign progress prints as a report."""

from __future__ import annotations

import shutil

import pytest
from django.conf import settings
from django.test import Client

from tests.browser.pages import open_page
from tests.browser.test_print import SCREENSHOTS, printed
from tests.surveys.conftest import campaign  # noqa: F401 - the fixture
from tests.surveys.steps import loaded, sent, well, wells_file

pytestmark = pytest.mark.browser

FITS = "() => document.documentElement.scrollWidth"


@pytest.fixture
def surveys(world, campaign):  # noqa: F811
    loaded(world, campaign.generic, wells_file(well(world), well(world, "HN-0002", depth="3")))
    sent(world, campaign.generic, wells_file(well(world, depth="14")))
    client = Client()
    client.force_login(world.users["steward"])
    return {"cookie": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "campaign": campaign.campaign.pk, "generic": campaign.generic.pk}


def test_the_steward_pages_fit_a_phone(surveys, live_server, browser):
    context, page, errors = open_page(browser, live_server,
                                      viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": surveys["cookie"],
                          "url": live_server.url}])
    for path, seen in ((f"/surveys/campaigns/{surveys['campaign']}/", "#campaign-progress"),
                       ("/surveys/review/", "#review-queue"),
                       (f"/surveys/assignments/{surveys['generic']}/rows/", "#table-rows"),
                       ("/surveys/schemas/gieng-nuoc-ho-gia-dinh/", "#template-preview"),
                       (f"/surveys/assignments/{surveys['generic']}/", "#version-list")):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert page.locator(seen).is_visible(), path
        assert page.evaluate(FITS) <= 390, path
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"surveys-{seen.strip('#')}-390.png"),
                        full_page=True)
    assert not errors
    context.close()


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext is not installed")
def test_the_campaign_progress_prints_as_a_report(surveys, live_server, browser):
    context, page, errors = open_page(browser, live_server)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": surveys["cookie"],
                          "url": live_server.url}])
    page.goto(f"{live_server.url}/surveys/campaigns/{surveys['campaign']}/")
    text, pages = printed(page, "survey-campaign")
    assert "Điều tra, quan trắc năm 2026" in pages[0]
    # Names wrap inside their cells: each unit's first words, on its row.
    assert "Viện Quan trắc Thử" in text and "Trung tâm Quan trắc" in text
    assert "Khảo sát giếng nước hộ gia" in text and "Đã gửi" in text
    assert "Đăng xuất" not in text
    assert not errors
    context.close()
