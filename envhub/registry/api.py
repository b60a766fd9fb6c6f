"""Registry API: read endpoints for provinces, wards, organisations, facilities, sources, stations
and parameters. Thin: parse the query, call `registry.services`, serialise."""

import datetime
from typing import Annotated, Any

from django.http import JsonResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from envhub.core.api_auth import PUBLIC, actor_of
from envhub.core.api_errors import READ_ERRORS
from envhub.core.pagination import KeysetPagination
from envhub.registry import services
from envhub.registry.models import Medium, OrganisationKind, Sector, SourceKind, StationKind

router = Router(tags=["registry"])


# --- schemas: each reads the model objects the services return ---------------------------------

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


class WardOut(Schema):
    code: str
    name: str
    division_type: str
    province: ProvinceRef


class OrganisationRef(Schema):
    id: int
    name: str


class OrganisationOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    parent: OrganisationRef | None
    province: ProvinceRef | None


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
    sector_label: str = Field(alias="get_sector_display")
    operator: OrganisationRef
    permit_number: str
    permit_date: datetime.date | None
    source_count: int
    station_count: int


class AnnualInventoryOut(Schema):
    """A stack's figures for a year from the emission source inventory (the facility page's
    "annual inventory" table); units are the survey schema's."""

    source_id: int
    stack_code: str = Field(alias="source.code")
    year: int
    fuel: str
    fuel_use_t: float | None
    flow_m3h: float | None
    treatment: str
    production: float | None
    production_unit: str
    survey_version: int


class FacilityDetailOut(FacilityOut):
    annual_inventory: list[AnnualInventoryOut]


class RegulationRef(Schema):
    code: str
    title: str


class SourceOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    facility: OrganisationRef
    province: ProvinceRef = Field(alias="facility.province")
    stack_height_m: float | None
    stack_diameter_m: float | None
    design_flow_m3h: float | None
    fuel: str
    regulation: RegulationRef | None


class StationOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
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

    @staticmethod
    def resolve_source(station) -> dict | None:
        # A source is named as the registry names it: "<code> — <name>".
        source = station.source
        return {"id": source.id, "name": str(source)} if source else None


class ParameterOut(Schema):
    medium: str
    code: str
    name_vi: str
    name_en: str
    unit: str
    minimum: float | None
    maximum: float | None
    aliases: list[str]

    @staticmethod
    def resolve_aliases(parameter) -> list[str]:
        return [alias.alias for alias in parameter.aliases.all()]


class Paging(KeysetPagination):
    class Output(Schema):
        # The registry's lists have always given `next` first.
        next: str | None
        results: list[Any]


# --- query parameters -----------------------------------------------------------------------------

# A row id as a filter: a number the database can hold (a 40-digit one is a 400, not a 500).
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class TextQuery(Schema):
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
    response={200: list[ProvinceOut], **READ_ERRORS}, openapi_extra=PUBLIC,
    summary="Provinces (34, after the 2025 reform)",
)
@paginate(Paging, order=("code",))
def list_provinces(request, query: Query[TextQuery]):
    return services.provinces(actor_of(request), query.q)


@router.get("/provinces/{code}", response={200: ProvinceOut, **READ_ERRORS},
            openapi_extra=PUBLIC, summary="One province")
def get_province(request, code: str):
    p = services.province(actor_of(request), code)
    p.ward_count = p.wards.count()
    return p


@router.get(
    "/wards",
    response={200: list[WardOut], **READ_ERRORS}, openapi_extra=PUBLIC,
    summary="Wards (3,321), filterable by province",
)
@paginate(Paging, order=("code",))
def list_wards(request, query: Query[WardQuery]):
    return services.wards(actor_of(request), query.province, query.q)


@router.get(
    "/organisations",
    response={200: list[OrganisationOut], **READ_ERRORS}, openapi_extra=PUBLIC,
    summary="Organisations",
)
@paginate(Paging, order=("id",))
def list_organisations(request, query: Query[OrganisationQuery]):
    return services.organisations(actor_of(request), query.kind, query.province, query.q)


