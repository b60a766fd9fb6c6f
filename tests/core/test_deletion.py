"""Deleting: refused with a clear message while other records depend on the object (no silent,
unaudited cascade), and refused for an object a membership lists (an emptied list would widen
the member's scope)."""

from __future__ import annotations

import pytest
from django.utils import translation

from envhub.accounts import services as accounts
from envhub.accounts.models import ApiToken, AuditEvent, Membership
from envhub.core.errors import InvalidInput
from envhub.core.permissions import actor_for_user, system_actor
from envhub.registry import services
from envhub.registry.models import Facility, Parameter, ParameterAlias, Source, Station

pytestmark = pytest.mark.django_db


def _deletions(obj) -> int:
    return AuditEvent.objects.filter(action="delete", object_type=obj._meta.label_lower,
                                     object_id=str(obj.pk)).count()


def test_it_refuses_to_delete_a_facility_that_still_has_sources(world):
    facility = world.facility_hn2
    with pytest.raises(InvalidInput) as refused, translation.override("en"):
        services.delete(world.actor("steward"), facility)
    message = str(refused.value.message)
    assert facility.name in message
    assert "1 emission source" in message
    assert Facility.objects.filter(pk=facility.pk).exists()
    assert Source.objects.filter(pk=world.stack_hn2.pk).exists()
    assert _deletions(facility) == 0


def test_it_refuses_to_delete_a_station_or_facility_that_has_api_tokens(world):
    station = world.air_hn
    accounts.create_token(system_actor(), name="logger", station=station)
    with pytest.raises(InvalidInput) as refused, translation.override("en"):
        services.delete(world.actor("steward"), station)
    assert "1 API token" in str(refused.value.message)
    assert Station.objects.filter(pk=station.pk).exists()
    assert ApiToken.objects.filter(station=station).exists()

    facility = Facility.objects.create(
        name="Cơ sở tạm", abbreviation="TMP", tax_code="0100233488", address="x",
        province=world.hanoi, sector="other", operator=world.enterprise_hn)
    accounts.create_token(system_actor(), name="ftp", facility=facility)
    with pytest.raises(InvalidInput):
        services.delete(world.actor("admin"), facility)
    assert ApiToken.objects.filter(facility=facility).count() == 1


def test_it_refuses_to_delete_a_facility_a_membership_lists(world):
    """An operator limited to one listed facility would, once the list is emptied by the delete,
    see every facility of their organisation."""
    operator = world.users["operator"]
    membership = Membership.objects.get(user=operator)
    membership.facilities.set([world.facility_hn])
    # A second facility of the same enterprise, not listed for this operator.
    other = services.save(system_actor(), Facility(
        name="Nhà máy Nhiệt điện Sông Hồng 2", abbreviation="NDSH2", tax_code="0100233488",
        address="Số 2", province=world.hanoi, sector="thermal_power",
        operator=world.enterprise_hn))
    assert actor_for_user(operator).facility_ids == {world.facility_hn.id}

    listed = Facility.objects.create(
        name="Cơ sở niêm yết", abbreviation="NY", tax_code="0100109106001", address="x",
        province=world.hanoi, sector="other", operator=world.enterprise_hn)
    membership.facilities.add(listed)
    with pytest.raises(InvalidInput) as refused, translation.override("en"):
        services.delete(world.actor("admin"), listed)
    assert "remove it from those memberships first" in str(refused.value.message)
    assert Facility.objects.filter(pk=listed.pk).exists()
    assert set(membership.facilities.values_list("id", flat=True)) == {world.facility_hn.id,
                                                                        listed.id}
    assert other.id not in actor_for_user(operator).facility_ids


def test_it_deletes_and_audits_what_nothing_depends_on(world):
    facility = Facility.objects.create(
        name="Cơ sở tạm", abbreviation="TMP", tax_code="0100233488", address="x",
        province=world.hanoi, sector="other", operator=world.enterprise_hn)
    services.delete(world.actor("steward"), facility)
    assert not Facility.objects.filter(pk=facility.pk).exists()
    event = AuditEvent.objects.get(action="delete", object_type="registry.facility")
    assert event.actor == "user:steward"
    assert event.changes["name"] == ["Cơ sở tạm", None]


def test_it_says_what_was_deleted_along_with_an_object(world):
    parameter = services.save(system_actor(), Parameter(
        medium="water", code="XYZ", name_vi="Thông số thử", name_en="Test", unit="mg/L"))
    services.save(system_actor(), ParameterAlias(parameter=parameter, alias="xyz1"))
    services.save(system_actor(), ParameterAlias(parameter=parameter, alias="xyz2"))
    services.delete(world.actor("steward"), parameter)
    event = AuditEvent.objects.get(action="delete", object_type="registry.parameter")
    assert event.changes["deleted_with_it"] == [None, {"registry.parameteralias": 2}]


def test_it_explains_a_refused_delete_in_the_admin(world):
    client = world.client("admin")
    membership = Membership.objects.get(user=world.users["operator"])
    listed = Facility.objects.create(
        name="Cơ sở niêm yết", abbreviation="NY", tax_code="0100233488", address="x",
        province=world.hanoi, sector="other", operator=world.enterprise_hn)
    membership.facilities.add(listed)
    response = client.post(f"/admin/registry/facility/{listed.pk}/delete/", {"post": "yes"})
    assert response.status_code == 400
    with translation.override("vi"):
        assert "Cơ sở niêm yết" in response.content.decode()
    assert Facility.objects.filter(pk=listed.pk).exists()
    # Django's own confirmation page already lists the protected sources.
    response = client.get(f"/admin/registry/facility/{world.facility_hn2.pk}/delete/")
    assert response.status_code == 200
    assert world.stack_hn2.name in response.content.decode()
