"""Shared rows: the schedule of periodic jobs that the worker claims."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodicJob(models.Model):
    """One periodic job's schedule and lease. Workers claim a due job with a conditional UPDATE,
    so that with several workers each run happens once; the running worker renews the short
    lease, so a crashed worker's job is taken over soon (`core.periodic`)."""

    name = models.CharField(_("name"), max_length=100, primary_key=True)
    next_run_at = models.DateTimeField(_("next run"))
    locked_by = models.CharField(_("claimed by"), max_length=100, blank=True)
    locked_until = models.DateTimeField(_("claim expires"), null=True, blank=True)
    last_started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    runs = models.PositiveBigIntegerField(_("runs"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")

    def __str__(self) -> str:
        return self.name


class ReferenceVersion(models.Model):
    """Which version of a set of reference data files (provinces and wards, parameters,
    regulations) was last applied, by checksum: `envhub reference` does nothing while the files
    are unchanged, so that stewards' edits are never reverted by a routine `envhub setup`."""

    name = models.CharField(_("name"), max_length=100, primary_key=True)
    checksum = models.CharField(_("checksum"), max_length=64)
    applied_at = models.DateTimeField(_("applied"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("reference data version")
        verbose_name_plural = _("reference data versions")

    def __str__(self) -> str:
        return f"{self.name} {self.checksum[:12]}"
