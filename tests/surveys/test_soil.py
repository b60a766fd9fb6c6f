"""Periodic monitoring results of soil (đất): a soil result file validates against the
built-in schema and loads into samples and observations of a soil station, its values in
µg/kg, g/kg or % converted to the parameters' mg/kg of dry soil."""

from __future__ import annotations

import io

import pytest

from envhub.core import units
from envhub.monitoring.models import Observation, Sample
from envhub.registry.models import Medium, Parameter, Station
from envhub.surveys import tableschema
from envhub.surveys.codes import RegistryCodes
from envhub.surveys.models import LoadState
from envhub.surveys.validation import validate
from tests.surveys.files import csv_bytes
from tests.surveys.test_loaders_end_to_end import RESULTS, approve_and_load

SITE = ["DAT-HN-01", "Đất nông nghiệp xã Đông Anh", "01", "21,14", "105,85"]


def soil_file(*rows) -> bytes:
    return csv_bytes([RESULTS, *[[*SITE, "10/05/2026", "08:30", "soil", *row,
                                  "TCVN 8467:2010", "Phòng thí nghiệm A"] for row in rows]])


GOOD = [["As", "12,4", "mg/kg", "", ""], ["Cd", "850", "µg/kg", "", ""],
        ["Pb", "0,035", "g/kg", "", ""], ["Zn", "0,01", "%", "", ""],
        ["Hg", "", "mg/kg", "<LOD", "0,05"]]


@pytest.mark.parametrize(("value", "unit", "expected"), [
    (12.4, "mg/kg", 12.4), (850, "µg/kg", 0.85), (850, "ug/kg", 0.85), (0.035, "g/kg", 35),
    (0.01, "%", 100), (1, "mg/kg DW", 1), (1, "mg/kg khô", 1),
])
def test_it_converts_soil_mass_fractions_to_mg_per_kg(value, unit, expected):
    assert units.convert(value, unit, "mg/kg") == pytest.approx(expected)


def test_it_keeps_gas_shares_apart_from_soil_mass_fractions():
    for unit in ("ppm", "ppb", "mg/L", "mg/m3"):
        assert not units.can_be_read_as(unit, "mg/kg"), unit
    assert units.convert(25_000, "mg/kg", "%") == pytest.approx(2.5)


@pytest.mark.django_db
def test_the_soil_parameters_are_reference_data_in_mg_per_kg(world):
    soil = dict(Parameter.objects.filter(medium=Medium.SOIL).values_list("code", "unit"))
    assert {"As", "Cd", "Pb", "Cu", "Zn", "Cr", "Hg"} <= set(soil)
    assert set(soil.values()) == {"mg/kg"}


def test_a_soil_result_file_validates_and_a_wrong_unit_is_told():
    codes = RegistryCodes(
        keys={("registry:province", ("code",)): {("01",)}, ("registry:station", ("code",)): set(),
              ("registry:parameter", ("medium", "code")): {("soil", "As"), ("soil", "Cd"),
                                                          ("soil", "Pb"), ("soil", "Zn"),
                                                          ("soil", "Hg")}},
        parameter_units={("soil", code): "mg/kg" for code in ("As", "Cd", "Pb", "Zn", "Hg")})
    schema = tableschema.built_in("periodic_results")
    report = validate(io.BytesIO(soil_file(*GOOD)), schema, codes, max_rows=100)
    assert report.ok, [issue.as_dict() for issue in report.errors]
    bad = validate(io.BytesIO(soil_file(["As", "12,4", "mg/L", "", ""])), schema, codes,
                   max_rows=100)
    assert [(issue.cell, issue.code) for issue in bad.errors] == [("K2", "wrong_unit")]
    assert "mg/kg" in bad.errors[0].message


@pytest.mark.django_db
def test_a_soil_result_file_loads_into_samples_of_a_soil_station(world, campaign):
    version = approve_and_load(world, campaign.periodic, soil_file(*GOOD), "dat.csv")
    assert version.load_state == LoadState.LOADED, version.load_error
    station = Station.objects.get(code="DAT-HN-01")
    assert station.medium == Medium.SOIL
    values = dict(Observation.objects.filter(series__station=station).values_list(
        "series__parameter__code", "value"))
    assert values == pytest.approx({"As": 12.4, "Cd": 0.85, "Pb": 35.0, "Zn": 100.0})
    mercury = Sample.objects.get(series__station=station, series__parameter__code="Hg")
    assert (mercury.below_detection, mercury.detection_limit, mercury.value) == (
        True, 0.05, None)
    page = world.client("steward").get(f"/stations/{station.code}/")
    assert page.status_code == 200 and "12,4" in page.content.decode()
