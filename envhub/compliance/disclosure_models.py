"""Stewards' decisions to disclose (công khai) facilities' compliance summaries to the public.

A row is the decision in force for one facility, or — without a facility — the national
switch that opens every facility. A facility's own decision wins over the national switch (a
steward may keep one facility closed while all the others are open). No row: closed, because
the disclosure clauses of the Law on Environmental Protection 2020 (Art. 114) are not verified
in this repository (docs/disclosure.md). Every change is audited (`compliance.disclosure`).
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Disclosure(models.Model):
    facility = models.OneToOneField(
        "registry.Facility", on_delete=models.CASCADE, null=True, blank=True,
        related_name="disclosure", verbose_name=_("facility"),
        help_text=_("Empty: the national decision, for every facility without its own."))
    is_open = models.BooleanField(_("open to the public"), default=False)
    reason = models.CharField(_("reason"), max_length=500)
    decided_by = models.CharField(_("decided by"), max_length=200)
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        verbose_name = _("disclosure decision")
        verbose_name_plural = _("disclosure decisions")
        constraints = [
            # One national switch (a NULL facility is not unique by itself).
            models.UniqueConstraint(Coalesce("facility", models.Value(0)),
                                    name="one_national_disclosure"),
        ]

    def __str__(self) -> str:
        state = pgettext_lazy("disclosure", "open") if self.is_open else \
            pgettext_lazy("disclosure", "closed")
        subject = self.facility if self.facility_id else _("All facilities")
        return f"{subject}: {state}"
