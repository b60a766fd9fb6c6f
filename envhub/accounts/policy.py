"""Who sees and changes accounts' rows, and how a user's memberships make their roles and
scope: accounts' part of the one permission policy (`core/permissions.py`)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from envhub.accounts.models import Membership, Role
from envhub.core.permissions import (
    ADMIN,
    Actor,
    any_of,
    is_officer,
    is_operator,
    read_users_with,
    scope_rule,
    write_rule,
)
from envhub.registry.models import Facility


@scope_rule("accounts.user", admin_lists=True)
def _users(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.is_admin:
        return qs
    return qs.filter(pk=actor.user.pk) if actor.user else qs.none()


@scope_rule("accounts.membership", admin_lists=True)
def _memberships(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.is_admin:
        return qs
    return qs.filter(user_id=actor.user.pk) if actor.user else qs.none()


@scope_rule("accounts.apitoken")
def _tokens(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.manages_everything:
        return qs
    return any_of(qs, [
        Q(user_id=actor.user.pk) if actor.user else None,
        Q(station__province_id__in=actor.province_ids) if is_officer(actor) else None,
        Q(facility__province_id__in=actor.province_ids) if is_officer(actor) else None,
        Q(station__facility_id__in=actor.facility_ids) if is_operator(actor) else None,
        Q(facility_id__in=actor.facility_ids) if is_operator(actor) else None,
    ])


@scope_rule("accounts.auditevent", admin_lists=True)
def _audit(actor: Actor, qs: QuerySet) -> QuerySet:
    return qs if actor.is_admin else qs.none()


@write_rule("accounts.auditevent")
def _may_write_audit(actor: Actor, action: str, obj) -> bool:
    """The audit log is append-only: the services write it, nobody edits it."""
    return False


@write_rule("accounts.user", "accounts.membership")
def _may_write_people(actor: Actor, action: str, obj) -> bool:
    return actor.is_admin


@write_rule("accounts.apitoken")
def _may_write_token(actor: Actor, action: str, token) -> bool:
    if actor.manages_everything:
        if token is not None and token.user_id:
            # A token acts as its user: only they (or an admin) may issue or revoke it.
            return actor.is_admin or (actor.user is not None and token.user_id == actor.user.pk)
        return True
    return _may_manage_token(actor, token)


def _may_manage_token(actor: Actor, token) -> bool:
    """Create or revoke a token: one's own, or one for a station or facility one looks after."""
    if actor.kind != "user":
        return False
    if token is None:
        return True
    if token.user_id:
        return token.user_id == actor.user.pk
    if token.station_id:
        station = token.station
        return (
            (is_officer(actor) and station.province_id in actor.province_ids)
            or (is_operator(actor) and station.facility_id in actor.facility_ids)
        )
    facility = token.facility
    return (
        (is_officer(actor) and facility.province_id in actor.province_ids)
        or (is_operator(actor) and facility.id in actor.facility_ids)
    )


def _user_actor(user, token) -> Actor:
    """The actor of an active, signed-in user from their active memberships (two or three small
    queries of ids: every request of a signed-in user or a user's token starts here)."""
    memberships = list(user.memberships.filter(active=True).values_list(
        "id", "role", "organisation_id", "organisation__province_id"))
    roles = {role for _id, role, _organisation, _province in memberships}
    organisations = {organisation for _id, _role, organisation, _province in memberships}
    provinces: set[int] = set()
    facilities: set[int] = set()
    chosen_provinces = _listed(Membership.provinces.through, "province_id", [
        row for row in memberships if row[1] == Role.PROVINCIAL_OFFICER])
    chosen_facilities = _listed(Membership.facilities.through, "facility_id", [
        row for row in memberships if row[1] == Role.FACILITY_OPERATOR])
    for membership_id, role, organisation_id, organisation_province in memberships:
        if role == Role.PROVINCIAL_OFFICER:
            chosen = chosen_provinces.get(membership_id, set())
            if not chosen and organisation_province:
                chosen = {organisation_province}
            provinces |= chosen
        elif role == Role.FACILITY_OPERATOR:
            chosen = chosen_facilities.get(membership_id, set())
            operated = set(
                Facility.objects.filter(operator_id=organisation_id).values_list("id", flat=True)
            )
            # Listed facilities narrow the organisation's own; they never add someone else's.
            facilities |= (chosen & operated) if chosen else operated
    if user.is_superuser:
        roles.add(ADMIN)
    label = f"user:{user.username}" + (f" (token {token.lookup})" if token else "")
    return Actor(
        kind="user",
        label=label,
        user=user,
        token=token,
        roles=frozenset(roles),
        organisation_ids=frozenset(organisations),
        province_ids=frozenset(provinces),
        facility_ids=frozenset(facilities),
    )


def _listed(through, column: str, memberships: list[tuple]) -> dict[int, set[int]]:
    """{membership id: the ids its many-to-many list holds} for these memberships (one query
    of ids, none without memberships: building model instances of 34 provinces took longer
    than the rest of a small request)."""
    if not memberships:
        return {}
    listed: dict[int, set[int]] = {}
    for membership_id, value in through.objects.filter(
            membership_id__in=[row[0] for row in memberships]).values_list("membership_id",
                                                                          column):
        listed.setdefault(membership_id, set()).add(value)
    return listed


read_users_with(_user_actor)
