"""Per-person notification preferences: for each kind of notification, how it reaches a person
(immediately, in a daily or weekly digest, or not at all) and whether by e-mail too.

A person who has chosen nothing gets their role's default: a leader, who follows the whole
country, a daily digest of exceedances and station outages (other kinds, such as a report
being ready, at once); a data steward, a provincial officer, a facility operator and a survey
unit each notification at once (they act on them). Who hears of a notification at all is still
decided by role and scope (`alerts.recipients`); a preference only says how, or stops it.
Which roles can hear of each kind at all is one table, `RECEIVED_BY`: the page offers a person
only those kinds, and `alerts.recipients` never reaches a role outside it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from envhub.accounts.models import DeliveryMode, Membership, NotificationPreference, Role
from envhub.compliance.models import NotificationKind
from envhub.core import audit
from envhub.core.errors import InvalidInput, NotAuthenticated
from envhub.core.permissions import Actor

BUILT_IN = (NotificationKind.EXCEEDANCE_OPENED, NotificationKind.EXCEEDANCE_CLOSED,
            NotificationKind.CONNECTIVITY, NotificationKind.SURVEY)

_FACILITY_NEWS = frozenset({Role.STEWARD, Role.LEADER, Role.PROVINCIAL_OFFICER,
                            Role.FACILITY_OPERATOR})
# Who can hear of each kind, as the code that sends it chooses (`alerts.recipients` for the
# exceedance and station kinds, `surveys.notices`, `dashboard.notices`): the one table both the
# preferences page and the choice of recipients read. A digest is made of these (not chosen).
RECEIVED_BY: dict[str, frozenset[str]] = {
    NotificationKind.EXCEEDANCE_OPENED: _FACILITY_NEWS,
    NotificationKind.EXCEEDANCE_CLOSED: _FACILITY_NEWS,
    NotificationKind.CONNECTIVITY: _FACILITY_NEWS,
    # A unit's file sent or failed to load: the stewards; returned, approved, loaded: the unit.
    NotificationKind.SURVEY: frozenset({Role.STEWARD, Role.SURVEY_UNIT}),
    # Every report to the leaders; a province's report to its officers too.
    NotificationKind.REPORT_READY: frozenset({Role.LEADER, Role.PROVINCIAL_OFFICER}),
}

# Roles that act on each notification: they hear of it at once unless they choose otherwise.
ACTING = {Role.STEWARD, Role.PROVINCIAL_OFFICER, Role.FACILITY_OPERATOR, Role.SURVEY_UNIT}
DIGESTS = {DeliveryMode.DAILY, DeliveryMode.WEEKLY}
# The kinds that come by the dozen on a bad day: a leader reads them once a day by default.
DIGESTED_FOR_LEADERS = {NotificationKind.EXCEEDANCE_OPENED, NotificationKind.EXCEEDANCE_CLOSED,
                        NotificationKind.CONNECTIVITY}


@dataclass(frozen=True)
class Choice:
    mode: str
    email: bool
    chosen: bool = False  # the person's own choice, not their role's default


def kinds(roles: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """The kinds a person with `roles` may choose for (all when None), with their labels: the
    built-in ones and those other apps registered (`alerts.register_kind`), such as monthly
    reports; only the kinds one of the roles can receive (`RECEIVED_BY`)."""
    from envhub.compliance import alerts

    labels = dict(NotificationKind.choices)
    found = [(str(kind), str(labels[kind])) for kind in BUILT_IN]
    for kind, label in alerts.registered_kinds().items():
        if kind not in dict(found) and kind != NotificationKind.DIGEST:
            found.append((kind, str(label or labels.get(kind, kind))))
    if roles is None:
        return found
    roles = set(roles)
    return [(kind, label) for kind, label in found if roles & RECEIVED_BY.get(kind, set())]


def receivers(kind: str) -> frozenset[str]:
    """The roles that can hear of `kind` (none for a kind missing from the table)."""
    return RECEIVED_BY.get(kind, frozenset())


def role_default(roles: Iterable[str], kind: str) -> Choice:
    roles = set(roles)
    if roles & ACTING or Role.LEADER not in roles or kind not in DIGESTED_FOR_LEADERS:
        return Choice(DeliveryMode.IMMEDIATE, True)
    return Choice(DeliveryMode.DAILY, True)


def _roles(user_ids: Iterable[int]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for user_id, role in Membership.objects.filter(user_id__in=list(user_ids), active=True) \
            .values_list("user_id", "role"):
        found.setdefault(user_id, set()).add(role)
    return found


def for_users(user_ids: Iterable[int], kind: str) -> dict[int, Choice]:
    """Each user's choice for `kind` (two queries, whatever the number of users)."""
    user_ids = list(user_ids)
    roles = _roles(user_ids)
    chosen = {user_id: Choice(mode, email, True) for user_id, mode, email in
              NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind)
              .values_list("user_id", "mode", "email")}
    return {user_id: chosen.get(user_id) or role_default(roles.get(user_id, ()), kind)
            for user_id in user_ids}


def of(actor: Actor) -> list[dict]:
    """The signed-in person's choices, one row per kind their roles can receive, with their
    role's default."""
    user = _user(actor)
    chosen = {row.kind: row for row in NotificationPreference.objects.filter(user=user)}
    rows = []
    for kind, label in kinds(actor.roles):
        default = role_default(actor.roles, kind)
        own = chosen.get(kind)
        rows.append({"kind": kind, "label": label,
                     "mode": own.mode if own else default.mode,
                     "email": own.email if own else default.email,
                     "chosen": own is not None, "default_mode": default.mode,
                     "default_email": default.email})
    return rows


def save(actor: Actor, wanted: dict[str, tuple[str, bool]]) -> int:
    """Store the person's choices (kind → (mode, e-mail)); a choice equal to the role's default
    is stored too, so that a later change of role does not change it. Returns the kinds
    changed. Unknown kinds or modes, and kinds the person's roles never receive, are refused
    whole."""
    user = _user(actor)
    every = dict(kinds())
    known = dict(kinds(actor.roles))
    modes = set(DeliveryMode.values)
    problems = {kind: "unknown kind" if kind not in every else "not for your role"
                for kind in wanted if kind not in known}
    problems.update({kind: "unknown mode" for kind, (mode, _email) in wanted.items()
                     if kind in known and mode not in modes})
    if problems:
        raise InvalidInput(details=problems)
    changed = {}
    with transaction.atomic():
        current = {row.kind: row for row in
                   NotificationPreference.objects.select_for_update().filter(user=user)}
        for kind, (mode, email) in wanted.items():
            row = current.get(kind)
            if row is not None and (row.mode, row.email) == (mode, bool(email)):
                continue
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"mode": mode, "email": bool(email)})
            changed[kind] = {"mode": mode, "email": bool(email)}
        if changed:
            audit.record(actor, "notification_preferences.change", user, changes=changed)
    return len(changed)


def _user(actor: Actor):
    if actor.user is None:
        raise NotAuthenticated()
    return actor.user
