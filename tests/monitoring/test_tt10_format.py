"""The TT10 file format (docs/domain/tt10.md §1, §2): what real dataloggers
send is read, every bad line is reported with its number and reason while the rest still counts,
and no input makes the parser raise anything but its own error type."""

from __future__ import annotations

import datetime
import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envhub.monitoring.formats import tt10
from envhub.monitoring.formats.tt10 import (
    FileName,
    Reading,
    TT10Error,
    format_file,
    format_filename,
    format_prefix,
    parse,
    parse_filename,
)

UTC = datetime.timezone.utc
NOON = datetime.datetime(2026, 1, 1, 12, 0, 0)
GOOD = "COD\t45.2\tmg/L\t20260101120000\t00"
GOOD2 = "TSS\t12\tmg/L\t20260101120000\t00"


def values(parsed):
    return [(r.symbol, r.value, r.unit, r.local_time, r.status) for r in parsed.readings]


def physical_lines(text: str) -> list[str]:
    """Lines as the note defines them: LF, CRLF or CR ends a line; a last ending is optional."""
    if not text:
        return []
    lines = re.split(r"\r\n|\r|\n", text)
    if text.endswith(("\r", "\n")):
        lines.pop()
    return lines


def assert_accounted(parsed, content: bytes) -> None:
    """Every physical line is a reading, a line error or a skipped blank line."""
    if not parsed.ok:
        assert parsed.readings == () and parsed.line_errors == ()
        return
    text = content.decode("utf-8-sig")
    lines = physical_lines(text)
    assert parsed.line_count == len(lines)
    assert len(parsed.readings) + len(parsed.line_errors) + parsed.blank_lines == len(lines)
    numbers = [r.line_number for r in parsed.readings] + [e.line_number for e in parsed.line_errors]
    assert len(set(numbers)) == len(numbers)
    assert all(1 <= n <= len(lines) for n in numbers)
    for reading in parsed.readings:
        assert reading.status in (0, 1, 2)
        assert reading.value is not None or reading.status == 2
        assert reading.utc_time == reading.local_time.replace(tzinfo=UTC) - datetime.timedelta(
            hours=7)
    for error in parsed.line_errors:
        assert error.reason_code in tt10.LINE_REASONS
        assert error.message
        assert len(error.raw_excerpt) <= tt10.EXCERPT_LENGTH + 1


# --- accepted variants -------------------------------------------------------------------

COD = ("COD", 45.2, "mg/L", NOON, 0)


@pytest.mark.parametrize("content, expected", [
    pytest.param(b"COD\t45.2\tmg/L\t20260101120000\t00\n", [COD], id="canonical"),
    pytest.param(b"\xef\xbb\xbfCOD\t45.2\tmg/L\t20260101120000\t00\n", [COD], id="utf8-bom"),
    pytest.param(b"COD\t45.2\tmg/L\t20260101120000\t00\r\nTSS\t12\tmg/L\t20260101120000\t00\r\n",
                 [COD, ("TSS", 12.0, "mg/L", NOON, 0)], id="crlf"),
    pytest.param(b"COD\t45.2\tmg/L\t20260101120000\t00\rTSS\t12\tmg/L\t20260101120000\t00\r",
                 [COD, ("TSS", 12.0, "mg/L", NOON, 0)], id="cr"),
    pytest.param(b"COD\t45.2\tmg/L\t20260101120000\t00\nTSS\t12\tmg/L\t20260101120000\t00\r\n"
                 b"pH\t7.1\t\t20260101120000\t00\r",
                 [COD, ("TSS", 12.0, "mg/L", NOON, 0), ("pH", 7.1, "", NOON, 0)],
                 id="mixed-endings"),
    pytest.param(b"COD\t45.2\tmg/L\t20260101120000\t00", [COD], id="no-final-newline"),
    pytest.param(b"COD\t45.2\tmg/L\t20260101120000\t00\r\n\r\n\r\n  \r\n\t\r\n", [COD],
                 id="trailing-blank-lines"),
    pytest.param(b"\n\nCOD\t45.2\tmg/L\t20260101120000\t00\n\n \nTSS\t12\tmg/L\t20260101120000"
                 b"\t00\n", [COD, ("TSS", 12.0, "mg/L", NOON, 0)], id="blank-lines-between"),
    pytest.param(b"COD\t45,2\tmg/L\t20260101120000\t00\n", [COD], id="decimal-comma"),
    pytest.param("PM2,5\t23,5\tµg/m3\t20260101120000\t00\n".encode(),
                 [("PM2,5", 23.5, "µg/m3", NOON, 0)], id="pm2,5-symbol"),
    pytest.param(b"  COD \t 45.2 \t mg/L \t 20260101120000 \t 00  \n", [COD],
                 id="surrounding-spaces"),
    pytest.param(b"COD 45.2   mg/L 20260101120000 00\n", [COD], id="space-separated-5-tokens"),
    pytest.param(b"COD\t45.2\tmg/L\t20260101120000\t0\n", [COD], id="one-digit-status"),
    pytest.param(b"Flow\t1.2E+03\tm3/h\t20260101120000\t01\n",
                 [("Flow", 1200.0, "m3/h", NOON, 1)], id="exponent-calibrating"),
    pytest.param(b"Temp\t-3,5\toC\t20260101120000\t00\n", [("Temp", -3.5, "oC", NOON, 0)],
                 id="negative-comma"),
    pytest.param(b"Temp\t+.5\toC\t20260101120000\t00\n", [("Temp", 0.5, "oC", NOON, 0)],
                 id="sign-leading-point"),
    pytest.param(b"COD\t\tmg/L\t20260101120000\t02\n", [("COD", None, "mg/L", NOON, 2)],
                 id="empty-value-device-error"),
    pytest.param(b"pH\t7\t\t20260101120000\t00\n", [("pH", 7.0, "", NOON, 0)],
                 id="empty-unit"),
    pytest.param("Temp\t25\tđộ C\t20260101120000\t00\n".encode(),
                 [("Temp", 25.0, "độ C", NOON, 0)], id="vietnamese-unit"),
    pytest.param(b"COD\t1,234\tmg/L\t20260101120000\t00\n", [("COD", 1.234, "mg/L", NOON, 0)],
                 id="single-comma-is-decimal"),
    pytest.param(b"COD\t45.2\tmg/L\t20260101120000\t00\ncod\t46\tmg/L\t20260101120500\t00\n",
                 [COD, ("cod", 46.0, "mg/L", NOON.replace(minute=5), 0)],
                 id="same-symbol-other-time"),
])
def test_it_reads_what_dataloggers_send(content, expected):
    parsed = parse(content)
    assert parsed.ok
    assert parsed.line_errors == ()
    assert values(parsed) == expected
    assert_accounted(parsed, content)


