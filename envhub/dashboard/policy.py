"""Who sees the stored reports: its part of the one permission policy (`core/permissions.py`).

Admins, stewards and leaders see every report; a provincial officer sees the reports of their
provinces (not the country's); nobody else sees any. The list, the downloads, the JSON twin and
the notifications all read this rule."""

from __future__ import annotations

from django.db.models import QuerySet

from envhub.core.permissions import Actor, is_officer, scope_rule, write_rule


@scope_rule("dashboard.report")
def _reports(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.sees_everything:
        return qs
    if is_officer(actor):
        return qs.filter(province_id__in=actor.province_ids)
    return qs.none()


@write_rule("dashboard.report")
def _write_reports(actor: Actor, action: str, obj) -> bool:
    # Asked for through `reports.request`, made by the worker; never edited.
    return False
