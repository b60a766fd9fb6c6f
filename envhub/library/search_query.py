"""The words of the library's search, as both databases see them. Pure module.

Text and queries are folded the same way (`core/text.fold`: no tone or vowel marks, đ → d,
lower case) and cut into words of ASCII letters and digits; everything else separates words.
Both engines (SQLite FTS5, PostgreSQL full text) are handed only these words, joined by single
spaces, so they tokenise them identically and a query finds the same documents on either.

A query is words (every one must appear: AND), phrases in double quotes ("chất lượng nước":
the words in that order) and prefixes (`quan*`). A word written with punctuation inside
(`NĐ-CP`, `45/2022`) is a phrase of its parts, as it is in the text. Any other character —
FTS syntax such as `:`, `-`, `(`, `NEAR`, an unpaired quote — is an ordinary separator or word,
so no input can make a database parse an expression of the user's.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from envhub.core.text import fold

# A query is a handful of words; more make a slower query, never a better answer.
MAX_TERMS = 12
MAX_QUERY_LENGTH = 500
# Longer "words" are noise (base64, OCR garbage); PostgreSQL refuses words over 2 KB anyway.
MAX_WORD_LENGTH = 100
# A one-letter prefix would match half the index: slow, and useless.
MIN_PREFIX_LENGTH = 2
# What one document's body may put in the index: PostgreSQL keeps a tsvector under 1 MB, so the
# body is cut, on both databases alike, before its distinct words would pass this many bytes.
MAX_BODY_CHARS = 1_000_000
MAX_DISTINCT_WORD_BYTES = 600_000

# PostgreSQL keeps a word's positions in a tsvector only up to 16,383 and at most 256 of them
# per word; a part of a text within these keeps every position, and parts overlapping by
# MAX_TERMS - 1 words hold any phrase of the query whole in one of them.
MAX_PART_WORDS = 16_000
MAX_PART_POSITIONS = 255

_WORD = re.compile(r"[0-9a-z]+")
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def _fold_table() -> dict[int, str]:
    """Precomposed Latin letters (Vietnamese among them) to their folded form, so that long
    texts are folded by `str.translate` rather than one character at a time."""
    table: dict[int, str] = {}
    for start, end in ((0x41, 0x5A), (0xC0, 0x24F), (0x1E00, 0x1EFF)):
        for code in range(start, end + 1):
            folded = fold(chr(code))
            if folded != chr(code) and folded.isascii():
                table[code] = folded
    return table


_TABLE = _fold_table()


def index_words(text: str | None) -> list[str]:
    """The words of `text` as the index keeps them: folded, ASCII letters and digits."""
    if not text:
        return []
    text = unicodedata.normalize("NFC", text).translate(_TABLE).lower()
    if not text.isascii():
        # Rare letters outside the table (a stray combining mark, say): the careful way.
        text = fold(text)
    return [word for word in _WORD.findall(text) if len(word) <= MAX_WORD_LENGTH]


def fold_word(word: str) -> str:
    """One word of NFC text folded, quickly (for highlighting)."""
    folded = word.translate(_TABLE).lower()
    return folded if folded.isascii() else fold(folded)


def index_text(text: str | None) -> str:
    """`text` as it goes into the index: its words joined by single spaces."""
    return " ".join(index_words(text))


def body_text(text: str | None) -> str:
    """A document's body for the index, cut (the same on both databases) where PostgreSQL
    would refuse it as too large."""
    words = index_words(text[: MAX_BODY_CHARS * 2] if text else text)
    distinct = set(words)
    if (sum(map(len, words)) + len(words) <= MAX_BODY_CHARS
            and sum(map(len, distinct)) + 8 * len(distinct) <= MAX_DISTINCT_WORD_BYTES):
        return " ".join(words)  # the common case, without a loop in Python
    kept, seen, size, length = [], set(), 0, 0
    for word in words:
        length += len(word) + 1
        if word not in seen:
            seen.add(word)
            size += len(word) + 8  # a tsvector entry: the lexeme and its header
        if length > MAX_BODY_CHARS or size > MAX_DISTINCT_WORD_BYTES:
            break
        kept.append(word)
    return " ".join(kept)


def position_parts(text: str) -> list[str]:
    """`text` (index words joined by single spaces) cut into parts in which PostgreSQL keeps
    every position, each overlapping the next by MAX_TERMS - 1 words."""
    words = text.split()
    if len(words) <= MAX_PART_POSITIONS:
        return [text] if words else []
    parts, start = [], 0
    while True:
        counts: dict[str, int] = {}
        end = start
        limit = min(len(words), start + MAX_PART_WORDS)
        while end < limit:
            seen = counts.get(words[end], 0) + 1
            if seen > MAX_PART_POSITIONS:
                break
            counts[words[end]] = seen
            end += 1
        parts.append(" ".join(words[start:end]))
        if end == len(words):
            return parts
        start = end - (MAX_TERMS - 1)  # end - start >= 255: always ahead


@dataclass(frozen=True)
class Term:
    """A word that must appear; with `prefix`, any word starting with it."""

    word: str
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    """Words that must appear one after the other."""

    words: tuple[str, ...]


@dataclass
class Query:
    text: str = ""
    parts: list[Term | Phrase] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.parts

    def words(self) -> list[Term]:
        """Every word the query names, phrases' words included (for highlighting)."""
        found: list[Term] = []
        for part in self.parts:
            if isinstance(part, Phrase):
                found.extend(Term(word) for word in part.words)
            else:
                found.append(part)
        return found


