"""Compliance operations: scoped reads for the API and pages, audited writes that re-judge what
they affect, and the in-app inbox."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from envhub.compliance import assess, coverage
from envhub.compliance.limits import EffectiveLimit, limits_of, permit_on
from envhub.compliance.models import (
    Assessment,
    Delivery,
    DeliveryChannel,
    EventStatus,
    ExceedanceEvent,
    FactorStep,
    LimitValue,
    Permit,
    PermitLimit,
    Regulation,
    RegulationColumn,
    RegulationRules,
)
from envhub.core import params, permissions, services
from envhub.core.errors import InvalidInput, NotFound
from envhub.core.permissions import Actor
from envhub.core.timeutil import VN, day_bounds, local_day
from envhub.registry.models import Facility, Province, Source

_visible = permissions.visible


# --- writes ----------------------------------------------------------------------------------

def _permits_affected(obj) -> list[Permit]:
    if isinstance(obj, Permit):
        return [obj] if obj.pk else []
    if isinstance(obj, PermitLimit):
        return [obj.permit]
    if isinstance(obj, (LimitValue, FactorStep, RegulationRules, RegulationColumn)):
        return list(Permit.objects.filter(regulation_id=obj.regulation_id))
    if isinstance(obj, Regulation):
        return list(Permit.objects.filter(regulation=obj))
    return []


def rejudge(permits) -> None:
    """Queue every hour with data in these permits' validity to be judged again."""
    for permit in permits:
        assess.enqueue_permit(permit)


def save(actor: Actor, obj, *, validate: bool = True):
    """Save a permit, a permit's own limit or a regulation table row (audited), and queue the
    hours it affects to be judged again."""
    with transaction.atomic():
        before = []
        if isinstance(obj, Permit) and obj.pk:
            before = list(Permit.objects.filter(pk=obj.pk))  # its old period too
        services.save(actor, obj, validate=validate)
        rejudge(before + _permits_affected(obj))
        if isinstance(obj, Permit):
            _follow_source_regulation(actor, obj.source)
    return obj


def delete(actor: Actor, obj) -> None:
    with transaction.atomic():
        affected = _permits_affected(obj)
        source = obj.source if isinstance(obj, Permit) else None
        if isinstance(obj, Permit):
            # Its hours lose their judgement: queue them while the permit still says which.
            rejudge(affected)
            affected = []
        services.delete(actor, obj)
        rejudge(affected)
        if source is not None:
            _follow_source_regulation(actor, source)


def _follow_source_regulation(actor: Actor, source: Source) -> None:
    """The registry shows each source's regulation: it is the one of today's permit."""
    from envhub.registry import services as registry

    current = permit_on(source.pk, local_day(timezone.now()))
    regulation_id = current.regulation_id if current else source.regulation_id
    if regulation_id != source.regulation_id:
        source = Source.objects.get(pk=source.pk)
        source.regulation_id = regulation_id
        registry.save(actor, source, validate=False)


# --- limits ----------------------------------------------------------------------------------

def source(actor: Actor, source_id: int) -> Source:
    """A source in the actor's scope (the registry's scoped lookup)."""
    from envhub.registry import services as registry

    return registry.source(actor, source_id)


@dataclass
class SourceLimits:
    source: Source
    day: datetime.date
    permit: Permit | None
    limits: list[EffectiveLimit]
    problem: str = ""
    column_in_force: str | None = None  # the column whose limits apply that day
    notice: str = ""  # the permit names a column no longer in force


def source_limits(actor: Actor, source_id: int, day: datetime.date | None = None) -> SourceLimits:
    """The limits of a source's parameters on a local day (today by default)."""
    found = source(actor, source_id)
    day = day or local_day(timezone.now())
    permit = permit_on(found.pk, day)
    if permit is None:
        return SourceLimits(found, day, None, [])
    computed = limits_of(permit, day)
    ordered = sorted(computed.limits.values(), key=lambda item: item.parameter.code)
    return SourceLimits(found, day, permit, ordered, computed.problem,
                        column_in_force=computed.column.used, notice=computed.notice)


# --- events ----------------------------------------------------------------------------------

@dataclass
class EventFilters:
    province: str | None = None
    sector: str | None = None  # the facility's sector code (`registry.Sector`)
    facility: int | None = None
    source: int | None = None
    parameter: str | None = None
    band: str | None = None
    status: str | None = None  # "open" or "closed"
    start: datetime.datetime | None = None  # events that overlap [start, end)
    end: datetime.datetime | None = None


