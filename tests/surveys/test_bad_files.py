"""Each bad input a survey unit may send gets a clear Vietnamese refusal or error, and the
quirks of real spreadsheets are read as the unit meant them."""

from __future__ import annotations

import datetime
import io
import re
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envhub.surveys import tableschema
from envhub.surveys.codes import RegistryCodes
from envhub.surveys.validation import validate
from tests.surveys.files import PERIODIC_HEADER, csv_bytes, xlsx_bytes

RESULTS = tableschema.built_in("periodic_results")
CODES = RegistryCodes(
    keys={("registry:station", ("code",)): {("HNKK1",)},
          ("registry:province", ("code",)): {("01",)},
          ("registry:parameter", ("medium", "code")): {("air", "PM10"), ("water", "pH")}},
    parameter_units={("air", "PM10"): "µg/m3", ("water", "pH"): ""})
ROW = ["HNKK1", "03/04/2026", "08:00", "air", "PM10", "45,5", "µg/m3"]


def check(data: bytes, max_rows: int = 1000):
    rows = []
    report = validate(io.BytesIO(data), RESULTS, CODES, max_rows=max_rows,
                      on_row=lambda line, values, ok: rows.append((line, values)))
    return report, rows


def refused(data: bytes, **options) -> tuple[str, str]:
    report, _rows = check(data, **options)
    assert report.refused is not None and not report.ok
    return report.refused.code, report.refused.message


def a_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


NOT_A_SPREADSHEET = "Tệp này không phải là bảng tính: hãy tải lên biểu mẫu XLSX đã điền, " \
    "hoặc một tệp CSV."


@pytest.mark.parametrize("data", [
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00<<>>",
    # A PDF without a NUL byte near its start decodes as Windows-1258 text: its signature
    # says what it is.
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>\nendobj\n" * 20,
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    b"\xff\xd8\xff\xe0\x10JFIF" + b"\x7f" * 200,
    b"\x1f\x8b\x08\x08" + b"x" * 200,
    b"{\\rtf1\\ansi\\deff0 {\\fonttbl}" + b" Ma diem quan trac" * 20 + b"}",
    a_zip({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<Types/>"}),  # a .docx
])
def test_a_file_that_is_not_a_spreadsheet_is_refused(data):
    assert refused(data) == ("not_spreadsheet", NOT_A_SPREADSHEET)


def test_an_empty_file_has_no_header_row():
    assert refused(b"")[0] == "no_header"


def test_an_encrypted_xlsx_is_refused():
    # A password-protected XLSX is an OLE compound file (as is a .xls): its first bytes say so.
    assert refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000)) == (
        "encrypted", "Tệp này đã được mã hóa (có mật khẩu) hoặc là tệp Excel 97–2003 cũ: hãy "
        "lưu lại dưới dạng .xlsx không đặt mật khẩu rồi tải lên lại.")


@pytest.mark.parametrize("data", [
    xlsx_bytes([PERIODIC_HEADER, ROW])[:1500],  # cut short
    a_zip({"[Content_Types].xml": b"<Types", "xl/workbook.xml": b"not xml at all"}),
])
def test_a_corrupt_xlsx_is_refused(data):
    code, message = refused(data)
    assert code == "corrupt"
    assert message.startswith("Tệp XLSX này bị hỏng")


def test_a_zip_bomb_disguised_as_xlsx_is_refused_before_it_is_inflated():
    bomb = a_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                  "xl/worksheets/sheet1.xml": bytes(20_000_000)})
    assert len(bomb) < 100_000
    assert refused(bomb)[0] == "zip_bomb"


