"""The issue's whole year in a real browser at 390 px: the survey unit downloads its template,
uploads periodic results with an error, reads the report, uploads the corrected file and sends
it; the steward approves it from the review queue; the worker loads it; the new site's page
shows the values, one of them below detection — with no script error and no page wider than
the phone."""

from __future__ import annotations

import pytest

from tests.browser.pages import open_page
from tests.browser.survey_worker import survey_worker  # noqa: F401 - a fixture
from tests.surveys.conftest import campaign  # noqa: F401 - the 2026 campaign fixture
from tests.surveys.files import csv_bytes
from tests.surveys.test_loaders_end_to_end import RESULTS

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SITE = ["SONG-DAY-1", "Sông Đáy tại cầu Quế", "01", "20,58", "105,87"]


def results(cod: str) -> bytes:
    return csv_bytes([
        RESULTS,
        [*SITE, "15/06/2026", "09:30", "water", "COD", cod, "mg/L", "", "",
         "SMEWW 5220C:2017", "Phòng thí nghiệm A"],
        [*SITE, "15/06/2026", "09:30", "water", "Pb", "", "mg/L", "<LOD", "0,002",
         "SMEWW 3113B:2017", "Phòng thí nghiệm A"],
    ])


@pytest.fixture
def sessions(world, campaign):  # noqa: F811 - the fixture imported above
    from django.conf import settings
    from django.test import Client

    cookies = {}
    for persona in ("survey", "steward"):
        client = Client()
        client.force_login(world.users[persona])
        cookies[persona] = (settings.SESSION_COOKIE_NAME,
                            client.cookies[settings.SESSION_COOKIE_NAME].value)
    return {"cookies": cookies, "assignment": campaign.periodic.pk}


def signed_in(browser, live_server, cookie):
    context, page, errors = open_page(browser, live_server, viewport=PHONE,
                                      accept_downloads=True)
    name, value = cookie
    context.add_cookies([{"name": name, "value": value, "url": live_server.url}])
    return context, page, errors


WORKER_MS = 60_000


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.usefixtures("survey_worker")
def test_a_year_of_periodic_results_from_upload_to_the_station_page(sessions, live_server,
                                                                    browser):
    base = live_server.url
    context, page, errors = signed_in(browser, live_server, sessions["cookies"]["survey"])
    page.goto(f"{base}/surveys/assignments/{sessions['assignment']}/")
    with page.expect_download() as caught:
        page.get_by_role("link", name="Tải biểu mẫu XLSX").click()
    assert caught.value.suggested_filename.endswith(".xlsx")

    page.set_input_files("#survey-file", files=[{
        "name": "ket-qua.csv", "mimeType": "text/csv", "buffer": results("mười tám")}])
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    # The check is the worker thread's: on a busy machine it takes longer than a click.
    page.locator("#error-table").wait_for(timeout=WORKER_MS)
    assert "mười tám" in page.locator("#error-table").inner_text()
    fits(page)
    page.set_input_files("#survey-file", files=[{
        "name": "ket-qua-sua.csv", "mimeType": "text/csv", "buffer": results("18,5")}])
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    page.locator("#clean-note").wait_for(timeout=WORKER_MS)
    page.locator("#submit-button").click()
    page.locator("ul.messages .message.success").wait_for()
    context.close()
    assert errors == []

    context, page, errors = signed_in(browser, live_server, sessions["cookies"]["steward"])
    page.goto(f"{base}/surveys/review/")
    page.locator("main a[href*='/surveys/submissions/']").first.click()
    page.locator("#approve-form").wait_for()
    fits(page)
    page.fill("#approve-comment", "Đạt yêu cầu.")
    page.locator("#approve-button").click()
    page.locator("ul.messages .message.success").wait_for()
    # The worker loads the version; the page says so once reloaded.
    for _ in range(100):
        page.reload()
        if "Đã nạp" in page.locator("#submission-state").inner_text():
            break
        page.wait_for_timeout(200)
    assert "Đã nạp" in page.locator("#submission-state").inner_text()

    page.goto(f"{base}/stations/SONG-DAY-1/")
    text = page.locator("main").inner_text()
    assert "18,5" in text and "LOD" in text and "0,002" in text
    fits(page)
    context.close()
    assert errors == []
