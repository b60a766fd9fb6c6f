"""The one permission policy: who may see and do what, to which object.

Services ask `require(actor, action, obj)`; lists are cut down by `scope(actor, queryset)`; the
API, the pages and the Django admin all go through these two functions, so a rule changes in one
place and nowhere else. An object outside an actor's scope does not exist for them (404); an
object they can see but not change is forbidden (403); a visitor who must sign in first gets 401.

This module holds the policy's frame: the roles, the actor, what `scope`, `can` and `require`
do with the rules, and the conditions the rules are written with. Each app states the rules of
its own models in its `policy.py` (`scope_rule`, `write_rule`), imported when Django starts
(`CoreConfig.ready`); docs/architecture.md ("Who sees what") lists them. A model without a
scope rule is seen by administrators only, and one without a write rule changed by admins and
stewards only: nothing leaks by omission.

Scopes by role:
- admin, data steward, leader: everything (leaders only read);
- provincial officer: facilities, sources and stations in their provinces;
- facility operator (and a facility's token): their facilities, with those facilities' sources
  and stations;
- a station's token: that station;
- survey unit: their organisation's own submissions (no registry scope);
- librarian: the library, every document of it (no registry scope);
- editor: the news, drafts included (no registry scope);
- anonymous: public reference data (provinces, wards, parameters, regulations, government bodies).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from django.db.models import Model, Q, QuerySet

from envhub.core.errors import Forbidden, NotAuthenticated, NotFound

ADMIN = "admin"
STEWARD = "steward"
LEADER = "leader"
PROVINCIAL_OFFICER = "provincial_officer"
FACILITY_OPERATOR = "facility_operator"
SURVEY_UNIT = "survey_unit"
LIBRARIAN = "librarian"
EDITOR = "editor"

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user, a program with a token, the system itself, or nobody."""

    kind: str  # "anonymous", "user", "station", "facility" or "system"
    label: str = "anonymous"
    user: Any = None
    token: Any = None
    roles: frozenset[str] = frozenset()
    organisation_ids: frozenset[int] = frozenset()
    province_ids: frozenset[int] = frozenset()
    facility_ids: frozenset[int] = frozenset()
    station_ids: frozenset[int] = frozenset()
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def is_authenticated(self) -> bool:
        return self.kind != "anonymous"

    @property
    def is_system(self) -> bool:
        return self.kind == "system"

    @property
    def is_admin(self) -> bool:
        return self.is_system or ADMIN in self.roles

    @property
    def manages_everything(self) -> bool:
        """Admins and stewards edit any registry or reference data."""
        return self.is_system or bool(self.roles & {ADMIN, STEWARD})

    @property
    def sees_everything(self) -> bool:
        return self.manages_everything or LEADER in self.roles

    @property
    def is_government(self) -> bool:
        """Staff of the ministry or a province (for data shared between state agencies)."""
        return self.sees_everything or PROVINCIAL_OFFICER in self.roles

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))


ANONYMOUS = Actor(kind="anonymous")


def system_actor(label: str = "system") -> Actor:
    """The actor for commands run by an operator on the server (demo, reference data)."""
    return Actor(kind="system", label=label)


# How a user's memberships make their roles and scope is read by `accounts`, which owns them
# (`accounts/policy.py`), and hands the reader over when Django starts.
UserReader = Callable[[Any, Any], Actor]
_read_user: UserReader | None = None


def read_users_with(reader: UserReader) -> None:
    global _read_user
    _read_user = reader


def actor_for_user(user, token=None) -> Actor:
    """The actor of a user (acting through `token`, if any): anonymous unless signed in and
    active; else their roles and scope from their active memberships."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    return _read_user(user, token)


def actor_for_token(token) -> Actor:
    """The actor of a usable API token (the caller has checked it is not expired or revoked)."""
    if token.user_id:
        return actor_for_user(token.user, token=token)
    if token.station_id:
        return station_actor(token, token.station.code)
    facility = token.facility
    return facility_actor(token, facility.tax_code, facility.operator_id)


def station_actor(token, station_code: str) -> Actor:
    """A station's token: that station, nothing else."""
    return Actor(
        kind="station",
        label=f"station:{station_code} (token {token.lookup})",
        token=token,
        station_ids=frozenset({token.station_id}),
    )


def facility_actor(token, tax_code: str, operator_id: int) -> Actor:
    """A facility's token: that facility, its sources and stations."""
    return Actor(
        kind="facility",
        label=f"facility:{tax_code} (token {token.lookup})",
        token=token,
        facility_ids=frozenset({token.facility_id}),
        organisation_ids=frozenset({operator_id}),
    )


# --- scopes: which rows of a model an actor can see ------------------------------------------

ScopeRule = Callable[[Actor, QuerySet], QuerySet]
_SCOPES: dict[str, ScopeRule] = {}
# Models whose lists a visitor may read without signing in.
_PUBLIC_LISTS: set[str] = set()
# Models listed only to administrators (people and the audit log); others reach only their own
# rows one by one.
_ADMIN_LISTS: set[str] = set()


def _label(model) -> str:
    return model._meta.label_lower


def scope_rule(*labels: str, public: bool = False, admin_lists: bool = False):
    """Register the rule that cuts the rows of these models (`app.model`) to an actor's scope;
    `public`: a visitor may list them; `admin_lists`: only administrators may list them."""
    def register(rule: ScopeRule) -> ScopeRule:
        for label in labels:
            _SCOPES[label] = rule
            if public:
                _PUBLIC_LISTS.add(label)
            if admin_lists:
                _ADMIN_LISTS.add(label)
        return rule

    return register


