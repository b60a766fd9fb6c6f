"""The environmental data catalogue (danh mục dữ liệu môi trường): datasets and their
distributions with the DCAT-AP 3 fields as columns, the Vietnamese fields (data code, owning
agency, access class per the Law on Data, legal basis), versions of file datasets, and every
metadata change kept as a version.

Datasets come from providers (`catalog.providers`): each app registers what it publishes, and
the provider computes what the data says — when it last changed, the period it covers, its rows
and provinces — so that the catalogue cannot claim to be fresher than its data.
"""

from __future__ import annotations

import datetime
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from envhub.catalog.vocabularies import DEFAULT_LICENCE, LICENCES
from envhub.core.text import search_document


class AccessClass(models.TextChoices):
    """Law on Data 60/2024 Art. 3: open data, shared data (between state agencies), internal."""

    OPEN = "open", _("open data")
    SHARED = "shared", _("shared data (state agencies)")
    INTERNAL = "internal", _("internal data")


# EU "frequency" authority codes (DCAT-AP accrualPeriodicity) and how old the data may get
# before the dataset counts as late (the period plus a grace, None: never late).
class Frequency(models.TextChoices):
    UPDATE_CONT = "UPDATE_CONT", _("continuously updated")
    HOURLY = "HOURLY", _("hourly")
    DAILY = "DAILY", _("daily")
    WEEKLY = "WEEKLY", _("weekly")
    MONTHLY = "MONTHLY", _("monthly")
    QUARTERLY = "QUARTERLY", _("quarterly")
    ANNUAL = "ANNUAL", _("annual")
    IRREG = "IRREG", _("irregular")
    NEVER = "NEVER", _("never")


ALLOWED_AGE = {
    Frequency.UPDATE_CONT: datetime.timedelta(hours=2),
    Frequency.HOURLY: datetime.timedelta(hours=3),
    Frequency.DAILY: datetime.timedelta(days=2),
    Frequency.WEEKLY: datetime.timedelta(days=9),
    Frequency.MONTHLY: datetime.timedelta(days=35),
    Frequency.QUARTERLY: datetime.timedelta(days=100),
    Frequency.ANNUAL: datetime.timedelta(days=380),
}


class Theme(models.TextChoices):
    """EU data themes (DCAT-AP dcat:theme vocabulary)."""

    ENVI = "ENVI", _("Environment")
    HEAL = "HEAL", _("Health")
    REGI = "REGI", _("Regions and cities")
    ENER = "ENER", _("Energy")
    GOVE = "GOVE", _("Government and public sector")
    ECON = "ECON", _("Economy and finance")
    TECH = "TECH", _("Science and technology")
    AGRI = "AGRI", _("Agriculture, fisheries, forestry and food")


