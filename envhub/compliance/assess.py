"""Judging sources against their limits, from the hourly rollups, and keeping the exceedance
events true when late data arrive.

The rollup worker tells this module which (source, hour) changed (`enqueue_hours`, in the rollup
transaction); `process_queue` claims them and, per source:
1. finds the permit valid on each hour's local day and its limits (`limits.limits_of`);
2. recomputes each affected averaging window (1 hour by default, per regulation): every hour is
   normalised to the reference conditions when the permit says the analysers report at stack
   conditions or the hour holds values sent at them (a station that writes mg/m3 without
   declaring normal conditions; unjudged without the stack's T and P), and corrected to the
   reference O2 when the limit sets one — hour by hour, with that hour's temperature, pressure
   and O2 — and counts only when its own and those helper hours have the minimum coverage
   (calibration and error values are never in the rollups' means); the window counts when
   enough of its hours did;
3. stores each window as an `Assessment` (the chart's points);
4. rebuilds the events of the stretch between the complying windows around the change: an event
   keeps its identity when a new episode overlaps it, splits into a new event when late data
   pull an hour under the limit, and is withdrawn when nothing of it is left. New and closed
   events become notifications (`alerts`).
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections import defaultdict

from django.db import DatabaseError, connection, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from envhub.compliance import rules
from envhub.compliance.limits import PermitLimits, RegulationTables, limits_of, permit_on
from envhub.compliance.models import (
    Assessment,
    EventStatus,
    ExceedanceBand,
    ExceedanceEvent,
    Permit,
    State,
)
from envhub.core import completeness, queues
from envhub.core.timeutil import HOUR, local_day
from envhub.registry.models import Medium, Parameter, SourceKind

logger = logging.getLogger("envhub.compliance")

CLAIM_SIZE = 2000
# The worker's claims, beside live uploads: judging a source-hour takes tens of milliseconds,
# during which the transaction holds SQLite's write lock (see `queues.turn`).
WORKER_CLAIM_SIZE = 5
HELPERS = ("O2", "Temp", "P")  # stack parameters the corrections need


# --- the queue -------------------------------------------------------------------------------

def enqueue_hours(keys) -> None:
    """Rollup listener: (series, hour_end) pairs whose hourly rollups were just recomputed →
    (source, hour_end) rows for the sources that have a permit. Runs in the rollup transaction,
    so a crash loses neither."""
    from envhub.monitoring.models import Series

    series_ids = {series_id for series_id, _ in keys}
    if not series_ids:
        return
    sources = dict(Series.objects.filter(
        id__in=series_ids, station__source__permits__isnull=False).values_list(
            "id", "station__source_id").distinct())
    rows = {(sources[series_id], hour) for series_id, hour in keys if series_id in sources}
    _insert_queue(rows)


def _insert_queue(rows) -> None:
    queues.add("compliance_compliancequeue", "source_id", rows)


def enqueue_permit(permit: Permit) -> int:
    """Judge again every hour with data in the permit's validity (a permit or a table changed),
    in one statement however long the history. Returns the number of hours queued."""
    from envhub.core.timeutil import day_bounds

    adapt = connection.ops.adapt_datetimefield_value
    params = [permit.source_id, adapt(timezone.now()), permit.source_id,
              adapt(day_bounds(permit.valid_from)[0])]
    until = ""
    if permit.valid_until:
        until = ' AND r."hour_end" <= %s'
        params.append(adapt(day_bounds(permit.valid_until)[1]))
    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO "compliance_compliancequeue" ("source_id", "hour_end", "queued_at") '
            'SELECT DISTINCT %s, r."hour_end", %s FROM "monitoring_hourlyrollup" r '
            'JOIN "monitoring_series" s ON s."id" = r."series_id" '
            'JOIN "registry_station" st ON st."id" = s."station_id" '
            f'WHERE st."source_id" = %s AND r."hour_end" > %s{until} ON CONFLICT DO NOTHING',
            params)
        return cursor.rowcount


def _claim(limit: int) -> list[tuple[int, datetime.datetime]]:
    return queues.claim("compliance_compliancequeue", "source_id", limit)


def process_queue(limit: int = CLAIM_SIZE, max_rounds: int | None = None,
                  pause: bool = False) -> int:
    """Judge the queued hours, `limit` a transaction (with `pause`, see `queues.turn`), each
    source in a savepoint (one source's failure is logged and its hours set aside without
    holding the others). Returns the number of hours judged."""
    judged, rounds = 0, 0
    run = Run()
    while max_rounds is None or rounds < max_rounds:
        with queues.turn(pause):
            keys = _claim(limit)
            if not keys:
                break
            by_source: dict[int, set] = defaultdict(set)
            for source_id, hour in keys:
                by_source[source_id].add(hour)
            for source_id, hours in sorted(by_source.items()):
                try:
                    with transaction.atomic():
                        _lock_source(source_id)
                        judge(source_id, hours, run)
                except DatabaseError:
                    raise
                except Exception:  # noqa: BLE001 - one source must not hold the queue
                    logger.exception("judging source %s failed for %d hours", source_id,
                                     len(hours))
                judged += len(hours)
        rounds += 1
    return judged


def _lock_source(source_id: int) -> None:
    """PostgreSQL: one judge per source at a time (two workers rebuilding the same events
    would duplicate them). SQLite has one writer anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [1003, source_id])


