"""Compliance API: exceedance events, a source's limits with their derivation, its judged
windows, and the caller's in-app notifications. Thin: parse, call `compliance.services`,
serialise."""

from __future__ import annotations

import datetime

from ninja import Field, Query, Router, Schema

from envhub.compliance import services
from envhub.compliance.models import Column, EventStatus, Verification
from envhub.core import params
from envhub.core.api_auth import actor_of
from envhub.core.api_errors import READ_ERRORS
from envhub.core.errors import NotAuthenticated
from envhub.core.pagination import PageLimit, keyset_page
from envhub.core.schemas import ObjectIn
from envhub.core.timeutil import local_iso
from envhub.registry.api import RowId

router = Router(tags=["compliance"])


class SourceRef(Schema):
    id: int
    code: str
    name: str
    facility_id: int
    facility_name: str
    province_code: str


class EventOut(Schema):
    id: int
    source: SourceRef
    parameter: str
    status: str
    start: str
    end: str
    hours: int
    peak_value: float | None
    peak_multiple: float | None
    peak_at: str
    band: str
    limit: float
    unit: str
    permit_number: str | None


class EventPage(Schema):
    results: list[EventOut]
    next: str | None


class EventQuery(Schema):
    province: str | None = None
    facility: RowId | None = None
    source: RowId | None = None
    parameter: str | None = None
    band: str | None = None
    status: EventStatus | None = None
    from_: str | None = Field(None, alias="from")
    to: str | None = None
    cursor: str | None = None
    limit: PageLimit = None


def _source_ref(source) -> dict:
    facility = source.facility
    return {"id": source.pk, "code": source.code, "name": source.name,
            "facility_id": facility.pk, "facility_name": facility.name,
            "province_code": facility.province.code}


def event_out(event) -> dict:
    return {"id": event.pk, "source": _source_ref(event.source),
            "parameter": event.parameter.code, "status": event.status,
            "start": local_iso(event.start), "end": local_iso(event.end), "hours": event.hours,
            "peak_value": event.peak_value, "peak_multiple": event.peak_multiple,
            "peak_at": local_iso(event.peak_at), "band": event.band, "limit": event.limit,
            "unit": event.unit, "permit_number": event.permit.number if event.permit else None}


@router.get("/exceedances", response={200: EventPage, **READ_ERRORS},
            summary="Exceedance events in your scope, newest first")
def list_exceedances(request, query: Query[EventQuery]):
    start, end = params.period(query.from_, query.to)
    filters = services.EventFilters(
        province=query.province, facility=query.facility, source=query.source,
        parameter=query.parameter, band=query.band, status=query.status,
        start=start, end=end)
    qs = services.events(actor_of(request), filters)
    page = keyset_page(qs, order=("-start", "-id"), cursor=query.cursor, limit=query.limit)
    return {"results": [event_out(e) for e in page.results], "next": page.next}


@router.get("/exceedances/{event_id}", response={200: EventOut, **READ_ERRORS},
            summary="One exceedance event")
def get_exceedance(request, event_id: RowId):
    return event_out(services.event(actor_of(request), event_id))


class FactorOut(Schema):
    symbol: str
    value: float
    basis: str


class LimitOut(Schema):
    parameter: str
    parameter_name: str
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


class PermitOut(Schema):
    id: int
    number: str
    valid_from: datetime.date
    valid_until: datetime.date | None
    regulation: str
    column: str
    column_label: str
    category: str
    actual_conditions: bool


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


def _limit_out(effective) -> dict:
    limit = effective.limit
    return {
        "parameter": effective.parameter.code, "parameter_name": effective.parameter.name_vi,
        "value": limit.maximum if limit else None, "minimum": limit.minimum if limit else None,
        "unit": limit.unit if limit else effective.parameter.unit,
        "reference_o2": effective.reference_o2, "origin": effective.origin,
        "derivation": effective.derivation,
        "factors": [{"symbol": f.symbol, "value": f.value, "basis": str(f.basis)}
                    for f in (limit.factors if limit else ())],
        "verification": effective.verification,
        "verification_label": str(Verification(effective.verification).label),
        "verified": effective.verified, "problem": str(effective.problem),
    }


def _permit_out(permit) -> dict | None:
    if permit is None:
        return None
    return {"id": permit.pk, "number": permit.number, "valid_from": permit.valid_from,
            "valid_until": permit.valid_until, "regulation": permit.regulation.code,
            "column": permit.column, "column_label": str(Column(permit.column).label),
            "category": permit.category, "actual_conditions": permit.actual_conditions}


@router.get("/sources/{source_id}/limits", response={200: SourceLimitsOut, **READ_ERRORS},
            summary="A source's limits on a day, each with its derivation")
def source_limits(request, source_id: RowId, date: datetime.date | None = None):
    found = services.source_limits(actor_of(request), source_id, date)
    rules = None
    if found.permit is not None:
        from envhub.compliance.limits import regulation_rules

        rules = regulation_rules(found.permit.regulation)
    return {"source": _source_ref(found.source), "date": found.day,
            "permit": _permit_out(found.permit), "column_in_force": found.column_in_force,
            "notice": str(found.notice),
            "averaging_hours": rules.averaging_hours if rules else None,
            "min_coverage": rules.min_coverage if rules else None,
            "problem": str(found.problem), "limits": [_limit_out(e) for e in found.limits]}


class AssessmentOut(Schema):
    parameter: str
    window_end: str
    window_hours: int
    measured: float | None
    value: float | None
    limit: float | None
    limit_minimum: float | None
    multiple: float | None
    coverage: float
    state: str
    band: str
    note: str


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
    rows = services.assessments(actor, source_id, start, end)
    return {"source": _source_ref(source), "results": [{
        "parameter": row.parameter.code, "window_end": local_iso(row.window_end),
        "window_hours": row.window_hours, "measured": row.measured, "value": row.value,
        "limit": row.limit, "limit_minimum": row.limit_minimum, "multiple": row.multiple,
        "coverage": round(row.coverage, 1), "state": row.state, "band": row.band,
        "note": row.note} for row in rows]}


class NotificationOut(Schema):
    id: int
    kind: str
    subject: str
    message: str
    created_at: str
    read: bool
    data: dict


class NotificationPage(Schema):
    results: list[NotificationOut]
    unread: int
    next: str | None


class ReadIn(ObjectIn):
    ids: list[RowId] | None = None


class ReadOut(Schema):
    marked: int


@router.get("/notifications", response={200: NotificationPage, **READ_ERRORS},
            summary="Your in-app notifications, newest first")
def list_notifications(request, cursor: str | None = None, limit: PageLimit = None):
    actor = actor_of(request)
    if actor.user is None:
        raise NotAuthenticated()
    qs = services.inbox(actor)
    page = keyset_page(qs, order=("-id",), cursor=cursor, limit=limit)
    return {"results": [{
        "id": d.pk, "kind": d.notification.kind, "subject": d.notification.subject,
        "message": d.notification.body, "created_at": local_iso(d.notification.created_at),
        "read": d.read_at is not None, "data": d.notification.payload}
        for d in page.results], "unread": qs.filter(read_at__isnull=True).count(),
        "next": page.next}


@router.post("/notifications/read", response={200: ReadOut, **READ_ERRORS},
             summary="Mark your notifications read (all of them without ids)")
def read_notifications(request, body: ReadIn):
    actor = actor_of(request)
    if actor.user is None:
        raise NotAuthenticated()
    return {"marked": services.mark_read(actor, body.ids)}
