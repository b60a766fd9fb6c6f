"""The library's pages besides its home and search (`views.py`): the collections and their
dossiers, a document's page (metadata, the picture of its first page, versions, downloads),
the file download, and the keepers' pages — upload, metadata edit, a new version.

Thin: who may read is `permissions.scope` (the library's rule in `policy.py`), writes are
`intake` and `editing`, the reading log is `access_log`. A document out of the reader's sight
is a 404, whatever road asks; an edit by a reader who does not keep the library is a 403."""

from __future__ import annotations

import itertools

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from envhub.core import permissions
from envhub.core.api_errors import envelope
from envhub.core.errors import EnvhubError, InvalidInput, NotFound, TooLarge
from envhub.core.text import attachment_disposition
from envhub.core.uploads import UploadTooLarge, size_words, upload_limits
from envhub.library import (
    access_log,
    editing,
    intake,
    metadata,
    policy,
    preview,
    ranges,
    storage,
)
from envhub.library.forms import MetadataForm, UploadForm, initial_of
from envhub.library.models import (
    AccessLevel,
    Collection,
    Document,
    DocumentFile,
    DocumentType,
    FileRole,
)

PAGE_SIZE = 50


def _visible_count(prefix: str, actor) -> Count:
    """How many documents under `prefix` the actor may read (the shelves count only those)."""
    condition = policy.document_condition(actor, f"{prefix}__")
    return Count(prefix, filter=condition, distinct=True) if condition is not None else \
        Count(prefix, distinct=True)


def collection_list(request):
    collections = Collection.objects.annotate(
        document_count=_visible_count("documents", request.actor),
        dossier_count=Count("dossiers", distinct=True)).order_by("title")
    return render(request, "library/collection_list.html", {"collections": collections})


