"""Registry pages. Each has a JSON twin in the API, linked from the page."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from envhub.core import permissions
from envhub.core.errors import InvalidInput
from envhub.core.pagination import Page, decode_cursor, encode_cursor, keyset_page
from envhub.registry import services
from envhub.registry.models import Facility, Medium, Sector, Station, StationKind

# What the apps above the registry show on a station's page beside its facts: each adds a
# function (request, station) -> template context when Django starts (monitoring: the station's
# data, `MonitoringConfig.ready`), so the registry imports none of them.
STATION_PAGE_PARTS: list[Callable[..., dict]] = []
# The same for the home page: each app above adds a function (request) -> (template, context),
# or None when it has nothing for this reader (surveys: a unit's work, `SurveysConfig.ready`).
HOME_PANELS: list[Callable[..., tuple[str, dict] | None]] = []
# Columns the apps above add to the facility list (compliance: this quarter's figures,
# `ComplianceConfig.ready`). Each is an object with `sorts` ({sort key: label}), `order(request,
# qs, sort)` -> the ids of qs in that order, `cells(request, facilities)` -> {id: context},
# `head_template`, `cell_template`, and `links(request)` -> [(label, url)] (its downloads).
FACILITY_LIST_COLUMNS: list = []


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
    sort = _clean(request.GET.get("sort"))
    part = next((part for part in FACILITY_LIST_COLUMNS if sort in part.sorts), None)
    if part is None:
        sort = None
        page = keyset_page(qs, order=("name", "id"), cursor=_clean(request.GET.get("cursor")),
                           limit=50)
    else:
        page = _sorted_page(qs, part.order(request, qs, sort), sort,
                            _clean(request.GET.get("cursor")), 50)
    for facility in page.results:
        facility.columns = []
    for column in FACILITY_LIST_COLUMNS:
        cells = column.cells(request, page.results)
        for facility in page.results:
            facility.columns.append((column.cell_template, cells.get(facility.pk, {})))
    context = {
        "page": page,
        "sort": sort,
        "heads": [(column.head_template, column) for column in FACILITY_LIST_COLUMNS],
        "downloads": [link for column in FACILITY_LIST_COLUMNS for link in column.links(request)],
        "query_without_sort": urlencode([(key, value) for key, value in (
            ("q", filters.q), ("province", filters.province), ("sector", filters.sector))
            if value]),
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


def _sorted_page(qs, ids: list[int], sort: str, cursor: str | None, limit: int) -> Page:
    """A page of a list an app above has put in order (its figures are not columns the
    database can sort by): the cursor names the last row shown, signed like every cursor."""
    scope = f"facility-list:{sort}"
    position = 0
    if cursor:
        last = decode_cursor(cursor, 1, scope)[0]
        if last not in ids:
            raise InvalidInput(_("The paging cursor is not valid; start again from the first "
                                 "page."), {"cursor": [_("invalid cursor")]})
        position = ids.index(last) + 1
    chosen = ids[position:position + limit]
    rows = {row.pk: row for row in qs.filter(pk__in=chosen)}
    results = [rows[pk] for pk in chosen if pk in rows]
    more = position + limit < len(ids) and results
    return Page(results, encode_cursor([results[-1].pk], scope) if more else None)


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
