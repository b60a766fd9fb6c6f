"""Facilities' compliance by calendar quarter (local days), as the EPA's ECHO shows it:

- `quarter_figures`: per facility of a list, this quarter's hours over the limit, events and
  data completeness — the facility list's compliance columns; a few grouped queries whatever
  the number of facilities (`coverage.facilities_tally` and one count of events);
- `facility_grid`: one facility's last twelve quarters (oldest first) × its parameters, each
  cell its hours over the limit, events and completeness.

Completeness is the one rule of `core.completeness` as `coverage` applies it: a quarter with no
judged average says "no data", never 0 hours or a 0 % that would read as compliance."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from envhub.compliance import coverage
from envhub.compliance.models import (
    EventStatus,
    ExceedanceEvent,
    LimitValue,
    Permit,
    PermitLimit,
)
from envhub.core import completeness
from envhub.core.completeness import PeriodCoverage
from envhub.core.timeutil import VN, day_bounds

GRID_QUARTERS = 12


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1 … 4

    @property
    def first(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.number - 2, 1)

    @property
    def last(self) -> datetime.date:
        following = self.following.first
        return following - datetime.timedelta(days=1)

    @property
    def following(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year,
                                                                           self.number + 1)

    @property
    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year,
                                                                           self.number - 1)

    @property
    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """(start, end] of its local days, in UTC."""
        return day_bounds(self.first)[0], day_bounds(self.last)[1]

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.number}"

    def __str__(self) -> str:
        return f"Q{self.number}/{self.year}"


def quarter_of(moment: datetime.datetime | None = None) -> Quarter:
    """The local quarter a moment (now by default) falls in."""
    day = (moment or timezone.now()).astimezone(VN).date()
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def last_quarters(count: int = GRID_QUARTERS, now: datetime.datetime | None = None):
    """The `count` quarters up to the current one, oldest first."""
    found = [quarter_of(now)]
    while len(found) < count:
        found.append(found[-1].previous)
    return found[::-1]


@dataclass
class Figures:
    """A period's hours over the limit, events and how much the judged averages cover."""

    told: PeriodCoverage
    exceeded_hours: int = 0
    events: int = 0

    @property
    def hours(self) -> int | None:
        """None (shown as "no data") where a 0 would claim compliance the data cannot show."""
        return self.told.shown(self.exceeded_hours)

    @property
    def completeness(self) -> float | None:
        """The share of windows with enough data; None (shown as "no data") where none was
        expected or none holds any data: a 0 % beside a compliance figure would mislead."""
        if not self.told.expected or self.told.status == completeness.NO_DATA:
            return None
        return self.told.coverage

    @property
    def label(self) -> str:
        return coverage.label(self.told)

    @property
    def status(self) -> str:
        return self.told.status


def _event_counts(filters: Q, start, end, by: str) -> dict:
    """Events (not withdrawn) overlapping (start, end], per `by`."""
    return dict(ExceedanceEvent.objects.filter(filters, end__gt=start, start__lt=end).exclude(
        status=EventStatus.WITHDRAWN).order_by().values(by).annotate(n=Count("id")).values_list(
        by, "n"))


def quarter_figures(facilities, quarter: Quarter | None = None,
                    now: datetime.datetime | None = None) -> dict[int, Figures]:
    """Per facility id of `facilities` (a queryset): its figures for the quarter (this one by
    default). A facility without a permit in the quarter has "no data"."""
    now = now or timezone.now()
    quarter = quarter or quarter_of(now)
    start, end = quarter.bounds
    tallies = coverage.facilities_tally(facilities, start, end, now)
    events = _event_counts(Q(source__facility__in=facilities), start, end, "source__facility_id")
    found = {}
    for facility_id in facilities.values_list("id", flat=True):
        tally = tallies.get(facility_id, coverage.Tally())
        found[facility_id] = Figures(tally.told(start, end, now), tally.exceeded_hours,
                                     events.get(facility_id, 0))
    return found


# --- one facility's three years --------------------------------------------------------------

@dataclass
class _Cell:
    expected: int = 0
    valid: int = 0
    with_data: int = 0
    exceeded_hours: int = 0
    share: float = 0.0


@dataclass
class Grid:
    quarters: list[Quarter]
    parameters: list  # registry.Parameter, by code
    cells: dict = field(default_factory=dict)  # (parameter id, quarter key) -> Figures

    def rows(self):
        """Per parameter: the parameter and its cells, oldest quarter first."""
        return [(parameter, [self.cells[parameter.pk, quarter.key] for quarter in self.quarters])
                for parameter in self.parameters]


