"""Compliance: the regulations (quy chuẩn kỹ thuật quốc gia, QCVN) that sources are judged by.

Regulations are data, not code: a steward adds or edits them in the admin. The limit tables,
factors and exceedance events arrive with the compliance capability; the registry already needs
to say which regulation applies to each source.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from envhub.core import periods
from envhub.registry.models import Medium


class Regulation(models.Model):
    """A national technical regulation such as QCVN 19:2009/BTNMT."""

    code = models.CharField(_("code"), max_length=60, unique=True)
    title = models.CharField(pgettext_lazy("regulation", "title"), max_length=300)
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
    source_url = models.URLField(pgettext_lazy("regulation", "source"), max_length=500,
                                  blank=True)

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

    @property
    def period(self) -> periods.Period:
        return periods.Period(self.effective_from, self.applicable_until)


class Verification(models.TextChoices):
    """How far a figure was checked (the tags of docs/domain/README.md). Only VERIFIED is shown
    without a warning."""

    VERIFIED = "V", _("read in the official text")
    SECONDARY = "T", _("from a secondary source citing the text")
    UNVERIFIED = "R", _("not verified")


class LimitForm(models.TextChoices):
    FACTORS = "factors", _("base value × factors (Kp, Kv or Kq, Kf)")
    FIXED = "fixed", _("fixed value per column")


class Column(models.TextChoices):
    A = "A", _("column A")
    B = "B", _("column B")
    C = "C", _("column C")


class RegulationColumn(models.Model):
    """A column of a regulation's tables and when it applies. A column may apply only for a
    time, after which the regulation itself moves every facility to another (QCVN 19:2009:
    column A until 31/12/2014, column B for all from 01/01/2015): a permit that still names
    the old column is judged on the one in force, and pages say so. A column without a row
    here applies whenever its regulation does."""

    regulation = models.ForeignKey(Regulation, on_delete=models.CASCADE, related_name="columns",
                                   verbose_name=_("regulation"))
    column = models.CharField(_("column"), max_length=1, choices=Column.choices)
    applies_to = models.CharField(_("applies to"), max_length=300, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until (inclusive)"), null=True, blank=True)
    then_column = models.CharField(
        _("then column"), max_length=1, choices=Column.choices, blank=True,
        help_text=_("The column the regulation applies after this one ends, to every permit "
                    "that names this one. Empty: such permits can no longer be judged."))
    verification = models.CharField(_("verification"), max_length=1,
                                    choices=Verification.choices, default=Verification.UNVERIFIED)

    class Meta:
        ordering = ["regulation", "column"]
        verbose_name = _("column of a regulation")
        verbose_name_plural = _("columns of regulations")
        constraints = [models.UniqueConstraint(fields=["regulation", "column"],
                                               name="one_row_per_regulation_column")]

    def __str__(self) -> str:
        return f"{self.regulation} {self.get_column_display()}"

    def clean(self):
        super().clean()
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("This date is before the start of validity.")})
        if self.then_column and self.then_column == self.column:
            raise ValidationError({"then_column": _("A column cannot follow itself.")})
        if self.then_column and not self.valid_until:
            raise ValidationError({"then_column": _("Only a column that ends has a column after "
                                                    "it: set its last day.")})

    @property
    def period(self) -> periods.Period:
        return periods.Period(self.valid_from, self.valid_until)


class FactorSymbol(models.TextChoices):
    KP = "Kp", "Kp"
    KV = "Kv", "Kv"
    KQ = "Kq", "Kq"
    KF = "Kf", "Kf"


class FactorBasis(models.TextChoices):
    """What a factor table is looked up by; the permit carries the value."""

    FACILITY_FLOW = "facility_flow_m3h", _("total flue-gas flow of the facility (m³/h)")
    STACK_FLOW = "stack_flow_m3h", _("flue-gas flow of the stack (m³/h)")
    CAPACITY = "capacity", _("design capacity (MW, or the unit the table states)")
    LOCATION_CLASS = "location_class", _("location class")
    RIVER_FLOW = "river_flow_m3s", _("flow of the receiving river (m³/s)")
    LAKE_VOLUME = "lake_volume_m3", _("volume of the receiving lake (m³)")
    COASTAL_USE = "coastal_use", _("use of the receiving coastal water")
    DISCHARGE = "discharge_m3d", _("total wastewater discharge (m³/24 h)")

    @classmethod
    def is_class(cls, basis: str) -> bool:
        return basis in (cls.LOCATION_CLASS, cls.COASTAL_USE)


def _divides_the_day(hours: int) -> None:
    if not hours or 24 % hours:
        raise ValidationError(
            _("The window must divide the day: 1, 2, 3, 4, 6, 8, 12 or 24 hours."))


class RegulationRules(models.Model):
    """How a regulation is applied: the form of its limits, its reference conditions and how
    automatic data are averaged before judging (open questions in
    docs/domain/emission-standards.md, so they are data a steward can change)."""

    regulation = models.OneToOneField(Regulation, on_delete=models.CASCADE, primary_key=True,
                                      related_name="rules", verbose_name=_("regulation"))
    limit_form = models.CharField(_("form of the limits"), max_length=10,
                                  choices=LimitForm.choices, default=LimitForm.FACTORS)
    averaging_hours = models.PositiveSmallIntegerField(
        _("averaging window (hours)"), default=1, validators=[_divides_the_day])
    min_coverage = models.FloatField(
        _("minimum data coverage for an average to count (%)"), default=75.0,
        validators=[MinValueValidator(1), MaxValueValidator(100)])
    reference_temperature_c = models.FloatField(_("reference temperature (°C)"), default=25.0)
    reference_pressure_mmhg = models.FloatField(
        _("reference pressure (mmHg)"), default=760.0, validators=[MinValueValidator(1)])
    o2_air = models.FloatField(
        _("O2 of air in the correction formula (%)"), default=21.0,
        validators=[MinValueValidator(20), MaxValueValidator(21)],
        help_text=_("21 as the usual formula writes it; some texts use 20.9."))
    o2_only_above_reference = models.BooleanField(
        _("correct O2 only when above the reference"), default=False)
    columns_note = models.TextField(_("what the columns mean"), blank=True)
    verification = models.CharField(_("verification"), max_length=1,
                                    choices=Verification.choices, default=Verification.UNVERIFIED)

    class Meta:
        verbose_name = _("how a regulation is applied")
        verbose_name_plural = _("how regulations are applied")

    def __str__(self) -> str:
        return str(self.regulation)


class LimitValue(models.Model):
    """A base value of a regulation: parameter, column, and for sector rows the category and
    size band (QCVN 19:2024 Table 2 item 2.4, gas turbines of 300–1200 MW)."""

    regulation = models.ForeignKey(Regulation, on_delete=models.CASCADE, related_name="limits",
                                   verbose_name=_("regulation"))
    parameter = models.ForeignKey("registry.Parameter", on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("parameter"))
    column = models.CharField(_("column"), max_length=1, choices=Column.choices)
    category = models.CharField(_("category"), max_length=100, blank=True,
                                help_text=_("Empty for the general table; otherwise the sector "
                                            "or fuel row, e.g. “gas”, “2.4 gas turbine”."))
    size_above = models.FloatField(_("size above"), null=True, blank=True)
    size_up_to = models.FloatField(_("size up to"), null=True, blank=True)
    value = models.FloatField(_("value"), validators=[MinValueValidator(0)])
    minimum = models.FloatField(_("lower limit"), null=True, blank=True,
                                help_text=_("For range limits such as pH 5.5–9."))
    unit = models.CharField(_("unit"), max_length=20)
    reference_o2 = models.FloatField(_("reference O2 (%)"), null=True, blank=True,
                                     validators=[MinValueValidator(0), MaxValueValidator(20.9)])
    factors_apply = models.BooleanField(
        _("factors apply"), default=True,
        help_text=_("QCVN 40:2011 applies no Kq, Kf to temperature, colour, pH and coliform."))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until (inclusive)"), null=True, blank=True)
    verification = models.CharField(_("verification"), max_length=1,
                                    choices=Verification.choices, default=Verification.UNVERIFIED)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["regulation", "category", "parameter", "column", "size_above", "valid_from"]
        verbose_name = _("limit value")
        verbose_name_plural = _("limit values")

    def __str__(self) -> str:
        return f"{self.regulation} {self.column} {self.parameter}"

    def clean(self):
        super().clean()
        if self.minimum is not None and self.value is not None and self.minimum > self.value:
            raise ValidationError({"minimum": _("The lower limit is above the limit.")})
        if self.size_above is not None and self.size_up_to is not None and \
                self.size_up_to <= self.size_above:
            raise ValidationError({"size_up_to": _("The band ends before it begins.")})
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("This date is before the start of validity.")})

    @property
    def period(self) -> periods.Period:
        return periods.Period(self.valid_from, self.valid_until)


class FactorStep(models.Model):
    """A row of a factor table: a step of a quantity (above, up to] or a class."""

    regulation = models.ForeignKey(Regulation, on_delete=models.CASCADE, related_name="factors",
                                   verbose_name=_("regulation"))
    symbol = models.CharField(_("factor"), max_length=2, choices=FactorSymbol.choices)
    basis = models.CharField(_("looked up by"), max_length=20, choices=FactorBasis.choices)
    above = models.FloatField(_("above"), null=True, blank=True)
    up_to = models.FloatField(_("up to (inclusive)"), null=True, blank=True)
    class_code = models.CharField(_("class"), max_length=20, blank=True)
    class_label = models.CharField(_("class description"), max_length=400, blank=True)
    value = models.FloatField(_("value"), validators=[MinValueValidator(0.01)])
    verification = models.CharField(_("verification"), max_length=1,
                                    choices=Verification.choices, default=Verification.UNVERIFIED)

    class Meta:
        ordering = ["regulation", "symbol", "basis", "class_code", "above"]
        verbose_name = _("factor table row")
        verbose_name_plural = _("factor table rows")

    def __str__(self) -> str:
        return f"{self.regulation} {self.symbol} = {self.value:g}"

    def clean(self):
        super().clean()
        if FactorBasis.is_class(self.basis):
            if not self.class_code:
                raise ValidationError({"class_code": _("A class table needs the class.")})
        elif self.class_code:
            raise ValidationError({"class_code": _("A step table has bounds, not classes.")})
        if self.above is not None and self.up_to is not None and self.up_to <= self.above:
            raise ValidationError({"up_to": _("The step ends before it begins.")})


class ExceedanceBand(models.Model):
    """A rung of the penalty ladder by exceedance multiple (Decree 45/2022: < 1.1, 1.1–1.5, …)."""

    scheme = models.CharField(_("legal basis"), max_length=100)
    medium = models.CharField(_("medium"), max_length=10,
                              choices=[(Medium.EMISSION, Medium.EMISSION.label),
                                       (Medium.WATER, Medium.WATER.label)])
    code = models.CharField(_("code"), max_length=10)
    lower = models.FloatField(_("from (times the limit)"), validators=[MinValueValidator(1)])
    upper = models.FloatField(_("below (times the limit)"), null=True, blank=True)
    label = models.CharField(_("label"), max_length=200)
    verification = models.CharField(_("verification"), max_length=1,
                                    choices=Verification.choices, default=Verification.UNVERIFIED)

    class Meta:
        ordering = ["medium", "lower"]
        verbose_name = _("exceedance band")
        verbose_name_plural = _("exceedance bands")
        constraints = [models.UniqueConstraint(fields=["medium", "code"],
                                               name="band_code_per_medium")]

    def __str__(self) -> str:
        return self.label


class Permit(models.Model):
    """What a source may emit (giấy phép môi trường, or the approved ĐTM): the regulation, column
    and the inputs of its factors, valid for a period. The limit at a moment comes from the
    permit valid then."""

    source = models.ForeignKey("registry.Source", on_delete=models.CASCADE,
                               related_name="permits",
                               verbose_name=pgettext_lazy("emission", "source"))
    number = models.CharField(_("permit number"), max_length=100)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until (inclusive)"), null=True, blank=True)
    regulation = models.ForeignKey(Regulation, on_delete=models.PROTECT, related_name="permits",
                                   verbose_name=_("regulation"))
    column = models.CharField(_("column"), max_length=1, choices=Column.choices)
    category = models.CharField(_("category"), max_length=100, blank=True)
    capacity = models.FloatField(_("design capacity (MW)"), null=True, blank=True,
                                 validators=[MinValueValidator(0)])
    facility_flow_m3h = models.FloatField(
        _("total flue-gas flow of the facility (m³/h)"), null=True, blank=True,
        validators=[MinValueValidator(0)])
    location_class = models.CharField(_("location class (Kv)"), max_length=20, blank=True)
    river_flow_m3s = models.FloatField(_("flow of the receiving river (m³/s)"), null=True,
                                       blank=True, validators=[MinValueValidator(0)])
    lake_volume_m3 = models.FloatField(_("volume of the receiving lake (m³)"), null=True,
                                       blank=True, validators=[MinValueValidator(0)])
    coastal_use = models.CharField(_("use of the receiving coastal water"), max_length=20,
                                   blank=True)
    discharge_m3d = models.FloatField(_("total wastewater discharge (m³/24 h)"), null=True,
                                      blank=True, validators=[MinValueValidator(0)])
    kp = models.FloatField("Kp", null=True, blank=True, validators=[MinValueValidator(0.01)],
                           help_text=_("Set only when the permit states the factor itself."))
    kv = models.FloatField("Kv", null=True, blank=True, validators=[MinValueValidator(0.01)])
    kq = models.FloatField("Kq", null=True, blank=True, validators=[MinValueValidator(0.01)])
    kf = models.FloatField("Kf", null=True, blank=True, validators=[MinValueValidator(0.01)])
    reference_o2 = models.FloatField(
        _("reference O2 (%)"), null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(20.9)],
        help_text=_("Overrides the regulation's reference O2 for this source."))
    actual_conditions = models.BooleanField(
        _("analysers report at stack conditions"), default=False,
        help_text=_("Normalise to the reference temperature and pressure with the stack's "
                    "measured temperature and pressure before judging."))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["source", "-valid_from"]
        verbose_name = _("permit")
        verbose_name_plural = _("permits")

    def __str__(self) -> str:
        return f"{self.number} ({self.source})"

    def clean(self):
        super().clean()
        errors = {}
        if self.valid_until and self.valid_from and self.valid_until < self.valid_from:
            errors["valid_until"] = _("This date is before the start of validity.")
        if self.regulation_id and self.source_id:
            from envhub.registry.models import SourceKind

            expected = Medium.EMISSION if self.source.kind == SourceKind.STACK else Medium.WATER
            if self.regulation.medium != expected:
                errors["regulation"] = _("This regulation does not apply to this kind of source.")
        if self.source_id and self.valid_from:
            overlapping = Permit.objects.filter(source_id=self.source_id).exclude(pk=self.pk)
            for other in overlapping:
                if self.period.overlaps(other.period):
                    errors["valid_from"] = _(
                        "Another permit of this source (%(number)s) is valid in this period."
                    ) % {"number": other.number}
                    break
        if errors:
            raise ValidationError(errors)

    @property
    def period(self) -> periods.Period:
        return periods.Period(self.valid_from, self.valid_until)

    def valid_on(self, day) -> bool:
        return self.period.holds(day)


class PermitLimit(models.Model):
    """A limit the permit sets itself; it overrides the regulation's for that parameter."""

    permit = models.ForeignKey(Permit, on_delete=models.CASCADE, related_name="own_limits",
                               verbose_name=_("permit"))
    parameter = models.ForeignKey("registry.Parameter", on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("parameter"))
    value = models.FloatField(_("value"), validators=[MinValueValidator(0)])
    minimum = models.FloatField(_("lower limit"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=20)
    reference_o2 = models.FloatField(_("reference O2 (%)"), null=True, blank=True,
                                     validators=[MinValueValidator(0), MaxValueValidator(20.9)])
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("permit limit")
        verbose_name_plural = _("permit limits")
        constraints = [models.UniqueConstraint(fields=["permit", "parameter"],
                                               name="one_own_limit_per_parameter")]

    def __str__(self) -> str:
        return f"{self.parameter} ≤ {self.value:g} {self.unit}"


class ComplianceQueue(models.Model):
    """(source, hour) whose hourly rollups changed and must be judged again. Filled in the
    rollup transaction; claimed like the rollup queue."""

    pk = models.CompositePrimaryKey("source", "hour_end")
    source = models.ForeignKey("registry.Source", on_delete=models.CASCADE, related_name="+",
                               db_constraint=False)
    hour_end = models.DateTimeField()
    queued_at = models.DateTimeField(auto_now_add=True)


class State(models.TextChoices):
    EXCEEDS = "exceeds", _("exceeds")
    COMPLIES = "complies", _("complies")
    UNKNOWN = "unknown", _("not enough data")


class Assessment(models.Model):
    """One averaging window of one parameter of a source, judged: the chart's points and the
    ground the events are built on."""

    pk = models.CompositePrimaryKey("source", "parameter", "window_end")
    source = models.ForeignKey("registry.Source", on_delete=models.CASCADE, related_name="+")
    parameter = models.ForeignKey("registry.Parameter", on_delete=models.CASCADE,
                                  related_name="+")
    window_end = models.DateTimeField()
    window_hours = models.PositiveSmallIntegerField(default=1)
    measured = models.FloatField(null=True)  # the average as measured
    value = models.FloatField(null=True)  # after normalisation and O2 correction: compared
    limit = models.FloatField(null=True)
    limit_minimum = models.FloatField(null=True)
    multiple = models.FloatField(null=True)
    coverage = models.FloatField()
    state = models.CharField(max_length=10, choices=State.choices)
    band = models.CharField(max_length=10, blank=True)
    permit = models.ForeignKey(Permit, on_delete=models.SET_NULL, null=True, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The dashboard's hours over the limit (a period, the country, twelve months of
        # trends) read the few windows over it among every judged one: a partial index.
        # The dashboard's day a period's "now" cuts reads its windows by end (the summary,
        # `DailyTally`, has the whole days), and of them only what this index holds: SQLite
        # then never visits the table (20,000 windows at national scale).
        indexes = [models.Index(fields=["window_end"], condition=models.Q(state="exceeds"),
                                name="assessment_exceeds_end"),
                   models.Index(fields=["window_end", "source", "state", "window_hours"],
                                name="assessment_end_tally")]


class EventStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")
    WITHDRAWN = "withdrawn", _("withdrawn (late data showed no exceedance)")


class ExceedanceEvent(models.Model):
    """A run of averaging windows over the limit (sự cố vượt quy chuẩn)."""

    source = models.ForeignKey("registry.Source", on_delete=models.CASCADE,
                               related_name="exceedances",
                               verbose_name=pgettext_lazy("emission", "source"))
    parameter = models.ForeignKey("registry.Parameter", on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("parameter"))
    permit = models.ForeignKey(Permit, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="exceedances", verbose_name=_("permit"))
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    peak_value = models.FloatField(_("peak value"), null=True)
    peak_multiple = models.FloatField(_("peak multiple"), null=True)
    peak_at = models.DateTimeField(_("peak at"))
    band = models.CharField(_("band"), max_length=10, blank=True)
    hours = models.PositiveIntegerField(_("hours exceeded"))
    limit = models.FloatField(_("limit"))
    unit = models.CharField(_("unit"), max_length=20)
    status = models.CharField(_("status"), max_length=10, choices=EventStatus.choices)
    opened_at = models.DateTimeField(_("detected"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start"]
        verbose_name = _("exceedance event")
        verbose_name_plural = _("exceedance events")
        indexes = [models.Index(fields=["source", "parameter", "start"],
                                name="exceedance_source_start"),
                   models.Index(fields=["status", "-start"], name="exceedance_status_start"),
                   # The events open at a past moment are those open now and those closed
                   # since (the dashboard's period before): the latter found by their closing.
                   models.Index(fields=["closed_at", "start"], name="exceedance_closed_start")]

    def __str__(self) -> str:
        return f"{self.source} {self.parameter.code} {self.start:%Y-%m-%d %H:%M}"


class NotificationKind(models.TextChoices):
    EXCEEDANCE_OPENED = "exceedance_opened", _("Exceedance began")
    EXCEEDANCE_CLOSED = "exceedance_closed", _("Exceedance ended")
    CONNECTIVITY = "connectivity", _("Station connectivity changed")
    SURVEY = "survey", _("Survey submission")
    DIGEST = "digest", _("Digest")
    # Made by the dashboard's monthly reports (`dashboard/notices.py`), named here so the admin
    # and the inbox show its label rather than its code.
    REPORT_READY = "report_ready", _("A report is ready")


class Notification(models.Model):
    """Something people must hear of. The worker chooses its recipients (by role and scope)
    and delivers it on each channel once."""

    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("message"))
    province = models.ForeignKey("registry.Province", on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+", verbose_name=_("province"))
    facility = models.ForeignKey("registry.Facility", on_delete=models.CASCADE, null=True,
                                 blank=True, related_name="+", verbose_name=_("facility"))
    station = models.ForeignKey("registry.Station", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="+", verbose_name=_("station"))
    event = models.ForeignKey(ExceedanceEvent, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="notifications", verbose_name=_("exceedance event"))
    connectivity_change = models.OneToOneField(
        "monitoring.ConnectivityChange", on_delete=models.CASCADE, null=True, blank=True,
        related_name="notification")
    payload = models.JSONField(_("data"), default=dict)
    planned_at = models.DateTimeField(_("recipients chosen"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [models.UniqueConstraint(fields=["event", "kind"],
                                               condition=models.Q(event__isnull=False),
                                               name="one_notification_per_event_kind")]

    def __str__(self) -> str:
        return self.subject


class Webhook(models.Model):
    """An organisation's endpoint that receives notifications as signed JSON POSTs
    (X-Envhub-Signature: sha256=HMAC of the body with the secret)."""

    organisation = models.ForeignKey("registry.Organisation",
                                     on_delete=models.CASCADE, related_name="webhooks",
                                     verbose_name=_("organisation"))
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=200)
    kinds = models.JSONField(_("kinds"), default=list, blank=True,
                             help_text=_("Empty: every kind."))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.url


class DeliveryChannel(models.TextChoices):
    IN_APP = "inapp", _("in the application")
    EMAIL = "email", _("e-mail")
    WEBHOOK = "webhook", _("webhook")
    # Kept for the person's digest (`compliance.digests`), never sent on its own.
    DAILY = "daily", _("daily digest")
    WEEKLY = "weekly", _("weekly digest")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    SENDING = "sending", _("being sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    HELD = "held", _("kept for a digest")


class Delivery(models.Model):
    """One notification to one recipient on one channel. Claimed by a conditional UPDATE, so
    two workers never send the same row; a row left `sending` by a crash is not sent again
    (at most once)."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE,
                                     related_name="deliveries")
    channel = models.CharField(max_length=10, choices=DeliveryChannel.choices)
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="deliveries")
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # Tries so far; a failure that surely left it undelivered makes it pending again from
    # `next_attempt_at` (see `alerts.RETRY_PAUSES`).
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel", "user"],
                                    condition=models.Q(user__isnull=False),
                                    name="one_delivery_per_user_channel"),
            models.UniqueConstraint(fields=["notification", "webhook"],
                                    condition=models.Q(webhook__isnull=False),
                                    name="one_delivery_per_webhook"),
        ]
        indexes = [models.Index(fields=["status", "id"], name="delivery_status"),
                   models.Index(fields=["user", "channel", "-id"], name="delivery_inbox")]


from envhub.compliance.digest_models import Digest  # noqa: E402, F401 - a model of this app
from envhub.compliance.disclosure_models import Disclosure  # noqa: E402,F401 - its own module

# Decree 45/2022's sanction structure lives in its own module (registered with this app).
from envhub.compliance.sanction_models import (  # noqa: E402, F401
    FlowBand,
    ParameterClass,
    SanctionClause,
    SanctionRule,
)
from envhub.compliance.tally_models import DailyTally, SourceMonth  # noqa: E402, F401 - triggers
