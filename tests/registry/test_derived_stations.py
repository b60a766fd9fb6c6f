"""A station on a source keeps the facility and province of that source: when the facility
moves province or the source moves facility, the stations follow (audited, as the same actor),
whether the change is made through the service or the admin."""

from __future__ import annotations

import pytest

from envhub.accounts.models import AuditEvent
from envhub.registry import services
from envhub.registry.models import Facility, Source, Station
from tests.accounts.test_admin_personas import change_url, post_data, read_form

pytestmark = pytest.mark.django_db


def _station(station) -> Station:
    return Station.objects.get(pk=station.pk)


def _move_to_dong_nai(facility: Facility) -> Facility:
    facility = Facility.objects.get(pk=facility.pk)
    facility.province = facility.province.__class__.objects.get(code="75")
    facility.ward = facility.province.wards.order_by("code").first()
    facility.latitude, facility.longitude = 10.95, 106.9
    facility.abbreviation = "NDSHDN"
    return facility


def test_it_moves_the_stations_with_their_facility(world):
    services.save(world.actor("steward"), _move_to_dong_nai(world.facility_hn))
    for station in (world.station_stack_hn, world.station_outfall_hn):
        assert _station(station).province == world.dongnai
        event = AuditEvent.objects.get(action="update", object_type="registry.station",
                                       object_id=str(station.pk))
        assert event.actor == "user:steward"
        assert event.changes["province_id"] == [world.hanoi.id, world.dongnai.id]
    assert _station(world.station_stack_hn2).province == world.hanoi  # another facility's
    assert world.station_stack_hn.code in world.stations_of(world.dongnai)


def test_it_moves_the_stations_with_their_source(world):
    source = Source.objects.get(pk=world.stack_hn2.pk)
    source.facility = world.facility_dn
    source.code = "OK2"
    services.save(world.actor("admin"), source)
    station = _station(world.station_stack_hn2)
    assert station.facility == world.facility_dn
    assert station.province == world.dongnai
    event = AuditEvent.objects.get(action="update", object_type="registry.station",
                                   object_id=str(station.pk))
    assert event.changes["facility_id"] == [world.facility_hn2.id, world.facility_dn.id]


def test_the_admin_moves_the_stations_with_their_facility(world):
    client = world.client("steward")
    facility = world.facility_hn
    form = read_form(client.get(change_url(facility)), "facility_form")
    ward_dn = world.dongnai.wards.order_by("code").first()
    response = client.post(change_url(facility), post_data(
        form, province=world.dongnai.id, ward=ward_dn.id, latitude="10.95", longitude="106.9",
        abbreviation="NDSHDN"))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _station(world.station_stack_hn).province == world.dongnai
    assert _station(world.station_outfall_hn).province == world.dongnai


def test_the_admin_derives_a_source_stations_province(world):
    client = world.client("steward")
    page = client.get(change_url(world.station_stack_hn))
    fields = dict(read_form(page, "station_form").fields)
    assert "province" not in fields  # shown, not chosen: it follows the source
    assert "source" in fields
    ambient = dict(read_form(client.get(change_url(world.air_hn)), "station_form").fields)
    assert ambient["province"] == str(world.hanoi.id)
