"""The sanction structure of Decree 45/2022 (xử phạt vi phạm hành chính về bảo vệ môi trường)
as data a steward keeps: per medium, the rule (organisation multiplier, what counts as a
repeated or multiple violation), the discharge-flow bands, the class of each parameter
(ordinary or hazardous) and the clause for each exceedance band × flow band × class. The
exceedance bands themselves are `ExceedanceBand`. Every row carries its verification tag;
docs/domain/sanctions.md says what is known and how surely. Imported by `models`."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from envhub.compliance.models import ExceedanceBand, Verification
from envhub.registry.models import Medium

MEDIUM_CHOICES = [(Medium.EMISSION, Medium.EMISSION.label), (Medium.WATER, Medium.WATER.label)]


class FlowUnit(models.TextChoices):
    PER_DAY = "m3/day", _("m³/day")
    PER_HOUR = "m3/h", _("m³/h")


class ParameterClassKind(models.TextChoices):
    ORDINARY = "ordinary", _("ordinary parameter")
    HAZARDOUS = "hazardous", _("hazardous parameter")


class Penalty(models.TextChoices):
    WARNING = "warning", _("warning")
    FINE = "fine", _("fine")


class SanctionRule(models.Model):
    """How the ladder of a medium is applied beyond its rows: the unit of its flow bands, what
    an organisation pays against an individual, and when an exceedance counts as repeated
    (same source and parameter again within the window) or multiple (several parameters of a
    source over their limits at the same time), which lifts the lowest band to the next."""

    medium = models.CharField(_("medium"), max_length=10, choices=MEDIUM_CHOICES, unique=True)
    scheme = models.CharField(_("legal basis"), max_length=100)
    flow_unit = models.CharField(_("unit of the flow bands"), max_length=10,
                                 choices=FlowUnit.choices)
    organisation_multiplier = models.FloatField(
        _("an organisation pays (times an individual's fine)"), default=2.0,
        validators=[MinValueValidator(1), MaxValueValidator(10)])
    multiplier_verification = models.CharField(
        _("verification of the multiplier"), max_length=1, choices=Verification.choices,
        default=Verification.UNVERIFIED)
    repeat_window_days = models.PositiveIntegerField(
        _("repeated: a previous exceedance of the same source and parameter within (days)"),
        default=365, validators=[MinValueValidator(1), MaxValueValidator(3650)])
    multiple_min_parameters = models.PositiveSmallIntegerField(
        _("multiple: parameters of the source over their limits at the same time, at least"),
        default=2, validators=[MinValueValidator(2), MaxValueValidator(50)])
    aggravated_from = models.CharField(
        _("band lifted when repeated or multiple"), max_length=10, blank=True,
        help_text=_("Code of the exceedance band (e.g. “1”, under 1.1 times)."))
    aggravated_to = models.CharField(
        _("… is treated as band"), max_length=10, blank=True,
        help_text=_("Code of the band whose clause then applies (e.g. “2”)."))
    repetition_verification = models.CharField(
        _("verification of the repetition rule"), max_length=1, choices=Verification.choices,
        default=Verification.UNVERIFIED)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["medium"]
        verbose_name = _("sanction rule")
        verbose_name_plural = _("sanction rules")

    def __str__(self) -> str:
        return f"{self.scheme} ({self.get_medium_display()})"

    def clean(self):
        super().clean()
        if bool(self.aggravated_from) != bool(self.aggravated_to):
            raise ValidationError({"aggravated_to": _("Give both bands or neither.")})
        for name in ("aggravated_from", "aggravated_to"):
            code = getattr(self, name)
            if code and not ExceedanceBand.objects.filter(medium=self.medium, code=code).exists():
                raise ValidationError({name: _("No exceedance band of this medium has this "
                                               "code.")})


class FlowBand(models.Model):
    """A step of the discharge flow by which fines rise: [from, below), in the unit of the
    medium's rule (m³/day for wastewater, m³/h for flue gas)."""

    medium = models.CharField(_("medium"), max_length=10, choices=MEDIUM_CHOICES)
    code = models.CharField(_("code"), max_length=10)
    lower = models.FloatField(_("from"), validators=[MinValueValidator(0)])
    upper = models.FloatField(_("below"), null=True, blank=True,
                              help_text=_("Empty: no upper end."))
    label = models.CharField(_("label"), max_length=200)
    verification = models.CharField(_("verification"), max_length=1,
                                    choices=Verification.choices, default=Verification.UNVERIFIED)

    class Meta:
        ordering = ["medium", "lower"]
        verbose_name = _("discharge-flow band")
        verbose_name_plural = _("discharge-flow bands")
        constraints = [models.UniqueConstraint(fields=["medium", "code"],
                                               name="flow_band_code_per_medium")]

    def __str__(self) -> str:
        return self.label

    def clean(self):
        super().clean()
        if self.upper is not None and self.lower is not None and self.upper <= self.lower:
            raise ValidationError({"upper": _("The band ends before it begins.")})


