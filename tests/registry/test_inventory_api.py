"""The facility page's JSON twin (`GET /api/v1/facilities/{id}`) carries the stacks' annual
inventory figures the page shows, to exactly the readers who see the facility (the stack's
rule): people and tokens alike."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from envhub.accounts import services as accounts
from envhub.core.permissions import system_actor
from envhub.registry.inventory import apply_inventory
from tests.registry.inventory_rows import lines, row

pytestmark = pytest.mark.django_db

# Which facilities' figures each reader gets; None: asked to sign in (401).
SEES = {"admin": {"hn", "dn"}, "steward": {"hn", "dn"}, "leader": {"hn", "dn"},
        "officer": {"hn"}, "operator": {"hn"}, "survey": set(), "librarian": set(),
        "editor": set(), "facility_token": {"hn"}, "station_token": set(), "anonymous": None}


@pytest.fixture
def loaded(world):
    apply_inventory(system_actor("tests"), lines(
        row(world, year=2025, fuel_use=118500.5, production=590.0),
        row(world, year=2026, fuel_use=120000.0),
        row(world, tax_code=world.facility_dn.tax_code, facility_name=world.facility_dn.name,
            province_code="75", ward_code=world.facility_dn.ward.code, latitude=10.95,
            longitude=106.82, sector="cement", fuel="Than antraxit", treatment="Lọc bụi túi vải",
            production=None, production_unit=None),
    ), survey_version=12, expected=None)
    return world


def reader(world, name: str) -> Client:
    if name in ("facility_token", "station_token"):
        owner = {"facility": world.facility_hn} if name == "facility_token" else \
            {"station": world.station_stack_hn}
        issued = accounts.create_token(system_actor("tests"), name=name, **owner)
        return Client(HTTP_AUTHORIZATION=f"Bearer {issued.plain}")
    return world.client(name)


@pytest.mark.parametrize("name", sorted(SEES))
def test_the_facility_twin_carries_the_figures_to_whoever_sees_the_facility(loaded, name):
    client = reader(loaded, name)
    facilities = {"hn": loaded.facility_hn, "dn": loaded.facility_dn}
    for key, facility in facilities.items():
        response = client.get(f"/api/v1/facilities/{facility.id}")
        if SEES[name] is None:
            assert response.status_code == 401
            continue
        if key not in SEES[name]:
            assert response.status_code == 404
            continue
        assert response.status_code == 200
        figures = response.json()["annual_inventory"]
        if key == "hn":
            assert [(f["stack_code"], f["year"], f["fuel_use_t"], f["production"],
                     f["production_unit"], f["survey_version"]) for f in figures] == [
                ("OK1", 2026, 120000.0, 600.0, "GWh", 12),
                ("OK1", 2025, 118500.5, 590.0, "GWh", 12)]
            assert figures[0]["source_id"] == loaded.stack_hn.id
            assert figures[0]["flow_m3h"] == 52000.0
            assert figures[0]["treatment"] == "Lọc bụi tĩnh điện"
        else:
            assert [(f["year"], f["fuel"], f["treatment"], f["production"])
                    for f in figures] == [(2026, "Than antraxit", "Lọc bụi túi vải", None)]


def test_the_twin_holds_the_rows_the_page_shows(loaded):
    client = loaded.client("officer")
    html = client.get(f"/facilities/{loaded.facility_hn.id}/").content.decode()
    table = html[html.index('id="inventory-table"'):]
    years = [int(year) for year in re.findall(r'<td class="num">(\d{4})</td>', table)]
    twin = client.get(f"/api/v1/facilities/{loaded.facility_hn.id}").json()
    assert [item["year"] for item in twin["annual_inventory"]] == years == [2026, 2025]


def test_a_facility_without_figures_has_an_empty_list(world):
    response = world.client("steward").get(f"/api/v1/facilities/{world.facility_hn2.id}")
    assert response.json()["annual_inventory"] == []
