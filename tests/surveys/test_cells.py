"""Cells read as the field's type and checked against its constraints: a table per rule."""

from __future__ import annotations

import datetime

import pytest

from envhub.surveys.cells import CellError, checker, parse_date, parse_number, parse_time
from envhub.surveys.tableschema import Field


def field(kind="string", **rules) -> Field:
    return Field(name="f", type=kind, title_vi="Trường", title_en="Field", **rules)


@pytest.mark.parametrize("raw, expected", [
    ("12,5", 12.5), ("12.5", 12.5), ("-3", -3.0), ("1.234,5", 1234.5), ("1,234.5", 1234.5),
    ("1 234,5", 1234.5), ("1e3", 1000.0), (",5", 0.5), (7, 7.0), (2.25, 2.25),
])
def test_it_reads_numbers_with_a_decimal_comma(raw, expected):
    assert parse_number(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "nan", "inf", "1,2,3,4x", "12,5 mg", True, "", "--1"])
def test_it_refuses_what_is_not_a_number(raw):
    with pytest.raises(CellError) as error:
        parse_number(raw)
    assert error.value.code == "type_number"


@pytest.mark.parametrize("raw, expected", [
    ("03/04/2026", datetime.date(2026, 4, 3)),  # dd/mm/yyyy, never mm/dd
    ("3/4/2026", datetime.date(2026, 4, 3)),
    ("03-04-2026", datetime.date(2026, 4, 3)),
    ("03.04.2026", datetime.date(2026, 4, 3)),
    ("2026-04-03", datetime.date(2026, 4, 3)),
    (46115, datetime.date(2026, 4, 3)),  # Excel's serial number of the day
    (46115.0, datetime.date(2026, 4, 3)),
    ("46115", datetime.date(2026, 4, 3)),
    (datetime.datetime(2026, 4, 3), datetime.date(2026, 4, 3)),
    (datetime.date(2026, 4, 3), datetime.date(2026, 4, 3)),
])
def test_it_reads_dates_as_units_write_them(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["31/02/2026", "03/13/2026", "2026/04/03x", "hôm qua", 0,
                                 46115.5, datetime.datetime(2026, 4, 3, 8), True])
def test_it_refuses_what_is_not_a_date(raw):
    with pytest.raises(CellError) as error:
        parse_date(raw)
    assert error.value.code == "type_date"
    # A day written in the right form that the calendar lacks is named for the message.
    assert error.value.params == ({"day": raw} if raw in ("31/02/2026", "03/13/2026") else {})


@pytest.mark.parametrize("raw, expected", [
    ("8:30", datetime.time(8, 30)), ("08:30:15", datetime.time(8, 30, 15)),
    ("8h30", datetime.time(8, 30)), (0.5, datetime.time(12, 0)),
    (datetime.time(9, 5), datetime.time(9, 5)),
])
def test_it_reads_times(raw, expected):
    assert parse_time(raw) == expected


@pytest.mark.parametrize("raw", ["25:00", "8:61", "sáng", 1.5])
def test_it_refuses_what_is_not_a_time(raw):
    with pytest.raises(CellError):
        parse_time(raw)


@pytest.mark.parametrize("rules, kind, raw, code", [
    ({"minimum": 0}, "number", "-0,1", "minimum"),
    ({"maximum": 14}, "number", "14,5", "maximum"),
    ({"exclusive_minimum": 0}, "number", "0", "exclusive_minimum"),
    ({"exclusive_maximum": 100}, "integer", "100", "exclusive_maximum"),
    ({"minimum": "2000-01-01"}, "date", "31/12/1999", "minimum"),
    ({"maximum": 2100}, "year", "2101", "maximum"),
    ({"min_length": 2}, "string", "A", "min_length"),
    ({"max_length": 5}, "string", "Hà Nội mới", "max_length"),
    ({"pattern": "[0-9]{2}"}, "string", "1", "pattern"),
    ({"pattern": "[0-9]{2}"}, "string", "011", "pattern"),  # the whole value must match
    ({"enum": ("giếng khoan", "giếng đào")}, "string", "giếng làng", "enum"),
    ({"enum": (1, 2)}, "integer", "3", "enum"),
    ({}, "integer", "2,5", "type_integer"),
    ({}, "year", "99", "type_year"),
    ({}, "boolean", "có lẽ", "type_boolean"),
    ({}, "datetime", "03/04/2026 25:00", "type_datetime"),
])
def test_each_constraint_refuses_what_breaks_it(rules, kind, raw, code):
    with pytest.raises(CellError) as error:
        checker(field(kind, **rules))(raw)
    assert error.value.code == code


@pytest.mark.parametrize("rules, kind, raw, value", [
    ({"minimum": 0, "maximum": 14}, "number", "7,2", 7.2),
    ({"minimum": 0}, "number", "0", 0.0),
    ({"exclusive_minimum": 0}, "number", "0,001", 0.001),
    ({"minimum": "2000-01-01"}, "date", "01/01/2000", datetime.date(2000, 1, 1)),
    ({"max_length": 6}, "string", "Hà Nội", "Hà Nội"),
    ({"pattern": "[0-9]{2}"}, "string", "01", "01"),
    # Decomposed marks (as Windows-1258 writes them) match the composed enum value.
    ({"enum": ("giếng khoan", "giếng đào")}, "string", "gie\u0302\u0301ng khoan",
     "giếng khoan"),
    ({"enum": (1, 2)}, "integer", "2", 2),
    ({}, "boolean", "Có", True),
    ({}, "boolean", "không", False),
    ({}, "datetime", "03/04/2026 08:15", datetime.datetime(2026, 4, 3, 8, 15)),
    ({}, "string", "  Đồng Nai  ", "Đồng Nai"),
])
def test_it_gives_the_typed_value_of_a_good_cell(rules, kind, raw, value):
    assert checker(field(kind, **rules))(raw) == value


def test_a_date_bound_is_named_as_units_write_dates():
    with pytest.raises(CellError) as error:
        checker(field("date", minimum="2000-01-01"))("31/12/1999")
    assert error.value.params == {"limit": "01/01/2000"}
