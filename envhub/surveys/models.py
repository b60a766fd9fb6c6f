"""Survey data intake: table schemas and their versions, yearly campaigns and the units assigned
to them, submissions with their uploaded files and the review of each, and the immutable
versions that approval makes (đợt điều tra: campaign; đơn vị điều tra: survey unit; bản nộp:
submission; phiên bản: version)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext


class SchemaKind(models.TextChoices):
    """What a schema's approved rows become: each kind has its loader."""

    PERIODIC_RESULTS = "periodic_results", _("Periodic monitoring results")
    EMISSION_INVENTORY = "emission_inventory", _("Industrial emission source inventory")
    GENERIC = "generic", _("Generic table")


class SurveySchema(models.Model):
    """A kind of survey dataset, described by a Frictionless Table Schema. Its descriptor lives
    in numbered, immutable versions: editing a schema makes a new version."""

    slug = models.SlugField(_("identifier"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=SchemaKind.choices)
    title_vi = models.CharField(_("Vietnamese title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["title_vi"]
        verbose_name = _("survey table schema")
        verbose_name_plural = _("survey table schemas")

    def __str__(self) -> str:
        return self.title_vi

    def title(self, language: str | None = "vi") -> str:
        return self.title_en if (language or "vi")[:2] == "en" and self.title_en else self.title_vi

    def current(self) -> SchemaVersion | None:
        return self.versions.order_by("-number").first()


class SchemaVersion(models.Model):
    """One descriptor of a schema, as it was when a file was checked against it."""

    schema = models.ForeignKey(SurveySchema, on_delete=models.CASCADE, related_name="versions",
                               verbose_name=_("schema"))
    number = models.PositiveIntegerField(_("version"))
    descriptor = models.JSONField(_("Table Schema descriptor"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.CharField(_("created by"), max_length=200)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["schema", "-number"]
        verbose_name = _("schema version")
        verbose_name_plural = _("schema versions")
        constraints = [models.UniqueConstraint(fields=["schema", "number"],
                                               name="schema_version_number")]

    def __str__(self) -> str:
        return f"{self.schema.slug} v{self.number}"

    def save(self, *args, **kwargs):
        # A file was checked against it: it stays as it was.
        if self.pk is not None and SchemaVersion.objects.filter(pk=self.pk).exists():
            raise ValueError("a schema version cannot be changed; make a new one")
        super().save(*args, **kwargs)


class Campaign(models.Model):
    """A yearly survey and monitoring campaign: which datasets, from which units, by when."""

    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    description = models.TextField(_("description"), blank=True)
    created_by = models.CharField(_("created by"), max_length=200)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-year", "title"]
        verbose_name = _("survey campaign")
        verbose_name_plural = _("survey campaigns")

    def __str__(self) -> str:
        return self.title


class Assignment(models.Model):
    """One dataset a unit owes a campaign, and its deadline. Its approved versions are the
    dataset: version 1, then a corrected version 2, and so on."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assignments",
                                 verbose_name=_("campaign"))
    schema = models.ForeignKey(SurveySchema, on_delete=models.PROTECT,
                               related_name="assignments", verbose_name=_("dataset kind"))
    organisation = models.ForeignKey("registry.Organisation", on_delete=models.PROTECT,
                                     related_name="survey_assignments",
                                     verbose_name=_("survey unit"))
    due_on = models.DateField(_("deadline"))
    # For a generic table: who may read its approved rows in the catalogue (the catalogue's
    # access classes: open, shared, restricted).
    access_class = models.CharField(_("access class"), max_length=20, default="shared")

    class Meta:
        ordering = ["campaign", "schema__title_vi", "organisation__name"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [models.UniqueConstraint(fields=["campaign", "schema", "organisation"],
                                               name="one_assignment_per_unit_kind")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.schema} · {self.organisation}"


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    RETURNED = "returned", _("Returned with comments")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    APPROVED = "approved", _("Approved")
    LOADED = "loaded", _("Loaded")


OPEN_STATES = (State.DRAFT, State.SUBMITTED, State.RETURNED, State.RESUBMITTED)
AWAITING_REVIEW = (State.SUBMITTED, State.RESUBMITTED)


class Submission(models.Model):
    """A unit's answer to an assignment: its files, uploaded until one is clean, then reviewed.
    A correction after approval is a new submission of the same assignment."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT,
                                   related_name="submissions", verbose_name=_("assignment"))
    # The assignment's unit, kept on the row: the one access rule reads it.
    organisation = models.ForeignKey("registry.Organisation", on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("survey unit"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices,
                             default=State.DRAFT)
    current_upload = models.ForeignKey("Upload", on_delete=models.SET_NULL, null=True,
                                       blank=True, related_name="+",
                                       verbose_name=_("current file"))
    created_by = models.CharField(_("created by"), max_length=200)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    submitted_at = models.DateTimeField(_("sent for review"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        indexes = [models.Index(fields=["state", "submitted_at"], name="submission_queue")]

    def __str__(self) -> str:
        return _("Submission %(id)d") % {"id": self.pk or 0}

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class CheckState(models.TextChoices):
    QUEUED = "queued", _("Waiting to be checked")
    RUNNING = "running", _("Being checked")
    DONE = "done", _("Checked")
    FAILED = "failed", _("Could not be checked")


class Upload(models.Model):
    """One file a unit uploaded, kept as it came (by its SHA-256) with the report of its check
    against the schema version it was checked against."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE,
                                   related_name="uploads", verbose_name=_("submission"))
    number = models.PositiveIntegerField(_("upload number"))
    schema_version = models.ForeignKey(SchemaVersion, on_delete=models.PROTECT,
                                       related_name="+", verbose_name=_("schema version"))
    file_name = models.CharField(_("file name"), max_length=255)
    stored_as = models.CharField(_("stored as"), max_length=200)
    size = models.BigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.CharField(_("uploaded by"), max_length=200)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    check_state = models.CharField(_("check"), max_length=10, choices=CheckState.choices,
                                   default=CheckState.QUEUED)
    claimed_by = models.CharField(max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    rows_expected = models.PositiveIntegerField(_("rows in the file (estimate)"), null=True,
                                                blank=True)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    error_count = models.PositiveIntegerField(_("errors"), null=True, blank=True)
    rows_with_errors = models.PositiveIntegerField(_("rows with errors"), null=True, blank=True)
    report = models.JSONField(_("report"), default=dict, blank=True)
    # What loading it would change in the registry (the inventory's diff), computed with the
    # check so that the steward sees it before approving.
    plan = models.JSONField(_("what loading will change"), default=dict, blank=True)
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)

    class Meta:
        ordering = ["submission", "-number"]
        verbose_name = _("uploaded file")
        verbose_name_plural = _("uploaded files")
        constraints = [models.UniqueConstraint(fields=["submission", "number"],
                                               name="upload_number_per_submission")]
        indexes = [models.Index(fields=["check_state", "id"], name="upload_check_queue")]

    def __str__(self) -> str:
        return self.file_name

    @property
    def check_words(self) -> str:
        """The check's state as the unit reads it: a file refused as a whole (not a
        spreadsheet, too many rows…) was not "checked", it was refused."""
        if self.check_state == CheckState.DONE and self.report.get("refused"):
            return pgettext("survey file", "Refused")
        return self.get_check_state_display()

    @property
    def is_clean(self) -> bool:
        """Checked, read, and without a single error: what may be sent for review."""
        return (self.check_state == CheckState.DONE and not self.report.get("refused")
                and self.error_count == 0 and (self.rows or 0) > 0)


class ReviewStep(models.Model):
    """One step of a submission's road (sent, returned, approved, loaded…): who, when, why.
    A comment may point at rows of the file."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="steps",
                                   verbose_name=_("submission"))
    action = models.CharField(_("action"), max_length=20)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    by = models.CharField(_("by"), max_length=200)
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)
    rows = models.JSONField(_("rows pointed at"), default=list, blank=True)

    class Meta:
        ordering = ["submission", "at", "id"]
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")


class LoadState(models.TextChoices):
    WAITING = "waiting", _("Waiting to be loaded")
    LOADING = "loading", _("Being loaded")
    LOADED = "loaded", _("Loaded")
    FAILED = "failed", _("Loading failed")


class Version(models.Model):
    """An approved version of an assignment's dataset: the file as it was (its checksum), the
    schema version it was checked against, who approved it and when. Never edited: a correction
    is approved as the next version, whose loading replaces this one's rows."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT,
                                   related_name="versions", verbose_name=_("dataset"))
    number = models.PositiveIntegerField(_("version"))
    submission = models.OneToOneField(Submission, on_delete=models.PROTECT,
                                      related_name="version", verbose_name=_("submission"))
    upload = models.ForeignKey(Upload, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("file"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    schema_version = models.ForeignKey(SchemaVersion, on_delete=models.PROTECT,
                                       related_name="+", verbose_name=_("schema version"))
    approved_by = models.CharField(_("approved by"), max_length=200)
    approved_at = models.DateTimeField(_("approved"), default=timezone.now)
    rows = models.PositiveIntegerField(_("rows"))
    # The loading, done by the worker; these columns change, the version's own do not.
    load_state = models.CharField(_("loading"), max_length=10, choices=LoadState.choices,
                                  default=LoadState.WAITING)
    claimed_by = models.CharField(max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    loaded_at = models.DateTimeField(_("loaded"), null=True, blank=True)
    load_error = models.TextField(_("why loading failed"), blank=True)
    load_summary = models.JSONField(_("what loading did"), default=dict, blank=True)

    FROZEN = ("assignment_id", "number", "submission_id", "upload_id", "sha256",
              "schema_version_id", "approved_by", "approved_at", "rows")

    class Meta:
        ordering = ["assignment", "-number"]
        verbose_name = _("dataset version")
        verbose_name_plural = _("dataset versions")
        constraints = [models.UniqueConstraint(fields=["assignment", "number"],
                                               name="survey_version_number")]
        indexes = [models.Index(fields=["load_state", "id"], name="version_load_queue")]

    def __str__(self) -> str:
        return _("version %(number)d") % {"number": self.number}

    def save(self, *args, **kwargs):
        if self.pk is not None:
            before = Version.objects.filter(pk=self.pk).values(*self.FROZEN).first()
            if before and any(before[name] != getattr(self, name) for name in self.FROZEN):
                raise ValueError("an approved version cannot be changed; approve a new one")
        super().save(*args, **kwargs)


class TableRow(models.Model):
    """A row of an approved generic table, typed (JSON numbers, ISO dates), with its version."""

    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="table_rows",
                                verbose_name=_("version"))
    line = models.PositiveIntegerField(_("line in the file"))
    data = models.JSONField(_("values"))

    class Meta:
        ordering = ["version", "line"]
        verbose_name = _("table row")
        verbose_name_plural = _("table rows")
        constraints = [models.UniqueConstraint(fields=["version", "line"],
                                               name="one_row_per_line")]
