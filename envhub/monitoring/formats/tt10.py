"""TT10 monitoring data files: file names, parsing and writing. Pure module (no Django).

The format (docs/domain/tt10.md, "the note" below):

- File name `<Province>_<Facility>_<Station>_<yyyyMMddHHmmss>.txt` (note §1), e.g.
  `HN_ABCD_NUO001_20260101120000.txt`.
- One line per measured parameter, five TAB-separated fields (note §2): symbol (Bảng 34,
  §2), value, unit, time `yyyyMMddHHmmss` in Viet Nam local time (UTC+7, no daylight saving),
  device status `00` measuring / `01` calibrating / `02` device error (§2, "Device status").

The note says the Phụ lục 15 text itself was not read: header line, decimal mark,
encoding and line ending are unsettled. So the parser accepts what real dataloggers send and
says exactly what it accepts; the writer produces the one canonical layout of the reference
implementations (UTF-8 without BOM, LF, TAB, `.` decimal, two-digit status, no header).

Error design (one, coherent): `parse` never raises for anything in the *content*. File-level
problems come back as `FileError`s in `ParsedFile.file_errors` (and then no readings at all);
line problems as `LineError`s while the rest of the file still counts. A batch record can store
both as they are. `TT10Error` is the module's only exception type: `parse_filename` raises it
for an invalid name (a name is valid or not, there is nothing partial to return), the writers
raise it for values that cannot be written, and `parse` raises it only when called with a
non-bytes argument or a nonsense limit. Messages are English; the stable `code`/`reason_code`
strings are what the Django layer translates for users.

Leniency choices of `parse` (each is also named where it is implemented):

- Encoding: UTF-8, with or without a BOM (note §2: UTF-8 in the implementations). Any other
  encoding is a file-level `not_utf8` error naming the first bad byte offset; the parser never
  guesses Windows-1258/CP1252. A UTF-16/UTF-32 BOM gets its own message; dataloggers do not
  send UTF-16, so it is not decoded either.
- A NUL byte anywhere is `binary_content` (a binary file, or UTF-16 without a BOM).
- Line endings: LF, CRLF and lone CR, mixed freely. A final line ending is optional. No other
  character (VT, FF, NEL, U+2028) ends a line.
- Blank lines (empty or only white space, anywhere, including trailing ones) are skipped and
  counted in `blank_lines`; they are not errors. A file with no non-blank line is `empty_file`.
- Fields are separated by TAB; white space around each field is removed ("surrounding spaces").
  A line with no TAB at all whose white-space-separated tokens are exactly five is accepted too
  (some loggers pad with spaces); such a line cannot carry an empty value or unit, or a unit
  with a space (`độ C`), so those stay `wrong_field_count`. A trailing TAB makes a sixth field
  and is an error: nothing in the note shows loggers writing one.
- Value: optional sign, digits with one decimal point or one decimal comma (`45,2` is 45.2),
  optional exponent (`1.2E+03`). Only ASCII digits. NaN, infinity, overflow to infinity,
  thousands separators and any value with both `.` and `,` (`1,234.5`) are `bad_value`. A
  single comma is always a decimal comma: `1,234` is 1.234. Negative values are read (the
  ingestion service decides what is physically impossible).
- An empty value is allowed only with status `02` (device error), as the reference writer does
  (note §2), and gives `value=None`; otherwise it is `empty_value`.
- Status: `00`, `01`, `02`, and the one-digit forms `0`, `1`, `2` (a status written as an
  integer, e.g. by a spreadsheet that dropped the leading zero; unambiguous). Anything else,
  including `03` (an internal "maintenance" code of one project, note §2), is
  `bad_status` "unknown device status".
- Time: exactly 14 ASCII digits forming a real local date and time (no 24:00, no second 60,
  no 30 February; a time in year 1 whose UTC instant falls before year 1 is `bad_time` too).
  Whether the time is plausible (not in the future, not years old) is for the ingestion service.
- Symbol and unit are kept as written, trimmed; a symbol may not be empty, a unit may. `PM2,5`
  is a symbol (note §2, "Parameter symbols"), never split or read as a number.
- A line with a control character (other than TAB) or a stray U+FEFF is `bad_character`
  (a line made only of white-space controls such as FF is blank, as Python's isspace says).
- A line reports its first problem only, checked in the order: length, characters, field
  count, symbol, value, time, status, empty value (which needs the status), duplicate.
- A line longer than `max_line_length` characters is one `line_too_long` error (checked before
  anything else on the line, so a 10 MB line costs one linear pass). More than `max_lines`
  lines (counted up to the last non-blank line) is the file-level `too_many_lines`.
- The same (symbol, time) twice in one file: the first line wins, later ones are
  `duplicate_in_file`. Symbols are compared case-insensitively because the registry maps them
  case-insensitively.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from itertools import repeat
from typing import NamedTuple

VN_TZ = timezone(timedelta(hours=7), "UTC+07:00")
"""Viet Nam local time: UTC+7, a fixed offset (no daylight saving)."""
_VN_OFFSET = timedelta(hours=7)

STATUS_MEASURING = 0
STATUS_CALIBRATING = 1
STATUS_DEVICE_ERROR = 2
STATUS_NAMES = {0: "measuring", 1: "calibrating", 2: "device error"}
# Two-digit codes of note §2 ("Device status"), plus the one-digit forms (see module docstring).
_STATUS_CODES = {"00": 0, "01": 1, "02": 2, "0": 0, "1": 1, "2": 2}

FIELD_COUNT = 5
EXCERPT_LENGTH = 80
MAX_NAME_LENGTH = 255  # a file-system name limit; longer names are not worth reading

# Stable reason codes of `LineError` and `FileError` (the Django layer translates by code).
LINE_REASONS = (
    "wrong_field_count",
    "empty_symbol",
    "bad_value",
    "empty_value",
    "bad_time",
    "bad_status",
    "bad_character",
    "line_too_long",
    "duplicate_in_file",
)
FILE_REASONS = ("empty_file", "not_utf8", "binary_content", "too_many_lines")
NAME_REASONS = ("bad_name", "name_too_long", "bad_extension", "wrong_part_count", "bad_code",
                "bad_time")

_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # also the start of the UTF-32 BOMs
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_MISSING = object()
_BASE_NAME = re.compile(r"[\\/]")  # a leading directory ends at the last of these
_CODE = re.compile(r"[A-Za-z0-9-]+")  # same shape as the registry's tt10_token validator
_TIME14 = re.compile(r"[0-9]{14}")
# ASCII digits only: `float()` alone would also take "nan", "1_000", " 1 " and Arabic digits.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?")
# C0 controls except TAB/LF/CR, DEL, C1 controls, and BOM/non-characters inside the text.
_BAD_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


class TT10Error(Exception):
    """The one exception type of this module. `code` is a stable snake_case string."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class Reading(NamedTuple):
    """One value read from one line. `local_time` is naive Viet Nam time as written;
    `utc_time` is the same instant, aware, in UTC. `value` is None only with status 2."""

    line_number: int
    symbol: str
    value: float | None
    unit: str
    local_time: datetime
    utc_time: datetime
    status: int

    @classmethod
    def of(cls, symbol: str, value: float | None, unit: str, local_time: datetime,
           status: int = STATUS_MEASURING, line_number: int = 0) -> Reading:
        """A reading built by code (the demo generator, tests) rather than read from a file."""
        local = _as_local(local_time)
        return cls(line_number, symbol, value, unit, local, _to_utc(local), status)


