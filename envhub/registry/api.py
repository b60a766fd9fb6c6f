"""Registry API: read endpoints for provinces, wards, organisations, facilities, sources, stations
and parameters. Thin: parse the query, call `registry.services`, serialise."""

from __future__ import annotations

import datetime
from typing import Annotated

from django.http import JsonResponse
from ninja import Field, Query, Router, Schema

from envhub.core.api_auth import PUBLIC, actor_of
from envhub.core.api_errors import READ_ERRORS
from envhub.core.pagination import PageLimit, keyset_page
from envhub.registry import services
from envhub.registry.models import Medium, OrganisationKind, Sector, SourceKind, StationKind

router = Router(tags=["registry"])


# --- schemas ----------------------------------------------------------------------------------

class Page(Schema):
    next: str | None = None


class ProvinceRef(Schema):
    code: str
    name: str


class ProvinceOut(Schema):
    code: str
    name: str
    short_name: str
    division_type: str
    codename: str
    abbreviation: str
    ward_count: int | None = None


class ProvincePage(Page):
    results: list[ProvinceOut]


class WardOut(Schema):
    code: str
    name: str
    division_type: str
    province: ProvinceRef


class WardPage(Page):
    results: list[WardOut]


class OrganisationRef(Schema):
    id: int
    name: str


class OrganisationOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    kind_label: str
    parent: OrganisationRef | None
    province: ProvinceRef | None


class OrganisationPage(Page):
    results: list[OrganisationOut]


class FacilityOut(Schema):
    id: int
    name: str
    abbreviation: str
    tax_code: str
    address: str
    province: ProvinceRef
    ward: ProvinceRef | None
    latitude: float | None
    longitude: float | None
    sector: str
    sector_label: str
    operator: OrganisationRef
    permit_number: str
    permit_date: datetime.date | None
    source_count: int
    station_count: int


class FacilityPage(Page):
    results: list[FacilityOut]


class RegulationRef(Schema):
    code: str
    title: str


class SourceOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    facility: OrganisationRef
    province: ProvinceRef
    stack_height_m: float | None
    stack_diameter_m: float | None
    design_flow_m3h: float | None
    fuel: str
    regulation: RegulationRef | None


class SourcePage(Page):
    results: list[SourceOut]


class StationOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    medium: str
    province: ProvinceRef
    facility: OrganisationRef | None
    source: OrganisationRef | None
    operator: OrganisationRef | None
    latitude: float | None
    longitude: float | None
    expected_interval_minutes: int
    active: bool
    # What the datalogger's file names must start with: <Province>_<Facility>_<Station>_.
    tt10_prefix: str


class StationPage(Page):
    results: list[StationOut]


class ParameterOut(Schema):
    medium: str
    code: str
    name_vi: str
    name_en: str
    unit: str
    minimum: float | None
    maximum: float | None
    aliases: list[str]


class ParameterPage(Page):
    results: list[ParameterOut]


# --- serialisers --------------------------------------------------------------------------------

def _province_ref(province) -> dict | None:
    return {"code": province.code, "name": province.name} if province else None


def _org_ref(obj) -> dict | None:
    return {"id": obj.id, "name": obj.name} if obj else None


def province_out(p) -> dict:
    return {
        "code": p.code, "name": p.name, "short_name": p.short_name,
        "division_type": p.division_type, "codename": p.codename,
        "abbreviation": p.abbreviation, "ward_count": getattr(p, "ward_count", None),
    }


def ward_out(w) -> dict:
    return {"code": w.code, "name": w.name, "division_type": w.division_type,
            "province": _province_ref(w.province)}


def organisation_out(o) -> dict:
    return {
        "id": o.id, "name": o.name, "short_name": o.short_name, "kind": o.kind,
        "kind_label": str(o.get_kind_display()), "parent": _org_ref(o.parent),
        "province": _province_ref(o.province),
    }


