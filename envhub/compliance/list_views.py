"""Compliance across facilities: the exceedance events of every facility in scope (with
filters, sorts, totals and downloads), the facility list's quarter columns (a part of the
registry's list, `registry.views.FACILITY_LIST_COLUMNS`) and their download. Thin: the lists
are `event_list` and `facility_grid`, the files `exports`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from envhub.compliance import event_list, exports, facility_grid
from envhub.compliance.models import EventStatus, ExceedanceBand
from envhub.core.pagination import keyset_page
from envhub.registry import services as registry
from envhub.registry.models import Facility, Sector


@login_required
def events(request):
    actor = request.actor
    query = event_list.parse(request.GET)
    page = keyset_page(event_list.events(actor, query), order=query.order,
                       cursor=(request.GET.get("cursor") or "").strip() or None, limit=100)
    for event in page.results:
        event.days = event_list.facility_days(event)
    chosen = request.GET.copy()
    chosen.pop("cursor", None)
    filters = query.filters
    return render(request, "compliance/events.html", {
        "page": page, "totals": event_list.totals(actor, query), "filters": filters,
        "sort": query.sort, "sorts": [(key, label) for key, (_order, label)
                                      in event_list.SORTS.items()],
        "provinces": registry.provinces(actor).filter(
            id__in=registry.facilities(actor).values("province_id")),
        "sectors": Sector.choices,
        "parameters": registry.parameters(actor).order_by("medium", "code"),
        "bands": ExceedanceBand.objects.order_by("medium", "lower"),
        "statuses": [(EventStatus.OPEN, EventStatus.OPEN.label),
                     (EventStatus.CLOSED, EventStatus.CLOSED.label)],
        "from": request.GET.get("from", "")[:30], "to": request.GET.get("to", "")[:30],
        "query": chosen.urlencode(),
        "csv_url": reverse("compliance-events-export", args=["csv"]) + "?" + chosen.urlencode(),
        "xlsx_url": reverse("compliance-events-export", args=["xlsx"]) + "?" + chosen.urlencode(),
        "api_url": reverse("api:list_exceedances") + "?" + chosen.urlencode(),
    })


@login_required
def events_export(request, fmt: str):
    """The whole filtered list, in the chosen order, as CSV or XLSX."""
    query = event_list.parse(request.GET)
    return exports.events_response(event_list.events(request.actor, query), fmt,
                                   "su-co-vuot-quy-chuan")


# --- the facility list's compliance columns --------------------------------------------------

class FacilityColumns:
    """This quarter's hours over the limit, events and data completeness on the facility list:
    computed for the page's rows in a few grouped queries; for a sort by one of them, for the
    whole filtered list (still grouped, never per facility)."""

    head_template = "compliance/_facility_list_head.html"
    cell_template = "compliance/_facility_list_cells.html"
    sorts = {key: label for key, label in (
        ("-hours", gettext_lazy("Most hours over the limit")),
        ("hours", gettext_lazy("Fewest hours over the limit")),
        ("-events", gettext_lazy("Most events")), ("events", gettext_lazy("Fewest events")),
        ("-completeness", gettext_lazy("Most complete data")),
        ("completeness", gettext_lazy("Least complete data")))}

    @staticmethod
    def _ids(facilities):
        return Facility.objects.filter(pk__in=[facility.pk for facility in facilities]) \
            if isinstance(facilities, list) else Facility.objects.filter(
                pk__in=facilities.order_by().values("pk"))

    def cells(self, request, facilities) -> dict:
        # A sorted list has computed every facility's figures already (`order`).
        known = getattr(request, "_compliance_quarter_figures", None)
        if known is None or any(facility.pk not in known for facility in facilities):
            known = facility_grid.quarter_figures(self._ids(facilities))
        return {facility.pk: {"figures": known[facility.pk]} for facility in facilities}

    def order(self, request, qs, sort: str) -> list[int]:
        figures = facility_grid.quarter_figures(self._ids(qs))
        request._compliance_quarter_figures = figures
        names = dict(qs.order_by().values_list("pk", "name"))
        return [pk for pk, _figures in sorted(figures.items(), key=lambda item: _sort_key(
            sort, item[1], names.get(item[0], ""), item[0]))]

    def links(self, request) -> list[tuple[str, str]]:
        query = request.GET.copy()
        query.pop("cursor", None)
        suffix = "?" + query.urlencode() if query else ""
        return [(_("Download with this quarter's compliance (CSV)"),
                 reverse("facility-list-export", args=["csv"]) + suffix),
                (_("Download with this quarter's compliance (XLSX)"),
                 reverse("facility-list-export", args=["xlsx"]) + suffix)]


def _sort_key(sort: str, figures: facility_grid.Figures, name: str, pk: int):
    """Facilities without the figure (no data) come last in either direction."""
    value = {"hours": figures.hours, "events": figures.events,
             "completeness": figures.completeness}[sort.lstrip("-")]
    if value is None:
        return (1, 0, name, pk)
    return (0, -value if sort.startswith("-") else value, name, pk)


FACILITY_COLUMNS = [
    exports.Column("id", gettext_lazy("Facility number"), "integer"),
    exports.Column("name", gettext_lazy("Facility")),
    exports.Column("tax_code", gettext_lazy("Tax code")),
    exports.Column("sector", gettext_lazy("Sector")),
    exports.Column("province", gettext_lazy("Province")),
    exports.Column("sources", gettext_lazy("Sources"), "integer"),
    exports.Column("stations", gettext_lazy("Stations"), "integer"),
    exports.Column("quarter", gettext_lazy("Quarter")),
    exports.Column("hours_over_limit", gettext_lazy("Hours over the limit"), "integer"),
    exports.Column("events", gettext_lazy("Exceedance events"), "integer"),
    exports.Column("completeness_pct", gettext_lazy("Data completeness (%)"), "percent"),
    exports.Column("data_status", gettext_lazy("Data")),
]


@login_required
def facility_list_export(request, fmt: str):
    """The facility list (its filters and sort) with this quarter's compliance columns."""
    actor = request.actor
    sector = request.GET.get("sector")
    filters = registry.FacilityFilters(
        province=(request.GET.get("province") or "").strip()[:20] or None,
        sector=sector if sector in Sector.values else None,
        q=(request.GET.get("q") or "").strip()[:200] or None)
    qs = registry.facilities(actor, filters)
    quarter = facility_grid.quarter_of()
    figures = facility_grid.quarter_figures(Facility.objects.filter(
        pk__in=qs.order_by().values("pk")), quarter)
    sort = request.GET.get("sort")
    if sort in FacilityColumns.sorts:
        ids = FacilityColumns().order(request, qs, sort)
    else:
        ids = list(qs.order_by("name", "id").values_list("pk", flat=True))
    rows_by_id = {row.pk: row for row in qs}

    def rows():
        for pk in ids:
            facility, found = rows_by_id[pk], figures[pk]
            yield [facility.pk, facility.name, facility.tax_code_display,
                   str(facility.get_sector_display()), facility.province.name,
                   facility.source_count, facility.station_count, str(quarter),
                   found.hours, found.events, found.completeness, found.label]

    return exports.response(FACILITY_COLUMNS, rows(), fmt, "co-so-tuan-thu",
                            sheet=_("Facilities"))
