"""The units of received values (issue 14 §1.1, §1.4, §1.5), through the files a datalogger
sends: ambient air in µg/Nm3 or mg/Nm3 is taken (normal conditions are ambient air's own); a
value without a unit is rejected unless the station declares the unit its datalogger uses; a
stack's mg/m3 is read as mg/Nm3 only where the station declares that its datalogger reports at
normal conditions, and is otherwise kept at the stack's conditions and flagged."""

from __future__ import annotations

import pytest
from django.test import Client

from envhub.accounts import services as accounts
from envhub.core.permissions import system_actor
from envhub.monitoring import ingest
from envhub.monitoring.models import Observation, StackConditionsHour
from envhub.registry import services as registry
from envhub.registry.models import Parameter
from tests.monitoring.files import local, tt10_file, utc

pytestmark = pytest.mark.django_db

T = local(2026, 11, 20, 8, 0)
HOUR_END = utc(2026, 11, 20, 8, 0)


def send(station, lines):
    [report] = ingest.ingest(system_actor("tests"), "folder", [tt10_file(station, T, lines)])
    return report


def stored(station, code):
    return Observation.objects.filter(series__station=station,
                                      series__parameter__code=code).values_list(
        "value", flat=True).first()


def declare(station, code, unit):
    parameter = Parameter.objects.get(medium=station.medium, code=code)
    registry.declare_unit(system_actor("tests"), station, parameter, unit)


# --- ambient air: µg/Nm3 and mg/Nm3 ------------------------------------------------------------

@pytest.mark.parametrize("symbol, value, unit, expected", [
    ("PM2,5", 20, "µg/Nm3", 20.0),
    ("PM10", 35, "ug/Nm3", 35.0),
    ("PM1", 12, "mcg/Nm3", 12.0),
    ("TSP", 0.09, "mg/Nm3", 90.0),
    ("SO2", 80, "µg/Nm3", 80.0),
    ("NO2", 0.04, "mg/Nm3", 40.0),
    ("O3", 120, "μg/Nm³", 120.0),  # Greek mu and a superscript three
    ("CO", 1.5, "mg/Nm3", 1500.0),
    ("CO", 2500, "µg/m3", 2500.0),
])
def test_ambient_air_in_normal_cubic_metres_is_taken_as_it_is(world, symbol, value, unit,
                                                             expected):
    report = send(world.air_hn, [(symbol, value, unit)])
    assert (report.status, report.rejects, report.notes) == ("accepted", [], [])
    code = Parameter.objects.get(medium="air", aliases__alias__iexact=symbol).code
    assert stored(world.air_hn, code) == pytest.approx(expected)


def test_every_ambient_concentration_is_taken_in_normal_cubic_metres(world):
    concentrations = Parameter.objects.filter(medium="air", unit="µg/m3").order_by("code")
    assert concentrations.count() >= 10
    lines = [(p.code, 10 + n, "µg/Nm3" if n % 2 else "mg/Nm3")
             for n, p in enumerate(concentrations)]
    report = send(world.air_hn, lines)
    assert (report.status, report.accepted) == ("accepted", len(lines))
    for n, p in enumerate(concentrations):
        assert stored(world.air_hn, p.code) == pytest.approx((10 + n) * (1 if n % 2 else 1000))


def test_a_stack_in_micrograms_per_normal_cubic_metre_is_converted_not_equated(world):
    report = send(world.station_stack_hn, [("SO2", 120_000, "µg/Nm3")])
    assert report.status == "accepted"
    assert stored(world.station_stack_hn, "SO2") == pytest.approx(120.0)


# --- a value without a unit ---------------------------------------------------------------------

@pytest.mark.parametrize("station, symbol, value", [
    ("air_hn", "CO", 1.5),  # 1,000 times off if the logger meant mg/m3
    ("air_hn", "PM10", 40),
    ("station_stack_hn", "O2", 6.2),
    ("station_stack_hn", "SO2", 100),
    ("station_outfall_hn", "COD", 60),
    ("station_outfall_hn", "Temp", 28),
])
def test_a_value_without_a_unit_is_rejected(world, station, symbol, value):
    station = getattr(world, station)
    report = send(station, [(symbol, value, "")])
    assert report.status == "rejected"
    [reject] = report.rejects
    assert (reject.line, reject.code) == (1, "missing_unit")
    assert not Observation.objects.exists()


def test_a_scale_without_a_unit_needs_none(world):
    # pH is the one parameter without a unit: its empty unit is right, not missing.
    assert list(Parameter.objects.filter(unit="").values_list("code", flat=True)) == ["pH"]
    report = send(world.station_outfall_hn, [("pH", 7.2, ""), ("COD", 60, "mg/L")])
    assert (report.status, report.accepted, report.notes) == ("accepted", 2, [])
    assert stored(world.station_outfall_hn, "pH") == 7.2


