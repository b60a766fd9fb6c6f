"""Station connectivity: online, late or offline, from when its data last arrived.

A station is online while its last accepted file is at most `late_after` reporting intervals old,
late up to `offline_after` intervals, offline beyond (both configurable: ENVHUB_LATE_AFTER and
ENVHUB_OFFLINE_AFTER, in intervals). A change of state is stored as a `ConnectivityChange` row;
the compliance capability turns those rows into alerts.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from envhub.monitoring.models import Connectivity, ConnectivityChange, StationStatus

# What an inactive station shows instead of a state: its connectivity is not followed
# (`evaluate` skips it, so no state moves and no alert goes), whatever it still sends.
NOT_FOLLOWED = "inactive"


def shown_state(active: bool, stored: str | None) -> str:
    """The state a page or the API shows for a station (pure)."""
    if not active:
        return NOT_FOLLOWED
    return stored or Connectivity.NEVER


def classify(
    last_received_at: datetime.datetime | None,
    interval_minutes: int,
    now: datetime.datetime,
    late_after: float,
    offline_after: float,
) -> str:
    """The state of a station whose last file arrived at `last_received_at` (pure)."""
    if last_received_at is None:
        return Connectivity.NEVER
    age = now - last_received_at
    interval = datetime.timedelta(minutes=interval_minutes)
    if age <= interval * late_after:
        return Connectivity.ONLINE
    if age <= interval * offline_after:
        return Connectivity.LATE
    return Connectivity.OFFLINE


def evaluate(now: datetime.datetime | None = None) -> list[ConnectivityChange]:
    """Re-classify every active station; store and return the changes."""
    from envhub.registry.models import Station

    now = now or timezone.now()
    statuses = {status.station_id: status for status in StationStatus.objects.all()}
    changes, updated, created = [], [], []
    stations = Station.objects.filter(active=True).values_list("id", "expected_interval_minutes")
    for station_id, interval in stations:
        status = statuses.get(station_id)
        state = classify(status.last_received_at if status else None, interval, now,
                         settings.ENVHUB_LATE_AFTER, settings.ENVHUB_OFFLINE_AFTER)
        if status is None:
            created.append(StationStatus(station_id=station_id, state=state, state_since=now))
            continue
        if state != status.state:
            changes.append(ConnectivityChange(
                station_id=station_id, at=now, previous=status.state, current=state,
                last_data_at=status.last_data_at,
            ))
            status.state, status.state_since = state, now
            updated.append(status)
    with transaction.atomic():
        StationStatus.objects.bulk_create(created, ignore_conflicts=True)
        StationStatus.objects.bulk_update(updated, ["state", "state_since"], batch_size=500)
        ConnectivityChange.objects.bulk_create(changes)
    return changes