# --- judging ---------------------------------------------------------------------------------

class Run:
    """What a judging run reads once for all its sources: the regulations' tables and the
    penalty ladders (a run is short; an edit during it is judged again in the next)."""

    def __init__(self):
        self.tables = RegulationTables()
        self._ladders: dict[str, list[rules.Band]] = {}

    def ladder(self, medium: str) -> list[rules.Band]:
        if medium not in self._ladders:
            self._ladders[medium] = [
                rules.Band(b.code, b.lower, b.upper, b.label) for b in
                ExceedanceBand.objects.filter(medium=medium).order_by("lower")]
        return self._ladders[medium]


class _Context:
    """What judging one source needs, loaded once."""

    def __init__(self, source_id: int, run: Run):
        from envhub.monitoring.models import Series
        from envhub.registry.models import Source

        self.run = run
        self.source = Source.objects.select_related("facility").get(pk=source_id)
        self.medium = Medium.EMISSION if self.source.kind == SourceKind.STACK else Medium.WATER
        self.series: dict[str, int] = {}
        self.series_by_parameter: dict[int, int] = {}
        for series_id, parameter_id, code in Series.objects.filter(
                station__source_id=source_id).order_by("station_id", "id").values_list(
                    "id", "parameter_id", "parameter__code"):
            self.series.setdefault(code, series_id)
            self.series_by_parameter.setdefault(parameter_id, series_id)
        self.ladder = run.ladder(self.medium)
        self._permits: dict[datetime.date, Permit | None] = {}
        # (series, hour end) of the hours holding values sent at stack conditions.
        self.stack_conditions: set[tuple[int, datetime.datetime]] = set()
        self._limits: dict[tuple[int, datetime.date], PermitLimits] = {}

    def limits_on(self, day: datetime.date) -> PermitLimits | None:
        if day not in self._permits:
            self._permits[day] = permit_on(self.source.pk, day)
        permit = self._permits[day]
        if permit is None:
            return None
        key = (permit.pk, day)
        if key not in self._limits:
            self._limits[key] = limits_of(permit, day, self.run.tables)
        return self._limits[key]


def judge(source_id: int, hours: set[datetime.datetime], run: Run | None = None) -> None:
    context = _Context(source_id, run or Run())
    windows: dict[tuple[datetime.datetime, int], PermitLimits | None] = {}
    for hour in hours:
        permit_limits = context.limits_on(local_day(hour))
        width = permit_limits.rules.averaging_hours if permit_limits else 1
        windows[(rules.window_end(hour, width), width)] = permit_limits
    if not windows:
        return
    first = min(end - width * HOUR for end, width in windows)
    last = max(end for end, _width in windows)
    hourly = _hourly(set(context.series.values()), first, last)
    context.stack_conditions = _stack_conditions(set(context.series.values()), first, last)
    rows = []
    for (end, width), permit_limits in windows.items():
        if permit_limits is None:
            continue  # no permit that day: nothing to judge (old verdicts go below)
        for parameter_id, effective in permit_limits.limits.items():
            series_id = context.series_by_parameter.get(parameter_id)
            if series_id is None:
                continue
            rows.append(_assess(context, permit_limits, effective, series_id, hourly, end,
                                width))
    ends = {end for end, _width in windows}
    judged_before = _store(context.source.pk, rows, ends)
    rebuild_events(context, judged_before | {row.parameter_id for row in rows}, min(ends),
                   max(ends))


def _hourly(series_ids, first, last) -> dict[tuple[int, datetime.datetime], tuple]:
    from envhub.monitoring.models import HourlyRollup

    found = HourlyRollup.objects.filter(series_id__in=series_ids, hour_end__gt=first,
                                        hour_end__lte=last).values_list(
        "series_id", "hour_end", "mean", "valid_count", "expected_count")
    return {(series_id, hour): rules.HourMean(hour, mean, valid, expected)
            for series_id, hour, mean, valid, expected in found}