def events(actor: Actor, filters: EventFilters) -> QuerySet:
    qs = _visible(actor, ExceedanceEvent.objects.select_related(
        "source", "source__facility", "source__facility__province", "parameter", "permit"))
    qs = qs.exclude(status=EventStatus.WITHDRAWN)
    if filters.province:
        qs = qs.filter(source__facility__province__code=filters.province)
    if filters.sector:
        qs = qs.filter(source__facility__sector=filters.sector)
    if filters.facility:
        qs = qs.filter(source__facility_id=filters.facility)
    if filters.source:
        qs = qs.filter(source_id=filters.source)
    if filters.parameter:
        qs = qs.filter(parameter__code__iexact=filters.parameter)
    if filters.band:
        qs = qs.filter(band=filters.band)
    if filters.status:
        if filters.status not in (EventStatus.OPEN, EventStatus.CLOSED):
            raise InvalidInput(_("status must be open or closed."), {"status": ["open|closed"]})
        qs = qs.filter(status=filters.status)
    # (start, end) come from `core.params.period`, which has checked their order.
    if filters.start:
        qs = qs.filter(end__gt=filters.start)
    if filters.end:
        qs = qs.filter(start__lt=filters.end)
    return qs


def event(actor: Actor, event_id: int) -> ExceedanceEvent:
    found = events(actor, EventFilters()).filter(pk=event_id).first()
    if found is None:
        raise NotFound()
    return found


# --- a facility's compliance -----------------------------------------------------------------

def facility(actor: Actor, facility_id: int) -> Facility:
    from envhub.registry import services as registry

    return registry.facility(actor, facility_id)


def assessments(actor: Actor, source_id: int, start: datetime.datetime,
                end: datetime.datetime) -> QuerySet:
    """The judged windows of a source in (start, end], for charts and reports."""
    found = source(actor, source_id)
    return Assessment.objects.filter(source=found, window_end__gt=start,
                                     window_end__lte=end).select_related("parameter").order_by(
        "parameter__code", "window_end")


@dataclass
class SourceCoverage:
    """A source's limits over a period, each with how much of it the judged averages cover
    (None without a permit)."""

    source: Source
    limits: SourceLimits
    rows: list[tuple[EffectiveLimit, coverage.ParameterCoverage | None]]


def facility_coverage(actor: Actor, facility_id: int, first: datetime.date, last: datetime.date,
                      now: datetime.datetime | None = None) -> list[SourceCoverage]:
    """Per source of the facility: the limits in force on the period's last day (today at the
    latest) and, per parameter, its judged windows over the local days first … last told by
    the completeness rule (`coverage`). The page, the XLSX report and the API read this."""
    from envhub.compliance.limits import regulation_rules
    from envhub.registry import services as registry

    now = now or timezone.now()
    start, end = period_bounds(first, last)
    limits_day = min(last, local_day(now))
    blocks = []
    for found in registry.sources(actor, registry.SourceFilters(facility=facility_id)):
        limits = source_limits(actor, found.id, limits_day)
        figures = {}
        if limits.permit is not None:
            figures = coverage.source_parameters(
                found.id, limits.permit, regulation_rules(limits.permit.regulation),
                [effective.parameter.pk for effective in limits.limits], start, end, now)
        blocks.append(SourceCoverage(found, limits, [
            (effective, figures.get(effective.parameter.pk)) for effective in limits.limits]))
    return blocks


def period_bounds(first: datetime.date, last: datetime.date):
    """(start, end] of the local days first … last, inclusive."""
    return day_bounds(first)[0], day_bounds(last)[1]


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """(start, end] of a local calendar month."""
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return day_bounds(first)[0], day_bounds(following)[0]


DEFAULT_DAYS = 7
MAX_DAYS = 400
MONTHS_FROM, MONTHS_TO = 1970, 2100  # the years whose months may be chosen


def local_days(text_from: str | None, text_to: str | None) -> tuple[datetime.date, datetime.date]:
    """The chosen local days (inclusive) from `from` and `to`; the last 7 days by default."""
    today = timezone.now().astimezone(VN).date()
    start, end = params.period(text_from, text_to or today.isoformat(),
                               maximum=datetime.timedelta(days=MAX_DAYS))
    tiny = datetime.timedelta(microseconds=1)
    last = (end - tiny).astimezone(VN).date()
    first = (start + tiny).astimezone(VN).date() if start else \
        last - datetime.timedelta(days=DEFAULT_DAYS - 1)
    return first, last


