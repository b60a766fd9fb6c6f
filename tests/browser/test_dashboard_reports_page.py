"""In a real browser, the leader's list of reports (`/dashboard/reports/`): on a phone it fits
the screen and every ready report's PDF and XLSX can be reached; printed, it is the list alone,
without the filters and the request form. Screenshot and PDF in var/screenshots/dashboard/."""

from __future__ import annotations

import datetime

import pytest

from envhub.dashboard import reports
from envhub.dashboard.models import Report, ReportStatus
from tests.browser.pages import open_page
from tests.browser.test_dashboard import SCREENSHOTS, _sign_in
from tests.browser.test_print import PRINTED_AT, printed
from tests.browser.test_station_chart import PASSWORD
from tests.dashboard.conftest import report_storage  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


@pytest.fixture
def ready_reports(world, report_storage):  # noqa: F811
    """Ready reports of November 2026 for the country and each province, files stored."""
    for key, province in (("vn", None), ("hn", world.hanoi), ("dn", world.dongnai)):
        pdf_name, pdf_size, pdf_sha = reports._keep(f"%PDF-1.7 {key}".encode(), "pdf")
        xlsx_name, xlsx_size, xlsx_sha = reports._keep(f"PK {key}".encode(), "xlsx")
        Report.objects.create(
            province=province, period_kind="month", first_day=datetime.date(2026, 11, 1),
            last_day=datetime.date(2026, 11, 30), requested_by="tests",
            status=ReportStatus.DONE, finished_at=datetime.datetime(
                2026, 12, 1, 1, 0, tzinfo=datetime.timezone.utc),
            pdf_name=pdf_name, pdf_size=pdf_size, pdf_sha256=pdf_sha,
            xlsx_name=xlsx_name, xlsx_size=xlsx_size, xlsx_sha256=xlsx_sha)
    leader = world.users["leader"]
    leader.set_password(PASSWORD)
    leader.save()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return world


def test_the_reports_fit_a_phone_and_print_as_the_list_alone(ready_reports, live_server,
                                                             browser):
    context, page, errors = open_page(browser, live_server,
                                      viewport={"width": 390, "height": 844})
    _sign_in(page, live_server)
    page.goto(f"{live_server.url}/dashboard/reports/")
    assert page.locator("#reports tbody tr").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Every file link is on the screen, not past its right edge.
    page.screenshot(path=str(SCREENSHOTS / "reports-390.png"), full_page=True)
    for link in page.locator("#reports a").all():
        box = link.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390
    page.screenshot(path=str(SCREENSHOTS / "reports-390.png"), full_page=True)
    with page.expect_download() as download:
        page.locator("#reports a", has_text="XLSX").first.click()
    assert download.value.suggested_filename.endswith(".xlsx")

    page.emulate_media(media="print")
    assert not page.locator("#report-filters").is_visible()
    assert not page.locator("#report-new").is_visible()
    text, pages = printed(page, "dashboard-reports")
    assert "Báo cáo" in pages[0] and PRINTED_AT.search(pages[0])
    assert "Hà Nội" in text and "11/2026" in text
    assert "lập báo cáo" not in text.lower()  # the request form, its heading and its button
    assert errors == []
    context.close()
