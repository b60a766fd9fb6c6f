"""The electronic library (thư viện điện tử): collections (phông) hold dossiers (hồ sơ), which
hold documents; a document carries Dublin Core metadata and the archival fields of Vietnamese
records, and its files (the original, a searchable PDF, the extracted text) in versions.

The bytes are in a Django storage (`library/storage.py`), never in the database; a file row
keeps where they are, their size, SHA-256 and media type. Who may see a document is its
`access_level` (`library/policy.py`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AccessLevel(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")
    RESTRICTED = "restricted", _("Restricted to named organisations")


class DocumentType(models.TextChoices):
    """The library's own kinds of document; Dublin Core `type` is derived from them."""

    STATE_OF_ENVIRONMENT = "state_of_environment", _("State of the environment report")
    SURVEY_REPORT = "survey_report", _("Survey report")
    MONITORING_REPORT = "monitoring_report", _("Monitoring report")
    LEGAL = "legal", _("Legal document")
    EIA = "eia", _("Environmental impact assessment report")
    MAP = "map", _("Map")
    SCANNED_ARCHIVE = "scanned_archive", _("Scanned paper archive")
    OTHER = "other", _("Other document")


class TextState(models.TextChoices):
    """Where the document's text stands: extraction and OCR run in the worker."""

    PENDING = "pending", _("Waiting for text extraction")
    OCR_PENDING = "ocr_pending", _("Waiting for OCR")
    DONE = "done", _("Text extracted")
    NO_TEXT = "no_text", _("No text found")
    OCR_UNAVAILABLE = "ocr_unavailable", _("OCR unavailable on this server")
    FAILED = "failed", _("Text extraction failed")


