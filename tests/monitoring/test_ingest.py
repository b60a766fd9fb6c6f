"""The ingestion service: every value arrives once with its provenance, or is rejected with a
reason its sender can read."""

from __future__ import annotations

import contextlib
import datetime
import threading

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from envhub.accounts.models import AuditEvent
from envhub.core.errors import Forbidden
from envhub.core.permissions import actor_for_token, system_actor
from envhub.monitoring import ingest
from envhub.monitoring.formats import tt10
from envhub.monitoring.ingest import checks
from envhub.monitoring.models import Batch, BatchFile, BatchStatus, Observation, RollupQueue
from tests.monitoring.files import local, raw_file, tt10_file, utc

pytestmark = pytest.mark.django_db

T = local(2026, 11, 20, 8, 0)


def send(files, actor=None, **kwargs):
    return ingest.ingest(actor or system_actor("tests"), "folder", files, **kwargs)


def values(station):
    return {
        (code, time): (value, status)
        for code, time, value, status in Observation.objects.filter(
            series__station=station
        ).values_list("series__parameter__code", "time", "value", "status")
    }


def test_it_stores_each_value_once_with_its_provenance(world):
    station = world.station_stack_hn
    [report] = send([tt10_file(station, T, [
        ("SO2", 120.5, "mg/Nm3"), ("NOx", 310, "mg/Nm3"), ("PM", 22.4, "mg/Nm3"),
        ("O2", 6.2, "%"), ("Temp", 145, "oC"),
    ])])
    assert (report.status, report.accepted, report.rejected) == ("accepted", 5, 0)
    stored = values(station)
    assert stored[("SO2", utc(2026, 11, 20, 8, 0))] == (120.5, 0)
    assert stored[("Temp", utc(2026, 11, 20, 8, 0))] == (145.0, 0)
    batch = Batch.objects.get(pk=report.batch_id)
    assert batch.station == station and batch.channel == "folder"
    assert batch.sender == "tests" and len(batch.sha256) == 64
    assert bytes(BatchFile.objects.get(batch=batch).content).startswith(b"SO2\t120.5")
    assert set(Observation.objects.values_list("batch_id", flat=True)) == {batch.id}


def test_it_rejects_bad_lines_with_their_line_number_and_keeps_the_rest(world):
    station = world.air_hn
    text = ("PM2,5\t35,2\tug/m3\t20261120080000\t00\r\n"
            "PM10\tn/a\tug/m3\t20261120080000\t00\r\n"
            "XYZ\t1\tppm\t20261120080000\t00\r\n"
            "NO2\t20\tppb\t20261120080000\t07\r\n"
            "SO2\t-5.25\tug/m3\t20261120080000\t00\r\n"
            "CO\t1.1\tmg/m3\t20261120080000\t00\r\n\r\n")
    [report] = send([raw_file(station, T, text)])
    assert report.status == "partial"
    assert (report.lines, report.accepted, report.rejected) == (6, 2, 4)
    assert [(r.line, r.code) for r in report.rejects] == [
        (2, "bad_value"), (3, "unknown_parameter"), (4, "bad_status"), (5, "out_of_range")]
    # The value as sent, every decimal, written the Vietnamese way (core/numbers.py).
    assert "Giá trị -5,25 µg/m3 nằm ngoài" in report.rejects[3].message
    stored = values(station)
    assert stored[("PM2_5", utc(2026, 11, 20, 8))] == (35.2, 0)
    # Units are converted to the canonical unit: 1.1 mg/m3 CO is 1100 µg/m3.
    assert stored[("CO", utc(2026, 11, 20, 8))] == (pytest.approx(1100.0), 0)


def test_it_converts_ppb_to_micrograms_at_25_degrees(world):
    [report] = send([tt10_file(world.air_hn, T, [("NO2", 10, "ppb")])])
    assert report.accepted == 1
    value, _status = values(world.air_hn)[("NO2", utc(2026, 11, 20, 8))]
    assert value == pytest.approx(10 * 46.0055 / 24.45)


def test_it_refuses_a_unit_of_another_dimension(world):
    [report] = send([tt10_file(world.station_stack_hn, T, [("SO2", 100, "mg/L")])])
    assert [r.code for r in report.rejects] == ["bad_unit"]
    assert report.status == "rejected"


