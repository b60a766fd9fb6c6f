"""Shared by the digest, preference and inbox tests: exceedance events in Hà Nội and Đồng Nai
announced and planned, their notifications moved to a chosen local day, and the worker's
rounds run at a chosen moment."""

from __future__ import annotations

import datetime

from django.utils import timezone

from envhub.accounts.models import NotificationPreference
from envhub.compliance import alerts
from envhub.compliance.models import EventStatus, ExceedanceEvent, Notification
from envhub.core.timeutil import VN
from envhub.registry.models import Parameter

DAY = datetime.date(2026, 3, 10)  # a Tuesday


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=VN)


def event(world, key: str, status=EventStatus.OPEN) -> ExceedanceEvent:
    so2 = Parameter.objects.get(medium="emission", code="SO2")
    source = {"hn": world.stack_hn, "hn2": world.stack_hn2, "dn": world.stack_dn}[key]
    end = timezone.now().replace(minute=0, second=0, microsecond=0)
    return ExceedanceEvent.objects.create(
        source=source, parameter=so2, start=end - datetime.timedelta(hours=2), end=end,
        peak_value=600, peak_multiple=1.333, peak_at=end, band="2", hours=2, limit=450,
        unit="mg/Nm3", status=status)


def announce(world, *keys: str, day: datetime.date = DAY, hour: int = 10) -> list[Notification]:
    """An exceedance that began at each facility ("hn", "hn2", "dn"), then ended ("hn-closed"),
    announced, planned, and dated on `day` at `hour` local time."""
    made = []
    for key in keys:
        if key.endswith("-closed"):
            made.append(alerts.event_closed(event(world, key.split("-")[0], EventStatus.CLOSED)))
        else:
            made.append(alerts.event_opened(event(world, key)))
    alerts.plan()
    Notification.objects.filter(pk__in=[n.pk for n in made]).update(created_at=at(day, hour))
    return made


def choose(user, kind: str, mode: str, email: bool = True) -> None:
    NotificationPreference.objects.update_or_create(user=user, kind=kind,
                                                    defaults={"mode": mode, "email": email})
