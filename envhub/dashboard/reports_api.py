"""The reports' JSON twin (`/api/v1/reports`): the list a reader may see (the page's filters),
one report with its figures, and asking for one. Thin: `reports` decides and scopes; the files
are downloaded from the links it gives (the same URLs as the page, bearer tokens accepted)."""


import datetime

from django.urls import reverse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from envhub.core.api_auth import actor_of
from envhub.core.api_errors import READ_ERRORS, ErrorEnvelope
from envhub.core.errors import Forbidden, NotAuthenticated
from envhub.core.pagination import KeysetPagination
from envhub.core.schemas import LocalTime, ObjectIn
from envhub.dashboard import reports
from envhub.dashboard.filters import DashboardRefused
from envhub.dashboard.models import ReportStatus
from envhub.registry.api import RowId

router = Router(tags=["reports"])

WRITE_ERRORS = {400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope,
                404: ErrorEnvelope}


class ReportOut(Schema):
    id: int
    province: str | None = Field(None, description="Province code; null for the country")
    period_kind: str
    first_day: datetime.date
    last_day: datetime.date
    language: str
    scheduled: bool
    status: ReportStatus
    status_label: str
    error: str
    requested_by: str
    created_at: LocalTime
    started_at: LocalTime | None = None
    finished_at: LocalTime | None = None
    pdf_size: int | None = None
    pdf_sha256: str
    xlsx_size: int | None = None
    xlsx_sha256: str
    links: dict

    @staticmethod
    def resolve_province(item) -> str | None:
        return item.province.code if item.province_id else None

    @staticmethod
    def resolve_status_label(item) -> str:
        return str(ReportStatus(item.status).label)

    @staticmethod
    def resolve_links(item) -> dict:
        links = {"page": reverse("dashboard-reports") + f"#report-{item.pk}",
                 "self": reverse("api:get_report", kwargs={"report_id": item.pk})}
        if item.status == ReportStatus.DONE:
            for kind in reports.FILES:
                links[kind] = reverse("dashboard-report-file", args=[item.pk, kind])
        return links


class ReportDetailOut(ReportOut):
    figures: dict = Field(default_factory=dict,
                          description="The figures the files were written from")


class ReportQuery(Schema):
    province: str | None = Field(None, max_length=2,
                                 description="A province's code, or VN for the country's")
    status: ReportStatus | None = None


class ReportIn(ObjectIn):
    period: str = Field("month", max_length=10)
    at: str | None = Field(None, max_length=10, description="A day of the period (YYYY-MM-DD)")
    from_: str | None = Field(None, alias="from", max_length=10)
    to: str | None = Field(None, max_length=10)
    province: str | None = Field(None, max_length=2, description="Empty: the whole country")
    language: str | None = Field(None, max_length=5)


def _actor(request):
    actor = actor_of(request)
    if not actor.is_authenticated:
        raise NotAuthenticated()
    return actor


def _refused():
    return Forbidden(reports_words())


def reports_words() -> str:
    from django.utils.translation import gettext as _

    return _("Reports are for the ministry's leaders, data stewards and provincial officers.")


@router.get("/reports", response={200: list[ReportOut], **READ_ERRORS, 403: ErrorEnvelope},
            summary="Stored reports in your scope, newest first")
@paginate(KeysetPagination, order=("-id",))
def list_reports(request, query: Query[ReportQuery]):
    try:
        return reports.listed(_actor(request), query.province, query.status)
    except DashboardRefused:
        raise _refused() from None


@router.get("/reports/{report_id}", response={200: ReportDetailOut, **READ_ERRORS,
                                              403: ErrorEnvelope},
            summary="One report: its state, files and figures")
def get_report(request, report_id: RowId):
    try:
        return reports.get(_actor(request), report_id)
    except DashboardRefused:
        raise _refused() from None


@router.post("/reports", response={201: ReportOut, **WRITE_ERRORS},
             summary="Ask for a report of a period and scope; the worker makes it")
def create_report(request, body: ReportIn):
    params = {key: value for key, value in body.dict(by_alias=True).items() if value}
    try:
        report = reports.request(_actor(request), params)
    except DashboardRefused:
        raise _refused() from None
    return Status(201, reports.get(_actor(request), report.pk))
