"""The files envhub hands a survey unit: the template of a schema, and its upload annotated."""

from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import load_workbook

from envhub.surveys import tableschema
from envhub.surveys.annotate import annotated_xlsx
from envhub.surveys.codes import RegistryCodes
from envhub.surveys.template import template_xlsx
from envhub.surveys.validation import validate
from tests.surveys.files import PERIODIC_HEADER, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


def template(name: str) -> bytes:
    out = io.BytesIO()
    template_xlsx(tableschema.built_in(name), RegistryCodes.load(), out, rows=50)
    return out.getvalue()


def test_the_template_has_labels_with_units_lists_formats_and_instructions(world):
    workbook = load_workbook(io.BytesIO(template("emission_inventory")))
    data, instructions, codes = workbook.worksheets
    assert data.title == "Dữ liệu" and codes.sheet_state == "hidden"
    assert instructions.sheet_state == "visible"
    headers = [cell.value for cell in data[1]]
    assert headers[:3] == ["Năm điều tra", "Mã số thuế", "Tên cơ sở"]
    assert "Chiều cao ống khói (m)" in headers and "Lưu lượng khí thải (m3/h)" in headers
    column = {value: index for index, value in enumerate(headers, 1)}
    assert data.cell(row=2, column=column["Mã tỉnh"]).number_format == "@"  # keeps "01"
    rules = {str(v.sqref): v for v in data.data_validations.dataValidation}
    province = rules["D2:D51"]
    assert province.type == "list" and province.formula1.startswith("'Mã'!$D$2:$D$")
    provinces = [cell.value for cell in codes["D"][1:] if cell.value is not None]
    assert len(provinces) == 34 and "01" in provinces and "75" in provinces
    assert rules["H2:H51"].formula1.startswith('"thermal_power,cement')  # an enum, inline
    assert rules["B2:B51"].errorStyle == "warning"  # a new facility is allowed
    height = rules["J2:J51"]
    assert (height.type, height.formula1, height.formula2) == ("decimal", "0.5", "500")
    texts = [row[0].value for row in instructions.iter_rows(min_row=5)]
    assert "Chiều cao ống khói" in texts
    # The constraints are written as figures read in Vietnamese: "0,5", never "0.5".
    said = " ".join(str(cell.value) for row in instructions.iter_rows() for cell in row
                    if cell.value is not None)
    assert "0,5" in said and "0,05" in said and "0.05" not in said


def test_a_filled_template_is_read_back(world):
    workbook = load_workbook(io.BytesIO(template("periodic_results")))
    data = workbook["Dữ liệu"]
    headers = [cell.value for cell in data[1]]
    values = {"Mã điểm quan trắc": "HNKK1", "Ngày lấy mẫu": datetime.datetime(2026, 4, 3),
              "Giờ lấy mẫu": datetime.time(8), "Thành phần môi trường": "air",
              "Thông số": "PM10", "Giá trị": 45.5, "Đơn vị": "µg/m3"}
    for column, header in enumerate(headers, 1):
        data.cell(row=2, column=column, value=values.get(header))
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = validate(buffer, tableschema.built_in("periodic_results"), RegistryCodes.load(),
                      max_rows=100)
    assert report.ok and report.rows == 1 and report.sheet_name == "Dữ liệu"


@pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes])
def test_the_annotated_file_marks_each_bad_cell_with_its_message(world, make):
    upload = make([
        ["Báo cáo quan trắc"],
        PERIODIC_HEADER,
        ["HNKK1", "03/04/2026", "08:00", "air", "PM10", "45,5", "µg/m3"],
        ["HNKK1", "31/02/2026", "08:00", "air", "PM10", "abc", "µg/m3"],
    ])
    schema = tableschema.built_in("periodic_results")
    report = validate(io.BytesIO(upload), schema, RegistryCodes.load(), max_rows=100)
    assert [issue.cell for issue in report.errors] == ["B4", "F4"]
    out = io.BytesIO()
    annotated_xlsx(io.BytesIO(upload), report, out)
    workbook = load_workbook(io.BytesIO(out.getvalue()))
    sheet, errors = workbook.worksheets
    assert sheet["A1"].value == "Báo cáo quan trắc" and sheet["A2"].value == "Mã điểm quan trắc"
    assert sheet["B4"].value == "31/02/2026" and sheet["F4"].value == "abc"
    assert sheet["B4"].comment.text == ("Không có ngày 31/02/2026 trong lịch: ngày viết theo "
                                        "dạng dd/mm/yyyy, ngày trước, tháng sau.")
    assert sheet["F4"].fill.start_color.rgb.endswith("FFC7CE")
    assert sheet["B3"].comment is None and sheet["B3"].fill.fill_type is None
    listed = [[cell.value for cell in row] for row in errors.iter_rows(min_row=2)]
    assert [row[0] for row in listed] == ["B4", "F4"]
    assert listed[1][4].startswith("Cần một số")
