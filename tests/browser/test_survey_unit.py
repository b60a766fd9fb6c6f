"""In a real browser, at 390 px and at 1366 px, a survey unit's year: it opens its survey
page, downloads the template, uploads a file with errors, follows the check and reads the
report, downloads its file annotated, uploads the corrected file and sends it for review — with
no script error, no CSP violation, and no page wider than the screen.

The worker's check runs in a thread beside the live server (the browser's event loop runs in
the test's thread, where Django refuses database work), as `envhub worker` would."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.browser.pages import open_page
from tests.browser.survey_worker import survey_worker  # noqa: F401 - a fixture
from tests.surveys.conftest import campaign  # noqa: F401 - the 2026 campaign fixture
from tests.surveys.unitdata import wells

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "surveys"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}


@pytest.fixture
def unit_session(world, campaign):  # noqa: F811 - the fixture imported above
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(world.users["survey"])
    return {"cookie": (settings.SESSION_COOKIE_NAME,
                       client.cookies[settings.SESSION_COOKIE_NAME].value),
            "assignment": campaign.generic.pk,
            "bad": wells(world, "12,5", "sâu", "14"), "good": wells(world, "12,5", "13", "14")}


def fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.usefixtures("survey_worker")
@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390", "1366"])
def test_the_unit_uploads_corrects_and_sends_its_table(unit_session, live_server,
                                                       browser, viewport, tmp_path):
    context, page, errors = open_page(browser, live_server, viewport=viewport,
                                      accept_downloads=True)
    name, value = unit_session["cookie"]
    context.add_cookies([{"name": name, "value": value, "url": live_server.url}])
    base, width = live_server.url, viewport["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{base}/surveys/")
    assert page.locator("h1").inner_text() == "Điều tra, quan trắc"
    row = page.locator(f"tr[data-assignment='{unit_session['assignment']}']")
    assert "Chưa tải lên" in row.inner_text()
    fits(page, width)

    # The template, with its Vietnamese name.
    with page.expect_download() as caught:
        row.get_by_role("link", name="Biểu mẫu").click()
    download = caught.value
    assert download.suggested_filename == "Biểu mẫu - Khảo sát giếng nước hộ gia đình - 2026.xlsx"
    workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert workbook.sheetnames[0] == "Dữ liệu"

    # A file with an error: the check runs, the page follows it and shows the report.
    row.get_by_role("link", name="Tải lên", exact=True).click()
    page.locator("#survey-file").wait_for()
    page.set_input_files("#survey-file", files=[{
        "name": "gieng-2026.csv", "mimeType": "text/csv", "buffer": unit_session["bad"]}])
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    page.wait_for_url("**/surveys/submissions/*/")
    page.locator("#error-table").wait_for()
    table = page.locator("#error-table").inner_text()
    assert "G3" in table and "sâu" in table and "Cần một số" in table
    assert page.locator("#error-count").inner_text() == "1"
    assert page.locator("#submit-button").is_disabled()
    assert "Không thể gửi duyệt tệp còn lỗi" in page.locator("#submit-refusal").inner_text()
    fits(page, width)
    page.screenshot(path=str(SCREENSHOTS / f"report-{width}.png"), full_page=True)

    # The unit's own file, annotated: the bad cell red, with its comment.
    with page.expect_download() as caught:
        page.locator("#annotated-link").click()
    annotated = load_workbook(io.BytesIO(Path(caught.value.path()).read_bytes()))
    cell = annotated.worksheets[0]["G3"]
    assert cell.value == "sâu" and cell.fill.start_color.rgb.endswith("FFC7CE")

    # The corrected file replaces it; clean, it is sent for review.
    page.set_input_files("#survey-file", files=[{
        "name": "gieng-2026-sua.csv", "mimeType": "text/csv", "buffer": unit_session["good"]}])
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    page.locator("#clean-note").wait_for()
    assert page.locator("#submit-button").is_enabled()
    page.fill("#submit-comment", "Đã sửa độ sâu giếng HN-0002.")
    page.locator("#submit-button").click()
    page.locator("ul.messages .message.success").wait_for()
    assert "Đã gửi duyệt" in page.locator("ul.messages .message.success").inner_text()
    assert page.locator("#submission-state").inner_text() != "Bản nháp"
    assert "Đã sửa độ sâu giếng HN-0002." in page.locator("#history").inner_text()
    assert page.locator("#uploads tbody tr").count() == 2
    # A comment is read as lines of words, whole on the screen: at 390 px the five columns
    # squeezed it to about 70 px, a word a line.
    comment = page.locator("#history td.survey-comment").first
    box = comment.bounding_box()
    assert box["x"] + box["width"] <= width
    if width == PHONE["width"]:
        assert box["width"] >= 300, box  # the screen's width, under its heading
        assert "Nhận xét" in comment.evaluate("cell => getComputedStyle(cell, '::before').content")
    fits(page, width)
    page.screenshot(path=str(SCREENSHOTS / f"submitted-{width}.png"), full_page=True)

    # The home page says what is left to do.
    page.goto(f"{base}/")
    assert page.locator("#survey-panel-title").is_visible()
    fits(page, width)
    context.close()
    assert errors == []