def test_it_gives_local_and_utc_times():
    reading = parse(b"COD\t45.2\tmg/L\t20260101030000\t00\n").readings[0]
    assert reading.local_time == datetime.datetime(2026, 1, 1, 3, 0)
    assert reading.local_time.tzinfo is None
    # 03:00 UTC+7 is 20:00 UTC the day before.
    assert reading.utc_time == datetime.datetime(2025, 12, 31, 20, 0, tzinfo=UTC)
    assert reading.line_number == 1


def test_it_reports_bom_and_counts():
    parsed = parse(b"\xef\xbb\xbfCOD\t45.2\tmg/L\t20260101120000\t00\n\nX\n")
    assert parsed.had_bom
    assert (parsed.line_count, parsed.blank_lines, len(parsed.readings)) == (3, 1, 1)
    assert [(e.line_number, e.reason_code) for e in parsed.line_errors] == [
        (3, "wrong_field_count")]


# --- malformed lines: one error each, the rest of the file still counts --------------------


@pytest.mark.parametrize("line, reason", [
    ("COD\t45.2\tmg/L\t20260101120000", "wrong_field_count"),
    ("COD\t45.2\tmg/L\t20260101120000\t00\textra", "wrong_field_count"),
    ("COD\t45.2\tmg/L\t20260101120000\t00\t", "wrong_field_count"),
    ("COD 45.2 mg/L 20260101120000", "wrong_field_count"),
    ("Temp 25 độ C 20260101120000 00", "wrong_field_count"),
    ("COD;45.2;mg/L;20260101120000;00", "wrong_field_count"),
    ("Thông số\tKết quả\tĐơn vị\tThời gian\tTrạng thái", "bad_value"),
    ("\t45.2\tmg/L\t20260101120000\t00", "empty_symbol"),
    ("COD\t45.2\tmg/L\t20261301120000\t00", "bad_time"),  # month 13
    ("COD\t45.2\tmg/L\t2026013112000\t00", "bad_time"),  # 13 digits
    ("COD\t45.2\tmg/L\t20260230120000\t00", "bad_time"),  # 30 February
    ("COD\t45.2\tmg/L\t20250229120000\t00", "bad_time"),  # not a leap year
    ("COD\t45.2\tmg/L\t20260101240000\t00", "bad_time"),  # hour 24
    ("COD\t45.2\tmg/L\t20260101125960\t00", "bad_time"),  # second 60
    ("COD\t45.2\tmg/L\t2026-01-01 12:00\t00", "bad_time"),
    ("COD\t45.2\tmg/L\t２０２６０１０１１２００００\t00", "bad_time"),  # full-width digits
    ("COD\t45.2\tmg/L\t00000101120000\t00", "bad_time"),  # year 0
    ("COD\t45.2\tmg/L\t00010101030000\t00", "bad_time"),  # its UTC time is before year 1
    ("COD\t45.2\tmg/L\t\t00", "bad_time"),
    ("COD\t45.2\tmg/L\t20260101120000\t03", "bad_status"),
    ("COD\t45.2\tmg/L\t20260101120000\t3", "bad_status"),
    ("COD\t45.2\tmg/L\t20260101120000\t000", "bad_status"),
    ("COD\t45.2\tmg/L\t20260101120000\t", "bad_status"),
    ("COD\t45.2\tmg/L\t20260101120000\tOK", "bad_status"),
    ("COD\t45.2\tmg/L\t20260101120000\t-1", "bad_status"),
    ("COD\tabc\tmg/L\t20260101120000\t00", "bad_value"),
    ("COD\t1,234.5\tmg/L\t20260101120000\t00", "bad_value"),
    ("COD\t1.234,5\tmg/L\t20260101120000\t00", "bad_value"),
    ("COD\t1.234.567\tmg/L\t20260101120000\t00", "bad_value"),
    ("COD\t1,2,3\tmg/L\t20260101120000\t00", "bad_value"),
    ("COD\t1 000\tmg/L\t20260101120000\t00", "bad_value"),
    ("COD\t1_000\tmg/L\t20260101120000\t00", "bad_value"),
    ("COD\tNaN\tmg/L\t20260101120000\t00", "bad_value"),
    ("COD\tinf\tmg/L\t20260101120000\t00", "bad_value"),
    ("COD\t-Infinity\tmg/L\t20260101120000\t00", "bad_value"),
    ("COD\t1e999\tmg/L\t20260101120000\t00", "bad_value"),
    ("COD\t0x10\tmg/L\t20260101120000\t00", "bad_value"),
    ("COD\t١٢\tmg/L\t20260101120000\t00", "bad_value"),  # Arabic-Indic digits
    ("COD\t--1\tmg/L\t20260101120000\t00", "bad_value"),
    ("COD\t-\tmg/L\t20260101120000\t00", "bad_value"),
    ("COD\t.\tmg/L\t20260101120000\t00", "bad_value"),
    ("COD\t1e\tmg/L\t20260101120000\t00", "bad_value"),
    ("COD\t\tmg/L\t20260101120000\t00", "empty_value"),
    ("COD\t \tmg/L\t20260101120000\t01", "empty_value"),
    ("COD\t45.2\tmg/L\x07\t20260101120000\t00", "bad_character"),
    ("\ufeffCOD\t45.2\tmg/L\t20260101120000\t00", "bad_character"),
    ("COD\t45.2\tmg/L\t20260101120000\t00\x1a", "bad_character"),
])
def test_it_reports_a_bad_line_and_keeps_the_rest(line, reason):
    content = f"{GOOD}\n{line}\n{GOOD2}\n".encode()
    parsed = parse(content)
    assert parsed.ok
    assert [(e.line_number, e.reason_code) for e in parsed.line_errors] == [(2, reason)]
    error = parsed.line_errors[0]
    assert error.raw_excerpt == line[: tt10.EXCERPT_LENGTH]
    assert error.message
    assert [r.symbol for r in parsed.readings] == ["COD", "TSS"]
    assert [r.line_number for r in parsed.readings] == [1, 3]
    assert_accounted(parsed, content)


