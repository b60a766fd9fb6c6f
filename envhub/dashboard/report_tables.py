"""The one table a report needs that the dashboard's tables (`dashboard/tables.py`) do not
give: hours over the limit and exceedance events begun per local day of the period (the
report's line chart). Read from judged averages and events, never raw observations."""

from __future__ import annotations

import datetime

from envhub.compliance.models import EventStatus
from envhub.core.timeutil import VN
from envhub.dashboard import tables
from envhub.dashboard.filters import View

_TINY = datetime.timedelta(microseconds=1)


def daily_exceedances(view: View) -> list[dict]:
    """Every local day of the period: hours over the limit (judged windows ending that day,
    as `tables.hours_over` counts them) and exceedance events that began that day."""
    from envhub.compliance.models import Assessment, ExceedanceEvent, State

    days = {view.period.first + datetime.timedelta(days=n): {"hours": 0, "events": 0}
            for n in range(view.period.days)}
    start, end = view.utc_bounds()
    scope = tables.facility_q(view, "source__facility__")
    # A window ending at midnight belongs to the day it closes (hour-ending convention).
    for window_end, hours in Assessment.objects.filter(
            scope, state=State.EXCEEDS, window_end__gt=start, window_end__lte=end).values_list(
                "window_end", "window_hours"):
        day = (window_end - _TINY).astimezone(VN).date()
        if day in days:
            days[day]["hours"] += hours
    for begun in ExceedanceEvent.objects.filter(scope, start__gt=start, start__lte=end).exclude(
            status=EventStatus.WITHDRAWN).values_list("start", flat=True):
        day = (begun - _TINY).astimezone(VN).date()
        if day in days:
            days[day]["events"] += 1
    return [{"day": day.isoformat(), **figures} for day, figures in sorted(days.items())]
