"""Public disclosure (công khai thông tin) of facilities' compliance: the stewards' decisions and
what the public then sees.

Nothing is open by default: the disclosure clauses of the Law on Environmental Protection 2020
(Art. 114) are not verified in this repository, so a steward or an administrator decides —
per facility, or for all of them with the national switch — with a reason, audited, and may
close again (docs/disclosure.md). This module is the one rule of what is disclosed: the public
page, its JSON twin and the two catalogue datasets of disclosed facilities all ask
`disclosed_facilities`. What a disclosed facility shows is its compliance summary only: name,
province, sector, its sources' limits, hours over the limit, exceedance events and data
completeness for a month or a quarter — no raw values, no operator, no permit, no tax code.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from envhub.compliance import services
from envhub.compliance.disclosure_models import Disclosure
from envhub.core import audit
from envhub.core import services as core_services
from envhub.core.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound
from envhub.core.permissions import Actor, system_actor
from envhub.core.timeutil import VN
from envhub.registry.models import Facility

# The catalogue's datasets whose rows are the disclosed facilities' (`disclosed_datasets`).
DATASET_PROVIDERS = ("compliance.disclosed_events", "compliance.disclosed_months")
REASON_MAX = 500


# --- what is open ----------------------------------------------------------------------------

def national() -> Disclosure | None:
    return Disclosure.objects.filter(facility__isnull=True).first()


def national_open() -> bool:
    found = national()
    return bool(found and found.is_open)


def disclosed_facilities() -> QuerySet:
    """The facilities whose compliance summary the public may see: those a steward opened,
    and — while the national switch is open — every facility without a decision of its own."""
    opened = Q(disclosure__is_open=True)
    if national_open():
        opened |= Q(disclosure__isnull=True)
    return Facility.objects.filter(opened)


def is_disclosed(facility_id: int) -> bool:
    return disclosed_facilities().filter(pk=facility_id).exists()


def public_facility(facility_id: int) -> Facility:
    """A disclosed facility, for anyone; any other is not found (404, never 403: whether it
    exists is not disclosed either)."""
    found = disclosed_facilities().select_related("province").filter(pk=facility_id).first()
    if found is None:
        raise NotFound()
    return found


# --- decisions -------------------------------------------------------------------------------

def _may_decide(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if not actor.manages_everything:
        raise Forbidden(_("Only data stewards and administrators decide what is disclosed."))


def _who(actor: Actor) -> str:
    """The decider as people read them (the audit log keeps the actor's label)."""
    user = actor.user
    if user is None:
        return actor.label[:200]
    return (getattr(user, "full_name", "") or user.get_username())[:200]


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why: the reason is kept with the decision."),
                           {"reason": [_("This field is required.")]})
    if len(reason) > REASON_MAX:
        raise InvalidInput(_("The reason is too long (500 characters at most)."),
                           {"reason": [_("too long")]})
    return reason


def decide(actor: Actor, facility_id: int | None, is_open: bool, reason: str,
           now: datetime.datetime | None = None) -> Disclosure:
    """Open or close one facility's compliance summary (`facility_id`), or every facility
    without a decision of its own (None: the national switch). Stewards and administrators
    only; the reason is required; audited."""
    _may_decide(actor)
    reason = _clean_reason(reason)
    with transaction.atomic():
        if facility_id is not None:
            facility = Facility.objects.filter(pk=facility_id).first()
            if facility is None:
                raise NotFound()
            found = Disclosure.objects.select_for_update().filter(facility=facility).first() \
                or Disclosure(facility=facility)
        else:
            found = Disclosure.objects.select_for_update().filter(
                facility__isnull=True).first() or Disclosure()
        found.is_open = is_open
        found.reason = reason
        found.decided_by = _who(actor)
        found.decided_at = now or timezone.now()
        core_services.save(actor, found)
    _refresh_datasets()
    return found


def follow_national(actor: Actor, facility_id: int, reason: str) -> None:
    """Drop a facility's own decision: it follows the national switch again (audited, with
    the reason, as a deletion of the decision)."""
    _may_decide(actor)
    reason = _clean_reason(reason)
    with transaction.atomic():
        found = Disclosure.objects.select_for_update().filter(facility_id=facility_id).first()
        if found is None:
            return
        audit.record(actor, "update", found, {"follows_national": [False, True],
                                              "reason": [found.reason, reason]})
        core_services.delete(actor, found)
    _refresh_datasets()


def _refresh_datasets() -> None:
    """The disclosed datasets' figures (rows, period, provinces) follow the decision at once."""
    from envhub.catalog import services as catalog
    from envhub.catalog.models import Dataset

    for dataset in Dataset.objects.filter(provider__in=DATASET_PROVIDERS):
        catalog.refresh(dataset)


def decisions(actor: Actor) -> dict:
    """The decisions in force, the national switch first (for the API)."""
    _may_decide(actor)
    rows = list(Disclosure.objects.select_related("facility").order_by("facility_id", "id"))
    rows.sort(key=lambda row: (row.facility_id is not None, row.facility_id or 0))
    return {"national_open": national_open(), "decisions": rows}


@dataclass
class FacilityState:
    facility: Facility
    own: Disclosure | None
    disclosed: bool


