"""The public disclosure API: the disclosed facilities and each one's compliance summary (the
JSON twins of the public pages), open to anyone. A facility not disclosed is not found.
Thin: `compliance.disclosure` decides and computes."""

from __future__ import annotations

import datetime

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from envhub.compliance import disclosure
from envhub.core.api_auth import PUBLIC, actor_of
from envhub.core.api_errors import READ_ERRORS, ErrorEnvelope
from envhub.core.pagination import KeysetPagination
from envhub.core.schemas import LocalTime, ObjectIn
from envhub.registry.api import RowId

router = Router(tags=["disclosure"])


class PublicFacilityOut(Schema):
    id: int
    name: str
    province_code: str = Field(alias="province.code")
    province_name: str = Field(alias="province.name")
    sector: str


class LimitRowOut(Schema):
    parameter: str
    parameter_name_vi: str
    parameter_name_en: str
    maximum: float | None
    minimum: float | None
    unit: str
    regulation: str
    column: str
    hours_over: int | None
    windows_over: int | None
    windows_expected: int = Field(alias="expected")
    windows_valid: int = Field(alias="valid")
    coverage_percent: float | None = Field(alias="coverage")
    data_status: str = Field(alias="status")


class SourceOut(Schema):
    code: str
    name: str
    kind: str
    limits: list[LimitRowOut]


class PublicEventOut(Schema):
    source: str
    parameter: str
    start: LocalTime
    end: LocalTime
    hours: int
    peak_multiple: float | None
    band: str
    status: str


class PeriodOut(Schema):
    kind: str
    code: str
    first: datetime.date
    last: datetime.date


class SummaryOut(Schema):
    facility: PublicFacilityOut
    period: PeriodOut
    hours_over: int | None
    judged_until: LocalTime
    sources: list[SourceOut]
    events: list[PublicEventOut]


class PeriodQuery(Schema):
    month: str | None = Field(None, max_length=20)
    quarter: str | None = Field(None, max_length=20)


@router.get("/public/facilities", response={200: list[PublicFacilityOut], **READ_ERRORS},
            summary="The facilities whose compliance summary stewards disclosed",
            openapi_extra=PUBLIC)
@paginate(KeysetPagination, order=("name", "id"))
def public_facilities(request):
    return disclosure.disclosed_facilities().select_related("province")


@router.get("/public/facilities/{facility_id}", response={200: SummaryOut, **READ_ERRORS},
            summary="A disclosed facility's compliance summary for a month or a quarter",
            openapi_extra=PUBLIC)
def public_facility(request, facility_id: RowId, query: Query[PeriodQuery]):
    facility = disclosure.public_facility(facility_id)
    period = disclosure.period_of(query.month, query.quarter)
    return disclosure.summary(facility, period)


# --- the stewards' decisions -----------------------------------------------------------------

class DecisionOut(Schema):
    facility_id: int | None
    facility_name: str | None
    is_open: bool
    reason: str
    decided_by: str
    decided_at: LocalTime

    @staticmethod
    def resolve_facility_name(decision) -> str | None:
        return decision.facility.name if decision.facility_id else None


class DecisionsOut(Schema):
    national_open: bool
    decisions: list[DecisionOut]


class DecisionIn(ObjectIn):
    facility: RowId | None = None  # None: the national switch
    open: bool
    reason: str = Field(..., max_length=disclosure.REASON_MAX)


DECIDE_ERRORS = {400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope,
                 404: ErrorEnvelope}


@router.get("/disclosures", response={200: DecisionsOut, **DECIDE_ERRORS},
            summary="The disclosure decisions in force (stewards and administrators)")
def list_disclosures(request):
    return disclosure.decisions(actor_of(request))


@router.post("/disclosures", response={200: DecisionOut, **DECIDE_ERRORS},
             summary="Open or close a facility's compliance summary, or all of them")
def decide(request, body: DecisionIn):
    return disclosure.decide(actor_of(request), body.facility, body.open, body.reason)
