"""Compliance API: exceedance events, a source's limits with their derivation, its judged
windows, and the caller's in-app notifications. Thin: parse, call `compliance.services`,
serialise."""

import datetime
from typing import Literal

from django.utils import timezone
from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema

from envhub.compliance import alerts, digests, event_list, inbox, preferences, services
from envhub.compliance.models import Column, EventStatus, Verification
from envhub.compliance.sanction_schemas import SanctionOut, sanction_of
from envhub.core import params
from envhub.core.api_auth import actor_of
from envhub.core.api_errors import READ_ERRORS
from envhub.core.errors import NotAuthenticated
from envhub.core.pagination import PageLimit, keyset_page
from envhub.core.schemas import LocalTime, ObjectIn
from envhub.registry.api import RowId

router = Router(tags=["compliance"])


class SourceRef(Schema):
    id: int
    code: str
    name: str
    facility_id: int
    facility_name: str = Field(alias="facility.name")
    province_code: str = Field(alias="facility.province.code")


class EventOut(Schema):
    id: int
    source: SourceRef
    parameter: str = Field(alias="parameter.code")
    status: str
    start: LocalTime
    end: LocalTime
    hours: int
    peak_value: float | None
    peak_multiple: float | None
    peak_at: LocalTime
    band: str
    limit: float
    unit: str
    permit_number: str | None

    @staticmethod
    def resolve_permit_number(event) -> str | None:
        return event.permit.number if event.permit else None


class EventDetailOut(EventOut):
    sanction: SanctionOut | None = Field(
        description="Its Decree 45/2022 classification from the sanction data as they are now; "
                    "null when the medium has no sanction rule.")

    @staticmethod
    def resolve_sanction(event) -> dict | None:
        return sanction_of(event)


class EventQuery(Schema):
    province: str | None = None
    sector: str | None = Field(None, description="the facility's sector code")
    facility: RowId | None = None
    source: RowId | None = None
    parameter: str | None = None
    band: str | None = None
    status: EventStatus | None = None
    from_: str | None = Field(None, alias="from")
    to: str | None = None
    sort: str | None = Field(None, description="-start (default), start, -hours, hours, "
                                               "-multiple, multiple, facility, -facility")


class EventPage(Schema):
    results: list[EventOut]
    next: str | None


@router.get("/exceedances", response={200: EventPage, **READ_ERRORS},
            summary="Exceedance events in your scope, newest first (or in the order asked)")
def list_exceedances(request, query: Query[EventQuery], cursor: str | None = None,
                     limit: PageLimit = None):
    found = event_list.parse({
        "province": query.province, "sector": query.sector,
        "facility": str(query.facility or ""), "source": str(query.source or ""),
        "parameter": query.parameter, "band": query.band,
        "status": query.status.value if query.status else None,
        "from": query.from_, "to": query.to, "sort": query.sort}, known_codes=False)
    page = keyset_page(event_list.events(actor_of(request), found), order=found.order,
                       cursor=cursor, limit=limit)
    return {"results": page.results, "next": page.next}


@router.get("/exceedances/{event_id}", response={200: EventDetailOut, **READ_ERRORS},
            summary="One exceedance event")
def get_exceedance(request, event_id: RowId):
    return services.event(actor_of(request), event_id)


class FactorOut(Schema):
    symbol: str
    value: float
    basis: str

    @staticmethod
    def resolve_basis(factor) -> str:
        return str(factor.basis)


class LimitOut(Schema):
    # Reads a `limits.EffectiveLimit`: its `limit` is None when it cannot be computed.
    parameter: str = Field(alias="parameter.code")
    parameter_name: str = Field(alias="parameter.name_vi")
    value: float | None
    minimum: float | None
    unit: str
    reference_o2: float | None
    origin: str
    derivation: str
    factors: list[FactorOut]
    verification: str
    verification_label: str
    verified: bool
    problem: str

    @staticmethod
    def resolve_value(effective) -> float | None:
        return effective.limit.maximum if effective.limit else None

    @staticmethod
    def resolve_minimum(effective) -> float | None:
        return effective.limit.minimum if effective.limit else None

    @staticmethod
    def resolve_unit(effective) -> str:
        return effective.limit.unit if effective.limit else effective.parameter.unit

    @staticmethod
    def resolve_factors(effective) -> tuple:
        return effective.limit.factors if effective.limit else ()

    @staticmethod
    def resolve_verification_label(effective) -> str:
        return str(Verification(effective.verification).label)

    @staticmethod
    def resolve_problem(effective) -> str:
        return str(effective.problem)