class Dataset(models.Model):
    """A dataset (bộ dữ liệu) of the catalogue."""

    identifier = models.SlugField(_("identifier"), max_length=120, unique=True)
    provider = models.CharField(_("provider"), max_length=60)
    provider_key = models.CharField(_("data source key"), max_length=120, blank=True,
                                    help_text=_("What the provider needs to find the data."))
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    description_vi = models.TextField(_("description (Vietnamese)"))
    description_en = models.TextField(_("description (English)"), blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    themes = models.JSONField(_("themes"), default=list, blank=True)
    issued = models.DateField(_("issued"), null=True, blank=True)
    language = models.JSONField(_("languages"), default=list, blank=True)
    accrual_periodicity = models.CharField(_("update frequency"), max_length=12,
                                           choices=Frequency.choices, default=Frequency.IRREG)
    conforms_to = models.CharField(_("conforms to"), max_length=300, blank=True)
    provenance = models.TextField(_("provenance"), blank=True)
    publisher = models.ForeignKey("registry.Organisation", on_delete=models.PROTECT,
                                  related_name="published_datasets", verbose_name=_("publisher"))
    owning_agency = models.ForeignKey("registry.Organisation", on_delete=models.PROTECT,
                                      related_name="owned_datasets", null=True, blank=True,
                                      verbose_name=_("owning agency"))
    contact_name = models.CharField(_("contact point"), max_length=200)
    contact_email = models.EmailField(_("contact e-mail"))
    version = models.CharField(_("version"), max_length=40, blank=True)
    data_code = models.CharField(_("data code"), max_length=60, blank=True)
    access_class = models.CharField(_("access class"), max_length=10, choices=AccessClass.choices,
                                    default=AccessClass.OPEN)
    legal_basis = models.CharField(_("legal basis"), max_length=400, blank=True)
    licence = models.CharField(_("licence"), max_length=200, default=DEFAULT_LICENCE)
    # Tax codes are facilities' FTP user names: published only when a steward opens them
    # (an audited metadata edit); until then a row carries one only for a reader whose scope
    # holds the facility.
    tax_codes_open = models.BooleanField(
        _("publish tax codes"), default=False,
        help_text=_("Tax codes are also the facilities' FTP user names: tick only to publish "
                    "them to every reader of this dataset."))
    # Computed from the data by the provider, never typed in.
    modified = models.DateTimeField(_("last changed (from the data)"), null=True, blank=True)
    temporal_start = models.DateTimeField(_("data from"), null=True, blank=True)
    temporal_end = models.DateTimeField(_("data until"), null=True, blank=True)
    row_count = models.BigIntegerField(_("rows"), null=True, blank=True)
    # How far the data is current: the newest hour of a time series, the newest judged window
    # of the exceedances; what lateness is measured on (else `modified`).
    current_until = models.DateTimeField(_("data current until"), null=True, blank=True)
    provinces = models.ManyToManyField("registry.Province", blank=True, related_name="+",
                                       verbose_name=_("spatial coverage"))
    refreshed_at = models.DateTimeField(_("figures computed"), null=True, blank=True)
    withdrawn = models.BooleanField(_("withdrawn"), default=False)
    search_text = models.TextField(_("search text"), editable=False, default="")
    created_at = models.DateTimeField(_("added to the catalogue"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last edited"), auto_now=True)

    class Meta:
        ordering = ["identifier"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        indexes = [models.Index(fields=["access_class", "withdrawn"], name="dataset_access")]

    def __str__(self) -> str:
        return self.title_vi

    def clean(self):
        super().clean()
        errors = {}
        for name in ("title_vi", "description_vi", "contact_name"):
            if not (getattr(self, name) or "").strip():
                errors[name] = _("This field is required.")
        unknown = [theme for theme in self.themes or [] if theme not in Theme.values]
        if unknown:
            errors["themes"] = _("Unknown themes: %(themes)s.") % {"themes": ", ".join(unknown)}
        if not isinstance(self.keywords, list) or not all(
                isinstance(word, str) and word.strip() for word in self.keywords):
            errors["keywords"] = _("Keywords are a list of words.")
        if self.licence not in LICENCES:
            errors["licence"] = _("Choose a licence from the list.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.search_text = search_document(self.title_vi, self.title_en, self.description_vi,
                                           self.description_en, " ".join(self.keywords or []),
                                           self.data_code, self.identifier)
        super().save(*args, **kwargs)

    @property
    def allowed_age(self) -> datetime.timedelta | None:
        return ALLOWED_AGE.get(self.accrual_periodicity)

    def is_late(self, now: datetime.datetime | None = None) -> bool:
        """Its data is older than its update frequency promises (or it has none yet)."""
        allowed = self.allowed_age
        if allowed is None:
            return False
        basis = self.current_until or self.modified
        if basis is None:
            return True
        return (now or timezone.now()) - basis > allowed


class Distribution(models.Model):
    """A way to get a dataset (dcat:Distribution): a format of its download."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="distributions",
                                verbose_name=_("dataset"))
    format = models.CharField(_("format"), max_length=10)
    title = models.CharField(_("title"), max_length=200)
    media_type = models.CharField(_("media type"), max_length=100)
    byte_size = models.BigIntegerField(_("size (bytes)"), null=True, blank=True)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)

    class Meta:
        ordering = ["dataset", "format"]
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        constraints = [models.UniqueConstraint(fields=["dataset", "format"],
                                               name="one_distribution_per_format")]

    def __str__(self) -> str:
        return f"{self.dataset.identifier} ({self.format})"


class DatasetVersion(models.Model):
    """An immutable version of a file dataset: each upload is a new one."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions",
                                verbose_name=_("dataset"))
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("published"), default=timezone.now)
    file_name = models.CharField(_("file name"), max_length=255)
    media_type = models.CharField(_("media type"), max_length=100)
    size = models.BigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content = models.BinaryField(_("content"))
    rows = models.BigIntegerField(_("rows"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.CharField(_("published by"), max_length=200)

    class Meta:
        ordering = ["dataset", "-number"]
        verbose_name = _("dataset version")
        verbose_name_plural = _("dataset versions")
        constraints = [models.UniqueConstraint(fields=["dataset", "number"],
                                               name="version_number_per_dataset")]

    def __str__(self) -> str:
        return _("%(dataset)s, version %(number)d") % {"dataset": self.dataset.identifier,
                                                        "number": self.number}

    @property
    def file_format(self) -> str:
        """Its file's extension, the format its download is asked for by."""
        return PurePath(self.file_name).suffix.lower().lstrip(".")

    @property
    def size_text(self) -> str:
        from envhub.core.uploads import size_words

        return size_words(self.size)

    def save(self, *args, **kwargs):
        # A published version is what someone downloaded and may cite: never rewritten.
        if self.pk is not None and DatasetVersion.objects.filter(pk=self.pk).exists():
            raise ValueError("a published version cannot be changed; publish a new one")
        super().save(*args, **kwargs)


class MetadataVersion(models.Model):
    """A dataset's metadata as it was after a change (who, when, what)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE,
                                related_name="metadata_versions", verbose_name=_("dataset"))
    number = models.PositiveIntegerField(_("number"))
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.CharField(_("who"), max_length=200)
    snapshot = models.JSONField(_("metadata after the change"))
    changes = models.JSONField(_("changes"), default=dict)

    class Meta:
        ordering = ["dataset", "-number"]
        verbose_name = _("metadata version")
        verbose_name_plural = _("metadata versions")
        constraints = [models.UniqueConstraint(fields=["dataset", "number"],
                                               name="metadata_version_per_dataset")]

    def __str__(self) -> str:
        return _("%(dataset)s, metadata version %(number)d") % {
            "dataset": self.dataset.identifier, "number": self.number}


class PendingChange(models.Model):
    """A provider's note that the data behind one of its datasets changed (a row, written in
    the changing transaction, so no change is lost between two syncs): the next sync refreshes
    or withdraws that dataset alone instead of every dataset of an incremental provider."""

    provider = models.CharField(max_length=60)
    provider_key = models.CharField(max_length=120)
    noted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["provider", "id"], name="pending_change_provider")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.provider_key}"
