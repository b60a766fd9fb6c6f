"""Who sees and changes the registry's rows: its part of the one permission policy
(`core/permissions.py`, which says what the rules are asked and when)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from envhub.core.permissions import (
    DELETE,
    SURVEY_UNIT,
    Actor,
    any_of,
    by_facility,
    everyone,
    is_officer,
    scope,
    scope_rule,
    write_rule,
)
from envhub.registry.models import (
    PUBLIC_ORGANISATION_KINDS,
    AnnualInventory,
    DeclaredUnit,
    Facility,
    Organisation,
    OrganisationKind,
    Source,
    Station,
)

scope_rule("registry.province", "registry.ward", "registry.parameter",
           "registry.parameteralias", public=True)(everyone)


@scope_rule("registry.organisation", public=True)
def _organisations(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.sees_everything:
        return qs
    conditions = [Q(kind__in=PUBLIC_ORGANISATION_KINDS)]
    if actor.organisation_ids:
        conditions.append(Q(id__in=actor.organisation_ids))
    if actor.province_ids:
        conditions.append(Q(province_id__in=actor.province_ids))
    if actor.facility_ids:
        conditions.append(Q(facilities__id__in=actor.facility_ids))
    return any_of(qs, conditions).distinct()


@scope_rule("registry.facility")
def _facilities(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.sees_everything:
        return qs
    return any_of(qs, [
        Q(province_id__in=actor.province_ids) if actor.province_ids else None,
        Q(id__in=actor.facility_ids) if actor.facility_ids else None,
    ])


@scope_rule("registry.source")
def _sources(actor: Actor, qs: QuerySet) -> QuerySet:
    return by_facility(actor, qs, "facility")


@scope_rule("registry.annualinventory")
def _inventories(actor: Actor, qs: QuerySet) -> QuerySet:
    """A stack's annual survey figures are seen by whoever sees the stack. No write rule: only
    admins and stewards write them (loading an approved survey version)."""
    return by_facility(actor, qs, "source__facility")


@scope_rule("registry.station")
def _stations(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.sees_everything:
        return qs
    return any_of(qs, [
        Q(province_id__in=actor.province_ids) if actor.province_ids else None,
        Q(facility_id__in=actor.facility_ids) if actor.facility_ids else None,
        Q(id__in=actor.station_ids) if actor.station_ids else None,
        # A survey unit sees the periodic sites it samples (it is their operator).
        Q(operator_id__in=actor.organisation_ids)
        if actor.has_role(SURVEY_UNIT) and actor.organisation_ids else None,
    ])


def visible_station_ids(actor: Actor):
    return scope(actor, Station.objects.all()).values("id")


@scope_rule("registry.declaredunit")
def station_data(actor: Actor, qs: QuerySet) -> QuerySet:
    """A station's settings (and its monitoring data, `monitoring/policy.py`) follow the
    station: who sees the station sees them."""
    if actor.sees_everything:
        return qs
    return qs.filter(station_id__in=visible_station_ids(actor))


def province_of(obj) -> int | None:
    """The province a registry row belongs to, for the officers' rules."""
    if isinstance(obj, (Facility, Station, Organisation)):
        return obj.province_id
    if isinstance(obj, DeclaredUnit):
        return obj.station.province_id if obj.station_id else None
    if isinstance(obj, Source):
        return obj.facility.province_id if obj.facility_id else None
    if isinstance(obj, AnnualInventory):
        return obj.source.facility.province_id if obj.source_id else None
    return None


@write_rule("registry.organisation")
def _may_write_organisation(actor: Actor, action: str, obj) -> bool:
    if actor.manages_everything:
        return True
    if action == DELETE or not is_officer(actor):
        return False
    if obj is None:
        return True
    return obj.kind == OrganisationKind.ENTERPRISE and obj.province_id in actor.province_ids


@write_rule("registry.facility", "registry.source", "registry.station")
def _may_write_sites(actor: Actor, action: str, obj) -> bool:
    if actor.manages_everything:
        return True
    if action == DELETE or not is_officer(actor):
        return False
    return obj is None or province_of(obj) in actor.province_ids


@write_rule("registry.declaredunit")
def _may_write_declared_unit(actor: Actor, action: str, obj) -> bool:
    """A setting of a station: whoever may change the station."""
    if actor.manages_everything:
        return True
    return is_officer(actor) and (obj is None or province_of(obj) in actor.province_ids)