def facility_out(f) -> dict:
    return {
        "id": f.id, "name": f.name, "abbreviation": f.abbreviation, "tax_code": f.tax_code,
        "address": f.address, "province": _province_ref(f.province),
        "ward": {"code": f.ward.code, "name": f.ward.name} if f.ward else None,
        "latitude": f.latitude, "longitude": f.longitude, "sector": f.sector,
        "sector_label": str(f.get_sector_display()), "operator": _org_ref(f.operator),
        "permit_number": f.permit_number, "permit_date": f.permit_date,
        "source_count": getattr(f, "source_count", 0),
        "station_count": getattr(f, "station_count", 0),
    }


def source_out(s) -> dict:
    return {
        "id": s.id, "code": s.code, "name": s.name, "kind": s.kind,
        "kind_label": str(s.get_kind_display()), "facility": _org_ref(s.facility),
        "province": _province_ref(s.facility.province), "stack_height_m": s.stack_height_m,
        "stack_diameter_m": s.stack_diameter_m, "design_flow_m3h": s.design_flow_m3h,
        "fuel": s.fuel,
        "regulation": {"code": s.regulation.code, "title": s.regulation.title}
        if s.regulation else None,
    }


def station_out(s) -> dict:
    return {
        "code": s.code, "name": s.name, "kind": s.kind, "kind_label": str(s.get_kind_display()),
        "medium": s.medium, "province": _province_ref(s.province),
        "facility": _org_ref(s.facility),
        "source": {"id": s.source.id, "name": str(s.source)} if s.source else None,
        "operator": _org_ref(s.operator), "latitude": s.latitude, "longitude": s.longitude,
        "expected_interval_minutes": s.expected_interval_minutes, "active": s.active,
        "tt10_prefix": s.tt10_prefix,
    }


def parameter_out(p) -> dict:
    return {
        "medium": p.medium, "code": p.code, "name_vi": p.name_vi, "name_en": p.name_en,
        "unit": p.unit, "minimum": p.minimum, "maximum": p.maximum,
        "aliases": [alias.alias for alias in p.aliases.all()],
    }


def _page(qs, serialise, order, cursor, limit) -> dict:
    page = keyset_page(qs, order=order, cursor=cursor, limit=limit)
    return {"results": [serialise(row) for row in page.results], "next": page.next}


# --- query parameters -----------------------------------------------------------------------------

# A row id as a filter: a number the database can hold (a 40-digit one is a 400, not a 500).
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class Paging(Schema):
    cursor: str | None = None
    limit: PageLimit = None


class TextQuery(Paging):
    q: str | None = None


class WardQuery(TextQuery):
    province: str | None = None


class OrganisationQuery(TextQuery):
    kind: OrganisationKind | None = None
    province: str | None = None


class FacilityQuery(TextQuery):
    province: str | None = None
    sector: Sector | None = None
    operator: RowId | None = None


class SourceQuery(TextQuery):
    facility: RowId | None = None
    province: str | None = None
    kind: SourceKind | None = None


class StationQuery(TextQuery):
    province: str | None = None
    kind: StationKind | None = None
    medium: Medium | None = None
    facility: RowId | None = None
    active: bool | None = None


class ParameterQuery(TextQuery):
    medium: Medium | None = None


# --- endpoints --------------------------------------------------------------------------------

@router.get(
    "/provinces",
    response={200: ProvincePage, **READ_ERRORS}, openapi_extra=PUBLIC,
    summary="Provinces (34, after the 2025 reform)",
)
def list_provinces(request, query: Query[TextQuery]):
    qs = services.provinces(actor_of(request), query.q)
    return _page(qs, province_out, ("code",), query.cursor, query.limit)


@router.get("/provinces/{code}", response={200: ProvinceOut, **READ_ERRORS},
            openapi_extra=PUBLIC, summary="One province")
def get_province(request, code: str):
    p = services.province(actor_of(request), code)
    p.ward_count = p.wards.count()
    return province_out(p)


@router.get(
    "/wards",
    response={200: WardPage, **READ_ERRORS}, openapi_extra=PUBLIC,
    summary="Wards (3,321), filterable by province",
)
def list_wards(request, query: Query[WardQuery]):
    qs = services.wards(actor_of(request), query.province, query.q)
    return _page(qs, ward_out, ("code",), query.cursor, query.limit)