class LineError(NamedTuple):
    """A line that could not be read. `line_number` is 1-based; `raw_excerpt` is the start of
    the line as received (at most `EXCERPT_LENGTH` characters, then "…")."""

    line_number: int
    reason_code: str
    message: str
    raw_excerpt: str


class FileError(NamedTuple):
    """A problem with the file as a whole; `offset` is a byte offset when one is known."""

    code: str
    message: str
    offset: int | None = None


class Columns(NamedTuple):
    """The usual file read by column: every line plain (see `_read_plain`) and at one time, each
    with a symbol of its own (compared without case). Line n is the nth of each column."""

    symbols: list[str]
    values: list[float]
    units: list[str]
    local_time: datetime
    utc_time: datetime
    statuses: list[int]

    def readings(self) -> tuple[Reading, ...]:
        count = len(self.symbols)
        return tuple(map(Reading._make, zip(
            range(1, count + 1), self.symbols, self.values, self.units,
            repeat(self.local_time, count), repeat(self.utc_time, count), self.statuses,
            strict=True)))


class ParsedFile:
    """What `parse` made of one file.

    Every physical line ends up in exactly one of `readings`, `line_errors` or `blank_lines`,
    so `len(readings) + len(line_errors) + blank_lines == line_count` whenever `ok`. With a file
    error there are no readings and no line errors. The usual file (every line plain and at one
    time) comes by column too, as `columns`, for whoever checks its values a column at a time;
    its `readings` are then made only when asked for.
    """

    __slots__ = ("_readings", "line_errors", "file_errors", "line_count", "blank_lines",
                 "had_bom", "columns")

    def __init__(self, readings: tuple[Reading, ...] | None = (),
                 line_errors: tuple[LineError, ...] = (), file_errors: tuple[FileError, ...] = (),
                 line_count: int = 0, blank_lines: int = 0, had_bom: bool = False, *,
                 columns: Columns | None = None) -> None:
        self._readings = readings
        self.line_errors = line_errors
        self.file_errors = file_errors
        self.line_count = line_count
        self.blank_lines = blank_lines
        self.had_bom = had_bom
        self.columns = columns

    @property
    def readings(self) -> tuple[Reading, ...]:
        if self._readings is None:
            self._readings = self.columns.readings()
        return self._readings

    @property
    def ok(self) -> bool:
        """True when the file as a whole could be read (some lines may still be errors)."""
        return not self.file_errors

    def _compared(self) -> tuple:
        return (self.readings, self.line_errors, self.file_errors, self.line_count,
                self.blank_lines, self.had_bom)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ParsedFile):
            return NotImplemented
        return self._compared() == other._compared()

    __hash__ = None

    def __repr__(self) -> str:
        return (f"ParsedFile(readings={self.readings!r}, line_errors={self.line_errors!r}, "
                f"file_errors={self.file_errors!r}, line_count={self.line_count}, "
                f"blank_lines={self.blank_lines}, had_bom={self.had_bom})")


