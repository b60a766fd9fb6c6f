"""Printing, in Chromium's own PDF (what "Save as PDF" gives): a page prints without the menu,
forms and buttons, with its title, the period it shows, the time it was printed and numbered
pages; the facility compliance page and the air station page print as one report. The PDFs
are read back with pdftotext (poppler-utils) and kept in var/screenshots/."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.pages import open_page, wait_for_charts
from tests.browser.test_air_map import air  # noqa: F401 - the fixture
from tests.browser.test_compliance_page import plant  # noqa: F401 - the fixture
from tests.browser.test_station_chart import PASSWORD

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not shutil.which("pdftotext"),
                                 reason="pdftotext (poppler-utils) is not installed")]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
# Words of the menu, the user box and the forms: none may be printed.
SCREEN_ONLY = ("Truyền dữ liệu", "Đăng xuất", "Mã truy cập API", "Chuyển đến nội dung chính",
               "Đăng nhập", "Hiển thị", "Tải báo cáo (XLSX)", "Tiếng Việt")
PRINTED_AT = re.compile(r"In lúc (\d\d:\d\d \d\d/\d\d/\d{4}) \(giờ Việt Nam\)")


def printed(page, name: str) -> tuple[str, list[str]]:
    """The page printed to A4 PDF: its text, and each page's text."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"print-{name}.pdf"
    path.write_bytes(page.pdf(format="A4"))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          check=True, text=True).stdout
    return text, text.split("\f")[:-1]


def assert_a_document(text: str, pages: list[str], title: str):
    for words in SCREEN_ONLY:
        assert words not in text, words
    assert title in pages[0]
    assert PRINTED_AT.search(pages[0])
    for number, content in enumerate(pages, start=1):
        assert f"Trang {number} / {len(pages)}" in content


def sign_in(page, live_server, username: str):
    page.goto(f"{live_server.url}/login/")
    form = page.locator("form.stacked")
    form.locator("#id_username").fill(username)
    form.locator("#id_password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")


def test_the_facility_compliance_page_prints_as_a_report(plant, world,  # noqa: F811
                                                        live_server, browser):
    context, page, errors = open_page(browser, live_server)
    sign_in(page, live_server, "operator")
    page.goto(f"{live_server.url}/facilities/{world.facility_hn.pk}/compliance/"
              f"?from={plant:%Y-%m-%d}&to={plant:%Y-%m-%d}")
    wait_for_charts(page, ".compliance-chart")
    text, pages = printed(page, "facility-compliance")
    assert_a_document(text, pages, f"Tuân thủ: {world.facility_hn.name}")
    assert f"Kỳ: {plant:%d/%m/%Y} – {plant:%d/%m/%Y}" in pages[0]
    # The printed time is the time of printing, set as printing starts.
    assert page.get_attribute("[data-printed-at]", "data-printed-at") == "print"
    # Its sections, each under its heading.
    assert world.stack_hn.code in text and "Sự cố vượt quy chuẩn trong kỳ" in text
    assert "JSON" not in text  # links to the API are of no use on paper
    assert errors == []
    context.close()


def test_the_air_station_page_prints_as_a_report(air, world, live_server,  # noqa: F811
                                                 browser):
    context, page, errors = open_page(browser, live_server)
    page.goto(f"{live_server.url}/air/stations/{world.air_hn.code}/")
    wait_for_charts(page, ".air-chart")
    text, pages = printed(page, "air-station")
    assert_a_document(text, pages, world.air_hn.name)
    assert re.search(r"Kỳ: chỉ số giờ .+, 48 giờ và 30 ngày gần nhất, năm \d{4}", pages[0])
    assert "QCVN 05:2023/BTNMT" in text
    assert errors == []
    context.close()


def test_an_ordinary_page_prints_without_the_menu(world, live_server, browser):
    context, page, errors = open_page(browser, live_server)
    page.goto(f"{live_server.url}/parameters/")
    title = page.locator("h1").inner_text()
    text, pages = printed(page, "parameters")
    assert_a_document(text, pages, title)
    assert "Kỳ:" not in text  # a page without a period says none
    assert "Tất cả" not in text  # nor its tabs
    assert errors == []
    context.close()


def test_an_english_page_numbers_its_pages_in_english(world, live_server, browser):
    context, page, errors = open_page(browser, live_server)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/parameters/")
    text, pages = printed(page, "parameters-en")
    assert f"Page 1 of {len(pages)}" in pages[0] and "Trang" not in text
    assert "Printed at" in pages[0]
    context.close()


@pytest.mark.parametrize(("query", "period"), [
    ("", "Kỳ của biểu đồ: 24 giờ qua"), ("?range=7d", "Kỳ của biểu đồ: 7 ngày qua"),
    ("?range=custom&from=2026-11-01&to=2026-11-30", "Kỳ: 2026-11-01 – 2026-11-30")])
def test_a_station_page_prints_the_period_of_its_chart(world, query, period):
    page = world.client("admin").get(f"/stations/{world.air_hn.code}/{query}")
    assert f'<p class="print-period">{period}</p>' in page.content.decode()
