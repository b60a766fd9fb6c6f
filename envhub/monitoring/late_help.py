"""What to check when a station is late or offline, for the people who look after it.

Three things stop a datalogger's data, in the order an operator checks them: its clock (files
arrive, but their values are old, or refused as in the future), the FTP account it signs in
with (the facility's tax code and a facility token: a revoked or expired token, or a mistyped
one, shows as failed sign-ins), and the files it sends (refused whole or in part). The station
page says which of them the data point to, with links, and only to those who look after the
station (who may issue its tokens): a leader or a visitor sees the state, not the checklist.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from envhub.accounts.models import ApiToken
from envhub.core import audit, permissions
from envhub.monitoring.models import BatchStatus, Connectivity
from envhub.registry.validators import compact_tax_code

# How far back failed FTP sign-ins are counted.
FAILED_LOGINS_WINDOW = datetime.timedelta(hours=24)
# Files arrive but their newest value is older than this many reporting intervals: the clock.
CLOCK_LAG_INTERVALS = 2


@dataclass
class LateHelp:
    clock_lag: datetime.timedelta | None
    last_received_at: datetime.datetime | None
    last_data_at: datetime.datetime | None
    failed_logins: int
    last_failed_login: datetime.datetime | None
    may_issue_facility_token: bool
    last_rejected: object | None  # a Batch of the page's recent files


def late_help(actor, station, state: str, status, batches) -> LateHelp | None:
    """The checklist for a late or offline station, or None (online, never heard from, not
    followed, or a reader who does not look after the station)."""
    if state not in (Connectivity.LATE, Connectivity.OFFLINE):
        return None
    if not permissions.can(actor, permissions.ADD, ApiToken(station=station)):
        return None
    last_received = status.last_received_at if status else None
    last_data = status.last_data_at if status else None
    lag = None
    if last_received and last_data:
        interval = datetime.timedelta(minutes=station.expected_interval_minutes or 5)
        if last_received - last_data > CLOCK_LAG_INTERVALS * interval:
            lag = last_received - last_data
    failed, last_failed = 0, None
    facility = station.facility
    if facility is not None:
        since = timezone.now() - FAILED_LOGINS_WINDOW
        tries = audit.events().filter(action="login_failed", object_type="registry.facility",
                                      object_repr=compact_tax_code(facility.tax_code),
                                      at__gte=since)
        failed = tries.count()
        last_failed = tries.order_by("-at").values_list("at", flat=True).first()
    may_issue = facility is not None and permissions.can(
        actor, permissions.ADD, ApiToken(facility=facility))
    rejected = next((batch for batch in batches
                     if batch.status in (BatchStatus.REJECTED, BatchStatus.PARTIAL)
                     or batch.rejected), None)
    return LateHelp(clock_lag=lag, last_received_at=last_received, last_data_at=last_data,
                    failed_logins=failed, last_failed_login=last_failed,
                    may_issue_facility_token=may_issue, last_rejected=rejected)
