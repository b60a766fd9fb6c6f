"""Registry validations: tax codes, coordinates, station codes, parameter aliases, consistency."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from envhub.core.errors import InvalidInput
from envhub.core.permissions import system_actor
from envhub.registry import services
from envhub.registry.models import (
    Facility,
    Organisation,
    OrganisationKind,
    Parameter,
    ParameterAlias,
    Source,
    Station,
    StationKind,
)
from envhub.registry.validators import tax_code

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", [
    "0100109106", "0100109106-001", "0100109106001", " 0100109106 ", "0100 109 106",
    "０１００１０９１０６",  # full-width digits from an input method are read as digits
])
def test_it_accepts_valid_tax_codes(value):
    tax_code(value)


@pytest.mark.parametrize("value, code", [
    ("0100109107", "tax_code_checksum"),       # wrong check digit
    ("010010910", "tax_code_length"),          # 9 digits
    ("01001091060", "tax_code_length"),        # 11 digits
    ("0100109106-01", "tax_code_length"),      # 12 digits
    ("01001091A6", "tax_code_length"),         # a letter
    ("", "tax_code_length"),
    ("٠١٠٠١٠٩١٠٦", "tax_code_length"),         # Arabic-Indic digits are not ours
])
def test_it_refuses_invalid_tax_codes(value, code):
    with pytest.raises(ValidationError) as error:
        tax_code(value)
    assert error.value.code == code


def _facility(world, **changes) -> Facility:
    facility = Facility.objects.get(pk=world.facility_hn.pk)
    for key, value in changes.items():
        setattr(facility, key, value)
    return facility


def _errors(actor, obj) -> dict:
    with pytest.raises(InvalidInput) as error:
        services.save(actor, obj)
    return error.value.details


@pytest.mark.parametrize("lat, lon", [
    (17.9757, 102.6331),   # Vientiane, Laos
    (11.5564, 104.9282),   # Phnom Penh
    (22.8170, 108.3665),   # Nanning
    (105.85, 21.05),       # Hà Nội with latitude and longitude swapped
    (0.0, 0.0),
    (91.0, 105.0),
])
def test_it_refuses_coordinates_outside_viet_nam(world, lat, lon):
    errors = _errors(system_actor(), _facility(world, latitude=lat, longitude=lon))
    assert "latitude" in errors


@pytest.mark.parametrize("lat, lon", [
    (16.5333, 111.6000),   # Hoàng Sa
    (8.6453, 111.9180),    # Trường Sa
    (10.2270, 103.9670),   # Phú Quốc
    (20.1333, 107.7167),   # Bạch Long Vĩ
])
def test_it_accepts_the_islands(world, lat, lon):
    services.save(system_actor(), _facility(world, latitude=lat, longitude=lon))


def test_it_wants_both_coordinates_or_neither(world):
    assert "latitude" in _errors(system_actor(), _facility(world, latitude=21.0, longitude=None))
    services.save(system_actor(), _facility(world, latitude=None, longitude=None))


def test_it_stores_tax_codes_compact_and_unique(world):
    facility = _facility(world, tax_code="0100109106-001")
    services.save(system_actor(), facility)
    assert Facility.objects.get(pk=facility.pk).tax_code == "0100109106001"
    duplicate = _facility(world)
    duplicate.pk = None
    duplicate.abbreviation = "OTHER"
    duplicate.tax_code = "0100109106001"
    assert "tax_code" in _errors(system_actor(), duplicate)


def test_it_refuses_a_ward_of_another_province(world):
    ward_of_dong_nai = world.dongnai.wards.first()
    assert "ward" in _errors(system_actor(), _facility(world, ward=ward_of_dong_nai))


def test_it_refuses_a_government_body_as_operator(world):
    assert "operator" in _errors(system_actor(), _facility(world, operator=world.dept_hanoi))


def test_it_refuses_underscores_in_file_name_parts(world):
    # "_" separates the parts of a TT10 file name, so no part may contain one.
    assert "abbreviation" in _errors(system_actor(), _facility(world, abbreviation="AB_CD"))
    station = Station.objects.get(pk=world.station_stack_hn.pk)
    station.code = "KT_1"
    assert "code" in _errors(system_actor(), station)


@pytest.mark.parametrize("code", ["HNKT1", "hnkt1", "HnKt1"])
def test_it_keeps_station_codes_unique_whatever_the_case(world, code):
    station = Station(code=code, name="Trùng mã", kind=StationKind.AUTO_AIR,
                      province=world.hanoi, latitude=21.0, longitude=105.8)
    assert "code" in _errors(system_actor(), station)


def test_it_enforces_station_code_uniqueness_in_the_database_too(world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Station.objects.create(code="hnkt1", name="x", kind=StationKind.AUTO_AIR,
                               medium="air", province=world.hanoi)


def test_it_derives_a_source_stations_facility_province_and_medium(world):
    station = Station.objects.get(pk=world.station_stack_dn.pk)
    assert station.facility == world.facility_dn
    assert station.province == world.dongnai
    assert station.medium == "emission"
    assert (station.latitude, station.longitude) == (10.95, 106.82)


def test_it_matches_station_kind_and_source_kind(world):
    station = Station(code="BAD1", name="x", kind=StationKind.AUTO_WASTEWATER,
                      source=world.stack_hn)
    assert "source" in _errors(system_actor(), station)
    ambient = Station(code="BAD2", name="x", kind=StationKind.AUTO_AIR, province=world.hanoi)
    assert "latitude" in _errors(system_actor(), ambient)


def test_it_refuses_a_stack_height_on_an_outfall(world):
    outfall = Source.objects.get(pk=world.outfall_hn.pk)
    outfall.stack_height_m = 30
    assert "stack_height_m" in _errors(system_actor(), outfall)


def test_it_refuses_an_air_regulation_on_an_outfall(world):
    from envhub.compliance.models import Regulation

    outfall = Source.objects.get(pk=world.outfall_hn.pk)
    outfall.regulation = Regulation.objects.get(code="QCVN 19:2009/BTNMT")
    assert "regulation" in _errors(system_actor(), outfall)
    outfall.regulation = Regulation.objects.get(code="QCVN 40:2011/BTNMT")
    services.save(system_actor(), outfall)


def test_it_refuses_a_loop_of_parent_organisations(world):
    ministry = Organisation.objects.get(pk=world.ministry.pk)
    child = Organisation.objects.get(pk=world.dept_hanoi.pk)
    child.parent = ministry
    services.save(system_actor(), child)
    ministry.parent = child
    assert "parent" in _errors(system_actor(), ministry)


def test_it_needs_a_province_for_a_provincial_department(reference):
    department = Organisation(name="Sở X", kind=OrganisationKind.PROVINCIAL_DEPARTMENT)
    assert "province" in _errors(system_actor(), department)


@pytest.mark.parametrize("medium, symbol, code", [
    ("air", "PM2,5", "PM2_5"),
    ("air", "pm2.5", "PM2_5"),
    ("air", "PM25", "PM2_5"),
    ("air", " Pm10 ", "PM10"),
    ("emission", "NOX", "NOx"),
    ("emission", "nox", "NOx"),
    ("emission", "so2", "SO2"),
    ("water", "ph", "pH"),
    ("water", "NH4+", "NH4"),
    ("water", "flow", "Flow"),
    ("emission", "flow", "Flow"),
])
def test_it_matches_datalogger_symbols_case_insensitively_per_medium(reference, medium, symbol,
                                                                     code):
    alias = ParameterAlias.objects.select_related("parameter").get(
        medium=medium, alias_key=ParameterAlias.key(symbol))
    assert alias.parameter.code == code
    assert alias.parameter.medium == medium


def test_it_gives_the_same_symbol_per_medium_its_own_unit(reference):
    units = dict(Parameter.objects.filter(code="SO2").values_list("medium", "unit"))
    assert units == {"emission": "mg/Nm3", "air": "µg/m3"}


def test_it_refuses_a_symbol_that_already_names_another_parameter(reference):
    so2 = Parameter.objects.get(medium="emission", code="SO2")
    with pytest.raises(ValidationError) as error:
        ParameterAlias(parameter=so2, alias="nOx").full_clean()
    assert "alias" in error.value.message_dict
    # The same symbol in another medium is fine.
    ParameterAlias(parameter=Parameter.objects.get(medium="water", code="COD"),
                   alias="SO2").full_clean()


def test_it_writes_an_audit_event_for_every_registry_change(world):
    from envhub.accounts.models import AuditEvent

    facility = _facility(world, name="Nhà máy Nhiệt điện Sông Hồng 2")
    services.save(world.actor("steward"), facility)
    event = AuditEvent.objects.filter(object_type="registry.facility",
                                      object_id=str(facility.pk), action="update").get()
    assert event.actor == "user:steward"
    assert event.changes == {"name": ["Nhà máy Nhiệt điện Sông Hồng",
                                      "Nhà máy Nhiệt điện Sông Hồng 2"]}


def test_it_stores_text_in_nfc_whatever_the_keyboard_sent(world):
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Nhà máy Đạm Hà Bắc")
    facility = _facility(world, name=decomposed)
    services.save(system_actor(), facility)
    stored = Facility.objects.get(pk=facility.pk).name
    assert stored == unicodedata.normalize("NFC", "Nhà máy Đạm Hà Bắc") and stored != decomposed