def collection_page(request, code: str):
    actor = request.actor
    collection = Collection.objects.filter(code=code).first()
    if collection is None:
        raise NotFound(_("The library has no collection with this code."))
    dossiers = list(collection.dossiers.annotate(
        document_count=_visible_count("documents", actor)).order_by("code"))
    documents = permissions.scope(actor, collection.documents.all())
    total = documents.count()
    chosen = (request.GET.get("dossier") or "").strip()[:60]
    if chosen == "-":
        documents = documents.filter(dossier__isnull=True)
    elif chosen:
        documents = documents.filter(dossier__code=chosen)
    page = Paginator(documents.select_related("dossier").order_by(
        "dossier__code", "-issued_on", "title", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "library/collection.html", {
        "collection": collection, "dossiers": dossiers, "page": page, "total": total,
        "chosen": chosen, "loose_count": total - sum(d.document_count for d in dossiers),
        "may_add": permissions.can(actor, permissions.ADD, Document),
    })


def _versions(document: Document) -> list[dict]:
    files = document.files.select_related("created_by").order_by("-version", "role")
    versions = []
    for number, group in itertools.groupby(files, key=lambda file: file.version):
        group = list(group)
        original = next((file for file in group if file.role == FileRole.ORIGINAL), group[0])
        versions.append({"number": number, "files": [
            {"file": file, "size": size_words(file.size),
             "url": reverse("library:file-download", args=[file.pk])} for file in group],
            "at": original.created_at, "by": original.created_by})
    return versions


def document_page(request, identifier: str):
    actor = request.actor
    document = editing.readable_document(actor, identifier)
    access_log.document_viewed(actor, document)
    may_edit = editing.may_edit(actor, document)
    return render(request, "library/document.html", {
        "document": document, "versions": _versions(document),
        "has_preview": preview.available() and preview.source_of(document) is not None,
        "provinces": document.provinces.order_by("name"),
        "organisations": document.allowed_organisations.order_by("name")
        if document.access_level == AccessLevel.RESTRICTED else [],
        "may_edit": may_edit, "max_file_words": size_words(storage.max_bytes()),
        "max_file_bytes": _largest_file(request),
        "restricted": document.access_level == AccessLevel.RESTRICTED,
    })


def document_preview(request, identifier: str):
    actor = request.actor
    document = editing.readable_document(actor, identifier)
    name = preview.preview_of(document)
    if name is None:
        raise NotFound(_("This document has no preview."))
    access_log.document_viewed(actor, document, part="preview")
    response = FileResponse(storage.open_stored(name), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_safe
def file_download(request, file_id: int):
    actor = request.actor
    file = permissions.scope(actor, DocumentFile.objects.filter(pk=file_id)).select_related(
        "document").first()
    if file is None:
        raise NotFound()
    private = file.document.access_level != AccessLevel.PUBLIC
    wanted = None
    if request.method == "GET" and ranges.if_range_allows(request.headers.get("If-Range"),
                                                          storage.etag(file)):
        try:
            wanted = ranges.parse(request.headers.get("Range"), file.size)
        except ranges.Unsatisfiable as refused:  # no byte sent: no download recorded
            response = HttpResponse(_("The requested range is outside the file."),
                                    status=416, content_type="text/plain; charset=utf-8")
            response["Content-Range"] = refused.content_range
            response["Accept-Ranges"] = "bytes"
            return response
    if request.method == "GET":  # a HEAD sends no bytes: it is no download
        access_log.file_downloaded(actor, file, wanted)
    response = storage.stream(file, byte_range=wanted, send_body=request.method == "GET")
    response["Content-Disposition"] = attachment_disposition(file.name)
    if private:
        response["Cache-Control"] = "private, no-store"
    return response


# --- the keepers' pages ------------------------------------------------------------------------

def _largest_file(request) -> int:
    """The largest file this route receives: the library's limit, or less where the upload
    handler keeps less."""
    return min(storage.max_bytes(), upload_limits(request)[0])


def _too_large_text(request, name: str, size: int) -> str:
    return _("“%(name)s” is %(size)s, more than the %(limit)s the library takes here: nothing "
             "was stored.") % {"name": name, "size": size_words(size),
                               "limit": size_words(_largest_file(request))}


def _file_problem(error: EnvhubError, name: str) -> str:
    message = str(error.message)
    return message if name in message else _("“%(name)s”: %(problem)s") % {
        "name": name, "problem": message}


def _upload_page(request, form, status: int = 200):
    return render(request, "library/upload.html", {
        "form": form, "max_file_words": size_words(_largest_file(request)),
        "max_file_bytes": _largest_file(request),
        "error_note": _("Please correct the errors below.") if form.errors else "",
    }, status=status)


@csrf_exempt  # checked in `_upload`, once the body is known to be within the limit
def upload_page(request):
    """A new document with its files. A body over the limit is refused from its length before
    it is read (`core.uploads`), and said beside the files."""
    permissions.require(request.actor, permissions.ADD, Document)
    if request.method == "POST":
        try:
            request.POST  # noqa: B018 - reads the form, or refuses it from its length
        except UploadTooLarge as error:
            request._mark_post_parse_error()
            form = UploadForm(data={})
            form.is_valid()
            form.add_error("files", _("The upload is %(size)s, more than the %(limit)s the "
                                      "library takes here: nothing was stored.") % {
                "size": size_words(error.size), "limit": size_words(_largest_file(request))})
            return _upload_page(request, form, status=413)
    return _upload(request)


@csrf_protect
def _upload(request):
    if request.method != "POST":
        return _upload_page(request, UploadForm(initial={
            "access_level": AccessLevel.INTERNAL, "language": "vi", "type": DocumentType.OTHER,
            "collection": (request.GET.get("collection") or "")[:60]}))
    form = UploadForm(request.POST, request.FILES)
    checked = None
    if form.is_valid():
        try:
            checked = metadata_of(form)
        except InvalidInput as error:
            form.place_errors(error)
    uploads = request.FILES.getlist("files")
    if not uploads:
        form.add_error("files", _("Attach at least one file."))
    for upload in uploads:
        if upload.size > _largest_file(request):
            form.add_error("files", _too_large_text(request, upload.name, upload.size))
    if form.errors:
        return _upload_page(request, form, status=400)
    try:
        document = intake.add_document(
            request.actor, checked.document,
            [intake.Incoming(upload.name or "", upload) for upload in uploads],
            checked.provinces, checked.allowed_organisations)
    except (InvalidInput, TooLarge) as error:
        names = [upload.name for upload in uploads]
        form.add_error("files", _file_problem(error, next(
            (name for name in names if name and name in str(error.message)), names[0])))
        return _upload_page(request, form, status=error.status)
    page = reverse("library:document", args=[document.identifier])
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return JsonResponse({"url": page, "identifier": document.identifier}, status=201)
    messages.success(request, _("The document was added to the library: its text is being "
                                "extracted."))
    return redirect(page)


def metadata_of(form: MetadataForm) -> metadata.Checked:
    return metadata.check(form.data_for_check())


def edit_page(request, identifier: str):
    actor = request.actor
    document = editing.editable_document(actor, identifier)
    chosen = document.allowed_organisations.values_list("pk", flat=True)
    form = MetadataForm(request.POST or None, initial=initial_of(document),
                        chosen_organisations=chosen)
    if request.method == "POST" and form.is_valid():
        try:
            document = editing.update_metadata(actor, document, form.data_for_check())
        except InvalidInput as error:
            form.place_errors(error)
        else:
            messages.success(request, _("The document's metadata were saved."))
            return redirect(reverse("library:document", args=[document.identifier]))
    return render(request, "library/edit.html", {
        "document": Document.objects.get(pk=document.pk), "form": form,
        "error_note": _("Please correct the errors below.") if form.errors else "",
    }, status=400 if form.errors else 200)


@csrf_exempt  # checked in `_add_version`, once the body is known to be within the limit
@require_POST
def add_version(request, identifier: str):
    """A new original for the document: the next version. Answered in JSON to the page's
    script; without it, back to the document's page with a message."""
    document = editing.editable_document(request.actor, identifier)
    try:
        request.POST  # noqa: B018 - reads the form, or refuses it from its length
    except UploadTooLarge as error:
        request._mark_post_parse_error()
        message = _("The upload is %(size)s, more than the %(limit)s the library takes here: "
                    "nothing was stored.") % {"size": size_words(error.size),
                                              "limit": size_words(_largest_file(request))}
        return _version_refused(request, document, TooLarge(message, {"file": ["too_large"]}))
    return _add_version(request, document)


@csrf_protect
def _add_version(request, document):
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise InvalidInput(_("Choose the file of the new version."), {"file": ["required"]})
        if upload.size > _largest_file(request):
            raise TooLarge(_too_large_text(request, upload.name, upload.size),
                           {"file": ["too_large"]})
        file = intake.add_version(request.actor, document,
                                  intake.Incoming(upload.name or "", upload))
    except (InvalidInput, TooLarge) as error:
        if upload is not None:
            error.message = _file_problem(error, upload.name)
        return _version_refused(request, document, error)
    page = reverse("library:document", args=[document.identifier])
    text = _("Version %(number)s added: %(name)s, %(size)s.") % {
        "number": file.version, "name": file.name, "size": size_words(file.size)}
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return JsonResponse({"url": f"{page}?version={file.version}#versions",
                             "version": file.version, "message": text}, status=201)
    messages.success(request, text)
    return redirect(page + "#versions")


def _version_refused(request, document, error: EnvhubError):
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return envelope(error.status, error.code, str(error.message), error.details)
    messages.error(request, str(error.message))
    return redirect(reverse("library:document", args=[document.identifier]) + "#new-version")