def any_of(qs: QuerySet, conditions: list[Q]) -> QuerySet:
    conditions = [condition for condition in conditions if condition is not None]
    if not conditions:
        return qs.none()
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return qs.filter(combined)


def everyone(actor: Actor, qs: QuerySet) -> QuerySet:
    """The rule of public reference data: every row, for everyone."""
    return qs


def by_facility(actor: Actor, qs: QuerySet, path: str) -> QuerySet:
    """Rows that belong to a facility through `path` (`source__facility`): seen by whoever
    sees the facility."""
    if actor.sees_everything:
        return qs
    return any_of(qs, [
        Q(**{f"{path}__province_id__in": actor.province_ids}) if actor.province_ids else None,
        Q(**{f"{path}_id__in": actor.facility_ids}) if actor.facility_ids else None,
    ])


def catalogue_classes(actor: Actor) -> set[str] | None:
    """Law on Data access classes the actor may read: open data for everyone, shared data for
    government accounts, internal data for the data centre's staff; None: every dataset,
    withdrawn ones included (stewards, admins)."""
    if actor.manages_everything:
        return None
    classes = {"open"}
    if actor.is_government:
        classes.add("shared")
    if actor.sees_everything:
        classes.add("internal")
    return classes


def catalogue_condition(actor: Actor, prefix: str = "") -> Q:
    classes = catalogue_classes(actor)
    if classes is None:
        return Q()
    return Q(**{f"{prefix}access_class__in": sorted(classes), f"{prefix}withdrawn": False})


def is_officer(actor: Actor) -> bool:
    """A provincial officer with provinces to look after."""
    return PROVINCIAL_OFFICER in actor.roles and bool(actor.province_ids)


def is_operator(actor: Actor) -> bool:
    """A facility operator with facilities to look after."""
    return FACILITY_OPERATOR in actor.roles and bool(actor.facility_ids)


def scope(actor: Actor, qs: QuerySet) -> QuerySet:
    """The rows of `qs` that `actor` may see. Unknown models are refused, not leaked."""
    rule = _SCOPES.get(_label(qs.model))
    if rule is None:
        return qs if actor.is_admin else qs.none()
    return rule(actor, qs)


def visible(actor: Actor, qs: QuerySet) -> QuerySet:
    """A list as the actor may read it: refused (401/403) when they may not list the model at
    all, else cut down to their scope. What every service's list starts from."""
    require(actor, VIEW, qs.model)
    return scope(actor, qs)


def may_list(actor: Actor, model) -> bool:
    """Whether the actor may ask for a list of this model at all (else: sign in first)."""
    label = _label(model)
    if label in _ADMIN_LISTS:
        return actor.is_admin
    return actor.is_authenticated or label in _PUBLIC_LISTS


def is_visible(actor: Actor, obj: Model) -> bool:
    return scope(actor, type(obj)._default_manager.filter(pk=obj.pk)).exists()


# --- actions: add, change, delete ------------------------------------------------------------

WriteRule = Callable[[Actor, str, Any], bool]
_WRITES: dict[str, WriteRule] = {}


def write_rule(*labels: str):
    """Register who may add, change or delete rows of these models: the rule is asked with the
    action and the object (None: may they add or change one at all?), for signed-in actors.
    Without a rule, admins and stewards may."""
    def register(rule: WriteRule) -> WriteRule:
        for label in labels:
            _WRITES[label] = rule
        return rule

    return register


def _may_write(actor: Actor, action: str, model, obj) -> bool:
    rule = _WRITES.get(_label(model))
    if rule is None:
        return actor.manages_everything
    return rule(actor, action, obj)


def can(actor: Actor, action: str, target) -> bool:
    """May `actor` do `action` ("view", "add", "change", "delete") to `target` (object or model)?"""
    model = target if isinstance(target, type) else type(target)
    obj = None if isinstance(target, type) else target
    if action == VIEW:
        if obj is None or obj.pk is None:
            return may_list(actor, model)
        return is_visible(actor, obj)
    if not actor.is_authenticated:
        return False
    return _may_write(actor, action, model, obj)


def require(actor: Actor, action: str, target) -> None:
    """Raise the error the actor should see when `can` says no: 401, 404 or 403."""
    if can(actor, action, target):
        return
    obj = None if isinstance(target, type) else target
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if obj is not None and obj.pk is not None and action != VIEW and not is_visible(actor, obj):
        raise NotFound()
    if action == VIEW and obj is not None:
        raise NotFound()
    raise Forbidden()


def refusal_message(action: str) -> str:
    """Why a form's values were refused (the admin shows it above the form)."""
    from django.utils.translation import gettext as _

    if action == ADD:
        return _("You may not create this record with these values "
                 "(for example, in a province outside your scope).")
    return _("You may not save this record with these values "
             "(for example, moving it to a province outside your scope).")


# Who has the leaders' dashboard (`envhub/dashboard`): the national roles and provincial
# officers; facility operators, survey units and programs have none.
DASHBOARD_ROLES = frozenset({ADMIN, STEWARD, LEADER, PROVINCIAL_OFFICER})


def has_dashboard(actor: Actor) -> bool:
    return actor.is_system or (actor.kind == "user" and bool(actor.roles & DASHBOARD_ROLES))


def may_use_admin(actor: Actor) -> bool:
    """The Django admin is for staff roles; what each sees there is still cut by `scope`."""
    return actor.kind == "user" and (actor.sees_everything or is_officer(actor))
