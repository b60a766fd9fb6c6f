"""Each loader from an approved file to the database: periodic results become samples and
observations of periodic stations (a new site created, below-detection values kept as such),
visible on the station's page and in the catalogue; a correction is version 2, which replaces
version 1's values while both files download as they were; the inventory shows its changes
first and loads exactly those."""

from __future__ import annotations

import hashlib
import io

import pytest

from envhub.monitoring.models import Observation, Sample
from envhub.registry.models import AnnualInventory, Facility, Source, Station, StationKind
from envhub.surveys import checking, loading, workflow
from envhub.surveys.models import LoadState, State
from tests.surveys.files import csv_bytes

pytestmark = pytest.mark.django_db

RESULTS = ["Mã điểm quan trắc", "Tên điểm quan trắc", "Mã tỉnh", "Vĩ độ", "Kinh độ",
           "Ngày lấy mẫu", "Giờ lấy mẫu", "Thành phần môi trường", "Thông số", "Giá trị",
           "Đơn vị", "Dưới giới hạn phát hiện", "Giới hạn phát hiện", "Phương pháp",
           "Phòng thí nghiệm"]


def results_file(cod: str = "18,5") -> bytes:
    site = ["SONG-NHUE-1", "Sông Nhuệ tại cầu Hà Đông", "01", "20,97", "105,78"]
    return csv_bytes([
        RESULTS,
        [*site, "16/03/2026", "09:00", "water", "COD", cod, "mg/L", "", "",
         "SMEWW 5220C:2017", "Phòng thí nghiệm A"],
        [*site, "16/03/2026", "09:00", "water", "As", "", "mg/L", "<LOD", "0,001",
         "SMEWW 3114B:2017", "Phòng thí nghiệm A"],
    ])


def approve_and_load(world, assignment, data: bytes, name: str, **approve):
    unit, steward = world.actor("survey"), world.actor("steward")
    item = workflow.upload(unit, assignment.pk, io.BytesIO(data), name)
    checking.run()
    item.refresh_from_db()
    assert item.is_clean, item.report
    workflow.submit(unit, item.submission_id)
    version = workflow.approve(steward, item.submission_id, **approve)
    loading.run()
    version.refresh_from_db()
    return version


def test_periodic_results_reach_the_station_page_and_the_catalogue(world, campaign):
    version = approve_and_load(world, campaign.periodic, results_file(), "ket-qua.csv")
    assert version.load_state == LoadState.LOADED, version.load_error
    station = Station.objects.get(code="SONG-NHUE-1")
    assert (station.kind, station.operator_id) == (StationKind.PERIODIC, world.survey_unit.pk)
    arsenic = Sample.objects.get(series__station=station, series__parameter__code="As")
    assert (arsenic.below_detection, arsenic.detection_limit, arsenic.value) == (
        True, 0.001, None)
    assert arsenic.survey_version == version.pk
    assert Observation.objects.filter(series__station=station).count() == 1  # COD only
    for persona in ("survey", "steward", "leader"):
        page = world.client(persona).get(f"/stations/{station.code}/")
        html = page.content.decode()
        assert page.status_code == 200 and "18,5" in html and "LOD" in html, persona
    assert world.client("survey2").get(f"/stations/{station.code}/").status_code == 404
    version.submission.refresh_from_db()
    assert version.submission.state == State.LOADED


def test_a_correction_is_version_2_and_both_files_download_as_they_were(world, campaign):
    first, second = results_file("18,5"), results_file("21")
    v1 = approve_and_load(world, campaign.periodic, first, "v1.csv")
    v2 = approve_and_load(world, campaign.periodic, second, "v2.csv")
    assert (v1.number, v2.number, v2.load_state) == (1, 2, LoadState.LOADED)
    values = list(Observation.objects.filter(series__station__code="SONG-NHUE-1")
                  .values_list("value", flat=True))
    assert values == [21.0]
    assert set(Sample.objects.values_list("survey_version", flat=True)) == {v2.pk}
    client = world.client("survey")
    for version, data in ((v1, first), (v2, second)):
        response = client.get(f"/surveys/versions/{version.pk}/download")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body == data and hashlib.sha256(body).hexdigest() == version.sha256


INVENTORY = ["Năm điều tra", "Mã số thuế", "Tên cơ sở", "Mã tỉnh", "Mã xã, phường", "Ngành",
             "Mã ống khói", "Chiều cao ống khói", "Nhiên liệu"]


def test_the_inventory_shows_its_changes_and_loads_exactly_them(world, campaign):
    ward = world.facility_hn.ward.code
    data = csv_bytes([
        INVENTORY,
        ["2026", world.facility_hn.tax_code, world.facility_hn.name, "01", ward,
         "thermal_power", "OK1", "95", "Than cám"],
        ["2026", "0109876500", "Nhà máy Gạch Kim Lan", "01", ward, "other", "OK1", "30", "Củi"],
    ])
    unit, steward = world.actor("survey"), world.actor("steward")
    item = workflow.upload(unit, campaign.inventory.pk, io.BytesIO(data), "kiem-ke.csv")
    checking.run()
    item.refresh_from_db()
    assert item.is_clean, item.report
    plan = item.plan
    assert plan["counts"]["facilities"]["new"] == 1 and plan["counts"]["stacks"]["changed"] == 1
    workflow.submit(unit, item.submission_id)
    page = world.client("steward").get(f"/surveys/submissions/{item.submission_id}/")
    assert "inventory-diff" in page.content.decode()
    version = workflow.approve(steward, item.submission_id, plan_fingerprint=plan["fingerprint"])
    assert loading.run() == 1
    version.refresh_from_db()
    assert version.load_state == LoadState.LOADED, version.load_error
    assert Source.objects.get(pk=world.stack_hn.pk).stack_height_m == 95
    new = Facility.objects.get(tax_code="0109876500")
    assert AnnualInventory.objects.filter(source__facility=new,
                                          survey_version=version.pk).count() == 1


def test_the_inventory_is_not_loaded_when_the_registry_changed_since(world, campaign):
    data = csv_bytes([INVENTORY, ["2026", world.facility_hn.tax_code, world.facility_hn.name,
                                  "01", world.facility_hn.ward.code, "thermal_power", "OK1",
                                  "95", "Than cám"]])
    unit, steward = world.actor("survey"), world.actor("steward")
    item = workflow.upload(unit, campaign.inventory.pk, io.BytesIO(data), "kiem-ke.csv")
    checking.run()
    item.refresh_from_db()
    workflow.submit(unit, item.submission_id)
    version = workflow.approve(steward, item.submission_id,
                               plan_fingerprint=item.plan["fingerprint"])
    Source.objects.filter(pk=world.stack_hn.pk).update(stack_height_m=90)
    loading.run()
    version.refresh_from_db()
    assert version.load_state == LoadState.FAILED and version.load_error
    assert Source.objects.get(pk=world.stack_hn.pk).stack_height_m == 90
