"""Compliance pages: a facility's limits against its hourly averages, its events and data
completeness (with an XLSX report), and a province's facilities by hours exceeded. Each page
has a JSON twin in the API."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from envhub.compliance import alerts, digests, facility_grid, inbox, reports, sanctioning, services
from envhub.compliance.models import NotificationKind
from envhub.core import permissions
from envhub.core.pagination import keyset_page


def period(request) -> tuple[datetime.date, datetime.date]:
    """The chosen local days (inclusive) from ?from=&to=; the last 7 days by default."""
    return services.local_days(request.GET.get("from"), request.GET.get("to"))


@login_required
def facility_compliance(request, facility_id: int):
    actor = request.actor
    facility = services.facility(actor, facility_id)
    first, last = period(request)
    start, end = services.period_bounds(first, last)
    blocks = [{
        "source": block.source, "limits": block.limits,
        "rows": [{"effective": effective, "figures": figures} for effective, figures in block.rows],
        # A chart only where the period holds averages; the others are named once, with why.
        "charted": [effective for effective, figures in block.rows
                    if effective.limit and figures is not None and figures.with_data],
        "silent": [effective.parameter.code for effective, figures in block.rows
                   if effective.limit and figures is not None and not figures.with_data],
        "stations": list(block.source.stations.all()),
        "assessments_url": reverse("api:source_assessments", args=[block.source.id]),
        "limits_url": reverse("api:source_limits", args=[block.source.id])
                      + f"?date={block.limits.day.isoformat()}",
    } for block in services.facility_coverage(actor, facility.id, first, last)]
    events = services.events(actor, services.EventFilters(facility=facility.id, start=start,
                                                          end=end)).order_by("-start")[:500]
    events = sanctioning.attach(list(events))
    query = f"?from={first.isoformat()}&to={last.isoformat()}"
    return render(request, "compliance/facility.html", {
        "facility": facility, "blocks": blocks, "events": events, "first": first, "last": last,
        "grid": facility_grid.page_grid(facility),
        "xlsx_url": reverse("facility-compliance-xlsx", args=[facility.id]) + query,
        "api_url": reverse("api:facility_compliance", args=[facility.id]) + query,
        "chart_config": {
            "from": start.isoformat(), "to": end.isoformat(),
            "labels": {"value": _("Hourly average (corrected)"), "limit": _("Limit"),
                       "exceeds": _("Over the limit"), "unknown": _("Not enough data"),
                       "in_progress": _("in progress"),
                       "empty": _("No judged averages in this period."),
                       "error": _("The averages could not be loaded; reload the page."),
                       "multiple": _("times the limit"), "coverage": _("coverage")},
            "lang": request.LANGUAGE_CODE,
        },
    })


@login_required
def facility_compliance_xlsx(request, facility_id: int):
    actor = request.actor
    facility = services.facility(actor, facility_id)
    first, last = period(request)
    content = reports.facility_workbook(actor, facility, first, last)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"tuan-thu-{facility.abbreviation or facility.pk}-{first:%Y%m%d}-{last:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def chosen_month(request) -> datetime.date | None:
    return services.parse_month(request.GET.get("month"))


def _totals(rows) -> dict:
    """The hours over the limit in all — None rather than a 0 when no row was judged — and the
    rows that were not."""
    not_judged = sum(not row["told"].judged for row in rows)
    total = sum(row["hours"] or 0 for row in rows)
    return {"total_hours": None if rows and not_judged == len(rows) and not total else total,
            "not_judged": not_judged}


@login_required
def overview(request):
    month, rows = services.national_overview(request.actor, chosen_month(request))
    return render(request, "compliance/overview.html", {
        "month": month, "rows": rows, **_totals(rows),
        "api_url": reverse("api:compliance_overview") + f"?month={month:%Y-%m}",
    })


@login_required
def province_compliance(request, code: str):
    actor = request.actor
    province, month, rows = services.province_ranking(actor, code, chosen_month(request))
    return render(request, "compliance/province.html", {
        "province": province, "month": month, "rows": rows,
        **_totals(rows),
        "api_url": reverse("api:compliance_province", args=[province.code])
                   + f"?month={month:%Y-%m}",
    })


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    """The signed-in person's in-app notifications, newest first, filtered by kind, read state
    and period (?kind=&state=&from=&to=); POST marks them all read."""
    actor = request.actor
    if request.method == "POST":
        services.mark_read(actor)
        return redirect("notifications")
    filters = inbox.parse(request.GET.get("kind"), request.GET.get("state"),
                          request.GET.get("from"), request.GET.get("to"))
    cursor = (request.GET.get("cursor") or "").strip() or None
    page = keyset_page(inbox.filtered(actor, filters), order=("-id",), cursor=cursor, limit=50)
    language = get_language()
    for delivery in page.results:  # in the language of the page the person reads
        notification = delivery.notification
        delivery.subject, delivery.body = alerts.wording(notification, language)
        if notification.kind == NotificationKind.DIGEST:
            delivery.digest = digests.contents(notification, language)
    query = {key: request.GET.get(key, "").strip() for key in ("kind", "state", "from", "to")}
    query = {key: value for key, value in query.items() if value}
    return render(request, "compliance/notifications.html", {
        "page": page, "unread": inbox.unread(actor), "filters": filters,
        # What the person's next digests hold so far: a leader sees today's events coming.
        "waiting": digests.waiting(actor.user.pk) if actor.user else [],
        "query": query, "query_string": urlencode(query),
        "here": urlencode({**query, **({"cursor": cursor} if cursor else {})}),
        "kinds": inbox.kinds(), "states": [("unread", _("Unread")), ("read", _("Read"))],
        # Who the alerts go to (`alerts.recipients`): the others are told where to look instead.
        "receives": actor.has_role(permissions.STEWARD, permissions.LEADER,
                                   permissions.PROVINCIAL_OFFICER,
                                   permissions.FACILITY_OPERATOR),
        "api_url": reverse("api:list_notifications") + (f"?{urlencode(query)}" if query else ""),
    })


def unread_count(request) -> dict:
    """Context processor: the unread notifications of the signed-in person — a function, which
    the template calls (one query) only where it shows the number."""
    actor = getattr(request, "actor", None)

    def count():
        try:
            if actor is None or actor.user is None:
                return 0
            return inbox.unread(actor)
        except Exception:  # noqa: BLE001 - a bad token must not break every page's header
            return 0

    return {"unread_notifications": count}
