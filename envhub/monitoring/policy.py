"""Who sees the monitoring data: its part of the one permission policy (`core/permissions.py`).
Nobody but admins and stewards writes it through the policy: data comes in by ingestion."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from envhub.core.permissions import Actor, any_of, scope_rule
from envhub.registry.policy import station_data, visible_station_ids

# Monitoring data follows the station: who sees the station sees its data.
scope_rule("monitoring.series", "monitoring.latestvalue", "monitoring.stationstatus",
           "monitoring.connectivitychange")(station_data)


@scope_rule("monitoring.batch")
def _batches(actor: Actor, qs: QuerySet) -> QuerySet:
    """Received files: those of visible stations, and those the actor sent themselves (also
    the ones that named a station they may not use, or none at all)."""
    if actor.sees_everything:
        return qs
    return any_of(qs, [
        Q(station_id__in=visible_station_ids(actor)) if actor.is_authenticated else None,
        Q(sender_user_id=actor.user.pk) if actor.user is not None else None,
        Q(sender_token_id=actor.token.pk) if actor.token is not None else None,
    ])


@scope_rule("monitoring.sample")
def _samples(actor: Actor, qs: QuerySet) -> QuerySet:
    """Periodic results follow their station too (through their series)."""
    if actor.sees_everything:
        return qs
    return qs.filter(series__station_id__in=visible_station_ids(actor))
