"""Account operations: API tokens, users and memberships, facility logins (failed sign-ins:
`accounts.lockout`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from envhub.accounts.models import ApiToken, Membership, User
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


def token_targets(actor: Actor):
    """(stations, facilities) the actor may issue tokens for: those they see and look after (a
    leader sees every station but issues tokens for none)."""
    from envhub.registry import services as registry

    def allowed(qs, owner: str):
        ids = [obj.pk for obj in qs
               if permissions.can(actor, permissions.ADD, ApiToken(**{owner: obj}))]
        return qs.filter(pk__in=ids)

    return (allowed(registry.stations(actor).order_by("code"), "station"),
            allowed(registry.facilities(actor).order_by("name"), "facility"))


def scope_summary(actor: Actor) -> dict:
    """Who the actor is and what their scope is, as codes (for `GET /api/v1/me`)."""
    from envhub.registry.models import Province, Station

    user = actor.user
    return {
        "kind": actor.kind,
        "username": user.username if user else None,
        "full_name": (user.full_name or None) if user else None,
        "roles": sorted(actor.roles),
        "province_codes": sorted(
            Province.objects.filter(id__in=actor.province_ids).values_list("code", flat=True)
        ),
        "facility_ids": sorted(actor.facility_ids),
        "station_codes": sorted(
            Station.objects.filter(id__in=actor.station_ids).values_list("code", flat=True)
        ),
    }


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


# --- facility logins (the FTP receiver) ---------------------------------------------------------

def facility_actor(tax_code: str, plain_token: str) -> Actor | None:
    """The actor of a facility that signs in with its tax code and one of its tokens (the FTP
    receiver's login), or None when the tax code and token do not go together.

    Only a usable token issued for that very facility counts; it is compared in constant time
    and its last use is noted when due, as for bearer tokens (`token_use`). The caller records
    failures and asks `lockout.check` first.
    """
    from envhub.accounts import token_use
    from envhub.registry.models import Facility
    from envhub.registry.validators import compact_tax_code

    code = compact_tax_code(tax_code or "")
    lookup = ApiToken.split(plain_token or "")
    if not code or lookup is None:
        return None
    facility = Facility.objects.filter(tax_code=code).first()
    if facility is None:
        return None
    token = (ApiToken.objects.select_related("facility")
             .filter(lookup=lookup, facility=facility).first())
    if token is None or not token.matches(plain_token) or not token.is_usable:
        return None
    token_use.record(token)
    return permissions.actor_for_token(token)
