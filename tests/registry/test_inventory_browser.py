"""In a real browser on a phone (390 px): the facility page's annual inventory and the diff
include fit the screen, wide tables scrolling in their own box; the diff prints whole."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from envhub.core.permissions import system_actor
from envhub.registry.inventory import apply_inventory, plan_inventory
from tests.browser.pages import open_page
from tests.registry.inventory_rows import lines, row

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def operator_session(world):
    apply_inventory(system_actor("tests"), lines(
        row(world, year=2025, treatment="Lọc bụi tĩnh điện kết hợp khử lưu huỳnh ướt"),
        row(world, year=2026),
    ), survey_version=12, expected=None)
    client = Client()
    client.force_login(world.users["operator"])
    return settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def diff_html(world):
    diff = plan_inventory(lines(
        row(world, stack_height=85.5, treatment="Lọc bụi tĩnh điện kết hợp khử lưu huỳnh"),
        row(world, tax_code="0100233488", facility_name="Nhà máy Giấy Bãi Bằng",
            sector="pulp_paper", stack_code="K1", latitude=21.2, longitude=105.3),
    ))
    with translation.override("vi"):
        return render_to_string("registry/_inventory_diff.html", {"diff": diff.as_dict()})


def test_the_facility_pages_inventory_fits_a_phone(operator_session, world, live_server,
                                                   browser):
    context, page, errors = open_page(browser, live_server, viewport=PHONE)
    context.add_cookies([{"name": operator_session[0], "value": operator_session[1],
                          "url": live_server.url}])
    page.goto(f"{live_server.url}/facilities/{world.facility_hn.id}/")
    table = page.locator("#inventory-table")
    assert table.is_visible()
    assert table.locator("tbody tr").count() == 2
    assert "#12" in table.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert errors == []
    context.close()


def test_the_diff_fits_a_phone_and_prints_whole(diff_html, live_server, browser, tmp_path):
    context, page, errors = open_page(browser, live_server, viewport=PHONE)
    static = f"{live_server.url}{settings.STATIC_URL}envhub/"
    page.set_content(
        f'<!doctype html><html lang="vi"><head><meta name="viewport" '
        f'content="width=device-width, initial-scale=1">'
        f'<link rel="stylesheet" href="{static}site.css">'
        f'<link rel="stylesheet" href="{static}print.css" media="print"></head>'
        f'<body><main>{diff_html}</main></body></html>', wait_until="load")
    assert page.locator("table.inventory-items").count() == 4
    assert page.evaluate(  # the site's style sheet is the one in use
        "getComputedStyle(document.querySelector('.table-scroll')).overflowX") == "auto"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.get_by_text("Ống khói thay đổi").is_visible()
    if shutil.which("pdftotext"):
        path = tmp_path / "diff.pdf"
        path.write_bytes(page.pdf(format="A4"))
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                              check=True, text=True).stdout
        assert "85,5" in text and "Nhà máy Giấy Bãi Bằng" in text
        assert "Lọc bụi tĩnh điện kết hợp khử lưu huỳnh" in " ".join(text.split())
    assert errors == []
    context.close()
