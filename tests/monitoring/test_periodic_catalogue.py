"""Periodic monitoring results in the catalogue (`monitoring.datasets.PeriodicResults`): two
datasets, ambient sites (open) and facilities' sources (shared), their rows with the
below-detection flag and limit and the survey version, the filters, and the one rule per row."""

from __future__ import annotations

import datetime

import pytest

from envhub.catalog import services
from envhub.catalog.models import Dataset
from envhub.core.permissions import system_actor
from envhub.core.providers import Filters, provider_of
from envhub.core.timeutil import UTC
from envhub.registry import services as registry
from envhub.registry.models import Station, StationKind
from tests.catalog.test_row_scope import download
from tests.monitoring.periodic import load, row

pytestmark = pytest.mark.django_db

AMBIENT = "quan-trac-dinh-ky-ambient-sites"
SOURCES = "quan-trac-dinh-ky-emission-and-discharge-sources"
MARCH, JUNE = datetime.date(2026, 3, 10), datetime.date(2026, 6, 10)


@pytest.fixture
def catalogue(world):
    registry.save(system_actor("tests"), Station(
        code="HNDK1", name="Điểm xả nhà máy (định kỳ)", kind=StationKind.PERIODIC,
        medium="water", source=world.outfall_hn))
    load([row(2, day=MARCH, value=12.5),
          row(3, day=JUNE, parameter="Cd", below=True, limit=0.002),
          row(4, station="SW75", site="Sông Đồng Nai", province="75", latitude=10.95,
              longitude=106.82, day=JUNE, value=8.0),
          row(5, station="HNDK1", day=JUNE, value=90.0)], version=3)
    report = services.sync()
    assert not report.problems
    return world


def test_it_publishes_two_datasets_with_the_monitoring_access_classes(catalogue):
    datasets = {d.identifier: d for d in Dataset.objects.filter(provider="monitoring.periodic")}
    assert set(datasets) == {AMBIENT, SOURCES}
    assert datasets[AMBIENT].access_class == "open"
    assert datasets[SOURCES].access_class == "shared"
    assert datasets[AMBIENT].title_vi == "Kết quả quan trắc định kỳ — môi trường xung quanh"
    assert datasets[AMBIENT].row_count == 3 and datasets[SOURCES].row_count == 1


def test_its_rows_keep_the_limit_of_detection_and_the_survey_version(catalogue):
    status, rows = download(catalogue.client("anonymous"), AMBIENT)
    assert status == 200
    by_key = {(r["station"], r["parameter"], r["time"]): r for r in rows}
    cadmium = by_key[("SW01", "Cd", "2026-06-10T09:30:00+07:00")]
    assert cadmium["value"] == "" and cadmium["below_detection"] in ("True", "true", "1")
    assert float(cadmium["detection_limit"]) == 0.002 and cadmium["unit"] == "mg/L"
    cod = by_key[("SW01", "COD", "2026-03-10T09:30:00+07:00")]
    assert float(cod["value"]) == 12.5 and cod["survey_version"] == "3"
    assert cod["method"] == "SMEWW 5220C:2017" and cod["vimcerts"] == "VIMCERTS 123"
    assert {r["province_code"] for r in rows} == {"01", "75"}


def test_it_filters_by_province_and_period(catalogue):
    dataset = Dataset.objects.get(identifier=AMBIENT)
    provider = provider_of(dataset)
    reader = catalogue.actor("leader")
    hanoi = list(provider.rows(dataset, Filters(province="01", reader=reader)))
    assert {r[0] for r in hanoi} == {"SW01"}
    june = Filters(start=datetime.datetime(2026, 6, 1, tzinfo=UTC), reader=reader)
    assert {(r[0], r[5]) for r in provider.rows(dataset, june)} == {("SW01", "Cd"),
                                                                     ("SW75", "COD")}
    assert provider.count(dataset, june) == 2
    assert provider.span(dataset, june) == (MARCH, JUNE)


@pytest.mark.parametrize("persona, expected", [
    ("anonymous", None), ("operator", None), ("survey", None),
    ("officer", {"HNDK1"}), ("leader", {"HNDK1"}), ("steward", {"HNDK1"}),
])
def test_the_sources_dataset_follows_the_one_rule(catalogue, persona, expected):
    status, rows = download(catalogue.client(persona), SOURCES)
    if expected is None:
        assert status != 200
        return
    assert status == 200 and {r["station"] for r in rows} == expected


def test_an_officer_gets_only_their_provinces_rows_of_a_shared_dataset(catalogue):
    dataset = Dataset.objects.get(identifier=SOURCES)
    dataset.access_class = "shared"
    provider = provider_of(dataset)
    load([row(2, station="DNDK1", site="Điểm Đồng Nai", province="75", latitude=10.95,
              longitude=106.82, day=JUNE, value=5.0)], version=4)
    Station.objects.filter(code="DNDK1").update(facility=catalogue.facility_dn)
    officer = {r[0] for r in provider.rows(dataset, Filters(reader=catalogue.actor("officer")))}
    leader = {r[0] for r in provider.rows(dataset, Filters(reader=catalogue.actor("leader")))}
    assert officer == {"HNDK1"} and leader == {"HNDK1", "DNDK1"}


def test_the_dataset_page_previews_the_results(catalogue):
    response = catalogue.client("anonymous").get(f"/datasets/{AMBIENT}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Kết quả quan trắc định kỳ — môi trường xung quanh" in page
    assert "SW01" in page and "VIMCERTS 123" in page
