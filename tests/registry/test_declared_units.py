"""A station's datalogger units: the unit it uses for a parameter when its lines give none, and
whether its concentrations are at normal conditions. Declared through the registry service or
the admin (checked, scoped and audited like any registry write), shown on the station page."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from envhub.accounts.models import AuditEvent
from envhub.core.errors import Forbidden, InvalidInput, NotFound
from envhub.core.permissions import system_actor
from envhub.registry import services
from envhub.registry.models import DeclaredUnit, Parameter
from tests.accounts.test_admin_personas import change_url, post_data, read_form
from tests.registry.test_pages_personas import dom

pytestmark = pytest.mark.django_db


def parameter(medium, code):
    return Parameter.objects.get(medium=medium, code=code)


def test_a_steward_declares_a_unit_and_it_is_audited(world):
    declared = services.declare_unit(world.actor("steward"), world.air_hn,
                                     parameter("air", "CO"), " mg/m3 ")
    assert (declared.station, declared.parameter.code, declared.unit) == (
        world.air_hn, "CO", "mg/m3")
    event = AuditEvent.objects.get(object_type="registry.declaredunit", action="create")
    assert event.actor == "user:steward"
    services.declare_unit(world.actor("steward"), world.air_hn, parameter("air", "CO"), "µg/m3")
    assert DeclaredUnit.objects.get().unit == "µg/m3"
    services.declare_unit(world.actor("steward"), world.air_hn, parameter("air", "CO"), "")
    assert not DeclaredUnit.objects.exists()
    assert [e.action for e in AuditEvent.objects.filter(
        object_type="registry.declaredunit").order_by("id")] == ["create", "update", "delete"]


@pytest.mark.parametrize("station, medium, code, unit, accepted", [
    ("air_hn", "air", "CO", "mg/m3", True),
    ("air_hn", "air", "NO2", "ppb", True),
    ("air_hn", "air", "PM10", "µg/Nm3", True),  # ambient air: normal is actual
    ("station_stack_hn", "emission", "SO2", "ppm", True),  # with SO2's molar mass
    ("station_stack_hn", "emission", "SO2", "mg/m3", True),  # at the stack's conditions
    ("station_stack_hn", "emission", "O2", "%", True),
    ("station_outfall_hn", "water", "COD", "mg/l", True),
    ("air_hn", "air", "PM10", "ppb", False),  # particles have no molar mass
    ("air_hn", "air", "CO", "kg", False),
    ("air_hn", "air", "CO", "furlongs", False),
    ("station_stack_hn", "emission", "SO2", "mg/L", False),
    ("station_stack_hn", "emission", "Flow", "Nm3/h", False),
    ("air_hn", "water", "COD", "mg/L", False),  # not a parameter of this kind of station
])
def test_a_declared_unit_must_lead_to_the_parameter_s_unit(world, station, medium, code, unit,
                                                           accepted):
    station = getattr(world, station)
    declare = lambda: services.declare_unit(system_actor(), station,  # noqa: E731
                                            parameter(medium, code), unit)
    if accepted:
        assert declare().unit == unit
    else:
        with pytest.raises(InvalidInput):
            declare()
        assert not DeclaredUnit.objects.exists()


@pytest.mark.parametrize("persona, station, allowed", [
    ("officer", "station_stack_hn", True),  # in their province
    ("officer", "station_stack_dn", False),
    ("operator", "station_stack_hn", False),  # sees the station, may not change it
    ("leader", "station_stack_hn", False),
])
def test_who_may_declare_a_unit_is_who_may_change_the_station(world, persona, station,
                                                             allowed):
    station = getattr(world, station)
    actor = world.actor(persona)
    if allowed:
        services.declare_unit(actor, station, parameter("emission", "O2"), "%")
        assert DeclaredUnit.objects.filter(station=station).count() == 1
    else:
        with pytest.raises((NotFound, Forbidden)):
            services.declare_unit(actor, station, parameter("emission", "O2"), "%")
        assert not DeclaredUnit.objects.exists()


def test_the_admin_declares_units_on_the_station_s_page(world):
    client = world.client("steward")
    station = world.station_stack_hn
    form = read_form(client.get(change_url(station)), "station_form")
    data = post_data(form, **{
        "logger_normal_conditions": "on",
        "declared_units-TOTAL_FORMS": "1",
        "declared_units-0-parameter": parameter("emission", "O2").id,
        "declared_units-0-unit": "%",
    })
    response = client.post(change_url(station), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    station.refresh_from_db()
    assert station.logger_normal_conditions is True
    assert list(station.declared_units.values_list("parameter__code", "unit")) == [("O2", "%")]
    assert AuditEvent.objects.filter(object_type="registry.declaredunit",
                                     action="create").count() == 1


def test_the_admin_refuses_a_unit_that_leads_nowhere(world):
    client = world.client("steward")
    station = world.station_stack_hn
    form = read_form(client.get(change_url(station)), "station_form")
    response = client.post(change_url(station), post_data(form, **{
        "declared_units-TOTAL_FORMS": "1",
        "declared_units-0-parameter": parameter("emission", "SO2").id,
        "declared_units-0-unit": "mg/L",
    }))
    assert response.status_code == 200  # the form again, with the error
    assert not DeclaredUnit.objects.exists()


def test_the_station_page_shows_how_its_datalogger_s_units_are_read(world):
    client = world.client("officer")

    def page(station):
        return dom(client.get(f"/stations/{station.code}/"))

    def said(text):  # the pages speak Vietnamese
        with translation.override("vi"):
            return gettext(text)

    root = page(world.station_stack_hn)
    assert root.find("dd", id="declared-units").text == said(
        "rejected (pH aside): no unit is declared for this datalogger")
    assert root.find("dd", id="normal-conditions").text == said(
        "at stack conditions: judged once normalised with the stack temperature and pressure")

    services.declare_unit(system_actor(), world.station_stack_hn, parameter("emission", "O2"),
                          "%")
    services.declare_unit(system_actor(), world.station_stack_hn, parameter("emission", "CO"),
                          "ppm")
    station = world.station_stack_hn
    station.logger_normal_conditions = True
    services.save(system_actor(), station)
    root = page(station)
    assert root.find("dd", id="declared-units").text.replace(" ;", ";") == "CO: ppm; O2: %"
    assert root.find("dd", id="normal-conditions").text == said(
        "read as mg/Nm3: the datalogger reports at normal conditions")
    # An ambient station has no stack: nothing to say about its conditions.
    root = page(world.air_hn)
    assert root.find_all("dd", id="normal-conditions") == []
