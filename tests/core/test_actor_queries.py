"""Who a signed-in user is, worked out at the start of every request of theirs: their roles
and scope, in one query however long their membership lists, and never cached."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from envhub.accounts.models import Membership, Role, User
from envhub.core import permissions
from envhub.registry.models import Facility, Province

pytestmark = pytest.mark.django_db


def _member(username: str, organisation, role: str, **lists) -> User:
    user = User.objects.create(username=username)
    membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    for name, values in lists.items():
        getattr(membership, name).set(values)
    return user


def _resolved(user: User) -> tuple[permissions.Actor, int]:
    with CaptureQueriesContext(connection) as queries:
        actor = permissions.actor_for_user(User.objects.get(pk=user.pk))
    return actor, len(queries) - 1  # less the user's own row


def test_it_gives_an_officer_of_every_province_each_of_them_in_one_query(world):
    provinces = list(Province.objects.all())
    officer = _member("officer-all", world.dept_hanoi, Role.PROVINCIAL_OFFICER,
                      provinces=provinces)
    actor, queries = _resolved(officer)
    assert actor.province_ids == {province.id for province in provinces}
    assert actor.roles == {Role.PROVINCIAL_OFFICER}
    assert actor.organisation_ids == {world.dept_hanoi.id}
    assert queries == 1  # the memberships with the provinces they list


def test_it_gives_an_officer_without_a_list_their_departments_province(world):
    actor, queries = _resolved(world.users["officer"])
    assert actor.province_ids == {world.hanoi.id}
    assert queries == 1  # the membership with its (empty) list of provinces


def test_it_narrows_an_operator_to_listed_facilities_they_operate(world):
    operator = _member("operator-listed", world.enterprise_hn, Role.FACILITY_OPERATOR,
                       facilities=[world.facility_hn, world.facility_dn])
    actor, queries = _resolved(operator)
    assert actor.facility_ids == {world.facility_hn.id}  # Đồng Nai's is not theirs
    assert queries == 1  # memberships, the facilities they list, those they operate


def test_it_joins_the_scopes_of_several_memberships(world):
    user = _member("two-hats", world.dept_dongnai, Role.PROVINCIAL_OFFICER,
                   provinces=[world.dongnai])
    Membership.objects.create(user=user, organisation=world.enterprise_hn,
                              role=Role.FACILITY_OPERATOR)
    Membership.objects.create(user=user, organisation=world.ministry, role=Role.LEADER,
                              active=False)
    actor, queries = _resolved(user)
    assert queries == 1
    assert actor.roles == {Role.PROVINCIAL_OFFICER, Role.FACILITY_OPERATOR}
    assert actor.province_ids == {world.dongnai.id}
    assert actor.facility_ids == set(
        Facility.objects.filter(operator=world.enterprise_hn).values_list("id", flat=True))
    assert actor.organisation_ids == {world.dept_dongnai.id, world.enterprise_hn.id}


def test_a_personal_token_brings_its_user_in_its_own_query(world):
    from envhub.accounts import services
    from envhub.accounts.actors import actor_from_token

    user = world.users["officer"]
    User.objects.filter(pk=user.pk).update(is_staff=True)
    issued = services.create_token(permissions.system_actor(), name="x", user=user)
    with CaptureQueriesContext(connection) as queries:
        actor = actor_from_token(issued.plain)
    assert actor.user == user and actor.user.is_staff is True and actor.user.is_active is True
    assert actor.user.date_joined == User.objects.get(pk=user.pk).date_joined
    assert actor.province_ids == {world.hanoi.id}
    assert len(queries) == 2  # the token with its user, the membership with its provinces


def test_a_user_without_memberships_is_resolved_in_one_query(world):
    actor, queries = _resolved(User.objects.create(username="nobody-yet"))
    assert actor.roles == set() and actor.province_ids == set() and actor.facility_ids == set()
    assert queries == 1


def test_a_revoked_or_narrowed_membership_counts_from_the_next_request(world, client):
    """Nothing about a user's memberships is kept between requests: the same token sees less
    as soon as an administrator narrows or ends the membership."""
    from envhub.accounts import services
    from envhub.registry.models import Station

    provinces = list(Province.objects.all())
    officer = _member("officer-revoked", world.dept_hanoi, Role.PROVINCIAL_OFFICER,
                      provinces=provinces)
    token = services.create_token(permissions.system_actor(), name="t", user=officer).plain
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def codes():
        response = client.get("/api/v1/stations?limit=500", **headers)
        assert response.status_code == 200
        return {row["code"] for row in response.json()["results"]}

    everything = set(Station.objects.values_list("code", flat=True))
    hanoi = set(Station.objects.filter(province=world.hanoi).values_list("code", flat=True))
    assert codes() == everything and hanoi != everything
    membership = Membership.objects.get(user=officer)
    membership.provinces.set([world.hanoi])
    assert codes() == hanoi
    Membership.objects.filter(pk=membership.pk).update(active=False)
    assert codes() == set()
