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
- XLSX numbers stay numbers, shown as the site shows them (`core.numbers`): `DataSheet` given
  `numbers` ({column index: most decimals}) gives each number of those columns Excel's format
  for the decimals the site would show ("#,##0.00": Excel writes it with the reader's own
  separators), and with `round_numbers` stores the value rounded so. One styled cell per
  (column, decimals) is reused row after row: no style work per cell.

Pure module (no Django).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from envhub.core.numbers import MAX_DECIMALS, SIGNIFICANT, excel_format, places, rounded

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
    """An openpyxl worksheet (write-only) whose appended rows go through `xlsx_row`, and
    whose `numbers` columns ({index: most decimals}) are formatted (and with `round_numbers`
    rounded) as the site shows them. A row may give a column other decimals (its unit's) and
    a limit its figure must stay on the right side of (`core.numbers`)."""

    def __init__(self, sheet, numbers: dict[int, int] | None = None, *,
                 round_numbers: bool = False):
        self.sheet = sheet
        self.numbers = sorted((numbers or {}).items())
        self.round_numbers = round_numbers
        self._cells: dict[tuple[int, int], object] = {}
        # A write-only sheet writes a cell out as it is appended, so one can serve every row;
        # an ordinary sheet keeps the cell object itself.
        self._reuse = bool(getattr(sheet.parent, "write_only", False))

    def append(self, values: Iterable, *, decimals: dict[int, int] | None = None,
               against: dict[int, float | None] | None = None) -> None:
        row = xlsx_row(self.sheet, values)
        if self.numbers:
            self._format_numbers(row, decimals or {}, against or {})
        self.sheet.append(row)

    def _format_numbers(self, row: list, decimals: dict, against: dict) -> None:
        for index, default in self.numbers:
            value = row[index] if index < len(row) else None
            kind = value.__class__
            if kind is not float and kind is not int:
                continue
            if kind is float and value != value:  # NaN: Excel has no such number
                row[index] = None
                continue
            if kind is int or value == 0:
                count = 0
            else:
                most = decimals.get(index, default)
                limit = against.get(index)
                if limit is None and abs(value) >= _PLAIN[most]:
                    count = most
                else:
                    count = places(value, most, against=limit)
                if self.round_numbers:
                    value = rounded(value, decimals=most, against=limit)
                # Trailing zeros are not shown: 50.0 reads "50", as on the page.
                shown = round(value, count)
                while count and round(shown, count - 1) == shown:
                    count -= 1
            row[index] = self._cell(index, count, value)

    def _cell(self, index: int, count: int, value):
        cell = self._cells.get((index, count)) if self._reuse else None
        if cell is None:
            cell = self._cells[index, count] = _number_cell(self.sheet)
            cell.number_format = excel_format(count)
        cell.value = value
        return cell


# Values at least this large show no more than the most decimals allowed (see `places`).
_PLAIN = {most: 10.0 ** (SIGNIFICANT - 1 - most) for most in range(MAX_DECIMALS + 1)}


def _number_cell(sheet):
    """A cell for a formatted number. openpyxl's `append` tells a cell from a value by failing
    to store it as a value, with a message holding the cell's repr: kept cheap."""
    global _NumberCell
    if _NumberCell is None:
        from openpyxl.cell import Cell

        class NumberCell(Cell):
            __slots__ = ()

            def __repr__(self) -> str:
                return "<number cell>"

        _NumberCell = NumberCell
    return _NumberCell(sheet)


_NumberCell = None
