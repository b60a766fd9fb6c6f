"""Text helpers for Vietnamese: search folding and slugs.

Pure module. Folding removes tone and vowel marks so that `ha noi` finds `Hà Nội`; `đ`/`Đ` is a
letter of its own (Unicode does not decompose it), so it is mapped to `d` explicitly.
"""

from __future__ import annotations

import re
import unicodedata

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
