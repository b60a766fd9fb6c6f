"""A steward's pages: editing a dataset's metadata (with a preview of the change) and publishing
a file dataset's new version from its own page. The services decide (`editing`, `services`,
`files`); these views parse, call and render, and answer bad input beside its field — a file
over the limit included, which is refused before its body is read."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from envhub.catalog import editing, files, services
from envhub.catalog.forms import DatasetEditForm, PublishForm
from envhub.core.errors import EnvhubError, NotFound
from envhub.core.uploads import UploadTooLarge, size_words


def actions_context(actor, dataset) -> dict:
    """What the dataset page adds for a steward: the edit link and, on a file dataset, its
    versions (for every reader) and the form to publish the next one."""
    file_dataset = dataset.provider == files.FileDatasets.key
    can_edit = editing.may_edit(actor, dataset)
    return {
        "steward_can_edit": can_edit,
        "file_dataset": file_dataset,
        "file_versions": editing.with_publishers(
            dataset.versions.defer("content").order_by("-number")) if file_dataset else [],
        "publish_form": PublishForm() if can_edit and file_dataset else None,
        **_limits(),
    }


def _limits() -> dict:
    from envhub.catalog.views import FORMATS

    return {"downloadable_formats": FORMATS,
            "max_file_bytes": settings.ENVHUB_MAX_DATASET_FILE_BYTES,
            "max_file_words": size_words(settings.ENVHUB_MAX_DATASET_FILE_BYTES),
            "too_large_text": files.too_large_message()}


def _error_note(form) -> str:
    count = sum(len(errors) for errors in form.errors.values())
    return ngettext("Please correct the error below.", "Please correct the errors below.",
                    count) if count else ""


def _add_errors(form, error: EnvhubError) -> None:
    details = error.details if isinstance(error.details, dict) else {}
    placed = False
    for name, problems in details.items():
        if name in form.fields:
            for problem in problems:
                form.add_error(name, str(problem))
            placed = True
    if not placed:
        form.add_error(None, str(error.message))


def dataset_edit(request, identifier: str):
    dataset = editing.editable_dataset(request.actor, identifier)
    form = DatasetEditForm(request.POST or None, instance=dataset)
    changes = None
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "save":
            try:
                services.save_metadata(request.actor, form.instance)
            except EnvhubError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The dataset's metadata was saved."))
                return redirect(reverse("dataset", args=[dataset.identifier]))
        else:
            changes = editing.pending_changes(form.instance)
    stored = services.dataset(request.actor, identifier)
    return render(request, "catalog/edit.html", {
        "dataset": stored, "form": form, "changes": changes, "error_note": _error_note(form),
    })


def _publish_page(request, dataset, form, status: int = 200):
    return render(request, "catalog/publish.html", {
        "dataset": dataset, "publish_form": form, "error_note": _error_note(form),
        "file_versions": editing.with_publishers(
            dataset.versions.defer("content").order_by("-number")),
        "file_dataset": True, **_limits(),
    }, status=status)


@csrf_exempt  # checked below, once the body is known to be within the limit
def dataset_publish(request, identifier: str):
    """A file dataset's next version. A body over the limit is refused from its length, before
    it is read (`core.uploads`); the form then says so beside the file field."""
    dataset = editing.editable_dataset(request.actor, identifier)
    if dataset.provider != files.FileDatasets.key:
        raise NotFound(_("Only file datasets take uploaded versions."))
    if request.method == "POST":
        try:
            request.POST  # noqa: B018 - reads the form, or refuses it from its length
        except UploadTooLarge as error:
            request._mark_post_parse_error()  # the body is left unread, and never parsed
            form = PublishForm(data={})
            form.is_valid()
            form.errors.clear()
            form.add_error("file", files.too_large_message(error.size))
            return _publish_page(request, dataset, form, status=413)
    return _publish(request, dataset)


@csrf_protect
def _publish(request, dataset):
    form = PublishForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            version = files.publish_version(request.actor, dataset, upload.name, upload.read(),
                                            form.cleaned_data["note"])
        except EnvhubError as error:
            form.add_error("file", str(error.message))
        else:
            messages.success(request, _(
                "Version %(number)d published: %(file)s, %(size)s, SHA-256 %(sha256)s.") % {
                    "number": version.number, "file": version.file_name,
                    "size": size_words(version.size), "sha256": version.sha256})
            page = reverse("dataset", args=[dataset.identifier])
            if request.headers.get("X-Requested-With") == "XMLHttpRequest":
                # A new address (not only a new fragment), so that the browser loads the page.
                return JsonResponse({"url": f"{page}?published={version.number}#versions",
                                     "number": version.number, "sha256": version.sha256},
                                    status=201)
            return redirect(page + "#versions")
    return _publish_page(request, dataset, form)
