"""Documents into the library by API: `POST /documents` (metadata as form fields, one or more
files) and `POST /documents/{id}/files` (a new version). Thin: read the multipart form (its
files are on disk already, `library/uploads.py`), check the metadata (`metadata.check`), call
`intake`, answer. Anonymous callers get 401, non-keepers 403, a document out of the caller's
scope 404; bad metadata or files the error envelope with details by field."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from ninja import File, Schema, Status
from ninja.files import UploadedFile

from envhub.core import permissions
from envhub.core.api_auth import actor_of
from envhub.core.api_errors import ErrorEnvelope
from envhub.core.errors import InvalidInput, NotAuthenticated, NotFound, TooLarge
from envhub.core.uploads import size_words
from envhub.library import intake, metadata, storage, uploads
from envhub.library.api import router  # one router: the list and the intake share /documents
from envhub.library.models import Document
from envhub.registry.api import RowId

WRITE_ERRORS = {400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope,
                404: ErrorEnvelope, 413: ErrorEnvelope}
# Form fields that are not metadata: the files, and the CSRF token a page's form sends.
NOT_METADATA = {"files", "csrfmiddlewaretoken"}


class FileOut(Schema):
    id: int
    version: int
    role: str
    name: str
    size: int
    sha256: str
    media_type: str


class DocumentOut(Schema):
    id: int
    identifier: str
    title: str
    collection: str
    access_level: str
    page_count: int | None
    text_state: str
    created_at: datetime.datetime
    files: list[FileOut]


def _keeper(request):
    actor = actor_of(request)
    if not actor.is_authenticated:
        raise NotAuthenticated()
    return actor


def _incoming(request, files) -> list[intake.Incoming]:
    """The uploaded files, refused by name and size when one passed the limit while it
    streamed (nothing of it was kept)."""
    if len(files) > uploads.MAX_FILES:
        raise InvalidInput(_("Send at most %(count)s files at once.")
                           % {"count": uploads.MAX_FILES}, {"files": ["too_many"]})
    for upload in files:
        if getattr(upload, "over_limit", False) or upload.size > storage.max_bytes():
            raise TooLarge(_("“%(name)s” is %(size)s, more than the %(limit)s the library "
                             "takes: nothing was stored.")
                           % {"name": (upload.name or "")[:100], "size": size_words(upload.size),
                              "limit": size_words(storage.max_bytes())},
                           {"files": ["too_large"]})
    return [intake.Incoming(upload.name or "", upload) for upload in files]


def _metadata(request) -> dict:
    """Form fields as `metadata.check` reads them: a field sent more than once is a list."""
    return {name: values if len(values) > 1 else values[0]
            for name, values in request.POST.lists() if name not in NOT_METADATA}


def _out(document: Document) -> dict:
    return {"id": document.pk, "identifier": document.identifier, "title": document.title,
            "collection": document.collection.code, "access_level": document.access_level,
            "page_count": document.page_count, "text_state": document.text_state,
            "created_at": document.created_at,
            "files": list(document.files.order_by("version", "role"))}


@router.post("/documents", response={201: DocumentOut, **WRITE_ERRORS},
             summary="Add a document: metadata as form fields, one or more files")
def add_document(request, files: File[list[UploadedFile]]):
    actor = _keeper(request)
    permissions.require(actor, "add", Document)
    incoming = _incoming(request, files)
    checked = metadata.check(_metadata(request))
    document = intake.add_document(actor, checked.document, incoming, checked.provinces,
                                   checked.allowed_organisations)
    return Status(201, _out(document))


@router.post("/documents/{document_id}/files", response={201: DocumentOut, **WRITE_ERRORS},
             summary="Add a new version of a document's original")
def add_version(request, document_id: RowId, files: File[list[UploadedFile]]):
    actor = _keeper(request)
    document = permissions.scope(actor, Document.objects).filter(pk=document_id).first()
    if document is None:
        raise NotFound()
    permissions.require(actor, "change", document)
    if len(files) != 1:
        raise InvalidInput(_("Send one file: the new version of the original."),
                           {"files": ["one_file"]})
    intake.add_version(actor, document, _incoming(request, files)[0])
    document.refresh_from_db()
    return Status(201, _out(document))