_QUOTED = re.compile(r'"([^"]*)"')


def parse(text: str | None) -> Query:
    """The query's terms and phrases, at most MAX_TERMS words in all; duplicates dropped."""
    text = (text or "")[:MAX_QUERY_LENGTH]
    parts: list[Term | Phrase] = []
    budget = MAX_TERMS

    def add(part: Term | Phrase) -> None:
        nonlocal budget
        size = len(part.words) if isinstance(part, Phrase) else 1
        if part in parts or size > budget:
            return
        parts.append(part)
        budget -= size

    def chunk(raw: str, quoted: bool) -> None:
        words = index_words(raw)
        if not words:
            return
        if len(words) > 1:
            add(Phrase(tuple(words)))
        else:
            prefix = (not quoted and raw.rstrip().endswith("*")
                      and len(words[0]) >= MIN_PREFIX_LENGTH)
            add(Term(words[0], prefix))

    position = 0
    for match in _QUOTED.finditer(text):
        for raw in text[position:match.start()].split():
            chunk(raw, quoted=False)
        chunk(match.group(1), quoted=True)
        position = match.end()
    for raw in text[position:].split():
        chunk(raw, quoted=False)
    return Query(text=text.strip(), parts=parts)


def _runs(words, length: int) -> list[str]:
    return ["_".join(words[at:at + length]) for at in range(len(words) - length + 1)]


def phrase_shingles(words) -> list[str]:
    """The shingles a text must hold to hold the phrase `words`, each as one token: its pair
    (`quan_trac`) for two words, its triples (`quan_trac_moi`, `trac_moi_truong`) for more.
    Triples, because a common pair narrows nothing: every document of the bench holds the
    pairs of "quan trac moi truong", 282 of 10,000 its triples."""
    return _runs(list(words), 2 if len(words) == 2 else 3)


def shingles_text(*fields: str) -> str:
    """Every distinct pair and triple of consecutive words of each folded field (a phrase lies
    in one field), in the order first met, for SQLite's index of shingles
    (`search_sqlite.SHINGLES`). The same fields always give the same text: a contentless index
    forgets a row only when told exactly what it was given."""
    found: dict[str, None] = {}
    for text in fields:
        words = text.split()
        found.update(dict.fromkeys(_runs(words, 2)))
        found.update(dict.fromkeys(_runs(words, 3)))
    return " ".join(found)
