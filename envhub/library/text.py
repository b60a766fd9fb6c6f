"""The text of a library file, read from its format (pure module: no Django, no processes).

Plain text is decoded safely (UTF-8, UTF-16 with its byte-order mark, else Windows-1258, the
Vietnamese code page of old office files); DOCX, ODT and XLSX are read from their XML a
paragraph or a row at a time; PDF pages come from pdftotext's output (`ocr.py` runs it), one
form feed after each page. Every reader stops at `MAX_TEXT_CHARS`: a huge file gives the
beginning of its text and says it was cut, never fills the memory.
"""

from __future__ import annotations

import codecs
import datetime
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO
from xml.etree.ElementTree import ParseError, iterparse

# About 10,000 pages of 2,000 characters: what search and the text file keep of one document.
MAX_TEXT_CHARS = 20_000_000
# A page "has text" when it holds at least this many letters or digits: a scan of a blank
# page gives OCR a speck or two, never a word.
MIN_PAGE_CHARS = 3
# Pages are joined with a form feed in the stored text, as pdftotext separates them.
PAGE_BREAK = "\f"
# A zip member declaring more than this is not inflated (a zip bomb, or not a document).
MAX_MEMBER_BYTES = 500_000_000
_CHUNK = 1 << 20

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
META_NS = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
OFFICE_NS = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
APP_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"