@pytest.mark.parametrize("value, words", [
    ("1,234.5", "ambiguous"),
    ("NaN", "not a finite number"),
    ("1e999", "too large"),
    ("abc", "not a number"),
])
def test_it_says_why_a_value_is_bad(value, words):
    error = parse(f"COD\t{value}\tmg/L\t20260101120000\t00".encode()).line_errors[0]
    assert words in error.message


def test_it_names_the_device_status_problem():
    error = parse(b"COD\t1\tmg/L\t20260101120000\t03").line_errors[0]
    assert error.message.startswith("unknown device status '03'")


def test_it_keeps_the_first_of_duplicate_symbol_and_time():
    content = (b"COD\t45.2\tmg/L\t20260101120000\t00\n"
               b"TSS\t12\tmg/L\t20260101120000\t00\n"
               b"COD\t99\tmg/L\t20260101120000\t00\n"
               b"cod\t98\tmg/L\t20260101120000\t00\n")
    parsed = parse(content)
    assert values(parsed) == [COD, ("TSS", 12.0, "mg/L", NOON, 0)]
    assert [(e.line_number, e.reason_code) for e in parsed.line_errors] == [
        (3, "duplicate_in_file"), (4, "duplicate_in_file")]
    assert "line 1" in parsed.line_errors[0].message


def test_a_bad_line_does_not_count_as_the_first_of_a_duplicate():
    parsed = parse(b"COD\tx\tmg/L\t20260101120000\t00\nCOD\t45.2\tmg/L\t20260101120000\t00\n")
    assert values(parsed) == [COD]
    assert [e.reason_code for e in parsed.line_errors] == ["bad_value"]


