"""Stored reports (báo cáo): asked for by a reader or by the monthly job, made by the worker,
listed and downloaded through the one access rule (`dashboard/policy.py`).

The road of a report: `request` (a page, the API) or `ensure_monthly` (the worker, on the 1st
of each month in Viet Nam: the month before, for the country and each province — once per
scope and month even with several workers, by a unique constraint) store it `queued`; `run`
(the worker) claims it, gathers its figures (`report_data.collect`), writes the PDF and the
XLSX (`render`), keeps them in the default file storage by their SHA-256, and marks it `done`
— or `failed` with the reason, kept on the row. A report whose worker stopped answering is
taken over after `STALE`. When one is ready, the leaders (and for a province's report, its
officers) are told in the application (compliance's notifications)."""

from __future__ import annotations

import datetime
import hashlib
import logging
import time
import traceback

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from envhub.core import audit, workers
from envhub.core.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound
from envhub.core.permissions import Actor, scope, system_actor
from envhub.core.timeutil import VN
from envhub.dashboard import periods, render
from envhub.dashboard.filters import DashboardRefused, FilterError, has_dashboard, view_from
from envhub.dashboard.models import Report, ReportStatus
from envhub.dashboard.report_data import ReportData, collect
from envhub.registry.models import Province

logger = logging.getLogger("envhub.dashboard")

STALE = datetime.timedelta(minutes=5)
HEARTBEAT = datetime.timedelta(seconds=20)
NOTIFICATION_KIND = "report_ready"
LANGUAGES = ("vi", "en")


# --- reading ---------------------------------------------------------------------------------

def _readable(actor: Actor) -> QuerySet:
    if not has_dashboard(actor):
        raise DashboardRefused
    return scope(actor, Report.objects.select_related("province"))


def listed(actor: Actor, province: str | None = None, status: str | None = None) -> QuerySet:
    """The reports `actor` may read, newest first; `province` "VN" for the country's only."""
    reports = _readable(actor)
    if province:
        if province.upper() == "VN":
            reports = reports.filter(province__isnull=True)
        else:
            reports = reports.filter(province__code=province[:2])
    if status:
        if status not in ReportStatus.values:
            raise InvalidInput(_("Unknown status “%(value)s”.") % {"value": status[:40]},
                               {"status": [status[:40]]})
        reports = reports.filter(status=status)
    return reports


def get(actor: Actor, report_id: int) -> Report:
    """The report, if `actor` may read it (else 403 without a dashboard, 404 out of scope)."""
    try:
        return _readable(actor).get(pk=report_id)
    except (Report.DoesNotExist, ValueError, OverflowError):
        raise NotFound() from None


FILES = {"pdf": ("pdf_name", "application/pdf"),
         "xlsx": ("xlsx_name",
                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}


def file_name(report: Report, kind: str) -> str:
    """How the download is named: bao-cao-VN-2026-11.pdf, bao-cao-01-2026-11-01_2026-11-07…"""
    scope_code = report.scope_code or "VN"
    if report.period_kind == periods.MONTH:
        span = report.first_day.strftime("%Y-%m")
    else:
        span = f"{report.first_day.isoformat()}_{report.last_day.isoformat()}"
    return f"bao-cao-{scope_code}-{span}.{kind}"


def open_file(actor: Actor, report_id: int, kind: str):
    """(stream, download name, content type) of a ready report's PDF or XLSX."""
    if kind not in FILES:
        raise NotFound()
    report = get(actor, report_id)
    column, content_type = FILES[kind]
    name = getattr(report, column)
    if report.status != ReportStatus.DONE or not name:
        raise NotFound(_("This report has no file yet."))
    return default_storage.open(name, "rb"), file_name(report, kind), content_type


# --- asking for one --------------------------------------------------------------------------

def may_request(actor: Actor) -> bool:
    return has_dashboard(actor) and not actor.is_system


def request(actor: Actor, params, today: datetime.date | None = None) -> Report:
    """Queue a report for the scope and period in `params` (the dashboard's own words:
    `period`, `at` or `from`/`to`, `province`; `language`). A provincial officer asks for one
    of their provinces; the others for any province or the country."""
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if not may_request(actor):
        raise Forbidden()
    try:
        view = view_from(actor, params, today=today)
    except FilterError as error:
        raise InvalidInput(str(error), {"period": [str(error)]}) from None
    province = None
    if view.province:
        province = Province.objects.get(code=view.province)
    elif view.provinces is not None:  # an officer must say which of their provinces
        if len(view.provinces) != 1:
            raise InvalidInput(_("Choose one of your provinces."),
                               {"province": [_("required")]})
        province = Province.objects.get(code=view.provinces[0])
    language = (params.get("language") or get_language() or "vi")[:2]
    if language not in LANGUAGES:
        raise InvalidInput(_("Unknown language “%(value)s”.") % {"value": language},
                           {"language": [language]})
    period = view.period
    report = Report.objects.create(
        province=province, period_kind=period.kind, first_day=period.first,
        last_day=period.last, language=language, requested_by=actor.label[:200])
    audit.record(actor, "create", report, {"province": [None, province.code if province else ""],
                                           "first_day": [None, period.first.isoformat()],
                                           "last_day": [None, period.last.isoformat()]})
    return report


def ensure_monthly(today: datetime.date | None = None) -> int:
    """The scheduled reports of the month before `today` (local), for the country and each
    province: stored once whoever runs this, and however often; returns how many it added."""
    today = today or timezone.now().astimezone(VN).date()
    month = periods.around(periods.MONTH, today).previous()
    actor = system_actor("worker:reports")
    made = 0
    for province in [None, *Province.objects.order_by("code")]:
        exists = Report.objects.filter(
            scheduled=True, period_kind=month.kind, first_day=month.first, last_day=month.last,
            province=province).exists()
        if exists:
            continue
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    province=province, period_kind=month.kind, first_day=month.first,
                    last_day=month.last, language="vi", scheduled=True,
                    requested_by=actor.label)
                audit.record(actor, "create", report)
        except IntegrityError:
            continue  # another worker stored it a moment ago
        made += 1
    return made


