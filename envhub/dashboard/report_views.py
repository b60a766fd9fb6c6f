"""The reports' pages: `/dashboard/reports/` (the list with its filters, each report's state
and downloads, and the form that asks for one) and the downloads. Thin: `reports` decides and
scopes; every road to a report reads the same rule (`dashboard/policy.py`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from envhub.core.errors import EnvhubError, Forbidden, NotAuthenticated
from envhub.core.pagination import keyset_page
from envhub.core.text import fold
from envhub.dashboard import periods, reports
from envhub.dashboard.filters import DashboardRefused, today_local
from envhub.dashboard.models import ReportStatus
from envhub.registry.models import Province

PAGE_SIZE = 50


def _refused(actor) -> EnvhubError:
    if not actor.is_authenticated:
        return NotAuthenticated()
    return Forbidden(_("Reports are for the ministry's leaders, data stewards and provincial "
                       "officers."))


def _provinces(actor):
    """The provinces a reader may choose, in the order of their names as a reader sorts them
    ("Đồng Nai" after "Điện Biên", "Thành phố Hà Nội" under H)."""
    provinces = Province.objects.all()
    if not actor.sees_everything:
        provinces = provinces.filter(id__in=actor.province_ids)
    return sorted(provinces, key=lambda province: (fold(province.short_name), province.code))


@require_GET
def report_list(request):
    actor = request.actor
    province = (request.GET.get("province") or "").strip()[:2] or None
    status = (request.GET.get("status") or "").strip()[:20] or None
    try:
        items = reports.listed(actor, province, status)
    except DashboardRefused:
        raise _refused(actor) from None
    page = keyset_page(items, order=("-id",), cursor=request.GET.get("cursor"),
                       limit=PAGE_SIZE)
    last_month = periods.around(periods.MONTH, today_local()).previous()
    return render(request, "dashboard/reports.html", {
        "page": page, "items": page.results, "provinces": _provinces(actor),
        "national": actor.sees_everything, "chosen_province": province or "",
        "chosen_status": status or "", "statuses": ReportStatus.choices,
        "may_request": reports.may_request(actor), "default_month": last_month.first,
        "kinds": [(periods.MONTH, _("Month")), (periods.QUARTER, _("Quarter")),
                  (periods.YEAR, _("Year")), (periods.WEEK, _("Week")),
                  (periods.CUSTOM, _("Custom days"))],
        "working": any(not item.is_finished for item in page.results),
    })


@require_POST
def report_request(request):
    actor = request.actor
    params = request.POST.copy()
    try:
        report = reports.request(actor, params)
    except DashboardRefused:
        raise _refused(actor) from None
    except EnvhubError as error:
        if error.status >= 500 or not actor.is_authenticated or error.status in (401, 403, 404):
            raise
        messages.error(request, str(error.message))
        return redirect(reverse("dashboard-reports"))
    messages.success(request, _("The report is queued; this page shows when it is ready."))
    return redirect(reverse("dashboard-reports") + f"#report-{report.pk}")


@require_GET
def report_download(request, report_id: int, kind: str):
    actor = request.actor
    try:
        stream, name, content_type = reports.open_file(actor, report_id, kind)
    except DashboardRefused:
        raise _refused(actor) from None
    return FileResponse(stream, as_attachment=True, filename=name, content_type=content_type)
