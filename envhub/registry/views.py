"""Registry pages. Each has a JSON twin in the API, linked from the page."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from envhub.core import permissions
from envhub.core.pagination import keyset_page
from envhub.registry import services
from envhub.registry.models import Facility, Medium, Sector, Station, StationKind

# What the apps above the registry show on a station's page beside its facts: each adds a
# function (request, station) -> template context when Django starts (monitoring: the station's
# data, `MonitoringConfig.ready`), so the registry imports none of them.
STATION_PAGE_PARTS: list[Callable[..., dict]] = []
# The same for the home page: each app above adds a function (request) -> (template, context),
# or None when it has nothing for this reader (surveys: a unit's work, `SurveysConfig.ready`).
HOME_PANELS: list[Callable[..., tuple[str, dict] | None]] = []


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def home(request):
    """The home page: what the actor may see of the registry, counted."""
    actor = request.actor
    context = {"actor": actor}
    if actor.is_authenticated:
        stations = services.stations(actor)
        context.update(
            facility_count=services.facilities(actor).count(),
            source_count=services.sources(actor).count(),
            station_count=stations.count(),
            stations_by_kind=[
                {"kind": row["kind"], "kind_label": StationKind(row["kind"]).label, "n": row["n"]}
                for row in stations.values("kind").annotate(n=Count("id")).order_by("kind")
            ],
        )
    context["province_count"] = services.provinces(actor).count()
    context["parameter_count"] = services.parameters(actor).count()
    context["home_panels"] = [panel for panel in (part(request) for part in HOME_PANELS)
                              if panel is not None]
    return render(request, "home.html", context)


@login_required
def facility_list(request):
    actor = request.actor
    filters = services.FacilityFilters(
        province=_clean(request.GET.get("province")),
        sector=request.GET.get("sector") if request.GET.get("sector") in Sector.values else None,
        q=_clean(request.GET.get("q")),
    )
    qs = services.facilities(actor, filters)
    page = keyset_page(qs, order=("name", "id"), cursor=_clean(request.GET.get("cursor")),
                       limit=50)
    context = {
        "page": page,
        "total": qs.count(),
        "filters": filters,
        # An empty list says why: the filters, or nothing registered in the actor's scope.
        "filtered": bool(filters.q or filters.province or filters.sector),
        "may_add": permissions.may_use_admin(actor) and permissions.can(
            actor, permissions.ADD, Facility),
        "provinces": services.provinces(actor).filter(
            id__in=services.facilities(actor).values("province_id")),
        "sectors": Sector.choices,
        "api_url": reverse("api:list_facilities") + "?" + request.GET.urlencode(),
    }
    # HTMX swaps in just the rows; when it restores a page from history (its cache missed), it
    # needs the whole page. The two answers share a URL: caches must tell them apart.
    rows_only = (bool(request.headers.get("HX-Request"))
                 and not request.headers.get("HX-History-Restore-Request"))
    template = "registry/_facility_rows.html" if rows_only else "registry/facility_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def facility_detail(request, facility_id: int):
    actor = request.actor
    facility = services.facility(actor, facility_id)
    stations = services.stations(actor, services.StationFilters(facility=facility.id))
    return render(request, "registry/facility_detail.html", {
        "facility": facility,
        "sources": services.sources(actor, services.SourceFilters(facility=facility.id)),
        "stations": stations,
        "inventories": list(services.annual_inventories(actor, facility.id)),
        "geojson_url": reverse("api:stations_geojson") + f"?facility={facility.id}",
        "api_url": reverse("api:get_facility", args=[facility.id]),
    })


@login_required
def station_list(request):
    actor = request.actor
    kind = request.GET.get("kind")
    filters = services.StationFilters(
        province=_clean(request.GET.get("province")),
        kind=kind if kind in StationKind.values else None,
        q=_clean(request.GET.get("q")),
    )
    qs = services.stations(actor, filters)
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(request, "registry/station_list.html", {
        "page": keyset_page(qs, order=("code",), cursor=_clean(request.GET.get("cursor")),
                            limit=100),
        "total": qs.count(),
        "filters": filters,
        # An empty list says why: the filters, or nothing registered in the actor's scope.
        "filtered": bool(filters.q or filters.province or filters.kind),
        "may_add": permissions.may_use_admin(actor) and permissions.can(
            actor, permissions.ADD, Station),
        "provinces": services.provinces(actor).filter(
            id__in=services.stations(actor).values("province_id")),
        "kinds": StationKind.choices,
        "geojson_url": reverse("api:stations_geojson") + "?" + query.urlencode(),
        "api_url": reverse("api:list_stations") + "?" + query.urlencode(),
    })


@login_required
def station_detail(request, code: str):
    station = services.station(request.actor, code)
    context = {
        "station": station,
        "geojson_url": reverse("api:stations_geojson") + f"?q={station.code}",
        "api_url": reverse("api:get_station", args=[station.code]),
        "declared_units": station.declared_units.select_related("parameter").order_by(
            "parameter__code"),
    }
    for part in STATION_PAGE_PARTS:
        context.update(part(request, station))
    return render(request, "registry/station_detail.html", context)


def parameter_list(request):
    medium = request.GET.get("medium")
    medium = medium if medium in Medium.values else None
    return render(request, "registry/parameter_list.html", {
        "parameters": services.parameters(request.actor, medium).order_by("medium", "code"),
        "media": Medium.choices,
        "medium": medium,
        "api_url": reverse("api:list_parameters") + (f"?medium={medium}" if medium else ""),
    })
