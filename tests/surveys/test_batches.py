"""A CSV checked a batch at a time, column by column (`surveys/batches.py`), gives the report
the row-by-row path gives — the same issues with their lines, cells, values, codes and messages
in the same order, the same refusals, the same typed values to `on_row` and the same
`progress` calls — whatever the batch size; and a CSV and an XLSX of the same rows give the
same report."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envhub.surveys import tableschema, validation
from envhub.surveys.codes import RegistryCodes
from envhub.surveys.validation import validate
from tests.surveys.files import PERIODIC_HEADER, csv_bytes, xlsx_bytes

RESULTS = tableschema.built_in("periodic_results")
INVENTORY = tableschema.built_in("emission_inventory")
CODES = RegistryCodes(
    keys={("registry:station", ("code",)): {("HNKK1",), ("HNNT1",)},
          ("registry:province", ("code",)): {("01",), ("79",)},
          ("registry:ward", ("province", "code")): {("01", "00004"), ("79", "26734")},
          ("registry:ward", ("code",)): {("00004",), ("26734",)},
          ("registry:facility", ("tax_code",)): {("0100109106",)},
          ("registry:parameter", ("medium", "code")): {
              ("air", "PM10"), ("air", "SO2"), ("water", "pH"), ("water", "COD")}},
    parameter_units={("air", "PM10"): "µg/m3", ("air", "SO2"): "µg/m3", ("water", "pH"): "",
                     ("water", "COD"): "mg/L"})
HEADER = [*PERIODIC_HEADER, "Tên điểm quan trắc", "Mã tỉnh", "Vĩ độ", "Kinh độ",
          "Dưới giới hạn phát hiện", "Giới hạn phát hiện"]


def good(day: int, site: str = "HNKK1", parameter: str = "PM10") -> list[str]:
    medium, unit = ("water", "mg/L") if parameter == "COD" else ("air", "µg/m3")
    return [site, f"{day:02d}/04/2026", "08:00", medium, parameter, f"{day},5", unit,
            "Điểm Hồ Gươm", "01", "21,03", "105,85", "", ""]


def outcome(data: bytes, schema=RESULTS, *, batch_rows: int, every: int = 3,
            max_rows: int = 1000, keep: int = 1000, rows: bool = True) -> dict:
    """Everything `validate` tells, with the CSV checked in batches of `batch_rows` (0: row by
    row); `rows`: with an `on_row` (without one, only the columns checked row by row are typed
    in a batch)."""
    told = []
    previous = validation.BATCH_ROWS
    validation.BATCH_ROWS = batch_rows
    try:
        report = validate(io.BytesIO(data), schema, CODES, max_rows=max_rows, keep=keep,
                          every=every, progress=lambda rows: told.append(("progress", rows)),
                          on_row=(lambda line, values, ok: told.append((line, values, ok)))
                          if rows else None)
    finally:
        validation.BATCH_ROWS = previous
    return {"report": report.as_dict(), "errors": [(issue.cell, issue.field, issue.value,
                                                    issue.code, issue.message)
                                                   for issue in report.errors],
            "rows_with_errors": report.rows_with_errors, "columns": report.columns,
            "told": told}


def same_in_batches(data: bytes, schema=RESULTS, **options) -> dict:
    for rows in (False, True):
        by_rows = outcome(data, schema, batch_rows=0, rows=rows, **options)
        for size in (1, 2, 3, 7, 500):
            assert outcome(data, schema, batch_rows=size, rows=rows, **options) == by_rows, size
    return by_rows


def COD(day: int) -> list[str]:  # noqa: N802 (a row, named as the parameter)
    return good(day, "HNNT1", "COD")


CASES = {
    "clean": [HEADER, *[good(day) for day in range(1, 21)]],
    "bad cells": [HEADER, good(1), [*good(2)[:1], "31/02/2026", *good(2)[2:]],
                  [*good(3)[:5], "abc", *good(3)[6:]], good(4),
                  [*good(5)[:3], "noise", *good(5)[4:]], good(6), ["", *good(7)[1:]]],
    "duplicates": [HEADER, good(1), good(2), good(1), good(3), good(3), good(4),
                   [*good(4)[:1], "4/4/2026", *good(4)[2:]]],
    "unknown codes": [HEADER, good(1), [*good(2)[:4], "PM99", *good(2)[5:]], good(3),
                      [*good(4)[:6], "mg/L", *good(4)[7:]], [*good(5)[:6], "lít", *good(5)[7:]],
                      [*good(6)[:8], "99", *good(6)[9:]]],
    "new sites": [HEADER, good(1, "SONG01"), good(2, "SONG01"),
                  [*good(3, "SONG02")[:7], "", *good(3)[8:]], good(4),
                  [*good(5, "SONG03")[:9], "48,85", "2,35", "", ""]],
    "below detection": [HEADER, [*COD(1)[:5], "", *COD(1)[6:11], "<LOD", "2,5"],
                        [*COD(2)[:5], "", *COD(2)[6:11], "<LOD", ""],
                        [*COD(3)[:11], "<LOD", "2,5"], [*COD(4)[:5], "", *COD(4)[6:]],
                        COD(5), [*COD(6)[:11], "< LOD", ""], COD(7), COD(8)],
    "blank and short rows": [["Kết quả quan trắc 2026"], [], HEADER, good(1), ["", "", " "],
                             good(2), [], good(3)[:4], good(4), [" "] * 13, good(5), [],
                             good(6)],
    "extra and fewer columns": [[*HEADER[:7], "Ghi chú"], *[[*good(day)[:7], "x"]
                                                           for day in range(1, 9)]],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_it_reports_in_batches_what_it_reports_row_by_row(name):
    found = same_in_batches(csv_bytes(CASES[name]))
    assert found["report"]["refused"] is None
    if name != "clean":
        assert found["errors"] or name == "extra and fewer columns"


def test_it_tells_each_issue_of_the_cases_as_the_row_path_does():
    found = outcome(csv_bytes(CASES["bad cells"]), batch_rows=500)
    assert [(cell, code) for cell, _field, _value, code, _message in found["errors"]] == [
        ("B3", "type_date"), ("F4", "type_number"), ("D6", "enum"), ("A8", "required")]
    assert found["report"]["rows"] == 7 and found["rows_with_errors"] == 4
    clean = outcome(csv_bytes(CASES["clean"]), batch_rows=500, every=7)
    assert [item for item in clean["told"] if item[0] == "progress"] == [
        ("progress", 7), ("progress", 14), ("progress", 20)]
    line, values, ok = clean["told"][0]
    assert (line, ok, values["value"], values["sampling_date"].isoformat(),
            values["latitude"]) == (2, True, 1.5, "2026-04-01", 21.03)


def test_it_reads_windows_1258_semicolons_and_a_bom_in_batches_as_row_by_row():
    rows = CASES["duplicates"]
    for data in (csv_bytes(rows, encoding="cp1258"), csv_bytes(rows, encoding="utf-8-sig"),
                 csv_bytes(rows, delimiter=";"), csv_bytes(rows, delimiter="\t")):
        found = same_in_batches(data)
        assert [code for *_rest, code, _message in found["errors"]] == ["duplicate_key"] * 3
    assert outcome(csv_bytes(rows, encoding="cp1258"),
                   batch_rows=500)["report"]["encoding"] == "cp1258"


def test_it_refuses_in_batches_after_the_rows_it_checked_as_row_by_row():
    rows = [HEADER, *[good(day) for day in range(1, 13)]]
    too_many = same_in_batches(csv_bytes(rows), max_rows=7, every=2)
    assert too_many["report"]["refused"]["code"] == "too_many_rows"
    assert [item[0] for item in too_many["told"] if item[0] != "progress"] == list(range(2, 9))
    # Past the rows the header is looked for in (30), so that rows are checked before it.
    rows = [HEADER, *[good(day, parameter=parameter) for day in range(1, 21)
                      for parameter in ("PM10", "COD")]]
    long_cell = (csv_bytes(rows[:36]) + b'HNKK1,"' + b"x" * 100_001 + b'"\r\n'
                 + csv_bytes(rows[36:]))
    corrupt = same_in_batches(long_cell)
    assert corrupt["report"]["refused"] == {
        "code": "corrupt_csv", "message": corrupt["report"]["refused"]["message"],
        "line": None, "cell": None, "field": None, "label": None, "value": None}
    assert len([item for item in corrupt["told"] if item[0] != "progress"]) == 35
    previous = csv.field_size_limit()
    outcome(long_cell, batch_rows=3)
    assert csv.field_size_limit() == previous


def test_it_reports_a_long_file_in_batches_as_row_by_row():
    """Issues close together (a batch split in halves, then row by row), far apart, and a
    duplicate of a row 600 rows before."""
    rows = []
    for number in range(900):
        row = good(number % 28 + 1, parameter=("PM10", "COD")[number % 2])
        row[2] = f"{number // 56 % 24:02d}:{number // 28 % 2 * 30:02d}"
        if number < 300 and number % 25 == 7 or number % 150 == 100:
            row[1] = "31/02/2026"
        rows.append(row)
    rows[650] = list(rows[50])
    rows[700][4] = "PM99"
    rows[899][9] = "48,85"
    found = same_in_batches(csv_bytes([HEADER, *rows]), every=100)
    assert [code for *_rest, code, _message in found["errors"]].count("type_date") == 18
    assert {code for *_rest, code, _message in found["errors"]} == {
        "type_date", "duplicate_key", "unknown_parameter", "outside_vietnam"}
    for size in (64, 100, 250):
        assert outcome(csv_bytes([HEADER, *rows]), batch_rows=size, every=100) == found


def test_it_checks_the_inventory_in_batches_as_row_by_row():
    header = ["Năm điều tra", "Mã số thuế", "Tên cơ sở", "Mã tỉnh", "Mã xã, phường", "Ngành",
              "Mã ống khói", "Chiều cao ống khói (m)", "Đường kính ống khói (m)"]
    row = ["2026", "0100109106", "Nhà máy Nhiệt điện Sông Hồng", "01", "00004",
           "thermal_power", "OK1", "80", "3,5"]
    rows = [header, row, [*row[:6], "OK2", *row[7:]], row, [*row[:4], "26734", *row[5:]],
            [*row[:1], "0101234501", "Cơ sở mới", "01", "", "cement", "OK1", "0,1", "3"],
            [*row[:1], "0101234501", "", "01", "", "steel", "OK2", "30", "40"]]
    found = same_in_batches(csv_bytes(rows), INVENTORY)
    assert [code for *_rest, code, _message in found["errors"]] == [
        "duplicate_key", "duplicate_key", "ward_elsewhere", "minimum", "required", "maximum",
        "unknown_code"]


def test_a_csv_and_an_xlsx_of_the_same_rows_give_the_same_report():
    for name, rows in CASES.items():
        if name == "blank and short rows":
            continue  # a sheet's short rows have no cells where a CSV's have none: the same
        from_csv = outcome(csv_bytes(rows, encoding="cp1258"), batch_rows=500)
        from_xlsx = outcome(xlsx_bytes(rows), batch_rows=500)
        for found in (from_csv, from_xlsx):
            for key in ("kind", "encoding", "sheet_name"):
                found["report"].pop(key)
        assert from_csv == from_xlsx, name


CELLS = {
    0: ["HNKK1", "HNNT1", "SONG01", "", "hnkk1"],
    1: ["01/04/2026", "1/4/2026", "2026-04-01", "02/04/2026", "31/02/2026", ""],
    2: ["08:00", "8:00", "", "25:00"],
    3: ["air", "water", "soil", "noise", ""],
    4: ["PM10", "SO2", "COD", "pH", "PM99", ""],
    5: ["1,5", "1.5", "2", "", "abc", "-1"],
    6: ["µg/m3", "mg/L", "ppb", "", "lít"],
    7: ["Điểm A", ""],
    8: ["01", "79", "99", ""],
    9: ["21,03", "48,85", "", "x"],
    10: ["105,85", "2,35", ""],
    11: ["", "<LOD", "< LOD"],
    12: ["", "0,5", "-"],
}
GOOD = st.builds(good, st.integers(1, 6), st.sampled_from(["HNKK1", "HNNT1", "SONG01"]),
                 st.sampled_from(["PM10", "COD"]))
ROW = st.one_of(
    GOOD, GOOD, GOOD,
    st.tuples(GOOD, st.integers(0, 12), st.integers(0, 5)).map(  # one cell changed
        lambda found: [*found[0][:found[1]], CELLS[found[1]][found[2] % len(CELLS[found[1]])],
                       *found[0][found[1] + 1:]]),
    st.tuples(*[st.sampled_from(CELLS[index]) for index in range(13)]).map(list),
    st.sampled_from([[], [""] * 13, ["HNKK1", "01/04/2026"], [*good(1), "extra"]]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(ROW, max_size=25), every=st.integers(1, 5),
       max_rows=st.integers(1, 30), encoding=st.sampled_from(["utf-8", "cp1258"]))
def test_it_reports_any_rows_in_batches_as_row_by_row(rows, every, max_rows, encoding):
    data = csv_bytes([HEADER, *rows], encoding=encoding)
    for rows in (False, True):
        by_rows = outcome(data, batch_rows=0, every=every, max_rows=max_rows, keep=10,
                          rows=rows)
        for size in (1, 4, 500):
            assert outcome(data, batch_rows=size, every=every, max_rows=max_rows, keep=10,
                           rows=rows) == by_rows
