"""The dashboard's stored rows: the monthly (or on-demand) reports, their files and the figures
they were built from."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from envhub.dashboard import periods


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class PeriodKind(models.TextChoices):
    WEEK = periods.WEEK, _("Week")
    MONTH = periods.MONTH, _("Month")
    QUARTER = periods.QUARTER, _("Quarter")
    YEAR = periods.YEAR, _("Year")
    CUSTOM = periods.CUSTOM, _("Custom days")


class Report(models.Model):
    """An environmental report (báo cáo) for the country or one province over a period: a PDF
    and an XLSX made by the worker, and the figures both were written from (`figures`, JSON:
    made again for the same scope and period, a report carries the same figures)."""

    province = models.ForeignKey("registry.Province", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+", verbose_name=_("province"),
                                 help_text=_("Empty: the whole country."))
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    language = models.CharField(_("language"), max_length=5, default="vi")
    # Made by the monthly job (at most one per scope and month), not asked for by someone.
    scheduled = models.BooleanField(_("scheduled"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices,
                              default=ReportStatus.QUEUED)
    error = models.TextField(_("why it failed"), blank=True)
    requested_by = models.CharField(_("requested by"), max_length=200)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    claimed_by = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Where the files are kept in the default file storage (a folder under ENVHUB_VAR_DIR, or
    # object storage when configured), with their size and SHA-256.
    pdf_name = models.CharField(max_length=300, blank=True)
    pdf_size = models.PositiveBigIntegerField(null=True, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    xlsx_name = models.CharField(max_length=300, blank=True)
    xlsx_size = models.PositiveBigIntegerField(null=True, blank=True)
    xlsx_sha256 = models.CharField(max_length=64, blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    # Seconds spent on the figures' queries, the PDF and the XLSX (docs/benchmarks.md).
    timings = models.JSONField(default=dict, blank=True)
    notified = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [models.Index(fields=["status", "created_at"], name="report_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["period_kind", "first_day", "last_day", "province"],
                condition=Q(scheduled=True, province__isnull=False),
                name="one_scheduled_report_per_province_period"),
            # A NULL province is never equal to another in a unique index: the country's own.
            models.UniqueConstraint(
                fields=["period_kind", "first_day", "last_day"],
                condition=Q(scheduled=True, province__isnull=True),
                name="one_scheduled_national_report_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.scope_code or 'VN'} {self.first_day}–{self.last_day}"

    @property
    def scope_code(self) -> str:
        return self.province.code if self.province_id else ""

    @property
    def period(self) -> periods.Period:
        return periods.Period(self.period_kind, self.first_day, self.last_day)

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)