# --- making one (the worker) -----------------------------------------------------------------

def claim(worker: str, now: datetime.datetime | None = None) -> Report | None:
    """Take the oldest waiting report (or one whose worker stopped answering)."""
    now = now or timezone.now()
    claimable = Q(status=ReportStatus.QUEUED) | Q(status=ReportStatus.RUNNING,
                                                  heartbeat_at__lt=now - STALE)
    for report_id in Report.objects.filter(claimable).order_by("created_at", "id").values_list(
            "id", flat=True)[:10]:
        if Report.objects.filter(claimable, pk=report_id).update(
                status=ReportStatus.RUNNING, claimed_by=worker, heartbeat_at=now,
                started_at=now, error=""):
            return Report.objects.select_related("province").get(pk=report_id)
    return None


def _keep(content: bytes, extension: str) -> tuple[str, int, str]:
    """Store the bytes once by their SHA-256; (name, size, SHA-256)."""
    sha256 = hashlib.sha256(content).hexdigest()
    name = f"reports/{sha256[:2]}/{sha256}.{extension}"
    if not default_storage.exists(name):
        stored = default_storage.save(name, ContentFile(content))
        if stored != name:  # another worker stored the same bytes at the same moment
            default_storage.delete(stored)
    return name, len(content), sha256


def figures(report: Report) -> ReportData:
    return collect(report.province, report.period)


def make(report: Report) -> Report:
    """Gather the figures, write and keep both files, mark the report done."""
    timings = {}
    started = time.perf_counter()
    data = figures(report)
    timings["figures"] = round(time.perf_counter() - started, 3)
    Report.objects.filter(pk=report.pk).update(heartbeat_at=timezone.now())
    moment = time.perf_counter()
    pdf = render.pdf(data, report.language, made_at=timezone.now().astimezone(VN))
    timings["pdf"] = round(time.perf_counter() - moment, 3)
    Report.objects.filter(pk=report.pk).update(heartbeat_at=timezone.now())
    moment = time.perf_counter()
    xlsx = render.xlsx(data, report.language)
    timings["xlsx"] = round(time.perf_counter() - moment, 3)
    pdf_name, pdf_size, pdf_sha = _keep(pdf, "pdf")
    xlsx_name, xlsx_size, xlsx_sha = _keep(xlsx, "xlsx")
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.DONE, finished_at=timezone.now(), figures=data.as_dict(),
        timings=timings, pdf_name=pdf_name, pdf_size=pdf_size, pdf_sha256=pdf_sha,
        xlsx_name=xlsx_name, xlsx_size=xlsx_size, xlsx_sha256=xlsx_sha, error="")
    report.refresh_from_db()
    announce(report)
    return report


def fail(report: Report, error: BaseException) -> None:
    """Keep why it failed on the row (the worker's log has the traceback)."""
    reason = f"{type(error).__name__}: {error}"[:2000]
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.FAILED, finished_at=timezone.now(), error=reason,
        timings={"traceback": traceback.format_exception_only(error)[-1][:500]})


def run(limit: int = 5) -> int:
    """The worker's job: make waiting reports, one after the other; returns how many."""
    worker = workers.worker_id()
    done = 0
    while done < limit and (report := claim(worker)) is not None:
        try:
            make(report)
        except Exception as error:  # noqa: BLE001 - stored on the row, never lost
            logger.exception("report %s could not be made", report.pk)
            fail(report, error)
        done += 1
    return done


# --- telling the readers ---------------------------------------------------------------------

def announce(report: Report) -> None:
    """Tell the leaders (and a province's officers) that the report is ready, once."""
    from envhub.compliance import alerts

    if not Report.objects.filter(pk=report.pk, notified=False).update(notified=True):
        return
    alerts.announce(NOTIFICATION_KIND, {
        "report": report.pk, "province": report.scope_code,
        "province_name": report.province.name if report.province_id else "",
        "period_kind": report.period_kind, "first": report.first_day.isoformat(),
        "last": report.last_day.isoformat(),
        "path": reverse("dashboard-reports") + f"#report-{report.pk}",
    }, province_id=report.province_id)