class Collection(models.Model):
    """A collection (phông): the documents of one body or one subject, kept together."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=300)
    title_en = models.CharField(_("title in English"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("collection")
        verbose_name_plural = _("collections")

    def __str__(self) -> str:
        return self.title


class Dossier(models.Model):
    """A dossier (hồ sơ) of a collection: the documents of one matter, under one code."""

    collection = models.ForeignKey(Collection, on_delete=models.PROTECT, related_name="dossiers",
                                   verbose_name=_("collection"))
    code = models.CharField(_("code"), max_length=60)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["collection", "code"]
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        constraints = [models.UniqueConstraint(fields=["collection", "code"],
                                               name="one_dossier_code_per_collection")]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"


class Document(models.Model):
    """A document (tài liệu): Dublin Core metadata, the archival fields of a Vietnamese record,
    and files in versions (`DocumentFile`)."""

    collection = models.ForeignKey(Collection, on_delete=models.PROTECT, related_name="documents",
                                   verbose_name=_("collection"))
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="documents", verbose_name=_("dossier"))
    # Dublin Core: `identifier` is the library's own, unique; the rest as the fifteen elements.
    identifier = models.CharField(_("identifier"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=500)
    creator = models.CharField(_("creator"), max_length=300, blank=True)
    subjects = models.JSONField(_("subjects and keywords"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    contributor = models.CharField(_("contributor"), max_length=300, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    type = models.CharField(_("type"), max_length=30, choices=DocumentType.choices,
                            default=DocumentType.OTHER)
    source = models.CharField(_("source"), max_length=300, blank=True)
    language = models.CharField(_("language"), max_length=20, default="vi")
    relation = models.CharField(_("relation"), max_length=300, blank=True)
    coverage = models.CharField(pgettext_lazy("library", "coverage"), max_length=300, blank=True,
                                help_text=_("The period and places the document covers."))
    provinces = models.ManyToManyField("registry.Province", blank=True, related_name="+",
                                       verbose_name=_("provinces"))
    rights = models.CharField(_("rights"), max_length=300, blank=True)
    # The archival fields of a Vietnamese record.
    number = models.CharField(pgettext_lazy("library", "number"), max_length=50, blank=True)
    symbol = models.CharField(_("symbol"), max_length=100, blank=True)  # ký hiệu
    issuing_body = models.CharField(_("issuing body"), max_length=300, blank=True)
    signer = models.CharField(_("signer"), max_length=200, blank=True)
    issued_on = models.DateField(_("date of issue"), null=True, blank=True)
    # Empty with `retention_permanent` false: not set yet.
    retention_years = models.PositiveSmallIntegerField(_("retention period (years)"), null=True,
                                                       blank=True)
    retention_permanent = models.BooleanField(_("kept permanently"), default=False)
    access_level = models.CharField(_("access level"), max_length=20, choices=AccessLevel.choices,
                                    default=AccessLevel.INTERNAL)
    allowed_organisations = models.ManyToManyField(
        "registry.Organisation", blank=True, related_name="+",
        verbose_name=_("organisations allowed"),
        help_text=_("For a restricted document: the organisations whose staff may read it."))
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    physical_location = models.CharField(_("location of the paper original"), max_length=300,
                                         blank=True)
    # The year the facets count the document in: of the date of issue, else of `date`, else
    # as given when only the year is known.
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, db_index=True)
    text_state = models.CharField(_("text"), max_length=20, choices=TextState.choices,
                                  default=TextState.PENDING)
    text_message = models.CharField(_("text note"), max_length=500, blank=True)
    # Until when a worker is reading this document's text (`extraction`): another leaves it
    # alone meanwhile, and takes it over once the claim has run out (that worker died).
    text_claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("added by"))
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [models.Index(fields=["access_level", "updated_at", "id"],
                                name="library_doc_access_updated")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        issued = self.issued_on or self.date
        if issued:  # else a year given alone (a report known as "2022") stays
            self.year = issued.year
        super().save(*args, **kwargs)

    @property
    def number_and_symbol(self) -> str:
        """"Số 45/2022/NĐ-CP" is kept as number 45 and symbol 2022/NĐ-CP."""
        return "/".join(part for part in (self.number, self.symbol) if part)


class FileRole(models.TextChoices):
    ORIGINAL = "original", _("Original")
    SEARCHABLE_PDF = "searchable_pdf", _("Searchable PDF")
    TEXT = "text", _("Extracted text")


class DocumentFile(models.Model):
    """One file of one version of a document. A new original makes a new version; the
    searchable PDF and the text made from it belong to that version; old versions stay."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="files",
                                 verbose_name=_("document"))
    version = models.PositiveIntegerField(_("version"))
    role = models.CharField(_("role"), max_length=20, choices=FileRole.choices)
    name = models.CharField(_("file name"), max_length=255)
    storage_name = models.CharField(max_length=500, editable=False)
    size = models.BigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64, db_index=True)
    media_type = models.CharField(_("media type"), max_length=100)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "-version", "role"]
        verbose_name = _("document file")
        verbose_name_plural = _("document files")
        constraints = [models.UniqueConstraint(fields=["document", "version", "role"],
                                               name="one_file_per_role_and_version")]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class DocumentText(models.Model):
    """The text of a document's newest version, as extracted or recognised: what search reads.
    `empty_pages` are the pages (1-based) where neither a text layer nor OCR found text."""

    document = models.OneToOneField(Document, on_delete=models.CASCADE, primary_key=True,
                                    related_name="text")
    version = models.PositiveIntegerField()
    content = models.TextField(blank=True)
    pages = models.PositiveIntegerField(default=0)
    empty_pages = models.JSONField(default=list, blank=True)
    method = models.CharField(max_length=20)  # text_layer, ocr, office, plain
    extracted_at = models.DateTimeField(auto_now=True)


class DeletedRecord(models.Model):
    """What OAI-PMH harvesters are told of a public document that is gone — deleted, made
    internal or restricted, or renamed (its old identifier): `<header status="deleted">`, kept
    for good (`deletedRecord` persistent) and dropped only when the identifier is public
    again. Holds no metadata: only the identifier, its set and when it left the harvest."""

    identifier = models.CharField(max_length=100, unique=True)  # the library's own
    collection_code = models.SlugField(max_length=60)  # the OAI set it was in
    deleted_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("deleted record")
        verbose_name_plural = _("deleted records")

    def __str__(self) -> str:
        return self.identifier
