"""The dashboard's trends and rankings: the fragments the dashboard page embeds
(`trends_context`, `rankings_context` with `dashboard/_trends.html` and `_rankings.html`), their
standalone pages and the rankings' CSV and XLSX. Thin: the figures are in `trends`,
`rankings` and `tables`."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from envhub.core.errors import Forbidden, InvalidInput, NotAuthenticated
from envhub.dashboard import filters, periods, rankings, services, trends
from envhub.dashboard.reading import Reading
from envhub.registry.models import Province, Sector

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def view_for(request) -> filters.View:
    """The view the URL asks for, or the error page that says why not."""
    actor = request.actor
    if not actor.is_authenticated:
        raise NotAuthenticated()
    try:
        return filters.view_from(actor, request.GET)
    except filters.DashboardRefused:
        raise Forbidden(_("The dashboard is for the ministry's leaders, data stewards and "
                          "provincial officers.")) from None
    except filters.FilterError as error:
        raise InvalidInput(str(error)) from None


def _month_label(month: dict) -> str:
    return f"{month['month'][5:]}/{month['month'][:4]}"


def _table(trend: dict) -> dict:
    """A trend as a table (one row per line of the chart, one column per month) and its
    chart's settings."""
    return {"months": [_month_label(month) for month in trend["months"]],
            "series": trend["series"]}


def trends_context(view: filters.View, reading: Reading | None = None) -> dict:
    """What `dashboard/_trends.html` shows for `view` (`reading`: the request's shared
    reads)."""
    provinces = trends.hours_by_province(view)
    sectors = trends.hours_by_sector(view)
    aqi = trends.aqi_days(view, reading)
    city_names = dict(Province.objects.filter(code__in=aqi["cities"]).values_list("code",
                                                                                 "name"))
    return {
        "trend_view": view,
        "trend_provinces": _table(provinces),
        "trend_sectors": _table(sectors),
        "trend_aqi": _table(aqi),
        "trend_cities": [city_names[code] for code in aqi["cities"] if code in city_names],
        "trend_config": {
            "provinces": _table(provinces), "sectors": _table(sectors), "aqi": _table(aqi),
        },
    }


def rankings_context(view: filters.View, reading: Reading | None = None) -> dict:
    """What `dashboard/_rankings.html` shows for `view`."""
    query = view.query()
    return {
        "ranking_view": view,
        "ranking": rankings.rankings(view, reading=reading),
        "ranking_csv_url": reverse("dashboard-rankings-csv") + "?" + query,
        "ranking_xlsx_url": reverse("dashboard-rankings-xlsx") + "?" + query,
    }


def filter_context(actor, view: filters.View) -> dict:
    """What the one filter form (`dashboard/_view_filter.html`) of the dashboard, its trends
    and its rankings offers: the periods, the reader's provinces, the sectors."""
    return {"view": view,
            "kinds": [(periods.WEEK, _("Week")), (periods.MONTH, _("Month")),
                      (periods.QUARTER, _("Quarter")), (periods.YEAR, _("Year")),
                      (periods.CUSTOM, _("Chosen days"))],
            "provinces": services.province_scope(actor), "sectors": Sector.choices}


def _page_context(request, view: filters.View, api_name: str) -> dict:
    """The filter form's choices and the JSON twin's address."""
    return {**filter_context(request.actor, view),
            "api_url": reverse(f"api:{api_name}") + "?" + view.query()}


def trends_page(request):
    view = view_for(request)
    context = _page_context(request, view, "dashboard_trends")
    context.update(trends_context(view))
    return render(request, "dashboard/trends.html", context)


def rankings_page(request):
    view = view_for(request)
    context = _page_context(request, view, "dashboard_rankings")
    context.update(rankings_context(view))
    return render(request, "dashboard/rankings.html", context)


def _file_name(view: filters.View, extension: str) -> str:
    scope = view.province or "vn"
    return f"xep-hang-{scope}-{view.period.first:%Y%m%d}-{view.period.last:%Y%m%d}.{extension}"


def rankings_csv(request):
    view = view_for(request)
    response = HttpResponse(rankings.csv_bytes(view), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(view, "csv")}"'
    return response


def rankings_xlsx(request):
    view = view_for(request)
    response = HttpResponse(rankings.xlsx_bytes(view), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_file_name(view, "xlsx")}"'
    return response

