"""Files for the text tests, made in the test (never fixtures on disk), and a watch on what the
extraction hands to the search index."""

from __future__ import annotations

import io
import zipfile

import pytest

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"

CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                 'openxmlformats.org/package/2006/content-types"/>')


def docx(paragraphs: list[str], pages: int | None = None) -> bytes:
    body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'
                   for text in paragraphs)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
            'openxmlformats.org/wordprocessingml/2006/main"><w:body>' + body +
            "</w:body></w:document>"))
        if pages is not None:
            archive.writestr("docProps/app.xml", (
                '<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/'
                f'officeDocument/2006/extended-properties"><Pages>{pages}</Pages></Properties>'))
    return buffer.getvalue()


def odt(paragraphs: list[str], pages: int | None = None) -> bytes:
    text_ns = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    body = "".join(f"<text:p>{text}</text:p>" for text in paragraphs)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office='
            f'"urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="{text_ns}">'
            f"<office:body><office:text>{body}</office:text></office:body>"
            "</office:document-content>"))
        if pages is not None:
            archive.writestr("meta.xml", (
                '<?xml version="1.0"?><office:document-meta xmlns:office="urn:oasis:names:tc:'
                'opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:'
                'xmlns:meta:1.0"><office:meta><meta:document-statistic meta:page-count="'
                f'{pages}"/></office:meta></office:document-meta>'))
    return buffer.getvalue()


def xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Quan trắc"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def text_pdf(pages: list[str]) -> bytes:
    """A born-digital PDF (a text layer on every page that has words), by WeasyPrint."""
    from weasyprint import HTML

    html = "".join(f'<p style="page-break-after: always">{page}</p>' for page in pages)
    return HTML(string=f"<html><body>{html}</body></html>").write_pdf()


def scan(lines_per_page: list[list[str]], image_format: str = "PDF") -> bytes:
    """A scanned-like file: each page an image (A5 at 300 dpi) with the lines drawn in DejaVu
    Serif, no text layer; an empty list makes a blank page."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(DEJAVU, 50)  # 12 pt at 300 dpi, a letter's body text
    images = []
    for lines in lines_per_page:
        image = Image.new("L", (1748, 1240), 255)
        draw = ImageDraw.Draw(image)
        for number, line in enumerate(lines):
            draw.text((120, 150 + 90 * number), line, font=font, fill=0)
        images.append(image)
    buffer = io.BytesIO()
    images[0].save(buffer, image_format, save_all=len(images) > 1,
                   append_images=images[1:], resolution=300, dpi=(300, 300))
    return buffer.getvalue()


@pytest.fixture
def indexed(monkeypatch) -> list[str]:
    """The identifiers the extraction hands to `search.index_document`, in order (the real
    index is still written; saves elsewhere, which index through their own signal, are not
    counted)."""
    from envhub.library import extraction, search

    calls: list[str] = []

    class Recording:
        def __getattr__(self, name):
            return getattr(search, name)

        def index_document(self, document):
            search.index_document(document)
            calls.append(document.identifier)

    monkeypatch.setattr(extraction, "search", Recording())
    return calls


