"""Who sees and changes accounts' rows, and how a user's memberships make their roles and
scope: accounts' part of the one permission policy (`core/permissions.py`)."""

from __future__ import annotations

import functools

from django.db import connection
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
from envhub.registry.models import Facility, Organisation


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


@scope_rule("accounts.notificationpreference")
def _notification_preferences(actor: Actor, qs: QuerySet) -> QuerySet:
    """A person's notification preferences are their own; administrators see every one."""
    if actor.is_admin:
        return qs
    return qs.filter(user_id=actor.user.pk) if actor.user else qs.none()


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
    """The actor of an active, signed-in user from their active memberships, read in one
    query of ids (every request of a signed-in user or a user's token starts here). Nothing is
    cached: a membership revoked or narrowed counts from the next request."""
    memberships: dict[int, tuple[str, int, int | None]] = {}
    listed: dict[tuple[str, int], set[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(_membership_query(), [user.pk, user.pk, Role.PROVINCIAL_OFFICER, user.pk,
                                             Role.FACILITY_OPERATOR, user.pk,
                                             Role.FACILITY_OPERATOR])
        for kind, membership_id, role, organisation_id, value in cursor.fetchall():
            if kind == "m":
                memberships[membership_id] = (role, organisation_id, value)
            else:
                listed.setdefault((kind, membership_id), set()).add(value)
    roles = {role for role, _organisation, _province in memberships.values()}
    organisations = {organisation for _role, organisation, _province in memberships.values()}
    provinces: set[int] = set()
    facilities: set[int] = set()
    for membership_id, (role, _organisation, organisation_province) in memberships.items():
        if role == Role.PROVINCIAL_OFFICER:
            chosen = listed.get(("p", membership_id), set())
            if not chosen and organisation_province:
                chosen = {organisation_province}
            provinces |= chosen
        elif role == Role.FACILITY_OPERATOR:
            chosen = listed.get(("f", membership_id), set())
            operated = listed.get(("o", membership_id), set())
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


@functools.cache
def _membership_query() -> str:
    """A user's active memberships ('m': id, role, organisation, the organisation's province)
    with, one row each, the provinces an officer's membership lists ('p'), the facilities an
    operator's lists ('f') and those its organisation operates ('o'). Written out: the ORM
    took longer building its two or three queries than the database took answering them."""
    membership = Membership._meta.db_table
    active = f'FROM "{membership}" m WHERE m."user_id" = %s AND m."active"'
    return (
        f'SELECT \'m\', m."id", m."role", m."organisation_id", o."province_id" '
        f'FROM "{membership}" m JOIN "{Organisation._meta.db_table}" o '
        f'ON o."id" = m."organisation_id" WHERE m."user_id" = %s AND m."active" '
        f'UNION ALL SELECT \'p\', l."membership_id", NULL, NULL, l."province_id" '
        f'FROM "{Membership.provinces.through._meta.db_table}" l WHERE l."membership_id" IN '
        f'(SELECT m."id" {active} AND m."role" = %s) '
        f'UNION ALL SELECT \'f\', l."membership_id", NULL, NULL, l."facility_id" '
        f'FROM "{Membership.facilities.through._meta.db_table}" l WHERE l."membership_id" IN '
        f'(SELECT m."id" {active} AND m."role" = %s) '
        f'UNION ALL SELECT \'o\', m."id", NULL, NULL, f."id" '
        f'FROM "{membership}" m JOIN "{Facility._meta.db_table}" f '
        f'ON f."operator_id" = m."organisation_id" '
        f'WHERE m."user_id" = %s AND m."active" AND m."role" = %s'
    )


read_users_with(_user_actor)
