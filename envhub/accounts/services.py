"""Account operations: API tokens, users and memberships, sign-in lockout."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from envhub.accounts.models import ApiToken, AuditEvent, Membership, User
from envhub.core import audit, permissions
from envhub.core.errors import InvalidInput
from envhub.core.permissions import Actor

DEFAULT_TOKEN_DAYS = 365
MAX_TOKEN_DAYS = 5 * 365


@dataclass
class IssuedToken:
    token: ApiToken
    plain: str  # shown once; only its digest is stored


def create_token(
    actor: Actor,
    *,
    name: str,
    user: User | None = None,
    station=None,
    facility=None,
    days: int = DEFAULT_TOKEN_DAYS,
) -> IssuedToken:
    """Issue a token for exactly one owner. The plain text is returned once and never stored."""
    owners = [owner for owner in (user, station, facility) if owner is not None]
    if len(owners) != 1:
        raise InvalidInput(_("A token belongs to exactly one user, station or facility."))
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise InvalidInput(
            _("A token lasts from 1 to %(max)d days.") % {"max": MAX_TOKEN_DAYS},
            {"days": [_("out of range")]},
        )
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Give the token a name, e.g. the datalogger it is for."),
                           {"name": [_("required")]})
    plain, lookup, digest = ApiToken.new_secret()
    token = ApiToken(
        name=name[:100], lookup=lookup, digest=digest, user=user, station=station,
        facility=facility, created_by=actor.user,
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    with transaction.atomic():
        permissions.require(actor, permissions.ADD, token)
        token.save()
        audit.record(actor, "token_create", token, {
            "owner": [None, token.owner_label], "expires_at": [None, token.expires_at.isoformat()]
        })
    return IssuedToken(token=token, plain=plain)


def revoke_token(actor: Actor, token: ApiToken) -> ApiToken:
    with transaction.atomic():
        permissions.require(actor, permissions.CHANGE, token)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record(actor, "token_revoke", token)
    return token


def tokens(actor: Actor):
    return permissions.scope(
        actor, ApiToken.objects.select_related("user", "station", "facility")
    )


# --- sign-in lockout ----------------------------------------------------------------------------

LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = datetime.timedelta(minutes=15)


def is_locked_out(username: str) -> bool:
    """Too many failed sign-ins for this user name recently (counted from the audit log, so that
    every web process sees the same count)."""
    since = timezone.now() - LOCKOUT_WINDOW
    failures = AuditEvent.objects.filter(
        action="login_failed", object_repr=username.strip().lower()[:300], at__gte=since
    )
    last_success = (
        AuditEvent.objects.filter(action="login", object_repr=username.strip().lower()[:300],
                                  at__gte=since)
        .order_by("-at").values_list("at", flat=True).first()
    )
    if last_success is not None:
        failures = failures.filter(at__gt=last_success)
    return failures.count() >= LOCKOUT_FAILURES


# --- users and memberships (used by the demo and the admin) -------------------------------------

def create_user(actor: Actor, *, username: str, password: str, full_name: str = "",
                email: str = "") -> User:
    with transaction.atomic():
        permissions.require(actor, permissions.ADD, User)
        user = User(username=username, full_name=full_name, email=email)
        user.set_password(password)
        user.save()
        audit.record(actor, "create", user, {"username": [None, username]})
    return user


def add_membership(actor: Actor, user: User, organisation, role: str, *, provinces=(),
                   facilities=()) -> Membership:
    with transaction.atomic():
        permissions.require(actor, permissions.ADD, Membership)
        membership = Membership.objects.create(user=user, organisation=organisation, role=role)
        if provinces:
            membership.provinces.set(provinces)
        if facilities:
            membership.facilities.set(facilities)
        audit.record(actor, "create", membership, {
            "role": [None, role], "organisation_id": [None, organisation.pk],
            "provinces": [None, sorted(p.pk for p in provinces)],
            "facilities": [None, sorted(f.pk for f in facilities)],
        })
    return membership


def set_password(actor: Actor, user: User, password: str) -> None:
    with transaction.atomic():
        permissions.require(actor, permissions.CHANGE, user)
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(actor, "password_set", user)


