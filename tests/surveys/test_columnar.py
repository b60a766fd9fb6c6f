"""A UTF-8 CSV first read by Arrow (`surveys/columnar.py`) gets the report the `csv` path gives
— the same issues with their rows, cells, values and messages, the same refusals, the same
progress — for every case of the batch tests and the bad inputs; a clean file is counted by
Arrow alone, and a file Arrow reads otherwise than the `csv` module is checked the other way."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envhub.surveys import columnar, validation
from envhub.surveys.validation import validate
from tests.surveys.files import PERIODIC_HEADER, csv_bytes
from tests.surveys.test_batches import CASES, CODES, HEADER, INVENTORY, RESULTS, good

ROW = ["HNKK1", "03/04/2026", "08:00", "air", "PM10", "45,5", "µg/m3"]


def told(data: bytes, schema=RESULTS, *, on: bool, max_rows: int = 1000) -> dict:
    calls = []
    previous = validation.COLUMNAR
    validation.COLUMNAR = on
    try:
        report = validate(io.BytesIO(data), schema, CODES, max_rows=max_rows, every=3,
                          progress=calls.append)
    finally:
        validation.COLUMNAR = previous
    return {"report": report.as_dict(), "progress": calls,
            "errors": [(issue.cell, issue.value, issue.code, issue.message)
                       for issue in report.errors]}


def same_both_ways(data: bytes, schema=RESULTS, **options) -> dict:
    with_arrow = told(data, schema, on=True, **options)
    assert with_arrow == told(data, schema, on=False, **options)
    return with_arrow


@pytest.fixture
def counted(monkeypatch):
    """How many files Arrow found clean."""
    found = []
    real = columnar.rows_if_clean

    def spy(*args, **kwargs):
        rows = real(*args, **kwargs)
        found.append(rows)
        return rows
    monkeypatch.setattr(columnar, "rows_if_clean", spy)
    return found


BAD_INPUTS = {
    "bom": csv_bytes([PERIODIC_HEADER, ROW], encoding="utf-8-sig"),
    "windows-1258": csv_bytes([PERIODIC_HEADER, ROW], encoding="cp1258"),
    "trailing empty rows": csv_bytes([PERIODIC_HEADER, ROW, [""] * 7, [], ["", " "]]),
    "title above the header": csv_bytes([["KẾT QUẢ QUAN TRẮC 2026"], [], PERIODIC_HEADER, ROW]),
    "columns in another order": csv_bytes([PERIODIC_HEADER[::-1], ROW[::-1]]),
    "an extra column": csv_bytes([[*PERIODIC_HEADER, "Ghi chú"], [*ROW, "mưa"]]),
    "a long cell in an extra column": csv_bytes([[*PERIODIC_HEADER, "Ghi chú"],
                                                 [*ROW, "x" * 100_001]]),
    "a missing column": csv_bytes([PERIODIC_HEADER[1:], ROW[1:]]),
    "too many rows": csv_bytes([PERIODIC_HEADER, *[[ROW[0], f"{day:02d}/04/2026", *ROW[2:]]
                                                   for day in range(1, 13)]]),
    "an unclosed quote": csv_bytes([PERIODIC_HEADER, ROW]) + b'HNKK1,"04/04/2026,08:00\r\n',
    "quotes and newlines": (csv_bytes([PERIODIC_HEADER, ROW]) +
                            'HNKK1,"04/04/2026",08:00,"air",PM""10,1,µg/m3\r\n'
                            'HNKK1,05/04/2026,"08:00",air,"PM10",2,"µg\r\nm3"\r\n'
                            'HNKK1,06/04/2026,08:00,air,P"M10,3,µg/m3\r'
                            'HNKK1,07/04/2026,08:00,air,"PM"10,4,µg/m3\n'
                            '\n'.encode()),
    "semicolons": csv_bytes([PERIODIC_HEADER, ROW, ROW], delimiter=";"),
    "a short row": csv_bytes([PERIODIC_HEADER, ROW, ROW[:3]]),
    "a long row": csv_bytes([PERIODIC_HEADER, ROW, [ROW[0], "04/04/2026", *ROW[2:], "x"]]),
    "a NUL inside": csv_bytes([PERIODIC_HEADER, ROW]) + b"HNKK1\x00,04/04/2026,08:00,air,"
                                                        b"PM10,1,\xc2\xb5g/m3\r\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_it_reports_the_batch_cases_as_the_csv_path_does(name):
    found = same_both_ways(csv_bytes(CASES[name]))
    assert found["report"]["refused"] is None


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_it_reports_the_bad_inputs_as_the_csv_path_does(name):
    same_both_ways(BAD_INPUTS[name], max_rows=10)


def test_a_clean_file_is_counted_by_arrow_alone(counted):
    found = same_both_ways(csv_bytes(CASES["clean"]))
    assert counted == [20]
    assert found["report"]["rows"] == 20 and found["report"]["ok"]
    assert found["progress"] == [3, 6, 9, 12, 15, 18, 20]


def test_a_file_with_an_issue_is_checked_the_other_way(counted):
    found = same_both_ways(csv_bytes(CASES["bad cells"]))
    assert counted == [None]
    assert [cell for cell, *_rest in found["errors"]] == ["B3", "F4", "D6", "A8"]


def test_a_duplicate_in_another_block_is_found(monkeypatch, counted):
    monkeypatch.setattr(columnar, "BLOCK_BYTES", 512)
    rows = [HEADER, *[good(day, parameter=parameter) for day in range(1, 29)
                      for parameter in ("PM10", "SO2")]]
    clean = same_both_ways(csv_bytes(rows))
    assert clean["report"]["ok"] and clean["report"]["rows"] == 56
    rows.append([*rows[1][:5], "99,5", *rows[1][6:]])
    found = same_both_ways(csv_bytes(rows))
    assert counted == [56, None]
    assert [(cell, code) for cell, _value, code, _message in found["errors"]] == [
        ("E58", "duplicate_key")]


def test_a_new_site_needs_what_makes_it_in_every_block(monkeypatch, counted):
    monkeypatch.setattr(columnar, "BLOCK_BYTES", 256)
    rows = [HEADER, *[good(day, "SONG01") for day in range(1, 12)]]
    assert same_both_ways(csv_bytes(rows))["report"]["ok"]
    rows[8] = [*rows[8][:7], "", *rows[8][8:]]  # no site name: an unknown code
    found = same_both_ways(csv_bytes(rows))
    assert [code for _cell, _value, code, _message in found["errors"]] == ["unknown_code"]
    assert counted == [11, None]


def test_the_inventory_is_checked_as_the_csv_path_does(counted):
    header = ["Năm điều tra", "Mã số thuế", "Tên cơ sở", "Mã tỉnh", "Mã xã, phường", "Ngành",
              "Mã ống khói", "Chiều cao ống khói (m)", "Đường kính ống khói (m)"]
    row = ["2026", "0100109106", "Nhà máy Nhiệt điện Sông Hồng", "01", "00004",
           "thermal_power", "OK1", "80", "3,5"]
    clean = same_both_ways(csv_bytes([header, row, [*row[:6], "OK2", *row[7:]]]), INVENTORY)
    assert clean["report"]["ok"]
    found = same_both_ways(csv_bytes([header, row, row, [*row[:4], "26734", *row[5:]]]),
                           INVENTORY)
    assert [code for *_rest, code, _message in found["errors"]] == [
        "duplicate_key", "duplicate_key", "ward_elsewhere"]
    assert counted == [2, None]


CELL = st.one_of(st.sampled_from(["", " ", "HNKK1", "01/04/2026", "08:00", "air", "PM10",
                                  "45,5", "µg/m3", '"', '""', "a\r\nb", "\r", ",", "Đ"]),
                 st.text(max_size=6))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELL, min_size=6, max_size=8), max_size=6), st.binary(max_size=40))
def test_it_reports_random_files_as_the_csv_path_does(rows, tail):
    data = csv_bytes([PERIODIC_HEADER, ROW, *rows])
    same_both_ways(data)
    same_both_ways(data + tail)
