"""In a real browser, the library's pages on a phone (390 px) and a laptop (1366 px): the
collection and a document's page (its first page drawn beside its metadata, versions with
downloads), nothing wider than the screen, and a print without menus or forms; a librarian's
upload with its errors beside their fields, a file over the limit refused before it is sent,
and the upload sent with its progress — with no script error and no CSP violation."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from envhub.library import intake, preview
from envhub.library.models import AccessLevel, Document
from tests.browser.pages import open_page
from tests.library.conftest import shelf  # noqa: F401
from tests.library.sample_files import one_page_pdf

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not preview.available(), reason="pdftoppm not installed")]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
LIMIT = 20_000


@pytest.fixture
def stocked(world, shelf, library_folder, settings):  # noqa: F811 - `shelf` is a fixture
    from django.conf import settings as live
    from django.test import Client

    settings.ENVHUB_LIBRARY_MAX_FILE_BYTES = LIMIT
    Document.objects.filter(pk=shelf.public.pk).update(
        title="Báo cáo hiện trạng môi trường quốc gia giai đoạn 2021–2025",
        description="Báo cáo tổng hợp về chất lượng không khí, nước mặt và đất.",
        number="45", symbol="BC-BTNMT", issuing_body="Bộ Nông nghiệp và Môi trường",
        signer="Nguyễn Văn A", retention_permanent=True, page_count=1,
        subjects=["không khí", "nước mặt", "đất"], physical_location="Kho A, giá 3, hộp 12",
        access_level=AccessLevel.PUBLIC)
    keeper = world.actor("librarian")
    for number in (1, 2):
        intake.add_version(keeper, shelf.public, intake.Incoming(
            f"Báo cáo hiện trạng (bản {number}).pdf",
            io.BytesIO(one_page_pdf(f"Bao cao hien trang ban {number}"))))
    client = Client()
    client.force_login(world.users["librarian"])
    return live.SESSION_COOKIE_NAME, client.cookies[live.SESSION_COOKIE_NAME].value


def _fits(page, viewport) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_a_reader_browses_to_a_document_and_prints_it(stocked, live_server, browser, viewport):
    context, page, errors = open_page(browser, live_server, viewport=viewport)
    base = live_server.url
    page.goto(f"{base}/library/collections/")
    assert "1 tài liệu" in page.locator("#collection-list").inner_text()
    _fits(page, viewport)
    page.locator("#collection-list a", has_text="Báo cáo hiện trạng môi trường").click()
    page.wait_for_url("**/collections/bao-cao/")
    assert page.locator("#document-list li").count() == 1  # the internal and restricted: not
    _fits(page, viewport)
    name = "phone" if viewport is PHONE else "laptop"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"library-collection-{name}.png"), full_page=True)
    page.locator("#document-list a").first.click()
    page.wait_for_url("**/documents/TL-1/")
    image = page.locator("#preview img")
    image.scroll_into_view_if_needed()
    page.wait_for_function("() => { const i = document.querySelector('#preview img');"
                           " return i.complete && i.naturalWidth > 0; }")
    assert page.evaluate("document.querySelector('#preview img').naturalHeight") == 1000
    facts = page.locator("#metadata").inner_text()
    for words in ("45/BC-BTNMT", "Bộ Nông nghiệp và Môi trường", "Vĩnh viễn",
                  "không khí; nước mặt; đất", "Kho A, giá 3, hộp 12"):
        assert words in facts
    rows = page.locator("#version-list tbody tr")
    assert rows.count() == 2 and "mới nhất" in rows.first.inner_text()
    assert page.locator("#keeper-actions").count() == 0  # a visitor edits nothing
    _fits(page, viewport)
    page.screenshot(path=str(SCREENSHOTS / f"library-document-{name}.png"), full_page=True)
    with page.expect_download() as download:
        rows.nth(1).locator("a.file-download").first.click()
    assert download.value.suggested_filename == "Báo cáo hiện trạng (bản 1).pdf"
    assert Path(download.value.path()).read_bytes() == one_page_pdf(
        "Bao cao hien trang ban 1")

    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert page.locator("#preview img").is_visible() and page.locator("#metadata").is_visible()
    assert page.locator(".print-header").is_visible()
    page.screenshot(path=str(SCREENSHOTS / f"library-document-{name}-print.png"),
                    full_page=True)
    assert page.pdf(format="A4").startswith(b"%PDF")
    assert errors == []
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_a_librarian_uploads_a_document(stocked, live_server, browser, viewport, tmp_path):
    context, page, errors = open_page(browser, live_server, viewport=viewport)
    context.add_cookies([{"name": stocked[0], "value": stocked[1], "url": live_server.url}])
    base = live_server.url
    page.goto(f"{base}/library/collections/bao-cao/")
    page.locator("#add-document").click()
    page.wait_for_url("**/library/upload/?collection=bao-cao")
    assert page.input_value("#id_collection") == "bao-cao"
    sent = []
    page.on("request", lambda request: sent.append(request.headers.get("x-requested-with"))
            if "/library/upload/" in request.url and request.method == "POST" else None)

    # A file over the limit: said beside the field as soon as it is chosen, never sent.
    big = tmp_path / "Bản quét lớn.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * LIMIT)
    good = tmp_path / "Quyết định 45.pdf"
    good.write_bytes(one_page_pdf("Quyet dinh 45"))
    page.set_input_files("#id_files", [str(good), str(big)])
    assert "Bản quét lớn.pdf" in page.locator("#chosen-files").inner_text()
    assert "19,5 KB" in page.locator("#field-files .field-error").inner_text()
    page.click("#upload-button")
    assert sent == []

    # Bad metadata: answered beside the fields (the form replaced, the page not reloaded).
    page.set_input_files("#id_files", [str(good)])
    assert page.locator("#field-files .field-error").count() == 0
    page.fill("#id_title", "Quyết định phê duyệt báo cáo đánh giá tác động môi trường")
    page.fill("#id_issued_on", "31/02/2025")
    page.fill("#id_identifier", "TL-1")
    page.click("#upload-button")
    page.wait_for_selector("#error-note")
    assert sent == ["XMLHttpRequest"]
    assert "dd/mm/yyyy" in page.locator("#field-issued_on .field-error").inner_text()
    assert "TL-1" in page.locator("#field-identifier .field-error").inner_text()
    assert page.input_value("#id_title").startswith("Quyết định phê duyệt")
    _fits(page, viewport)
    name = "phone" if viewport is PHONE else "laptop"
    page.screenshot(path=str(SCREENSHOTS / f"library-upload-errors-{name}.png"), full_page=True)

    page.fill("#id_issued_on", "28/02/2025")
    page.fill("#id_identifier", f"QD-45-{name}")
    page.check("#field-access_level input[value=restricted]")
    page.select_option("#id_allowed_organisations", label="Sở Nông nghiệp và Môi trường Hà Nội")
    page.select_option("#id_type", "eia")
    page.set_input_files("#id_files", [str(good)])
    page.click("#upload-button")
    page.wait_for_url(f"**/library/documents/QD-45-{name}/")
    assert sent == ["XMLHttpRequest", "XMLHttpRequest"]
    assert page.locator("#access-badge").inner_text() == "Hạn chế cho các tổ chức được chỉ định"
    assert "Quyết định 45.pdf" in page.locator("#version-list").inner_text()
    assert "Sở Nông nghiệp và Môi trường Hà Nội" in page.locator("#metadata").inner_text()
    _fits(page, viewport)
    # The one refusal asked for above is the browser's only complaint.
    assert errors == ["Failed to load resource: the server responded with a status of 400 "
                      "(Bad Request)"]
    context.close()