class FileName(NamedTuple):
    """A parsed TT10 file name. The codes are kept as written (`province`, `facility`,
    `station`) and upper-cased for matching (`province_code`, ...), since loggers are not
    consistent about case. (A named tuple: one is made for every file received.)"""

    name: str  # the base name, without any directory
    province: str
    facility: str
    station: str
    local_time: datetime  # naive Viet Nam time, as written
    utc_time: datetime  # aware UTC

    @property
    def province_code(self) -> str:
        return self.province.upper()

    @property
    def facility_code(self) -> str:
        return self.facility.upper()

    @property
    def station_code(self) -> str:
        return self.station.upper()

    @property
    def prefix(self) -> str:
        """`<Province>_<Facility>_<Station>_` as written (the station's `tt10_prefix`)."""
        return f"{self.province}_{self.facility}_{self.station}_"


# --- time ---------------------------------------------------------------------------------


def _parse_time14(text: str) -> tuple[datetime, datetime] | None:
    """(naive local, aware UTC) for a 14-digit `yyyyMMddHHmmss`, or None if it is not one."""
    # The hour test: newer Pythons' fromisoformat reads 24:00 as the next midnight.
    if not _TIME14.fullmatch(text) or text[8:10] > "23":
        return None
    try:
        # ISO 8601 basic format, parsed in C; it checks the calendar (no 30 February).
        local = datetime.fromisoformat(f"{text[:8]}T{text[8:]}")
        return local, _to_utc(local)
    except (ValueError, OverflowError):  # 30 February, second 60, or year 1 minus 7 hours
        return None


# Times as written, shared by every file read in this process: the files of one upload or one
# folder carry the same few times, so each is parsed once, and the readings of many files share
# one datetime object (cheaper to keep and to send to another process). Bounded: times come from
# outside.
_TIME_CACHE: dict[str, tuple[datetime, datetime] | None] = {}
_TIME_CACHE_SIZE = 4096


