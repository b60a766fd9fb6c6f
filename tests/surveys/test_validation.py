"""Uploads of periodic results and of the emission inventory checked against the registry of
the test world: foreign keys, units, duplicate keys, diacritics; each error with its row,
column, value and a Vietnamese message."""

from __future__ import annotations

import io

import pytest

from envhub.surveys import tableschema
from envhub.surveys.codes import RegistryCodes
from envhub.surveys.validation import validate
from tests.surveys.files import PERIODIC_HEADER, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

RESULTS = tableschema.built_in("periodic_results")
INVENTORY = tableschema.built_in("emission_inventory")


def check(data: bytes, schema=RESULTS, **options):
    rows = []
    report = validate(io.BytesIO(data), schema, RegistryCodes.load(), max_rows=1000,
                      on_row=lambda line, values, ok: rows.append((line, values, ok)),
                      **options)
    return report, rows


def errors(report) -> list[tuple]:
    return [(issue.cell, issue.field, issue.value, issue.code) for issue in report.errors]


def test_a_good_file_of_results_passes_with_its_typed_values(world):
    report, rows = check(csv_bytes([
        PERIODIC_HEADER,
        ["HNKK1", "03/04/2026", "08:00", "air", "PM10", "45,5", "µg/m3"],
        ["hnkk1", "03/04/2026", "09:00", "air", "SO2", "12", "ppb"],  # converts with M
        ["HNNT1", "2026-04-03", "08:00", "water", "pH", "7,2", ""],
    ]))
    assert report.ok and report.rows == 3 and report.error_count == 0
    line, values, ok = rows[0]
    assert (line, ok, values["value"], values["sampling_date"].isoformat()) == (
        2, True, 45.5, "2026-04-03")


def test_each_error_names_its_row_column_value_and_says_why_in_vietnamese(world):
    report, rows = check(csv_bytes([
        PERIODIC_HEADER,
        ["HNKK1", "03/04/2026", "08:00", "air", "PM10", "45,5", "µg/m3"],
        ["HNKK1", "03/04/2026", "08:00", "air", "PM10", "46", "µg/m3"],  # same key
        ["ZZZ9", "04/04/2026", "08:00", "air", "PM10", "abc", "mg/L"],
        ["HNKK1", "31/02/2026", "08:00", "noise", "PM10", "1", ""],
        ["HNKK1", "05/04/2026", "08:00", "air", "PM99", "1", "µg/m3"],
        ["", "05/04/2026", "08:00", "air", "PM10", "1", "lít"],
    ]))
    assert not report.ok
    assert errors(report) == [
        ("E3", "parameter", "PM10", "duplicate_key"),
        ("F4", "value", "abc", "type_number"),
        ("A4", "station_code", "ZZZ9", "unknown_code"),
        ("G4", "unit", "mg/L", "wrong_unit"),
        ("B5", "sampling_date", "31/02/2026", "type_date"),
        ("D5", "medium", "noise", "enum"),
        ("E6", "parameter", "PM99", "unknown_parameter"),
        ("A7", "station_code", None, "required"),
        ("G7", "unit", "lít", "unknown_unit"),
    ]
    assert (report.rows, report.rows_with_errors, report.error_count) == (6, 5, 9)
    assert [ok for _line, _values, ok in rows] == [True, False, False, False, False, False]
    messages = {issue.code: issue.message for issue in report.errors}
    # A day the calendar lacks is said as such (the unit wrote the form asked for).
    assert messages["type_date"] == ("Không có ngày 31/02/2026 trong lịch: ngày viết theo "
                                     "dạng dd/mm/yyyy, ngày trước, tháng sau.")
    assert messages["wrong_unit"] == ("Thông số PM10 không đo bằng mg/L (đơn vị của thông số "
                                      "là µg/m3).")
    # A site code may be new: the message names what makes one.
    assert messages["unknown_code"] == (
        "Mã không có trong danh mục: ZZZ9. Nếu đây là mã mới, hãy điền Tên điểm quan trắc, "
        "Mã tỉnh, Vĩ độ, Kinh độ trên cùng dòng.")


