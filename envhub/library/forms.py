"""The metadata form of the upload and edit pages. It only shows the fields and carries what
was typed back to the page: the checking is `metadata.check`'s, the same for every road, and
its problems are put beside their fields (`place_errors`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from envhub.core.errors import EnvhubError
from envhub.library import metadata
from envhub.library.models import AccessLevel, Collection, Document, DocumentType, Dossier
from envhub.registry.models import Organisation, OrganisationKind, Province

LISTS = ("provinces", "allowed_organisations")
# Always sent by the form; a request without them keeps the document's (never a default that
# could, say, turn a restricted document into an internal one).
PICKED = ("collection", "type", "access_level")


class _Choice(forms.ChoiceField):
    """A list to pick from whose value `metadata.check` judges (with its own words)."""

    def validate(self, value):
        pass


class _Choices(forms.MultipleChoiceField):
    def validate(self, value):
        pass


def _text(label, limit=None, help_text="", **kwargs):
    return forms.CharField(label=label, required=False, max_length=None, help_text=help_text,
                           widget=forms.TextInput(attrs={"maxlength": limit} if limit else {}),
                           **kwargs)


class MetadataForm(forms.Form):
    """Field names are those of `metadata.FIELDS`."""

    collection = _Choice(label=_("Collection"), required=False)
    dossier = _Choice(label=_("Dossier"), required=False,
                                help_text=_("Leave empty when the document is in no dossier."))
    title = _text(_("Title"), 500)
    identifier = _text(_("Identifier"), 100, _(
        "Letters, digits and . _ : / - ; left empty, the library gives one (TV-…)."))
    type = _Choice(label=_("Type of document"), choices=DocumentType.choices,
                             required=False)
    number = _text(_("Number"), 50, _("The number of the record (số), as “45”."))
    symbol = _text(_("Symbol"), 100, _("The symbol of the record (ký hiệu), as “2022/NĐ-CP”."))
    issuing_body = _text(_("Issuing body"), 300)
    signer = _text(_("Signer"), 200)
    issued_on = _text(_("Date of issue"), 30, _("dd/mm/yyyy"))
    date = _text(_("Date"), 30, _("dd/mm/yyyy, or the year alone"))
    creator = _text(_("Creator"), 300)
    publisher = _text(_("Publisher"), 300)
    contributor = _text(_("Contributor"), 300)
    subjects = _text(_("Subjects and keywords"), None, _("Separated by “;”."))
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    language = _text(_("Language"), 20, _("A language code: vi, en…"))
    source = _text(_("Source"), 300)
    relation = _text(_("Relation"), 300)
    coverage = _text(_("Coverage"), 300, _("The period and places the document covers."))
    provinces = _Choices(label=_("Provinces"), required=False,
                                          widget=forms.SelectMultiple(attrs={"size": 6}))
    rights = _text(_("Rights"), 300)
    access_level = _Choice(label=_("Access level"), choices=AccessLevel.choices,
                                     required=False, widget=forms.RadioSelect)
    allowed_organisations = _Choices(
        label=_("Organisations allowed"), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("For a restricted document: the organisations whose staff may read it."))
    retention = _text(_("Retention period"), 20, _("A number of years, or “vĩnh viễn”."))
    page_count = _text(_("Pages"), 10)
    physical_location = _text(_("Location of the paper original"), 300)

    def __init__(self, *args, chosen_organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collection"].choices = [("", "—")] + [
            (item.code, item.title) for item in Collection.objects.order_by("title")]
        groups: dict[str, list] = {}
        for dossier in Dossier.objects.select_related("collection").order_by(
                "collection__title", "code"):
            groups.setdefault(dossier.collection.title, []).append(
                (dossier.code, f"{dossier.code} — {dossier.title}"))
        self.fields["dossier"].choices = [("", "—")] + list(groups.items())
        self.fields["provinces"].choices = list(Province.objects.order_by("name").values_list(
            "code", "name"))
        # State bodies are offered; an enterprise already named stays listed (others are
        # named by their registry number through the API or an import).
        organisations = Organisation.objects.exclude(kind=OrganisationKind.ENTERPRISE)
        chosen = Organisation.objects.filter(pk__in=list(chosen_organisations))
        self.fields["allowed_organisations"].choices = [
            (str(pk), name) for pk, name in (organisations | chosen).distinct().order_by(
                "name").values_list("pk", "name")]
        self.fields["title"].widget.attrs["required"] = True
        for name in ("issued_on", "date"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"
        self.fields["page_count"].widget.attrs["inputmode"] = "numeric"

    def data_for_check(self) -> dict:
        """What was posted, as `metadata.check` reads it (every field, so that an emptied one
        is emptied)."""
        data = {}
        for name in self.fields:
            if name not in metadata.FIELDS or (name in PICKED and name not in self.data):
                continue
            if name in LISTS:
                data[name] = [value for value in self.data.getlist(name) if value][:200]
            else:
                data[name] = self.data.get(name, "")
        return data

    def place_errors(self, error: EnvhubError) -> None:
        """The problems of `metadata.check` beside their fields; the rest above the form."""
        details = error.details if isinstance(error.details, dict) else {}
        placed = False
        for name, problems in details.items():
            if name in self.fields:
                for problem in problems:
                    self.add_error(name, str(problem))
                placed = True
        if not placed:
            self.add_error(None, str(error.message))


def initial_of(document: Document) -> dict:
    """The edit form's values for a stored document, written as a person would type them."""
    initial = {name: getattr(document, name) for name in (
        "title", "identifier", "type", "number", "symbol", "issuing_body", "signer", "creator",
        "publisher", "contributor", "description", "language", "source", "relation",
        "coverage", "rights", "access_level", "physical_location")}
    initial.update(
        collection=document.collection.code,
        dossier=document.dossier.code if document.dossier_id else "",
        issued_on=document.issued_on.strftime("%d/%m/%Y") if document.issued_on else "",
        date=document.date.strftime("%d/%m/%Y") if document.date else (
            str(document.year) if document.year and not document.issued_on else ""),
        subjects="; ".join(document.subjects or []),
        provinces=list(document.provinces.values_list("code", flat=True)),
        allowed_organisations=[str(pk) for pk in document.allowed_organisations.values_list(
            "pk", flat=True)],
        retention="vĩnh viễn" if document.retention_permanent else (
            str(document.retention_years) if document.retention_years else ""),
        page_count=str(document.page_count) if document.page_count is not None else "",
    )
    return initial


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field: a list of uploads. The library's own checks judge them
    (intake: name, kind, size, emptiness), each problem said with the file's name."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [item for item in data if item]
        return [data] if data else []


class UploadForm(MetadataForm):
    files = MultipleFileField(
        label=_("Files"), required=False,
        help_text=_("PDF, DOCX, XLSX, ODT, plain text or scanned images (PNG, JPEG, TIFF). "
                    "Several files make successive versions, in the order chosen."))