def test_a_member_declaring_a_huge_size_is_refused():
    # The directory says 3 GB: refused from the directory, nothing inflated.
    data = bytearray(a_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"}))
    directory = data.rfind(b"PK\x01\x02")
    data[directory + 24:directory + 28] = (3_000_000_000).to_bytes(4, "little")
    assert refused(bytes(data))[0] in ("zip_bomb", "corrupt")


def test_a_windows_1258_csv_and_a_utf8_bom_csv_are_read():
    for encoding in ("cp1258", "utf-8-sig", "utf-8"):
        report, rows = check(csv_bytes([PERIODIC_HEADER, ROW], encoding=encoding))
        assert report.ok and len(rows) == 1, encoding


def test_dates_as_text_and_as_excel_serials_and_decimal_commas():
    report, rows = check(xlsx_bytes([
        PERIODIC_HEADER,
        ["HNKK1", "03/04/2026", "08:00", "air", "PM10", "45,5", "µg/m3"],
        ["HNKK1", 46116, 0.375, "air", "PM10", 45.5, "µg/m3"],
        ["HNKK1", datetime.datetime(2026, 4, 5), datetime.time(9), "air", "PM10", "1.234,5",
         "µg/m3"],
    ]))
    assert report.ok, [issue.code for issue in report.errors]
    assert [(values["sampling_date"], values["sampling_time"], values["value"])
            for _line, values in rows] == [
        (datetime.date(2026, 4, 3), datetime.time(8), 45.5),
        (datetime.date(2026, 4, 4), datetime.time(9), 45.5),
        (datetime.date(2026, 4, 5), datetime.time(9), 1234.5)]


def test_empty_trailing_rows_are_not_rows():
    for data in (csv_bytes([PERIODIC_HEADER, ROW, [""] * 7, [], ["", " "]]),
                 xlsx_bytes([PERIODIC_HEADER, ROW, [None] * 7, [None, " "]])):
        report, rows = check(data)
        assert report.ok and report.rows == 1


def test_a_title_merged_above_a_header_not_on_line_one():
    data = xlsx_bytes([PERIODIC_HEADER, ROW],
                      before=[["KẾT QUẢ QUAN TRẮC ĐỊNH KỲ NĂM 2026"], [], ["Đơn vị: Viện X"]],
                      merge="A1:G1")
    report, rows = check(data)
    assert report.ok and report.header_line == 4 and rows[0][0] == 5


def test_merged_header_cells_leave_empty_columns_unread():
    header = ["Mã điểm quan trắc", None, *PERIODIC_HEADER[1:]]
    row = ["HNKK1", None, *ROW[1:]]
    report, rows = check(xlsx_bytes([header, row], merge="A1:B1"))
    assert report.ok and report.columns["sampling_date"] == 2 and report.warnings == []


def test_a_formula_cell_is_refused_a_value_is_expected():
    report, _rows = check(xlsx_bytes([PERIODIC_HEADER,
                                      ["HNKK1", "03/04/2026", "08:00", "air", "PM10", "=2*20",
                                       "µg/m3"]]))
    assert [(issue.cell, issue.code) for issue in report.errors] == [("F2", "formula")]
    assert report.errors[0].message.startswith("Ô chứa công thức")


def test_the_data_sheet_is_the_first_visible_one():
    report, rows = check(xlsx_bytes([PERIODIC_HEADER, ROW], title="Trang 1", hidden_first=True))
    assert report.ok and report.sheet_name == "Trang 1" and len(rows) == 1


def test_the_data_sheet_is_the_one_the_template_names():
    data = xlsx_bytes([["Hướng dẫn điền biểu mẫu"]], title="Hướng dẫn",
                      sheets_after=[("Dữ liệu", [PERIODIC_HEADER, ROW])])
    report, rows = check(data)
    assert report.ok and report.sheet_name == "Dữ liệu" and len(rows) == 1


def test_columns_in_another_order_and_an_extra_column():
    order = [6, 3, 0, 5, 1, 4, 2]
    header = [PERIODIC_HEADER[i] for i in order] + ["Ghi chú"]
    row = [ROW[i] for i in order] + ["lấy mẫu lúc trời mưa"]
    report, rows = check(csv_bytes([header, row]))
    assert report.ok and rows[0][1]["station_code"] == "HNKK1"
    assert [(w.code, w.cell, w.message) for w in report.warnings] == [
        ("extra_column", "H1",
         "Cột “Ghi chú” không có trong biểu mẫu: cột này không được đọc.")]


def test_english_labels_and_field_names_are_headers_too():
    header = ["Site or station code", "sampling_date", "Sampling time", "Medium",
              "Parameter", "Value", "Unit (µg/m3)"]
    report, _rows = check(csv_bytes([header, ROW]))
    assert report.ok


def test_a_missing_required_column_is_refused_naming_it():
    assert refused(csv_bytes([PERIODIC_HEADER[:4], ROW[:4]])) == (
        "missing_columns", "Thiếu các cột: Thông số.")


def test_too_many_rows_are_refused_with_the_limit_named():
    data = csv_bytes([PERIODIC_HEADER] + [ROW] * 11)
    assert refused(data, max_rows=10) == (
        "too_many_rows", "Tệp có hơn 10 dòng dữ liệu, là số dòng tối đa của một lần tải lên: "
        "hãy chia thành nhiều tệp.")
    assert refused(xlsx_bytes([PERIODIC_HEADER] + [ROW] * 11), max_rows=10)[0] == \
        "too_many_rows"
    assert check(data, max_rows=11)[0].rows == 11


HEAD = st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\xef\xbb\xbf",
                        ",".join(PERIODIC_HEADER).encode() + b"\n"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(head=HEAD, body=st.binary(max_size=2000))
def test_random_bytes_never_crash_the_reader(head, body):
    report, rows = check(head + body)
    assert report.refused is not None or report.rows == len(rows)
    if report.refused is not None:
        assert report.refused.message


@settings(max_examples=100, deadline=None)
@given(cells=st.lists(st.lists(st.text(max_size=12), min_size=7, max_size=9), max_size=8))
def test_random_cells_get_rows_and_errors_never_a_crash(cells):
    report, rows = check(csv_bytes([PERIODIC_HEADER, *cells]))
    assert report.refused is not None or len(rows) == report.rows
    for issue in report.errors:
        assert issue.line and issue.message


def test_the_row_limit_is_the_setting_unless_given(settings):
    settings.ENVHUB_MAX_SURVEY_ROWS = 2
    report = validate(io.BytesIO(csv_bytes([PERIODIC_HEADER] + [ROW] * 3)), RESULTS, CODES)
    assert report.refused.code == "too_many_rows" and report.refused.params == {"limit": 2}


def test_the_limit_is_written_as_a_vietnamese_reader_reads_numbers():
    from envhub.surveys import messages

    assert refused(csv_bytes([PERIODIC_HEADER] + [ROW] * 3), max_rows=2)[1].startswith(
        "Tệp có hơn 2 dòng")
    assert messages.text("too_many_rows", {"limit": 200_000}).startswith(
        "Tệp có hơn 200.000 dòng dữ liệu")
    assert messages.text("minimum", {"limit": 0.5}) == (
        "Nhỏ hơn giá trị thấp nhất cho phép, 0,5.")


CELL = st.one_of(st.none(), st.text(st.characters(blacklist_categories=("Cc", "Cs")),
                                    max_size=10), st.floats(allow_nan=True),
                 st.integers(-10**6, 10**6), st.booleans(),
                 st.datetimes(min_value=datetime.datetime(1900, 3, 1),
                              max_value=datetime.datetime(2100, 1, 1)))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.lists(st.lists(CELL, min_size=7, max_size=8), max_size=5))
