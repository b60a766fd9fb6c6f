"""Text written to spreadsheets is data, never a formula: every writer of XLSX or CSV files
puts its cells through here.

- XLSX: openpyxl stores a text starting with "=" as a formula and one such as "#N/A" as an
  error value; `xlsx_row` writes those as string cells instead (with Excel's quote prefix, so
  that editing the cell keeps it text). Other values go in as they are. `DataSheet` wraps a
  worksheet so that every row appended to it goes through `xlsx_row`. XML 1.0 cannot hold
  control characters (a name pasted from another program may carry one): openpyxl refuses the
  whole file for one, so each becomes U+FFFD, visible to the reader, and the file is written.
- CSV has no types: a spreadsheet runs a cell starting with `= + - @`, a tab or a carriage
  return as a formula, so such text gets a leading apostrophe (OWASP, "CSV Injection"). Text
  that is a plain number ("-5", "+1.5e3") stays as it is: it is no formula, and it is a number
  to whoever opens the file. Numbers, dates and None are not text and are never touched.
  `postgresql_csv_text` writes the same rule in SQL, for CSV that PostgreSQL writes itself.

Pure module (no Django).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FORMULA_LEADS = frozenset("=+-@\t\r")
# Usable both by Python's `re` and PostgreSQL's regular expressions.
PLAIN_NUMBER = r"[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)([eE][+-]?[0-9]+)?"
_plain_number = re.compile(PLAIN_NUMBER).fullmatch
# What openpyxl would store as an error value rather than as text.
_XLSX_ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!",
                               "#N/A"))
# The characters XML 1.0 forbids (openpyxl's ILLEGAL_CHARACTERS_RE, without importing openpyxl).
_XML_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def csv_text(value):
    """A CSV cell's value: text a spreadsheet would run as a formula, escaped."""
    if (value.__class__ is str and value and value[0] in FORMULA_LEADS
            and not _plain_number(value)):
        return "'" + value
    return value


def csv_row(values: Iterable) -> list:
    # `csv_text` written out: downloads put millions of cells through here.
    return ["'" + value if value.__class__ is str and value and value[0] in FORMULA_LEADS
            and not _plain_number(value) else value for value in values]


def postgresql_csv_text(expression: str) -> str:
    """SQL (PostgreSQL) giving the text `expression` escaped as `csv_text` escapes it."""
    leads = ", ".join(f"chr({ord(lead)})" for lead in sorted(FORMULA_LEADS))
    return (f"(CASE WHEN left({expression}, 1) IN ({leads}) "
            f"AND {expression} !~ '^({PLAIN_NUMBER})$' "
            f"THEN '''' || {expression} ELSE {expression} END)")


def xlsx_row(sheet, values: Iterable) -> list:
    """The cells of a row for openpyxl's `sheet.append` (write-only or not): text that openpyxl
    would store as a formula or an error value becomes a string cell; control characters XML
    cannot hold become U+FFFD."""
    row = list(values)
    for index, value in enumerate(row):
        if value.__class__ is not str:
            continue
        if _XML_ILLEGAL.search(value):
            value = row[index] = _XML_ILLEGAL.sub("\ufffd", value)
        if value[:1] == "=" or value in _XLSX_ERROR_CODES:
            row[index] = xlsx_text_cell(sheet, value)
    return row


def xlsx_text_cell(sheet, value: str):
    """A cell holding `value` as text, whatever it starts with."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


class DataSheet:
    """An openpyxl worksheet (write-only or not) whose appended rows go through `xlsx_row`."""

    def __init__(self, sheet):
        self.sheet = sheet

    def append(self, values: Iterable) -> None:
        self.sheet.append(xlsx_row(self.sheet, values))
