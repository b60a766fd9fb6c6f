"""The dashboard read for a request: who may read it, the view its URL asks for, the figures,
and the same as JSON (the page and `/api/v1/dashboard` share all of it)."""

from __future__ import annotations

import datetime

from django.templatetags.static import static
from django.utils.translation import gettext as _

from envhub.airquality import vn_aqi
from envhub.airquality.services import province_centres
from envhub.core import permissions
from envhub.core.errors import Forbidden, InvalidInput, NotAuthenticated
from envhub.core.permissions import Actor
from envhub.core.timeutil import VN
from envhub.dashboard import figures, filters, links
from envhub.monitoring.models import Connectivity
from envhub.registry.models import Province, Station, StationKind

# What the map may colour provinces by (a key of `Dashboard.provinces` rows).
MAP_FIGURES = ("hours_over", "events_open", "stations_offline", "completeness")


def refusal() -> str:
    return _("Facility operators and survey units have no dashboard: it shows the figures of "
             "the provinces and the country to the ministry and the provincial departments.")


def read_view(actor: Actor, params, today: datetime.date | None = None) -> filters.View:
    """The view `params` ask for; NotAuthenticated, Forbidden (no dashboard), InvalidInput (a
    filter that cannot be read), Http404 (a province out of scope)."""
    if not actor.is_authenticated:
        raise NotAuthenticated
    try:
        return filters.view_from(actor, params,
                                 today=today or filters.clock().astimezone(VN).date())
    except filters.DashboardRefused:
        raise Forbidden(refusal()) from None
    except filters.FilterError as error:
        raise InvalidInput(str(error)) from None


def map_figure_labels() -> list[tuple[str, str]]:
    return [("hours_over", _("hours over a limit")), ("events_open", _("open exceedance events")),
            ("stations_offline", _("stations offline")),
            ("completeness", _("data completeness"))]


def map_labels() -> dict:
    return {"outline": _("Outline of Viet Nam: Natural Earth, with Hoàng Sa and Trường Sa"),
            "no_data": _("no data"), "open": _("Open the dashboard of this province"),
            "stations": _("stations")}


def basemap_url() -> str:
    return static("envhub/vietnam-basemap.geojson")


def province_scope(actor: Actor):
    """The provinces the reader may choose in the filter."""
    qs = Province.objects.order_by("name")
    if actor.is_system or actor.sees_everything:
        return qs
    return qs.filter(id__in=actor.province_ids)


def map_figure(params) -> str:
    chosen = (params.get("map") or "").strip()
    return chosen if chosen in MAP_FIGURES else MAP_FIGURES[0]


def read(actor: Actor, view: filters.View, now: datetime.datetime | None = None,
         reading=None) -> figures.Dashboard:
    return figures.dashboard(actor, view, links.for_view(view), now=now or filters.clock(),
                             reading=reading)


def province_rows(board: figures.Dashboard) -> list[dict]:
    """The provinces of the view with a place on the map and their figures."""
    rows = []
    for centre in province_centres():
        code = centre["code"]
        if board.view.provinces is not None and code not in board.view.provinces:
            continue
        values = board.provinces.get(code, {})
        rows.append({"code": code, "name": centre["name"], "label": centre["label"],
                     "latitude": centre["latitude"], "longitude": centre["longitude"],
                     "url": "?" + board.view.query(province=code),
                     **{key: values.get(key) for key in MAP_FIGURES}})
    return rows


def station_points(actor: Actor, view: filters.View) -> list[dict]:
    """The stations of the view with a position, and their connectivity state now. One
    query."""
    qs = permissions.visible(actor, Station.objects.filter(active=True, latitude__isnull=False,
                                                           longitude__isnull=False))
    if view.provinces is not None:
        qs = qs.filter(province__code__in=view.provinces)
    if view.sector:
        qs = qs.filter(facility__sector=view.sector)
    return [{"code": code, "name": name, "latitude": lat, "longitude": lon,
             "state": state or (Connectivity.NEVER if kind != StationKind.PERIODIC else "")}
            for code, name, lat, lon, kind, state in qs.order_by("code").values_list(
                "code", "name", "latitude", "longitude", "kind", "status__state")]


def as_dict(board: figures.Dashboard) -> dict:
    view = board.view
    before = view.previous().period
    return {
        "period": {"kind": view.period.kind, "first": view.period.first.isoformat(),
                   "last": view.period.last.isoformat()},
        "previous": {"first": before.first.isoformat(), "last": before.last.isoformat()},
        "province": view.province,
        "provinces": list(view.provinces) if view.provinces is not None else None,
        "sector": view.sector,
        "figures": [item.as_dict() for item in board.figures],
        "events_by_band": [item.as_dict() for item in board.bands],
        "aqi": {"categories": [item.as_dict() for item in board.aqi],
                "cities": [{"code": city["code"], "name": city["name"], "total": city["total"],
                            "days": dict(zip([c.code for c in vn_aqi.CATEGORIES], city["days"],
                                             strict=True))}
                           for city in board.aqi_cities]},
        "surveys": board.surveys,
        "map": province_rows(board),
    }
