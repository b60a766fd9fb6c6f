"""The permission policy for writes: who may add, change and delete registry records."""

from __future__ import annotations

import pytest

from envhub.core import permissions
from envhub.core.errors import Forbidden, NotAuthenticated, NotFound
from envhub.registry import services
from envhub.registry.models import Facility, Parameter, Station, StationKind

pytestmark = pytest.mark.django_db

PERSONAS = ["admin", "steward", "leader", "officer", "operator", "survey", "anonymous"]


def _copy(obj):
    return type(obj).objects.get(pk=obj.pk)


# Change a Hà Nội facility: who may, and what error the others get.
CHANGE_HANOI_FACILITY = {
    "admin": None, "steward": None, "officer": None,
    "leader": Forbidden, "operator": Forbidden, "survey": NotFound, "anonymous": NotAuthenticated,
}


@pytest.mark.parametrize("persona, error", CHANGE_HANOI_FACILITY.items())
def test_it_decides_who_may_change_a_facility(world, persona, error):
    facility = _copy(world.facility_hn)
    facility.address = "Số 9, phố Mới"
    if error is None:
        services.save(world.actor(persona), facility)
        assert _copy(world.facility_hn).address == "Số 9, phố Mới"
    else:
        with pytest.raises(error):
            services.save(world.actor(persona), facility)
        assert _copy(world.facility_hn).address != "Số 9, phố Mới"


def test_it_hides_another_provinces_facility_from_an_officer(world):
    facility = _copy(world.facility_dn)
    facility.address = "x"
    with pytest.raises(NotFound):
        services.save(world.actor("officer"), facility)


def test_it_stops_an_officer_moving_a_facility_out_of_their_provinces(world):
    facility = _copy(world.facility_hn)
    facility.province = world.dongnai
    facility.ward = world.dongnai.wards.first()
    with pytest.raises(Forbidden):
        services.save(world.actor("officer"), facility)
    assert _copy(world.facility_hn).province == world.hanoi


def test_it_lets_an_officer_add_stations_only_in_their_province(world):
    def ambient(province, code, lat, lon):
        return Station(code=code, name="Trạm mới", kind=StationKind.AUTO_AIR, province=province,
                       latitude=lat, longitude=lon)

    services.save(world.actor("officer"), ambient(world.hanoi, "HNKK9", 21.0, 105.8))
    with pytest.raises(Forbidden):
        services.save(world.actor("officer"), ambient(world.dongnai, "DNKK9", 10.9, 106.8))
    assert not Station.objects.filter(code="DNKK9").exists()


@pytest.mark.parametrize("persona, allowed", [
    ("admin", True), ("steward", True), ("leader", False), ("officer", False),
    ("operator", False), ("survey", False),
])
def test_it_keeps_reference_data_to_admins_and_stewards(world, persona, allowed):
    parameter = Parameter.objects.get(medium="air", code="O3")
    parameter.name_en = "Ozone (O3), ground level"
    if allowed:
        services.save(world.actor(persona), parameter)
    else:
        with pytest.raises(Forbidden):
            services.save(world.actor(persona), parameter)


@pytest.mark.parametrize("persona, allowed", [
    ("admin", True), ("steward", True), ("leader", False), ("officer", False),
    ("operator", False),
])
def test_it_keeps_deletion_to_admins_and_stewards(world, persona, allowed):
    facility = Facility.objects.create(
        name="Cơ sở tạm", abbreviation="TMP", tax_code="0100233488", address="x",
        province=world.hanoi, sector="other", operator=world.enterprise_hn,
    )
    if allowed:
        services.delete(world.actor(persona), facility)
        assert not Facility.objects.filter(pk=facility.pk).exists()
    else:
        with pytest.raises((Forbidden, NotFound)):
            services.delete(world.actor(persona), facility)
        assert Facility.objects.filter(pk=facility.pk).exists()


def test_it_narrows_an_operator_to_listed_facilities_of_their_own_organisation(world):
    from envhub.accounts.models import Membership

    membership = Membership.objects.get(user=world.users["operator"])
    # Listing a facility of another enterprise must not widen the scope.
    membership.facilities.set([world.facility_dn])
    assert world.actor("operator").facility_ids == frozenset()
    membership.facilities.set([world.facility_hn])
    assert world.actor("operator").facility_ids == {world.facility_hn.id}


def test_it_ignores_inactive_memberships_and_disabled_users(world):
    from envhub.accounts.models import Membership

    Membership.objects.filter(user=world.users["officer"]).update(active=False)
    assert world.actor("officer").province_ids == frozenset()
    world.users["leader"].is_active = False
    assert not permissions.actor_for_user(world.users["leader"]).is_authenticated


def test_it_refuses_unknown_models_to_everyone_but_admins(world):
    from django.contrib.sessions.models import Session

    assert permissions.scope(world.actor("leader"), Session.objects.all()).query.is_empty()