def _assess(context: _Context, permit_limits: PermitLimits, effective, series_id: int, hourly,
            end: datetime.datetime, width: int) -> Assessment:
    how = permit_limits.rules
    permit = permit_limits.permit
    base = dict(source_id=context.source.pk, parameter_id=effective.parameter.pk,
                window_end=end, window_hours=width, permit_id=permit.pk)
    if effective.limit is None:
        return Assessment(**base, coverage=0.0, state=State.UNKNOWN, note=effective.problem[:300])
    raw, corrected, notes = [], [], set()
    for index in range(width):
        hour = end - index * HOUR
        measured = hourly.get((series_id, hour)) or rules.HourMean(hour, None)
        raw.append(measured)
        at_stack_conditions = permit.actual_conditions or (
            (series_id, hour) in context.stack_conditions)
        value, note = _corrected(context, how, at_stack_conditions, effective, hourly, measured)
        if note:
            notes.add(note)
        corrected.append(dataclasses.replace(measured, mean=value))
    measured = rules.window_means(raw, width, how.min_coverage)[0]
    window = rules.window_means(corrected, width, how.min_coverage)[0]
    limit = effective.limit
    assessment = Assessment(**base, measured=measured.mean, value=window.mean,
                            limit=limit.maximum, limit_minimum=limit.minimum,
                            coverage=window.coverage, state=State.UNKNOWN,
                            note="; ".join(sorted(notes))[:300])
    if window.mean is None:
        return assessment
    assessment.state, assessment.multiple, assessment.band = rules.judge(
        window.mean, limit, context.ladder)
    return assessment


def _rule(how) -> completeness.Rule:
    """The one completeness rule with the regulation's share, for its hours and windows."""
    return completeness.Rule(hour_share=how.min_coverage, period_share=how.min_coverage)


def _corrected(context, how, at_stack_conditions, effective, hourly, measured):
    """The hour's mean as compared with the limit, or None (with why) when it cannot be.
    `at_stack_conditions`: the permit says the analysers report at stack conditions, or the
    hour holds values the station sent at them (`monitoring.StackConditionsHour`)."""
    rule = _rule(how)
    if measured.mean is None or not rule.hour_valid(measured.valid_count,
                                                    measured.expected_count):
        return None, ""
    hour, value = measured.hour_end, measured.mean
    if at_stack_conditions:
        temperature = _helper(context, hourly, "Temp", hour, rule)
        pressure = _helper(context, hourly, "P", hour, rule)
        if temperature is None or pressure is None:
            return None, _("no valid stack temperature or pressure for the hour")
        try:
            value = rules.to_reference_conditions(
                value, temperature, pressure,
                reference_temperature_c=how.reference_temperature_c,
                reference_pressure_kpa=rules.mmhg_to_kpa(how.reference_pressure_mmhg))
        except rules.RuleError:
            return None, _("impossible stack temperature or pressure")
    if effective.reference_o2 is not None:
        oxygen = _helper(context, hourly, "O2", hour, rule)
        if oxygen is None:
            return None, _("no valid O2 for the hour")
        try:
            value = rules.o2_corrected(value, oxygen, effective.reference_o2, o2_air=how.o2_air,
                                       only_above_reference=how.o2_only_above_reference)
        except rules.O2OutOfRange:
            return None, _("O2 of %(o2)s %% or more is too close to air to correct") % {
                "o2": rules.O2_REFUSE_FROM}
    return value, ""


def _stack_conditions(series_ids, first, last) -> set[tuple[int, datetime.datetime]]:
    from envhub.monitoring.models import StackConditionsHour

    return set(StackConditionsHour.objects.filter(
        series_id__in=series_ids, hour_end__gt=first, hour_end__lte=last).values_list(
        "series_id", "hour_end"))


def _helper(context, hourly, code, hour, rule: completeness.Rule) -> float | None:
    """A stack parameter the corrections need (O2, temperature, pressure) in a valid hour."""
    found = hourly.get((context.series.get(code), hour))
    if found is None or found.mean is None or \
            not rule.hour_valid(found.valid_count, found.expected_count):
        return None
    return found.mean


