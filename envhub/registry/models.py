"""Registry: the master data that everything else references.

Terms: `Province` (tỉnh, thành phố), `Ward` (xã, phường, đặc khu), `Organisation` (cơ quan, tổ
chức, doanh nghiệp), `Facility` (cơ sở), `Source` (nguồn thải: ống khói or cửa xả nước thải),
`Station` (trạm quan trắc), `Parameter` (thông số quan trắc).
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower, Upper
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from envhub.core import units
from envhub.core.text import fold, search_document, slug
from envhub.registry import validators


class Medium(models.TextChoices):
    """What a station measures; TT10 Bảng 34 lists symbols and units per medium."""

    EMISSION = "emission", _("Stack emission")
    AIR = "air", _("Ambient air")
    WATER = "water", _("Water")
    SOIL = "soil", _("Soil")


class Province(models.Model):
    """A province or centrally-run city (34 after the 2025 reform), with its official code."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=100)
    division_type = models.CharField(_("division type"), max_length=40)
    codename = models.SlugField(_("code name"), max_length=100, unique=True)
    abbreviation = models.CharField(
        _("abbreviation"),
        max_length=10,
        unique=True,
        validators=[validators.tt10_token],
        help_text=_("The province part of TT10 file names (TenTinh), e.g. HN."),
    )
    phone_code = models.PositiveSmallIntegerField(_("phone code"), null=True, blank=True)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_text = search_document(self.name, self.short_name, self.abbreviation)
        super().save(*args, **kwargs)


class Ward(models.Model):
    """A commune-level unit (xã, phường, đặc khu) of a province."""

    code = models.CharField(_("code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=100)
    division_type = models.CharField(_("division type"), max_length=40)
    codename = models.CharField(_("code name"), max_length=100)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="wards", verbose_name=_("province")
    )
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["code"]
        verbose_name = _("ward")
        verbose_name_plural = _("wards")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_text = search_document(self.name)
        super().save(*args, **kwargs)


class OrganisationKind(models.TextChoices):
    MINISTRY_UNIT = "ministry_unit", _("Ministry unit")
    PROVINCIAL_DEPARTMENT = "provincial_department", _("Provincial environment department")
    SURVEY_UNIT = "survey_unit", _("Survey unit")
    ENTERPRISE = "enterprise", _("Enterprise")


# Government bodies are public; survey units and enterprises are seen by those who work with them.
PUBLIC_ORGANISATION_KINDS = (OrganisationKind.MINISTRY_UNIT, OrganisationKind.PROVINCIAL_DEPARTMENT)


class Organisation(models.Model):
    """A ministry unit, provincial department, survey unit or enterprise."""

    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent organisation"),
    )
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("province"),
    )
    tax_code = models.CharField(
        _("tax code"), max_length=14, blank=True, validators=[validators.tax_code]
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.tax_code:
            self.tax_code = validators.compact_tax_code(self.tax_code)
        if self.kind == OrganisationKind.PROVINCIAL_DEPARTMENT and not self.province_id:
            raise ValidationError({"province": _("A provincial department needs its province.")})
        # Walk up the parent chain: an organisation cannot be its own ancestor.
        seen = {self.pk} if self.pk else set()
        parent = self.parent
        while parent is not None:
            if parent.pk in seen:
                raise ValidationError({"parent": _("The parent chain would form a loop.")})
            seen.add(parent.pk)
            parent = parent.parent

    def save(self, *args, **kwargs):
        self.search_text = search_document(self.name, self.short_name, self.tax_code)
        super().save(*args, **kwargs)


class Sector(models.TextChoices):
    THERMAL_POWER = "thermal_power", _("Thermal power")
    CEMENT = "cement", _("Cement")
    STEEL = "steel", _("Steel")
    CHEMICALS = "chemicals", _("Chemicals")
    PULP_PAPER = "pulp_paper", _("Pulp and paper")
    TEXTILES = "textiles", _("Textiles and dyeing")
    WASTE_INCINERATION = "waste_incineration", _("Waste incineration")
    INDUSTRIAL_PARK = "industrial_park", _("Industrial park")
    OTHER = "other", _("Other")


class Facility(models.Model):
    """A facility (cơ sở): a plant or industrial park with a permit, run by an enterprise."""

    name = models.CharField(_("name"), max_length=255)
    abbreviation = models.CharField(
        _("abbreviation"),
        max_length=20,
        validators=[validators.tt10_token],
        help_text=_("The facility part of TT10 file names (TenCoSo), e.g. ABCD."),
    )
    tax_code = models.CharField(
        _("enterprise tax code"),
        max_length=14,
        unique=True,
        validators=[validators.tax_code],
        help_text=_("10 digits, or 13 for a branch (the parent's 10 and 3 more)."),
    )
    # Blank allowed: a facility first known from a survey comes without its street address.
    address = models.CharField(
        _("address"), max_length=500, blank=True,
        help_text=_("House number, street or industrial zone lot; the ward and province are "
                    "chosen below."),
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="facilities", verbose_name=_("province")
    )
    ward = models.ForeignKey(
        Ward,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="facilities",
        verbose_name=_("ward"),
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices)
    operator = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="facilities",
        verbose_name=_("operator"),
        limit_choices_to={"kind": OrganisationKind.ENTERPRISE},
    )
    permit_number = models.CharField(_("environmental permit number"), max_length=100, blank=True)
    permit_date = models.DateField(_("environmental permit date"), null=True, blank=True)
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "abbreviation"], name="facility_abbreviation_per_province"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("facility-detail", args=[self.pk])

    @property
    def tax_code_display(self) -> str:
        """As people write it: a branch's 13 digits as 0100109106-001."""
        return validators.format_tax_code(self.tax_code)

    def clean(self):
        super().clean()
        errors = {}
        if self.tax_code:
            self.tax_code = validators.compact_tax_code(self.tax_code)
        if self.abbreviation:
            self.abbreviation = self.abbreviation.strip().upper()
        if self.ward_id and self.province_id and self.ward.province_id != self.province_id:
            errors["ward"] = _("The ward does not belong to the chosen province.")
        errors.update(validators.coordinate_errors(self.latitude, self.longitude))
        if self.permit_number and not self.permit_date:
            errors["permit_date"] = _("Give the date of the environmental permit.")
        if self.operator_id and self.operator.kind != OrganisationKind.ENTERPRISE:
            errors["operator"] = _("The operator must be an enterprise.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.search_text = search_document(
            self.name, self.abbreviation, self.tax_code, self.address,
            self.ward.name if self.ward_id else None,
            self.province.name if self.province_id else None,
        )
        super().save(*args, **kwargs)


