"""Registry operations: scoped reads for the API and pages, and audited writes."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import Lower

from envhub.core import permissions, services
from envhub.core.errors import NotFound
from envhub.core.permissions import Actor
from envhub.core.search import text_search
from envhub.registry import validators
from envhub.registry.models import (
    AnnualInventory,
    DeclaredUnit,
    Facility,
    Organisation,
    Parameter,
    Province,
    Source,
    Station,
    Ward,
)

_visible = permissions.visible


def _one(qs: QuerySet, **lookup):
    obj = qs.filter(**lookup).first()
    if obj is None:
        raise NotFound()
    return obj


# --- provinces and wards (public) -----------------------------------------------------------

def provinces(actor: Actor, q: str | None = None) -> QuerySet:
    return text_search(_visible(actor, Province.objects.all()), q)


def province(actor: Actor, code: str) -> Province:
    return _one(_visible(actor, Province.objects.all()), code=code)


def wards(actor: Actor, province_code: str | None = None, q: str | None = None) -> QuerySet:
    qs = _visible(actor, Ward.objects.select_related("province"))
    if province_code:
        qs = qs.filter(province__code=province_code)
    return text_search(qs, q)


# --- organisations --------------------------------------------------------------------------

def organisations(
    actor: Actor, kind: str | None = None, province_code: str | None = None, q: str | None = None
) -> QuerySet:
    qs = _visible(actor, Organisation.objects.select_related("province", "parent"))
    if kind:
        qs = qs.filter(kind=kind)
    if province_code:
        qs = qs.filter(province__code=province_code)
    return text_search(qs, q)


def organisation(actor: Actor, organisation_id: int) -> Organisation:
    return _one(organisations(actor), id=organisation_id)


# --- facilities, sources, stations ----------------------------------------------------------

@dataclass
class FacilityFilters:
    province: str | None = None
    sector: str | None = None
    operator: int | None = None
    q: str | None = None


def facilities(actor: Actor, filters: FacilityFilters | None = None) -> QuerySet:
    filters = filters or FacilityFilters()
    qs = _visible(actor, Facility.objects.select_related("province", "ward", "operator"))
    if filters.province:
        qs = qs.filter(province__code=filters.province)
    if filters.sector:
        qs = qs.filter(sector=filters.sector)
    if filters.operator:
        qs = qs.filter(operator_id=filters.operator)
    qs = qs.annotate(source_count=Count("sources", distinct=True),
                     station_count=Count("stations", distinct=True))
    return text_search(qs, filters.q)


def facility(actor: Actor, facility_id: int) -> Facility:
    return _one(facilities(actor), id=facility_id)


@dataclass
class SourceFilters:
    facility: int | None = None
    province: str | None = None
    kind: str | None = None
    q: str | None = None


def sources(actor: Actor, filters: SourceFilters | None = None) -> QuerySet:
    filters = filters or SourceFilters()
    qs = _visible(actor, Source.objects.select_related("facility", "facility__province",
                                                       "regulation"))
    if filters.facility:
        qs = qs.filter(facility_id=filters.facility)
    if filters.province:
        qs = qs.filter(facility__province__code=filters.province)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return text_search(qs, filters.q)


def source(actor: Actor, source_id: int) -> Source:
    return _one(sources(actor), id=source_id)


def annual_inventories(actor: Actor, facility_id: int) -> QuerySet:
    """The annual survey figures of a facility's stacks, by stack then latest year first."""
    return _visible(actor, AnnualInventory.objects.select_related("source")).filter(
        source__facility_id=facility_id).order_by("source__code", "-year")


@dataclass
class StationFilters:
    province: str | None = None
    kind: str | None = None
    medium: str | None = None
    facility: int | None = None
    active: bool | None = None
    q: str | None = None


def stations(actor: Actor, filters: StationFilters | None = None) -> QuerySet:
    filters = filters or StationFilters()
    qs = _visible(actor, Station.objects.select_related("province", "facility", "source",
                                                        "operator"))
    if filters.province:
        qs = qs.filter(province__code=filters.province)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.medium:
        qs = qs.filter(medium=filters.medium)
    if filters.facility:
        qs = qs.filter(facility_id=filters.facility)
    if filters.active is not None:
        qs = qs.filter(active=filters.active)
    return text_search(qs, filters.q)


def station(actor: Actor, code: str, *, related: bool = True) -> Station:
    """A station by its code, whatever its case; with `related=False`, without its province,
    facility, source and operator loaded. Codes are ASCII (`validators.tt10_token`), so
    anything else names no station; the lookup goes through the index on LOWER(code) (an
    `iexact` filter reads every station)."""
    if not validators.tt10_token.regex.match(code):
        raise NotFound()
    qs = stations(actor) if related else stations(actor).select_related(None)
    return _one(qs.alias(code_lower=Lower("code")), code_lower=code.lower())


# --- parameters (public) ----------------------------------------------------------------------

def parameters(actor: Actor, medium: str | None = None, q: str | None = None) -> QuerySet:
    qs = _visible(actor, Parameter.objects.prefetch_related("aliases"))
    if medium:
        qs = qs.filter(medium=medium)
    return text_search(qs, q)


def parameter(actor: Actor, medium: str, code: str) -> Parameter:
    return _one(parameters(actor, medium), code__iexact=code)


# --- writes ---------------------------------------------------------------------------------

def save(actor: Actor, obj, *, validate: bool = True):
    """Create or update a registry record (facility, source, station, ...) with its audit event.

    A station keeps its facility and province derived from the source it watches: saving a
    facility (its province) or a source (its facility) re-derives the stations that depend on it,
    in the same transaction and as the same actor, each with its own audit event.
    """
    with transaction.atomic():
        if isinstance(obj, Station):
            obj.derive()
        services.save(actor, obj, validate=validate)
        if isinstance(obj, Facility):
            _rederive(actor, Station.objects.filter(source__facility=obj))
        elif isinstance(obj, Source):
            _rederive(actor, Station.objects.filter(source=obj))
    return obj


def _rederive(actor: Actor, stations: QuerySet) -> None:
    for station in stations.select_related("source__facility").order_by("pk"):
        before = (station.facility_id, station.province_id)
        station.derive()
        if (station.facility_id, station.province_id) != before:
            services.save(actor, station)


def delete(actor: Actor, obj) -> None:
    services.delete(actor, obj)


def declare_unit(actor: Actor, station: Station, parameter: Parameter,
                 unit: str | None) -> DeclaredUnit | None:
    """Declare the unit the station's datalogger uses for a parameter, in which a TT10 line
    without a unit is read; an empty `unit` withdraws the declaration (such lines are then
    rejected). Checked and audited as any registry write."""
    declared = DeclaredUnit.objects.filter(station=station, parameter=parameter).first()
    if not (unit or "").strip():
        if declared is not None:
            delete(actor, declared)
        return None
    declared = declared or DeclaredUnit(station=station, parameter=parameter)
    declared.unit = unit
    return save(actor, declared)
