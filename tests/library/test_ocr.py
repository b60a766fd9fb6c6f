"""OCR for real: scanned-like pages with Vietnamese text, drawn in the test from a Debian font
(DejaVu Serif) with no text layer, are recognised by OCRmyPDF and Tesseract (vie + eng) and
become a searchable PDF and the document's text; a blank page is reported."""

from __future__ import annotations

import io

import pytest

from envhub.core.text import fold
from envhub.library import extraction, intake, ocr, search, storage
from envhub.library.models import Document, FileRole, TextState
from tests.library import sample_files
from tests.library.sample_files import scan, text_pdf

indexed = sample_files.indexed

pytestmark = [pytest.mark.django_db, pytest.mark.slow,
              pytest.mark.skipif(bool(ocr.missing_for_ocr()),
                                 reason="OCR tools missing: run scripts/system-deps.sh base")]

PAGE = ["BÁO CÁO HIỆN TRẠNG MÔI TRƯỜNG", "Chất lượng nước sông Đồng Nai",
        "Nồng độ bụi mịn tại Hà Nội vượt quy chuẩn"]


@pytest.fixture
def shelf(shelf):
    """The shelf's documents (no files) already read: the tests' own documents are the queue."""
    Document.objects.update(text_state=TextState.NO_TEXT)
    return shelf


def _add(world, shelf, identifier: str, name: str, data: bytes) -> Document:
    document = Document(collection=shelf.collection, identifier=identifier,
                        title="Hồ sơ lưu trữ scan")
    return intake.add_document(world.actor("librarian"), document,
                               [intake.Incoming(name, io.BytesIO(data))])


def test_it_recognises_a_scanned_pdf_and_reports_the_blank_page(world, shelf, indexed):
    document = _add(world, shelf, "LT-1", "ho-so-scan.pdf", scan([PAGE, []]))
    outcomes = extraction.process_pending()
    document.refresh_from_db()
    assert [o.state for o in outcomes] == [TextState.DONE]
    assert document.text_state == TextState.DONE and document.page_count == 2
    assert document.text_message == "Các trang không có chữ nhận dạng được: 2."
    text = document.text
    assert (text.method, text.pages, text.empty_pages) == ("ocr", 2, [2])
    # Diacritics recognised: the word is in the text as written, and folded as search folds.
    # Tesseract's reading of a mark varies a little from run to run ("Chất" once came back
    # "Chat"): the place names are asserted as written, the whole lines as search folds them.
    assert "Đồng Nai" in text.content and "Hà Nội" in text.content
    assert "chat luong nuoc song dong nai" in fold(text.content)
    assert "nong do bui min tai ha noi vuot quy chuan" in fold(text.content)
    searchable = document.files.get(role=FileRole.SEARCHABLE_PDF)
    assert (searchable.version, searchable.name, searchable.media_type) == (
        1, "ho-so-scan.searchable.pdf", "application/pdf")
    with storage.open_stored(searchable.storage_name) as stream:
        assert stream.read(5) == b"%PDF-"
    assert document.files.get(role=FileRole.TEXT).size == len(text.content.encode())
    assert indexed == ["LT-1"]
    # Found by the library's search, with and without diacritics (đ → d included).
    librarian = world.actor("librarian")
    for words in ("Đồng Nai", "dong nai", "ĐỒNG NAI", "Hà Nội", "ha noi"):
        found = search.search(librarian, words)
        assert [hit.document.identifier for hit in found.hits] == ["LT-1"], words


@pytest.mark.parametrize("name,image_format,pages", [("trang-1.png", "PNG", 1),
                                                    ("ho-so.tiff", "TIFF", 2)])
def test_it_recognises_a_scanned_image(world, shelf, indexed, name, image_format, pages):
    document = _add(world, shelf, "LT-2", name, scan([PAGE] * pages, image_format))
    outcome = extraction.process_document(document)
    document.refresh_from_db()
    assert outcome.state == document.text_state == TextState.DONE
    assert document.page_count == pages and document.text_message == ""
    assert document.text.pages == pages and document.text.method == "ocr"
    assert "bui min tai ha noi" in fold(document.text.content.split("\f")[-1])
    assert document.files.filter(role=FileRole.SEARCHABLE_PDF).exists()


def test_it_keeps_the_repaired_text_layer_of_pages_ocr_skips(world, shelf, indexed):
    # Page 1 typed in a .VnTime font (TCVN3 codes in the text layer), page 2 blank: OCR runs
    # on page 2 only, and page 1 keeps its text made Unicode.
    # (No "ư": its code, 0xAD, is a soft hyphen to WeasyPrint, which draws nothing for it.)
    legacy = "B\xb8o c\xb8o hi\xd6n tr\xb9ng t\xb9i H\xb5 N\xe9i, \xa7\xe5ng Nai"
    document = _add(world, shelf, "LT-3", "vntime.pdf", text_pdf([legacy, ""]))
    extraction.process_document(document)
    document.refresh_from_db()
    assert document.text_state == TextState.DONE and document.text.method == "ocr"
    assert document.text.content.split("\f")[0] == "Báo cáo hiện trạng tại Hà Nội, Đồng Nai"
    assert document.text.empty_pages == [2]
    assert document.files.filter(role=FileRole.SEARCHABLE_PDF).exists()
