"""The post form of the editors' pages: it only reads the fields; `workflow` checks them."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from envhub.core.timeutil import VN
from envhub.news.models import Category
from envhub.registry.models import Province


class PostForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("news", "Title"), max_length=300)
    summary = forms.CharField(label=_("Summary"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    body = forms.CharField(label=_("Text (Markdown)"), widget=forms.Textarea(attrs={"rows": 16}))
    category = forms.ChoiceField(label=pgettext_lazy("news", "Category"), choices=Category.choices)
    provinces = forms.MultipleChoiceField(label=_("Provinces"), required=False,
                                          widget=forms.SelectMultiple(attrs={"size": 6}))
    scheduled_for = forms.DateTimeField(
        label=_("Publish at (Viet Nam time)"), required=False,
        help_text=_("Empty: as soon as a reviewer approves it."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                   format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"])
    title_en = forms.CharField(label=_("Title in English"), max_length=300, required=False)
    summary_en = forms.CharField(label=_("Summary in English"), max_length=500, required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    body_en = forms.CharField(label=_("Text in English (Markdown)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provinces"].choices = list(Province.objects.order_by("name")
                                                .values_list("code", "name"))

    def clean_scheduled_for(self):
        value = self.cleaned_data.get("scheduled_for")
        if value is None:
            return None
        # Typed in Viet Nam time, whatever the server's zone.
        return value.replace(tzinfo=None).replace(tzinfo=VN).astimezone(datetime.timezone.utc)

    @classmethod
    def initial_of(cls, post) -> dict:
        values = {name: getattr(post, name) for name in (
            "title", "summary", "body", "category", "title_en", "summary_en", "body_en")}
        values["provinces"] = [province.code for province in post.provinces.all()]
        if post.scheduled_for:
            values["scheduled_for"] = post.scheduled_for.astimezone(VN).replace(tzinfo=None)
        return values