def _time14(text: str) -> tuple[datetime, datetime] | None:
    """`_parse_time14` through the process-wide cache."""
    found = _TIME_CACHE.get(text, _MISSING)
    if found is _MISSING:
        found = _parse_time14(text)
        if len(_TIME_CACHE) >= _TIME_CACHE_SIZE:
            _TIME_CACHE.clear()
        _TIME_CACHE[text] = found
    return found


def _to_utc(local: datetime) -> datetime:
    # Fixed offset: subtracting is exact and much cheaper than astimezone().
    return (local - _VN_OFFSET).replace(tzinfo=timezone.utc)


def _as_local(moment: datetime) -> datetime:
    """Naive Viet Nam time for a naive (taken as local) or aware datetime."""
    if not isinstance(moment, datetime):
        raise TT10Error("bad_time", f"expected a datetime, got {type(moment).__name__}")
    if moment.tzinfo is not None:
        moment = moment.astimezone(VN_TZ).replace(tzinfo=None)
    return moment


def _format_time14(moment: datetime) -> str:
    local = _as_local(moment)
    if local.microsecond:
        raise TT10Error("bad_time", f"{local.isoformat()} has a fraction of a second; TT10 "
                                    "times are whole seconds")
    # Explicit padding: strftime("%Y") does not zero-pad years before 1000 on every platform.
    return (f"{local.year:04d}{local.month:02d}{local.day:02d}"
            f"{local.hour:02d}{local.minute:02d}{local.second:02d}")


# --- file names ---------------------------------------------------------------------------


def parse_filename(name: str) -> FileName:
    """Read `<Province>_<Facility>_<Station>_<yyyyMMddHHmmss>.txt` (note §1).

    A leading directory (`/` or `\\`) is dropped: receivers take the station from the name, not
    the path (note §3). The extension is `.txt` in any case. Each code is ASCII letters,
    digits and `-` (no `_`, which separates the parts; no spaces, no diacritics). The time must
    be a real local time; whether it is the file's creation time or its measurement time is not
    settled (note §1), so nothing here depends on it. Anything else, including
    path-traversal-looking input such as `../../etc/passwd` (its base name is `passwd`), is
    simply an invalid name: `TT10Error` with one of `NAME_REASONS` as its code. The older
    pattern without separators (note §1) is not accepted. Surrounding white space is not
    trimmed: it makes the name invalid.
    """
    if type(name) is str and name.endswith(".txt") and len(name) <= MAX_NAME_LENGTH:
        codes = _HEADS.get(name[:-_STAMP_LENGTH])
        if codes is not None:  # a station's name as before, with another time
            times = _time14(name[-_STAMP_LENGTH:-4])
            if times is not None:
                return FileName(name, *codes, *times)
    if not isinstance(name, str):
        raise TT10Error("bad_name", f"a file name must be text, got {type(name).__name__}")
    base = _BASE_NAME.split(name)[-1] if "/" in name or "\\" in name else name
    if not base:
        raise TT10Error("bad_name", "the file name is empty")
    if len(base) > MAX_NAME_LENGTH:
        raise TT10Error("name_too_long",
                        f"the file name has {len(base)} characters (at most {MAX_NAME_LENGTH})")
    stem, dot, extension = base.rpartition(".")
    if not dot or not extension.isascii() or extension.lower() != "txt":
        raise TT10Error("bad_extension", f"{_excerpt(base)!r}: a TT10 file name ends in .txt")
    parts = stem.split("_")
    if len(parts) != 4:
        raise TT10Error(
            "wrong_part_count",
            f"{_excerpt(base)!r}: expected 4 parts joined by '_' "
            f"(Province_Facility_Station_yyyyMMddHHmmss.txt), found {len(parts)}",
        )
    for label, part in zip(("province", "facility", "station"), parts, strict=False):
        if not _CODE.fullmatch(part):
            raise TT10Error("bad_code", f"{_excerpt(base)!r}: the {label} code "
                                        f"{_excerpt(part)!r} may hold only ASCII letters, "
                                        "digits and '-'")
    times = _time14(parts[3])  # the files of an upload share their few times
    if times is None:
        raise TT10Error("bad_time", f"{_excerpt(base)!r}: {_excerpt(parts[3])!r} is not a real "
                                    "time yyyyMMddHHmmss")
    if base is name and extension == "txt":
        if len(_HEADS) >= _HEADS_SIZE:
            _HEADS.clear()
        _HEADS[name[:-_STAMP_LENGTH]] = (parts[0], parts[1], parts[2])
    return FileName(base, parts[0], parts[1], parts[2], times[0], times[1])