def test_it_truncates_long_excerpts():
    line = "COD\t" + "9" * 200 + "x\tmg/L\t20260101120000\t00"
    error = parse(line.encode()).line_errors[0]
    assert error.raw_excerpt == line[:80] + "…"


# --- file-level problems -----------------------------------------------------------------


# Windows-1258 writes Vietnamese with combining tone marks: "ệ" is ê (0xEA) + dot below (0xF2).
NHIET_DO = "Nhi\u00ea\u0323t \u0111\u00f4\u0323"  # "Nhiệt độ" in that decomposed form
VIETNAMESE_1258 = f"{NHIET_DO}\t25\toC\t20260101120000\t00\n".encode("cp1258")
MICRO_1252 = "PM10\t25\tµg/m3\t20260101120000\t00\n".encode("cp1252")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"
GZIP = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xcb\x48\xcd\xc9\xc9\x07\x00"


@pytest.mark.parametrize("content, code, offset", [
    pytest.param(b"", "empty_file", None, id="empty"),
    pytest.param(b"\xef\xbb\xbf", "empty_file", None, id="only-bom"),
    pytest.param(b"\n\r\n  \n\t\t\r\n\r", "empty_file", None, id="only-blank-lines"),
    pytest.param(PNG, "binary_content", 8, id="png"),
    pytest.param(GZIP, "binary_content", 3, id="gzip"),
    pytest.param(b"COD\t45.2\tmg/L\t20260101120000\t00\n\x00\x00", "binary_content", 32,
                 id="nul-bytes"),
    pytest.param("COD\t45.2\tmg/L\t20260101120000\t00\n".encode("utf-16"), "not_utf8", 0,
                 id="utf16-with-bom"),
    pytest.param("COD\t45.2\tmg/L\t20260101120000\t00\n".encode("utf-16-le"), "binary_content",
                 1, id="utf16-without-bom"),
    pytest.param(VIETNAMESE_1258, "not_utf8", 3, id="windows-1258-vietnamese"),
    pytest.param(MICRO_1252, "not_utf8", 8, id="cp1252-micro-sign"),
    pytest.param(b"\xef\xbb\xbfPM10\t25\t\xb5g/m3\t20260101120000\t00\n", "not_utf8", 11,
                 id="bom-then-cp1252"),
    pytest.param(b"COD\t45.2\tmg/L\t20260101120000\t00\n\xed\xa0\x80", "not_utf8", 32,
                 id="utf8-encoded-surrogate"),
    pytest.param(b"\xc0\xaf", "not_utf8", 0, id="overlong-utf8"),
])
def test_it_rejects_a_file_that_is_not_a_tt10_text_file(content, code, offset):
    parsed = parse(content)
    assert not parsed.ok
    assert [(e.code, e.offset) for e in parsed.file_errors] == [(code, offset)]
    assert parsed.readings == () and parsed.line_errors == ()


def test_it_names_the_first_bad_byte():
    message = parse(VIETNAMESE_1258).file_errors[0].message
    assert "0x" + f"{VIETNAMESE_1258[3]:02X}" in message and "offset 3" in message
    assert "UTF-8" in message


def test_it_limits_the_number_of_lines():
    content = b"".join(b"S%d\t1\tmg/L\t20260101120000\t00\n" % i for i in range(4))
    parsed = parse(content, max_lines=3)
    assert [e.code for e in parsed.file_errors] == ["too_many_lines"]
    # Trailing blank lines do not count against the limit.
    assert parse(content + b"\n" * 100, max_lines=4).ok
    assert len(parse(content + b"\r\n" * 100, max_lines=4).readings) == 4


def test_it_reports_a_long_line_and_keeps_the_rest():
    content = f"{GOOD}\n{'x' * 5000}\n{GOOD2}".encode()
    parsed = parse(content)
    assert [(e.line_number, e.reason_code) for e in parsed.line_errors] == [(2, "line_too_long")]
    assert len(parsed.readings) == 2
    assert parse(content, max_line_length=5000).line_errors[0].reason_code == "wrong_field_count"


@pytest.mark.parametrize("payload", [
    pytest.param(b"A" * 10_000_000, id="letters"),
    pytest.param(b"COD\t" + b"9" * 10_000_000 + b"\tmg/L\t20260101120000\t00", id="value"),
    pytest.param(b"\t" * 10_000_000, id="tabs"),
    pytest.param(b" " * 10_000_000 + b"x", id="spaces"),
    pytest.param("µ".encode() * 5_000_000, id="multibyte"),
])
def test_a_10_mb_line_is_one_error_and_fast(payload):
    content = GOOD.encode() + b"\r\n" + payload + b"\r\n" + GOOD2.encode() + b"\r\n"
    started = time.perf_counter()
    parsed = parse(content)
    elapsed = time.perf_counter() - started
    assert [(e.line_number, e.reason_code) for e in parsed.line_errors] == [(2, "line_too_long")]
    assert len(parsed.readings) == 2
    assert len(parsed.line_errors[0].raw_excerpt) == tt10.EXCERPT_LENGTH + 1
    assert elapsed < 2.0  # linear work: about 0.05 s here


