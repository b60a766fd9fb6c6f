"""The dashboard page (`/dashboard/`) and its home-page panel. Thin: the view from the URL and
the figures come from `dashboard.services`; here only what the page needs to be read."""

from __future__ import annotations

import datetime

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from envhub.airquality import vn_aqi
from envhub.airquality.views import legend
from envhub.core.errors import EnvhubError
from envhub.dashboard import filters, periods, services, trend_views
from envhub.dashboard.reading import Reading
from envhub.monitoring.models import Connectivity
from envhub.registry.models import Province, Sector

STATE_ORDER = (Connectivity.OFFLINE, Connectivity.LATE, Connectivity.ONLINE, Connectivity.NEVER)


def _day(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def period_label(period: periods.Period) -> str:
    if period.kind == periods.MONTH:
        return _("month %(month)s") % {"month": period.first.strftime("%m/%Y")}
    if period.kind == periods.QUARTER:
        return _("quarter %(quarter)d/%(year)d") % {
            "quarter": (period.first.month - 1) // 3 + 1, "year": period.first.year}
    if period.kind == periods.YEAR:
        return _("year %(year)d") % {"year": period.first.year}
    if period.kind == periods.WEEK:
        return _("week %(first)s – %(last)s") % {"first": _day(period.first),
                                                 "last": _day(period.last)}
    return _("%(first)s – %(last)s") % {"first": _day(period.first), "last": _day(period.last)}


def _steps(view: filters.View) -> dict:
    """The shareable URLs of the period before and after (a custom period steps by its own
    length)."""
    before = view.previous().period
    after_day = view.period.last + datetime.timedelta(days=1)
    if view.period.kind == periods.CUSTOM:
        after = periods.Period(periods.CUSTOM, after_day,
                               view.period.last + datetime.timedelta(days=view.period.days))
    else:
        after = periods.around(view.period.kind, after_day)
    return {"previous": "?" + view.with_period(before).query(),
            "previous_label": period_label(before),
            "next": "?" + view.with_period(after).query(), "next_label": period_label(after)}


def _scope_name(view: filters.View) -> str:
    if view.province:
        return Province.objects.get(code=view.province).name
    if view.provinces is None:
        return _("the whole country")
    names = list(Province.objects.filter(code__in=view.provinces).values_list("name", flat=True))
    return ", ".join(names) or _("your provinces")


@require_GET
def dashboard(request):
    actor = request.actor
    view = services.read_view(actor, request.GET)
    reading = Reading(view, actor, trends=True)  # shared by the figures, trends, rankings
    board = services.read(actor, view, reading=reading)
    map_figure = services.map_figure(request.GET)
    labels = dict(Connectivity.choices)
    figures_by_key = {item.key: item for item in board.figures}
    return render(request, "dashboard/page.html", {
        **trend_views.trends_context(view, reading),
        **trend_views.rankings_context(view, reading),
        **trend_views.filter_context(actor, view), "board": board, "figures": figures_by_key,
        "period_label": period_label(view.period),
        "previous_label": period_label(view.previous().period),
        "scope_name": _scope_name(view), "steps": _steps(view),
        "sector_label": Sector(view.sector).label if view.sector else "",
        "categories": legend(), "category_codes": [c.code for c in vn_aqi.CATEGORIES],
        "map_figure": map_figure,
        "map_choices": [(key, label, "?" + view.query(map=key))
                        for key, label in services.map_figure_labels()],
        "map_config": {
            "stations_url": reverse("api:dashboard_map") + "?" + view.query(),
            "basemap_url": services.basemap_url(), "figure": map_figure,
            "provinces": services.province_rows(board),
            "states": [{"code": state, "label": str(labels[state])} for state in STATE_ORDER],
            "labels": services.map_labels(),
        },
        "api_url": reverse("api:dashboard") + "?" + view.query(),
        "state_labels": [(state, labels[state]) for state in STATE_ORDER],
    })


def home_panel(request):
    """The home page leads leaders, stewards and provincial officers to their dashboard, with
    this month's headline figures (issue 17); others see no panel."""
    actor = request.actor
    if not actor.is_authenticated or not filters.has_dashboard(actor) or actor.is_system:
        return None
    try:
        view = services.read_view(actor, {})
    except (filters.DashboardRefused, filters.FilterError, EnvhubError):
        return None
    board = services.read(actor, view)
    keys = ("stations_reporting", "completeness", "hours_over", "stations_offline")
    return "dashboard/_home_panel.html", {
        "figures": [board.figure(key) for key in keys], "period_label": period_label(
            view.period), "url": reverse("dashboard")}