class ParameterClass(models.Model):
    """Whether exceeding a parameter's limit falls under the article for ordinary or for
    hazardous parameters. A parameter without a row has no class: no clause is chosen."""

    parameter = models.OneToOneField("registry.Parameter", on_delete=models.CASCADE,
                                     related_name="sanction_class", verbose_name=_("parameter"))
    kind = models.CharField(_("class"), max_length=10, choices=ParameterClassKind.choices)
    verification = models.CharField(_("verification"), max_length=1,
                                    choices=Verification.choices, default=Verification.UNVERIFIED)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["parameter__medium", "parameter__code"]
        verbose_name = _("parameter class (sanctions)")
        verbose_name_plural = _("parameter classes (sanctions)")

    def __str__(self) -> str:
        return f"{self.parameter} — {self.get_kind_display()}"

    def clean(self):
        super().clean()
        if self.parameter_id and self.parameter.medium not in (Medium.EMISSION, Medium.WATER):
            raise ValidationError({"parameter": _("Only stack and wastewater parameters are "
                                                  "sanctioned by these rows.")})


class SanctionClause(models.Model):
    """The article, clause and point that sanction an exceedance band for a flow band (empty:
    any flow) and a class of parameter (empty: either), with the individual's fine range in
    VND — empty until entered from the official text — and the additional sanctions and
    remedies. The most specific row that matches applies."""

    band = models.ForeignKey(ExceedanceBand, on_delete=models.CASCADE, related_name="clauses",
                             verbose_name=_("exceedance band"))
    flow_band = models.ForeignKey(FlowBand, on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="clauses", verbose_name=_("flow band"),
                                  help_text=_("Empty: whatever the flow."))
    parameter_class = models.CharField(_("parameter class"), max_length=10, blank=True,
                                       choices=ParameterClassKind.choices,
                                       help_text=_("Empty: either class."))
    penalty = models.CharField(_("penalty"), max_length=10, choices=Penalty.choices,
                               default=Penalty.FINE)
    article = models.CharField(_("article"), max_length=50, blank=True)
    clause = models.CharField(_("clause"), max_length=50, blank=True)
    point = models.CharField(_("point"), max_length=50, blank=True)
    fine_min = models.PositiveBigIntegerField(_("fine for an individual, from (VND)"), null=True,
                                              blank=True)
    fine_max = models.PositiveBigIntegerField(_("fine for an individual, up to (VND)"),
                                              null=True, blank=True)
    additional = models.TextField(_("additional sanctions and remedies"), blank=True)
    verification = models.CharField(_("verification"), max_length=1,
                                    choices=Verification.choices, default=Verification.UNVERIFIED)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        # No outer join in the default order: saving locks the row (SELECT … FOR UPDATE).
        ordering = ["band_id", "parameter_class", "flow_band_id"]
        verbose_name = _("sanction clause")
        verbose_name_plural = _("sanction clauses")
        constraints = [
            models.UniqueConstraint(fields=["band", "flow_band", "parameter_class"],
                                    name="one_clause_per_band_flow_class"),
            models.UniqueConstraint(fields=["band", "parameter_class"],
                                    condition=models.Q(flow_band__isnull=True),
                                    name="one_any_flow_clause_per_band_class"),
        ]

    def __str__(self) -> str:
        return " ".join(part for part in (self.point, self.clause, self.article) if part) or \
            str(self.band)

    def clean(self):
        super().clean()
        errors = {}
        if self.fine_min is not None and self.fine_max is not None and \
                self.fine_max < self.fine_min:
            errors["fine_max"] = _("The upper end is below the lower end.")
        if self.penalty == Penalty.WARNING and (self.fine_min or self.fine_max):
            errors["penalty"] = _("A warning carries no fine.")
        if self.band_id and self.flow_band_id and self.flow_band.medium != self.band.medium:
            errors["flow_band"] = _("This flow band belongs to another medium.")
        if errors:
            raise ValidationError(errors)