@router.get(
    "/organisations/{organisation_id}",
    response={200: OrganisationOut, **READ_ERRORS}, openapi_extra=PUBLIC,
    summary="One organisation",
)
def get_organisation(request, organisation_id: int):
    return services.organisation(actor_of(request), organisation_id)


@router.get(
    "/facilities",
    response={200: list[FacilityOut], **READ_ERRORS},
    summary="Facilities (cơ sở) in your scope",
)
@paginate(Paging, order=("id",))
def list_facilities(request, query: Query[FacilityQuery]):
    filters = services.FacilityFilters(query.province, query.sector, query.operator, query.q)
    return services.facilities(actor_of(request), filters)


@router.get(
    "/facilities/{facility_id}",
    response={200: FacilityDetailOut, **READ_ERRORS},
    summary="One facility, with its stacks' annual inventory figures",
)
def get_facility(request, facility_id: int):
    actor = actor_of(request)
    facility = services.facility(actor, facility_id)
    # The figures the facility page shows, cut by the same rule (whoever sees the stack).
    facility.annual_inventory = list(services.annual_inventories(actor, facility.id))
    return facility


@router.get(
    "/sources",
    response={200: list[SourceOut], **READ_ERRORS},
    summary="Emission sources (stacks and outfalls)",
)
@paginate(Paging, order=("id",))
def list_sources(request, query: Query[SourceQuery]):
    filters = services.SourceFilters(query.facility, query.province, query.kind, query.q)
    return services.sources(actor_of(request), filters)


@router.get(
    "/sources/{source_id}",
    response={200: SourceOut, **READ_ERRORS},
    summary="One emission source",
)
def get_source(request, source_id: int):
    return services.source(actor_of(request), source_id)


@router.get(
    "/stations",
    response={200: list[StationOut], **READ_ERRORS},
    summary="Monitoring stations in your scope",
)
@paginate(Paging, order=("code",))
def list_stations(request, query: Query[StationQuery]):
    filters = services.StationFilters(
        query.province, query.kind, query.medium, query.facility, query.active, query.q
    )
    return services.stations(actor_of(request), filters)


def _station_properties(s) -> dict:
    """StationOut's fields, built by hand: a map asks for every station, and validating each
    through the schema made this answer a quarter slower (a test keeps the two the same)."""
    return {
        "code": s.code, "name": s.name, "kind": s.kind, "kind_label": s.get_kind_display(),
        "medium": s.medium, "province": {"code": s.province.code, "name": s.province.name},
        "facility": {"id": s.facility.id, "name": s.facility.name} if s.facility else None,
        "source": StationOut.resolve_source(s),
        "operator": {"id": s.operator.id, "name": s.operator.name} if s.operator else None,
        "latitude": s.latitude, "longitude": s.longitude,
        "expected_interval_minutes": s.expected_interval_minutes, "active": s.active,
        "tt10_prefix": s.tt10_prefix,
    }


@router.get(
    "/stations.geojson",
    summary="Monitoring stations in your scope as a GeoJSON FeatureCollection (for maps)",
    response={200: dict, **READ_ERRORS},
)
def stations_geojson(request, query: Query[StationQuery]):
    filters = services.StationFilters(
        query.province, query.kind, query.medium, query.facility, query.active, query.q
    )
    qs = services.stations(actor_of(request), filters).exclude(latitude=None)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [s.longitude, s.latitude]},
            "properties": _station_properties(s),
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
    return services.station(actor_of(request), code)


@router.get(
    "/parameters",
    response={200: list[ParameterOut], **READ_ERRORS}, openapi_extra=PUBLIC,
    summary="Measured parameters and their aliases",
)
@paginate(Paging, order=("id",))
def list_parameters(request, query: Query[ParameterQuery]):
    return services.parameters(actor_of(request), query.medium, query.q)


@router.get(
    "/parameters/{medium}/{code}",
    response={200: ParameterOut, **READ_ERRORS}, openapi_extra=PUBLIC,
    summary="One parameter",
)
def get_parameter(request, medium: Medium, code: str):
    return services.parameter(actor_of(request), medium, code)