@pytest.mark.parametrize("station, symbol, declared, value, expected", [
    ("air_hn", "CO", "mg/m3", 1.5, 1500.0),
    ("air_hn", "CO", "µg/m3", 1500, 1500.0),
    ("air_hn", "NO2", "ppb", 10, 10 * 46.0055 / 24.45),
    ("air_hn", "PM2_5", "µg/Nm3", 20, 20.0),
    ("station_stack_hn", "O2", "%", 6.2, 6.2),
    ("station_stack_hn", "SO2", "ppm", 35, 35 * 64.066 / 24.45),
    ("station_outfall_hn", "COD", "mg/L", 60, 60.0),
    ("station_outfall_hn", "Temp", "°C", 28, 28.0),
])
def test_a_value_without_a_unit_is_read_in_the_unit_the_station_declares(
        world, station, symbol, declared, value, expected):
    station = getattr(world, station)
    declare(station, symbol, declared)
    report = send(station, [(symbol, value, "")])
    assert (report.status, report.rejects) == ("accepted", [])
    assert stored(station, symbol) == pytest.approx(expected)


def test_a_declaration_is_for_its_station_and_parameter_only(world):
    declare(world.air_hn, "CO", "mg/m3")
    report = send(world.air_hn, [("CO", 1.5, ""), ("SO2", 5, "")])
    assert [(r.line, r.code) for r in report.rejects] == [(2, "missing_unit")]
    assert [r.code for r in send(world.air_dn, [("CO", 1.5, "")]).rejects] == ["missing_unit"]
    # A unit written on the line wins over the declaration.
    late = tt10_file(world.air_hn, local(2026, 11, 20, 8, 5), [("CO", 900, "ug/m3")])
    [report] = ingest.ingest(system_actor("tests"), "folder", [late])
    assert report.status == "accepted"
    assert sorted(Observation.objects.filter(series__parameter__code="CO").values_list(
        "value", flat=True)) == [900.0, 1500.0]


def test_a_withdrawn_declaration_rejects_such_lines_again(world):
    declare(world.air_hn, "CO", "mg/m3")
    declare(world.air_hn, "CO", "")
    assert [r.code for r in send(world.air_hn, [("CO", 1.5, "")]).rejects] == ["missing_unit"]


# --- a stack's mg/m3 ----------------------------------------------------------------------------

STACK_LINES = [("SO2", 100, "mg/m3"), ("NOx", 250, "mg/Nm3"), ("Temp", 150, "oC"),
               ("P", 100, "kPa")]


def test_a_stack_s_mg_per_m3_is_kept_at_the_stack_s_conditions_and_flagged(world):
    report = send(world.station_stack_hn, STACK_LINES)
    assert (report.status, report.accepted) == ("accepted", 4)
    assert stored(world.station_stack_hn, "SO2") == 100.0  # as sent, not normalised here
    [note] = report.notes  # why the value waits for the stack's temperature and pressure
    assert "mg/m3" in note
    flagged = StackConditionsHour.objects.values_list(
        "series__parameter__code", "hour_end")
    assert list(flagged) == [("SO2", HOUR_END)]


def test_a_stack_in_micrograms_per_cubic_metre_is_scaled_and_flagged(world):
    report = send(world.station_stack_hn, [("SO2", 100_000, "µg/m3")])
    assert report.status == "accepted"
    assert stored(world.station_stack_hn, "SO2") == pytest.approx(100.0)
    assert StackConditionsHour.objects.count() == 1


def test_a_station_that_reports_at_normal_conditions_has_its_mg_per_m3_read_as_mg_per_nm3(
        world):
    station = world.station_stack_hn
    station.logger_normal_conditions = True
    registry.save(system_actor("tests"), station)
    report = send(station, STACK_LINES)
    assert (report.status, report.accepted, report.notes) == ("accepted", 4, [])
    assert stored(station, "SO2") == 100.0
    assert not StackConditionsHour.objects.exists()


def test_a_flag_is_noted_only_for_values_stored(world):
    send(world.station_stack_hn, [("SO2", 100, "mg/Nm3")])
    # The same time again in mg/m3: a conflict, the first value stays, nothing is flagged.
    again = tt10_file(world.station_stack_hn, local(2026, 11, 20, 8, 0, 30),
                      [("SO2", 90, "mg/m3", 0, T)])
    [report] = ingest.ingest(system_actor("tests"), "folder", [again])
    assert report.conflicts == 1
    assert not StackConditionsHour.objects.exists()


def test_the_units_rules_hold_through_the_http_receiver(world):
    issued = accounts.create_token(system_actor(), name="logger", station=world.air_hn)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issued.plain}", "HTTP_ACCEPT_LANGUAGE": "en"}
    file = tt10_file(world.air_hn, T, [("PM2,5", 20, "µg/Nm3"), ("CO", 1.5, "")])
    response = Client().post("/api/v1/ingest/files", data=file.content,
                             content_type="text/plain", HTTP_X_FILENAME=file.name, **headers)
    assert response.status_code == 200, response.content
    [report] = response.json()["results"]
    assert (report["status"], report["accepted"]) == ("partial", 1)
    assert [(r["line"], r["code"]) for r in report["rejects"]] == [(2, "missing_unit")]
    assert "unit" in report["rejects"][0]["message"]
    assert stored(world.air_hn, "PM2_5") == 20.0
