"""The cells of a survey upload read as typed values, and checked against a field's
constraints: one checker per field, compiled once, called for every cell of its column.

How cells are read (docs/domain/survey-formats.md):

- Text is trimmed and put in Unicode NFC (a Windows-1258 file writes tone marks as combining
  characters); a cell holding only white space is empty.
- Numbers: a decimal comma is read as Vietnamese spreadsheets write it (`12,5`); with both
  marks the last one is the decimal mark (`1.234,5`, `1,234.5`); thousands groups of three
  separated by the other mark, or by spaces, are allowed. NaN and infinities are not numbers.
- Dates: `dd/mm/yyyy` (also with `-` or `.`, and one-digit day or month) and ISO `yyyy-mm-dd`
  as text; a date cell of the workbook; an Excel serial number (days since 1899-12-30, as
  Excel counts them since its 1900 leap-year bug) when the cell lost its date format.
  `mm/dd/yyyy` is never guessed: 03/04/2026 is the 3rd of April.
- Times: `H:MM` or `H:MM:SS`, a time cell, or a fraction of a day (Excel's time serial).
- Booleans: the field's `trueValues`/`falseValues` (with Vietnamese `có`/`không` by default).

A bad cell raises `CellError(code, params)`; the codes are worded in `surveys/messages.py`.

Pure module (no Django).
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from collections.abc import Callable

from envhub.surveys.patterns import compile_pattern
from envhub.surveys.tableschema import Field

EXCEL_EPOCH = datetime.datetime(1899, 12, 30)
# Excel's largest date serial (31/12/9999); its first real day is 1 (01/01/1900).
EXCEL_MAX_SERIAL = 2_958_465

_DATE_TEXT = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})").fullmatch
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})").fullmatch
_TIME_TEXT = re.compile(r"(\d{1,2})[:hH](\d{2})(?::(\d{2})(?:\.\d+)?)?").fullmatch
_DATETIME_SPLIT = re.compile(r"[ T]+")
_GROUPED_COMMA = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?").fullmatch
_GROUPED_DOT = re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?").fullmatch
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?").fullmatch


class CellError(ValueError):
    """A cell that is not a value of its field; `code` names the rule, `params` its figures."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def text_of(value) -> str | None:
    """A cell as text: trimmed, NFC; None when empty. Whole numbers lose their `.0`."""
    if value is None:
        return None
    if value.__class__ is str:
        value = value.strip()
        if not value:
            return None
        return value if value.isascii() else unicodedata.normalize("NFC", value)
    if value.__class__ is float and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def parse_number(value) -> float:
    if value.__class__ is float or value.__class__ is int:
        number = float(value)
    elif isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise CellError("type_number")
    else:
        text = value.replace(" ", "").replace("\u00a0", "")
        if _PLAIN_NUMBER(text):
            number = float(text.replace(",", "."))
        elif _GROUPED_COMMA(text):
            number = float(text.replace(",", ""))
        elif _GROUPED_DOT(text):
            number = float(text.replace(".", "").replace(",", "."))
        else:
            raise CellError("type_number")
    if not math.isfinite(number):
        raise CellError("type_number")
    return number


def parse_integer(value) -> int:
    if value.__class__ is int:
        return value
    try:
        number = parse_number(value)
    except CellError:
        raise CellError("type_integer") from None
    if not number.is_integer():
        raise CellError("type_integer")
    return int(number)


def _serial_datetime(value) -> datetime.datetime:
    if isinstance(value, bool) or not 1 <= value < EXCEL_MAX_SERIAL + 1:
        raise CellError("type_date")
    return EXCEL_EPOCH + datetime.timedelta(days=float(value))


def parse_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        if value.time() != datetime.time(0):
            raise CellError("type_date")
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)):
        moment = _serial_datetime(value)
        if moment.time() != datetime.time(0):
            raise CellError("type_date")
        return moment.date()
    if not isinstance(value, str):
        raise CellError("type_date")
    text = value.strip()
    try:
        if match := _DATE_TEXT(text):
            return datetime.date(int(match[3]), int(match[2]), int(match[1]))
        if match := _ISO_DATE(text):
            return datetime.date(int(match[1]), int(match[2]), int(match[3]))
        if text.isdigit() and len(text) <= 7:
            return parse_date(int(text))
    except ValueError:  # 31/02/2026, or 03/13/2026 written month first
        raise CellError("type_date", day=text) from None
    raise CellError("type_date")