class SourceKind(models.TextChoices):
    STACK = "stack", _("Stack (flue gas)")
    OUTFALL = "outfall", _("Wastewater outfall")


class Source(models.Model):
    """An emission source (nguồn thải) of a facility: a stack or a wastewater outfall."""

    # PROTECT: deleting a facility must not silently take its sources (and their history) along.
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="sources", verbose_name=_("facility")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=SourceKind.choices)
    code = models.CharField(_("code"), max_length=30, validators=[validators.tt10_token])
    name = models.CharField(_("name"), max_length=255)
    stack_height_m = models.FloatField(
        _("stack height (m)"), null=True, blank=True,
        validators=[MinValueValidator(0.5), MaxValueValidator(500)],
    )
    stack_diameter_m = models.FloatField(
        _("stack diameter (m)"), null=True, blank=True,
        validators=[MinValueValidator(0.05), MaxValueValidator(30)],
    )
    design_flow_m3h = models.FloatField(
        _("design flow (m³/h)"), null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10_000_000)],
    )
    fuel = models.CharField(_("fuel"), max_length=100, blank=True)
    regulation = models.ForeignKey(
        "compliance.Regulation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sources",
        verbose_name=_("applicable regulation"),
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["facility_id", "code"]
        verbose_name = _("emission source")
        verbose_name_plural = _("emission sources")
        constraints = [
            models.UniqueConstraint(fields=["facility", "code"], name="source_code_per_facility"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def clean(self):
        super().clean()
        errors = {}
        if self.code:
            self.code = self.code.strip().upper()
        if self.kind == SourceKind.OUTFALL and (self.stack_height_m or self.stack_diameter_m):
            errors["stack_height_m"] = _("An outfall has no stack height or diameter.")
        if self.regulation_id and self.kind:
            expected = Medium.EMISSION if self.kind == SourceKind.STACK else Medium.WATER
            if self.regulation.medium != expected:
                errors["regulation"] = _("This regulation does not apply to this kind of source.")
        errors.update(validators.coordinate_errors(self.latitude, self.longitude))
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.search_text = search_document(self.code, self.name, self.fuel)
        super().save(*args, **kwargs)


class StationKind(models.TextChoices):
    AUTO_EMISSION = "auto_emission", _("Automatic stack emission")
    AUTO_WASTEWATER = "auto_wastewater", _("Automatic wastewater")
    AUTO_AIR = "auto_air", _("Automatic ambient air")
    AUTO_SURFACE_WATER = "auto_surface_water", _("Automatic surface water")
    PERIODIC = "periodic", _("Periodic")


# The medium each automatic kind measures; periodic stations state theirs.
KIND_MEDIUM = {
    StationKind.AUTO_EMISSION: Medium.EMISSION,
    StationKind.AUTO_WASTEWATER: Medium.WATER,
    StationKind.AUTO_AIR: Medium.AIR,
    StationKind.AUTO_SURFACE_WATER: Medium.WATER,
}
# Kinds that watch a facility's source, and the source kind they watch.
KIND_SOURCE = {
    StationKind.AUTO_EMISSION: SourceKind.STACK,
    StationKind.AUTO_WASTEWATER: SourceKind.OUTFALL,
}


class Station(models.Model):
    """A monitoring station (trạm quan trắc): on a source, or on its own for ambient stations."""

    code = models.CharField(
        _("station code"),
        max_length=30,
        validators=[validators.tt10_token],
        help_text=_("The station part of TT10 file names (TenTram), e.g. NUO001."),
    )
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=30, choices=StationKind.choices)
    medium = models.CharField(_("medium"), max_length=10, choices=Medium.choices)
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stations",
        verbose_name=_("source watched"),
    )
    # Derived from the source for source stations; kept here so that scoping is one join.
    facility = models.ForeignKey(
        Facility,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stations",
        verbose_name=_("facility"),
        editable=False,
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="stations", verbose_name=_("province")
    )
    operator = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stations",
        verbose_name=_("operating organisation"),
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    tt10_prefix = models.CharField(
        _("TT10 file-name prefix"),
        max_length=80,
        blank=True,
        validators=[validators.tt10_prefix],
        help_text=_("What the datalogger's file names must start with: "
                    "Province_Facility_Station_. Filled from the abbreviations when left empty."),
    )
    expected_interval_minutes = models.PositiveIntegerField(
        _("expected reporting interval (minutes)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60 * 24 * 366)],
    )
    active = models.BooleanField(_("active"), default=True)
    logger_normal_conditions = models.BooleanField(
        _("datalogger reports at normal conditions"),
        default=False,
        help_text=_("Its concentrations are already at normal conditions (25 °C, 101.325 kPa) "
                    "even where it writes mg/m3: they are then read as mg/Nm3. Otherwise such "
                    "values are kept as sent and judged only once normalised with the stack "
                    "temperature and pressure."),
    )
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("monitoring station")
        verbose_name_plural = _("monitoring stations")
        constraints = [
            # Station codes are unique whatever their case, since dataloggers vary the case.
            models.UniqueConstraint(Lower("code"), name="station_code_unique_ci"),
            models.UniqueConstraint(
                Upper("tt10_prefix"), condition=~models.Q(tt10_prefix=""),
                name="station_tt10_prefix_unique_ci",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("station-detail", args=[self.code])

    def derive(self) -> None:
        """Fill the fields that follow from others (facility, province, medium, location)."""
        if self.code:
            self.code = self.code.strip().upper()
        if self.kind in KIND_MEDIUM:
            self.medium = KIND_MEDIUM[self.kind]
        if self.source_id:
            facility = self.source.facility
            self.facility = facility
            self.province_id = facility.province_id
            if self.latitude is None and self.longitude is None:
                self.latitude = self.source.latitude or facility.latitude
                self.longitude = self.source.longitude or facility.longitude
        elif self.kind not in KIND_SOURCE:
            self.facility = None
        if self.tt10_prefix:
            self.tt10_prefix = self.tt10_prefix.strip().upper()
            if not self.tt10_prefix.endswith("_"):
                self.tt10_prefix += "_"
        elif self.code and self.province_id:
            self.tt10_prefix = self.default_tt10_prefix()

    def default_tt10_prefix(self) -> str:
        """<Province>_<Facility>_<Station>_ from the registry's abbreviations. An ambient station
        has no facility: its operator's short name stands in, else "QT" (quan trắc)."""
        if self.facility_id:
            middle = self.facility.abbreviation
        else:
            middle = slug(self.operator.short_name).replace("-", "").upper() if (
                self.operator_id and self.operator.short_name) else ""
        return f"{self.province.abbreviation}_{middle or 'QT'}_{self.code}_".upper()

    def clean(self):
        self.derive()
        super().clean()
        errors = {}
        needed_source = KIND_SOURCE.get(self.kind)
        if needed_source and not self.source_id:
            errors["source"] = _("Choose the stack or outfall this station watches.")
        elif needed_source and self.source.kind != needed_source:
            errors["source"] = _("This kind of station cannot watch that kind of source.")
        elif self.kind in (StationKind.AUTO_AIR, StationKind.AUTO_SURFACE_WATER):
            if self.source_id:
                errors["source"] = _("An ambient station does not watch a source.")
            if self.latitude is None or self.longitude is None:
                errors["latitude"] = _("An ambient station needs its own location.")
        if not self.medium:
            errors["medium"] = _("Say what the periodic station measures.")
        same_code = Station.objects.filter(code__iexact=self.code).exclude(pk=self.pk)
        if self.code and same_code.exists():
            errors["code"] = _("Another station already uses this code.")
        same_prefix = Station.objects.filter(tt10_prefix__iexact=self.tt10_prefix).exclude(
            pk=self.pk)
        if self.tt10_prefix and same_prefix.exists():
            errors["tt10_prefix"] = _("Another station already uses this file-name prefix.")
        errors.update(validators.coordinate_errors(self.latitude, self.longitude))
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.derive()
        self.search_text = search_document(self.code, self.name)
        super().save(*args, **kwargs)


class Parameter(models.Model):
    """A measured quantity (thông số) of one medium, with its canonical unit.

    The same symbol can mean different things per medium (SO2 in a stack in mg/Nm³, in ambient air
    in µg/m³), as TT10 Bảng 34 lists symbols per medium; so a parameter is (medium, code).
    """

    medium = models.CharField(_("medium"), max_length=10, choices=Medium.choices)
    code = models.CharField(
        _("code"),
        max_length=20,
        validators=[RegexValidator(r"^[A-Za-z0-9_.]+$", _("Letters, digits, _ and . only."))],
    )
    name_vi = models.CharField(_("Vietnamese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    unit = models.CharField(_("canonical unit"), max_length=20)
    # A physical floor (e.g. no negative concentration); None where negatives are real (°C).
    minimum = models.FloatField(_("lowest possible value"), null=True, blank=True)
    maximum = models.FloatField(_("highest possible value"), null=True, blank=True)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["medium", "code"]
        verbose_name = _("parameter")
        verbose_name_plural = _("parameters")
        constraints = [
            models.UniqueConstraint(fields=["medium", "code"], name="parameter_code_per_medium"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.unit})"

    def clean(self):
        super().clean()
        if self.minimum is not None and self.maximum is not None and self.minimum >= self.maximum:
            raise ValidationError({"maximum": _("The highest value must exceed the lowest.")})

    def search_document(self) -> str:
        """Code, names and the symbols dataloggers write (`pm25` finds PM2_5)."""
        aliases = (ParameterAlias.objects.filter(parameter_id=self.pk).order_by("alias_key")
                   .values_list("alias", flat=True)) if self.pk else []
        return search_document(self.code, self.name_vi, self.name_en, *aliases)

    def save(self, *args, **kwargs):
        self.search_text = self.search_document()
        super().save(*args, **kwargs)

    def refresh_search_text(self) -> None:
        """After its aliases changed (the row's other columns are left alone)."""
        self.search_text = self.search_document()
        Parameter.objects.filter(pk=self.pk).update(search_text=self.search_text)


class ParameterAlias(models.Model):
    """A symbol that dataloggers write for a parameter (`PM2,5`, `pm25`), matched without
    regard to case."""

    parameter = models.ForeignKey(
        Parameter, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("parameter")
    )
    medium = models.CharField(max_length=10, choices=Medium.choices, editable=False)
    alias = models.CharField(_("symbol"), max_length=40)
    alias_key = models.CharField(max_length=40, editable=False)

    class Meta:
        ordering = ["medium", "alias_key"]
        verbose_name = _("parameter alias")
        verbose_name_plural = _("parameter aliases")
        constraints = [
            models.UniqueConstraint(fields=["medium", "alias_key"], name="alias_unique_per_medium"),
        ]

    def __str__(self) -> str:
        return self.alias

    @staticmethod
    def key(symbol: str) -> str:
        """How a symbol is compared: trimmed and case-folded (no other rewriting)."""
        return fold(symbol).replace(" ", "")

    def clean(self):
        super().clean()
        self.alias = (self.alias or "").strip()
        if not self.alias:
            raise ValidationError({"alias": _("The symbol cannot be empty.")})
        self.medium = self.parameter.medium
        self.alias_key = self.key(self.alias)
        clash = ParameterAlias.objects.filter(medium=self.medium, alias_key=self.alias_key).exclude(
            pk=self.pk
        )
        if clash.exists():
            raise ValidationError(
                {"alias": _("This symbol already names another parameter of this medium.")}
            )

    def save(self, *args, **kwargs):
        self.medium = self.parameter.medium
        self.alias_key = self.key(self.alias)
        super().save(*args, **kwargs)
        self.parameter.refresh_search_text()


class DeclaredUnit(models.Model):
    """The unit a station's datalogger uses for a parameter, as the station's keeper declares
    it: a TT10 line that gives no unit for that parameter is read in it. (The unit is a
    required field of a line: without a declaration such a line is rejected.)"""

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="declared_units",
        verbose_name=_("station"))
    parameter = models.ForeignKey(
        Parameter, on_delete=models.PROTECT, related_name="+", verbose_name=_("parameter"))
    unit = models.CharField(_("unit the datalogger uses"), max_length=20)

    class Meta:
        ordering = ["station", "parameter__code"]
        verbose_name = _("declared unit")
        verbose_name_plural = _("declared units")
        constraints = [
            models.UniqueConstraint(fields=["station", "parameter"],
                                    name="declared_unit_per_station_parameter"),
        ]

    def __str__(self) -> str:
        return f"{self.parameter.code}: {self.unit}"

    def clean(self):
        super().clean()
        self.unit = (self.unit or "").strip()
        try:
            station, parameter = self.station, self.parameter
        except ObjectDoesNotExist:
            return  # the missing field is reported as such
        if parameter.medium != station.medium:
            raise ValidationError({"parameter": _(
                "This parameter is not measured by this kind of station.")})
        if not self.unit:
            raise ValidationError({"unit": _("Give the unit the datalogger uses.")})
        if not units.can_be_read_as(self.unit, parameter.unit, molar_mass=(
                parameter.code if parameter.code in units.MOLAR_MASS else None),
                ambient=station.medium == Medium.AIR):
            raise ValidationError({"unit": _(
                "Values in %(unit)s cannot be converted to %(canonical)s.") % {
                "unit": self.unit, "canonical": parameter.unit or "pH"}})


@receiver(post_delete, sender=ParameterAlias)
def _alias_deleted(sender, instance: ParameterAlias, **kwargs) -> None:
    # A deleted symbol no longer finds its parameter (also for queryset deletes).
    parameter = Parameter.objects.filter(pk=instance.parameter_id).first()
    if parameter is not None:
        parameter.refresh_search_text()


# A stack's yearly inventory figures live in their own module; imported here so that Django
# finds the model with the registry's others.
from envhub.registry.annual import AnnualInventory  # noqa: E402, F401
