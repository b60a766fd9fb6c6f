"""The survey unit's pages: its assignments, the template of each, uploading a file, the
submission with its check and report, sending it for review. Thin: they call `workflow` and
render; the stewards' pages are in `review_views.py`."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from envhub.core import permissions
from envhub.core.errors import EnvhubError, Forbidden, InvalidInput, NotFound, TooLarge
from envhub.core.text import attachment_disposition
from envhub.core.uploads import UploadTooLarge, size_words
from envhub.surveys import campaigns, storage, unitfiles, workflow
from envhub.surveys.codes import RegistryCodes
from envhub.surveys.forms import ACCESS_CHOICES, DeadlineForm
from envhub.surveys.models import (
    AWAITING_REVIEW,
    CheckState,
    LoadState,
    SchemaKind,
    State,
    Version,
)
from envhub.surveys.template import template_xlsx

ERRORS_SHOWN = 300


# --- the unit's work -----------------------------------------------------------------------

def has_survey_work(actor) -> bool:
    return actor.is_authenticated and actor.has_role(
        permissions.SURVEY_UNIT, permissions.STEWARD, permissions.ADMIN, permissions.LEADER)


def assignment_rows(actor) -> list[dict]:
    """The actor's assignments, each with its newest submission and that one's current file."""
    assignments = list(workflow.assignments(actor).order_by(
        "due_on", "campaign__title", "schema__title_vi", "organisation__name"))
    newest: dict[int, object] = {}
    for item in workflow.submissions(actor).filter(
            assignment__in=[a.pk for a in assignments]).order_by("-id"):
        newest.setdefault(item.assignment_id, item)
    rows = []
    for assignment in assignments:
        submission = newest.get(assignment.pk)
        state = submission.state if submission else None
        rows.append({"assignment": assignment, "submission": submission,
                     "upload": submission.current_upload if submission else None,
                     "overdue": unitfiles.is_overdue(assignment.due_on, state),
                     "to_do": _to_do(submission)})
    return rows


def _to_do(submission) -> bool:
    """The unit has something to do: nothing uploaded, a file to correct, or one to send."""
    return submission is None or submission.state in (State.DRAFT, State.RETURNED)


def by_campaign(rows: list[dict]) -> list[dict]:
    groups: dict[int, dict] = {}
    for row in rows:
        campaign = row["assignment"].campaign
        groups.setdefault(campaign.pk, {"campaign": campaign, "rows": []})["rows"].append(row)
    return sorted(groups.values(), key=lambda group: (-group["campaign"].year,
                                                      group["campaign"].title))


@login_required
def survey_home(request):
    actor = request.actor
    context = {"is_unit": actor.has_role(permissions.SURVEY_UNIT),
               "is_reviewer": workflow.is_reviewer(actor),
               "has_work": has_survey_work(actor)}
    if context["is_unit"]:
        context["campaigns"] = by_campaign(assignment_rows(actor))
    if actor.sees_everything:
        context["awaiting"] = list(workflow.submissions(actor).filter(
            state__in=AWAITING_REVIEW).order_by("submitted_at", "id")[:50])
        context["awaiting_count"] = workflow.submissions(actor).filter(
            state__in=AWAITING_REVIEW).count()
        context["campaign_list"] = list(workflow.campaigns(actor)[:20])
    return render(request, "surveys/home.html", context)


def home_panel(request):
    """The survey part of envhub's home page (registered in `SurveysConfig.ready`)."""
    actor = getattr(request, "actor", None)
    if actor is None or not has_survey_work(actor):
        return None
    context = {"is_unit": actor.has_role(permissions.SURVEY_UNIT)}
    if context["is_unit"]:
        rows = assignment_rows(actor)
        context.update(rows=rows, to_do=sum(1 for row in rows if row["to_do"]),
                       overdue=sum(1 for row in rows if row["overdue"]))
    if actor.sees_everything:
        context["awaiting_count"] = workflow.submissions(actor).filter(
            state__in=AWAITING_REVIEW).count()
    return "surveys/_home_panel.html", context


# --- an assignment: its template and its uploads -----------------------------------------------

