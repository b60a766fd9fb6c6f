"""The one permission policy: who may see and do what, to which object.

Services ask `require(actor, action, obj)`; lists are cut down by `scope(actor, queryset)`; the
API, the pages and the Django admin all go through these two functions, so a rule changes here
and nowhere else. An object outside an actor's scope does not exist for them (404); an object
they can see but not change is forbidden (403); a visitor who must sign in first gets 401.

Scopes by role:
- admin, data steward, leader: everything (leaders only read);
- provincial officer: facilities, sources and stations in their provinces;
- facility operator (and a facility's token): their facilities, with those facilities' sources
  and stations;
- a station's token: that station;
- survey unit: their organisation's own submissions (no registry scope);
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


def actor_for_user(user, token=None) -> Actor:
    """Build the actor of a user from their active memberships (two or three small queries of
    ids: every request of a signed-in user or a user's token starts here)."""
    from envhub.accounts.models import Membership, Role
    from envhub.registry.models import Facility

    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
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


def _label(model) -> str:
    return model._meta.label_lower


def scope_rule(*labels: str, public: bool = False):
    def register(rule: ScopeRule) -> ScopeRule:
        for label in labels:
            _SCOPES[label] = rule
            if public:
                _PUBLIC_LISTS.add(label)
        return rule

    return register


def _any_of(qs: QuerySet, conditions: list[Q]) -> QuerySet:
    conditions = [condition for condition in conditions if condition is not None]
    if not conditions:
        return qs.none()
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return qs.filter(combined)


@scope_rule(
    "registry.province", "registry.ward", "registry.parameter", "registry.parameteralias",
    "compliance.regulation", "compliance.regulationrules", "compliance.limitvalue",
    "compliance.factorstep", "compliance.exceedanceband", "compliance.regulationcolumn",
    public=True,
)
def _reference_data(actor: Actor, qs: QuerySet) -> QuerySet:
    return qs


@scope_rule("registry.organisation", public=True)
def _organisations(actor: Actor, qs: QuerySet) -> QuerySet:
    from envhub.registry.models import PUBLIC_ORGANISATION_KINDS

    if actor.sees_everything:
        return qs
    conditions = [Q(kind__in=PUBLIC_ORGANISATION_KINDS)]
    if actor.organisation_ids:
        conditions.append(Q(id__in=actor.organisation_ids))
    if actor.province_ids:
        conditions.append(Q(province_id__in=actor.province_ids))
    if actor.facility_ids:
        conditions.append(Q(facilities__id__in=actor.facility_ids))
    return _any_of(qs, conditions).distinct()


@scope_rule("registry.facility")
def _facilities(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.sees_everything:
        return qs
    return _any_of(qs, [
        Q(province_id__in=actor.province_ids) if actor.province_ids else None,
        Q(id__in=actor.facility_ids) if actor.facility_ids else None,
    ])


@scope_rule("registry.source")
def _sources(actor: Actor, qs: QuerySet) -> QuerySet:
    return _by_facility(actor, qs, "facility")


@scope_rule("registry.station")
def _stations(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.sees_everything:
        return qs
    return _any_of(qs, [
        Q(province_id__in=actor.province_ids) if actor.province_ids else None,
        Q(facility_id__in=actor.facility_ids) if actor.facility_ids else None,
        Q(id__in=actor.station_ids) if actor.station_ids else None,
    ])


def _by_facility(actor: Actor, qs: QuerySet, path: str) -> QuerySet:
    """Rows that belong to a facility through `path` (`source__facility`): seen by whoever
    sees the facility."""
    if actor.sees_everything:
        return qs
    return _any_of(qs, [
        Q(**{f"{path}__province_id__in": actor.province_ids}) if actor.province_ids else None,
        Q(**{f"{path}_id__in": actor.facility_ids}) if actor.facility_ids else None,
    ])


@scope_rule("compliance.permit", "compliance.exceedanceevent", "compliance.assessment")
def _source_compliance(actor: Actor, qs: QuerySet) -> QuerySet:
    return _by_facility(actor, qs, "source__facility")


@scope_rule("compliance.permitlimit")
def _permit_limits(actor: Actor, qs: QuerySet) -> QuerySet:
    return _by_facility(actor, qs, "permit__source__facility")


@scope_rule("compliance.notification")
def _notifications(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.sees_everything:
        return qs
    return _any_of(qs, [
        Q(province_id__in=actor.province_ids) if actor.province_ids else None,
        Q(facility_id__in=actor.facility_ids) if actor.facility_ids else None,
    ])


@scope_rule("compliance.delivery")
def _deliveries(actor: Actor, qs: QuerySet) -> QuerySet:
    """Everyone's inbox is their own; administrators see every delivery."""
    if actor.is_admin:
        return qs
    return qs.filter(user_id=actor.user.pk) if actor.user is not None else qs.none()


@scope_rule("compliance.webhook")
def _webhooks(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.manages_everything:
        return qs
    return qs.filter(organisation_id__in=actor.organisation_ids)


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


def _catalogue_condition(actor: Actor, prefix: str = "") -> Q:
    classes = catalogue_classes(actor)
    if classes is None:
        return Q()
    return Q(**{f"{prefix}access_class__in": sorted(classes), f"{prefix}withdrawn": False})


@scope_rule("catalog.dataset", public=True)
def _datasets(actor: Actor, qs: QuerySet) -> QuerySet:
    return qs.filter(_catalogue_condition(actor))


@scope_rule("catalog.distribution", "catalog.datasetversion", "catalog.metadataversion",
            public=True)
def _dataset_parts(actor: Actor, qs: QuerySet) -> QuerySet:
    return qs.filter(_catalogue_condition(actor, "dataset__"))


def _visible_station_ids(actor: Actor):
    from envhub.registry.models import Station

    return scope(actor, Station.objects.all()).values("id")


@scope_rule("monitoring.series", "monitoring.latestvalue", "monitoring.stationstatus",
            "monitoring.connectivitychange", "registry.declaredunit")
def _station_data(actor: Actor, qs: QuerySet) -> QuerySet:
    """Monitoring data and a station's settings follow the station: who sees the station sees
    them."""
    if actor.sees_everything:
        return qs
    return qs.filter(station_id__in=_visible_station_ids(actor))


@scope_rule("monitoring.batch")
def _batches(actor: Actor, qs: QuerySet) -> QuerySet:
    """Received files: those of visible stations, and those the actor sent themselves (also
    the ones that named a station they may not use, or none at all)."""
    if actor.sees_everything:
        return qs
    return _any_of(qs, [
        Q(station_id__in=_visible_station_ids(actor)) if actor.is_authenticated else None,
        Q(sender_user_id=actor.user.pk) if actor.user is not None else None,
        Q(sender_token_id=actor.token.pk) if actor.token is not None else None,
    ])


@scope_rule("accounts.user")
def _users(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.is_admin:
        return qs
    return qs.filter(pk=actor.user.pk) if actor.user else qs.none()


@scope_rule("accounts.membership")
def _memberships(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.is_admin:
        return qs
    return qs.filter(user_id=actor.user.pk) if actor.user else qs.none()


@scope_rule("accounts.apitoken")
def _tokens(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.manages_everything:
        return qs
    return _any_of(qs, [
        Q(user_id=actor.user.pk) if actor.user else None,
        Q(station__province_id__in=actor.province_ids) if _officer(actor) else None,
        Q(facility__province_id__in=actor.province_ids) if _officer(actor) else None,
        Q(station__facility_id__in=actor.facility_ids) if _operator(actor) else None,
        Q(facility_id__in=actor.facility_ids) if _operator(actor) else None,
    ])


@scope_rule("accounts.auditevent")
def _audit(actor: Actor, qs: QuerySet) -> QuerySet:
    return qs if actor.is_admin else qs.none()


def _officer(actor: Actor) -> bool:
    return PROVINCIAL_OFFICER in actor.roles and bool(actor.province_ids)


def _operator(actor: Actor) -> bool:
    return FACILITY_OPERATOR in actor.roles and bool(actor.facility_ids)


def scope(actor: Actor, qs: QuerySet) -> QuerySet:
    """The rows of `qs` that `actor` may see. Unknown models are refused, not leaked."""
    rule = _SCOPES.get(_label(qs.model))
    if rule is None:
        return qs if actor.is_admin else qs.none()
    return rule(actor, qs)


# People and the audit log are listed only to administrators; others see just their own account.
_ADMIN_LISTS = {"accounts.user", "accounts.membership", "accounts.auditevent"}


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

def _province_of(obj) -> int | None:
    from envhub.compliance.models import Permit, PermitLimit
    from envhub.registry.models import DeclaredUnit, Facility, Organisation, Source, Station

    if isinstance(obj, (Facility, Station, Organisation)):
        return obj.province_id
    if isinstance(obj, DeclaredUnit):
        return obj.station.province_id if obj.station_id else None
    if isinstance(obj, Source):
        return obj.facility.province_id if obj.facility_id else None
    if isinstance(obj, Permit):
        return _province_of(obj.source) if obj.source_id else None
    if isinstance(obj, PermitLimit):
        return _province_of(obj.permit) if obj.permit_id else None
    return None


def _may_write(actor: Actor, action: str, model, obj) -> bool:
    label = _label(model)
    if actor.manages_everything:
        if label == "accounts.auditevent":
            return False
        if label in ("accounts.user", "accounts.membership"):
            return actor.is_admin
        if label == "accounts.apitoken" and obj is not None and obj.user_id:
            # A token acts as its user: only they (or an admin) may issue or revoke it.
            return actor.is_admin or (actor.user is not None and obj.user_id == actor.user.pk)
        return True
    if label in ("registry.organisation",):
        if action == DELETE or not _officer(actor):
            return False
        from envhub.registry.models import OrganisationKind

        if obj is None:
            return True
        return obj.kind == OrganisationKind.ENTERPRISE and obj.province_id in actor.province_ids
    if label in ("compliance.permit", "compliance.permitlimit"):
        # Provinces issue most environmental permits: their officers keep them.
        if not _officer(actor):
            return False
        return obj is None or _province_of(obj) in actor.province_ids
    if label in ("registry.facility", "registry.source", "registry.station"):
        if action == DELETE or not _officer(actor):
            return False
        return obj is None or _province_of(obj) in actor.province_ids
    if label == "registry.declaredunit":
        # A setting of a station: whoever may change the station.
        return _officer(actor) and (obj is None or _province_of(obj) in actor.province_ids)
    if label == "accounts.apitoken":
        return _may_manage_token(actor, obj)
    return False


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
            (_officer(actor) and station.province_id in actor.province_ids)
            or (_operator(actor) and station.facility_id in actor.facility_ids)
        )
    facility = token.facility
    return (
        (_officer(actor) and facility.province_id in actor.province_ids)
        or (_operator(actor) and facility.id in actor.facility_ids)
    )


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


def may_use_admin(actor: Actor) -> bool:
    """The Django admin is for staff roles; what each sees there is still cut by `scope`."""
    return actor.kind == "user" and (actor.sees_everything or _officer(actor))