def parse_time(value) -> datetime.time:
    if isinstance(value, datetime.datetime):
        return value.time()
    if isinstance(value, datetime.time):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 0 <= value < 1:
            raise CellError("type_time")
        seconds = round(value * 86_400)
        return datetime.time(seconds // 3600, seconds // 60 % 60, seconds % 60)
    if isinstance(value, str) and (match := _TIME_TEXT(value.strip())):
        try:
            return datetime.time(int(match[1]), int(match[2]), int(match[3] or 0))
        except ValueError:
            raise CellError("type_time") from None
    raise CellError("type_time")


def parse_datetime(value) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time(0))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _serial_datetime(value).replace(microsecond=0)
    if isinstance(value, str):
        parts = _DATETIME_SPLIT.split(value.strip())
        try:
            if len(parts) == 1:
                return datetime.datetime.combine(parse_date(parts[0]), datetime.time(0))
            if len(parts) == 2:
                return datetime.datetime.combine(parse_date(parts[0]), parse_time(parts[1]))
        except CellError:
            pass
    raise CellError("type_datetime")


def parse_year(value) -> int:
    try:
        year = parse_integer(value)
    except CellError:
        raise CellError("type_year") from None
    if not 1000 <= year <= 9999:
        raise CellError("type_year")
    return year


def _parse_string(value) -> str:
    return text_of(value)


PARSERS: dict[str, Callable] = {
    "string": _parse_string, "number": parse_number, "integer": parse_integer,
    "date": parse_date, "time": parse_time, "datetime": parse_datetime, "year": parse_year,
}


def bound(field: Field, value):
    """A constraint's figure (minimum, maximum…) as a value of the field's type."""
    if value is None:
        return None
    if field.type in ("date", "datetime") and isinstance(value, str):
        return PARSERS[field.type](value if field.type == "date" else value.replace("T", " "))
    if field.type == "time" and isinstance(value, str):
        return parse_time(value)
    return PARSERS.get(field.type, lambda v: v)(value)


def _tax_code_rule(value) -> None:
    from stdnum.vn import mst

    digits = "".join(ch for ch in str(value) if ch.isdigit())
    if len(digits) in (10, 13) and not mst.is_valid(digits):
        raise CellError("tax_code_checksum")


def checker(field: Field) -> Callable:
    """A function of one raw cell (already known not empty) giving its typed value, or raising
    `CellError` for the first rule it breaks: type, then enum, range, length, pattern."""
    if field.type == "boolean":
        truthy, falsy = set(field.true_values), set(field.false_values)

        def parse(value):
            if value is True or value is False:
                return value
            text = text_of(value)
            if text in truthy:
                return True
            if text in falsy:
                return False
            raise CellError("type_boolean")
    else:
        parse = PARSERS[field.type]
    rules: list[Callable] = []
    if field.enum is not None:
        allowed = frozenset(bound(field, item) if field.type != "string" else text_of(item)
                            for item in field.enum)
        shown = ", ".join(str(item) for item in field.enum)

        def enum(value):
            if value not in allowed:
                raise CellError("enum", allowed=shown)
        rules.append(enum)
    for limit, code, test in (
            (field.minimum, "minimum", lambda v, b: v < b),
            (field.maximum, "maximum", lambda v, b: v > b),
            (field.exclusive_minimum, "exclusive_minimum", lambda v, b: v <= b),
            (field.exclusive_maximum, "exclusive_maximum", lambda v, b: v >= b)):
        if limit is not None and field.type != "string":
            value = bound(field, limit)
            shown = text_of(value) if field.type in ("date", "datetime") else limit
            rules.append(_range_rule(value, code, test, shown))
    if field.min_length is not None:
        rules.append(_length_rule(field.min_length, "min_length", lambda n, b: n < b))
    if field.max_length is not None:
        rules.append(_length_rule(field.max_length, "max_length", lambda n, b: n > b))
    if field.pattern is not None:
        matches = compile_pattern(field.pattern).fullmatch

        def pattern(value):
            if not matches(str(value)):
                raise CellError("pattern", pattern=field.pattern)
        rules.append(pattern)
    if field.check_digit == "vn-tax-code":
        rules.append(_tax_code_rule)
    if not rules:
        return parse
    if len(rules) == 1:
        (rule,) = rules

        def check_one(raw):
            value = parse(raw)
            rule(value)
            return value
        return check_one

    def check(raw):
        value = parse(raw)
        for rule in rules:
            rule(value)
        return value
    return check


def _range_rule(limit, code: str, broken: Callable, shown) -> Callable:
    def rule(value):
        if broken(value, limit):
            raise CellError(code, limit=shown)
    return rule


def _length_rule(limit: int, code: str, broken: Callable) -> Callable:
    def rule(value):
        if broken(len(str(value)), limit):
            raise CellError(code, limit=limit)
    return rule