def _store(source_id: int, rows: list[Assessment], ends) -> set[int]:
    """Replace the source's judged windows ending at `ends` (every parameter: one that lost its
    limit loses its old verdicts too) with `rows`; returns the parameters that had verdicts
    there before."""
    adapt = connection.ops.adapt_datetimefield_value
    before = set(Assessment.objects.filter(source_id=source_id, window_end__in=list(ends))
                 .values_list("parameter_id", flat=True).distinct())
    with connection.cursor() as cursor:
        cursor.executemany(
            'DELETE FROM "compliance_assessment" WHERE "source_id" = %s AND "window_end" = %s',
            [(source_id, adapt(end)) for end in ends])
    Assessment.objects.bulk_create(rows, batch_size=500)
    return before


# --- events ----------------------------------------------------------------------------------

def rebuild_events(context: _Context, parameter_ids: set[int], first_end: datetime.datetime,
                   last_end: datetime.datetime) -> None:
    """Rebuild each parameter's events between its complying window before `first_end` and the
    one after `last_end`: outside that stretch nothing changed. Every parameter's stretch is
    read at once (a source has about five: four queries each were half of the judging)."""
    if not parameter_ids:
        return
    source_id = context.source.pk
    complying = Assessment.objects.filter(source_id=source_id, parameter_id=OuterRef("pk"),
                                          state=State.COMPLIES).values("window_end")
    stretches, overlapping, units = Q(), Q(), {}
    for parameter_id, unit, anchor, stop in Parameter.objects.filter(
            pk__in=parameter_ids).annotate(
                anchor=Subquery(complying.filter(window_end__lt=first_end)
                                .order_by("-window_end")[:1]),
                stop=Subquery(complying.filter(window_end__gt=last_end)
                              .order_by("window_end")[:1])).values_list(
                    "pk", "unit", "anchor", "stop"):
        units[parameter_id] = unit
        stretch, events = Q(parameter_id=parameter_id), Q(parameter_id=parameter_id)
        if anchor is not None:
            stretch &= Q(window_end__gt=anchor)
            events &= Q(end__gt=anchor)
        if stop is not None:
            stretch &= Q(window_end__lte=stop)
            events &= Q(start__lt=stop)
        stretches |= stretch
        overlapping |= events
    judged: dict[int, list] = defaultdict(list)
    by_end: dict[int, dict] = defaultdict(dict)
    for row in Assessment.objects.filter(stretches, source_id=source_id).order_by(
            "parameter_id", "window_end"):
        start = row.window_end - row.window_hours * HOUR
        judged[row.parameter_id].append(rules.Judged(start, row.window_end, row.state,
                                                     row.value, row.multiple))
        by_end[row.parameter_id][row.window_end] = row
    existing: dict[int, list] = defaultdict(list)
    for event in ExceedanceEvent.objects.filter(overlapping, source_id=source_id).exclude(
            status=EventStatus.WITHDRAWN).order_by("start"):
        existing[event.parameter_id].append(event)
    for parameter_id in sorted(units):
        _match_events(source_id, parameter_id, rules.episodes(judged[parameter_id]),
                      existing[parameter_id], by_end[parameter_id], units[parameter_id])


def _match_events(source_id: int, parameter_id: int, found, unmatched: list, by_end: dict,
                  unit: str) -> None:
    """Keep an event for each episode (the one it overlaps, or a new one), writing only what
    changed, and withdraw the events no episode overlaps any more."""
    from envhub.compliance import alerts

    now = timezone.now()
    for episode in found:
        event = next((e for e in unmatched if e.start < episode.end and episode.start < e.end),
                     None)
        peak = by_end[episode.peak_at]
        values = dict(start=episode.start, end=episode.end, peak_value=episode.peak_value,
                      peak_multiple=episode.peak_multiple, peak_at=episode.peak_at,
                      band=peak.band, hours=episode.hours, limit=peak.limit,
                      unit=unit, permit_id=peak.permit_id,
                      status=EventStatus.CLOSED if episode.closed else EventStatus.OPEN)
        if event is None:
            event = ExceedanceEvent(source_id=source_id, parameter_id=parameter_id, **values)
            if episode.closed:
                event.closed_at = now
            event.save()
            alerts.event_opened(event)
            if episode.closed:
                alerts.event_closed(event)
            continue
        unmatched.remove(event)
        was_open = event.status == EventStatus.OPEN
        changed = any(getattr(event, key) != value for key, value in values.items())
        for key, value in values.items():
            setattr(event, key, value)
        if episode.closed and was_open:
            event.closed_at = now
        elif not episode.closed and event.closed_at is not None:
            event.closed_at, changed = None, True
        if changed:
            event.save()
        if episode.closed and was_open:
            alerts.event_closed(event)
    for event in unmatched:
        event.status = EventStatus.WITHDRAWN
        event.save(update_fields=["status", "updated_at"])