def test_it_keeps_calibration_and_error_values_with_their_status(world):
    [report] = send([raw_file(world.station_outfall_hn, T,
                              "COD\t80\tmg/L\t20261120080000\t01\n"
                              "TSS\t\tmg/L\t20261120080000\t02\n"
                              "pH\t-3\t\t20261120080000\t02\n")])
    assert report.accepted == 3
    stored = values(world.station_outfall_hn)
    assert stored[("COD", utc(2026, 11, 20, 8))] == (80.0, 1)
    assert stored[("TSS", utc(2026, 11, 20, 8))] == (None, 2)
    # An impossible value from a failing device is kept as sent, under its status, and said so.
    assert stored[("pH", utc(2026, 11, 20, 8))] == (-3.0, 2)
    assert any("01 (" in note and "02 (" in note for note in report.notes)


def test_it_refuses_values_from_the_future(world):
    future = datetime.datetime.now() + datetime.timedelta(hours=9)  # local wall clock + margin
    [report] = send([tt10_file(world.air_hn, future.replace(microsecond=0),
                               [("PM10", 40, "ug/m3")])])
    assert [r.code for r in report.rejects] == ["future_time"]


def test_it_says_so_when_the_same_file_comes_twice(world):
    file = tt10_file(world.air_hn, T, [("PM10", 40, "ug/m3"), ("PM2,5", 20, "ug/m3")])
    first, = send([file])
    second, = send([file])
    assert second.status == BatchStatus.DUPLICATE_FILE
    assert (second.accepted, second.duplicates, second.duplicate_of) == (0, 2, first.batch_id)
    assert Observation.objects.count() == 2
    assert Batch.objects.count() == 2  # the second arrival is recorded too


def test_a_repeated_file_is_recorded_without_keeping_its_bytes_twice(world):
    file = tt10_file(world.air_hn, T, [("PM10", 40, "ug/m3")])
    first, = send([file])
    second, = send([file])
    batch = Batch.objects.get(pk=second.batch_id)
    assert batch.duplicate_of == first.batch_id
    assert bytes(BatchFile.objects.get(batch=batch).content) == b""
    assert bytes(BatchFile.objects.get(batch_id=first.batch_id).content) == file.content


def test_a_file_resent_after_its_rejected_lines_were_fixed_in_the_registry_gets_them_in(world):
    from envhub.registry.models import Parameter, ParameterAlias

    file = tt10_file(world.air_hn, T, [("PM10", 40, "ug/m3"), ("PM-10c", 55, "ug/m3")])
    first, = send([file])
    assert [r.code for r in first.rejects] == ["unknown_parameter"]
    # The steward teaches the registry this logger's spelling; the operator resends the file.
    ParameterAlias.objects.create(parameter=Parameter.objects.get(medium="air", code="PM1"),
                                  alias="PM-10c")
    again, = send([file])
    assert (again.status, again.accepted, again.duplicates) == ("accepted", 1, 1)
    assert values(world.air_hn)[("PM1", utc(2026, 11, 20, 8))] == (55.0, 0)


def test_it_keeps_the_first_value_and_reports_a_conflict(world):
    send([tt10_file(world.air_hn, T, [("PM10", 40, "ug/m3")])])
    other = tt10_file(world.air_hn, T, [("PM10", 44, "ug/m3"), ("PM2,5", 20, "ug/m3")])
    other.name = other.name.replace("080000", "080001")  # another file, same readings' time
    [report] = send([other])
    assert (report.accepted, report.conflicts, report.status) == (1, 1, "partial")
    assert report.conflict_details[0]["kept"] == 40.0
    assert report.conflict_details[0]["sent"] == 44.0
    assert values(world.air_hn)[("PM10", utc(2026, 11, 20, 8))] == (40.0, 0)


def test_a_value_resent_unchanged_in_another_file_is_a_duplicate_not_a_conflict(world):
    send([tt10_file(world.air_hn, T, [("PM10", 40, "ug/m3")])])
    again = tt10_file(world.air_hn, T, [("PM10", 40, "ug/m3"), ("O3", 70, "ug/m3")])
    [report] = send([again])
    assert (report.accepted, report.duplicates, report.conflicts) == (1, 1, 0)


