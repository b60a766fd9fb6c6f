"""Loading periodic monitoring results (`monitoring.samples.load_periodic`): samples and
observations in the automatic road's series and units, below-detection results kept as such,
new periodic stations, automatic stations refused, corrected versions, all or nothing."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from envhub.core import audit
from envhub.core.errors import Forbidden
from envhub.core.timeutil import UTC
from envhub.monitoring.models import (
    PERIODIC_BATCH,
    LatestValue,
    Observation,
    RollupQueue,
    Sample,
    Series,
    StationStatus,
)
from envhub.monitoring.samples import LoadRefused, load_periodic
from envhub.registry.models import Station, StationKind
from tests.monitoring.periodic import load, row

pytestmark = pytest.mark.django_db

# 09:30 on 10 March 2026 in Viet Nam is 02:30 UTC.
SAMPLED = datetime.datetime(2026, 3, 10, 2, 30, tzinfo=UTC)


def test_it_loads_detected_and_below_detection_results(world):
    summary = load([row(2, parameter="COD", value=12.5),
                    row(3, parameter="Cd", below=True, limit=0.002, value=None),
                    row(4, parameter="pH", value=7.2, unit="")], version=7,
                   operator_id=world.survey_unit.id)
    assert (summary.rows, summary.samples, summary.observations, summary.below_detection) == \
        (3, 3, 2, 1)
    station = Station.objects.get(code="SW01")
    samples = {s.series.parameter.code: s for s in Sample.objects.select_related(
        "series__parameter").filter(series__station=station)}
    cadmium = samples["Cd"]
    # Below detection: the flag and the limit, never a zero.
    assert cadmium.below_detection and cadmium.detection_limit == 0.002
    assert cadmium.value is None and cadmium.written_value == 0.002
    assert samples["COD"].value == 12.5 and not samples["COD"].below_detection
    assert samples["COD"].detection_limit is None
    assert {s.time for s in samples.values()} == {SAMPLED}
    assert {s.survey_version for s in samples.values()} == {7}
    assert samples["COD"].method == "SMEWW 5220C:2017"
    assert samples["COD"].vimcerts == "VIMCERTS 123"
    observations = {o.series.parameter.code: o for o in Observation.objects.select_related(
        "series__parameter").filter(series__station=station)}
    assert set(observations) == {"COD", "pH"}  # nothing for the result below detection
    assert observations["COD"].value == 12.5 and observations["COD"].time == SAMPLED
    assert observations["COD"].status == 0 and observations["COD"].batch_id == PERIODIC_BATCH
    assert not Observation.objects.filter(value=0).exists()


def test_it_converts_to_the_canonical_unit_as_the_ingestion_road_does(world):
    load([row(2, parameter="COD", value=12.5, unit="µg/L"),
          row(3, parameter="Cd", below=True, limit=2.0, unit="ug/L")])
    cod = Sample.objects.get(series__parameter__code="COD")
    assert cod.value == pytest.approx(0.0125) and cod.written_value == 12.5
    assert cod.written_unit == "µg/L"
    cadmium = Sample.objects.get(series__parameter__code="Cd")
    assert cadmium.detection_limit == pytest.approx(0.002) and cadmium.written_value == 2.0
    assert Observation.objects.get().value == pytest.approx(0.0125)


@pytest.mark.parametrize("unit", ["kg", "mg/Nm3", "furlongs"])
def test_it_refuses_a_unit_the_parameter_cannot_be_read_in(world, unit):
    with pytest.raises(LoadRefused) as refused:
        load([row(2), row(3, parameter="TSS", unit=unit)])
    assert refused.value.line == 3 and refused.value.reason == "wrong_unit"
    assert "Dòng 3" in refused.value.message
    assert not Sample.objects.exists()


def test_it_creates_a_periodic_station_with_its_point_checked(world):
    summary = load([row(2, station="sw02", site="Hồ Tây — điểm 2", latitude=21.05,
                        longitude=105.82)], operator_id=world.survey_unit.id)
    station = Station.objects.get(code="SW02")
    assert summary.stations_created == ["SW02"]
    assert station.kind == StationKind.PERIODIC and station.medium == "water"
    assert station.name == "Hồ Tây — điểm 2" and station.province == world.hanoi
    assert (station.latitude, station.longitude) == (21.05, 105.82)
    assert station.operator == world.survey_unit
    assert audit.events().filter(action="create", object_type="registry.station",
                                 object_id=str(station.pk)).exists()


def test_it_refuses_a_new_site_outside_viet_nam(world):
    with pytest.raises(LoadRefused) as refused:
        load([row(2), row(3, station="SW09", latitude=13.75, longitude=100.5)])  # Bangkok
    assert refused.value.line == 3 and refused.value.reason == "outside_vietnam"
    assert "Việt Nam" in refused.value.message
    assert not Station.objects.filter(code__in=["SW01", "SW09"]).exists()


def test_it_refuses_a_new_site_without_what_it_takes(world):
    with pytest.raises(LoadRefused) as refused:
        load([row(5, station="SW09", latitude=None)])
    assert (refused.value.line, refused.value.reason) == (5, "unknown_station")


def test_it_refuses_to_write_into_an_automatic_station(world):
    with pytest.raises(LoadRefused) as refused:
        load([row(2), row(3, station="hnkk1", medium="air", parameter="PM10", unit="µg/m3")])
    assert refused.value.line == 3 and refused.value.reason == "automatic_station"
    assert "HNKK1" in refused.value.message
    assert not Sample.objects.exists()
    assert not Observation.objects.filter(series__station=world.air_hn).exists()


def test_it_refuses_a_result_without_its_sampling_time(world):
    with pytest.raises(LoadRefused) as refused:
        load([row(2), row(3, at=None)])
    assert (refused.value.line, refused.value.reason) == (3, "time_needed")
    assert "giờ lấy mẫu" in refused.value.message


def test_a_failing_row_mid_load_leaves_nothing(world):
    rows = [row(line, day=datetime.date(2026, 1, 1) + datetime.timedelta(days=line))
            for line in range(2, 30)]
    rows.append(row(30, parameter="NOPE"))
    before = (Station.objects.count(), Series.objects.count(), audit.events().count())
    with pytest.raises(LoadRefused) as refused:
        load(rows, chunk_rows=10)  # two chunks are written before line 30 fails
    assert refused.value.line == 30
    assert not Sample.objects.exists() and not Observation.objects.exists()
    assert (Station.objects.count(), Series.objects.count(), audit.events().count()) == before


def test_replaces_deletes_exactly_what_the_old_version_wrote(world):
    march, april = datetime.date(2026, 3, 10), datetime.date(2026, 4, 10)
    load([row(2, value=10.0), row(3, parameter="Cd", below=True, limit=0.002),
          row(4, day=april, value=11.0)], version=1)
    load([row(2, station="SW03", site="Điểm 3", value=30.0)], version=2)
    summary = load([row(2, value=10.5), row(3, parameter="Cd", value=0.004)], version=3,
                   replaces=[1])
    assert (summary.replaced_samples, summary.replaced_observations) == (3, 2)
    kept = Sample.objects.order_by("series__station__code", "series__parameter__code")
    assert [(s.series.station.code, s.series.parameter.code, s.survey_version, s.value)
            for s in kept] == [("SW01", "COD", 3, 10.5), ("SW01", "Cd", 3, 0.004),
                               ("SW03", "COD", 2, 30.0)]
    assert sorted(Observation.objects.values_list("value", flat=True)) == [0.004, 10.5, 30.0]
    assert not Observation.objects.filter(time__date=april).exists()
    # The latest value follows what is left: the April value is gone.
    latest = LatestValue.objects.get(series__station__code="SW01",
                                     series__parameter__code="COD")
    assert latest.value == 10.5 and latest.time.date() == march


def test_it_refuses_a_value_another_version_holds(world):
    load([row(2, value=10.0)], version=1)
    with pytest.raises(LoadRefused) as refused:
        load([row(2, station="SW05", site="Điểm 5"), row(3, value=11.0)], version=2)
    assert (refused.value.line, refused.value.reason) == (3, "already_stored")
    assert "phiên bản dữ liệu điều tra 1" in refused.value.message
    assert list(Sample.objects.values_list("survey_version", "value")) == [(1, 10.0)]


def test_it_refuses_a_version_loaded_twice_and_an_actor_who_may_not_load(world):
    load([row(2)], version=1)
    with pytest.raises(LoadRefused):
        load([row(2, day=datetime.date(2026, 5, 1))], version=1)
    with pytest.raises(Forbidden):
        load([row(2, day=datetime.date(2026, 5, 1))], version=2, actor=world.actor("survey"))


def test_it_keeps_latest_values_and_queues_no_rollups(world):
    load([row(2, value=10.0), row(3, day=datetime.date(2026, 3, 11), value=14.0)])
    latest = LatestValue.objects.get()
    assert latest.value == 14.0
    status = StationStatus.objects.get(station__code="SW01")
    assert status.last_received_at is None  # not a datalogger's sign of life
    assert status.last_data_at == latest.time
    assert '"COD"' in status.latest_values
    assert not RollupQueue.objects.exists()


def test_it_records_one_audit_event_per_load(world):
    load([row(line, day=datetime.date(2026, 1, line)) for line in range(2, 12)], version=42)
    events = audit.events().filter(action="load_periodic_results")
    assert events.count() == 1
    event = events.get()
    assert event.object_id == "42" and event.changes["loaded"][1]["samples"] == 10


def test_ten_thousand_rows_load_in_chunks_with_bounded_queries(world):
    stations = [f"SW{n:02d}" for n in range(10)]
    parameters = ["COD", "BOD5", "TSS", "NH4", "TP", "TN", "DO", "Fe", "Cu", "Zn"]
    first = datetime.date(2025, 1, 1)

    def rows():
        line = 1
        for day in range(100):
            for code in stations:
                for parameter in parameters:
                    line += 1
                    below = parameter == "Cu"
                    yield row(line, station=code, site=f"Điểm {code}", parameter=parameter,
                              value=1.0 + day / 10, below=below, limit=0.01 if below else None,
                              day=first + datetime.timedelta(days=day))

    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        summary = load_periodic(world.actor("steward"), rows(), survey_version=5,
                                operator_id=world.survey_unit.id)
    assert (summary.samples, summary.observations, summary.below_detection) == \
        (10_000, 9_000, 1_000)
    assert Sample.objects.count() == 10_000 and Observation.objects.count() == 9_000
    # Per chunk of 5,000 rows a handful of statements; per new station its creation; per
    # series its latest value: never a query per row.
    assert len(queries) < 600, len(queries)


def test_it_refuses_to_overwrite_a_dataloggers_value(world):
    load([row(2, value=10.0)], version=1)
    series = Series.objects.get(station__code="SW01", parameter__code="COD")
    sent = SAMPLED + datetime.timedelta(days=1)
    Observation.objects.create(series=series, time=sent, value=3.0, status=0, batch_id=99)
    with pytest.raises(LoadRefused) as refused:
        load([row(2, station="SW06", site="Điểm 6"),
              row(3, day=datetime.date(2026, 3, 11), value=11.0)], version=2)
    assert (refused.value.line, refused.value.reason) == (3, "already_stored")
    assert "datalogger" in refused.value.message
    assert Observation.objects.get(series=series, time=sent).value == 3.0
    assert not Sample.objects.filter(survey_version=2).exists()