# Name heads `<Province>_<Facility>_<Station>_` found valid, with their codes: a station's
# files differ by their time only, and checking the rest again cost more than the rest of the
# file's name. Bounded: names come from outside.
_HEADS: dict[str, tuple[str, str, str]] = {}
_HEADS_SIZE = 4096
_STAMP_LENGTH = len("yyyyMMddHHmmss.txt")


def format_prefix(province: str, facility: str, station: str) -> str:
    """`<Province>_<Facility>_<Station>_`, the prefix a station's datalogger must use."""
    for label, part in (("province", province), ("facility", facility), ("station", station)):
        if not isinstance(part, str) or not _CODE.fullmatch(part):
            raise TT10Error("bad_code", f"the {label} code {part!r} may hold only ASCII "
                                        "letters, digits and '-'")
    return f"{province}_{facility}_{station}_"


def format_filename(province: str, facility: str, station: str, local_time: datetime) -> str:
    """The canonical file name. `local_time` is naive Viet Nam time, or aware (converted);
    it must be a whole second."""
    return f"{format_prefix(province, facility, station)}{_format_time14(local_time)}.txt"


# --- parsing ------------------------------------------------------------------------------


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT_LENGTH else text[:EXCERPT_LENGTH] + "…"


def _bad_value_message(text: str) -> str:
    if "," in text and "." in text or text.count(",") > 1 or text.count(".") > 1:
        return (f"value {_excerpt(text)!r} is ambiguous: use one decimal mark and no "
                "thousands separators")
    if _NUMBER.fullmatch(text):  # matched the shape, so float() overflowed to infinity
        return f"value {_excerpt(text)!r} is too large"
    lowered = text.strip("+-").lower()
    if lowered in ("nan", "inf", "infinity"):
        return f"value {_excerpt(text)!r} is not a finite number"
    return f"value {_excerpt(text)!r} is not a number"


def parse(content: bytes, *, max_line_length: int = 4096, max_lines: int = 10_000) -> ParsedFile:
    """Read a TT10 file's bytes; see the module docstring for every leniency choice.

    Never raises for any content; raises `TT10Error` only for a non-bytes `content` or a limit
    that is not a positive integer. `max_line_length` counts characters (without the line
    ending); `max_lines` counts lines up to the last non-blank one.

    The files dataloggers usually send are read by a fast path (`_read_plain`) that gives the
    same result; anything unusual, however small, is read line by line (`_read_line_by_line`),
    so every leniency and every message is that reader's.
    """
    return _read_plain(content, max_line_length, max_lines) or _read_line_by_line(
        content, max_line_length, max_lines)


