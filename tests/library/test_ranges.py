"""The Range header read as RFC 9110 says, for one range: a table of cases, and hypothesis for
any header (never an error other than Unsatisfiable, a range always inside the file)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envhub.library import ranges
from envhub.library.ranges import ByteRange, Unsatisfiable

SIZE = 1000


@pytest.mark.parametrize(("header", "expected"), [
    ("bytes=0-99", ByteRange(0, 99, SIZE)),
    ("bytes=100-", ByteRange(100, 999, SIZE)),
    ("bytes=-100", ByteRange(900, 999, SIZE)),
    ("bytes=-5000", ByteRange(0, 999, SIZE)),  # a suffix longer than the file: all of it
    ("bytes=990-5000", ByteRange(990, 999, SIZE)),  # the end cut to the file's
    ("bytes=999-999", ByteRange(999, 999, SIZE)),
    ("bytes = 5 - 9", ByteRange(5, 9, SIZE)),
    (" bytes=5-9 ", ByteRange(5, 9, SIZE)),
    (None, None),
    ("", None),
    ("bytes=", None),
    ("bytes=-", None),
    ("bytes=9-5", None),  # invalid: ignored, the whole file
    ("bytes=0-9,20-29", None),  # several ranges: the whole file
    ("items=0-9", None),
    ("bytes=a-9", None),
    ("bytes=0x10-20", None),
    ("bytes=" + "9" * 20 + "-", None),  # more digits than any file needs
    ("bytes=0-9" + " " * 300, None),  # over the cap
])
def test_it_reads_one_range(header, expected):
    assert ranges.parse(header, SIZE) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=1000-2000", "bytes=5000-6000",
                                    "bytes=-0"])
def test_a_range_past_the_end_is_unsatisfiable(header):
    with pytest.raises(Unsatisfiable) as caught:
        ranges.parse(header, SIZE)
    assert caught.value.content_range == "bytes */1000"


def test_the_content_range_and_length():
    chosen = ranges.parse("bytes=10-19", SIZE)
    assert (chosen.content_range(), chosen.length) == ("bytes 10-19/1000", 10)


@pytest.mark.parametrize(("if_range", "allowed"), [
    (None, True), ('"abc"', True), (' "abc" ', True), ('W/"abc"', False), ('"abd"', False),
    ("Mon, 07 Dec 2026 08:00:00 GMT", False), ("", False)])
def test_if_range_needs_the_strong_etag(if_range, allowed):
    assert ranges.if_range_allows(if_range, '"abc"') is allowed


@given(st.text(max_size=250), st.integers(1, 10**12))
def test_any_header_gives_a_range_inside_the_file_or_none(header, size):
    try:
        chosen = ranges.parse(header, size)
    except Unsatisfiable:
        return
    if chosen is not None:
        assert 0 <= chosen.start <= chosen.end < size
        assert chosen.length == chosen.end - chosen.start + 1


@given(st.integers(0, 10**6), st.integers(0, 10**6), st.integers(1, 10**6))
def test_a_well_formed_range_keeps_its_bounds(start, end, size):
    header = f"bytes={start}-{end}"
    if end < start:
        assert ranges.parse(header, size) is None
    elif start >= size:
        with pytest.raises(Unsatisfiable):
            ranges.parse(header, size)
    else:
        assert ranges.parse(header, size) == ByteRange(start, min(end, size - 1), size)
