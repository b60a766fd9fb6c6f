"""What a library file is, from its first bytes and its name (pure module).

The content decides, the name only has to agree: a file named `.pdf` that does not start as a
PDF is refused, as is a name that could reach outside a folder or hide characters."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
TEXT = "text/plain"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"

BY_EXTENSION = {".pdf": PDF, ".docx": DOCX, ".xlsx": XLSX, ".odt": ODT, ".txt": TEXT,
                ".png": PNG, ".jpg": JPEG, ".jpeg": JPEG, ".tif": TIFF, ".tiff": TIFF}
ZIPPED = {DOCX, XLSX, ODT}
MAX_NAME_LENGTH = 255
_UNSAFE = re.compile(r"[/\\\x00-\x1f\x7f]")


def gettext_noop(message: str) -> str:
    """Marks a message for the catalogues (makemessages knows the name); callers translate."""
    return message


class FormatError(ValueError):
    """Why a file cannot be taken: `code` for the API, `message` in English for gettext."""

    def __init__(self, code: str, message: str, **values):
        super().__init__(message % values if values else message)
        self.code = code
        self.message = message
        self.values = values


def clean_name(name: str) -> str:
    """The file's name as kept: NFC, no folder part, no control characters."""
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name or name in {".", ".."} or _UNSAFE.search(name):
        raise FormatError("bad_name", gettext_noop(
            "The file name “%(name)s” is not allowed: it must not be empty or hold slashes or "
            "control characters."), name=name[:100])
    if len(name) > MAX_NAME_LENGTH:
        raise FormatError("bad_name", gettext_noop(
            "The file name is longer than %(limit)s characters."), limit=MAX_NAME_LENGTH)
    return name


def media_type(head: bytes, name: str) -> str:
    """The media type of a file that starts with `head` and is named `name`."""
    extension = PurePosixPath(name.lower()).suffix
    claimed = BY_EXTENSION.get(extension)
    if claimed is None:
        raise FormatError("unsupported_type", gettext_noop(
            "The library takes PDF, DOCX, XLSX, ODT, plain text and scanned images (PNG, JPEG, "
            "TIFF); “%(name)s” is none of them."), name=name[:100])
    found = sniff(head)
    if claimed in ZIPPED and found == "zip":
        return claimed
    if claimed == TEXT and found is None:
        return TEXT
    if claimed in (DOCX, XLSX) and found == "ole":
        # Word and Excel keep a password-protected file in an OLE container (as the old .doc).
        raise FormatError("encrypted", gettext_noop(
            "“%(name)s” is encrypted or protected by a password, or in the old Office format: "
            "save it again as %(kind)s without protection, then send it."), name=name[:100],
            kind=extension.lstrip(".").upper())
    if found != claimed:
        raise FormatError("wrong_type", gettext_noop(
            "“%(name)s” is named as %(kind)s but its content is not."), name=name[:100],
            kind=extension.lstrip(".").upper())
    return claimed


def sniff(head: bytes) -> str | None:
    """The kind the first bytes announce; None: none of the binary kinds (perhaps text)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    return None
