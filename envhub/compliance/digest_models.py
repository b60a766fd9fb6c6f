"""The digests made for each person: one per person, frequency and period, so that several
workers building the same morning's digests make one (the unique constraint refuses the
second)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Digest(models.Model):
    """One person's daily or weekly digest (bản tin tổng hợp) of the notifications kept for it."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("user"))
    frequency = models.CharField(_("frequency"), max_length=10)  # DeliveryChannel.DAILY/WEEKLY
    period_start = models.DateField(_("first day"))
    period_end = models.DateField(_("last day"))
    notification = models.OneToOneField("compliance.Notification", on_delete=models.CASCADE,
                                        related_name="digest")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "compliance"
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [models.UniqueConstraint(fields=["user", "frequency", "period_start"],
                                               name="one_digest_per_person_period")]

    def __str__(self) -> str:
        return f"{self.user} {self.frequency} {self.period_start}"
