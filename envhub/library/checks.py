"""Deep checks of an incoming library file, once its kind is known from its first bytes (pure
module: no Django; messages marked for the catalogues, translated by the caller).

Each check reads a local, seekable copy of the file and refuses with a `FormatError`:
- PDF: one pypdf cannot read (`corrupt`), one that is encrypted or password-protected
  (`encrypted`: neither text extraction nor OCRmyPDF can work on it), one with more pages than
  the library takes (`too_many_pages`, ENVHUB_LIBRARY_MAX_PAGES);
- DOCX, XLSX, ODT: a zip that is not one (`corrupt`), whose members would inflate past
  `MAX_UNCOMPRESSED` bytes or more than `MAX_RATIO` times their compressed size (`zip_bomb`,
  the survey readers' rule, read from the zip's directory before a byte is inflated), that is
  not the document its name says (`wrong_type`), or that is encrypted (`encrypted`);
- PNG, JPEG, TIFF: an image Pillow cannot read the header of (`corrupt`), or larger than
  `MAX_PIXELS` (`too_many_pixels`: a decompression bomb, or a scan OCR could not hold).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from envhub.library import formats
from envhub.library.formats import FormatError, gettext_noop
from envhub.surveys.readers import MAX_RATIO, MAX_UNCOMPRESSED, RATIO_FLOOR

# Pillow's own refusal (twice its MAX_IMAGE_PIXELS, about 179 million pixels): an A0 sheet
# scanned at 300 dpi is 139 million; past this a file is a bomb or a scan OCR cannot hold.
MAX_PIXELS = 2 * 89_478_485
# ODF's manifest names encrypted members; a real one is a few kilobytes.
MAX_MANIFEST_BYTES = 1 << 20
# What each zipped kind must hold (OOXML by its parts, ODT by its `mimetype` member).
ZIP_PARTS = {formats.DOCX: "word/document.xml", formats.XLSX: "xl/workbook.xml"}
EOF_MARKER = b"%%EOF"
EOF_SEARCH_CHUNK = 1 << 20
EOF_SLACK = 1024  # bytes after the last %%EOF that pypdf's own search passes quickly
# The most pypdf may read at once. It reads a PDF whose table of objects is damaged whole, to
# rebuild that table: a larger file is refused rather than held in memory.
WHOLE_READ_LIMIT = 64 << 20


@dataclass(frozen=True)
class Inspected:
    """What the checks learnt on the way: the page count of a PDF (None for other kinds)."""

    pages: int | None = None


def inspect(local: BinaryIO, media_type: str, max_pages: int) -> Inspected:
    """Check `local` (seekable, read from its start) as `media_type`; FormatError if refused."""
    local.seek(0)
    if media_type == formats.PDF:
        return Inspected(pages=check_pdf(local, max_pages))
    if media_type in formats.ZIPPED:
        check_zip(local, media_type)
    elif media_type in (formats.PNG, formats.JPEG, formats.TIFF):
        check_image(local)
    return Inspected()


def check_pdf(local: BinaryIO, max_pages: int) -> int:
    """The PDF's page count, walked through its page tree (its /Count may lie)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    reader = source = None
    try:
        source = _through_last_eof(local)
        reader = PdfReader(source, strict=False)
        if reader.is_encrypted:
            raise FormatError("encrypted", gettext_noop(
                "The PDF is encrypted or protected by a password: save it again without "
                "protection, then send it."))
        pages = len(reader.pages)
    except FormatError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError,
            RecursionError, AssertionError):
        # pypdf raises many kinds for a broken file; each means the same to the sender.
        if isinstance(source, _Prefix) and source.refused:
            raise FormatError("corrupt", gettext_noop(
                "The PDF is damaged (its table of objects cannot be read) and too large to be "
                "repaired on receipt: open it in a PDF reader, save it again, then send it."),
            ) from None
        raise _unreadable() from None
    finally:
        _forget(reader)
        reader = None  # nor kept by the frame of a refusal's traceback
    if pages == 0:
        raise FormatError("corrupt", gettext_noop("The PDF has no pages."))
    if pages > max_pages:
        raise FormatError("too_many_pages", gettext_noop(
            "The PDF has %(pages)s pages; the library takes at most %(limit)s pages in one "
            "file. Split it into parts."), pages=pages, limit=max_pages)
    return pages


def pdf_end(local: BinaryIO) -> int | None:
    """The offset just past the PDF's last `%%EOF`, found from the end in chunks at the speed
    of `bytes.rfind`; None when it has none. Readers ignore what follows that marker, but
    pypdf looks for it a line at a time in Python (about half a second a megabyte) and
    OCRmyPDF spends minutes on a few hundred kilobytes there."""
    end = local.seek(0, io.SEEK_END)
    while end > 0:
        start = max(0, end - EOF_SEARCH_CHUNK)
        local.seek(start)
        # The chunk runs on past `end` by the marker's length less one, so that a marker lying
        # across two chunks is found in the later one.
        chunk = local.read(end - start + len(EOF_MARKER) - 1)
        found = chunk.rfind(EOF_MARKER)
        if found >= 0:
            return start + found + len(EOF_MARKER)
        end = start
    return None