@router.get(
    "/organisations",
    response={200: OrganisationPage, **READ_ERRORS}, openapi_extra=PUBLIC,
    summary="Organisations",
)
def list_organisations(request, query: Query[OrganisationQuery]):
    qs = services.organisations(actor_of(request), query.kind, query.province, query.q)
    return _page(qs, organisation_out, ("id",), query.cursor, query.limit)


@router.get(
    "/organisations/{organisation_id}",
    response={200: OrganisationOut, **READ_ERRORS}, openapi_extra=PUBLIC,
    summary="One organisation",
)
def get_organisation(request, organisation_id: int):
    return organisation_out(services.organisation(actor_of(request), organisation_id))


@router.get(
    "/facilities",
    response={200: FacilityPage, **READ_ERRORS},
    summary="Facilities (cơ sở) in your scope",
)
def list_facilities(request, query: Query[FacilityQuery]):
    filters = services.FacilityFilters(query.province, query.sector, query.operator, query.q)
    qs = services.facilities(actor_of(request), filters)
    return _page(qs, facility_out, ("id",), query.cursor, query.limit)


@router.get(
    "/facilities/{facility_id}",
    response={200: FacilityOut, **READ_ERRORS},
    summary="One facility",
)
def get_facility(request, facility_id: int):
    return facility_out(services.facility(actor_of(request), facility_id))


@router.get(
    "/sources",
    response={200: SourcePage, **READ_ERRORS},
    summary="Emission sources (stacks and outfalls)",
)
def list_sources(request, query: Query[SourceQuery]):
    filters = services.SourceFilters(query.facility, query.province, query.kind, query.q)
    qs = services.sources(actor_of(request), filters)
    return _page(qs, source_out, ("id",), query.cursor, query.limit)


@router.get(
    "/sources/{source_id}",
    response={200: SourceOut, **READ_ERRORS},
    summary="One emission source",
)
def get_source(request, source_id: int):
    return source_out(services.source(actor_of(request), source_id))


@router.get(
    "/stations",
    response={200: StationPage, **READ_ERRORS},
    summary="Monitoring stations in your scope",
)
def list_stations(request, query: Query[StationQuery]):
    filters = services.StationFilters(
        query.province, query.kind, query.medium, query.facility, query.active, query.q
    )
    qs = services.stations(actor_of(request), filters)
    return _page(qs, station_out, ("code",), query.cursor, query.limit)


class StationGeoQuery(Schema):
    province: str | None = None
    kind: StationKind | None = None
    medium: Medium | None = None
    facility: RowId | None = None
    active: bool | None = None
    q: str | None = None


@router.get(
    "/stations.geojson",
    summary="Monitoring stations in your scope as a GeoJSON FeatureCollection (for maps)",
    response={200: dict, **READ_ERRORS},
)
def stations_geojson(request, query: Query[StationGeoQuery]):
    filters = services.StationFilters(
        query.province, query.kind, query.medium, query.facility, query.active, query.q
    )
    qs = services.stations(actor_of(request), filters).exclude(latitude=None)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [s.longitude, s.latitude]},
            "properties": station_out(s),
        }
        for s in qs.order_by("code")
    ]
    return JsonResponse(
        {"type": "FeatureCollection", "features": features},
        content_type="application/geo+json",
        json_dumps_params={"ensure_ascii": False},
    )


@router.get(
    "/stations/{code}",
    response={200: StationOut, **READ_ERRORS},
    summary="One monitoring station by its code",
)
def get_station(request, code: str):
    return station_out(services.station(actor_of(request), code))


@router.get(
    "/parameters",
    response={200: ParameterPage, **READ_ERRORS}, openapi_extra=PUBLIC,
    summary="Measured parameters and their aliases",
)
def list_parameters(request, query: Query[ParameterQuery]):
    qs = services.parameters(actor_of(request), query.medium, query.q)
    return _page(qs, parameter_out, ("id",), query.cursor, query.limit)


@router.get(
    "/parameters/{medium}/{code}",
    response={200: ParameterOut, **READ_ERRORS}, openapi_extra=PUBLIC,
    summary="One parameter",
)
def get_parameter(request, medium: Medium, code: str):
    return parameter_out(services.parameter(actor_of(request), medium, code))