def test_a_full_file_of_10000_lines_is_fast():
    symbols = ["COD", "TSS", "pH", "Temp", "Flow", "NH4", "TN", "TP"]
    start = datetime.datetime(2026, 1, 1)
    step = datetime.timedelta(minutes=5)
    readings = [Reading.of(symbols[i % 8], i * 0.5, "mg/L", start + step * (i // 8))
                for i in range(10_000)]
    content = format_file(readings)
    started = time.perf_counter()
    parsed = parse(content)
    elapsed = time.perf_counter() - started
    assert parsed.ok and parsed.line_errors == ()
    assert len(parsed.readings) == 10_000
    assert elapsed < 2.0  # about 0.03 s here


# --- the parser's own error type ---------------------------------------------------------


@pytest.mark.parametrize("content", ["COD\t1\tmg/L\t20260101120000\t00", None, 42, ["x"]])
def test_it_refuses_content_that_is_not_bytes(content):
    with pytest.raises(TT10Error) as caught:
        parse(content)
    assert caught.value.code == "bad_argument"


@pytest.mark.parametrize("limits", [{"max_lines": 0}, {"max_line_length": -1},
                                    {"max_lines": True}, {"max_line_length": 1.5}])
def test_it_refuses_nonsense_limits(limits):
    with pytest.raises(TT10Error):
        parse(b"", **limits)


def test_it_takes_bytearray_and_memoryview():
    content = GOOD.encode()
    assert values(parse(bytearray(content))) == values(parse(memoryview(content))) == [COD]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_it_never_raises_on_arbitrary_bytes(content):
    # Stronger than "only TT10Error": for bytes content, parse raises nothing at all.
    parsed = parse(content)
    assert_accounted(parsed, content)


TIMES = st.one_of(
    st.just("20260101120000"), st.just("20260101120500"), st.just("20260230120000"),
    st.from_regex(r"[0-9]{12,15}", fullmatch=True), st.text(max_size=16),
)
VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda v: repr(v).replace(".", ",")),
    st.from_regex(r"[+-]?[0-9]{0,4}[.,]?[0-9]{0,4}([eE][+-]?[0-9]{1,4})?", fullmatch=True),
    st.sampled_from(["", " ", "1,234.5", "NaN", "-", "1e999"]),
    st.text(max_size=10),
)
FIELD = st.one_of(
    st.sampled_from(["COD", "cod", "PM2,5", "pH", "", " ", "mg/L", "µg/m3", "độ C"]),
    st.text(max_size=12),
)
STATUSES = st.one_of(st.sampled_from(["00", "01", "02", "0", "1", "2", "03", "", " 02 "]),
                     st.text(max_size=3))
LINE = st.one_of(
    st.tuples(FIELD, VALUES, FIELD, TIMES, STATUSES).map("\t".join),
    st.lists(st.one_of(FIELD, VALUES, TIMES), max_size=7).map("\t".join),
    st.lists(st.one_of(FIELD, VALUES, TIMES), max_size=7).map(" ".join),
    st.sampled_from(["", " ", "\t", "  \t  "]),
    st.text(max_size=40),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE, max_size=12), st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1),
       st.booleans(), st.booleans())
def test_it_accounts_for_every_structured_line(lines, endings, bom, final_ending):
    text = "".join(line + endings[i % len(endings)] for i, line in enumerate(lines))
    if lines and not final_ending:
        text = text[: -len(endings[(len(lines) - 1) % len(endings)])]
    content = (b"\xef\xbb\xbf" if bom else b"") + text.encode()
    parsed = parse(content)  # raises nothing
    assert_accounted(parsed, content)
    if parsed.ok:
        lines = physical_lines(content.decode("utf-8-sig"))
        assert parsed.blank_lines == sum(1 for line in lines if not line.strip())


# --- file names --------------------------------------------------------------------------


@pytest.mark.parametrize("name, parts", [
    ("HN_ABCD_NUO001_20260101120000.txt", ("HN", "ABCD", "NUO001")),
    ("HN_ABCD_NUO001_20260101120000.TXT", ("HN", "ABCD", "NUO001")),
    ("HN_ABCD_NUO001_20260101120000.Txt", ("HN", "ABCD", "NUO001")),
    ("/NUO001/2026/01/01/HN_ABCD_NUO001_20260101120000.txt", ("HN", "ABCD", "NUO001")),
    ("C:\\logger\\out\\HN_ABCD_NUO001_20260101120000.txt", ("HN", "ABCD", "NUO001")),
    ("../../HN_ABCD_NUO001_20260101120000.txt", ("HN", "ABCD", "NUO001")),
    ("hn_Abcd-2_nuo-001_20260101120000.txt", ("hn", "Abcd-2", "nuo-001")),
])
def test_it_reads_a_file_name(name, parts):
    parsed = parse_filename(name)
    assert isinstance(parsed, FileName)
    assert (parsed.province, parsed.facility, parsed.station) == parts
    assert (parsed.province_code, parsed.facility_code, parsed.station_code) == tuple(
        p.upper() for p in parts)
    assert parsed.name == name.replace("\\", "/").rsplit("/", 1)[-1]
    assert parsed.local_time == NOON and parsed.local_time.tzinfo is None
    assert parsed.utc_time == datetime.datetime(2026, 1, 1, 5, 0, tzinfo=UTC)
    assert parsed.prefix == "_".join(parts) + "_"