class Unreadable(ValueError):
    """The file is not what its format says (a broken zip, XML that does not parse)."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass
class Extracted:
    """The text found in one file: `pages` when the format has pages (PDF), else one part."""

    pages: list[str]
    method: str  # text_layer, ocr, office, plain
    paged: bool = False
    # The page count the file states (a DOCX or ODT says how many pages it had when saved).
    stated_pages: int | None = None
    truncated: bool = False
    encoding: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def content(self) -> str:
        return PAGE_BREAK.join(self.pages)

    @property
    def empty_pages(self) -> list[int]:
        """The pages (1-based) without recognisable text; none for a file without pages."""
        if not self.paged:
            return []
        return [number for number, page in enumerate(self.pages, 1) if not has_text(page)]


def has_text(text: str) -> bool:
    count = 0
    for char in text:
        if char.isalnum():
            count += 1
            if count >= MIN_PAGE_CHARS:
                return True
    return False


def page_ranges(pages: Iterable[int]) -> str:
    """[1, 2, 3, 7] → "1–3, 7": how a note lists pages."""
    spans: list[list[int]] = []
    for page in sorted(set(pages)):
        if spans and page == spans[-1][1] + 1:
            spans[-1][1] = page
        else:
            spans.append([page, page])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


class _Collector:
    """Text gathered up to the cap."""

    def __init__(self, limit: int):
        self.parts: list[str] = []
        self.left = limit
        self.truncated = False

    def add(self, text: str) -> bool:
        """Keep `text` (cut at the cap); False once the cap is reached."""
        if self.left <= 0:
            self.truncated = self.truncated or bool(text)
            return False
        if len(text) > self.left:
            text = text[:self.left]
            self.truncated = True
        self.parts.append(text)
        self.left -= len(text)
        return self.left > 0

    def text(self) -> str:
        return unicodedata.normalize("NFC", "".join(self.parts))


# Legacy Vietnamese fonts ------------------------------------------------------------------

# TCVN3 (ABC), the encoding of the ".Vn" fonts (.VnTime…) of the 1990s–2000s: Vietnamese letters
# drawn on Latin-1 codes, so a PDF or a Word file typed in them gives "Hµ Néi" for "Hà Nội".
# Capitals came from separate fonts (.VnTimeH) on the same codes: they read back lower-case,
# which search does not mind.
_TCVN3 = ("µ¸¶·¹" "¨»¾¼½Æ" "©ÇÊÈÉË" "®ÌÐÎÏÑ" "ªÒÕÓÔÖ" "×ÝØÜÞ" "ßãáâä" "«åèæçé" "¬êíëìî"
          "ïóñòô" "\xadõøö÷ù" "úýûüþ" "¡¢§£¤¥¦")
_UNICODE = ("àáảãạ" "ăằắẳẵặ" "âầấẩẫậ" "đèéẻẽẹ" "êềếểễệ" "ìíỉĩị" "òóỏõọ" "ôồốổỗộ" "ơờớởỡợ"
            "ùúủũụ" "ưừứửữự" "ỳýỷỹỵ" "ĂÂĐÊÔƠƯ")
_FROM_TCVN3 = str.maketrans(_TCVN3, _UNICODE)
# The codes of TCVN3 that are symbols in Latin-1: inside a word they give the encoding away
# (French quotes, ©, § stand beside spaces, not between letters).
_SIGNS = "µ¸¶·¹¨»¾¼½©®ª¬«\xad¡¢§£¤¥¦"
_IN_WORD = re.compile(f"[A-Za-z][{_SIGNS}]|[{_SIGNS}][A-Za-z]")
_VIETNAMESE = re.compile("[\u1ea0-\u1ef9\u0103\u0111\u01a1\u01b0]")
TCVN3_MIN_HITS = 5


def looks_tcvn3(value: str) -> bool:
    """Text in TCVN3: its signs between letters, again and again, and no Vietnamese letter of
    Unicode anywhere."""
    sample = value[:200_000]
    hits = len(_IN_WORD.findall(sample))
    letters = sum(1 for char in sample if char.isalpha())
    return (hits >= TCVN3_MIN_HITS and hits * 100 >= letters
            and not _VIETNAMESE.search(sample))


def from_tcvn3(value: str) -> str:
    return value.translate(_FROM_TCVN3)


def repair_legacy(extracted: Extracted) -> Extracted:
    """`extracted` with its TCVN3 text made Unicode, when the whole of it is in TCVN3."""
    if looks_tcvn3(extracted.content):
        extracted.pages = [from_tcvn3(page) for page in extracted.pages]
        extracted.encoding = "tcvn3"
    return extracted


# Plain text -------------------------------------------------------------------------------

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def _decode_with(stream: BinaryIO, encoding: str, limit: int,
                 errors: str = "strict") -> _Collector:
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    collector = _Collector(limit)
    while chunk := stream.read(_CHUNK):
        if not collector.add(decoder.decode(chunk)):
            collector.truncated = collector.truncated or bool(stream.read(1))
            return collector
    collector.add(decoder.decode(b"", final=True))
    return collector


def plain_text(stream: BinaryIO, limit: int = MAX_TEXT_CHARS) -> Extracted:
    """A text file's text. `stream` must be seekable: UTF-8 that fails part-way is read again
    from the start as Windows-1258 (which decodes every byte but a few, replaced)."""
    head = stream.read(4)
    stream.seek(0)
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            collector = _decode_with(stream, encoding, limit, errors="replace")
            return _plain(collector, encoding.replace("-sig", ""))
    try:
        return _plain(_decode_with(stream, "utf-8", limit), "utf-8")
    except UnicodeDecodeError:
        stream.seek(0)
        return _plain(_decode_with(stream, "cp1258", limit, errors="replace"), "cp1258")


def _plain(collector: _Collector, encoding: str) -> Extracted:
    text = collector.text().lstrip("\ufeff").replace("\x00", "")
    return Extracted([text], "plain", truncated=collector.truncated, encoding=encoding)


# PDF (pdftotext's output) -----------------------------------------------------------------

def pdf_pages(output: str, page_count: int | None = None) -> list[str]:
    """pdftotext's text split into pages: a form feed ends every page, so the piece after the
    last one is not a page. `page_count` (pdfinfo's) pads pages a cut output did not reach."""
    pages = output.split(PAGE_BREAK)
    if len(pages) > 1 and not pages[-1].strip():
        pages.pop()
    pages = [unicodedata.normalize("NFC", page.strip()) for page in pages]
    if page_count is not None and len(pages) < page_count:
        pages.extend([""] * (page_count - len(pages)))
    return pages


# Office documents -------------------------------------------------------------------------

def _open_zip(stream: BinaryIO) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(stream)
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise Unreadable("corrupt", str(error)) from None
    if any(member.flag_bits & 0x1 for member in members):
        raise Unreadable("encrypted")
    return archive


def _member(archive: zipfile.ZipFile, name: str, required: bool = True):
    try:
        info = archive.getinfo(name)
    except KeyError:
        if required:
            raise Unreadable("corrupt", f"{name} is missing") from None
        return None
    if info.file_size > MAX_MEMBER_BYTES:
        raise Unreadable("too_large", name)
    return archive.open(info)


def _paragraphs(member, paragraph_tags: set[str], render) -> Iterator[str]:
    """The text of each paragraph element of an XML part, parsed a piece at a time; elements
    read are cleared so the tree never grows."""
    try:
        for _event, element in iterparse(member, events=("end",)):
            if element.tag in paragraph_tags:
                yield render(element)
                element.clear()
    except ParseError as error:
        raise Unreadable("corrupt", str(error)) from None


def _collect(paragraphs: Iterable[str], collector: _Collector) -> None:
    for paragraph in paragraphs:
        if not collector.add(paragraph + "\n"):
            return


def _docx_paragraph(element) -> str:
    parts = []
    for node in element.iter():
        if node.tag == W + "t" and node.text:
            parts.append(node.text)
        elif node.tag == W + "tab":
            parts.append("\t")
        elif node.tag in (W + "br", W + "cr"):
            parts.append("\n")
    return "".join(parts)


def _stated_pages(text: str | None) -> int | None:
    try:
        pages = int((text or "").strip())
    except ValueError:
        return None
    return pages if pages > 0 else None


def docx_text(stream: BinaryIO, limit: int = MAX_TEXT_CHARS) -> Extracted:
    """A Word document's paragraphs (tables' cells too), then its footnotes and endnotes."""
    archive = _open_zip(stream)
    collector = _Collector(limit)
    with archive:
        for name, required in (("word/document.xml", True), ("word/footnotes.xml", False),
                               ("word/endnotes.xml", False)):
            member = _member(archive, name, required)
            if member is not None:
                with member:
                    _collect(_paragraphs(member, {W + "p"}, _docx_paragraph), collector)
        stated = None
        app = _member(archive, "docProps/app.xml", required=False)
        if app is not None:
            with app:
                for node in _paragraphs(app, {APP_NS + "Pages"}, lambda e: e.text or ""):
                    stated = _stated_pages(node)
    return Extracted([collector.text().strip()], "office", stated_pages=stated,
                     truncated=collector.truncated)


def _odt_paragraph(element) -> str:
    parts = []

    def walk(node):
        if node.text:
            parts.append(node.text)
        for child in node:
            if child.tag == TEXT_NS + "s":
                parts.append(" " * int(child.get(TEXT_NS + "c", "1") or 1))
            elif child.tag == TEXT_NS + "tab":
                parts.append("\t")
            elif child.tag == TEXT_NS + "line-break":
                parts.append("\n")
            elif child.tag not in (TEXT_NS + "p", TEXT_NS + "h"):  # read and cleared already
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(element)
    return "".join(parts)


def odt_text(stream: BinaryIO, limit: int = MAX_TEXT_CHARS) -> Extracted:
    """An OpenDocument text's headings and paragraphs, in order."""
    archive = _open_zip(stream)
    collector = _Collector(limit)
    with archive:
        with _member(archive, "content.xml") as member:
            _collect(_paragraphs(member, {TEXT_NS + "p", TEXT_NS + "h"}, _odt_paragraph),
                     collector)
        stated = None
        meta = _member(archive, "meta.xml", required=False)
        if meta is not None:
            with meta:
                for count in _paragraphs(meta, {META_NS + "document-statistic"},
                                         lambda e: e.get(META_NS + "page-count")):
                    stated = _stated_pages(count)
    return Extracted([collector.text().strip()], "office", stated_pages=stated,
                     truncated=collector.truncated)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date().isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def xlsx_text(stream: BinaryIO, limit: int = MAX_TEXT_CHARS) -> Extracted:
    """A workbook's sheets, each its name then its rows, cells separated by tabs (the values
    the workbook stores, never the formulas)."""
    archive = _open_zip(stream)
    for info in archive.infolist():
        if info.file_size > MAX_MEMBER_BYTES:
            raise Unreadable("too_large", info.filename)
    archive.close()
    stream.seek(0)
    from openpyxl import load_workbook  # imported here: only workbooks need it

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise Unreadable("corrupt", str(error)) from None
    collector = _Collector(limit)
    try:
        for sheet in workbook.worksheets:
            if not collector.add(f"{sheet.title}\n"):
                break
            for row in sheet.iter_rows(values_only=True):
                cells = [_cell(value) for value in row]
                while cells and not cells[-1]:
                    cells.pop()
                if cells and not collector.add("\t".join(cells) + "\n"):
                    break
            if collector.left <= 0:
                break
    except Exception as error:  # noqa: BLE001
        raise Unreadable("corrupt", str(error)) from None
    finally:
        workbook.close()
    return Extracted([collector.text().strip()], "office", truncated=collector.truncated)


READERS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": docx_text,
    "application/vnd.oasis.opendocument.text": odt_text,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": xlsx_text,
    "text/plain": plain_text,
}
