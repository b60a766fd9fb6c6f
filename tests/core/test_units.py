"""Units: every spelling a datalogger writes maps to one canonical token, and conversions give the
hand-computed values (emission-standards.md §7: mg/m3 = ppm × M / 24.45 at 25 °C; vn-aqi.md §5:
ppb → µg/m3 before the AQI). Normal (Nm3) and actual (m3) conditions are never equated."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envhub.core import units
from envhub.core.units import (
    MOLAR_MASS,
    UNITS,
    UnitError,
    convert,
    converter,
    dimension,
    equivalent,
    is_known,
    normal_counterpart,
    normalise,
    same_dimension,
    to_normal_conditions,
)

MICRO = "\u00b5"  # MICRO SIGN, the canonical one
MU = "\u03bc"  # GREEK SMALL LETTER MU, what some keyboards and loggers send


@pytest.mark.parametrize("spelling, token", [
    ("mg/Nm3", "mg/Nm3"),
    ("mg/Nm³", "mg/Nm3"),
    ("mg/nm3", "mg/Nm3"),
    ("MG/NM3", "mg/Nm3"),
    (" mg / Nm^3 ", "mg/Nm3"),
    ("mg/m3", "mg/m3"),
    ("mg/m³", "mg/m3"),
    ("ug/m3", "µg/m3"),
    (f"{MICRO}g/m3", "µg/m3"),
    (f"{MU}g/m3", "µg/m3"),
    (f"{MU}g/m³", "µg/m3"),
    ("ug/Nm3", "µg/Nm3"),
    ("ppm", "ppm"),
    ("PPM", "ppm"),
    ("ppmv", "ppm"),
    ("ppb", "ppb"),
    ("%", "%"),
    ("%vol", "%"),
    ("% vol", "%"),
    ("vol%", "%"),
    ("oC", "°C"),
    ("°C", "°C"),
    ("ºC", "°C"),  # masculine ordinal, a look-alike of the degree sign
    ("℃", "°C"),
    ("độ C", "°C"),
    ("đô\u0323 C", "°C"),  # the same, decomposed (NFD input)
    ("C", "°C"),
    ("0C", "°C"),
    ("degC", "°C"),
    ("K", "K"),
    ("m3/h", "m3/h"),
    ("m³/h", "m3/h"),
    ("M3/H", "m3/h"),
    ("Nm3/h", "Nm3/h"),
    ("Nm³/h", "Nm3/h"),
    ("m3/s", "m3/s"),
    ("m3/ngày đêm", "m3/d"),
    ("l/s", "L/s"),
    ("L/s", "L/s"),
    ("mg/l", "mg/L"),
    ("mg/L", "mg/L"),
    ("Pa", "Pa"),
    ("PA", "Pa"),
    ("kPa", "kPa"),
    ("hPa", "hPa"),
    ("mbar", "mbar"),
    ("mmHg", "mmHg"),
    ("atm", "atm"),
    ("m/s", "m/s"),
    ("NTU", "NTU"),
    ("Pt-Co", "Pt-Co"),
    ("Pt/Co", "Pt-Co"),
    ("uS/cm", "µS/cm"),
    (f"{MICRO}S/cm", "µS/cm"),
    (f"{MU}S/cm", "µS/cm"),
    ("mS/cm", "mS/cm"),
    ("-", ""),
    ("", ""),
    ("  ", ""),
    (None, ""),
    ("pH", ""),
    ("°", "°"),
    ("độ", "°"),
    ("mm", "mm"),
])
def test_it_normalises_unit_spellings(spelling, token):
    assert normalise(spelling) == token
    assert is_known(spelling)
    assert token in UNITS


@pytest.mark.parametrize("spelling", ["mg/Nm4", "furlong", "µg", "ppt", "mg/t", "m3/h/m2",
                                      "mg/Nm3 @6% O2", "degF", "x" * 1000])
def test_it_refuses_unknown_units(spelling):
    assert not is_known(spelling)
    with pytest.raises(UnitError, match="unknown unit"):
        normalise(spelling)


@pytest.mark.parametrize("spelling", [42, 1.5, b"mg/L", ["mg/L"]])
def test_it_refuses_a_unit_that_is_not_text(spelling):
    assert not is_known(spelling)
    with pytest.raises(UnitError):
        normalise(spelling)


def test_every_canonical_token_is_its_own_spelling():
    for token in UNITS:
        assert normalise(token) == token


def test_it_knows_every_unit_of_the_registry():
    data = Path(__file__).parents[2] / "envhub" / "registry" / "data" / "parameters.json"
    for parameter in json.loads(data.read_text(encoding="utf-8"))["parameters"]:
        assert normalise(parameter["unit"]) == parameter["unit"], parameter


# Hand-computed: 64.066 / 24.45 = 2.62029; 460.055 / 24.45 = 18.8162; 28.010 / 24.45 = 1.14560;
# 100 × 24.45 / 47.997 = 50.941; 101325 / 760 = 133.3224 Pa per mmHg.
@pytest.mark.parametrize("value, source, target, molar_mass, expected", [
    (1, "ppm", "mg/m3", "SO2", 2.62029),
    (1, "ppm", "mg/Nm3", "SO2", 2.62029),
    (1, "ppm", "mg/Nm3", 64.066, 2.62029),
    (10, "ppb", "µg/m3", "NO2", 18.8162),
    (10, "ppb", f"{MU}g/m3", "no2", 18.8162),
    (100, "ppm", "mg/Nm3", "NOx", 188.162),
    (1000, "ppb", "µg/m3", "CO", 1145.60),
    (1, "ppm", "mg/m3", "CO", 1.14560),
    (2.62029, "mg/m3", "ppm", "SO2", 1.0),
    (100, "µg/m3", "ppb", "O3", 50.941),
    (1, "ppm", "µg/m3", "H2S", 1393.87),
    (1, "ppm", "mg/m3", "NH3", 0.696564),
    (1, "ppm", "mg/m3", "HCl", 1.49121),
    (1, "ppm", "mg/m3", "HF", 0.818241),
    (1, "ppm", "mg/m3", "NO", 1.22724),
    (25, "°C", "K", None, 298.15),
    (25, "oC", "K", None, 298.15),
    (0, "K", "°C", None, -273.15),
    (-40, "độ C", "K", None, 233.15),
    (101.325, "kPa", "mmHg", None, 760.0),
    (760, "mmHg", "Pa", None, 101325.0),
    (1, "atm", "kPa", None, 101.325),
    (1013.25, "hPa", "atm", None, 1.0),
    (1013.25, "mbar", "kPa", None, 101.325),
    (2000, "Pa", "kPa", None, 2.0),
    (1, "kPa", "hPa", None, 10.0),
    (3600, "m3/h", "m3/s", None, 1.0),
    (36, "m³/h", "L/s", None, 10.0),
    (1, "L/s", "m3/h", None, 3.6),
    (1, "m3/s", "l/s", None, 1000.0),
    (2400, "m3/day", "m3/h", None, 100.0),
    (7200, "Nm3/h", "Nm3/s", None, 2.0),
    (1, "mS/cm", "µS/cm", None, 1000.0),
    (1500, "uS/cm", "mS/cm", None, 1.5),
    (1, "mg/Nm3", "µg/Nm3", None, 1000.0),
    (250, "ug/m3", "mg/m3", None, 0.25),
    (1, "mg/L", "µg/L", None, 1000.0),
    (45.2, "mg/l", "mg/L", None, 45.2),
    (1, "ppm", "ppb", None, 1000.0),
    (5, "ppb", "ppm", None, 0.005),
    (20.9, "%vol", "ppm", None, 209000.0),
    (7.2, "-", "", None, 7.2),
    (12, "mm", "m", None, 0.012),
])
def test_it_converts(value, source, target, molar_mass, expected):
    assert convert(value, source, target, molar_mass=molar_mass) == pytest.approx(expected,
                                                                                   rel=2e-5)


def test_the_worked_figures_of_the_brief():
    assert round(convert(1, "ppm", "mg/m3", molar_mass="SO2"), 4) == 2.6203
    assert round(convert(10, "ppb", "µg/m3", molar_mass="NO2"), 1) == 18.8
    assert convert(25, "°C", "K") == 298.15
    assert convert(101.325, "kPa", "mmHg") == pytest.approx(760, abs=1e-9)


def test_a_molar_mass_where_none_is_needed_is_ignored():
    assert convert(1, "mg/Nm3", "µg/Nm3", molar_mass="PM2,5") == 1000.0


def test_the_molar_mass_table():
    assert MOLAR_MASS == {"SO2": 64.066, "NO2": 46.0055, "NO": 30.006, "NOx": 46.0055,
                          "CO": 28.010, "O3": 47.997, "H2S": 34.08, "NH3": 17.031,
                          "HCl": 36.46, "HF": 20.006}
    assert units.MOLAR_VOLUME_25C == 24.45


@pytest.mark.parametrize("value, source, target, kwargs, words", [
    (1, "mg/m3", "mg/Nm3", {}, "different gas conditions"),
    (1, "mg/Nm3", "µg/m3", {}, "different gas conditions"),
    (1, "m3/h", "Nm3/h", {}, "different gas conditions"),
    (1, "ppm", "mg/m3", {}, "molar mass"),
    (1, "ppm", "mg/Nm3", {"molar_mass": "PM2,5"}, "no molar mass known"),
    (1, "ppm", "mg/Nm3", {"molar_mass": -3}, "positive"),
    (1, "ppm", "mg/Nm3", {"molar_mass": float("nan")}, "positive"),
    (1, "ppm", "mg/Nm3", {"molar_mass": True}, "molar mass"),
    (1, "ppm", "mg/Nm3", {"molar_mass": ["SO2"]}, "molar mass"),
    (1, "mg/L", "ppm", {}, "cannot convert"),
    (1, "mg/L", "mg/m3", {}, "cannot convert"),
    (1, "°C", "kPa", {}, "cannot convert"),
    (1, "NTU", "Pt-Co", {}, "cannot convert"),
    (1, "-", "mg/L", {}, "cannot convert pH"),
    (1, "mg/Nm3", "furlong", {}, "unknown unit"),
    (float("nan"), "mg/L", "µg/L", {}, "finite"),
    (float("inf"), "mg/L", "µg/L", {}, "finite"),
    ("abc", "mg/L", "µg/L", {}, "not a number"),
    (None, "mg/L", "µg/L", {}, "not a number"),
    (True, "mg/L", "µg/L", {}, "boolean"),
])
def test_it_refuses_what_it_cannot_convert(value, source, target, kwargs, words):
    with pytest.raises(UnitError, match=words):
        convert(value, source, target, **kwargs)


@pytest.mark.parametrize("a, b, expected", [
    ("mg/nm3", "mg/Nm³", True),
    (f"{MU}g/m3", f"{MICRO}g/m3", True),
    ("hPa", "mbar", True),
    ("%vol", "%", True),
    ("-", "", True),
    ("mg/m3", "mg/Nm3", False),
    ("m3/h", "Nm3/h", False),
    ("°C", "K", False),
    ("kPa", "hPa", False),
    ("ppm", "mg/L", False),
])
def test_it_tells_equivalent_units(a, b, expected):
    assert equivalent(a, b) is expected
    assert equivalent(b, a) is expected


# --- ambient air: normal conditions are the conditions of every concentration ---------------

@pytest.mark.parametrize("value, source, target, molar_mass, expected", [
    (20, "µg/Nm3", "µg/m3", None, 20),
    (20, "ug/Nm3", "µg/m3", None, 20),
    (20, "mcg/Nm3", "ug/m3", None, 20),
    (1.5, "mg/Nm3", "µg/m3", None, 1500),
    (0.002, "g/Nm3", "µg/m3", None, 2000),
    (35, "µg/m3", "µg/Nm3", None, 35),
    (100, "ppb", "µg/Nm3", "NO2", 100 * 46.0055 / 24.45),
    (2, "mg/Nm3", "ppm", "CO", 2 * 24.45 / 28.010),
    (1.5, "mg/m3", "µg/m3", None, 1500),  # the actual units convert as always
])
def test_in_ambient_air_normal_and_actual_concentrations_are_one(value, source, target,
                                                                 molar_mass, expected):
    assert convert(value, source, target, molar_mass=molar_mass, ambient=True) == \
        pytest.approx(expected)


@pytest.mark.parametrize("source, target", [
    ("µg/Nm3", "µg/m3"), ("mg/Nm3", "µg/m3"), ("mg/m3", "mg/Nm3"),
])
def test_elsewhere_normal_and_actual_concentrations_stay_apart(source, target):
    with pytest.raises(UnitError, match="different gas conditions"):
        convert(1, source, target)


@pytest.mark.parametrize("source, target", [("m3/h", "Nm3/h"), ("mg/L", "µg/Nm3")])
def test_ambient_air_equates_concentrations_only(source, target):
    with pytest.raises(UnitError):
        convert(1, source, target, ambient=True)


@pytest.mark.parametrize("a, b, expected", [
    ("µg/Nm3", "µg/m3", True), ("ug/nm3", "µg/m3", True), ("mg/Nm3", "mg/m3", True),
    ("mg/Nm3", "µg/m3", False), ("m3/h", "Nm3/h", False),
])
def test_it_tells_equivalent_units_of_ambient_air(a, b, expected):
    assert equivalent(a, b, ambient=True) is expected
    assert equivalent(a, b) is (a.casefold() == b.casefold())


@pytest.mark.parametrize("a, b, expected", [
    ("°C", "K", True),
    ("m3/h", "L/s", True),
    ("mmHg", "kPa", True),
    ("ppb", "%", True),
    ("mg/m3", "mg/Nm3", False),
    ("m3/h", "Nm3/h", False),
    ("ppm", "mg/Nm3", False),
    ("mg/L", "mg/m3", False),
])
def test_it_tells_the_same_dimension(a, b, expected):
    assert same_dimension(a, b) is expected


def test_equivalent_refuses_unknown_units_rather_than_answering():
    with pytest.raises(UnitError):
        equivalent("mg/Nm3", "furlong")
    with pytest.raises(UnitError):
        same_dimension("bogus", "mg/Nm3")


@pytest.mark.parametrize("unit, counterpart", [
    ("mg/m3", "mg/Nm3"), ("ug/m3", "µg/Nm3"), ("m³/h", "Nm3/h"), ("m3/s", "Nm3/s"),
    ("mg/Nm3", None), ("°C", None), ("mg/L", None),
])
def test_it_names_the_normal_conditions_unit(unit, counterpart):
    assert normal_counterpart(unit) == counterpart


def test_dimensions_have_names():
    assert dimension("mg/nm3") == "mass_concentration_normal"
    assert dimension("mg/m3") == "mass_concentration_actual"
    assert dimension("-") == "ph"


@pytest.mark.parametrize("value, temperature_c, pressure_kpa, expected", [
    (100, 25, 101.325, 100.0),
    # 100 × 423.15 / 298.15 × 101.325 / 100 = 143.806
    (100, 150, 100, 143.806),
    # 50 × 353.15 / 298.15 × 101.325 / 95 = 63.1666
    (50, 80, 95, 63.1666),
])
def test_it_normalises_to_25_c_and_1_atm(value, temperature_c, pressure_kpa, expected):
    assert to_normal_conditions(value, temperature_c, pressure_kpa) == pytest.approx(
        expected, rel=1e-4)


@pytest.mark.parametrize("args", [(1, -274, 101.325), (1, 25, 0), (1, 25, -1),
                                  (float("nan"), 25, 101.325), (1, "hot", 101.325)])
def test_it_refuses_impossible_stack_conditions(args):
    with pytest.raises(UnitError):
        to_normal_conditions(*args)


def test_a_converter_converts_a_column():
    to_kelvin = converter("oC", "K")
    assert [to_kelvin(v) for v in (0, 25, 100)] == [273.15, 298.15, 373.15]


GAS_MASS_UNITS = ["mg/Nm3", "µg/Nm3", "mg/m3", "µg/m3"]
SAME_DIMENSION_PAIRS = [(a, b) for a in UNITS for b in UNITS if same_dimension(a, b)]


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
       st.sampled_from(SAME_DIMENSION_PAIRS))
def test_converting_there_and_back_gives_the_value(value, pair):
    a, b = pair
    assert convert(convert(value, a, b), b, a) == pytest.approx(value, rel=1e-9, abs=1e-9)


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False),
       st.sampled_from(["ppm", "ppb", "%"]), st.sampled_from(GAS_MASS_UNITS),
       st.sampled_from(sorted(MOLAR_MASS)))
def test_gas_conversions_go_there_and_back(value, fraction, mass, gas):
    there = convert(value, fraction, mass, molar_mass=gas)
    assert convert(there, mass, fraction, molar_mass=gas) == pytest.approx(value, rel=1e-9)


@given(st.text(max_size=30))
def test_normalise_answers_a_token_or_unit_error(text):
    try:
        assert normalise(text) in UNITS
    except UnitError:
        assert not is_known(text)


@given(st.one_of(st.floats(), st.integers(), st.text(max_size=5), st.none()),
       st.sampled_from(sorted(UNITS)), st.sampled_from(sorted(UNITS)),
       st.one_of(st.none(), st.floats(), st.sampled_from(sorted(MOLAR_MASS))))
def test_convert_raises_only_unit_error(value, source, target, molar_mass):
    try:
        result = convert(value, source, target, molar_mass=molar_mass)
    except UnitError:
        return
    assert math.isfinite(result)


def test_it_refuses_a_result_out_of_range():
    with pytest.raises(UnitError, match="out of range"):
        convert(1e308, "mg/L", "µg/L")
    with pytest.raises(UnitError, match="not a number"):
        convert(10**400, "mg/L", "µg/L")
