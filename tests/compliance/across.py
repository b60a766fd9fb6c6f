"""Shared data of the compliance-across-facilities tests: permits, events and judged windows at
three facilities, with the clock fixed in the middle of a quarter (Q2 2026)."""

from __future__ import annotations

import datetime

from envhub.compliance.models import (
    Assessment,
    EventStatus,
    ExceedanceEvent,
    Permit,
    Regulation,
    State,
)
from envhub.monitoring.models import Series
from envhub.registry.models import Parameter

NOW = datetime.datetime(2026, 5, 15, 5, 0, tzinfo=datetime.UTC)  # 12:00 in Viet Nam
HOSTILE = "=cmd|' /C calc'!A0"


def at(hours_before: int) -> datetime.datetime:
    return NOW - datetime.timedelta(hours=hours_before)


def build(world) -> dict:
    """Events: hn SO2 (open, 5 h, ×1.6), hn NOx (closed, 2 h, ×1.2), hn2 SO2 (closed, 3 h, no
    multiple), dn SO2 (closed, 8 h, ×2.5, last quarter). The Đồng Nai facility has a hostile
    name; the Hà Nội one has judged SO2 hours in this quarter, hn2 none."""
    regulation = Regulation.objects.get(code="QCVN 19:2009/BTNMT")
    so2 = Parameter.objects.get(medium="emission", code="SO2")
    nox = Parameter.objects.get(medium="emission", code="NOx")
    world.facility_dn.name = HOSTILE
    world.facility_dn.save()
    permits = {}
    for key, source in (("hn", world.stack_hn), ("hn2", world.stack_hn2), ("dn", world.stack_dn)):
        permits[key] = Permit.objects.create(
            source=source, number=f"{key}/GPMT", valid_from=datetime.date(2024, 1, 1),
            regulation=regulation, column="B", facility_flow_m3h=54_000, location_class="3")
    Series.objects.create(station=world.station_stack_hn, parameter=so2)

    def event(key, source, parameter, start, hours, multiple, status, band):
        return ExceedanceEvent.objects.create(
            source=source, parameter=parameter, permit=permits[key], start=start,
            end=start + datetime.timedelta(hours=hours),
            peak_value=None if multiple is None else 450 * multiple, peak_multiple=multiple,
            peak_at=start + datetime.timedelta(hours=1), band=band, hours=hours, limit=450,
            unit="mg/Nm3", status=status)

    events = {
        "hn_so2": event("hn", world.stack_hn, so2, at(10), 5, 1.6, EventStatus.OPEN, "2"),
        "hn_nox": event("hn", world.stack_hn, nox, at(30), 2, 1.2, EventStatus.CLOSED, "1"),
        "hn2_so2": event("hn2", world.stack_hn2, so2, at(50), 3, None, EventStatus.CLOSED, ""),
        "dn_so2": event("dn", world.stack_dn, so2, at(24 * 60), 8, 2.5, EventStatus.CLOSED,
                        "3"),
    }
    # Judged SO2 hours of the Hà Nội stack: 40 of the last 48 hours, 5 of them over the limit.
    for hours_before in range(40):
        exceeds = 5 <= hours_before < 10
        Assessment.objects.create(
            source=world.stack_hn, parameter=so2, window_end=at(hours_before), window_hours=1,
            measured=700 if exceeds else 100, value=700 if exceeds else 100, limit=450,
            multiple=(700 if exceeds else 100) / 450, coverage=100,
            state=State.EXCEEDS if exceeds else State.COMPLIES)
    return {"events": events, "so2": so2, "nox": nox, "permits": permits}