def test_random_typed_cells_of_a_workbook_get_rows_and_errors_never_a_crash(cells):
    rows = [[cell.replace("=", "") if isinstance(cell, str) else cell for cell in row]
            for row in cells]
    report, read = check(xlsx_bytes([PERIODIC_HEADER, *rows]))
    assert report.refused is None and report.rows == len(read)
    for issue in report.errors:
        assert issue.line >= 2 and issue.message


def test_a_csv_whose_first_cell_starts_with_pk_is_a_csv():
    header = ["PK", *PERIODIC_HEADER]
    report, rows = check(csv_bytes([header, ["x", *ROW]]))
    assert report.ok and report.kind == "csv" and len(rows) == 1


def test_a_million_row_csv_is_refused_at_the_default_limit_named(tmp_path):
    """The issue's 1,000,000 rows, as a unit would send them (a file on disk, read streamed):
    refused at the configured limit (200,000 by default), which the message names; the rows
    before the limit were read, none after."""
    from django.conf import settings as django_settings

    path = tmp_path / "million.csv"
    with path.open("wb") as out:
        out.write(csv_bytes([PERIODIC_HEADER]))
        out.write(csv_bytes([ROW]) * 1_000_000)
    seen = []
    with path.open("rb") as stream:
        report = validate(stream, RESULTS, CODES, every=50_000, progress=seen.append)
    limit = django_settings.ENVHUB_MAX_SURVEY_ROWS
    assert limit == 200_000
    assert report.refused.code == "too_many_rows" and report.refused.params == {"limit": limit}
    assert report.refused.message.startswith("Tệp có hơn 200.000 dòng dữ liệu")
    assert max(seen) <= limit


def _declaring(data: bytes, rows: int) -> bytes:
    """An XLSX whose sheet declares `rows` rows in its dimension, whatever it holds."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                content = re.sub(rb'<dimension ref="[^"]*"/>',
                                 f'<dimension ref="A1:G{rows}"/>'.encode(), content)
            target.writestr(item, content)
    return out.getvalue()


def test_an_xlsx_declaring_a_million_rows_is_refused_before_it_is_read():
    data = xlsx_bytes([PERIODIC_HEADER, ROW])
    assert b"<dimension" in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    report, rows = check(_declaring(data, 1_000_000), max_rows=200_000)
    assert report.refused.code == "too_many_rows" and rows == []
    # A dimension within twice the limit is not trusted either way: the rows are read.
    report, rows = check(_declaring(data, 300_000), max_rows=200_000)
    assert report.ok and len(rows) == 1