def test_a_new_site_needs_its_name_province_and_a_point_in_viet_nam(world):
    header = [*PERIODIC_HEADER, "Tên điểm quan trắc", "Mã tỉnh", "Vĩ độ", "Kinh độ"]
    report, _rows = check(csv_bytes([
        header,
        ["SONG01", "03/04/2026", "08:00", "water", "COD", "12", "mg/L", "Sông Nhuệ – cầu Hà Đông",
         "01", "20,97", "105,77"],
        ["SONG02", "03/04/2026", "08:00", "water", "COD", "12", "mg/L", "", "01", "", ""],
        ["SONG03", "03/04/2026", "08:00", "water", "COD", "12", "mg/L", "Paris", "01", "48,85",
         "2,35"],
        ["SONG04", "03/04/2026", "08:00", "water", "COD", "12", "mg/L", "Điểm 4", "99", "21",
         "105"],
    ]))
    assert errors(report) == [
        ("A3", "station_code", "SONG02", "unknown_code"),
        ("J4", "latitude", "48.85, 2.35", "outside_vietnam"),
        ("I5", "province_code", "99", "unknown_code"),
    ]
    # A province code cannot be new: its message offers nothing more.
    assert report.errors[-1].message == "Mã không có trong danh mục: 99."


def test_the_inventory_checks_facilities_provinces_and_wards(world):
    ward = world.hanoi.wards.order_by("code").first().code
    elsewhere = world.dongnai.wards.order_by("code").first().code
    header = ["Năm điều tra", "Mã số thuế", "Tên cơ sở", "Mã tỉnh", "Mã xã, phường", "Ngành",
              "Mã ống khói", "Chiều cao ống khói (m)", "Đường kính ống khói (m)"]
    report, _rows = check(csv_bytes([
        header,
        ["2026", "0100109106", "Nhà máy Nhiệt điện Sông Hồng", "01", ward, "thermal_power",
         "OK1", "80", "3,5"],
        ["2026", "0100109106", "Nhà máy Nhiệt điện Sông Hồng", "01", ward, "thermal_power",
         "OK1", "80", "3,5"],  # the same stack twice
        ["2026", "0101234501", "Cơ sở mới", "01", "99999", "cement", "OK1", "0,1", "3"],
        ["2026", "0101234501", "", "01", "", "steel", "OK2", "30", "40"],
        ["2026", "0100109106", "Nhà máy Nhiệt điện Sông Hồng", "01", elsewhere, "thermal_power",
         "OK3", "80", "3,5"],
    ]), schema=INVENTORY)
    assert errors(report) == [
        ("G3", "stack_code", "OK1", "duplicate_key"),
        ("H4", "stack_height", "0,1", "minimum"),
        ("E4", "ward_code", "99999", "unknown_code"),
        ("C5", "facility_name", None, "required"),
        ("I5", "stack_diameter", "40", "maximum"),
        ("B5", "tax_code", "0101234501", "unknown_code"),  # new, but without its name
        ("E6", "ward_code", elsewhere, "ward_elsewhere"),
    ]
    assert report.errors[-1].message == f"Xã, phường {elsewhere} không thuộc tỉnh 01."


def test_vietnamese_text_keeps_its_diacritics_from_every_encoding(world):
    header = [*PERIODIC_HEADER, "Tên điểm quan trắc", "Phòng thí nghiệm"]
    row = ["HNKK1", "03/04/2026", "08:00", "air", "PM10", "1", "µg/m3", "Điểm Hồ Gươm",
           "Trung tâm Quan trắc Môi trường miền Bắc"]
    for data in (csv_bytes([header, row], encoding="cp1258"),
                 csv_bytes([header, row], encoding="utf-8-sig"),
                 csv_bytes([header, row], delimiter=";"),
                 xlsx_bytes([header, row])):
        report, rows = check(data)
        assert report.ok, errors(report)
        assert rows[0][1]["site_name"] == "Điểm Hồ Gươm"
        assert rows[0][1]["laboratory"] == "Trung tâm Quan trắc Môi trường miền Bắc"
    assert check(csv_bytes([header, row], encoding="cp1258"))[0].encoding == "cp1258"