@pytest.mark.parametrize("name, code", [
    ("", "bad_name"),
    ("uploads/", "bad_name"),
    ("HN_ABCD_20260101120000.txt", "wrong_part_count"),
    ("HN_ABCD_NUO001_X_20260101120000.txt", "wrong_part_count"),
    ("KCNDiemThuy20170228145700.txt", "wrong_part_count"),  # the pre-2017 pattern, note §1.2
    ("HN_ABCD_NUO001_20261301120000.txt", "bad_time"),
    ("HN_ABCD_NUO001_2026010112000.txt", "bad_time"),
    ("HN_ABCD_NUO001_20260230120000.txt", "bad_time"),
    ("HN_ABCD_NUO001_20260101240000.txt", "bad_time"),
    ("HN_ABCD_NUO001_２０２６０１０１１２００００.txt", "bad_time"),
    ("HN_ABCD_NUO001_20260101120000.csv", "bad_extension"),
    ("HN_ABCD_NUO001_20260101120000", "bad_extension"),
    ("HN_ABCD_NUO001_20260101120000.txt.exe", "bad_extension"),
    ("HN_ABCD_NUO001_20260101120000.txt ", "bad_extension"),
    ("../../etc/passwd", "bad_extension"),
    ("..", "bad_extension"),
    ("HN_AB CD_NUO001_20260101120000.txt", "bad_code"),
    (" HN_ABCD_NUO001_20260101120000.txt", "bad_code"),
    ("HN_ĐồngNai_NUO001_20260101120000.txt", "bad_code"),
    ("HN__NUO001_20260101120000.txt", "bad_code"),
    ("HN_ABC.D_NUO001_20260101120000.txt", "bad_code"),
    ("HN_ABCD_NUO\x00001_20260101120000.txt", "bad_code"),
    ("A" * 300 + ".txt", "name_too_long"),
])
def test_it_rejects_a_bad_file_name(name, code):
    with pytest.raises(TT10Error) as caught:
        parse_filename(name)
    assert caught.value.code == code
    assert caught.value.code in tt10.NAME_REASONS
    assert str(caught.value) == caught.value.message


def test_it_refuses_a_file_name_that_is_not_text():
    with pytest.raises(TT10Error):
        parse_filename(b"HN_ABCD_NUO001_20260101120000.txt")


@given(st.text(max_size=300))
def test_it_never_raises_anything_else_on_file_names(name):
    try:
        parse_filename(name)
    except TT10Error:
        pass


# --- writing -----------------------------------------------------------------------------


def test_it_writes_the_canonical_layout():
    content = format_file([
        Reading.of("COD", 45.2, "mg/L", NOON),
        Reading.of("PM2,5", 1e-05, "µg/m3", NOON, status=1),
        Reading.of("Flow", None, "m3/h", NOON, status=2),
    ])
    assert content == ("COD\t45.2\tmg/L\t20260101120000\t00\n"
                       "PM2,5\t1e-05\tµg/m3\t20260101120000\t01\n"
                       "Flow\t\tm3/h\t20260101120000\t02\n").encode()


def test_it_writes_a_file_name():
    name = format_filename("HN", "ABCD", "NUO001", NOON)
    assert name == "HN_ABCD_NUO001_20260101120000.txt"
    assert parse_filename(name).local_time == NOON
    # An aware time is written in Viet Nam time.
    aware = datetime.datetime(2026, 1, 1, 5, 0, tzinfo=UTC)
    assert format_filename("HN", "ABCD", "NUO001", aware) == name
    assert format_prefix("HN", "ABCD", "NUO001") == "HN_ABCD_NUO001_"
    assert format_filename("a", "b", "c", datetime.datetime(999, 1, 2, 3, 4, 5)) == \
        "a_b_c_09990102030405.txt"


@pytest.mark.parametrize("args", [
    ("H_N", "ABCD", "NUO001", NOON),
    ("HN", "", "NUO001", NOON),
    ("HN", "ABCD", "Trạm1", NOON),
    ("HN", "ABCD", "NUO001", NOON.replace(microsecond=1)),
    ("HN", "ABCD", "NUO001", "20260101120000"),
])
def test_it_refuses_to_write_a_bad_file_name(args):
    with pytest.raises(TT10Error):
        format_filename(*args)