def states(actor: Actor, province: str | None = None) -> tuple[Disclosure | None,
                                                                list[FacilityState]]:
    """For the stewards' page: the national switch and every facility with its own decision
    and whether it is disclosed now."""
    _may_decide(actor)
    switch = national()
    facilities = Facility.objects.select_related("province", "disclosure").order_by(
        "province__name", "name")
    if province:
        facilities = facilities.filter(province__code=province)
    is_open = bool(switch and switch.is_open)
    rows = []
    for facility in facilities:
        own = getattr(facility, "disclosure", None)
        rows.append(FacilityState(facility, own, own.is_open if own else is_open))
    return switch, rows


# --- the period of a summary -----------------------------------------------------------------

QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    first: datetime.date
    last: datetime.date  # inclusive
    kind: str  # "month" or "quarter"

    @property
    def code(self) -> str:
        if self.kind == "month":
            return f"{self.first:%Y-%m}"
        return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"


def _month_end(first: datetime.date, months: int) -> datetime.date:
    index = first.month - 1 + months
    following = datetime.date(first.year + index // 12, index % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def period_of(month: str | None, quarter: str | None,
              today: datetime.date | None = None) -> Period:
    """`?month=YYYY-MM` or `?quarter=YYYY-Qn`; this quarter by default."""
    if month:
        first = services.parse_month(month[:20])
        return Period(first, _month_end(first, 1), "month")
    if quarter:
        found = QUARTER.match(quarter.strip()[:20])
        if not found or not services.MONTHS_FROM <= int(found[1]) <= services.MONTHS_TO:
            raise InvalidInput(_("quarter is not a quarter: use YYYY-Qn, e.g. 2026-Q1."),
                               {"quarter": [_("not a quarter")]})
        first = datetime.date(int(found[1]), 3 * int(found[2]) - 2, 1)
        return Period(first, _month_end(first, 3), "quarter")
    today = today or timezone.now().astimezone(VN).date()
    first = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return Period(first, _month_end(first, 3), "quarter")


# --- the public summary ----------------------------------------------------------------------

@dataclass
class LimitRow:
    parameter: str
    parameter_name_vi: str
    parameter_name_en: str
    maximum: float | None
    minimum: float | None
    unit: str
    regulation: str
    column: str
    hours_over: int | None  # None: the data do not allow counting them
    windows_over: int | None
    expected: int
    valid: int
    coverage: float | None
    status: str  # the completeness rule's code
    status_label: str


@dataclass
class SourceSummary:
    code: str
    name: str
    kind: str
    kind_label: str
    limits: list[LimitRow] = field(default_factory=list)


@dataclass
class EventRow:
    source: str
    parameter: str
    start: datetime.datetime
    end: datetime.datetime
    hours: int
    peak_multiple: float | None
    band: str
    status: str


@dataclass
class Summary:
    facility: Facility
    period: Period
    sources: list[SourceSummary]
    events: list[EventRow]
    hours_over: int | None
    judged_until: datetime.datetime


EVENTS_SHOWN = 500


def summary(facility: Facility, period: Period,
            now: datetime.datetime | None = None) -> Summary:
    """The compliance summary of a disclosed facility (`public_facility`) over a period, read
    as the system: the public sees the facility through this summary only."""
    reader = system_actor("disclosure")
    now = now or timezone.now()
    sources = []
    # As `coverage`'s counts: no total where a 0 would claim compliance the data cannot show;
    # hours over the limit that were seen are shown all the same.
    total, counted, unknown = 0, False, False
    for block in services.facility_coverage(reader, facility.pk, period.first, period.last,
                                            now):
        found = SourceSummary(block.source.code, block.source.name, block.source.kind,
                              str(block.source.get_kind_display()))
        permit = block.limits.permit
        for effective, figures in block.rows:
            limit = effective.limit
            told = figures.told if figures is not None else None
            hours = figures.hours_shown if figures is not None else None
            if hours is not None:
                total, counted = total + hours, True
            elif figures is not None:
                unknown = True
            found.limits.append(LimitRow(
                parameter=effective.parameter.code,
                parameter_name_vi=effective.parameter.name_vi,
                parameter_name_en=effective.parameter.name_en,
                maximum=limit.maximum if limit else None,
                minimum=limit.minimum if limit else None,
                unit=limit.unit if limit else effective.parameter.unit,
                regulation=permit.regulation.code if permit else "",
                column=block.limits.column_in_force or (permit.column if permit else ""),
                hours_over=hours,
                windows_over=figures.exceeded_shown if figures is not None else None,
                expected=told.expected if told else 0, valid=told.valid if told else 0,
                coverage=told.coverage if told else None,
                status=told.status if told else "", status_label=figures.label if figures else ""))
        sources.append(found)
    start, end = services.period_bounds(period.first, period.last)
    events = [EventRow(event.source.code, event.parameter.code, event.start, event.end,
                       event.hours, event.peak_multiple, event.band, event.status)
              for event in services.events(reader, services.EventFilters(
                  facility=facility.pk, start=start, end=end)).order_by("start", "id")[
                  :EVENTS_SHOWN]]
    shown = total if counted and (total or not unknown) else None
    return Summary(facility, period, sources, events, shown, min(end, now))
