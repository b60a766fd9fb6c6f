"""HTTP range requests (RFC 9110 §14) for the library's downloads: one range of bytes, so that
a reader resumes a broken download of a large scan, or a PDF viewer fetches the pages it
shows. Pure module: the header's text in, the bytes to send out.

One range only: a request for several (`bytes=0-9,20-29`) is answered whole (200), which the
RFC allows a server to do, rather than as multipart/byteranges, which no reader of the library
needs. A header the grammar does not allow, or in another unit, is ignored the same way; a
range that starts past the end is unsatisfiable (416). Linear in the header's length, which is
capped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_HEADER = 200  # characters: a single range needs about 45
_SPEC = re.compile(r"bytes[ \t]*=[ \t]*([0-9]{0,19})[ \t]*-[ \t]*([0-9]{0,19})[ \t]*")


@dataclass(frozen=True)
class ByteRange:
    """Bytes `start` to `end`, both included, of a file of `size` bytes."""

    start: int
    end: int
    size: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self) -> str:
        return f"bytes {self.start}-{self.end}/{self.size}"


class Unsatisfiable(Exception):
    """No byte of the range is in the file: 416, with `Content-Range: bytes */<size>`."""

    def __init__(self, size: int):
        super().__init__(size)
        self.content_range = f"bytes */{size}"


def parse(header: str | None, size: int) -> ByteRange | None:
    """The range a `Range` header asks of a file of `size` bytes; None to send it whole (no
    header, several ranges, another unit, a malformed one); Unsatisfiable when it asks only
    bytes past the end."""
    if not header or len(header) > MAX_HEADER:
        return None
    match = _SPEC.fullmatch(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # a suffix: the last n bytes
        count = int(last)
        if count == 0 or size == 0:
            raise Unsatisfiable(size)
        return ByteRange(max(0, size - count), size - 1, size)
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # invalid: the RFC says to ignore it
    if start >= size:
        raise Unsatisfiable(size)
    return ByteRange(start, min(end, size - 1), size)


def if_range_allows(if_range: str | None, etag: str) -> bool:
    """Whether an `If-Range` lets the range be sent: absent, or the file's strong ETag
    exactly. A date (the downloads send no Last-Modified) or a weak or other tag asks for the
    whole file instead."""
    if if_range is None:
        return True
    return if_range.strip() == etag