def _read_line_by_line(content: bytes, max_line_length: int, max_lines: int) -> ParsedFile:
    if isinstance(content, (bytearray, memoryview)):
        content = bytes(content)
    if not isinstance(content, bytes):
        raise TT10Error("bad_argument", f"content must be bytes, got {type(content).__name__}")
    for label, limit in (("max_line_length", max_line_length), ("max_lines", max_lines)):
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise TT10Error("bad_argument", f"{label} must be a positive integer")

    text = _decoded(content)
    if type(text) is ParsedFile:
        return text
    had_bom = content.startswith(_BOM)

    def fail(code: str, message: str) -> ParsedFile:
        return ParsedFile(file_errors=(FileError(code, message),), had_bom=had_bom)

    # One line ending from here on; each CRLF or CR becomes one LF, so line numbers do not
    # change, and plain str methods (C speed, linear) replace a regular expression.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    stripped = text.rstrip()
    if not stripped:
        return fail("empty_file", "the file holds no data lines" if text else "the file is empty")

    # Physical lines: every line ending ends one; a final unterminated piece is one more.
    line_count = text.count("\n") + (0 if text.endswith("\n") else 1)
    # Only lines up to the last non-blank one are split (and limited); what follows is blank.
    after = text.find("\n", len(stripped))
    body = text[:after] if after >= 0 else text
    body_lines = body.count("\n") + 1
    if body_lines > max_lines:
        return fail("too_many_lines", f"the file has {body_lines} lines, more than the "
                                      f"{max_lines} allowed")
    blank = line_count - body_lines  # the trailing blank lines
    # Control characters are rare: one quick look at the file spares a search on every line
    # (bytes.translate runs at C speed; the regular expression only if there is non-ASCII text).
    raw = content[len(_BOM):] if had_bom else content
    check_characters = len(raw.translate(None, _CONTROL_BYTES)) != len(raw) or (
        not raw.isascii() and _BAD_CHARACTER.search(body) is not None)

    line_reader = _LineReader(max_line_length, check_characters)
    readings: list[Reading] = []
    errors: list[LineError] = []
    for number, line in enumerate(body.split("\n"), 1):
        outcome = line_reader.read(number, line)
        if outcome is None:
            blank += 1
        elif type(outcome) is Reading:
            readings.append(outcome)
        else:
            errors.append(outcome)
    return ParsedFile(tuple(readings), tuple(errors), (), line_count, blank, had_bom)