@pytest.mark.parametrize("reading", [
    Reading.of("CO\tD", 1.0, "mg/L", NOON),
    Reading.of("", 1.0, "mg/L", NOON),
    Reading.of(" COD", 1.0, "mg/L", NOON),
    Reading.of("COD", 1.0, "mg/L\n", NOON),
    Reading.of("COD", 1.0, "mg/L\x00", NOON),
    Reading.of("COD", None, "mg/L", NOON, status=0),
    Reading.of("COD", float("nan"), "mg/L", NOON),
    Reading.of("COD", float("inf"), "mg/L", NOON),
    Reading.of("COD", "abc", "mg/L", NOON),
    Reading.of("COD", 1.0, "mg/L", NOON, status=3),
    Reading.of("COD", 1.0, "mg/L", NOON, status=True),
    Reading.of("COD", 1.0, "mg/L", NOON.replace(microsecond=5)),
])
def test_it_refuses_to_write_what_it_could_not_read_back(reading):
    with pytest.raises(TT10Error):
        format_file([reading])


SYMBOL_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1,
    max_size=12,
).filter(lambda s: s == s.strip() and s.strip() and not set(s) & {"\ufeff", "\ufffe", "\uffff"})
UNIT_TEXT = st.one_of(st.just(""), SYMBOL_TEXT)
LOCAL_TIMES = st.datetimes(min_value=datetime.datetime(1990, 1, 1),
                           max_value=datetime.datetime(2100, 1, 1)).map(
    lambda t: t.replace(microsecond=0))


@st.composite
def readings(draw):
    rows = draw(st.lists(st.tuples(SYMBOL_TEXT, st.floats(allow_nan=False, allow_infinity=False),
                                   UNIT_TEXT, LOCAL_TIMES, st.sampled_from([0, 1, 2]),
                                   st.booleans()), max_size=20))
    out, keys = [], set()
    for symbol, value, unit, local, status, missing in rows:
        if (symbol.casefold(), local) in keys:
            continue
        keys.add((symbol.casefold(), local))
        if missing:
            value, status = None, 2
        out.append(Reading.of(symbol, value, unit, local, status))
    return out


@given(readings())
def test_written_files_read_back_the_same(rows):
    parsed = parse(format_file(rows))
    if not rows:
        assert [e.code for e in parsed.file_errors] == ["empty_file"]
        return
    assert parsed.ok and parsed.line_errors == () and parsed.blank_lines == 0
    assert [(r.symbol, r.value, r.unit, r.local_time, r.utc_time, r.status)
            for r in parsed.readings] == [
        (r.symbol, r.value, r.unit, r.local_time, r.utc_time, r.status) for r in rows]
    assert [r.line_number for r in parsed.readings] == list(range(1, len(rows) + 1))


@given(st.from_regex(r"[A-Za-z0-9-]{1,8}", fullmatch=True),
       st.from_regex(r"[A-Za-z0-9-]{1,8}", fullmatch=True),
       st.from_regex(r"[A-Za-z0-9-]{1,8}", fullmatch=True), LOCAL_TIMES)
def test_written_file_names_read_back_the_same(province, facility, station, local):
    parsed = parse_filename(format_filename(province, facility, station, local))
    assert (parsed.province, parsed.facility, parsed.station, parsed.local_time) == (
        province, facility, station, local)


# --- the fast path agrees with reading line by line ---------------------------------------

def line_by_line(content, *, max_line_length=4096, max_lines=10_000):
    """What `parse` gives without its fast path."""
    return tt10._read_line_by_line(content, max_line_length, max_lines)


PLAIN_VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda v: f"{v:.2f}"),
    st.from_regex(r"[+-]?[0-9]{0,4}[.]?[0-9]{0,4}([eE][+-]?[0-9]{1,4})?", fullmatch=True),
    st.sampled_from(["", "nan", "-inf", "Infinity", "1_000", "1e999", "-1e-999", "1,5", ".",
                     "+.5", "5.", "0x10", "1e", "١٢", "12 ", " 12", "1.2.3", "--1"]),
)
PLAIN_FIELD = st.one_of(st.sampled_from(["PM2,5", "PM10", "pm10", "SO2", "CO", "ug/m3", "",
                                         " ", "pH ", "Temp"]),
                        st.text(alphabet=st.characters(max_codepoint=0x7f), max_size=6))
PLAIN_TIMES = st.one_of(st.sampled_from(["20261001000500", "20261001001000", "20260230120000",
                                         "20261001240000", "2026100100050", " 20261001000500",
                                         "00000101000000", "00010101000000"]),
                        st.from_regex(r"[0-9]{14}", fullmatch=True))