class PermitOut(Schema):
    id: int
    number: str
    valid_from: datetime.date
    valid_until: datetime.date | None
    regulation: str = Field(alias="regulation.code")
    column: str
    column_label: str
    category: str
    actual_conditions: bool

    @staticmethod
    def resolve_column_label(permit) -> str:
        return str(Column(permit.column).label)


class SourceLimitsOut(Schema):
    source: SourceRef
    date: datetime.date
    permit: PermitOut | None
    column_in_force: str | None = Field(
        description="The column whose limits apply on the date: the permit's, or the one the "
                    "regulation applies after it has ended (null when none does).")
    notice: str = Field(description="Set when the permit names a column no longer in force.")
    averaging_hours: int | None
    min_coverage: float | None
    problem: str
    limits: list[LimitOut]


@router.get("/sources/{source_id}/limits", response={200: SourceLimitsOut, **READ_ERRORS},
            summary="A source's limits on a day, each with its derivation")
def source_limits(request, source_id: RowId, date: datetime.date | None = None):
    found = services.source_limits(actor_of(request), source_id, date)
    rules = None
    if found.permit is not None:
        from envhub.compliance.limits import regulation_rules

        rules = regulation_rules(found.permit.regulation)
    return {"source": found.source, "date": found.day, "permit": found.permit,
            "column_in_force": found.column_in_force, "notice": str(found.notice),
            "averaging_hours": rules.averaging_hours if rules else None,
            "min_coverage": rules.min_coverage if rules else None,
            "problem": str(found.problem), "limits": found.limits}


class AssessmentOut(Schema):
    parameter: str = Field(alias="parameter.code")
    window_end: LocalTime
    window_hours: int
    measured: float | None
    value: float | None
    limit: float | None
    limit_minimum: float | None
    multiple: float | None
    coverage: float
    state: str
    in_progress: bool = Field(description="The window has not ended yet: its state is what the "
                                          "hours so far give, not missing data.")
    band: str
    note: str

    @staticmethod
    def resolve_coverage(assessment) -> float:
        return round(assessment.coverage, 1)

    @staticmethod
    def resolve_in_progress(assessment) -> bool:
        return assessment.window_end > timezone.now()


class AssessmentList(Schema):
    source: SourceRef
    results: list[AssessmentOut]


MAX_ASSESSMENT_SPAN = datetime.timedelta(days=400)


@router.get("/sources/{source_id}/assessments", response={200: AssessmentList, **READ_ERRORS},
            summary="A source's averages judged against the limit (default: the last 7 days)")
def source_assessments(request, source_id: RowId, from_: str | None = Query(None, alias="from"),
                       to: str | None = None):
    start, end = params.period(from_, to, default=datetime.timedelta(days=7),
                               maximum=MAX_ASSESSMENT_SPAN)
    actor = actor_of(request)
    source = services.source(actor, source_id)
    return {"source": source, "results": services.assessments(actor, source_id, start, end)}


# --- how much of a period the judged averages cover ------------------------------------------

class CoverageFields(Schema):
    """The completeness rule's word on a period (`core.completeness.period_coverage`); counts
    beside it are null, never 0, where it was not judged."""

    status: Literal["no_data", "insufficient", "in_progress", "complete"] = Field(
        description="no_data: no ended averaging window holds data; insufficient: fewer than "
                    "the regulation's share (75 % by default) of them have enough data; "
                    "in_progress: the period (or its first window) has not ended and what has "
                    "ended so far has enough data; complete: ended, with enough data.")
    status_label: str
    coverage: float | None = Field(description="% of the ended averaging windows that have "
                                               "enough data; null while none has ended.")
    windows: int = Field(description="Averaging windows ended in the period while a permit "
                                     "was valid (the one still running is not counted).")
    valid_windows: int = Field(description="Those of them with enough data (judged).")


def _coverage(told, label: str) -> dict:
    return {"status": told.status, "status_label": label, "coverage": told.coverage,
            "windows": told.expected, "valid_windows": told.valid}


class ProvinceMonthOut(CoverageFields):
    code: str
    name: str
    facilities: int = Field(description="Facilities with a permit.")
    hours: int | None = Field(description="Hours over the limit in the month; null where the "
                                          "month was not judged and none was seen.")
    open_events: int