def _decoded(content: bytes) -> str | ParsedFile:
    """The file's text without a BOM, or the `ParsedFile` of a file that is not UTF-8 text."""
    had_bom = content.startswith(_BOM)
    start = len(_BOM) if had_bom else 0

    def fail(code: str, message: str, offset: int) -> ParsedFile:
        return ParsedFile(file_errors=(FileError(code, message, offset),), had_bom=had_bom)

    if content.startswith(_UTF16_BOMS):
        return fail("not_utf8", "the file is UTF-16 or UTF-32 (it starts with that byte-order "
                                "mark); TT10 files must be UTF-8", 0)
    nul = content.find(b"\x00", start)
    if nul >= 0:
        return fail("binary_content", f"the file contains a NUL byte at offset {nul}: it is "
                                      "binary, or UTF-16 text, not a UTF-8 text file", nul)
    try:
        return content[start:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = start + exc.start
        return fail("not_utf8", f"the file is not valid UTF-8: byte 0x{content[offset]:02X} at "
                                f"offset {offset} (save the file as UTF-8, not Windows-1258 or "
                                "another code page)", offset)


class _LineReader:
    """Reads the lines of one file: what it remembers between lines is the times already read
    (many lines share one) and the (symbol, time) pairs seen (a repeat is an error)."""

    def __init__(self, max_line_length: int, check_characters: bool) -> None:
        self.max_line_length = max_line_length
        self.check_characters = check_characters
        self.times: dict[str, tuple[datetime, datetime] | None] = {}
        self.seen: dict[tuple[str, str], int] = {}

    def read(self, number: int, line: str) -> Reading | LineError | None:
        """The line's reading, or its first problem (in the order of the module docstring),
        or None for a blank line."""
        if len(line) > self.max_line_length:
            return LineError(number, "line_too_long", f"the line has {len(line)} characters, "
                             f"more than the {self.max_line_length} allowed", _excerpt(line))
        if not line or line.isspace():
            return None

        def error(code: str, message: str) -> LineError:
            return LineError(number, code, message, _excerpt(line))

        if self.check_characters and _BAD_CHARACTER.search(line):
            return error("bad_character", "the line contains a control character")
        fields = line.split("\t")
        if len(fields) != FIELD_COUNT:
            # No TAB at all: accept exactly five white-space-separated tokens (some loggers).
            tokens = line.split() if len(fields) == 1 else ()
            if len(tokens) != FIELD_COUNT:
                return error("wrong_field_count", f"expected {FIELD_COUNT} TAB-separated "
                                                  f"fields, found {len(fields)}")
            fields = tokens
        symbol, value_text, unit, time_text, status_text = (part.strip() for part in fields)
        if not symbol:
            return error("empty_symbol", "the parameter symbol is empty")
        value = _number(value_text)
        if value is _MISSING:
            return error("bad_value", _bad_value_message(value_text))
        moment = self.times.get(time_text, _MISSING)
        if moment is _MISSING:
            moment = self.times[time_text] = _time14(time_text)
        if moment is None:
            return error("bad_time", f"time {_excerpt(time_text)!r} is not a real time "
                                     "yyyyMMddHHmmss")
        status = _STATUS_CODES.get(status_text)
        if status is None:
            return error("bad_status", f"unknown device status {_excerpt(status_text)!r} "
                                       "(expected 00, 01 or 02)")
        if value is None and status != STATUS_DEVICE_ERROR:
            return error("empty_value", "the value is empty; an empty value is allowed only "
                                        "with status 02 (device error)")
        first = self.seen.setdefault((symbol.casefold(), time_text), number)
        if first != number:
            return error("duplicate_in_file", f"{symbol} at {time_text} already came on line "
                                              f"{first}; the first value is kept")
        return Reading(number, symbol, value, unit, moment[0], moment[1], status)


def _number(text: str) -> float | None | object:
    """The value of a value field: None when it is empty, `_MISSING` when it is not a finite
    number in the accepted shape."""
    if not text:
        return None
    if _NUMBER.fullmatch(text):
        value = float(text.replace(",", "."))
        if math.isfinite(value):
            return value
    return _MISSING


# --- the fast path ----------------------------------------------------------------------------

# The bytes of plain lines: ASCII text without control characters (TAB, LF and CR aside), so
# that nothing in it needs the general checks.
_PLAIN_BYTES = _CONTROL_BYTES + bytes(range(0x80, 0x100))
# The status codes as they end every line but the last (see `_read_plain`).
_STATUS_ENDING_LINE = {f"{code}\n": status for code, status in _STATUS_CODES.items()}


def _read_plain(content, max_line_length, max_lines) -> ParsedFile | None:
    """The file, when every line is plain: ASCII, five TAB-separated fields without
    surrounding white space, a value with `.` (or none) as decimal mark, a known time and
    status, no blank or repeated line. None otherwise, for `_read_line_by_line` to read.

    The file is read a column at a time (symbols, values, ...), each column by one call that
    loops in C, rather than line by line: most of the cost of a line is Python's own. The
    usual file, every line at one time, keeps its columns (`ParsedFile.columns`)."""
    fields = _plain_fields(content, max_line_length, max_lines)
    if fields is None:
        return None
    count = len(fields) // FIELD_COUNT
    symbols, value_texts, units, times = fields[0::5], fields[1::5], fields[2::5], fields[3::5]
    statuses = list(map(_STATUS_ENDING_LINE.get, fields[4:-1:5]))
    statuses.append(_STATUS_CODES.get(fields[-1]))
    if None in statuses or "" in symbols:
        return None
    values = _plain_values(value_texts)
    if values is None:
        return None
    if times.count(times[0]) == count:  # the usual file: every line at one time
        moment = _time14(times[0])
        # A symbol repeated (ASCII: lower() is casefold()) is for the line reader to report.
        if moment is None or len(set(map(str.lower, symbols))) != count:
            return None
        columns = Columns(symbols, values, units, *moment, statuses)
        return ParsedFile(None, (), (), count, 0, False, columns=columns)
    moments = {time_text: _time14(time_text) for time_text in set(times)}
    if None in moments.values() or \
            len(set(zip(map(str.lower, symbols), times, strict=True))) != count:
        return None
    at = [moments[time_text] for time_text in times]
    readings = tuple(map(Reading._make, zip(
        range(1, count + 1), symbols, values, units, [pair[0] for pair in at],
        [pair[1] for pair in at], statuses, strict=True)))
    return ParsedFile(readings, (), (), count, 0, False)


def _plain_fields(content, max_line_length, max_lines) -> list[str] | None:
    """The fields of a file of plain lines, five a line, each line's ending kept on its last
    field but the file's last; None when the file's text or shape is not plain."""
    if type(content) is not bytes or content.startswith(_BOM) or \
            len(content.translate(None, _PLAIN_BYTES)) != len(content):
        return None
    if type(max_line_length) is not int or type(max_lines) is not int or \
            max_line_length < 1 or max_lines < 1:
        return None
    text = content.decode("ascii")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]  # the final line ending
    count = text.count("\n") + 1
    if not text or count > max_lines:
        return None
    if len(text) > max_line_length and max(map(len, text.split("\n"))) > max_line_length:
        return None
    # No white space around a field (the only white space left in plain ASCII is the space).
    if " " in text and (" \t" in text or "\t " in text or " \n" in text or "\n " in text
                        or text[0] == " " or text[-1] == " "):
        return None
    # With five fields on every line, the line endings are exactly on every fifth field but
    # the last, where the status lookup expects them; a blank line, or a line with more or
    # fewer fields, puts one elsewhere.
    fields = text.replace("\n", "\n\t").split("\t")
    return fields if len(fields) == count * FIELD_COUNT else None


