"""A survey unit's CSV, read and checked by the survey validation, fed row by row to the
inventory's planner (`on_row`), shown as a diff, then loaded: the typed values the validation
gives are what the registry compares and stores."""

from __future__ import annotations

import io

import pytest
from django.db import transaction

from envhub.registry.inventory import InventoryPlanner, apply_inventory
from envhub.registry.models import AnnualInventory, Facility
from envhub.surveys import tableschema
from envhub.surveys.codes import RegistryCodes
from envhub.surveys.validation import validate
from tests.surveys.files import csv_bytes

pytestmark = pytest.mark.django_db

HEADER = ["Năm điều tra", "Mã số thuế", "Tên cơ sở", "Mã tỉnh", "Mã xã, phường", "Ngành",
          "Mã ống khói", "Chiều cao ống khói (m)", "Lưu lượng khí thải (m3/h)",
          "Lượng nhiên liệu sử dụng (tấn/năm)", "Sản lượng", "Đơn vị sản lượng"]


def planned(data: bytes):
    planner = InventoryPlanner()
    report = validate(io.BytesIO(data), tableschema.built_in("emission_inventory"),
                      RegistryCodes.load(), max_rows=1000, on_row=planner.on_row)
    return report, planner.diff()


def test_a_checked_file_is_planned_and_loaded_as_the_diff_said(world):
    ward = world.facility_hn.ward.code
    data = csv_bytes([
        HEADER,
        ["2026", "0100109106", "Nhà máy Nhiệt điện Sông Hồng", "01", ward, "thermal_power",
         "ok1", "85,5", "52000", "120.000,5", "600", "GWh"],
        ["2026", "0100233488-002", "Chi nhánh Giấy Bãi Bằng", "01", "", "pulp_paper",
         "K1", "40", "", "5000", "", ""],
    ])
    report, diff = planned(data)
    assert report.ok, report.errors
    shown = diff.as_dict()
    assert shown["counts"]["facilities"] == {"new": 1, "changed": 0, "unchanged": 1}
    assert shown["counts"]["stacks"] == {"new": 1, "changed": 1, "unchanged": 0}
    assert shown["stacks"]["changed"][0]["changes"][0]["after"] == 85.5
    with transaction.atomic():
        summary = apply_inventory(world.actor("steward"), diff, survey_version=3,
                                  expected=shown["fingerprint"])
    assert summary["annual"]["created"] == 2
    record = AnnualInventory.objects.get(source=world.stack_hn, year=2026)
    assert (record.flow_m3h, record.fuel_use_t, record.production, record.production_unit) == (
        52000.0, 120000.5, 600.0, "GWh")
    assert Facility.objects.get(tax_code="0100233488002").name == "Chi nhánh Giấy Bãi Bằng"


def test_a_row_with_errors_is_a_problem_of_the_plan(world):
    data = csv_bytes([
        HEADER,
        ["2026", "0100109106", "Nhà máy Nhiệt điện Sông Hồng", "01", "", "thermal_power",
         "OK1", "0,1", "", "", "", ""],  # below the lowest stack height
    ])
    report, diff = planned(data)
    assert not report.ok
    assert diff.problems == [(2, "Dòng 2 có lỗi khi kiểm tra dữ liệu điều tra: không thể nạp.")]
