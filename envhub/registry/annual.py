"""A stack's yearly figures from the emission source inventory (`AnnualInventory`), kept beside
the registry's other models (`models.py` imports it)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class AnnualInventory(models.Model):
    """A stack's figures for one year from the emission source inventory (số liệu điều tra
    nguồn thải hằng năm), as an approved survey version gave them. Units are the survey
    schema's: fuel use in tonnes a year, flow in m³/h; production in its own stated unit."""

    source = models.ForeignKey(
        "registry.Source", on_delete=models.PROTECT, related_name="inventories",
        verbose_name=_("emission source"))
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    fuel = models.CharField(_("fuel"), max_length=100, blank=True)
    fuel_use_t = models.FloatField(
        _("fuel use (t/year)"), null=True, blank=True, validators=[MinValueValidator(0)])
    flow_m3h = models.FloatField(
        _("flue-gas flow (m³/h)"), null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10_000_000)])
    treatment = models.CharField(_("treatment system"), max_length=255, blank=True)
    production = models.FloatField(
        _("production"), null=True, blank=True, validators=[MinValueValidator(0)])
    production_unit = models.CharField(_("production unit"), max_length=40, blank=True)
    # The approved survey version (surveys' integer id) that last set these figures; the
    # registry knows no more of it, since surveys sits above the registry.
    survey_version = models.PositiveIntegerField(_("survey version"), db_index=True)

    class Meta:
        ordering = ["source_id", "-year"]
        verbose_name = _("annual inventory")
        verbose_name_plural = _("annual inventories")
        constraints = [
            models.UniqueConstraint(fields=["source", "year"], name="inventory_per_source_year"),
        ]

    def __str__(self) -> str:
        return f"{self.source.code} {self.year}"

    def clean(self):
        super().clean()
        if self.source_id and self.source.kind != "stack":  # SourceKind.STACK
            raise ValidationError({"source": _("Annual inventory figures are kept for stacks.")})
