"""Text helpers for Vietnamese: search folding, slugs and download file names.

Pure module. Folding removes tone and vowel marks so that `ha noi` finds `Hà Nội`; `đ`/`Đ` is a
letter of its own (Unicode does not decompose it), so it is mapped to `d` explicitly.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

_D_MAP = str.maketrans({"đ": "d", "Đ": "d"})
_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str | None) -> str:
    """Lower-case, strip Vietnamese diacritics (đ → d) and collapse white space."""
    if not text:
        return ""
    text = unicodedata.normalize("NFD", text.translate(_D_MAP))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", text.casefold()).strip()


def search_terms(query: str | None) -> list[str]:
    """The folded words of a search query; every word must match (AND)."""
    return [term for term in fold(query).split(" ") if term]


def search_document(*parts: object) -> str:
    """The folded text stored beside a row so that every database can search it the same way."""
    return " ".join(fold(str(part)) for part in parts if part not in (None, ""))


def slug(text: str) -> str:
    """ASCII slug: `Đồng Nai` → `dong-nai`."""
    return _NOT_WORD.sub("-", fold(text)).strip("-")


def nfc(text: str) -> str:
    """Vietnamese text in the composed form TCVN 6909 expects (NFC)."""
    return unicodedata.normalize("NFC", text)


def ascii_file_name(name: str, fallback: str = "tai-lieu") -> str:
    """"Báo cáo 2024.pdf" → "bao-cao-2024.pdf": for clients that do not read RFC 6266."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    words = "".join(ch if ch.isascii() and ch.isalnum() else " " for ch in fold(stem)).split()
    ascii_extension = "".join(ch for ch in extension if ch.isascii() and ch.isalnum())[:10]
    return ("-".join(words)[:150] or fallback) + ("." + ascii_extension if ascii_extension
                                                  else "")


def attachment_disposition(name: str) -> str:
    """A Content-Disposition every browser reads: the ASCII name, and the real one (with its
    diacritics) in RFC 6266's `filename*`."""
    return (f"attachment; filename=\"{ascii_file_name(name)}\"; "
            f"filename*=UTF-8''{quote(name, safe='')}")