def _upload_context(actor, assignment) -> dict:
    open_one = assignment.submissions.exclude(state__in=(State.APPROVED, State.LOADED)) \
        .order_by("-id").first()
    member = workflow.is_unit_member(actor, assignment.organisation_id)
    reviewing = open_one is not None and open_one.state in AWAITING_REVIEW
    return {"may_upload": member and not reviewing, "is_member": member,
            "upload_blocked": member and reviewing,
            "max_file_words": size_words(storage.max_bytes()),
            "upload_url": reverse("survey-upload", args=[assignment.pk])}


def _assignment_page(request, assignment, *, error: str = "", status: int = 200):
    actor = request.actor
    submissions = workflow.submissions(actor).filter(assignment=assignment).order_by("-id")
    versions = permissions.visible(actor, Version.objects.filter(assignment=assignment)) \
        .select_related("upload", "schema_version").order_by("-number")
    return render(request, "surveys/assignment.html", {
        "assignment": assignment, "schema_version": assignment.schema.current(),
        "submissions": submissions, "versions": versions, "upload_error": error,
        "overdue": unitfiles.is_overdue(
            assignment.due_on, submissions[0].state if submissions else None),
        "generic": assignment.schema.kind == SchemaKind.GENERIC,
        "access_label": dict(ACCESS_CHOICES).get(assignment.access_class,
                                                 assignment.access_class),
        "deadline_form": DeadlineForm(initial={"due_on": assignment.due_on})
        if campaigns.may_manage(actor) else None,
        **_upload_context(actor, assignment),
    }, status=status)


@login_required
def assignment_page(request, assignment_id: int):
    return _assignment_page(request, workflow.assignment(request.actor, assignment_id))


def _download_name(assignment) -> str:
    """The template's name: "Mẫu - <kind> - <year>.xlsx"."""
    word = _("Template")
    return f"{word} - {assignment.schema.title_vi} - {assignment.campaign.year}.xlsx"


@login_required
def template_download(request, assignment_id: int):
    assignment = workflow.assignment(request.actor, assignment_id)
    version = assignment.schema.current()
    from envhub.surveys.checking import schema_of

    out = tempfile.TemporaryFile()
    template_xlsx(schema_of(version), RegistryCodes.load(), out)
    out.seek(0)
    response = FileResponse(out, content_type="application/vnd.openxmlformats-officedocument."
                                                "spreadsheetml.sheet")
    response["Content-Disposition"] = attachment_disposition(_download_name(assignment))
    return response


@csrf_exempt  # checked below, once the body is known to be within the limit
@login_required
def upload_file(request, assignment_id: int):
    """A unit's file for an assignment. A body over the limit is refused from its length
    before it is read (`core.uploads`); any refusal is said on the assignment's page, and
    nothing is stored."""
    assignment = workflow.assignment(request.actor, assignment_id)
    if request.method != "POST":
        return redirect(reverse("survey-assignment", args=[assignment.pk]))
    try:
        request.POST  # noqa: B018 - reads the form, or refuses it from its length
    except UploadTooLarge as error:
        request._mark_post_parse_error()  # the body is left unread, and never parsed
        return _assignment_page(request, assignment, error=_too_large(error.size), status=413)
    return _upload(request, assignment)


def _too_large(size: int | None = None) -> str:
    limit = size_words(storage.max_bytes())
    if size is None:
        return _("The file is larger than %(limit)s, the most a survey file may be: nothing "
                 "was stored.") % {"limit": limit}
    return _("The file is %(size)s, more than the %(limit)s a survey file may be: nothing was "
             "stored.") % {"size": size_words(size), "limit": limit}


@csrf_protect
def _upload(request, assignment):
    actor = request.actor
    if not workflow.is_unit_member(actor, assignment.organisation_id):
        raise Forbidden(_("Only the survey unit's own people upload and send its files."))
    upload = request.FILES.get("file")
    if upload is None:
        return _assignment_page(request, assignment, status=400,
                                error=_("Choose the file to upload."))
    if upload.size > storage.max_bytes():  # only counted by the upload handler
        return _assignment_page(request, assignment, error=_too_large(upload.size), status=413)
    try:
        item = workflow.upload(actor, assignment.pk, upload, upload.name or "")
    except (InvalidInput, TooLarge) as error:
        return _assignment_page(request, assignment, error=str(error.message),
                                status=error.status)
    messages.success(request, _("The file “%(name)s” was received; envhub is checking it.")
                     % {"name": item.file_name})
    return redirect(reverse("survey-submission", args=[item.submission_id]))