class OverviewOut(Schema):
    month: str = Field(description="YYYY-MM")
    provinces: list[ProvinceMonthOut]


@router.get("/compliance/overview", response={200: OverviewOut, **READ_ERRORS},
            summary="Provinces in your scope by hours over the limit in a month, with coverage")
def compliance_overview(request, month: str | None = None):
    found, rows = services.national_overview(actor_of(request), services.parse_month(month))
    return {"month": f"{found:%Y-%m}", "provinces": [{
        "code": row["province"].code, "name": row["province"].name,
        "facilities": row["facilities"], "hours": row["hours"],
        "open_events": row["open_events"], **_coverage(row["told"], row["status"]),
    } for row in rows]}


class FacilityMonthOut(CoverageFields):
    id: int
    name: str
    hours: int | None = Field(description="Hours over the limit in the month; null where the "
                                          "month was not judged and none was seen.")
    open_events: int


class ProvinceOut(Schema):
    code: str
    name: str
    month: str = Field(description="YYYY-MM")
    facilities: list[FacilityMonthOut]


@router.get("/compliance/provinces/{code}", response={200: ProvinceOut, **READ_ERRORS},
            summary="A province's facilities by hours over the limit in a month, with coverage")
def compliance_province(request, code: str, month: str | None = None):
    province, found, rows = services.province_ranking(actor_of(request), code,
                                                      services.parse_month(month))
    return {"code": province.code, "name": province.name, "month": f"{found:%Y-%m}",
            "facilities": [{
                "id": row["facility"].pk, "name": row["facility"].name, "hours": row["hours"],
                "open_events": row["open_events"], **_coverage(row["told"], row["status"]),
            } for row in rows]}


class ParameterCoverageOut(CoverageFields):
    parameter: str
    windows_with_data: int
    exceeded: int | None = Field(description="Windows over the limit; null where not judged "
                                             "and none was seen.")
    exceeded_hours: int | None


class SourceCoverageOut(Schema):
    source: SourceRef
    permit_number: str | None
    parameters: list[ParameterCoverageOut]


class FacilityCoverageOut(Schema):
    id: int
    name: str
    from_: datetime.date = Field(alias="from")
    to: datetime.date
    sources: list[SourceCoverageOut]


@router.get("/facilities/{facility_id}/compliance",
            response={200: FacilityCoverageOut, **READ_ERRORS}, by_alias=True,
            summary="A facility's judged averages over local days (default: the last 7), with "
                    "coverage per parameter")
def facility_compliance(request, facility_id: RowId, from_: str | None = Query(None, alias="from"),
                        to: str | None = None):
    actor = actor_of(request)
    facility = services.facility(actor, facility_id)
    first, last = services.local_days(from_, to)
    return {"id": facility.pk, "name": facility.name, "from": first, "to": last, "sources": [{
        "source": block.source,
        "permit_number": block.limits.permit.number if block.limits.permit else None,
        "parameters": [{
            "parameter": effective.parameter.code, "windows_with_data": figures.with_data,
            "exceeded": figures.exceeded_shown, "exceeded_hours": figures.hours_shown,
            **_coverage(figures.told, figures.label),
        } for effective, figures in block.rows if figures is not None],
    } for block in services.facility_coverage(actor, facility.pk, first, last)]}


class NotificationOut(Schema):
    # Reads a `Delivery`: the caller's copy of a notification.
    id: int
    kind: str = Field(alias="notification.kind")
    subject: str  # in the language of the request, like the page (`alerts.wording`)
    message: str
    created_at: LocalTime = Field(alias="notification.created_at")
    read: bool
    data: dict = Field(alias="notification.payload")

    @staticmethod
    def resolve_read(delivery) -> bool:
        return delivery.read_at is not None

    @staticmethod
    def resolve_subject(delivery) -> str:
        return alerts.wording(delivery.notification, get_language())[0]

    @staticmethod
    def resolve_message(delivery) -> str:
        return alerts.wording(delivery.notification, get_language())[1]


class WaitingOut(Schema):
    frequency: str
    count: int
    at: LocalTime
    provinces: list[dict]


class NotificationPage(Schema):
    results: list[NotificationOut]
    unread: int
    next: str | None
    # What the caller's next digests hold so far, and when each goes out.
    waiting: list[WaitingOut] = []


class ReadIn(ObjectIn):
    ids: list[RowId] | None = None


class ReadOut(Schema):
    marked: int