def test_a_steward_can_replace_and_it_is_audited(world):
    send([tt10_file(world.air_hn, T, [("PM10", 40, "ug/m3")])])
    fixed = tt10_file(world.air_hn, T, [("PM10", 41.5, "ug/m3")])
    [report] = send([fixed], actor=world.actor("steward"), replace=True)
    assert report.accepted == 1
    assert values(world.air_hn)[("PM10", utc(2026, 11, 20, 8))] == (41.5, 0)
    assert AuditEvent.objects.filter(action="ingest_replace").exists()
    with pytest.raises(Forbidden):
        send([fixed], actor=world.actor("officer"), replace=True)


def test_two_files_in_one_upload_for_the_same_time_keep_the_first(world):
    a = tt10_file(world.air_hn, T, [("PM10", 40, "ug/m3")])
    b = tt10_file(world.air_hn, local(2026, 11, 20, 8, 0, 1), [("PM10", 50, "ug/m3", 0, T)])
    first, second = send([a, b])
    assert (first.accepted, second.accepted, second.conflicts) == (1, 0, 1)


def test_repeats_within_one_upload_are_told_apart_in_files_of_one_time_or_several(world):
    a = tt10_file(world.air_hn, T, [("PM10", 40, "ug/m3")])
    # Two times in one file: the same PM10 as `a` (a duplicate) and a new SO2 five minutes on.
    b = tt10_file(world.air_hn, local(2026, 11, 20, 8, 0, 1),
                  [("PM10", 40, "ug/m3", 0, T), ("SO2", 7, "ug/m3", 0, local(2026, 11, 20, 8, 5))])
    c = tt10_file(world.air_hn, local(2026, 11, 20, 8, 0, 2), [("PM10", 50, "ug/m3", 0, T)])
    first, second, third = send([a, b, c])
    assert (first.accepted, first.duplicates, first.conflicts) == (1, 0, 0)
    assert (second.status, second.accepted, second.duplicates, second.conflicts) == (
        "accepted", 1, 1, 0)
    assert (third.status, third.accepted, third.conflicts) == ("partial", 0, 1)
    [detail] = third.conflict_details
    assert (detail["kept"], detail["sent"], detail["parameter"]) == (40.0, 50.0, "PM10")
    assert detail["time"].startswith("2026-11-20T08:00:00")
    assert Batch.objects.get(pk=third.batch_id).conflict_details == [detail]
    second_batch = Batch.objects.get(pk=second.batch_id)
    assert (second_batch.first_time, second_batch.last_time) == (
        utc(2026, 11, 20, 8, 5), utc(2026, 11, 20, 8, 5))  # its own new value only
    assert values(world.air_hn)[("PM10", utc(2026, 11, 20, 8))] == (40.0, 0)
    assert values(world.air_hn)[("SO2", utc(2026, 11, 20, 8, 5))] == (7.0, 0)


@pytest.mark.parametrize("name, code", [
    ("nonsense.txt", "wrong_part_count"),
    ("HN_X_NOPE_20261120080000.txt", "unknown_station"),
    ("HN_NDSH_HNKT1_20261320080000.txt", "bad_time"),
    ("../../etc/passwd", "bad_extension"),
])
def test_it_rejects_a_file_it_cannot_place(world, name, code):
    [report] = send([ingest.IncomingFile(name, b"PM10\t1\tug/m3\t20261120080000\t00\n")])
    assert report.status == "rejected"
    assert [r.code for r in report.rejects] == [code]
    assert Observation.objects.count() == 0
    assert Batch.objects.get(pk=report.batch_id).status == "rejected"