def facility_grid(facility, now: datetime.datetime | None = None,
                  count: int = GRID_QUARTERS) -> Grid:
    """The facility's last `count` quarters × the parameters judged at its sources (measured
    and limited by a permit's regulation or the permit itself). Per quarter one grouped query
    of judged windows, and one of events."""
    from envhub.monitoring.models import Series
    from envhub.registry.models import Parameter

    now = now or timezone.now()
    quarters = last_quarters(count, now)
    start, end = quarters[0].bounds[0], quarters[-1].bounds[1]
    first_day = quarters[0].first
    permits = list(Permit.objects.filter(source__facility=facility,
                                         valid_from__lte=quarters[-1].last).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=first_day)).values(
        "id", "source_id", "regulation_id", "valid_from", "valid_until",
        "regulation__rules__averaging_hours", "regulation__rules__min_coverage"))
    sources = {permit["source_id"] for permit in permits}
    measured = defaultdict(set)
    for source_id, parameter_id in Series.objects.filter(
            station__source_id__in=sources).order_by().values_list(
            "station__source_id", "parameter_id").distinct():
        measured[source_id].add(parameter_id)
    limited = defaultdict(set)
    for regulation_id, parameter_id in LimitValue.objects.filter(
            regulation_id__in={permit["regulation_id"] for permit in permits}).order_by(
            ).values_list("regulation_id", "parameter_id").distinct():
        limited["regulation", regulation_id].add(parameter_id)
    for permit_id, parameter_id in PermitLimit.objects.filter(
            permit_id__in=[permit["id"] for permit in permits]).order_by().values_list(
            "permit_id", "parameter_id"):
        limited["permit", permit_id].add(parameter_id)
    judged = {permit["id"]: measured[permit["source_id"]] & (
        limited["regulation", permit["regulation_id"]] | limited["permit", permit["id"]])
        for permit in permits}
    # Events are counted for their parameters too, judged or not now (a permit may have ended).
    event_rows = ExceedanceEvent.objects.filter(
        source__facility=facility, end__gt=start, start__lt=end).exclude(
        status=EventStatus.WITHDRAWN).order_by().values_list("parameter_id", "start", "end")
    event_rows = list(event_rows)
    parameter_ids = set().union(*judged.values()) | {row[0] for row in event_rows}
    cells: dict[tuple[int, str], _Cell] = defaultdict(_Cell)
    for quarter in quarters:
        q_start, q_end = quarter.bounds
        for permit in permits:
            width = permit["regulation__rules__averaging_hours"] or 1
            share = permit["regulation__rules__min_coverage"] or completeness.DEFAULT_SHARE
            windows = completeness.ended_windows(
                *coverage._permit_bounds(permit, q_start, q_end), now, width)
            for parameter_id in judged[permit["id"]]:
                cell = cells[parameter_id, quarter.key]
                cell.expected += windows
                cell.share = max(cell.share, share)
        if q_start >= now:
            continue
        counts = coverage._counts(Q(source__facility=facility), q_start, min(q_end, now),
                                  "parameter_id")
        for parameter_id, row in counts.items():
            cell = cells[parameter_id, quarter.key]
            cell.valid += row["valid"]
            cell.with_data += row["with_data"]
            cell.exceeded_hours += row["exceeded_hours"] or 0
            parameter_ids.add(parameter_id)
    events = defaultdict(int)
    for parameter_id, event_start, event_end in event_rows:
        for quarter in quarters:
            q_start, q_end = quarter.bounds
            if event_end > q_start and event_start < q_end:
                events[parameter_id, quarter.key] += 1
    grid = Grid(quarters, list(Parameter.objects.filter(id__in=parameter_ids).order_by(
        "code", "id")))
    for parameter in grid.parameters:
        for quarter in quarters:
            q_start, q_end = quarter.bounds
            cell = cells.get((parameter.pk, quarter.key), _Cell())
            told = completeness.period_coverage(
                q_start, q_end, now, cell.expected, cell.valid, cell.with_data,
                cell.share or completeness.DEFAULT_SHARE)
            grid.cells[parameter.pk, quarter.key] = Figures(
                told, cell.exceeded_hours, events.get((parameter.pk, quarter.key), 0))
    return grid


def events_url(facility, parameter, quarter: Quarter) -> str:
    """The event list filtered to a facility, a parameter and a quarter."""
    from urllib.parse import urlencode

    from django.urls import reverse

    return reverse("compliance-events") + "?" + urlencode({
        "facility": facility.pk, "parameter": parameter.code,
        "from": quarter.first.isoformat(), "to": quarter.last.isoformat()})


def cell_tone(cell: Figures) -> str:
    """The colour class of a cell (the page also says it in words): over the limit, judged
    without exceedance, not enough data, no data or in progress."""
    if cell.exceeded_hours or cell.events:
        return "exceeded"
    if cell.status == completeness.COMPLETE or (cell.status == completeness.IN_PROGRESS
                                                and cell.told.expected):
        return "complies"
    if cell.status == completeness.INSUFFICIENT:
        return "insufficient"
    return "nodata"


def page_grid(facility, now: datetime.datetime | None = None) -> dict:
    """The grid as the facility's compliance page shows it."""
    from django.urls import reverse

    grid = facility_grid(facility, now)
    return {"quarters": grid.quarters, "rows": [{
        "parameter": parameter, "cells": [{
            "quarter": quarter, "figures": cell, "tone": cell_tone(cell),
            "url": events_url(facility, parameter, quarter)}
            for quarter, cell in zip(grid.quarters, cells, strict=True)]}
        for parameter, cells in grid.rows()],
        "api_url": reverse("api:facility_compliance_grid", args=[facility.pk])}