PLAIN_STATUSES = st.sampled_from(["00", "01", "02", "0", "1", "2", "03", "", " 00", "٠٠"])
PLAIN_LINE = st.one_of(
    st.tuples(PLAIN_FIELD, PLAIN_VALUES, PLAIN_FIELD, PLAIN_TIMES, PLAIN_STATUSES).map(
        "\t".join),
    LINE,
)


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PLAIN_LINE, max_size=12),
       st.lists(st.sampled_from(["\n", "\n", "\n", "\r\n", "\r"]), min_size=1),
       st.booleans(), st.booleans(), st.integers(1, 12), st.integers(5, 60))
def test_the_fast_path_reads_every_file_as_parse_does(lines, endings, bom, final_ending,
                                                      max_lines, max_line_length):
    text = "".join(line + endings[i % len(endings)] for i, line in enumerate(lines))
    if lines and not final_ending:
        text = text[: -len(endings[(len(lines) - 1) % len(endings)])]
    content = (b"\xef\xbb\xbf" if bom else b"") + text.encode()
    for limits in ({}, {"max_lines": max_lines, "max_line_length": max_line_length}):
        assert parse(content, **limits) == line_by_line(content, **limits)


def _name_outcome(name):
    try:
        return parse_filename(name)
    except TT10Error as error:
        return error.code


# Mostly valid codes, some not (and some holding what separates parts or directories).
NAME_PARTS = st.one_of(st.text(alphabet="HNab9-", min_size=1, max_size=4),
                       st.text(alphabet="Hb_/\\.é ", max_size=3))
NAME_HEADS = st.one_of(
    st.lists(NAME_PARTS, min_size=3, max_size=3).map(lambda parts: "_".join(parts) + "_"),
    st.lists(NAME_PARTS, min_size=1, max_size=5).map("_".join), st.text(max_size=12))


@settings(max_examples=300)
@given(NAME_HEADS)
def test_a_name_reads_the_same_once_its_head_is_known(head):
    # `parse_filename` remembers the heads it found valid and then reads only the time; a
    # name read that way is read exactly as on the long way, whatever the rest of it holds.
    for stamp in ("20260101120000", "20260230120000", "2026010112000_", "202601011200",
                  "20260101240000", "x"):
        for extension in (".txt", ".TXT", ".txt ", ".csv", ""):
            name = head + stamp + extension
            tt10._HEADS.clear()
            cold = _name_outcome(name)
            _name_outcome(head + "20260101120000.txt")  # remembers the head, if valid
            assert _name_outcome(name) == cold


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_the_fast_path_agrees_with_parse_on_arbitrary_bytes(content):
    assert parse(content) == line_by_line(content)


@given(readings())
def test_the_fast_path_reads_written_files_as_parse_does(rows):
    content = format_file(rows)
    assert parse(content) == line_by_line(content)


def test_the_fast_path_gives_the_usual_file_by_column_too():
    content = (GOOD + "\n" + GOOD2 + "\n").encode()
    fast = parse(content)
    assert fast == line_by_line(content)
    assert fast.columns.symbols == ["COD", "TSS"] and fast.columns.values == [45.2, 12.0]
    assert line_by_line(content).columns is None
    assert [type(r) for r in fast.readings] == [Reading, Reading]
    assert fast.readings[0] == (1, "COD", 45.2, "mg/L", NOON, NOON.replace(tzinfo=UTC)
                                - datetime.timedelta(hours=7), 0)


@pytest.mark.parametrize("content", [
    b"COD\tnan\tmg/L\t20260101120000\t00\n", b"COD\t1_000\tmg/L\t20260101120000\t00\n",
    b"COD\t1e999\tmg/L\t20260101120000\t00\n", b"COD\t45,2\tmg/L\t20260101120000\t00\n",
    b"COD\t45.2\tmg/L\t20260101120000\t00\nCOD\t46\tmg/L\t20260101120000\t00\n",
    b"COD\t45.2\tmg/L\t20260101120000\t00\n\nTSS\t12\tmg/L\t20260101120000\t00\n",
    b"COD\t\tmg/L\t20260101120000\t02\n", b" COD\t45.2\tmg/L\t20260101120000\t00\n",
    b"COD\t45.2\tmg/L\t20260101120000\t03\n", b"COD\t45.2\tmg/L\t20260230120000\t00\n",
    b"COD 45.2 mg/L 20260101120000 00\n", b"\xef\xbb\xbfCOD\t45.2\tmg/L\t20260101120000\t00",
    b"COD\t45.2\tmg/L\t20260101120000\t00\x0c\n", b"", b"\n\n", b"COD\t4\x00\n",
    "Temp\t25\tđộ C\t20260101120000\t00\n".encode(), b"COD\t45.2\tmg/L\t20260101120000",
])
def test_the_fast_path_leaves_every_unusual_line_to_parse(content):
    assert parse(content) == line_by_line(content)
    assert parse(content, max_lines=1, max_line_length=20) == line_by_line(
        content, max_lines=1, max_line_length=20)
