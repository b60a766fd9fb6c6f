"""A PDF's check reads the file only up to its last `%%EOF` (`checks._through_last_eof`):
bytes after it — a scanner's padding, or a hostile upload's megabytes — neither change what the
check finds nor make pypdf search them a line at a time (half a second a megabyte, minutes near
the size limit); a file with no `%%EOF` at all is refused as unreadable. And pypdf never holds
more than `WHOLE_READ_LIMIT` of a file at once: it reads a damaged PDF whole to repair it, so a
larger damaged one is refused."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envhub.library import checks
from envhub.library.formats import FormatError
from tests.library.sample_files import pdf


def _pages(data: bytes) -> int:
    return checks.check_pdf(io.BytesIO(data), 5000)


def test_megabytes_after_the_end_are_not_read_as_the_pdf():
    padded = pdf(3) + b"% padding of a large scan\n" * 120_000  # 3 MB
    source = io.BytesIO(padded)
    assert isinstance(checks._through_last_eof(source), checks._Prefix)
    assert _pages(padded) == 3


@pytest.mark.parametrize("padding", range(16))  # the marker at every place in a chunk
def test_a_marker_across_two_chunks_is_found(monkeypatch, padding):
    monkeypatch.setattr(checks, "EOF_SEARCH_CHUNK", 16)
    monkeypatch.setattr(checks, "EOF_SLACK", 0)  # through the view, whatever the padding
    data = pdf(2) + b"x" * padding
    through = checks._through_last_eof(io.BytesIO(data))
    assert through.seek(0, io.SEEK_END) == data.rindex(b"%%EOF") + len(b"%%EOF")
    assert _pages(data) == 2


def test_the_view_reads_only_the_first_bytes():
    view = checks._Prefix(io.BytesIO(b"0123456789"), 4)
    assert view.read() == b"0123"
    assert view.seek(-2, io.SEEK_END) == 2 and view.read(10) == b"23"
    assert view.seek(1) == 1 and view.read(2) == b"12" and view.tell() == 3
    assert view.seek(100) == 100 and view.read(1) == b""


@pytest.mark.parametrize("data", [
    b"%PDF-1.7\n" + b"1 0 obj << >> endobj\n" * 100,  # a header and no end
    b"%PDF-1.7\n%%EO",
    b"",
])
def test_a_file_without_an_end_of_file_marker_is_refused(data):
    with pytest.raises(FormatError) as refusal:
        _pages(data)
    assert refusal.value.code == "corrupt"


@settings(max_examples=60, deadline=None)
@given(tail=st.binary(max_size=4000).filter(lambda tail: b"%%EOF" not in tail))
def test_whatever_follows_the_end_the_pdf_reads_the_same(tail):
    assert _pages(pdf(2) + tail) == 2


def _damaged(data: bytes) -> bytes:
    """`data` with its `startxref` pointing nowhere: pypdf must rebuild its table of objects."""
    return re.sub(rb"startxref\s+\d+", b"startxref\n999999", data)


def test_a_damaged_pdf_the_library_can_hold_is_repaired():
    assert _pages(_damaged(pdf(3))) == 3


def test_a_damaged_pdf_too_large_to_hold_is_refused_unread(monkeypatch):
    data = _damaged(pdf(3))
    monkeypatch.setattr(checks, "WHOLE_READ_LIMIT", len(data) // 2)
    with pytest.raises(FormatError) as refusal:
        _pages(data)
    assert refusal.value.code == "corrupt" and "too large to be repaired" in refusal.value.message
    monkeypatch.setattr(checks, "WHOLE_READ_LIMIT", 64 << 20)
    assert _pages(data) == 3  # the same file, allowed to be held, is repaired


def test_a_large_file_is_read_through_the_view_even_without_a_tail(monkeypatch):
    monkeypatch.setattr(checks, "WHOLE_READ_LIMIT", 100)
    data = pdf(1)
    assert isinstance(checks._through_last_eof(io.BytesIO(data)), checks._Prefix)
    view = checks._Prefix(io.BytesIO(data), len(data))
    with pytest.raises(OSError):
        view.read()
    assert view.refused and view.read(50) == data[:50]
