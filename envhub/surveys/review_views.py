"""The stewards' review pages: the queue, the two decisions (return with comments, approve) posted
from the submission page, and a version's file as it was approved. Thin: `workflow` decides;
a refusal comes back to the submission page as a message in the reader's language."""

from __future__ import annotations

from pathlib import PurePath

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from envhub.core.errors import EnvhubError
from envhub.surveys import storage, workflow

MEDIA = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         ".csv": "text/csv; charset=utf-8", ".txt": "text/plain; charset=utf-8"}
CHUNK = 1 << 16


def review_queue(request):
    items = list(workflow.review_queue(request.actor))
    now = timezone.now()
    for item in items:
        item.waiting = waiting_words(now - (item.submitted_at or item.updated_at))
    return render(request, "surveys/review_queue.html", {"items": items})


def waiting_words(waited) -> str:
    """How long a submission has waited, in days and hours (minutes under an hour)."""
    seconds = max(int(waited.total_seconds()), 0)
    days, hours, minutes = seconds // 86400, seconds % 86400 // 3600, seconds % 3600 // 60
    parts = []
    if days:
        parts.append(ngettext("%(count)d day", "%(count)d days", days) % {"count": days})
    if hours or days:
        parts.append(ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
    if not parts:
        parts.append(ngettext("%(count)d minute", "%(count)d minutes", minutes)
                     % {"count": minutes})
    return " ".join(parts)


def _back(submission_id: int):
    return redirect(reverse("survey-submission", args=[submission_id]))


@require_POST
def return_submission(request, submission_id: int):
    actor = request.actor
    try:
        rows = workflow.parse_rows(request.POST.get("rows", ""))
        workflow.return_to_unit(actor, submission_id, request.POST.get("comment", ""), rows)
    except EnvhubError as error:
        if error.status in (401, 403, 404):
            raise
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The submission was returned to the unit with your "
                                    "comments."))
    return _back(submission_id)


@require_POST
def approve_submission(request, submission_id: int):
    actor = request.actor
    try:
        version = workflow.approve(actor, submission_id, request.POST.get("comment", ""),
                                   request.POST.get("fingerprint") or None)
    except EnvhubError as error:
        if error.status in (401, 403, 404):
            raise
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Approved as version %(number)d; it will be loaded in a "
                                    "moment.") % {"number": version.number})
    return _back(submission_id)


def version_download(request, version_id: int):
    """The approved file exactly as it was uploaded: its bytes from storage, its SHA-256 as the
    ETag, named after the dataset kind, the unit's assignment and the version number."""
    version = workflow.version_of(request.actor, version_id)
    etag = f'"{version.sha256}"'
    if request.headers.get("If-None-Match") == etag:
        response = StreamingHttpResponse((), status=304)
        response["ETag"] = etag
        return response
    extension = PurePath(version.upload.file_name).suffix.lower()
    extension = extension if extension in MEDIA else ".csv"
    handle = storage.open_stored(version.upload.stored_as)

    def chunks():
        with handle:
            while block := handle.read(CHUNK):
                yield block

    response = StreamingHttpResponse(chunks(), content_type=MEDIA[extension])
    response["Content-Length"] = str(version.upload.size)
    response["ETag"] = etag
    response["X-Checksum-SHA256"] = version.sha256
    response["X-Dataset-Version"] = str(version.number)
    name = f"{version.assignment.schema.slug}-{version.assignment_id}-v{version.number}"
    response["Content-Disposition"] = f'attachment; filename="{name}{extension}"'
    return response
