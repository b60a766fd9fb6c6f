"""What people hear of a report (compliance's notifications and their delivery): the leaders
when any report is ready, and a province's officers when their province's is. Each reads it in
their own language."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from envhub.compliance import alerts
from envhub.dashboard.reports import NOTIFICATION_KIND


def _audience(notification) -> Q:
    from envhub.accounts.models import Role

    wanted = Q(role=Role.LEADER)
    if notification.province_id:
        wanted |= Q(role=Role.PROVINCIAL_OFFICER, provinces=notification.province_id)
        wanted |= Q(role=Role.PROVINCIAL_OFFICER, provinces__isnull=True,
                    organisation__province_id=notification.province_id)
    return wanted


def _text(notification, data: dict) -> tuple[str, str]:
    first = datetime.date.fromisoformat(data["first"])
    last = datetime.date.fromisoformat(data["last"])
    if data["period_kind"] == "month":
        period = pgettext("report period", "Month %(month)02d/%(year)d") % {
            "month": first.month, "year": first.year}
    else:
        period = _("%(first)s to %(last)s") % {"first": first.strftime("%d/%m/%Y"),
                                                "last": last.strftime("%d/%m/%Y")}
    scope = data["province_name"] or _("Viet Nam (whole country)")
    subject = _("Report ready: %(scope)s, %(period)s") % {"scope": scope, "period": period}
    body = _("The environmental report of %(scope)s for %(period)s is ready to download "
             "(PDF and XLSX).") % {"scope": scope, "period": period}
    return subject, body + "\n" + data["path"]


LABEL = gettext_lazy("A report is ready")

# The label names the kind on each person's notification preferences page.
alerts.register_kind(NOTIFICATION_KIND, _text, _audience, label=LABEL)
