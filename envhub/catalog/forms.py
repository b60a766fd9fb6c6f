"""The steward's forms: a dataset's metadata with pickers from the controlled vocabularies
(themes, keywords, licences, languages: `vocabularies`, `models.Theme`), and a file dataset's
new version. The same list fields serve the admin, so no one types JSON."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from envhub.catalog import files, vocabularies
from envhub.catalog.models import Dataset, Theme
from envhub.core.errors import EnvhubError
from envhub.core.text import fold


def checked_upload(upload):
    """A version's file refused beside its field, before anything is stored: over the size
    limit, or not what its name says (`files.check_file`)."""
    if upload is None:
        return upload
    if upload.size > settings.ENVHUB_MAX_DATASET_FILE_BYTES:
        raise forms.ValidationError(files.too_large_message(upload.size))
    try:
        files.check_file(upload.name, upload.read())
    except EnvhubError as error:
        raise forms.ValidationError(str(error.message)) from None
    upload.seek(0)
    return upload


def keyword_choices(current) -> list[tuple[str, str]]:
    """The vocabulary, the keywords already in use in the catalogue, and the dataset's own (so
    that an edit never drops one), in the order of the alphabet."""
    from envhub.catalog.services import entries

    words = set(vocabularies.KEYWORDS) | {word for entry in entries() for word in entry.keywords}
    words |= {word for word in current or [] if isinstance(word, str)}
    return [(word, word) for word in sorted(words, key=lambda word: (fold(word), word))]


class VocabularyFields(forms.ModelForm):
    """Keywords, themes, languages and the licence chosen from their vocabularies."""

    themes = forms.MultipleChoiceField(label=_("Themes"), choices=Theme.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    keywords = forms.MultipleChoiceField(label=_("Keywords"), required=False,
                                         widget=forms.CheckboxSelectMultiple)
    language = forms.MultipleChoiceField(label=_("Languages"), required=False,
                                         choices=vocabularies.LANGUAGES,
                                         widget=forms.CheckboxSelectMultiple)
    licence = forms.ChoiceField(
        label=_("Licence"), choices=vocabularies.licence_choices,
        error_messages={"invalid_choice": _("Choose a licence from the list.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.keywords if self.instance.pk else []
        self.fields["keywords"].choices = keyword_choices(current)

    def _in_stored_order(self, name: str) -> list[str]:
        """The ticked values, those the dataset had first in their order (ticking boxes in a
        list never reorders them, so an untouched form changes nothing), then the new ones."""
        chosen = self.cleaned_data.get(name) or []
        stored = [value for value in (getattr(self.instance, name, None) or [])
                  if value in chosen] if self.instance.pk else []
        return stored + [value for value in chosen if value not in stored]

    def clean_keywords(self):
        return self._in_stored_order("keywords")

    def clean_themes(self):
        return self._in_stored_order("themes")

    def clean_language(self):
        return self._in_stored_order("language")


class DatasetEditForm(VocabularyFields):
    class Meta:
        model = Dataset
        fields = ("title_vi", "title_en", "description_vi", "description_en", "themes",
                  "keywords", "licence", "access_class", "accrual_periodicity", "issued",
                  "language", "legal_basis", "conforms_to", "provenance", "data_code",
                  "contact_name", "contact_email", "owning_agency", "tax_codes_open")
        widgets = {
            "access_class": forms.RadioSelect,
            "issued": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description_vi": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
            "provenance": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title_vi"].error_messages["required"] = _("A dataset needs a title.")
        self.fields["description_vi"].error_messages["required"] = _(
            "Say in a sentence or two what the dataset holds.")


class PublishForm(forms.Form):
    """A new version of a file dataset: the file and what changed."""

    file = forms.FileField(label=_("File"), help_text=_(
        "CSV (UTF-8), JSON, GeoJSON, XLSX, Parquet, PDF, ZIP or TXT. Each upload is a new "
        "version; earlier versions stay downloadable."))
    note = forms.CharField(label=_("What changed in this version"), required=False,
                           max_length=300)

    def clean_file(self):
        return checked_upload(self.cleaned_data["file"])