@router.get("/notifications", response={200: NotificationPage, **READ_ERRORS},
            summary="Your in-app notifications, newest first")
def list_notifications(request, cursor: str | None = None, limit: PageLimit = None,
                       kind: str | None = None, state: str | None = None,
                       from_: str | None = Query(None, alias="from"), to: str | None = None):
    actor = actor_of(request)
    if actor.user is None:
        raise NotAuthenticated()
    qs = inbox.filtered(actor, inbox.parse(kind, state, from_, to))
    # Not KeysetPagination: the envelope carries the unread count too (of all, unfiltered).
    page = keyset_page(qs, order=("-id",), cursor=cursor, limit=limit)
    return {"results": page.results, "unread": inbox.unread(actor), "next": page.next,
            "waiting": digests.waiting(actor.user.pk)}


class PreferenceOut(Schema):
    kind: str
    label: str
    mode: str
    email: bool
    chosen: bool
    default_mode: str


class PreferenceIn(ObjectIn):
    kind: str = Field(max_length=30)
    mode: Literal["immediate", "daily", "weekly", "off"]
    email: bool = True


class PreferencesIn(ObjectIn):
    preferences: list[PreferenceIn] = Field(max_length=50)


@router.get("/notifications/preferences", response={200: list[PreferenceOut], **READ_ERRORS},
            summary="Your notification preferences, one per kind (your role's default where "
                    "you chose nothing)")
def notification_preferences(request):
    return preferences.of(actor_of(request))


@router.put("/notifications/preferences", response={200: list[PreferenceOut], **READ_ERRORS},
            summary="Change your notification preferences (the kinds given; the others stay)")
def change_notification_preferences(request, body: PreferencesIn):
    actor = actor_of(request)
    preferences.save(actor, {row.kind: (row.mode, row.email) for row in body.preferences})
    return preferences.of(actor)


@router.get("/notifications/{int:delivery_id}", response={200: NotificationOut, **READ_ERRORS},
            summary="One of your notifications (404 for anyone else's)")
def get_notification(request, delivery_id: int):
    return inbox.one(actor_of(request), delivery_id)


@router.post("/notifications/{int:delivery_id}/read",
             response={200: NotificationOut, **READ_ERRORS},
             summary="Mark one of your notifications read (404 for anyone else's)")
def read_notification(request, delivery_id: int):
    return inbox.mark_one_read(actor_of(request), delivery_id)


@router.post("/notifications/read", response={200: ReadOut, **READ_ERRORS},
             summary="Mark your notifications read (all of them without ids)")
def read_notifications(request, body: ReadIn):
    actor = actor_of(request)
    if actor.user is None:
        raise NotAuthenticated()
    return {"marked": services.mark_read(actor, body.ids)}


# --- a facility's three years by quarter -----------------------------------------------------

class GridCellOut(Schema):
    quarter: str = Field(description="YYYY-Qn, local days")
    hours: int | None = Field(description="Hours over the limit; null where the quarter was "
                                          "not judged and none was seen (never a 0 then).")
    events: int
    completeness: float | None = Field(description="% of the ended averaging windows with "
                                                   "enough data; null when none was expected.")
    status: str
    status_label: str
    events_url: str


class GridRowOut(Schema):
    parameter: str
    unit: str
    cells: list[GridCellOut]


class GridOut(Schema):
    id: int
    name: str
    quarters: list[str]
    parameters: list[GridRowOut]


@router.get("/facilities/{facility_id}/compliance-grid", response={200: GridOut, **READ_ERRORS},
            summary="A facility's last 12 quarters × parameters: hours over the limit, events "
                    "and data completeness")
def facility_compliance_grid(request, facility_id: RowId):
    from envhub.compliance import facility_grid

    facility = services.facility(actor_of(request), facility_id)
    grid = facility_grid.facility_grid(facility)
    return {"id": facility.pk, "name": facility.name,
            "quarters": [quarter.key for quarter in grid.quarters],
            "parameters": [{"parameter": parameter.code, "unit": parameter.unit, "cells": [{
                "quarter": quarter.key, "hours": cell.hours, "events": cell.events,
                "completeness": cell.completeness, "status": cell.status,
                "status_label": cell.label,
                "events_url": facility_grid.events_url(facility, parameter, quarter),
            } for quarter, cell in zip(grid.quarters, cells, strict=True)]}
                for parameter, cells in grid.rows()]}
