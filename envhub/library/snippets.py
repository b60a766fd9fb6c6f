"""Highlighted snippets: the words a query found, shown in the original text, diacritics and
all. Pure module.

The text is long (a 20-page report is 60,000 characters) and folding it whole in Python for
every result would cost more than the search: a regular expression that accepts each letter
with any of its marks (`d` → `[dđ]`, `a` → `[aàáảãạăắ…]`) finds the first match in C, and only
a window around it is folded word by word to mark the matches.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from envhub.core.text import fold
from envhub.library.search_query import Phrase, Query, Term

WINDOW = 110  # characters on each side of the first match
MAX_SNIPPET_MATCHES = 12


def _variants() -> dict[str, str]:
    """Each ASCII letter: a character class of every precomposed letter that folds to it."""
    groups: dict[str, set[str]] = {}
    for start, end in ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), (0x1E00, 0x1EFF)):
        for code in range(start, end + 1):
            folded = fold(chr(code))
            if len(folded) == 1 and folded.isascii() and folded.isalpha():
                groups.setdefault(folded, set()).add(chr(code))
    return {letter: "[" + "".join(sorted(chars)) + "]" for letter, chars in groups.items()}


_VARIANTS = _variants()


@dataclass(frozen=True)
class Segment:
    text: str
    match: bool = False


@functools.lru_cache(maxsize=256)  # the same few terms for every hit of a page
def _pattern(part: Term | Phrase) -> str:
    words = [part.word] if isinstance(part, Term) else list(part.words)
    pieces = ["".join(_VARIANTS.get(char, re.escape(char)) for char in word) for word in words]
    tail = "" if isinstance(part, Term) and part.prefix else r"(?![^\W_])"
    # Words of a phrase are separated in the text by anything that is not a letter or digit.
    return r"(?<![^\W_])" + r"[\W_]+".join(pieces) + tail


def highlight(text: str, terms: list[Term], limit: int | None = None) -> list[Segment]:
    """`text` cut into segments, the words the terms find marked (a prefix marks the whole
    word it starts)."""
    if not terms:
        return [Segment(text)] if text else []
    patterns = [_pattern(term) + (r"\w*" if term.prefix else "") for term in terms]
    pattern = re.compile("|".join(patterns), re.IGNORECASE)
    segments: list[Segment] = []
    position = 0
    for number, found in enumerate(pattern.finditer(text)):
        if limit is not None and number >= limit:
            break
        if found.start() > position:
            segments.append(Segment(text[position:found.start()]))
        segments.append(Segment(found.group(), True))
        position = found.end()
    if position < len(text):
        segments.append(Segment(text[position:]))
    return segments


def snippet(text: str | None, query: Query, head: bool = False) -> list[Segment] | None:
    """A window of `text` around the first match of the query, its matches marked; empty when
    the text does not contain the query (it matched in the metadata, say). With `head`, `text`
    is only the start of a longer text: None when that start cannot tell the window (no match
    in it, or one too near its end), so that the caller reads further."""
    if not text or query.empty:
        return None if head else []
    text = unicodedata.normalize("NFC", text)
    pattern = re.compile("|".join(_pattern(part) for part in query.parts), re.IGNORECASE)
    first = pattern.search(text)
    if head and (first is None or first.end() + WINDOW + 1 >= len(text)):
        return None
    if first is None:
        return []
    start = max(0, first.start() - WINDOW)
    end = min(len(text), first.end() + WINDOW)
    # Cut at white space so that no word is shown half.
    if start > 0:
        space = text.find(" ", start, first.start())
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", first.end(), end)
        end = space if space != -1 else end
    window = " ".join(text[start:end].split())
    segments = highlight(window, query.words(), MAX_SNIPPET_MATCHES)
    if start > 0:
        segments.insert(0, Segment("… "))
    if end < len(text):
        segments.append(Segment(" …"))
    return segments
