"""Bulletins (bản tin) drafted from the data: the weekly air quality bulletin and the monthly
industrial emissions bulletin. Each is a news post (its text, its road through review) with
the figures it was written from, kept so that its charts, tables and citation in the press
kit say exactly what the text says, however the data change afterwards."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BulletinKind(models.TextChoices):
    AIR_WEEKLY = "air_weekly", _("Weekly air quality bulletin")
    EMISSIONS_MONTHLY = "emissions_monthly", _("Monthly industrial emissions bulletin")


class Bulletin(models.Model):
    """One bulletin per kind and period (a week Monday–Sunday, or a calendar month, local
    days): drafting the same period again updates it while nobody has taken it over."""

    kind = models.CharField(_("kind"), max_length=20, choices=BulletinKind.choices)
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    post = models.OneToOneField("news.Post", on_delete=models.CASCADE, related_name="bulletin")
    # What the text was written from (`bulletins.py`): the press kit draws from it.
    figures = models.JSONField(default=dict)
    drafted_at = models.DateTimeField(_("drafted at"))

    class Meta:
        ordering = ["-first_day", "kind"]
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        constraints = [models.UniqueConstraint(fields=["kind", "first_day"],
                                               name="news_bulletin_once_per_period")]

    def __str__(self) -> str:
        return f"{self.kind} {self.first_day:%Y-%m-%d}"