# --- a submission --------------------------------------------------------------------------

def _submit_refusal(submission, current) -> str:
    """Why the unit cannot send the submission now ("" when it can)."""
    if submission.state not in (State.DRAFT, State.RETURNED):
        return _("It is not waiting for the unit.")
    refusal = workflow.file_refusal(submission)
    return refusal[1] if refusal else ""


def _by_code(report: dict) -> list[dict]:
    examples: dict[str, str] = {}
    for issue in report.get("errors") or ():
        examples.setdefault(issue.get("code"), issue.get("message"))
    counts = sorted((report.get("by_code") or {}).items(), key=lambda item: (-item[1], item[0]))
    return [{"code": code, "count": count, "example": examples.get(code, "")}
            for code, count in counts]


@login_required
def submission_page(request, submission_id: int):
    actor = request.actor
    item = workflow.submission(actor, submission_id)
    current = item.current_upload
    report = current.report if current else {}
    version = Version.objects.filter(submission=item).first()
    member = workflow.is_unit_member(actor, item.organisation_id)
    failed_load = version is not None and version.load_state == LoadState.FAILED
    errors = (report or {}).get("errors") or []
    context = {
        "submission": item, "assignment": item.assignment, "current": current,
        "report": report or {}, "errors": errors[:ERRORS_SHOWN],
        "errors_hidden": max(0, (report or {}).get("error_count", 0) - min(len(errors),
                                                                           ERRORS_SHOWN)),
        "by_code": _by_code(report or {}),
        "checking": current is not None and current.check_state in (CheckState.QUEUED,
                                                                    CheckState.RUNNING),
        "percent": unitfiles.percent(current) if current else None,
        "annotated": current is not None and unitfiles.has_annotated_copy(current),
        "steps": permissions.visible(actor, item.steps.all()).order_by("at", "id"),
        "uploads": item.uploads.all().order_by("-number"),
        "versions": permissions.visible(actor, Version.objects.filter(
            assignment=item.assignment)).select_related("upload", "schema_version")
        .order_by("-number"),
        "version": version,
        "next_step": unitfiles.next_step(item, version=version),
        "is_member": member,
        "submit_refusal": _submit_refusal(item, current) if member else "",
        "may_submit": member and not _submit_refusal(item, current),
        "may_review": workflow.is_reviewer(actor) and (item.state in AWAITING_REVIEW
                                                       or failed_load),
        **_upload_context(actor, item.assignment),
    }
    return render(request, "surveys/submission.html", context)


@require_POST
@login_required
def submit(request, submission_id: int):
    actor = request.actor
    item = workflow.submission(actor, submission_id)
    try:
        workflow.submit(actor, item.pk, (request.POST.get("comment") or "").strip())
    except InvalidInput as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Sent for review: a data steward will look at it."))
    return redirect(reverse("survey-submission", args=[item.pk]))


# --- an uploaded file ------------------------------------------------------------------------

@login_required
def upload_original(request, upload_id: int):
    upload = workflow.upload_of(request.actor, upload_id)
    response = FileResponse(storage.open_stored(upload.stored_as),
                            content_type="application/octet-stream")
    response["Content-Disposition"] = attachment_disposition(upload.file_name)
    return response


@login_required
def upload_progress(request, upload_id: int):
    upload = workflow.upload_of(request.actor, upload_id)
    body = {**unitfiles.progress(upload), "percent": unitfiles.percent(upload),
            "page": reverse("survey-submission", args=[upload.submission_id])}
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def upload_annotated(request, upload_id: int):
    upload = workflow.upload_of(request.actor, upload_id)
    if not unitfiles.has_annotated_copy(upload):
        raise NotFound(_("This file has no annotated copy: it has not been checked yet, or it "
                         "could not be read."))
    out = tempfile.TemporaryFile()
    try:
        unitfiles.write_annotated(upload, out)
    except EnvhubError:
        out.close()
        raise
    out.seek(0)
    stem = upload.file_name.rsplit(".", 1)[0]
    checked = pgettext("annotated file name", "checked")
    readable = f"{stem} - {checked}.xlsx"
    response = FileResponse(out, content_type="application/vnd.openxmlformats-officedocument."
                                              "spreadsheetml.sheet")
    response["Content-Disposition"] = attachment_disposition(readable)
    return response