def _plain_values(value_texts: list[str]) -> list[float] | None:
    """The values of a column, when each is a finite number written with `.` (or none) as
    decimal mark; None otherwise."""
    # `float` reads what `_NUMBER` accepts; with no comma, no `_` and ASCII only, the one thing
    # more it reads is nan and infinity (or an overflow to it): then the sum is not finite.
    if "" in value_texts:
        return None
    joined = "\t".join(value_texts)
    if "," in joined or "_" in joined:
        return None
    try:
        values = list(map(float, value_texts))
    except ValueError:
        return None
    # May also refuse a huge finite pair: the line reader then says.
    return values if math.isfinite(sum(values)) else None


# --- writing ------------------------------------------------------------------------------


def _check_field(text: object, label: str, *, allow_empty: bool) -> str:
    if not isinstance(text, str):
        raise TT10Error("bad_field", f"the {label} must be text, got {type(text).__name__}")
    if not text and not allow_empty:
        raise TT10Error("bad_field", f"the {label} is empty")
    if text != text.strip() or "\t" in text or _LINE_BREAK.search(text) or \
            _BAD_CHARACTER.search(text):
        raise TT10Error("bad_field", f"the {label} {text!r} has surrounding white space, a TAB, "
                                     "a line break or a control character")
    return text


def format_line(reading: Reading) -> str:
    """One canonical line, without its line ending. `reading` is anything with `symbol`,
    `value`, `unit`, `local_time` and `status` attributes."""
    symbol = _check_field(reading.symbol, "symbol", allow_empty=False)
    unit = _check_field(reading.unit if reading.unit is not None else "", "unit",
                        allow_empty=True)
    status = reading.status
    if isinstance(status, bool) or status not in STATUS_NAMES:
        raise TT10Error("bad_status", f"unknown device status {status!r} (expected 0, 1 or 2)")
    if reading.value is None:
        if status != STATUS_DEVICE_ERROR:
            raise TT10Error("empty_value", "an empty value needs status 2 (device error)")
        value = ""
    else:
        try:
            number = float(reading.value)
        except (TypeError, ValueError):
            raise TT10Error("bad_value", f"value {reading.value!r} is not a number") from None
        if not math.isfinite(number):
            raise TT10Error("bad_value", f"value {number!r} is not a finite number")
        value = repr(number)  # shortest text that reads back as the same float
    return f"{symbol}\t{value}\t{unit}\t{_format_time14(reading.local_time)}\t{status:02d}"


def format_file(readings: Iterable[Reading]) -> bytes:
    """The canonical file: UTF-8 without BOM, LF after every line, TAB-separated, `.` decimal,
    two-digit status, no header, so that `parse(format_file(x))` gives `x` back. No readings
    give an empty file (which `parse` reports as `empty_file`)."""
    return "".join(format_line(reading) + "\n" for reading in readings).encode("utf-8")
