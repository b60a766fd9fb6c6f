"""The stewards' survey forms: a campaign, a deadline, a schema's descriptor. They parse; the
services (`campaigns`, `schemas_admin`) decide and say what is wrong."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from envhub.core.errors import EnvhubError
from envhub.registry.models import Organisation, OrganisationKind
from envhub.surveys.models import SurveySchema

ACCESS_CHOICES = (("open", _("open data")), ("shared", _("shared data (state agencies)")),
                  ("internal", _("internal data")))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    schemas = forms.ModelMultipleChoiceField(
        label=_("Dataset kinds"), queryset=SurveySchema.objects.order_by("title_vi"),
        widget=forms.CheckboxSelectMultiple)
    units = forms.ModelMultipleChoiceField(
        label=_("Survey units"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.SURVEY_UNIT).order_by("name"),
        widget=forms.CheckboxSelectMultiple)
    due_on = forms.DateField(label=_("Deadline"), widget=DateInput())
    access_class = forms.ChoiceField(
        label=_("Access class of generic tables"), choices=ACCESS_CHOICES, initial="shared",
        help_text=_("Who may read a generic table's approved rows in the catalogue."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = datetime.date.today().year


class DeadlineForm(forms.Form):
    due_on = forms.DateField(label=_("Deadline"), widget=DateInput())


class SchemaForm(forms.Form):
    slug = forms.CharField(label=_("Identifier"), max_length=60, required=False,
                           help_text=_("Lower-case letters, digits and dashes; it cannot be "
                                       "changed later."))
    descriptor = forms.CharField(
        label=_("Table Schema descriptor (JSON)"), max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code"}))
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)


def add_errors(form, error: EnvhubError) -> None:
    """A service's refusal beside the fields it names, else above the form. Details are
    sentences (the campaign's checks) or codes (`{"descriptor": ["json"]}`): a code is shown
    as the refusal's own message."""
    details = error.details if isinstance(error.details, dict) else {}
    placed = False
    for name, problems in details.items():
        if name not in form.fields:
            continue
        sentences = [str(p) for p in problems if " " in str(p)]
        for text in sentences or [str(error.message)]:
            form.add_error(name, text)
        placed = True
    if not placed:
        form.add_error(None, str(error.message))