def _through_last_eof(local: BinaryIO) -> BinaryIO:
    """The PDF up to its last `%%EOF`, as pypdf should read it; a file with none is not a
    PDF."""
    through = pdf_end(local)
    if through is None:
        raise _unreadable()
    size = local.seek(0, io.SEEK_END)
    local.seek(0)
    # A file pypdf may hold whole, with a line end or two after the marker (nearly every PDF),
    # is read directly, without the view's cost on each small read.
    if size <= WHOLE_READ_LIMIT and size - through <= EOF_SLACK:
        return local
    return _Prefix(local, through)


def _unreadable() -> FormatError:
    return FormatError("corrupt", gettext_noop(
        "The PDF cannot be read: it is damaged or not a real PDF."))


class _Prefix(io.RawIOBase):
    """The first `size` bytes of a seekable file, read as a whole file, in reads of at most
    `WHOLE_READ_LIMIT` bytes (`refused` tells that one asked for more). Each read goes to the
    file: a few times slower for pypdf's many small reads, hence only for large files and
    those with bytes after their last `%%EOF`."""

    def __init__(self, raw: BinaryIO, size: int):
        super().__init__()
        self._raw, self._size, self._position = raw, size, 0
        self.refused = False

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def read(self, size: int | None = -1) -> bytes:
        remaining = max(0, self._size - self._position)
        size = remaining if size is None or size < 0 else min(size, remaining)
        if size > WHOLE_READ_LIMIT:
            self.refused = True
            raise OSError("a read larger than the library holds at once")
        self._raw.seek(self._position)
        data = self._raw.read(size)
        self._position += len(data)
        return data

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def _forget(reader) -> None:
    """Drop what the reader holds. pypdf's objects point back at their reader (each indirect
    reference, each page), so a reader and everything it parsed form reference cycles that
    only the cyclic collector frees — about 18 kB a PDF waiting for it, which an import of
    thousands of files piles up between full collections. Emptying the reader's attributes
    cuts every such cycle: the objects go as soon as the check returns."""
    if reader is not None:
        vars(reader).clear()


def check_zip(local: BinaryIO, media_type: str) -> None:
    kind = {formats.DOCX: "DOCX", formats.XLSX: "XLSX", formats.ODT: "ODT"}[media_type]
    try:
        archive = zipfile.ZipFile(local)
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise FormatError("corrupt", gettext_noop(
            "The %(kind)s file cannot be read: it is damaged."), kind=kind) from None
    with archive:
        total = 0
        for member in members:
            total += member.file_size
            if member.file_size > RATIO_FLOOR and \
                    member.file_size > MAX_RATIO * max(member.compress_size, 1):
                raise _bomb(kind)
        if total > MAX_UNCOMPRESSED:
            raise _bomb(kind)
        if any(member.flag_bits & 0x1 for member in members):
            raise _encrypted(kind)
        names = {member.filename for member in members}
        if media_type == formats.ODT:
            _check_odt(archive, names)
        elif "[Content_Types].xml" not in names or ZIP_PARTS[media_type] not in names:
            raise _not_kind(kind)


def _check_odt(archive: zipfile.ZipFile, names: set[str]) -> None:
    if "mimetype" not in names or archive.getinfo("mimetype").file_size > 100:
        raise _not_kind("ODT")
    try:
        if archive.read("mimetype").strip() != formats.ODT.encode():
            raise _not_kind("ODT")
        manifest = archive.getinfo("META-INF/manifest.xml") \
            if "META-INF/manifest.xml" in names else None
        if manifest is not None and manifest.file_size <= MAX_MANIFEST_BYTES and \
                b"encryption-data" in archive.read(manifest):
            raise _encrypted("ODT")  # ODF encrypts members itself, not through the zip
    except FormatError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise FormatError("corrupt", gettext_noop(
            "The %(kind)s file cannot be read: it is damaged."), kind="ODT") from None


def check_image(local: BinaryIO) -> None:
    """The header only: Pillow decodes no pixel here."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(local) as image:
            width, height = image.size
    except Image.DecompressionBombError:
        width, height = MAX_PIXELS, 2
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise FormatError("corrupt", gettext_noop(
            "The image cannot be read: it is damaged.")) from None
    if width * height > MAX_PIXELS:
        raise FormatError("too_many_pixels", gettext_noop(
            "The image is larger than %(limit)s million pixels; scan it at a lower "
            "resolution."), limit=MAX_PIXELS // 1_000_000)


def _bomb(kind: str) -> FormatError:
    return FormatError("zip_bomb", gettext_noop(
        "The %(kind)s file would unpack to far more than it weighs (a zip bomb): it is "
        "refused."), kind=kind)


def _encrypted(kind: str) -> FormatError:
    return FormatError("encrypted", gettext_noop(
        "The %(kind)s file is encrypted or protected by a password: save it again without "
        "protection, then send it."), kind=kind)


def _not_kind(kind: str) -> FormatError:
    return FormatError("wrong_type", gettext_noop(
        "The file is named as %(kind)s but its content is not."), kind=kind)