def parse_month(text: str | None) -> datetime.date | None:
    """YYYY-MM as the month's first day; None when not given."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        month = datetime.date.fromisoformat(text + "-01")
    except ValueError:
        month = None
    # Months at the ends of the calendar have no local bounds in UTC (year 1, year 9999).
    if month is None or not MONTHS_FROM <= month.year <= MONTHS_TO:
        raise InvalidInput(_("month is not a month: use YYYY-MM."),
                           {"month": [_("not a month")]})
    return month


def province_ranking(actor: Actor, province_code: str, month: datetime.date | None = None,
                     now: datetime.datetime | None = None):
    """The province's facilities by hours exceeded in a month (this month by default), with
    their open events and how much of the month their judged averages cover (`coverage`):
    `hours` is None where a 0 would claim compliance the data cannot show."""
    from envhub.registry import services as registry

    province = registry.province(actor, province_code)
    now = now or timezone.now()
    month = month or now.astimezone(VN).date()
    start, end = month_bounds(month)
    facilities = _visible(actor, Facility.objects.filter(province=province))
    tallies = coverage.facilities_tally(facilities, start, end, now)
    open_events = dict(ExceedanceEvent.objects.filter(
        source__facility__in=facilities, status=EventStatus.OPEN).values(
            "source__facility_id").annotate(n=Count("id")).values_list("source__facility_id",
                                                                      "n"))
    rows = []
    for facility in facilities.select_related("operator").order_by("name"):
        told = tallies.get(facility.pk, coverage.Tally()).told(start, end, now)
        hours = tallies[facility.pk].exceeded_hours if facility.pk in tallies else 0
        rows.append({"facility": facility, "hours": told.shown(hours), "told": told,
                     "status": coverage.label(told),
                     "open_events": open_events.get(facility.pk, 0)})
    rows.sort(key=lambda row: (-(row["hours"] or 0), -row["open_events"], row["facility"].name))
    return province, month, rows


def national_overview(actor: Actor, month: datetime.date | None = None,
                      now: datetime.datetime | None = None):
    """Per province in the actor's scope: facilities with a permit, hours over the limit in the
    month, open events and how much of the month the judged averages cover (`coverage`;
    `hours` None where a 0 would claim compliance) — the provinces with the most hours first."""
    now = now or timezone.now()
    month = month or now.astimezone(VN).date()
    start, end = month_bounds(month)
    facilities = _visible(actor, Facility.objects.all())
    judged = Permit.objects.filter(source__facility__in=facilities)
    permitted = dict(judged.values("source__facility__province_id").annotate(
        n=Count("source__facility", distinct=True)).values_list(
            "source__facility__province_id", "n"))
    province_of = dict(facilities.values_list("id", "province_id"))
    by_province: dict[int, coverage.Tally] = {}
    for facility_id, tally in coverage.facilities_tally(facilities, start, end, now).items():
        by_province.setdefault(province_of[facility_id], coverage.Tally()).add(tally)
    open_events = dict(ExceedanceEvent.objects.filter(
        source__facility__in=facilities, status=EventStatus.OPEN).values(
            "source__facility__province_id").annotate(n=Count("id")).values_list(
                "source__facility__province_id", "n"))
    provinces = Province.objects.filter(id__in=set(permitted) | set(by_province))
    rows = []
    for province in provinces:
        tally = by_province.get(province.pk, coverage.Tally())
        told = tally.told(start, end, now)
        rows.append({"province": province, "facilities": permitted.get(province.pk, 0),
                     "hours": told.shown(tally.exceeded_hours), "told": told,
                     "status": coverage.label(told),
                     "open_events": open_events.get(province.pk, 0)})
    rows.sort(key=lambda row: (-(row["hours"] or 0), -row["open_events"], row["province"].name))
    return month, rows


# --- the in-app inbox ------------------------------------------------------------------------

def inbox(actor: Actor) -> QuerySet:
    if actor.user is None:
        return Delivery.objects.none()
    return Delivery.objects.filter(user_id=actor.user.pk, channel=DeliveryChannel.IN_APP) \
        .select_related("notification", "notification__station").order_by("-id")


def mark_read(actor: Actor, delivery_ids: list[int] | None = None) -> int:
    """Mark the actor's own in-app notifications read (all of them without ids)."""
    qs = inbox(actor).filter(read_at__isnull=True)
    if delivery_ids is not None:
        qs = qs.filter(pk__in=delivery_ids)
    return qs.update(read_at=timezone.now())
