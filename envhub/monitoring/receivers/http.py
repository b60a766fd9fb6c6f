"""The HTTP receiver (`POST /api/v1/ingest/files`, routed in `monitoring.api`): a datalogger or
a person sends TT10 files as a raw body named by the X-Filename header, or as the parts of a
multipart form. Like every receiver it only moves bytes: each file goes through the one
ingestion service."""

from __future__ import annotations

import orjson
from django.conf import settings
from django.core.exceptions import TooManyFilesSent
from django.db import DatabaseError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema

from envhub.core.api_auth import actor_of
from envhub.core.api_errors import envelope
from envhub.core.errors import InvalidInput, LengthRequired, TooLarge
from envhub.monitoring import ingest
from envhub.monitoring.models import BatchStatus, Channel


class RejectOut(Schema):
    line: int
    code: str
    message: str
    text: str


class BatchReportOut(Schema):
    file_name: str
    status: str
    station: str | None
    batch_id: int | None
    lines: int
    accepted: int
    rejected: int
    duplicates: int
    conflicts: int
    rejects: list[RejectOut]
    conflict_details: list[dict]
    notes: list[str]
    duplicate_of: int | None


class IngestOut(Schema):
    results: list[BatchReportOut]


def receive(request, replace: bool) -> HttpResponse:
    """The reports of the request's files (200); a raw body whose file is refused whole gets
    422 with its report."""
    actor = actor_of(request)
    if not actor.is_authenticated:
        return envelope(401)
    files = incoming_files(request)
    try:
        reports = ingest.ingest(actor, Channel.HTTP, files, replace=replace)
    except DatabaseError:
        return envelope(503, "unavailable", _("The database is busy or unavailable; nothing "
                                              "was stored. Send the file again later."))
    results = [report.as_dict() for report in reports]
    if not _is_multipart(request):
        if reports[0].status == BatchStatus.REJECTED:
            return envelope(422, "file_rejected", _("Nothing in this file could be accepted."),
                            {"report": results[0]})
    return HttpResponse(orjson.dumps({"results": results}), content_type="application/json")


def incoming_files(request) -> list[ingest.IncomingFile]:
    """The files of a request: a raw body named by X-Filename, or the parts of a multipart form."""
    limit = settings.ENVHUB_MAX_FILE_BYTES
    if _is_multipart(request):
        files = []
        try:
            uploaded = request.FILES.lists()
        except TooManyFilesSent:
            raise TooLarge(_("A form may hold at most %(n)d files; send the others in another "
                             "request.") % {"n": settings.DATA_UPLOAD_MAX_NUMBER_FILES}) from None
        for _field, parts in uploaded:
            for part in parts:
                # A part over the limit is not read: the service records it as too large.
                content = b"" if part.size > limit else part.read()
                files.append(ingest.IncomingFile(part.name, content, size=part.size))
        if not files:
            raise InvalidInput(_("The form holds no file."), {"file": [_("required")]})
        return files
    name = request.headers.get("X-Filename", "").strip()
    if not name:
        raise InvalidInput(
            _("Send the file name in the X-Filename header, or post a multipart form."),
            {"X-Filename": [_("required")]})
    if not request.META.get("CONTENT_LENGTH"):
        # A chunked body reaches Django empty: refuse it rather than call the file empty.
        raise LengthRequired()
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > limit:
        raise TooLarge(_("The file has %(size)d bytes; the limit is %(limit)d.") % {
            "size": length, "limit": limit})
    # read(), not body: the file's own limit applies here, not that of JSON and form bodies.
    return [ingest.IncomingFile(name, request.read())]


def _is_multipart(request) -> bool:
    return request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data")
