"""Public disclosure pages: the disclosed facilities and each one's compliance summary, for
anyone (no account); and the stewards' page that opens and closes them. Thin: the rule of
what is disclosed and the summary are `compliance.disclosure`'s."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from envhub.compliance import disclosure
from envhub.core.errors import EnvhubError, InvalidInput
from envhub.core.pagination import keyset_page


def _name(row) -> str:
    english = (get_language() or "vi").startswith("en")
    return (row.parameter_name_en if english else row.parameter_name_vi) or row.parameter


def public_facilities(request):
    """The facilities whose compliance summary is disclosed, by name."""
    cursor = (request.GET.get("cursor") or "").strip()[:200] or None
    page = keyset_page(disclosure.disclosed_facilities().select_related("province"),
                       order=("name", "id"), cursor=cursor, limit=100)
    return render(request, "compliance/public_list.html", {
        "page": page, "api_url": reverse("api:public_facilities"),
        "may_decide": request.actor.manages_everything,
    })


def public_facility(request, facility_id: int):
    facility = disclosure.public_facility(facility_id)
    period = disclosure.period_of(request.GET.get("month"), request.GET.get("quarter"))
    found = disclosure.summary(facility, period)
    for source in found.sources:
        for row in source.limits:
            row.parameter_name = _name(row)
    query = f"?{period.kind}={period.code}"
    return render(request, "compliance/public_facility.html", {
        "summary": found, "facility": facility, "period": period,
        "api_url": reverse("api:public_facility", args=[facility.pk]) + query,
    })


@login_required
@require_http_methods(["GET", "POST"])
def disclosure_page(request):
    """Stewards and administrators: the national switch and each facility's decision."""
    actor = request.actor
    province = (request.GET.get("province") or "").strip()[:10] or None
    if request.method == "POST":
        target = request.POST.get("facility") or ""
        action = request.POST.get("action") or ""
        reason = request.POST.get("reason") or ""
        try:
            facility_id = int(target) if target else None
        except ValueError:
            facility_id = -1
        try:
            if action not in ("open", "close", "follow") or facility_id == -1 or (
                    action == "follow" and facility_id is None):
                raise InvalidInput(_("Choose a facility and what to do."))
            if action == "follow":
                disclosure.follow_national(actor, facility_id, reason)
            else:
                disclosure.decide(actor, facility_id, action == "open", reason)
        except EnvhubError as error:
            if error.status in (401, 403):
                raise
            messages.error(request, error.message)
        else:
            messages.success(request, _("The decision was recorded."))
        back = reverse("disclosure")
        return redirect(back + (f"?province={province}" if province else ""))
    switch, rows = disclosure.states(actor, province)
    return render(request, "compliance/disclosure.html", {
        "switch": switch, "rows": rows, "province": province,
        "opened": sum(row.disclosed for row in rows),
    })
