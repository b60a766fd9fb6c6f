"""Who sees and changes compliance's rows: its part of the one permission policy
(`core/permissions.py`)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from envhub.compliance.models import Permit, PermitLimit
from envhub.core.permissions import (
    Actor,
    any_of,
    by_facility,
    everyone,
    is_officer,
    scope_rule,
    write_rule,
)
from envhub.registry.policy import province_of as registry_province_of

# Regulations and their tables are public reference data.
scope_rule("compliance.regulation", "compliance.regulationrules", "compliance.limitvalue",
           "compliance.factorstep", "compliance.exceedanceband", "compliance.regulationcolumn",
           public=True)(everyone)


@scope_rule("compliance.permit", "compliance.exceedanceevent", "compliance.assessment")
def _source_compliance(actor: Actor, qs: QuerySet) -> QuerySet:
    return by_facility(actor, qs, "source__facility")


@scope_rule("compliance.disclosure")
def _disclosures(actor: Actor, qs: QuerySet) -> QuerySet:
    """The decisions themselves are the ministry's: what they open is read through
    `compliance.disclosure`, for everyone."""
    return qs if actor.sees_everything else qs.none()


@scope_rule("compliance.permitlimit")
def _permit_limits(actor: Actor, qs: QuerySet) -> QuerySet:
    return by_facility(actor, qs, "permit__source__facility")


@scope_rule("compliance.notification")
def _notifications(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.sees_everything:
        return qs
    return any_of(qs, [
        Q(province_id__in=actor.province_ids) if actor.province_ids else None,
        Q(facility_id__in=actor.facility_ids) if actor.facility_ids else None,
    ])


@scope_rule("compliance.delivery", "compliance.digest")
def _deliveries(actor: Actor, qs: QuerySet) -> QuerySet:
    """Everyone's inbox (and digests) is their own; administrators see every one."""
    if actor.is_admin:
        return qs
    return qs.filter(user_id=actor.user.pk) if actor.user is not None else qs.none()


@scope_rule("compliance.webhook")
def _webhooks(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.manages_everything:
        return qs
    return qs.filter(organisation_id__in=actor.organisation_ids)


def province_of(obj) -> int | None:
    if isinstance(obj, Permit):
        return registry_province_of(obj.source) if obj.source_id else None
    if isinstance(obj, PermitLimit):
        return province_of(obj.permit) if obj.permit_id else None
    return None


@write_rule("compliance.permit", "compliance.permitlimit")
def _may_write_permits(actor: Actor, action: str, obj) -> bool:
    """Provinces issue most environmental permits: their officers keep them."""
    if actor.manages_everything:
        return True
    if not is_officer(actor):
        return False
    return obj is None or province_of(obj) in actor.province_ids


# Decree 45/2022's sanction structure (`sanction_models`): public reference data too.
scope_rule("compliance.sanctionrule", "compliance.flowband", "compliance.parameterclass",
           "compliance.sanctionclause", public=True)(everyone)
