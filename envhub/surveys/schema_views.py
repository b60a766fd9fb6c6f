"""Schema pages: the list and a schema's page (its versions, the preview of its template, the
template itself), and the stewards' editor — a descriptor, previewed before it is saved as a
new version. Thin: `schemas_admin` checks, saves and audits."""

from __future__ import annotations

import json
import tempfile

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from envhub.core.errors import EnvhubError, Forbidden, NotAuthenticated
from envhub.surveys import schemas_admin
from envhub.surveys.codes import RegistryCodes
from envhub.surveys.forms import SchemaForm, add_errors
from envhub.surveys.models import SurveySchema
from envhub.surveys.tableschema import compile_schema
from envhub.surveys.template import template_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _signed_in(request) -> None:
    if not request.actor.is_authenticated:
        raise NotAuthenticated()


def _language() -> str:
    return "en" if (get_language() or "vi")[:2] == "en" else "vi"


def schema_list(request):
    _signed_in(request)
    items = SurveySchema.objects.prefetch_related("versions").order_by("title_vi")
    return render(request, "surveys/schemas.html", {
        "items": items, "may_edit": schemas_admin.may_edit(request.actor)})


def schema_page(request, slug: str):
    _signed_in(request)
    item = schemas_admin.schema(slug)
    current = item.current()
    compiled = compile_schema(current.descriptor) if current else None
    return render(request, "surveys/schema.html", {
        "schema": item, "current": current,
        "versions": item.versions.order_by("-number"),
        "columns": schemas_admin.preview(compiled, _language()) if compiled else [],
        "may_edit": schemas_admin.may_edit(request.actor)})


def schema_template(request, slug: str):
    """The XLSX template of the schema's current version, as a unit fills it in."""
    _signed_in(request)
    item = schemas_admin.schema(slug)
    current = item.current()
    if current is None:
        return redirect(reverse("survey-schema", args=[slug]))
    handle = tempfile.TemporaryFile()
    template_xlsx(compile_schema(current.descriptor), RegistryCodes.load(), handle,
                  language=_language())
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, content_type=XLSX,
                        filename=f"{item.slug}-v{current.number}.xlsx")


def _editor(request, item: SurveySchema | None):
    actor = request.actor
    _signed_in(request)
    if not schemas_admin.may_edit(actor):
        raise Forbidden(_("Only data stewards create and change table schemas."))
    initial = {}
    if item is not None and item.current() is not None:
        initial["descriptor"] = json.dumps(item.current().descriptor, ensure_ascii=False,
                                           indent=2)
    form = SchemaForm(request.POST or None, initial=initial)
    if item is not None:
        form.fields["slug"].disabled = True
        form.fields["slug"].initial = item.slug
    columns = None
    if request.method == "POST" and form.is_valid():
        text, note = form.cleaned_data["descriptor"], form.cleaned_data["note"]
        try:
            if request.POST.get("action") == "save":
                if item is None:
                    item = schemas_admin.create_schema(actor, slug=form.cleaned_data["slug"],
                                                       text=text, note=note)
                    messages.success(request, _("The schema was created."))
                else:
                    version = schemas_admin.new_version(actor, item.slug, text=text, note=note)
                    messages.success(request, _("Version %(number)d of the schema was saved.")
                                     % {"number": version.number})
                return redirect(reverse("survey-schema", args=[item.slug]))
            _descriptor, compiled = schemas_admin.parse(text)
            columns = schemas_admin.preview(compiled, _language())
        except EnvhubError as error:
            add_errors(form, error)
    return render(request, "surveys/schema_edit.html", {
        "schema": item, "form": form, "columns": columns})


def schema_new(request):
    return _editor(request, None)


def schema_edit(request, slug: str):
    return _editor(request, schemas_admin.schema(slug))
