"""Sample files for the library's tests, made in the test (no file is shipped): PDFs of any page
count, encrypted ones, a real one-page PDF (drawn by pdftoppm in the preview tests), office
files with Vietnamese paragraphs, pages and sheets, born-digital and scanned-like PDFs for the
text and OCR tests, PNG headers; the shelf's documents with two versions each; what a test
stored in its library folder; and a watch on what the extraction hands to the search index.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                 'openxmlformats.org/package/2006/content-types"/>')


def stored_files(folder) -> list:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


# --- PDFs ------------------------------------------------------------------------------------

def pdf(pages: int = 1, password: str | None = None) -> bytes:
    """Blank A4 pages (pypdf), encrypted with `password` if one is given."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password is not None:
        writer.encrypt(password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def one_page_pdf(text: str = "Bao cao") -> bytes:
    """A valid one-page PDF (A4) with a dark box and a line of text: enough for pdftoppm."""
    stream = (f"0.1 0.3 0.6 rg 50 600 495 180 re f BT /F1 36 Tf 70 520 Td ({text}) Tj ET"
              ).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


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


# --- office files and images -----------------------------------------------------------------

def office(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def docx(paragraphs=(), pages: int | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    """A DOCX of `paragraphs`, stating `pages` in its properties if given, with `extra`
    members besides."""
    body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'
                   for text in paragraphs)
    members = {"[Content_Types].xml": CONTENT_TYPES.encode(), "word/document.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
        'openxmlformats.org/wordprocessingml/2006/main"><w:body>' + body +
        "</w:body></w:document>").encode()}
    if pages is not None:
        members["docProps/app.xml"] = (
            '<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/'
            f'officeDocument/2006/extended-properties"><Pages>{pages}</Pages></Properties>'
        ).encode()
    return office({**members, **(extra or {})})


def odt(paragraphs=(), pages: int | None = None,
        manifest: bytes = b"<manifest:manifest/>") -> bytes:
    """An ODT of `paragraphs` (its `mimetype` first and stored, as ODF asks), stating `pages`
    in its metadata if given, with `manifest` as its META-INF/manifest.xml."""
    text_ns = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    body = "".join(f"<text:p>{text}</text:p>" for text in paragraphs)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text",
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office='
            f'"urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="{text_ns}">'
            f"<office:body><office:text>{body}</office:text></office:body>"
            "</office:document-content>"), compress_type=zipfile.ZIP_DEFLATED)
        if pages is not None:
            archive.writestr("meta.xml", (
                '<?xml version="1.0"?><office:document-meta xmlns:office="urn:oasis:names:tc:'
                'opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:'
                'xmlns:meta:1.0"><office:meta><meta:document-statistic meta:page-count="'
                f'{pages}"/></office:meta></office:document-meta>'),
                compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def xlsx(rows=(("Chỉ tiêu",),)) -> bytes:
    """A workbook whose sheet "Quan trắc" holds `rows`."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Quan trắc"
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` × `height` pixels (its data is a stub: the check
    reads the header only)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + \
        chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b"")


# --- the shelf and the index -------------------------------------------------------------------

def add_versions(actor, document, names=("bản gốc.pdf", "bản sửa.pdf")) -> list:
    """Two versions of `document`, stored with intake (as the upload page does)."""
    from envhub.library import intake

    files = []
    for number, name in enumerate(names, start=1):
        files.append(intake.add_version(actor, document, intake.Incoming(
            name, io.BytesIO(one_page_pdf(f"{document.identifier} phien ban {number}")))))
    return files


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