@pytest.mark.parametrize("content, code", [
    (b"", "empty_file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "binary_content"),
    ("PM10\t1\tµg/m3\t20261120080000\t00\n".encode("cp1252"), "not_utf8"),
])
def test_it_rejects_a_file_it_cannot_read(world, content, code):
    file = ingest.IncomingFile(f"{world.air_hn.tt10_prefix}20261120080000.txt", content)
    [report] = send([file])
    assert [r.code for r in report.rejects] == [code]


def test_it_refuses_an_oversized_file_without_keeping_it(world, settings):
    settings.ENVHUB_MAX_FILE_BYTES = 1000
    big = "PM10\t1\tug/m3\t20261120080000\t00\n" * 100
    [report] = send([raw_file(world.air_hn, T, big)])
    assert [r.code for r in report.rejects] == ["too_large"]
    assert bytes(BatchFile.objects.get(batch_id=report.batch_id).content) == b""


def test_changed_limits_apply_to_the_next_file_received_at_the_same_time(world, settings):
    # The limits are worked out once for the files of a slice (they share their arrival
    # time), and again when the settings change.
    actor, now = system_actor("tests"), utc(2026, 11, 20, 9, 0)
    file = tt10_file(world.air_hn, T, [("PM10", 40, "ug/m3"), ("SO2", 12, "ug/m3")])
    assert ingest.check_file(actor, file, now).report.rejects == []
    settings.ENVHUB_MAX_FILE_LINES = 1
    rejects = ingest.check_file(actor, file, now).report.rejects
    assert [r.code for r in rejects] == ["too_many_lines"]
    settings.ENVHUB_MAX_FILE_LINES = 10_000
    settings.ENVHUB_FUTURE_TOLERANCE_MINUTES = 0
    settings.ENVHUB_MAX_AGE_DAYS = 1
    late = tt10_file(world.air_hn, T - datetime.timedelta(days=2), [("PM10", 40, "ug/m3")])
    assert [r.code for r in ingest.check_file(actor, late, now).report.rejects] == ["too_old"]


def test_a_station_may_only_send_for_itself(world):
    from envhub.accounts import services

    issued = services.create_token(system_actor(), name="x", station=world.station_stack_hn)
    actor = actor_for_token(issued.token)
    own, other = send([
        tt10_file(world.station_stack_hn, T, [("SO2", 100, "mg/Nm3")]),
        tt10_file(world.station_stack_dn, T, [("SO2", 100, "mg/Nm3")]),
    ], actor=actor)
    assert own.status == "accepted"
    assert [r.code for r in other.rejects] == ["unknown_station"]
    assert other.station is None
    assert not Observation.objects.filter(series__station=world.station_stack_dn).exists()
    [refusal] = AuditEvent.objects.filter(action="ingest_refused")
    assert refusal.changes == {"station": [None, world.station_stack_dn.code]}


@pytest.mark.parametrize("persona, station, allowed", [
    ("operator", "station_stack_hn", True),
    ("operator", "station_stack_hn2", False),   # another enterprise's facility
    ("officer", "station_stack_hn2", True),
    ("officer", "station_stack_dn", False),
    ("leader", "air_hn", False),
    ("survey", "air_hn", False),
    ("steward", "station_stack_dn", True),
])
def test_it_decides_who_may_send_for_which_station(world, persona, station, allowed):
    target = getattr(world, station)
    symbol = {"air": "PM10", "emission": "SO2", "water": "COD"}[target.medium]
    unit = {"air": "ug/m3", "emission": "mg/Nm3", "water": "mg/L"}[target.medium]
    [report] = send([tt10_file(target, T, [(symbol, 10, unit)])], actor=world.actor(persona))
    assert (report.status == "accepted") is allowed


def test_it_finds_a_station_by_its_code_when_the_prefix_is_stale_and_says_so(world):
    file = tt10_file(world.air_hn, T, [("PM10", 40, "ug/m3")])
    province, rest = file.name.split("_", 1)
    file.name = "HANOI_" + rest  # the province part renamed (provinces were merged in 2025)
    [report] = send([file])
    assert report.status == "accepted"
    assert report.station == "HNKK1"
    # The note names both prefixes, so the operator can fix the datalogger.
    assert any(file.name.rsplit("_", 1)[0] + "_" in note and world.air_hn.tt10_prefix in note
               for note in report.notes)


def test_a_station_code_alone_does_not_claim_a_file_from_another_site(world):
    file = tt10_file(world.air_hn, T, [("PM10", 40, "ug/m3")])
    file.name = "DN_OTHER_" + file.name.split("_", 2)[2]  # another site's logger, same code
    [report] = send([file])
    assert report.status == "rejected" and report.station is None
    [reject] = report.rejects
    assert reject.code == "unknown_station"
    assert "DN_OTHER_HNKK1_" in reject.message and world.air_hn.tt10_prefix in reject.message
    assert not Observation.objects.filter(series__station=world.air_hn).exists()


def test_it_queues_the_touched_hours_for_the_rollups(world):
    send([tt10_file(world.air_hn, T, [("PM10", 40, "ug/m3"),
                                      ("PM2,5", 20, "ug/m3", 0, local(2026, 11, 20, 8, 5))])])
    hours = sorted(RollupQueue.objects.values_list("hour_end", flat=True))
    assert hours == [utc(2026, 11, 20, 8), utc(2026, 11, 20, 9)]


def test_it_notes_when_a_station_last_sent(world):
    from envhub.monitoring.models import StationStatus

    # Files that arrive live (FTP, HTTP) are a sign of life of the station.
    send([tt10_file(world.air_hn, T, [("PM10", 40, "ug/m3")])], live=True)
    send([tt10_file(world.air_hn, local(2026, 11, 19, 8, 0), [("PM10", 40, "ug/m3")])], live=True)
    status = StationStatus.objects.get(station=world.air_hn)
    # A late file does not move the newest value back in time.
    assert status.last_data_at == utc(2026, 11, 20, 8)
    assert status.last_received_at is not None


def test_it_keeps_a_files_exact_bytes_and_deletes_them_with_its_batch(world):
    file = tt10_file(world.station_stack_hn, T, [("SO2", 120.5, "mg/Nm3")])
    [report] = send([file])
    batch = Batch.objects.get(pk=report.batch_id)
    assert bytes(batch.raw.content) == file.content
    batch.delete()
    assert not BatchFile.objects.filter(batch_id=report.batch_id).exists()


# --- a file accepted whole -----------------------------------------------------------------------

_SYMBOLS = ["PM10", "PM2,5", "pm10", "SO2", "CO", "RH", "Temp", "XYZ", ""]
_UNITS = ["ug/m3", "µg/m3", "ppb", "mg/m3", "", "kg", "mg/Nm3", "%", "oC"]
# Symbols with a unit as their parameter's own (in another spelling for some).
_PLAIN_SPELLINGS = [("PM10", "ug/m3"), ("pm10", "ug/m3"), ("PM2,5", "ug/m3"), ("SO2", "ug/m3"),
                    ("CO", "ug/m3"), ("RH", "%"), ("Temp", "oC")]


@hypothesis_settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(lines=st.lists(st.tuples(
    st.sampled_from(_SYMBOLS), st.one_of(st.none(), st.floats(-50, 2e6, allow_nan=False),
                                         st.sampled_from([-31.0, 0.0, 55.5, 99.0, 150.0])),
    st.sampled_from(_UNITS), st.sampled_from([-60 * 24 * 400, -60, 0, 5, 60 * 24 * 3]),
    st.sampled_from(["00", "01", "02"])), min_size=1, max_size=8))
def test_a_file_is_checked_as_its_values_one_by_one(world, lines):
    """`check_file` may accept a file whole (its lines at one time, each as sent); for every
    file the outcome must be what `check_value` gives line by line: the same values, rejects
    and notes."""
    text = "".join(
        f"{symbol}\t{'' if value is None else repr(value)}\t{unit}\t"
        f"{T + datetime.timedelta(minutes=minutes):%Y%m%d%H%M%S}\t{status}\n"
        for symbol, value, unit, minutes, status in lines)
    incoming = raw_file(world.air_hn, T, text)
    now = utc(2026, 11, 20, 9, 0)
    prepared = ingest.check_file(system_actor("tests"), incoming, now)

    expected = ingest.BatchReport(file_name=incoming.name)
    parsed = tt10.parse(incoming.content)
    outcomes = [checks.check_value(reading, prepared.station,
                                   checks.limits_at(now).accepted_times, expected)
                for reading in parsed.readings]
    assert prepared.values == [o for o in outcomes if type(o) is tuple]
    line_rejects = [r for r in prepared.report.rejects
                    if r.code not in {e.reason_code for e in parsed.line_errors}]
    assert line_rejects == [o for o in outcomes if type(o) is not tuple]
    assert prepared.report.notes == expected.notes


@hypothesis_settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(lines=st.lists(st.builds(
    lambda spelling, value, status: (spelling[0], value, spelling[1], status),
    # Mostly a symbol and unit that need nothing done, so that whole files often do too.
    st.one_of(st.sampled_from(_PLAIN_SPELLINGS),
              st.tuples(st.sampled_from(_SYMBOLS[:-1]), st.sampled_from(_UNITS))),
    st.one_of(st.floats(-50, 2e6, allow_nan=False),
              st.sampled_from([-31.0, -0.0, 0.0, 55.5, 60.0, 100.0, 150.0])),
    st.sampled_from(["00", "01", "02"])),
    min_size=1, max_size=5, unique_by=lambda line: line[0].lower()),
    minutes=st.sampled_from([-60 * 24 * 400, -60, 0, 60 * 24 * 3]),
    instrument_range=st.booleans())
def test_a_usual_file_is_taken_whole_only_as_its_lines_would_be(world, lines, minutes,
                                                                instrument_range):
    """A file whose lines share one time may be accepted whole (`_accept_whole_file`); the
    outcome must still be what `check_value` gives line by line."""
    from envhub.monitoring.models import Series
    from envhub.registry.models import Parameter

    Series.objects.update_or_create(
        station=world.air_hn, parameter=Parameter.objects.get(code="PM10"),
        defaults={"range_max": 120 if instrument_range else None})
    ingest.directory.forget()
    at = T + datetime.timedelta(minutes=minutes)
    text = "".join(f"{symbol}\t{value!r}\t{unit}\t{at:%Y%m%d%H%M%S}\t{status}\n"
                   for symbol, value, unit, status in lines)
    incoming = raw_file(world.air_hn, T, text)
    now = utc(2026, 11, 20, 9, 0)
    prepared = ingest.check_file(system_actor("tests"), incoming, now)

    expected = ingest.BatchReport(file_name=incoming.name)
    outcomes = [checks.check_value(reading, prepared.station,
                                   checks.limits_at(now).accepted_times, expected)
                for reading in tt10.parse(incoming.content).readings]
    assert prepared.values == [o for o in outcomes if type(o) is tuple]
    assert prepared.report.rejects == [o for o in outcomes if type(o) is not tuple]
    assert prepared.report.notes == expected.notes
    assert prepared.report.lines == len(lines)
    times = {value[1] for value in prepared.values}
    assert (prepared.first_time, prepared.last_time) == (
        (min(times), max(times)) if times else (None, None))


def test_the_usual_file_is_taken_whole_without_a_look_at_each_line(world, monkeypatch):
    monkeypatch.setattr(checks, "check_value", None)
    [report] = send([tt10_file(world.air_hn, T, [("PM10", 40, "ug/m3"), ("SO2", 12.5, "ug/m3"),
                                                 ("PM2,5", 20, "ug/m3", 1)])])
    assert (report.status, report.accepted, report.lines) == ("accepted", 3, 3)
    assert sorted(Observation.objects.values_list("value", "status")) == [
        (12.5, 0), (20.0, 1), (40.0, 0)]


def test_a_file_accepted_whole_leaves_an_instrument_range_to_the_value_check(world):
    from envhub.monitoring.models import Series
    from envhub.registry.models import Parameter

    pm10 = Parameter.objects.get(code="PM10")
    Series.objects.create(station=world.air_hn, parameter=pm10, range_max=500)
    ingest.directory.forget()
    [report] = send([tt10_file(world.air_hn, T, [("PM10", 600, "ug/m3"), ("PM10", 50, "ug/m3",
                                                                          0, T - HOUR)])])
    assert [r.code for r in report.rejects] == ["outside_instrument_range"]
    assert report.accepted == 1


HOUR = datetime.timedelta(hours=1)


def test_a_file_whose_station_was_deleted_meanwhile_is_refused_without_a_station(world):
    from envhub.registry.models import Province, Station

    station = Station.objects.create(code="GONE1", name="Trạm tạm", kind="auto_air",
                                     medium="air", province=Province.objects.get(code="01"),
                                     latitude=21.0, longitude=105.8)
    station.derive()
    station.save()
    ingest.directory.forget()
    actor = system_actor("tests")
    now = utc(2026, 11, 20, 9, 0)
    prepared = ingest.check_files(actor, [tt10_file(station, T, [("PM10", 40, "ug/m3")])],
                                  now)
    assert prepared[0].station is not None  # read while the station existed
    Station.objects.filter(pk=station.pk).delete()
    [report] = ingest.write(actor, "folder", prepared, now=now)
    assert (report.status, report.station, report.accepted) == ("rejected", None, 0)
    assert [r.code for r in report.rejects] == ["unknown_station"]
    batch = Batch.objects.get(pk=report.batch_id)
    assert batch.station_id is None and batch.status == "rejected"
    assert not Observation.objects.exists()


# --- reading ahead (a backfill) -----------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_reading_ahead_in_a_thread_gives_what_reading_in_turn_gives(world):
    from envhub.monitoring import parallel

    actor = system_actor("tests")
    files = [tt10_file(world.air_hn, T + i * datetime.timedelta(minutes=5),
                       [("PM10", 40 + i, "ug/m3"), ("SO2", 5 + i, "ug/m3")]) for i in range(9)]
    files.append(ingest.IncomingFile(f"{world.air_hn.tt10_prefix}20261120999999.txt", b"x"))
    files.append(files[0])  # the same file again, in a later slice
    slices = [files[0:4], files[4:8], files[8:]]
    reader = parallel.reader(actor, 0)
    assert isinstance(reader, parallel.ThreadReader)
    reports = []
    try:
        for number, (_items, checked, now, plan) in enumerate(reader.checked(slices)):
            # The second slice is written without opening the gate: the third is read
            # meanwhile all the same, while this thread waits for it. (Whether a slice was
            # planned ahead depends on when the thread ran; the outcome may not.)
            opened = reader.gate.opened if number != 1 else contextlib.nullcontext
            reports += ingest.write(actor, "folder", checked, now=now, plan=plan,
                                    while_database_works=opened)
    finally:
        reader.close()
    assert [r.status for r in reports] == ["accepted"] * 9 + ["rejected", "duplicate_file"]
    assert [r.file_name for r in reports] == [f.name for f in files]
    assert [r.accepted for r in reports] == [2] * 9 + [0, 0]
    assert reports[-1].duplicate_of == reports[0].batch_id
    assert values(world.air_hn) == {
        (code, utc(2026, 11, 20, 8, 5 * i)): (float(base + i), 0)
        for i in range(9) for code, base in (("PM10", 40), ("SO2", 5))}
    assert Batch.objects.count() == 11


@pytest.mark.django_db(transaction=True)
def test_a_read_ahead_left_half_way_does_not_leave_its_thread_waiting(world):
    # The caller takes the first slice and stops (an error, Ctrl-C) without closing the
    # reader: the thread reading the second slice must not wait at the gate for ever, or
    # the process could not end.
    from envhub.monitoring import parallel

    actor = system_actor("tests")
    files = [tt10_file(world.air_hn, T + i * datetime.timedelta(minutes=5),
                       [("PM10", 40 + i, "ug/m3")]) for i in range(2)]
    reader = parallel.ThreadReader(actor)
    slices = reader.checked([files[:1], files[1:]])
    next(slices)
    slices.close()
    finished = threading.Thread(target=reader._executor.shutdown)
    finished.start()
    finished.join(timeout=30)
    assert not finished.is_alive()


def planned_elsewhere(files, now):
    """Files checked and planned as a reading process does it: the plan goes with the files,
    not with their values (`backfill.without_values`)."""
    from envhub.monitoring import backfill

    actor = system_actor("tests")
    checked = ingest.check_files(actor, files, now)
    planned = ingest.plan_slice(checked)
    assert planned is not None
    backfill.without_values(checked, planned)
    assert all(f.values is None for f in checked if f.readable)
    # The plan names the slice's series only, not every series of the directory.
    assert {station for station, _parameter in planned.series_ids} == {
        f.station.id for f in checked if f.readable}
    return checked, planned


@pytest.mark.django_db(transaction=True)  # the series known once committed
def test_files_planned_without_their_values_are_written_as_the_others(world):
    now = timezone.now()
    first = tt10_file(world.air_hn, T, [("PM10", 40, "ug/m3"), ("SO2", 5, "ug/m3")])
    send([first])  # the station's series exist
    sent = [tt10_file(world.air_hn, T + i * datetime.timedelta(minutes=5),
                      [("PM10", 40 + i, "ug/m3"), ("SO2", 5 + i, "ug/m3")]) for i in range(1, 4)]
    # A file received before (its values are counted as duplicates), and one that sends
    # another value for a stored time (a conflict, found only by the database).
    again = first
    conflicting = raw_file(world.air_hn, T + datetime.timedelta(seconds=30),
                           f"PM10\t41\tug/m3\t{T:%Y%m%d%H%M%S}\t00\n")
    prepared, planned = planned_elsewhere([*sent, again, conflicting], now)
    reports = ingest.write(system_actor("tests"), "folder", prepared, now=now, plan=planned)
    assert [r.status for r in reports] == ["accepted"] * 3 + ["duplicate_file", "partial"]
    assert reports[3].duplicates == 2
    assert reports[4].conflicts == 1
    assert reports[4].conflict_details[0]["kept"] == 40.0
    assert values(world.air_hn)[("PM10", utc(2026, 11, 20, 8, 15))] == (43.0, 0)
    assert Observation.objects.filter(series__station=world.air_hn).count() == 8
