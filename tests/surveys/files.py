"""Survey upload files built in the tests: CSV in UTF-8 (with or without BOM) and Windows-1258,
and XLSX workbooks with the quirks units send."""

from __future__ import annotations

import csv
import io
import unicodedata

from openpyxl import Workbook

TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
PERIODIC_HEADER = ["Mã điểm quan trắc", "Ngày lấy mẫu", "Giờ lấy mẫu", "Thành phần môi trường",
                   "Thông số", "Giá trị", "Đơn vị"]


def cp1258(text: str) -> bytes:
    """Text as Windows-1258 writes it: base letters with their vowel marks where the code page
    has them, tone marks as combining characters."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            tones = "".join(mark for mark in parts if mark in TONE_MARKS)
            base = "".join(mark for mark in parts if mark not in TONE_MARKS)
            out += unicodedata.normalize("NFC", base).encode("cp1258") + tones.encode("cp1258")
    return bytes(out)


def csv_bytes(rows, *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    text = buffer.getvalue()
    if encoding == "cp1258":
        return cp1258(text)
    return text.encode(encoding)


def xlsx_bytes(rows, *, title: str = "Dữ liệu", before=(), hidden_first: bool = False,
               merge: str | None = None, sheets_after=()) -> bytes:
    """A workbook whose data sheet holds `before` rows, then `rows`. `hidden_first`: a hidden
    sheet of other rows comes first; `merge`: a range of the sheet merged (e.g. "A1:C1")."""
    workbook = Workbook()
    sheet = workbook.active
    if hidden_first:
        sheet.title = "Ẩn"
        sheet.append(PERIODIC_HEADER)
        sheet.append(["KHAC", "01/01/2020", "", "air", "PM10", "x", "µg/m3"])
        sheet.sheet_state = "hidden"
        sheet = workbook.create_sheet(title)
    else:
        sheet.title = title
    for row in (*before, *rows):
        sheet.append(list(row))
    if merge:
        sheet.merge_cells(merge)
    for name, extra_rows in sheets_after:
        other = workbook.create_sheet(name)
        for row in extra_rows:
            other.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