def test_progress_is_told_in_rows_checked(world):
    rows = [PERIODIC_HEADER] + [
        ["HNKK1", f"{day:02d}/04/2026", "08:00", "air", "PM10", "1", "µg/m3"]
        for day in range(1, 26)]
    seen = []
    report, _rows = check(csv_bytes(rows), progress=seen.append, every=10)
    assert seen == [10, 20, 25] and report.rows == 25


def test_the_report_keeps_the_first_errors_and_counts_them_all(world):
    rows = [PERIODIC_HEADER] + [["HNKK1", "xx", "08:00", "air", "PM10", "1", "µg/m3"]
                                for _ in range(30)]
    report, _rows = check(csv_bytes(rows), keep=5)
    assert (len(report.errors), report.error_count, report.by_code["type_date"]) == (5, 30, 30)


def test_a_result_below_detection_keeps_its_limit_and_no_value(world):
    header = [*PERIODIC_HEADER, "Dưới giới hạn phát hiện", "Giới hạn phát hiện"]
    report, rows = check(csv_bytes([
        header,
        ["HNNT1", "03/04/2026", "08:00", "water", "COD", "", "mg/L", "<LOD", "2,5"],
        ["HNNT1", "04/04/2026", "08:00", "water", "COD", "", "mg/L", "<LOD", ""],
        ["HNNT1", "05/04/2026", "08:00", "water", "COD", "0", "mg/L", "<LOD", "2,5"],
        ["HNNT1", "06/04/2026", "08:00", "water", "COD", "", "mg/L", "", ""],
        ["HNNT1", "07/04/2026", "08:00", "water", "COD", "1", "mg/L", "< LOD", ""],
    ]))
    assert errors(report) == [
        ("I3", "detection_limit", None, "limit_needed"),
        ("F4", "value", "0", "value_below_limit"),
        ("F5", "value", None, "value_needed"),
        ("H6", "detection", "< LOD", "enum"),
    ]
    assert rows[0][1]["value"] is None and rows[0][1]["detection_limit"] == 2.5
    assert report.errors[1].message == ("Dưới giới hạn phát hiện: để trống giá trị, giới hạn "
                                        "phát hiện thay cho giá trị.")


def test_the_report_is_json_ready_with_its_messages(world):
    import json

    report, _rows = check(csv_bytes([PERIODIC_HEADER + ["Ghi chú"],
                                     ["HNKK1", "xx", "08:00", "air", "PM10", "1", "µg/m3", ""]]))
    data = json.loads(json.dumps(report.as_dict()))
    assert data["ok"] is False and data["rows"] == 1 and data["by_code"] == {"type_date": 1}
    assert data["errors"] == [{"code": "type_date", "line": 2, "cell": "B2",
                               "field": "sampling_date", "label": "Ngày lấy mẫu", "value": "xx",
                               "message": "Cần một ngày, viết theo dạng dd/mm/yyyy."}]
    assert data["warnings"][0]["cell"] == "H1" and data["refused"] is None


def test_a_new_facilitys_tax_code_needs_its_check_digit(world):
    header = ["Năm điều tra", "Mã số thuế", "Tên cơ sở", "Mã tỉnh", "Ngành", "Mã ống khói"]
    report, _rows = check(csv_bytes([
        header,
        ["2026", "0101234567", "Cơ sở gõ nhầm", "01", "cement", "OK1"],
        ["2026", "0101234501", "Cơ sở mới", "01", "cement", "OK1"],
        ["2026", "0101234501-001", "Chi nhánh", "01", "cement", "OK1"],
    ]), INVENTORY)
    assert errors(report) == [("B2", "tax_code", "0101234567", "tax_code_checksum")]
    assert report.errors[0].message == ("Chữ số kiểm tra của mã số thuế này không đúng; vui lòng "
                                        "đối chiếu với Giấy chứng nhận đăng ký doanh nghiệp.")
