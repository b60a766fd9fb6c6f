"""Compliance: the regulations (quy chuẩn kỹ thuật quốc gia, QCVN) that sources are judged by.

Regulations are data, not code: a steward adds or edits them in the admin. The limit tables,
factors and exceedance events arrive with the compliance capability; the registry already needs
to say which regulation applies to each source.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from envhub.registry.models import Medium


class Regulation(models.Model):
    """A national technical regulation such as QCVN 19:2009/BTNMT."""

    code = models.CharField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=300)
    medium = models.CharField(
        _("medium"), max_length=10, choices=[(Medium.EMISSION, Medium.EMISSION.label),
                                             (Medium.WATER, Medium.WATER.label)]
    )
    legal_basis = models.CharField(_("issued by"), max_length=300, blank=True)
    effective_from = models.DateField(_("in force from"), null=True, blank=True)
    # Old regulations stay applicable to existing facilities until the end of a transition.
    applicable_until = models.DateField(_("applicable until"), null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaces",
        verbose_name=_("replaced by"),
    )
    verified = models.BooleanField(
        _("verified against the official text"), default=False,
        help_text=_("Unverified entries are shown as such until a steward checks the text."),
    )
    source_url = models.URLField(_("source"), max_length=500, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("regulation")
        verbose_name_plural = _("regulations")

    def __str__(self) -> str:
        return self.code

    def clean(self):
        super().clean()
        starts, ends = self.effective_from, self.applicable_until
        if starts and ends and ends < starts:
            raise ValidationError({"applicable_until": _("This date is before the date in force.")})
